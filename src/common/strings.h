// Small string helpers shared by error messages and output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace migsched {

// Join({"a","b"}, ", ") == "a, b".
inline std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

// Join({0,4}, ",") == "0,4".
inline std::string Join(const std::vector<int>& items, std::string_view separator) {
  std::vector<std::string> text;
  for (int item : items) text.push_back(std::to_string(item));
  return Join(text, separator);
}

}  // namespace migsched
