// `migsched apply|assert|export`: the node agent's commands, compatible with
// NVIDIA mig-parted config files. They act on this machine's GPUs through
// NVML (MIGSCHED_NVML_LIBRARY names another library, e.g. the fake).
#pragma once

#include <string>

#include "cli/command_context.h"

namespace migsched::cli {

struct ApplyArgs {
  std::string config_file;  // -f: mig-parted YAML
  std::string config_name;  // -c
  std::string plan_file;    // --plan: plan.json
  std::string node;         // --node: which plan GPUs are this machine's
  bool force = false;
  bool dry_run = false;
  bool wait = false;             // --wait: for another apply on this node to finish
  bool abandon_journal = false;  // --abandon-journal
  std::string journal;      // default agent::kDefaultJournalPath
};

// Exit 0 when the GPUs reached the target (or a dry run planned it); 1 when it
// cannot be done (does not fit, busy instances, NVML refused: nothing or,
// mid-way, the journal says what); 2 for bad input (files, names, profiles).
int RunApply(const CommandContext& context, const ApplyArgs& args);

// Exit 0 when the GPUs match config `name`, 1 listing the differences.
int RunAssert(const CommandContext& context, const std::string& config_file,
              const std::string& config_name);

// The GPUs' state as a mig-parted config named `config_name`.
int RunExport(const CommandContext& context, const std::string& config_name);

void AddAgentCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
