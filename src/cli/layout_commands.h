// `migsched layout check|enumerate|show`: questions about one GPU's layout.
#pragma once

#include <string>
#include <vector>

#include "cli/command_context.h"

namespace migsched::cli {

// SPEC is "PROFILE" or "PROFILE@START"; bare profiles get starts found for them.
int RunLayoutCheck(const CommandContext& context, const std::string& gpu,
                   const std::vector<std::string>& specs);

// All maximal layouts; `profiles` (comma-separated names, may be empty)
// restricts which profiles may be used.
int RunLayoutEnumerate(const CommandContext& context, const std::string& gpu,
                       const std::string& profiles);

// The layout as a slice map on the terminal, and as an SVG picture when
// `svg_path` is not empty.
int RunLayoutShow(const CommandContext& context, const std::string& gpu,
                  const std::vector<std::string>& specs, const std::string& svg_path);

// Registers `layout check|enumerate|show`.
void AddLayoutCommands(CLI::App& app, ChosenCommand& chosen);

}  // namespace migsched::cli
