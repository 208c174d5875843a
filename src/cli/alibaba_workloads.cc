#include "cli/alibaba_workloads.h"

#include <map>
#include <optional>
#include <sstream>

#include "common/strings.h"
#include "trace/csv_table.h"

namespace migsched::cli {

Result<AlibabaWorkloads> ConvertAlibabaPods(std::string_view csv, const std::string& source,
                                            const geometry::GpuModel& model) {
  Result<trace::CsvTable> table = trace::CsvTable::Open(csv, source, {"num_gpu", "gpu_milli"});
  if (!table.has_value()) {
    return Status(table.error().code(), table.error().message() +
                                            " (an Alibaba openb_pod_list CSV has name,cpu_milli,"
                                            "memory_mib,num_gpu,gpu_milli,...)");
  }
  AlibabaWorkloads out;
  std::map<int, int> pods_by_slices;  // compute slices needed -> pods
  int multi_gpu_replicas = 0;
  Status error = Status::Ok();  // the first bad row; the rest are not looked at
  auto fail = [&](int line, const std::string& what) {
    if (error.ok()) error = InvalidArgumentError(source + ":" + std::to_string(line) + ": " + what);
  };
  table->ForEachRow(
      [&](int line, const std::vector<std::string_view>& fields) {
        if (!error.ok()) return;
        const std::optional<int64_t> gpus = ParseInt64(fields[0]);
        const std::optional<int64_t> milli = ParseInt64(fields[1]);
        if (!gpus || *gpus < 0 || *gpus > 1024) {
          return fail(line, "num_gpu must be an integer in [0, 1024]");
        }
        if (!milli || *milli < 0 || *milli > 1000) {
          return fail(line, "gpu_milli must be an integer in [0, 1000]");
        }
        ++out.pods;
        if (*gpus == 0) {
          ++out.cpu_only_pods;
        } else if (*gpus > 1) {
          multi_gpu_replicas += static_cast<int>(*gpus);
        } else if (*milli == 0) {
          fail(line, "a GPU pod with gpu_milli 0");
        } else {
          ++pods_by_slices[static_cast<int>((*milli * model.compute_slices + 999) / 1000)];
        }
      },
      [&](int line, const std::string& reason) { fail(line, reason); });
  MIGSCHED_RETURN_IF_ERROR(error);

  std::ostringstream yaml;
  yaml << "# Derived from " << source << " (" << out.pods << " pods) by `migsched workloads\n"
       << "# from-alibaba --gpu " << model.name << "`: a pod's gpu_milli share maps to the "
       << model.compute_slices << " compute\n"
       << "# slices that cover it, ceil(gpu_milli x " << model.compute_slices
       << " / 1000); the trace has no GPU memory, so\n"
       << "# memory_gib is 1. Multi-GPU pods take whole GPUs (training). " << out.cpu_only_pods
       << " CPU-only pods left out.\n"
       << "workloads:\n";
  for (const auto& [slices, pods] : pods_by_slices) {
    const std::string name = "alibaba-" + std::to_string(slices) + "slice";
    yaml << "  - {name: " << name << ", replicas: " << pods
         << ", memory_gib: 1, min_compute_slices: " << slices << ", kind: inference}\n";
    out.workloads.emplace_back(name, pods);
  }
  if (multi_gpu_replicas > 0) {
    yaml << "  - {name: alibaba-multi-gpu, replicas: " << multi_gpu_replicas
         << ", memory_gib: 1, kind: training}\n";
    out.workloads.emplace_back("alibaba-multi-gpu", multi_gpu_replicas);
  }
  out.yaml = yaml.str();
  return out;
}

}  // namespace migsched::cli
