// Runs an installed program (SLURM's scontrol) without a shell and returns
// what it printed. Arguments go to execvp as they are, so node names, job ids
// and comments cannot inject shell syntax.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace migsched::slurm {

struct CommandOutput {
  int exit_code = 0;
  std::string out, err;
};

// Unavailable when the program cannot be started, or (after killing it)
// when it runs past `limit`. A non-zero exit is not an error here.
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds limit = std::chrono::seconds(30));

// RunCommand, and an Unavailable error with the program's stderr for a
// non-zero exit.
Result<std::string> RunChecked(const std::vector<std::string>& argv,
                               std::chrono::milliseconds limit = std::chrono::seconds(30));

}  // namespace migsched::slurm
