// Runs the migsched command line in-process, as a test would type it, and
// keeps the exit code and both output streams. Tests using it link migsched::cli.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace migsched::testing {

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

// `args` without the program name, e.g. {"layout", "check", "A100-40GB", "7g.40gb"}.
inline CliRun RunMigsched(std::vector<std::string> args) {
  args.insert(args.begin(), "migsched");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int code = cli::RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  return CliRun{code, out.str(), err.str()};
}

}  // namespace migsched::testing
