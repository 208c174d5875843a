#include "daemon/api_json.h"

#include "daemon/json_text.h"
#include "daemon/live_savings.h"

namespace migsched::daemon {
namespace {

using nlohmann::ordered_json;

constexpr std::size_t kUiJobs = 200;
constexpr std::int64_t kUiEvents = 50;

// The control plane keeps milliseconds since the epoch; the API has always
// shown whole Unix seconds (docs/serve.md), so clients keep working.
std::int64_t Seconds(std::int64_t ms) { return ms / 1000; }

ordered_json TotalsJson(const FleetView& fleet) {
  std::size_t gpus = 0;
  for (const FleetView::Node& node : fleet.nodes) gpus += node.gpus.size();
  return {{"gpus", gpus},
          {"memory_slices", fleet.totals.memory_slices},
          {"held_slices", fleet.totals.held_slices},
          {"idle_slices", fleet.totals.idle_slices},
          {"free_slices", fleet.totals.memory_slices - fleet.totals.held_slices - fleet.totals.idle_slices},
          {"stranded_slices", fleet.totals.stranded_slices},
          {"queued", fleet.totals.queued},
          {"starting", fleet.starting},
          {"running", fleet.totals.running + fleet.totals.repartitioning - fleet.starting}};
}

}  // namespace

std::string JobJsonText(const JobInfo& job) {
  JsonObjectText out;
  const auto text_or_null = [&out](std::string_view key, const std::string& value) {
    value.empty() ? out.Null(key) : out.String(key, value);
  };
  const auto int_or_null = [&out](std::string_view key, int value, bool null) {
    null ? out.Null(key) : out.Int(key, value);
  };
  out.UInt("id", job.id).String("name", job.name).String("tenant", job.tenant).Int("priority", job.priority);
  out.String("kind", job.kind).String("state", JobPhaseName(job.phase));
  text_or_null("node", job.node);
  int_or_null("gpu", job.gpu, job.gpu < 0);
  text_or_null("profile", job.profile);
  int_or_null("start", job.start, job.start < 0 || job.profile == "whole");
  if (job.gpus > 0) out.Int("gpus", job.gpus);
  text_or_null("mig_uuid", job.mig_uuid);
  out.String("reason", job.reason).Int("waiting_since", Seconds(job.waiting_since)).Int("updated_at", Seconds(job.updated_at));
  return out.Done();
}

ordered_json JobJson(const JobInfo& job) { return ordered_json::parse(JobJsonText(job)); }

ordered_json FleetJson(const FleetView& fleet) {
  ordered_json nodes = ordered_json::array();
  for (const FleetView::Node& node : fleet.nodes) {
    ordered_json gpus = ordered_json::array();
    for (const FleetView::Gpu& gpu : node.gpus) {
      ordered_json instances = ordered_json::array();
      for (const FleetView::Instance& i : gpu.instances) {
        instances.push_back({{"profile", i.profile}, {"start", i.start}, {"size", i.size},
                             {"job", i.job == 0 ? ordered_json(nullptr) : ordered_json(i.job)},
                             {"busy", i.busy}, {"exists", i.exists},
                             {"mig_uuid", i.mig_uuid.empty() ? ordered_json(nullptr) : ordered_json(i.mig_uuid)},
                             {"gi_id", i.gi_id < 0 ? ordered_json(nullptr) : ordered_json(i.gi_id)},
                             {"ci_id", i.ci_id < 0 ? ordered_json(nullptr) : ordered_json(i.ci_id)}});
      }
      ordered_json item{{"index", gpu.index},
                        {"uuid", gpu.uuid.empty() ? ordered_json(nullptr) : ordered_json(gpu.uuid)},
                        {"model", gpu.model},
                        {"mig_enabled", gpu.mig_enabled},
                        {"memory_slices", gpu.memory_slices},
                        {"held_slices", gpu.held_slices},
                        {"idle_slices", gpu.idle_slices},
                        {"free_slices", gpu.free_slices},
                        {"stranded_slices", gpu.stranded_slices},
                        {"instances", instances}};
      if (gpu.whole_job != 0) item["whole_gpu_job"] = gpu.whole_job;
      gpus.push_back(std::move(item));
    }
    nodes.push_back({{"name", node.name},
                     {"healthy", node.healthy},
                     {"cordoned", node.cordoned},
                     {"last_seen", Seconds(node.last_seen)},
                     {"generation", node.generation},
                     {"applied_generation", node.applied_generation},
                     {"apply_error", node.apply_error},
                     {"gpus", gpus}});
  }
  return {{"nodes", nodes}, {"totals", TotalsJson(fleet)}};
}

ordered_json EventJson(const ServiceEvent& event) {
  ordered_json data = ordered_json::parse(event.json);
  return {{"seq", event.seq}, {"at", Seconds(event.at)}, {"type", event.type}, {"text", event.text}, {"data", data}};
}

ordered_json UiStateJson(const ControlPlane& plane, const geometry::Catalog& catalog,
                         const report::CostSheet& costs) {
  const FleetView fleet = plane.Fleet();
  ordered_json nodes = ordered_json::array();
  for (const FleetView::Node& node : fleet.nodes) {
    nodes.push_back({{"name", node.name}, {"healthy", node.healthy}, {"cordoned", node.cordoned},
                     {"last_seen", Seconds(node.last_seen)}, {"generation", node.generation},
                     {"applied_generation", node.applied_generation}, {"gpus", node.gpus.size()}});
  }
  ordered_json queue = ordered_json::array();
  for (const JobInfo& job : plane.Jobs(JobPhase::kQueued, kUiJobs)) {
    queue.push_back({{"id", job.id}, {"name", job.name}, {"tenant", job.tenant}, {"priority", job.priority},
                     {"profile", job.profile}, {"waiting_since", Seconds(job.waiting_since)}, {"reason", job.reason}});
  }
  ordered_json jobs = ordered_json::array();
  std::vector<JobInfo> active = plane.Jobs(JobPhase::kRunning, kUiJobs);
  for (JobInfo& job : plane.Jobs(JobPhase::kStarting, kUiJobs)) active.push_back(std::move(job));
  for (const JobInfo& job : active) jobs.push_back(JobJson(job));
  ordered_json history = ordered_json::array();
  for (const ControlPlane::HistorySample& s : plane.History()) {
    history.push_back({{"t", Seconds(s.t)}, {"memory_slices", s.memory_slices}, {"held_slices", s.held_slices},
                       {"idle_slices", s.idle_slices}, {"stranded_slices", s.stranded_slices},
                       {"queued", s.queued}});
  }
  const std::int64_t last = plane.LastEventSeq();
  ordered_json events = ordered_json::array();
  for (const ServiceEvent& e : plane.EventsAfter(std::max<std::int64_t>(0, last - kUiEvents), static_cast<std::size_t>(kUiEvents),
                                                 std::chrono::milliseconds(0))) {
    events.push_back({{"seq", e.seq}, {"at", Seconds(e.at)}, {"type", e.type}, {"text", e.text}});
  }
  return {{"server", {{"policy", plane.policy()}, {"started_at", Seconds(plane.started_at())}, {"now", Seconds(plane.Now())}}},
          {"totals", TotalsJson(fleet)},
          {"savings", SavingsJson(SavingsOf(fleet, catalog, costs), costs)},
          {"nodes", nodes},
          {"queue", queue},
          {"jobs", jobs},
          {"history", history},
          {"events", events}};
}

}  // namespace migsched::daemon
