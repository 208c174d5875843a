#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/agent_commands.h"
#include "cli/client_commands.h"
#include "cli/command_context.h"
#include "cli/gpu_commands.h"
#include "cli/layout_commands.h"
#include "cli/nvml_commands.h"
#include "cli/plan_commands.h"
#include "cli/serve_commands.h"
#include "cli/simulate_commands.h"
#include "cli/slurm_commands.h"
#include "io/catalog_loader.h"

namespace migsched::cli {

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"migsched: NVIDIA MIG geometry, planning and scheduling"};
  app.name("migsched");
  app.require_subcommand(1);
  std::vector<std::string> catalog_files;
  bool json = false;
  app.add_option("--catalog", catalog_files,
                 "extra GPU catalog file (YAML, see docs/catalog.md); repeatable");
  app.add_flag("--json", json, "print JSON instead of tables");

  ChosenCommand command;
  // One line per command module; keep them in the order of `migsched --help`.
  AddGpuCommands(app, command);
  AddLayoutCommands(app, command);
  AddNvmlCommands(app, command);
  AddAgentCommands(app, command);
  AddPlanCommands(app, command);
  AddSimulateCommands(app, command);
  AddServeCommands(app, command);
  AddClientCommands(app, command);
  AddSlurmCommands(app, command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  Result<geometry::Catalog> catalog = io::LoadCatalog(catalog_files);
  if (!catalog.has_value()) {
    err << "migsched: " << catalog.error().message() << "\n";
    return kExitBadInput;
  }
  return command(CommandContext{.catalog = *catalog, .out = out, .err = err, .json = json});
}

}  // namespace migsched::cli
