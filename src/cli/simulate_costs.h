// `simulate --costs`: what each policy's replay cost in GPU-hours, kWh and
// money (report/costs.h), and what it saves against whole-GPU allocation.
// A GPU counts while it holds at least one job; idle GPUs are counted as
// powered down or given to other work, and the printout says so.
#pragma once

#include <map>
#include <ostream>
#include <vector>

#include "fleet/fleet.h"
#include "report/costs.h"
#include "sim/sim_result.h"
#include "sim/simulation.h"

namespace migsched::cli {

// GPU-hours with a job on them over the replay (the time integral of
// busy_gpus), split over the fleet's models in proportion to their GPUs
// (exact for a one-model fleet: the samples do not say which model was busy).
std::map<const geometry::GpuModel*, double> BusyGpuHours(const sim::PolicyResult& result, const fleet::Fleet& fleet);

// One line per policy, then each MIG policy's saving against the whole-gpu run.
void PrintPolicyCosts(std::ostream& out, const std::vector<sim::PolicyRun>& runs, const fleet::Fleet& fleet,
                      const report::CostSheet& costs);

}  // namespace migsched::cli
