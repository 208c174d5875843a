// The migsched command line: parses arguments, runs one command, writes its
// output. Exit codes are a contract: 0 = success / "yes", 1 = a "no" answer
// (e.g. an invalid layout), 2 = bad usage or bad input.
#pragma once

#include <ostream>

namespace migsched::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNo = 1;
inline constexpr int kExitBadInput = 2;

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace migsched::cli
