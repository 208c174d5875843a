#include "sim/profile_mapping.h"

namespace migsched::sim {

std::optional<int> SmallestCoveringProfile(const geometry::GpuModel& model, int gpu_milli,
                                           int64_t gpu_memory_mib) {
  std::optional<int> best;
  for (size_t i = 0; i < model.profiles.size(); ++i) {
    const geometry::GiProfile& profile = model.profiles[i];
    if (profile.media_variant != geometry::MediaVariant::kStandard) continue;
    const bool compute_covers =
        int64_t{profile.compute_slices} * 1000 >= int64_t{gpu_milli} * model.compute_slices;
    const bool memory_covers =
        gpu_memory_mib > 0
            ? profile.memory_mib >= gpu_memory_mib
            : int64_t{profile.memory_slices} * 1000 >= int64_t{gpu_milli} * model.memory_slices;
    if (!compute_covers || !memory_covers) continue;
    if (!best) {
      best = static_cast<int>(i);
      continue;
    }
    const geometry::GiProfile& current = model.profiles[static_cast<size_t>(*best)];
    if (profile.memory_slices < current.memory_slices ||
        (profile.memory_slices == current.memory_slices &&
         profile.compute_slices < current.compute_slices)) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

std::optional<sched::Request> RequestForJob(const trace::TraceJob& job,
                                            const std::vector<const geometry::GpuModel*>& models) {
  sched::Request request;
  request.id = static_cast<sched::JobId>(job.id);
  request.kind = job.kind == trace::JobKind::kInference ? sched::JobKind::kInference
                                                        : sched::JobKind::kTraining;
  bool whole = job.num_gpu > 1;
  std::vector<sched::ProfileOption> whole_models;
  for (const geometry::GpuModel* model : models) {
    const std::optional<int> profile = SmallestCoveringProfile(*model, job.gpu_milli, job.gpu_memory_mib);
    if (!profile) continue;
    whole_models.push_back(sched::ProfileOption{model, *profile});
    if (model->profiles[static_cast<size_t>(*profile)].compute_slices == model->compute_slices) {
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
