// Workloads from the Alibaba GPU v2023 trace (openb_pod_list_*.csv of the
// Kubernetes Scheduler Simulator, USENIX ATC'23 "Beware of Fragmentation").
//
// The pods are read by the simulator's parser (trace::ParseAlibabaPods: the
// same rows are accepted, the same bad rows skipped and reported with their
// line) and a one-GPU pod's gpu_milli share maps to a profile by the one
// request -> profile rule (plan/profile_fit.h), as `simulate` maps it: on a
// 7-slice H100, 470 -> 4g.40gb, 550 -> the whole GPU (4g.40gb has half the
// memory). Pods with the same profile become one workload
// "alibaba-<profile>" whose replicas are the pods, with that profile's
// compute slices and memory, so that the planner's right-sizing picks the
// profile back. Pods whose profile is the whole GPU ("alibaba-whole-gpu")
// and multi-GPU pods ("alibaba-multi-gpu", one replica per GPU) take whole
// GPUs (kind training: MIG disabled). CPU-only pods are counted and left out.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "geometry/gpu_model.h"
#include "trace/trace.h"

namespace migsched::cli {

struct AlibabaWorkloads {
  std::string yaml;  // our workloads format (docs/plan-inputs.md), with a provenance comment
  int pods = 0;      // rows read, bad ones included
  int cpu_only_pods = 0;
  std::vector<trace::RowIssue> bad_rows;                 // skipped
  std::vector<std::pair<std::string, int>> workloads;  // (name, replicas)
};

// InvalidArgument naming "<source>:1" when the header lacks a column the
// trace parser needs; bad rows are skipped and listed in bad_rows.
Result<AlibabaWorkloads> ConvertAlibabaPods(std::string_view csv, const std::string& source,
                                            const geometry::GpuModel& model);

}  // namespace migsched::cli
