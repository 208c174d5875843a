#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "cli/gpu_commands.h"
#include "cli/layout_commands.h"
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

  std::string gpu;
  std::vector<std::string> specs;
  std::string profiles;
  std::string svg_path;
  std::function<int(const CommandContext&)> command;

  CLI::App* gpus = app.add_subcommand("gpus", "list the known GPU models");
  gpus->callback([&] { command = [](const CommandContext& c) { return RunGpus(c); }; });

  CLI::App* profiles_cmd =
      app.add_subcommand("profiles", "a GPU's instance profiles and placements (like -lgip + -lgipp)");
  profiles_cmd->add_option("GPU", gpu, "GPU model, product name or PCI id")->required();
  profiles_cmd->callback([&] { command = [&](const CommandContext& c) { return RunProfiles(c, gpu); }; });

  CLI::App* layout = app.add_subcommand("layout", "check, enumerate and draw MIG layouts");
  layout->require_subcommand(1);
  CLI::App* check = layout->add_subcommand(
      "check", "is this layout valid? SPEC is PROFILE or PROFILE@START; finds starts for bare ones");
  check->add_option("GPU", gpu, "GPU model")->required();
  check->add_option("SPEC", specs, "instances, e.g. 3g.40gb@4 2g.20gb 1g.10gb")->required();
  check->callback([&] { command = [&](const CommandContext& c) { return RunLayoutCheck(c, gpu, specs); }; });

  CLI::App* enumerate = layout->add_subcommand("enumerate", "all maximal layouts of a GPU");
  enumerate->add_option("GPU", gpu, "GPU model")->required();
  enumerate->add_option("--profiles", profiles, "only these profiles, comma-separated");
  enumerate->callback(
      [&] { command = [&](const CommandContext& c) { return RunLayoutEnumerate(c, gpu, profiles); }; });

  CLI::App* show = layout->add_subcommand("show", "draw a layout: slice map, and SVG with --svg");
  show->add_option("GPU", gpu, "GPU model")->required();
  show->add_option("SPEC", specs, "instances, e.g. 3g.40gb@4 2g.20gb 1g.10gb")->required();
  show->add_option("--svg", svg_path, "write an SVG picture to this file");
  show->callback(
      [&] { command = [&](const CommandContext& c) { return RunLayoutShow(c, gpu, specs, svg_path); }; });

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
