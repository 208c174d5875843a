// `migsched plan`: right-size a workload mix, pack it onto a fleet with the
// fewest GPUs, compare with the baselines, and write what the engines and the
// node agent need. `migsched workloads from-alibaba`: turn the Alibaba GPU
// v2023 pod list into our workloads format.
#pragma once

#include <string>

#include "cli/command_context.h"
#include "engines/slurm_gres_type.h"
#include "plan/plan_json.h"

namespace migsched::cli {

struct PlanArgs {
  std::string fleet_path;
  std::string workloads_path;
  std::string perf_path;        // optional
  std::string costs_path;       // prices and power (io/costs_reader.h); optional
  std::string out_path;         // plan.json; optional
  plan::PlanJsonForm out_form = plan::PlanJsonForm::kExpanded;
  std::string mig_parted_path;  // optional
  std::string slurm_dir;        // gres.conf + slurm.conf; optional
  engines::SlurmTypeStyle slurm_type_style = engines::SlurmTypeStyle::kAutodetect;
  std::string svg_path;         // optional
  bool explain = false;         // per workload: why this profile
  bool dry_run = false;         // print the transition ops; write no files
  int time_limit_ms = 10000;
  int headroom_pct = 0;
  std::string keep_whole;       // "MODEL_OR_LABEL:COUNT[,...]": GPUs left whole; optional
};

// Exit codes: 0 everything placed, 1 something unplaced, 2 bad input or a
// file that cannot be written.
int RunPlan(const CommandContext& context, const PlanArgs& args);

// Registers `plan` and `workloads from-alibaba`.
void AddPlanCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
