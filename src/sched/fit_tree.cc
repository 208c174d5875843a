#include "sched/fit_tree.h"

namespace migsched::sched {
namespace {

std::size_t RoundUp(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

FitTree::FitTree(std::size_t leaves) {
  std::size_t size = RoundUp(leaves == 0 ? 1 : leaves, kFanout);
  levels_.emplace_back(size, 0);
  while (size > kFanout) {
    size = RoundUp(size / kFanout, kFanout);
    levels_.emplace_back(size, 0);
  }
}

void FitTree::Set(std::size_t leaf, std::uint32_t mask) {
  std::size_t index = leaf;
  levels_[0][index] = mask;
  for (std::size_t k = 1; k < levels_.size(); ++k) {
    const std::uint32_t* group = &levels_[k - 1][index / kFanout * kFanout];
    std::uint32_t merged = 0;
    for (std::size_t i = 0; i < kFanout; ++i) merged |= group[i];
    index /= kFanout;
    if (levels_[k][index] == merged) return;  // ancestors are unchanged too
    levels_[k][index] = merged;
  }
}

std::optional<std::size_t> FitTree::FindFirst(int bit) const {
  const std::uint32_t want = 1u << bit;
  std::size_t group = 0;  // the first entry of the group to search, in the current level
  for (std::size_t k = levels_.size(); k-- > 0;) {
    const std::uint32_t* entries = &levels_[k][group];
    std::size_t i = 0;
    while (i < kFanout && (entries[i] & want) == 0) ++i;
    if (i == kFanout) return std::nullopt;  // only at the top: below, the parent said yes
    group = (group + i) * kFanout;
  }
  return group / kFanout;
}

}  // namespace migsched::sched
