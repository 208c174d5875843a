// The bearer token that guards serve's API: read from --token-file, or made
// once (32 random bytes, hex) into STATE/token with mode 0600 and reused on
// the next start. Requests are checked in constant time, so the time a wrong
// token takes to refuse says nothing about how much of it was right.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::daemon {

// The token in `path` (surrounding whitespace trimmed). InvalidArgument for an
// empty file or one readable by group or others (a leaked token is no lock);
// NotFound when it does not exist.
Result<std::string> ReadTokenFile(const std::string& path);

// The token in `path`, made first (from /dev/urandom, 0600) when absent.
Result<std::string> LoadOrCreateTokenFile(const std::string& path);

// Whether an Authorization header value is "Bearer <token>", compared in
// time that depends only on the lengths.
bool BearerMatches(std::string_view authorization, std::string_view token);

}  // namespace migsched::daemon
