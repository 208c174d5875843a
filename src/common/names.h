// What a name may hold, checked where names enter (readers, CLI options) so
// that every file migsched writes for other programs keeps its structure:
//
// - Host names (nodes), config names and GPU model names and aliases (the
//   catalog's; they become gres types and mig-parted keys) go unquoted into
//   slurm.conf ("NodeName=n1 Gres=..."), gres.conf, mig-parted YAML keys and
//   URL paths:
//   1-253 characters of letters, digits, '-', '_' and '.', not starting with
//   '-' or '.'. A newline, space, '=', ':' or quote would change the file.
//   Trailing digits read as a number below 2^64 - 1: Slurm's hostlists read
//   a larger one as 18446744073709551615 (another node's name), and Slurm
//   22.05's scontrol crashes on a list of two names where one ends in it.
// - Workload names and GPU product names (as NVML reports them, with spaces)
//   only reach JSON, SVG and HTML, whose writers escape them:
//   1-253 bytes without control characters (a newline in a name would still
//   break every line-oriented log and table).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/strings.h"

namespace migsched {

inline constexpr size_t kMaxNameBytes = 253;

// Whether the name's trailing digits, as a number, are below 2^64 - 1.
inline bool TrailingNumberFitsSlurm(std::string_view name) {
  size_t first = name.size();
  while (first > 0 && name[first - 1] >= '0' && name[first - 1] <= '9') --first;
  std::string_view digits = name.substr(first);
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  constexpr std::string_view kMax = "18446744073709551614";
  return digits.size() < kMax.size() || (digits.size() == kMax.size() && digits <= kMax);
}

// InvalidArgument "<what> <quoted name> is not a valid name: use 1-253 letters, ..."
inline Status CheckHostName(std::string_view name, std::string_view what) {
  const bool allowed =
      !name.empty() && name.size() <= kMaxNameBytes && name.front() != '-' && name.front() != '.' &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
      });
  if (!allowed) {
    return InvalidArgumentError(std::string(what) + " " + Quote(name) + " is not a valid name: use 1-253 " +
                                "letters, digits, '-', '_' or '.', not starting with '-' or '.'");
  }
  if (!TrailingNumberFitsSlurm(name)) {
    return InvalidArgumentError(std::string(what) + " " + Quote(name) + " is not a valid name: its trailing " +
                                "number is 2^64 - 1 or more, which Slurm's host lists cannot hold");
  }
  return Status::Ok();
}

inline Status CheckDisplayName(std::string_view name, std::string_view what) {
  const bool allowed = !name.empty() && name.size() <= kMaxNameBytes &&
                       std::none_of(name.begin(), name.end(), [](char c) {
                         const auto u = static_cast<unsigned char>(c);
                         return u < 0x20 || u == 0x7F;
                       });
  if (allowed) return Status::Ok();
  return InvalidArgumentError(std::string(what) + " " + Quote(name) +
                              " is not a valid name: use 1-253 bytes without control characters");
}

}  // namespace migsched
