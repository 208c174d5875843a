// Loader for the Alibaba GPU cluster trace v2023 (clusterdata
// cluster-trace-gpu-v2023, the FGD paper's "openb" traces):
// openb_pod_list_*.csv (jobs) and openb_node_list_gpu_node.csv (the fleet).
//
// Pods: columns name, num_gpu, gpu_milli, creation_time, deletion_time,
// scheduled_time (seconds). A pod becomes a TraceJob with
//   submit   = creation_time,
//   duration = deletion_time - scheduled_time (its run time), or
//              deletion_time - creation_time when it was never scheduled;
//   kind     = inference for one shared GPU (gpu_milli < 1000), else training.
// Rows with num_gpu == 0 are CPU-only: counted, not jobs. Every other row that
// cannot be used (wrong field count, non-integer, negative time, deletion
// before start, num_gpu > 8, gpu_milli outside 1..1000, a gang asking for a
// fraction) is a RowIssue with its line number; loading never stops at one.
// Host cpu_milli/memory_mib are not GPU resources and are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "trace/trace.h"

namespace migsched::trace {

// InvalidArgument only when the header lacks a required column.
Result<Trace> ParseAlibabaPods(std::string_view text, const std::string& source);
// NotFound when the file cannot be read.
Result<Trace> LoadAlibabaPods(const std::string& path);

struct TraceNode {
  std::string name;   // "openb-node-0227"
  int gpus = 0;       // > 0
  std::string model;  // the trace's GPU type ("T4", "G2", ...): not a MIG GPU
  int source_line = 0;
};

struct NodeList {
  std::vector<TraceNode> nodes;  // GPU nodes in file order
  std::vector<RowIssue> bad_rows;
  int64_t gpu_less_rows = 0;     // nodes with gpu == 0
  int64_t TotalGpus() const;
};

// Columns sn, gpu, model.
Result<NodeList> ParseAlibabaNodes(std::string_view text, const std::string& source);
Result<NodeList> LoadAlibabaNodes(const std::string& path);

// The node list that sits beside a pod list: "<dir>/openb_node_list_gpu_node.csv".
std::string NodeListBeside(const std::string& pod_list_path);

}  // namespace migsched::trace
