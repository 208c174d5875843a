#include "cli/alibaba_workloads.h"

#include <map>
#include <optional>
#include <sstream>

#include "plan/profile_fit.h"
#include "trace/alibaba2023.h"

namespace migsched::cli {

Result<AlibabaWorkloads> ConvertAlibabaPods(std::string_view csv, const std::string& source,
                                            const geometry::GpuModel& model) {
  Result<trace::Trace> trace = trace::ParseAlibabaPods(csv, source);
  if (!trace.has_value()) {
    return Status(trace.error().code(), trace.error().message() +
                                            " (an Alibaba openb_pod_list CSV has name,cpu_milli,memory_mib,num_gpu,"
                                            "gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
                                            "scheduled_time)");
  }
  AlibabaWorkloads out;
  out.cpu_only_pods = static_cast<int>(trace->cpu_only_rows);
  out.bad_rows = trace->bad_rows;
  out.pods = static_cast<int>(trace->jobs.size() + trace->bad_rows.size()) + out.cpu_only_pods;
  std::map<int, int> pods_by_profile;  // profile index -> pods, in catalog order
  int whole_gpu_pods = 0;
  int multi_gpu_replicas = 0;
  for (const trace::TraceJob& job : trace->jobs) {
    if (job.num_gpu > 1) {
      multi_gpu_replicas += job.num_gpu;
      continue;
    }
    const std::optional<int> profile =
        plan::SmallestFittingProfile(model, plan::NeedOfShare(model, job.gpu_milli, job.gpu_memory_mib));
    if (!profile || plan::IsWholeGpuProfile(model, *profile)) {
      ++whole_gpu_pods;
    } else {
      ++pods_by_profile[*profile];
    }
  }

  std::ostringstream yaml;
  yaml << "# Derived from " << source << " (" << out.pods << " pods) by `migsched workloads\n"
       << "# from-alibaba --gpu " << model.name << "`: a pod's gpu_milli share maps to the smallest\n"
       << "# profile whose compute and memory shares cover it, as `migsched simulate` maps it\n"
       << "# (docs/simulator.md); pods that need the whole GPU and multi-GPU pods take whole GPUs\n"
       << "# (training). " << out.cpu_only_pods << " CPU-only pods left out";
  if (!out.bad_rows.empty()) {
    yaml << ", " << out.bad_rows.size() << " bad row" << (out.bad_rows.size() == 1 ? "" : "s") << " skipped";
  }
  yaml << ".\nworkloads:\n";
  for (const auto& [index, pods] : pods_by_profile) {
    const geometry::GiProfile& profile = model.profiles[static_cast<size_t>(index)];
    const std::string name = "alibaba-" + profile.name;
    yaml << "  - {name: " << name << ", replicas: " << pods << ", memory_mib: " << profile.memory_mib
         << ", min_compute_slices: " << profile.compute_slices << ", kind: inference}\n";
    out.workloads.emplace_back(name, pods);
  }
  const auto whole = [&](const std::string& name, int replicas) {
    if (replicas == 0) return;
    yaml << "  - {name: " << name << ", replicas: " << replicas << ", memory_gib: 1, kind: training}\n";
    out.workloads.emplace_back(name, replicas);
  };
  whole("alibaba-whole-gpu", whole_gpu_pods);
  whole("alibaba-multi-gpu", multi_gpu_replicas);
  out.yaml = yaml.str();
  return out;
}

}  // namespace migsched::cli
