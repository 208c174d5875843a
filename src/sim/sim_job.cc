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

namespace {

void AddToMix(std::vector<sched::MixEntry>& mix, const sched::ProfileOption& option, int64_t weight) {
  auto found = std::find_if(mix.begin(), mix.end(),
                            [&](const sched::MixEntry& entry) { return entry.option == option; });
  if (found == mix.end()) {
    mix.push_back(sched::MixEntry{option, weight});
  } else {
    found->weight += weight;
  }
}

// The standard profile that takes the whole GPU, if the model has one.
std::optional<int> FullGpuProfile(const geometry::GpuModel& model) {
  for (size_t i = 0; i < model.profiles.size(); ++i) {
    const geometry::GiProfile& profile = model.profiles[i];
    if (profile.media_variant == geometry::MediaVariant::kStandard &&
        profile.compute_slices == model.compute_slices && profile.memory_slices == model.memory_slices) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

}  // namespace

Result<MixScope> ParseMixScope(std::string_view text) {
  if (text == "mig") return MixScope::kMigOnly;
  if (text == "all") return MixScope::kAll;
  return InvalidArgumentError("unknown mix '" + std::string(text) + "'; valid: mig, all");
}

std::vector<sched::MixEntry> ExpectedMix(const std::vector<SimJob>& jobs,
                                         const std::vector<const geometry::GpuModel*>& models, MixScope scope,
                                         std::span<const ServiceLoad> services) {
  std::vector<sched::MixEntry> mix;
  // `request` arriving `times` times.
  const auto count = [&](const sched::Request& request, int64_t times) {
    if (request.whole_gpus == 0) {
      for (const sched::ProfileOption& option : request.options) AddToMix(mix, option, times);
      return;
    }
    if (scope == MixScope::kMigOnly) return;
    for (const geometry::GpuModel* model : models) {
      const bool allowed = request.options.empty() ||
                           std::any_of(request.options.begin(), request.options.end(),
                                       [&](const sched::ProfileOption& o) { return o.model == model; });
      const std::optional<int> full = FullGpuProfile(*model);
      if (allowed && full) AddToMix(mix, sched::ProfileOption{model, *full}, times * request.whole_gpus);
    }
  };
  for (const SimJob& job : jobs) {
    if (job.request) count(job.request->request, 1);
  }
  for (const ServiceLoad& service : services) {
    count(service.request.request, static_cast<int64_t>(service.replicas.size()));
  }
  return mix;
}

}  // namespace migsched::sim
