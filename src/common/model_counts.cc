#include "common/model_counts.h"

#include "common/strings.h"

namespace migsched {

Result<std::vector<ModelCount>> ParseModelCounts(std::string_view list, std::string_view what,
                                                 int64_t max_count) {
  const std::string expected = "; expected MODEL:COUNT[,MODEL:COUNT...]";
  if (list.empty()) return InvalidArgumentError("empty " + std::string(what) + expected);
  std::vector<ModelCount> counts;
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    if (item.empty()) {
      return InvalidArgumentError("empty item in the " + std::string(what) + " (a stray ',')" + expected);
    }
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return InvalidArgumentError(std::string(what) + ": " + Quote(item) + " is not MODEL:COUNT");
    }
    const std::optional<int64_t> count = ParseInt64(item.substr(colon + 1));
    if (!count || *count < 1 || *count > max_count) {
      return InvalidArgumentError(std::string(what) + ": count in " + Quote(item) + " must be 1.." +
                                  std::to_string(max_count));
    }
    counts.push_back({std::string(item.substr(0, colon)), *count});
    if (comma == std::string_view::npos) return counts;
    list = list.substr(comma + 1);
  }
}

}  // namespace migsched
