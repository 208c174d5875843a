// The policies a simulation compares, by name:
//   whole-gpu            every job gets whole GPUs (no MIG)                      baseline
//   static-all-1g        every GPU pre-cut into the smallest profile             baseline
//   static-all-balanced  every GPU pre-cut into one of each small size           baseline
//   static-plan          the fleet cut once by the planner for the trace's mix   baseline
//   time-slicing         fractions packed with no isolation                      baseline
//   first-fit, best-fit, frag-aware   the scheduler's dynamic MIG policies
// Static layouts never change (sched::Reconfiguration::kNone); the
// dynamic policies create instances on free slices and may repartition idle
// ones. "all" runs every policy, in the order above.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "sched/options.h"
#include "sim/backend.h"

namespace migsched::sim {

struct PolicySetup {
  sched::Time reconfiguration_delay_ms = 0;
  bool keep_idle = false;  // dynamic policies keep released instances idle for reuse
  std::vector<sched::MixEntry> expected_mix;
  // static-plan's layout (sim/static_plan.h); needed when that policy is made.
  const fleet::Fleet* static_plan = nullptr;
};

std::vector<std::string> SimPolicyNames();

// "all", or names separated by commas. InvalidArgument lists the valid names.
Result<std::vector<std::string>> ParsePolicyList(std::string_view text);

Result<std::unique_ptr<Backend>> MakeBackend(std::string_view name, const geometry::Catalog& catalog,
                                             const fleet::Fleet& fleet, const PolicySetup& setup);

}  // namespace migsched::sim
