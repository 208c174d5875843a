// The operator's client of `migsched serve`: `migsched jobs submit|list|get|
// cancel` and `migsched fleet [export]`, against --server (default
// $MIGSCHED_SERVER). Tables by default, the server's JSON with --json.
#pragma once

#include "cli/command_context.h"

namespace migsched::cli {

void AddClientCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
