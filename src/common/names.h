// What a name may hold, checked where names enter (readers, CLI options) so
// that every file migsched writes for other programs keeps its structure:
//
// - Host names (nodes) and config names go unquoted into slurm.conf
//   ("NodeName=n1 Gres=..."), gres.conf, mig-parted YAML keys and URL paths:
//   1-253 characters of letters, digits, '-', '_' and '.', not starting with
//   '-' or '.'. A newline, space, '=', ':' or quote would change the file.
// - Workload names only reach JSON, SVG and HTML, whose writers escape them:
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

// InvalidArgument "<what> <quoted name> ...: a <what> is 1-253 letters, ..."
inline Status CheckHostName(std::string_view name, std::string_view what) {
  const bool allowed =
      !name.empty() && name.size() <= kMaxNameBytes && name.front() != '-' && name.front() != '.' &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
      });
  if (allowed) return Status::Ok();
  return InvalidArgumentError(std::string(what) + " " + Quote(name) + " is not a valid name: use 1-253 letters, " +
                              "digits, '-', '_' or '.', not starting with '-' or '.'");
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
