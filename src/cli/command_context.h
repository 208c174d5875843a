// What every CLI command gets: the loaded catalog, the output streams and
// whether to print JSON. Commands return an exit code (see cli.h).
#pragma once

#include <functional>
#include <ostream>

#include "geometry/catalog.h"

namespace CLI {
class App;
}

namespace migsched::cli {

struct CommandContext {
  const geometry::Catalog& catalog;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
};

// The command a subcommand's callback chose; RunCli runs it once the catalog
// is loaded. Each command module registers its subcommands with an
// Add...Commands(CLI::App&, ChosenCommand&) function so modules stay apart.
using ChosenCommand = std::function<int(const CommandContext&)>;

}  // namespace migsched::cli
