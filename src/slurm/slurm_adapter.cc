#include "slurm/slurm_adapter.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "daemon/job_spec.h"
#include "slurm/command_runner.h"
#include "slurm/dynamic_mig.h"
#include "slurm/slurm_jobs.h"

namespace migsched::slurm {
namespace {

constexpr std::size_t kAllJobs = static_cast<std::size_t>(-1);

// A reservation's name ends in its type ("slurm/<job>/<submit time>/<type>").
std::string TypeOfName(const std::string& name) { return name.substr(name.rfind('/') + 1); }

}  // namespace

Result<std::unique_ptr<SlurmAdapter>> SlurmAdapter::Start(daemon::ControlPlane& plane,
                                                          const geometry::Catalog& catalog,
                                                          SlurmAdapterOptions options, std::ostream& log) {
  Result<std::string> ping = RunChecked({options.scontrol, "ping"});
  if (!ping.has_value()) return ping.error().WithPrefix("--slurm: slurmctld does not answer");
  std::unique_ptr<SlurmAdapter> adapter(new SlurmAdapter(plane, catalog, std::move(options), log));
  adapter->thread_ = std::thread([a = adapter.get()] { a->Run(); });
  return adapter;
}

SlurmAdapter::SlurmAdapter(daemon::ControlPlane& plane, const geometry::Catalog& catalog,
                           SlurmAdapterOptions options, std::ostream& log)
    : plane_(plane),
      catalog_(catalog),
      types_(catalog, engines::SlurmTypeStyle::kAutodetect),
      options_(std::move(options)),
      log_(log) {}

SlurmAdapter::~SlurmAdapter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SlurmAdapter::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    reported_now_.clear();
    if (Status s = Step(); !s.ok()) Report(s.message());
    reported_ = std::move(reported_now_);
    lock.lock();
    stop_cv_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

// A problem is logged when it appears, not again while it lasts.
void SlurmAdapter::Report(const std::string& problem) {
  if (!reported_.contains(problem)) log_ << "migsched serve: slurm: " << problem << "\n" << std::flush;
  reported_now_.insert(problem);
}

Status SlurmAdapter::Step() {
  Result<std::string> job_text = RunChecked({options_.scontrol, "show", "job", "-o"});
  if (!job_text.has_value()) return job_text.error();
  Result<std::vector<SlurmJob>> jobs = ParseScontrolJobs(*job_text);
  if (!jobs.has_value()) return jobs.error();
  Result<std::string> node_text = RunChecked({options_.scontrol, "show", "node", "-o"});
  if (!node_text.has_value()) return node_text.error();

  ReconcileInput input;
  input.jobs = std::move(jobs).value();
  input.surplus_before = surplus_;
  for (const daemon::JobPhase phase : {daemon::JobPhase::kQueued, daemon::JobPhase::kStarting,
                                       daemon::JobPhase::kRunning}) {
    for (const daemon::JobInfo& job : plane_.Jobs(phase, kAllJobs)) {
      if (job.tenant != kSlurmTenant) continue;
      input.reservations.push_back({.id = static_cast<std::int64_t>(job.id), .name = job.name,
                                    .type = TypeOfName(job.name), .ready = phase == daemon::JobPhase::kRunning,
                                    .node = job.node, .uuid = job.mig_uuid});
    }
  }
  const auto slurm_gres = ParseScontrolNodeGres(*node_text);  // the nodes slurmctld knows
  std::set<const geometry::GpuModel*> models;  // in the fleet
  for (const daemon::FleetView::Node& node : plane_.Fleet().nodes) {
    const auto known = slurm_gres.find(node.name);
    if (known == slurm_gres.end()) continue;
    NodeGres gres{.node = node.name, .types = {}, .current = known->second};
    for (const daemon::FleetView::Gpu& gpu : node.gpus) {
      Result<const geometry::GpuModel*> model = catalog_.Find(gpu.model);
      if (!model.has_value()) continue;
      models.insert(*model);
      for (std::string& type : types_.OfModel(**model)) {
        if (std::find(gres.types.begin(), gres.types.end(), type) == gres.types.end()) {
          gres.types.push_back(std::move(type));
        }
      }
    }
    input.nodes.push_back(std::move(gres));
  }
  for (const SlurmJob& job : input.jobs) {
    if (!job.type.empty() && types_.Find(job.type) != nullptr) input.known_types.insert(job.type);
  }

  const ReconcileActions actions = Reconcile(input);
  surplus_ = actions.surplus;
  for (const std::string& problem : actions.problems) Report(problem);
  for (const ReconcileActions::Bind& bind : actions.bind) {
    Result<std::string> done = RunChecked({options_.scontrol, "update", "JobId=" + bind.slurm_job,
                                           "AdminComment=" + BindingComment(bind.reservation, bind.uuid)});
    if (!done.has_value()) Report(done.error().message());
  }
  for (const std::int64_t id : actions.cancel) {
    Result<daemon::JobInfo> done = plane_.Cancel(static_cast<sched::JobId>(id));
    if (!done.has_value()) Report(done.error().message());
  }
  for (const ReconcileActions::Submit& submit : actions.submit) {
    // The type's first model the fleet has (a type may name several models).
    const engines::SlurmType* type = types_.Find(submit.type);
    const auto offer = std::find_if(type->offers.begin(), type->offers.end(),
                                    [&](const engines::SlurmType::Offer& o) { return models.contains(o.model); });
    if (offer == type->offers.end()) {
      Report("SLURM job " + submit.slurm_job + " asks for " + std::string(kGresName) + ":" + submit.type +
             ": no GPU of the fleet offers that type");
      continue;
    }
    nlohmann::json body{{"name", submit.name}, {"tenant", kSlurmTenant}, {"model", offer->model->name}};
    if (offer->profile == nullptr) {
      body["gpus"] = 1;
    } else {
      body["profile"] = offer->profile->name;
    }
    const daemon::ParsedSpec spec = daemon::ParseJobSpec(body.dump(), catalog_);
    if (!spec.ok()) {
      Report("SLURM job " + submit.slurm_job + ": " + spec.error.field + ": " + spec.error.message);
      continue;
    }
    Result<daemon::SubmitOutcome> done = plane_.Submit(spec.spec);
    if (!done.has_value()) Report(done.error().message());
  }
  for (const auto& [node, gres] : actions.set_gres) {
    Result<std::string> done = RunChecked({options_.scontrol, "update", "NodeName=" + node, "Gres=" + gres});
    if (!done.has_value()) Report(done.error().message());
  }
  return Status::Ok();
}

}  // namespace migsched::slurm
