#include "sim/sim_job.h"

#include <algorithm>

#include "sim/fleet_spec.h"
#include "sim/profile_mapping.h"

namespace migsched::sim {

std::vector<SimJob> PrepareJobs(const trace::Trace& trace, const fleet::Fleet& fleet) {
  const std::vector<const geometry::GpuModel*> models = FleetModels(fleet);
  std::vector<SimJob> jobs;
  jobs.reserve(trace.jobs.size());
  for (const trace::TraceJob& job : trace.jobs) {
    SimJob sim_job{job, std::nullopt};
    if (std::optional<sched::Request> request = RequestForJob(job, models)) {
      sim_job.request = SimRequest{std::move(*request), job.gpu_milli, job.num_gpu};
    }
    jobs.push_back(std::move(sim_job));
  }
  return jobs;
}

std::vector<sched::MixEntry> ExpectedMix(const std::vector<SimJob>& jobs) {
  std::vector<sched::MixEntry> mix;
  for (const SimJob& job : jobs) {
    if (!job.request || job.request->request.whole_gpus > 0) continue;
    for (const sched::ProfileOption& option : job.request->request.options) {
      auto found = std::find_if(mix.begin(), mix.end(),
                                [&](const sched::MixEntry& entry) { return entry.option == option; });
      if (found == mix.end()) {
        mix.push_back(sched::MixEntry{option, 1});
      } else {
        ++found->weight;
      }
    }
  }
  return mix;
}

}  // namespace migsched::sim
