// Reading a whole text file for the trace loaders (the one place in trace/
// that touches the file system).
#pragma once

#include <string>

#include "common/status.h"

namespace migsched::trace {

// NotFound "cannot read '<path>'" when the file cannot be opened or read.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace migsched::trace
