#include "cli/seconds_option.h"

#include <cmath>

namespace migsched::cli {

CLI::Option* AddSecondsOption(CLI::App& app, const std::string& name, double& seconds, const std::string& description,
                              double max_seconds) {
  // CLI::Range lets "nan" through (every comparison with NaN is false).
  const CLI::Validator in_range(
      [max_seconds](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value) || value < 0 || value > max_seconds) {
          return "seconds must be a number within 0.." + CLI::detail::to_string(max_seconds) + ", got '" + text + "'";
        }
        return "";
      },
      "SECONDS");
  return app.add_option(name, seconds, description)->check(in_range)->capture_default_str();
}

sched::Time ToMilliseconds(double seconds) { return static_cast<sched::Time>(std::llround(seconds * 1000.0)); }

}  // namespace migsched::cli
