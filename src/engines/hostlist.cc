#include "engines/hostlist.h"

#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include "common/strings.h"

namespace migsched::engines {
namespace {

// A group of names that can share one bracket: same prefix, same width
// (0 = unpadded numbers of any width).
struct GroupKey {
  std::string prefix;
  std::size_t width = 0;
  friend bool operator<(const GroupKey& a, const GroupKey& b) {
    return std::tie(a.prefix, a.width) < std::tie(b.prefix, b.width);
  }
};

struct SplitName {
  std::string prefix;
  std::string digits;  // empty: no trailing number
};

SplitName Split(const std::string& name) {
  std::size_t first_digit = name.size();
  while (first_digit > 0 && std::isdigit(static_cast<unsigned char>(name[first_digit - 1])) != 0) --first_digit;
  // Numbers longer than 18 digits would overflow; Slurm treats such names as
  // plain text too.
  if (name.size() - first_digit > 18) first_digit = name.size();
  return SplitName{name.substr(0, first_digit), name.substr(first_digit)};
}

bool Padded(const std::string& digits) { return digits.size() > 1 && digits.front() == '0'; }

std::string Render(std::uint64_t number, std::size_t width) {
  std::string text = std::to_string(number);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

std::string RenderGroup(const GroupKey& key, const std::set<std::uint64_t>& numbers) {
  if (numbers.size() == 1) return key.prefix + Render(*numbers.begin(), key.width);
  std::vector<std::string> ranges;
  auto it = numbers.begin();
  while (it != numbers.end()) {
    const std::uint64_t low = *it;
    std::uint64_t high = low;
    for (++it; it != numbers.end() && *it == high + 1; ++it) high = *it;
    ranges.push_back(low == high ? Render(low, key.width)
                                 : Render(low, key.width) + "-" + Render(high, key.width));
  }
  return key.prefix + "[" + Join(ranges, ",") + "]";
}

}  // namespace

std::string CompressHostlist(const std::vector<std::string>& names) {
  std::vector<SplitName> split;
  std::set<GroupKey> padded_widths;  // (prefix, width) of every padded number
  for (const std::string& name : names) {
    split.push_back(Split(name));
    if (Padded(split.back().digits)) padded_widths.insert(GroupKey{split.back().prefix, split.back().digits.size()});
  }

  std::set<std::string> plain;  // names without a number
  std::map<GroupKey, std::set<std::uint64_t>> groups;
  for (const SplitName& name : split) {
    if (name.digits.empty()) {
      plain.insert(name.prefix);
      continue;
    }
    GroupKey key{name.prefix, name.digits.size()};
    if (!Padded(name.digits) && !padded_widths.contains(key)) key.width = 0;
    groups[key].insert(std::stoull(name.digits));
  }

  // Order by prefix (plain names sort as their own prefix), then width.
  std::map<std::tuple<std::string, std::size_t, int>, std::string> ordered;
  for (const std::string& name : plain) ordered.emplace(std::make_tuple(name, 0, 0), name);
  for (const auto& [key, numbers] : groups) {
    ordered.emplace(std::make_tuple(key.prefix, key.width, 1), RenderGroup(key, numbers));
  }
  std::vector<std::string> parts;
  for (const auto& [unused, text] : ordered) parts.push_back(text);
  return Join(parts, ",");
}

}  // namespace migsched::engines
