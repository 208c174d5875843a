// Workloads from the Alibaba GPU v2023 trace (openb_pod_list_*.csv of the
// Kubernetes Scheduler Simulator, USENIX ATC'23 "Beware of Fragmentation").
//
// Each pod asks for `num_gpu` GPUs and, when num_gpu is 1, a share
// `gpu_milli` (1..1000) of one. A shared pod needs the compute slices that
// cover its share on the target model, ceil(gpu_milli x slices / 1000) (on a
// 7-slice H100: 470 -> 4, so 4g.40gb); pods with the same need become one
// workload "alibaba-<N>slice" whose replicas are the pods. The trace has no
// GPU memory, so memory_gib is 1 and the compute minimum decides the profile.
// Multi-GPU pods become training replicas, one whole GPU each
// ("alibaba-multi-gpu"). CPU-only pods are counted and left out.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"

namespace migsched::cli {

struct AlibabaWorkloads {
  std::string yaml;  // our workloads format (docs/plan-inputs.md), with a provenance comment
  int pods = 0;
  int cpu_only_pods = 0;
  std::vector<std::pair<std::string, int>> workloads;  // (name, replicas)
};

// InvalidArgument naming "<source>:<line>" for a missing column, a row whose
// field count differs from the header's (trace::CsvTable reads the file),
// or a value that is not an integer in range.
Result<AlibabaWorkloads> ConvertAlibabaPods(std::string_view csv, const std::string& source,
                                            const geometry::GpuModel& model);

}  // namespace migsched::cli
