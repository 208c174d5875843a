#include "cli/row_issues.h"

#include <algorithm>

namespace migsched::cli {

std::vector<std::string> RowIssueLines(const std::string& source, const std::vector<trace::RowIssue>& bad) {
  std::vector<std::string> lines;
  if (bad.empty()) return lines;
  lines.push_back(std::to_string(bad.size()) + " bad row" + (bad.size() == 1 ? "" : "s") + " skipped:");
  for (size_t i = 0; i < std::min(kRowIssuesListed, bad.size()); ++i) {
    lines.push_back(source + ":" + std::to_string(bad[i].line) + ": " + bad[i].reason);
  }
  if (bad.size() > kRowIssuesListed) lines.push_back("... and " + std::to_string(bad.size() - kRowIssuesListed) + " more");
  return lines;
}

}  // namespace migsched::cli
