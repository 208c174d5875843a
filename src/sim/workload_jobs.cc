#include "sim/workload_jobs.h"

#include <random>

#include "plan/right_sizing.h"
#include "sim/fleet_spec.h"

namespace migsched::sim {
namespace {

// The request and demand of one replica of a right-sized workload.
std::optional<SimRequest> RequestFor(const plan::Workload& workload, const plan::WorkloadSizing& sizing,
                                     size_t fleet_models) {
  if (sizing.choices.empty()) return std::nullopt;
  const plan::SizingChoice& first = sizing.choices.front();
  SimRequest out;
  // Rounded down, so that instances filling a GPU's compute sum to at most 1000.
  out.gpu_milli = static_cast<int>(int64_t{first.compute_slices} * 1000 / first.model->compute_slices);
  out.request.kind = workload.kind == plan::WorkloadKind::kTraining ? sched::JobKind::kTraining
                                                                     : sched::JobKind::kInference;
  out.request.priority = workload.priority;
  out.request.tenant = workload.tenant;
  if (first.whole_gpu()) {
    out.request.whole_gpus = 1;
    out.gpu_milli = 1000;
    // Every model of the fleet allowed = no restriction.
    if (sizing.choices.size() < fleet_models) {
      for (const plan::SizingChoice& c : sizing.choices) out.request.options.push_back({c.model, 0});
    }
    return out;
  }
  for (const plan::SizingChoice& c : sizing.choices) {
    if (c.profile) out.request.options.push_back({c.model, *c.profile});
  }
  return out;
}

}  // namespace

Result<std::vector<SimJob>> WorkloadJobs(const std::vector<plan::Workload>& workloads,
                                         const fleet::Fleet& fleet,
                                         const trace::SyntheticOptions& arrivals) {
  if (workloads.empty()) return InvalidArgumentError("no workloads to simulate");
  int64_t total = 0;
  for (const plan::Workload& w : workloads) {
    if (w.demand_rps) {
      return InvalidArgumentError(w.source + ": workload '" + w.name +
                                  "' is sized by demand_rps; the simulator draws replicas: give replicas");
    }
    total += w.replicas;
  }
  if (total == 0) return InvalidArgumentError("the workloads have no replicas to draw from");
  trace::Trace timing;
  MIGSCHED_ASSIGN_OR_RETURN(timing, trace::GenerateSynthetic(arrivals));

  const std::vector<const geometry::GpuModel*> models = FleetModels(fleet);
  std::vector<std::optional<SimRequest>> requests;
  for (const plan::Workload& w : workloads) {
    requests.push_back(RequestFor(w, plan::RightSizeOnModels(models, w, nullptr, {}), models.size()));
  }
  std::mt19937_64 rng(arrivals.seed ^ 0x5157'4F52'4B4CULL);  // its own stream: the times stay the generator's
  std::vector<SimJob> jobs;
  jobs.reserve(timing.jobs.size());
  for (const trace::TraceJob& timed : timing.jobs) {
    int64_t pick = static_cast<int64_t>(rng() % static_cast<uint64_t>(total));
    size_t w = 0;
    while (pick >= workloads[w].replicas) pick -= workloads[w++].replicas;
    SimJob job{timed, requests[w]};
    job.job.name = workloads[w].name;
    job.job.num_gpu = 1;
    job.job.gpu_memory_mib = workloads[w].memory_mib;
    job.job.gpu_milli = requests[w] ? requests[w]->gpu_milli : 1000;
    job.job.kind = workloads[w].kind == plan::WorkloadKind::kTraining ? trace::JobKind::kTraining
                                                                      : trace::JobKind::kInference;
    if (job.request) job.request->request.id = static_cast<sched::JobId>(timed.id);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace migsched::sim
