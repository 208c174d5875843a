#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/agent_commands.h"
#include "cli/client_commands.h"
#include "cli/command_context.h"
#include "cli/gpu_commands.h"
#include "cli/k8s_controller_commands.h"
#include "cli/k8s_plugin_commands.h"
#include "cli/layout_commands.h"
#include "cli/nvml_commands.h"
#include "cli/plan_commands.h"
#include "cli/serve_commands.h"
#include "cli/simulate_commands.h"
#include "cli/trace_commands.h"
#include "cli/slurm_commands.h"
#include "io/catalog_loader.h"

namespace migsched::cli {
namespace {

// The first argument naming a command: global options (and --catalog's
// value) skipped. nullopt when there is none (then CLI11 says one is needed).
std::optional<std::string> CommandWord(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--catalog") {
      ++i;
    } else if (arg.empty() || arg.front() != '-') {
      return std::string(arg);
    }
  }
  return std::nullopt;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "unknown command 'plna'; did you mean 'plan'?" (as kubectl and gh say it),
// or nothing when `word` is a command.
std::optional<std::string> UnknownCommand(CLI::App& app, const std::string& word) {
  std::string closest;
  size_t best = 3;  // suggest within two edits, or a command the word starts
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::string& name = sub->get_name();
    if (name == word) return std::nullopt;
    const size_t distance = name.rfind(word, 0) == 0 ? 0 : EditDistance(word, name);
    if (distance < best) {
      best = distance;
      closest = name;
    }
  }
  return "unknown command '" + word + "'" +
         (closest.empty() ? "" : "; did you mean '" + closest + "'?") +
         "\nRun 'migsched --help' for the list of commands.";
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"migsched: NVIDIA MIG geometry, planning and scheduling"};
  app.name("migsched");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("migsched ") + MIGSCHED_VERSION);
  // Before the commands are added, so that each inherits them: --json may
  // follow the command, and --help shows every option's default.
  app.fallthrough();
  app.option_defaults()->always_capture_default();
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
  AddTraceCommands(app, command);
  AddServeCommands(app, command);
  AddClientCommands(app, command);
  AddSlurmCommands(app, command);
  AddK8sControllerCommands(app, command);
  AddK8sPluginCommands(app, command);

  if (const std::optional<std::string> word = CommandWord(argc, argv)) {
    if (const std::optional<std::string> unknown = UnknownCommand(app, *word)) {
      err << "migsched: " << *unknown << "\n";
      return kExitBadInput;
    }
  }
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
