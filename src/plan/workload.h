// Workload: what the planner is asked to place — a named service or job with
// a replica count (or a demand in requests/s to be turned into replicas with
// a performance table), a memory need, and constraints on where it may run.
//
// Pure data; io/plan_inputs reads it from YAML, JSON or CSV. `source` is the
// "file:line" of the item so that later errors and explanations can name it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migsched::plan {

enum class WorkloadKind {
  kInference,  // right-sized to the cheapest MIG profile that fits
  kTraining,   // always takes whole GPUs (MIG disabled)
};
std::string_view WorkloadKindName(WorkloadKind kind);  // "inference" | "training"

struct Workload {
  std::string name;                    // unique within a request
  int replicas = 0;                    // instances wanted; ignored when demand_rps is set
  std::optional<double> demand_rps;    // requests/s to serve; needs a perf table entry
  int64_t memory_mib = 0;              // memory need of one replica
  int min_compute_slices = 0;          // 0: no minimum
  WorkloadKind kind = WorkloadKind::kInference;
  int priority = 0;                    // higher is placed first when GPUs run out
  std::string tenant;
  std::vector<std::string> allowed_models;  // catalog names/aliases; empty = any model
  // Runs only on GPUs carrying every one of these fleet labels (a pool); empty = any GPU.
  std::vector<std::string> require_labels;
  std::optional<double> max_latency_ms;     // p99 bound, checked against the perf table
  // Spread for failure domains: at most this many replicas on one GPU / on
  // one node (an Xid error or a node failure takes no more); 0 = no limit.
  int max_per_gpu = 0;
  int max_per_node = 0;
  std::string perf_key;                // row key in the perf table; empty = name
  std::string source;                  // "workloads.yaml:3", for messages

  const std::string& PerfKey() const { return perf_key.empty() ? name : perf_key; }
};

}  // namespace migsched::plan
