#include "sim/profile_mapping.h"

#include "plan/profile_fit.h"

namespace migsched::sim {

std::optional<sched::Request> RequestForJob(const trace::TraceJob& job,
                                            const std::vector<const geometry::GpuModel*>& models) {
  sched::Request request;
  request.id = static_cast<sched::JobId>(job.id);
  request.priority = job.priority;
  request.tenant = job.tenant;
  request.kind = job.kind == trace::JobKind::kInference ? sched::JobKind::kInference
                                                        : sched::JobKind::kTraining;
  bool whole = job.num_gpu > 1;
  std::vector<sched::ProfileOption> whole_models;
  for (const geometry::GpuModel* model : models) {
    const std::optional<int> profile =
        job.profile.empty()
            ? plan::SmallestFittingProfile(*model, plan::NeedOfShare(*model, job.gpu_milli, job.gpu_memory_mib))
            : model->FindProfile(job.profile);
    if (!profile) continue;
    whole_models.push_back(sched::ProfileOption{model, *profile});
    if (plan::IsWholeGpuProfile(*model, *profile)) {
      whole = true;
    } else {
      request.options.push_back(sched::ProfileOption{model, *profile});
    }
  }
  if (whole_models.empty()) return std::nullopt;
  if (whole) {
    request.whole_gpus = job.num_gpu;
    // Any model that can hold the job's memory; all of them = no restriction.
    request.options = whole_models.size() == models.size() ? std::vector<sched::ProfileOption>{}
                                                           : whole_models;
  }
  return request;
}

}  // namespace migsched::sim
