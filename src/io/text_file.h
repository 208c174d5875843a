// Whole text files, read in one piece: the one place the io adapters (and the
// CLI, agent and plan.json readers) open a file to read it, so that every
// "cannot read" error names the file and says why the same way.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::io {

// The file's bytes. NotFound "cannot read <what> '<path>': <reason>" (just
// "cannot read '<path>': <reason>" when `what` is empty) when it cannot be
// opened or read, or is a directory (which opens as an empty stream on Linux).
Result<std::string> ReadTextFile(const std::string& path, std::string_view what = {});

}  // namespace migsched::io
