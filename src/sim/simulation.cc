#include "sim/simulation.h"

#include <algorithm>

#include "sim/fleet_spec.h"
#include "sim/static_plan.h"

namespace migsched::sim {

Result<Mode> ParseMode(std::string_view text) {
  if (text == "replay") return Mode::kReplay;
  if (text == "fill") return Mode::kFill;
  return InvalidArgumentError("unknown mode '" + std::string(text) + "'; valid: replay, fill");
}

std::string_view ModeName(Mode mode) { return mode == Mode::kReplay ? "replay" : "fill"; }

Result<std::vector<PolicyRun>> RunSimulation(const std::vector<SimJob>& jobs, const geometry::Catalog& catalog,
                                             const fleet::Fleet& fleet, const SimulationSpec& spec,
                                             const EngineHooks& hooks,
                                             const std::function<void(const std::string&)>& on_policy) {
  if (!spec.services.empty() && spec.mode != Mode::kReplay) {
    return InvalidArgumentError("services run in replay mode only (fill mode has no time for them to scale in)");
  }
  ReplayOptions replay = spec.replay;
  replay.cost = spec.cost;
  MIGSCHED_ASSIGN_OR_RETURN(replay.services, PrepareServices(spec.services, fleet));
  PolicySetup setup;
  setup.expected_mix = ExpectedMix(jobs, FleetModels(fleet), spec.mix, replay.services);
  setup.reconfiguration_delay_ms = spec.reconfiguration_delay_ms;
  setup.keep_idle = spec.keep_idle;
  std::optional<StaticPlan> static_plan;
  std::string static_note;
  if (std::find(spec.policies.begin(), spec.policies.end(), "static-plan") != spec.policies.end()) {
    const StaticPlanSpec plan_spec{
        .basis = spec.mode == Mode::kReplay ? StaticPlanBasis::kReplayPeak : StaticPlanBasis::kFillMix,
        .compress = spec.replay.compress,
        .seed = spec.fill.seed,
        .services = replay.services};
    MIGSCHED_ASSIGN_OR_RETURN(static_plan, PlanStaticFleet(jobs, catalog, fleet, plan_spec));
    setup.static_plan = &static_plan->fleet;
    static_note = "layout cut by the planner for " + std::to_string(static_plan->replicas_wanted) +
                  " instances/whole GPUs at once (" +
                  (spec.mode == Mode::kReplay ? "each request shape's peak" : "the mix up to 100% of capacity") +
                  "): " + std::to_string(static_plan->gpus_cut) + " GPUs cut, " +
                  std::to_string(static_plan->replicas_unplaced) + " did not fit the fleet";
  }
  FillOptions fill = spec.fill;
  fill.cost = spec.cost;
  std::vector<PolicyRun> runs;
  for (const std::string& name : spec.policies) {
    if (on_policy) on_policy(name);
    Result<std::unique_ptr<Backend>> backend = MakeBackend(name, catalog, fleet, setup);
    if (!backend.has_value()) return backend.error().WithPrefix("policy " + name);
    Result<PolicyRun> run = spec.mode == Mode::kReplay ? RunReplay(jobs, fleet, **backend, replay, hooks)
                                                       : RunFill(jobs, fleet, **backend, fill, hooks);
    if (!run.has_value()) return run.error().WithPrefix("policy " + name);
    if (name == "static-plan") run->result.setup_note = static_note;
    runs.push_back(std::move(run).value());
  }
  return runs;
}

Result<SimulationBounds> ComputeBounds(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet,
                                       const SimulationSpec& spec) {
  SimulationBounds bounds;
  if (spec.mode == Mode::kFill) {
    MIGSCHED_ASSIGN_OR_RETURN(bounds.fill, ComputeFillBounds(jobs, fleet, spec.fill));
  } else {
    MIGSCHED_ASSIGN_OR_RETURN(bounds.replay, ComputeReplayBounds(jobs, fleet, spec.replay));
  }
  return bounds;
}

}  // namespace migsched::sim
