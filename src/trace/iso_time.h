// Calendar timestamps as cluster tools print them ("2024-03-01T12:00:05",
// with an optional "Z": sacct and Kubernetes) to seconds since 1970-01-01
// UTC, for the importers. No time zones: sacct prints the cluster's local
// time, and only differences between timestamps of one file are used.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace migsched::trace {

// nullopt for anything else ("Unknown", "None", a bad date, fractions of a second).
std::optional<int64_t> ParseIsoSeconds(std::string_view text);

}  // namespace migsched::trace
