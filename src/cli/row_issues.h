// The lines that report a trace's skipped rows, the same for every command
// that reads a trace (simulate, workloads from-alibaba): a count, the first
// few as "<source>:<line>: <reason>", and how many more there were.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "trace/trace.h"

namespace migsched::cli {

inline constexpr size_t kRowIssuesListed = 20;

// Empty when there are no bad rows.
std::vector<std::string> RowIssueLines(const std::string& source, const std::vector<trace::RowIssue>& bad);

}  // namespace migsched::cli
