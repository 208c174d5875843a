// `migsched fake-nvml init` (create a fake NVML state file) and
// `migsched nvml-info` (what NVML reports about this machine's GPUs; read-only).
#pragma once

#include <string>

#include "cli/command_context.h"

namespace migsched::cli {

// --gpus "A100-40GB:2,H100-80GB:1" -> a state file at `state_path` with those
// GPUs, MIG mode on, no instances. Exit 2 for an unknown model (the message
// lists the known ones), a malformed list, or an unwritable file.
int RunFakeNvmlInit(const CommandContext& context, const std::string& state_path, const std::string& gpus);

// Driver version and, per GPU, name, UUID, PCI ids, memory, MIG mode, the
// supported GPU-instance profiles with counts and placements, and the existing
// GPU and compute instances. Exit 2 when NVML cannot be loaded or initialised
// (no driver), with NVML's reason.
int RunNvmlInfo(const CommandContext& context);

// Registers `fake-nvml init` and `nvml-info`.
void AddNvmlCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
