// RenderSimReport: a simulation's results as one self-contained HTML page —
// a table of the metrics per policy and inline SVG plots (no scripts, fonts
// or links outside the file, so it reads offline):
//   replay: GPUs in use over time, utilisation of the GPUs in use over time,
//           stranded slices over time, queueing-delay CDF;
//   fill:   allocation ratio against arrived demand (the FGD curve), GPUs in
//           use and stranded slices against arrivals.
// Pure: returns the document; the same results give the same bytes (decision
// latency is shown only when `show_latency`).
#pragma once

#include <string>
#include <vector>

#include "sim/simulation.h"
#include "sim/sim_result.h"

namespace migsched::report {

struct SimReportInput {
  std::string trace;  // e.g. "alibaba2023:.../openb_pod_list_default.csv"
  std::string mode;   // "replay" or "fill"
  std::string fleet;  // e.g. "6212 x H100-80GB"
  std::vector<std::string> notes;  // shown as a list: skipped rows, mapping rule, ...
  std::vector<sim::PolicyRun> runs;
  bool show_latency = true;
  sim::SimulationBounds bounds;  // drawn as a dashed line and stated in the summary, when set
};

std::string RenderSimReport(const SimReportInput& input);

}  // namespace migsched::report
