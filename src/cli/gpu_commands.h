// `migsched gpus` and `migsched profiles GPU`: what the catalog knows.
#pragma once

#include <string>

#include "cli/command_context.h"

namespace migsched::cli {

int RunGpus(const CommandContext& context);
int RunProfiles(const CommandContext& context, const std::string& gpu);

}  // namespace migsched::cli
