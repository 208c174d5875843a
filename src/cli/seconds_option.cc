#include "cli/seconds_option.h"

#include <cmath>

#include "cli/number_checks.h"

namespace migsched::cli {

CLI::Option* AddSecondsOption(CLI::App& app, const std::string& name, double& seconds, const std::string& description,
                              double max_seconds) {
  return app.add_option(name, seconds, description)->check(NumberCheck(NumberBound::kZeroOrMore, max_seconds).name("SECONDS"))->capture_default_str();
}

sched::Time ToMilliseconds(double seconds) { return static_cast<sched::Time>(std::llround(seconds * 1000.0)); }

}  // namespace migsched::cli
