// AppendJsonString: a string as a quoted, escaped JSON string, appended to
// text that a writer builds by hand (plan.json, the service's per-request
// answers) where an nlohmann DOM would cost more than the rest of the work.
// Escapes as nlohmann's dump() does (", \, \b \f \n \r \t, other control
// bytes as \u00xx); other bytes pass through, so callers give valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace migsched::io {

void AppendJsonString(std::string& out, std::string_view text);

}  // namespace migsched::io
