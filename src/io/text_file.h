// Whole text files, read or written in one piece: the one place the io
// adapters, the CLI and the plan.json reader open a file, so that every
// "cannot read"/"cannot write" error names the file and says why the same way.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::io {

// The file's bytes. NotFound "cannot read <what> '<path>': <reason>" (just
// "cannot read '<path>': <reason>" when `what` is empty) when it cannot be
// opened or read, or is a directory (which opens as an empty stream on Linux).
Result<std::string> ReadTextFile(const std::string& path, std::string_view what = {});

// Writes `text` to `path`, replacing the file, after creating its missing
// parent directories. Unavailable "cannot write <what> '<path>': <reason>"
// (the reason names the directory when that is what could not be created).
Status WriteTextFile(const std::string& path, std::string_view text, std::string_view what = {});

// The same for a document written piece by piece into the file's stream, so
// that a large one (plan.json at 100,000 GPUs) never sits whole in memory.
Status WriteTextFileWith(const std::string& path, const std::function<void(std::ostream&)>& write,
                         std::string_view what = {});

}  // namespace migsched::io
