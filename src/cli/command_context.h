// What every CLI command gets: the loaded catalog, the output streams and
// whether to print JSON. Commands return an exit code (see cli.h).
#pragma once

#include <ostream>

#include "geometry/catalog.h"

namespace migsched::cli {

struct CommandContext {
  const geometry::Catalog& catalog;
  std::ostream& out;
  std::ostream& err;
  bool json = false;
};

}  // namespace migsched::cli
