// One simulation: the same jobs through each chosen policy, on copies of the
// same fleet, in the chosen mode. The entry point the CLI and the benchmark use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "sim/bounds.h"
#include "sim/engine.h"
#include "sim/policies.h"
#include "sim/service.h"
#include "sim/sim_job.h"

namespace migsched::sim {

enum class Mode { kReplay, kFill };
Result<Mode> ParseMode(std::string_view text);  // "replay" | "fill"
std::string_view ModeName(Mode mode);

struct SimulationSpec {
  Mode mode = Mode::kReplay;
  std::vector<std::string> policies;  // names from SimPolicyNames()
  ReplayOptions replay;
  FillOptions fill;
  sched::Time reconfiguration_delay_ms = 0;  // the scheduler's own delay per repartition, on top of `cost`
  ReconfigurationCost cost = kDefaultReconfigurationCost;  // replaces replay.cost and fill.cost
  bool keep_idle = false;
  MixScope mix = MixScope::kMigOnly;
  std::vector<ServiceSpec> services = {};  // replay only: services beside the jobs (sim/service.h)
};

// Runs every policy in order. `on_policy(name)` (optional) is called before
// each, e.g. to label a progress bar. The expected mix of the fragmentation-
// aware policy is the jobs' own mix (ExpectedMix, each service counting its
// peak replicas); static-plan's layout is planned here (sim/static_plan.h,
// for the jobs and the services) and described in its result's setup_note.
// InvalidArgument for services in fill mode or a service no GPU can run.
Result<std::vector<PolicyRun>> RunSimulation(const std::vector<SimJob>& jobs, const geometry::Catalog& catalog,
                                             const fleet::Fleet& fleet, const SimulationSpec& spec,
                                             const EngineHooks& hooks = {},
                                             const std::function<void(const std::string&)>& on_policy = {});

// What no policy can beat on the spec's arrivals (sim/bounds.h): `fill` in
// fill mode, `replay` in replay mode.
struct SimulationBounds {
  std::optional<FillBounds> fill;
  std::optional<ReplayBounds> replay;
};
Result<SimulationBounds> ComputeBounds(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                       const SimulationSpec& spec);

}  // namespace migsched::sim
