// A duration flag such as `--reconfig-delay S`: seconds on the command line,
// fractional allowed ("0.25"), milliseconds inside (sched::Time is ms). The
// one place the CLI turns its seconds into the core's unit.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "sched/request.h"

namespace migsched::cli {

// Adds `name` to `app`, bound to `seconds`; a value that is not a finite
// number within [0, max_seconds] is a usage error naming the flag.
CLI::Option* AddSecondsOption(CLI::App& app, const std::string& name, double& seconds, const std::string& description,
                              double max_seconds);

// 0.25 -> 250, rounded to the nearest millisecond.
sched::Time ToMilliseconds(double seconds);

}  // namespace migsched::cli
