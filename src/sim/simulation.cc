#include "sim/simulation.h"

#include "sim/fleet_spec.h"

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
  PolicySetup setup;
  setup.expected_mix = ExpectedMix(jobs, FleetModels(fleet), spec.mix);
  setup.reconfiguration_delay_ms = spec.reconfiguration_delay_ms;
  setup.keep_idle = spec.keep_idle;
  std::vector<PolicyRun> runs;
  for (const std::string& name : spec.policies) {
    if (on_policy) on_policy(name);
    Result<std::unique_ptr<Backend>> backend = MakeBackend(name, catalog, fleet, setup);
    if (!backend.has_value()) return backend.error().WithPrefix("policy " + name);
    Result<PolicyRun> run = spec.mode == Mode::kReplay ? RunReplay(jobs, fleet, **backend, spec.replay, hooks)
                                                       : RunFill(jobs, fleet, **backend, spec.fill, hooks);
    if (!run.has_value()) return run.error().WithPrefix("policy " + name);
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
