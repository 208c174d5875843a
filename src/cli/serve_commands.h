// `migsched serve` (the control plane) and `migsched agent` (a node agent
// that follows it); see docs/serve.md.
#pragma once

#include "cli/command_context.h"

namespace migsched::cli {

void AddServeCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
