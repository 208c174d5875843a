// `migsched slurm gres [--node N] [--type-style autodetect|profile] [--dev-root DIR]
// [--server URL --token-file F]`: the gres.conf lines (one per MIG device or
// whole GPU, with its device files) and the slurm.conf Gres= string of a node
// as it is now — this machine's GPUs through NVML, or with --server the nodes
// of a running `migsched serve` (docs/slurm.md).
#pragma once

#include <string>

#include "cli/command_context.h"
#include "engines/slurm_gres_type.h"

namespace CLI {
class Option;
}

namespace migsched::cli {

void AddSlurmCommands(CLI::App& app, ChosenCommand& chosen);

// Adds option `name` (e.g. "--type-style") taking "autodetect" or "profile"
// into `style`; the default is kAutodetect. Shared with `plan --slurm`.
CLI::Option* AddSlurmTypeStyleOption(CLI::App* command, const std::string& name, engines::SlurmTypeStyle& style);

}  // namespace migsched::cli
