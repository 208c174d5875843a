#include "k8s/controller.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "k8s/controller_pod.h"
#include "k8s/controller_reconcile.h"
#include "k8s/kube_api_list_watch.h"

namespace migsched::k8s {
namespace {

using nlohmann::json;

// A pod's reservation cancelled by hand this many times is not made again
// (each attempt costs a POST per step).
constexpr int kMaxReservationAttempts = 100;

// serve's active jobs of tenant "k8s".
Result<std::vector<K8sReservation>> ListReservations(const ServeCall& serve) {
  std::vector<K8sReservation> reservations;
  for (const char* state : {"queued", "starting", "running"}) {
    Result<json> jobs = serve("GET", std::string("/v1/jobs?limit=100000&state=") + state, "");
    if (!jobs.has_value()) return jobs.error();
    if (!jobs->contains("jobs") || !(*jobs)["jobs"].is_array()) {
      return UnavailableError("serve's GET /v1/jobs answer has no jobs list");
    }
    for (const json& job : (*jobs)["jobs"]) {
      if (job.value("tenant", "") != kK8sTenant) continue;
      reservations.push_back({.id = job.value("id", std::int64_t{0}),
                              .name = job.value("name", ""),
                              .node = job.contains("node") && job["node"].is_string() ? job["node"].get<std::string>() : ""});
    }
  }
  return reservations;
}

}  // namespace

Controller::Controller(const KubeApiClient& kube, ServeCall serve, ControllerOptions options, std::ostream& log)
    : kube_(kube), serve_(std::move(serve)), options_(options), log_(log) {}

void Controller::Report(const std::string& problem) {
  const std::lock_guard lock(reported_mutex_);
  if (reported_.insert(problem).second) log_ << "k8s controller event=problem " << problem << "\n";
}

Status Controller::Step(const std::vector<K8sPod>& pods) {
  Result<std::vector<K8sReservation>> reservations = ListReservations(serve_);
  if (!reservations.has_value()) return reservations.error();
  const ControllerActions actions = Reconcile(pods, *reservations);
  for (const ControllerActions::Submit& submit : actions.submit) {
    // serve answers the ended job for a name it has seen: a reservation
    // cancelled by hand while its pod waits is made again under the slot's
    // next attempt (ReservationName).
    std::string name = submit.name;
    Result<json> job = UnavailableError("no attempt");
    for (int attempt = 1; attempt <= kMaxReservationAttempts; ++attempt) {
      name = ReservationName(submit.pod_uid, submit.profile, submit.n, attempt);
      const json body{{"name", name}, {"tenant", kK8sTenant}, {"profile", submit.profile}};
      job = serve_("POST", "/v1/jobs", body.dump());
      if (!job.has_value() || job->value("state", "") != "finished") break;
    }
    if (!job.has_value()) {
      Report("pod=" + submit.pod + " profile=" + submit.profile + " error=\"" + job.error().message() + "\"");
      continue;
    }
    log_ << "k8s controller event=reserve pod=" << submit.pod << " profile=" << submit.profile
         << " reservation=" << name << " job=" << job->value("id", std::int64_t{0})
         << " state=" << job->value("state", "") << "\n";
  }
  for (const std::int64_t id : actions.cancel) {
    Result<json> job = serve_("DELETE", "/v1/jobs/" + std::to_string(id), "");
    if (!job.has_value() && job.error().code() != StatusCode::kNotFound) return job.error();
    log_ << "k8s controller event=release job=" << id << "\n";
  }
  return Status();
}

void Controller::Run(const std::atomic<bool>& stop) {
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<std::vector<K8sPod>> pods;  // none until the first list
  bool dirty = false;
  std::thread watcher([&] {
    RunListWatch(
        kube_, {.collection = "/api/v1/pods", .selector = "", .watch_timeout_s = options_.watch_timeout_s}, stop,
        [&](const ObjectMap& objects) {
          std::vector<K8sPod> parsed;
          std::vector<std::string> problems;
          for (const auto& [key, object] : objects) {
            Result<K8sPod> pod = PodFromJson(object);
            if (pod.has_value()) {
              parsed.push_back(std::move(pod).value());
            } else {
              problems.push_back(pod.error().message());
            }
          }
          for (const std::string& problem : problems) Report("error=\"" + problem + "\"");
          const std::lock_guard lock(mutex);
          pods = std::move(parsed);
          dirty = true;
          changed.notify_one();
        },
        log_);
  });
  std::unique_lock lock(mutex);
  auto last_step = std::chrono::steady_clock::time_point{};
  while (!stop.load()) {
    // The stop flag is only polled: wake up at least every 100 ms for it.
    changed.wait_for(lock, std::min(options_.interval, std::chrono::milliseconds(100)), [&] { return dirty; });
    const auto now = std::chrono::steady_clock::now();
    if (!pods || (!dirty && now - last_step < options_.interval)) continue;
    dirty = false;
    last_step = now;
    const std::vector<K8sPod> snapshot = *pods;
    lock.unlock();
    const Status status = Step(snapshot);
    lock.lock();
    if (!status.ok()) log_ << "k8s controller event=step_failed error=\"" << status.message() << "\"\n";
  }
  lock.unlock();
  watcher.join();
}

}  // namespace migsched::k8s
