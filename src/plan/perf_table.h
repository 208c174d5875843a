// PerfTable: measured throughput (and p99 latency) of a served model on one
// MIG profile of one GPU model. With it the planner turns a demand in
// requests/s into a profile x replica count (see right_sizing.h).
//
// Keys are (perf key, GPU model name, profile name); "whole" as the profile
// means the GPU with MIG disabled. Pure data; io/perf_table_reader fills it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migsched::plan {

inline constexpr std::string_view kWholeGpuProfile = "whole";

struct PerfEntry {
  std::string key;           // served model, e.g. "resnet50", "bert-large"
  std::string gpu_model;     // catalog short name, e.g. "A100-40GB"
  std::string profile;       // "1g.5gb", ... or kWholeGpuProfile
  double throughput_rps = 0;
  std::optional<double> p99_latency_ms;
  std::string source;        // "perf.csv:12"
};

struct PerfTable {
  std::vector<PerfEntry> entries;

  // The entry for (key, gpu model, profile); names compare case-insensitively.
  const PerfEntry* Find(std::string_view key, std::string_view gpu_model,
                        std::string_view profile) const;
  // Whether any entry has this key (a workload with a demand needs one).
  bool HasKey(std::string_view key) const;
  // Every entry for (key, gpu model), in table order.
  std::vector<const PerfEntry*> RowsFor(std::string_view key, std::string_view gpu_model) const;
};

}  // namespace migsched::plan
