// `migsched simulate`: replay a cluster trace through every scheduling policy
// and compare them (docs/simulator.md).
//
//   migsched [--json] simulate --trace KIND:SOURCE [--mode replay|fill]
//       [--fleet FILE | --fleet MODEL:COUNT[,...] | --fleet MODEL] [--policy NAME[,NAME...]|all]
//       [--seed N] [--compress X] [--reconfig-delay S] [--gi-create-s S] [--gi-destroy-s S]
//       [--no-reconfig-cost] [--keep-idle]
//       [--patience N] [--mix mig|all] [--report out.html] [--no-latency]
//       [--services FILE]
//
// KIND:SOURCE is `alibaba2023:PATH` (an openb_pod_list_*.csv; the node list
// beside it gives the fleet's shape) or `synthetic:jobs=N,rate=R,duration=D`.
// --fleet FILE is the planner's fleet file (io::ReadFleetFile): a path that
// exists or ends in .yaml/.yml/.json; its GPUs start empty (current layouts
// are not simulated, a note says so). --services FILE (io/services_reader.h):
// inference services whose replicas scale with a request-rate series, run
// beside the trace's jobs (replay only) and reported per policy.
// Exit codes: 0 the simulation ran; 1 a policy disturbed a busy instance (an
// invariant broke); 2 bad usage or input.
#pragma once

#include <string>

#include "cli/command_context.h"
#include "sim/engine.h"

namespace migsched::cli {

struct SimulateArgs {
  std::string trace;
  std::string mode = "replay";
  std::string fleet;  // a fleet file or spec; empty: the trace's node list as H100-80GB, or 100 x H100-80GB for synthetic
  std::string policy = "all";
  uint64_t seed = 1;
  double compress = 1.0;
  double reconfig_delay_s = 0;  // fractional seconds; the core gets milliseconds
  // The reconfiguration cost model (sim::ReconfigurationCost), per GPU instance.
  double gi_create_s = static_cast<double>(sim::kDefaultReconfigurationCost.create_ms) / 1000.0;
  double gi_destroy_s = static_cast<double>(sim::kDefaultReconfigurationCost.destroy_ms) / 1000.0;
  bool no_reconfig_cost = false;
  bool keep_idle = false;
  int64_t patience = 200;
  std::string mix = "mig";  // what frag-aware plans for: mig | all (see sim::MixScope)
  std::string report_path;
  bool no_latency = false;  // leave decision latency out (for byte-identical output)
  std::string costs;        // prices and power (io/costs_reader.h); optional
  std::string workloads;    // synthetic arrivals of this planner workloads file (sim/workload_jobs.h)
  std::string services;     // services beside the jobs (io/services_reader.h); optional
};

int RunSimulate(const CommandContext& context, const SimulateArgs& args);

// Registers `simulate`.
void AddSimulateCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
