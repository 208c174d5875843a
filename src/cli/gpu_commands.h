// `migsched gpus` and `migsched profiles GPU`: what the catalog knows.
#pragma once

#include <string>

#include "cli/command_context.h"

namespace migsched::cli {

int RunGpus(const CommandContext& context);
int RunProfiles(const CommandContext& context, const std::string& gpu);

// Registers `gpus` and `profiles`.
void AddGpuCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
