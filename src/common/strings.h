// Small string helpers shared by error messages and output.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
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

// The first `limit` bytes of `text`, or fewer so as not to cut a UTF-8
// character in two.
inline std::string_view Utf8Prefix(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

// Error messages quote input, and a 100 MB bad value must not become a
// 100 MB message: at most `limit` bytes of `text`, "... (N bytes)" when cut.
inline std::string Abbreviate(std::string_view text, size_t limit = 200) {
  if (text.size() <= limit) return std::string(text);
  return std::string(Utf8Prefix(text, limit)) + "... (" + std::to_string(text.size()) + " bytes)";
}

// A bad value as error messages quote it: 'value', or its first ~80 bytes
// as '12345...' (104857600 bytes).
inline std::string Quote(std::string_view value) {
  constexpr size_t kLimit = 80;
  if (value.size() <= kLimit) return "'" + std::string(value) + "'";
  return "'" + std::string(Utf8Prefix(value, kLimit)) + "...' (" + std::to_string(value.size()) + " bytes)";
}

// `text` without a leading UTF-8 byte order mark, which editors on Windows
// put before CSV headers (yaml-cpp and nlohmann skip it themselves).
inline std::string_view StripUtf8Bom(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  return text.substr(0, kBom.size()) == kBom ? text.substr(kBom.size()) : text;
}

// The one strict integer parse of a whole field ("12", "-3"); nullopt for "",
// "1.5", "12abc", " 1" or out of range.
inline std::optional<int64_t> ParseInt64(std::string_view field) {
  int64_t value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, error] = std::from_chars(field.data(), end, value);
  if (field.empty() || error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace migsched
