#include "sched/fit_tree.h"

#include <algorithm>
#include <bit>

#include "common/check.h"

namespace migsched::sched {

FitTree::FitTree(std::size_t leaves) : masks_(leaves, 0) {
  Levels levels;
  std::size_t words = leaves;
  do {
    words = std::max<std::size_t>(1, (words + 63) / 64);
    levels.emplace_back(words, 0);
  } while (words > 1);
  trees_.assign(kBits, levels);
}

void FitTree::Mark(Levels& levels, std::size_t leaf, bool on) {
  std::size_t index = leaf;
  for (std::vector<std::uint64_t>& level : levels) {
    std::uint64_t& word = level[index / 64];
    const std::uint64_t bit = std::uint64_t{1} << (index % 64);
    const bool was_zero = word == 0;
    word = on ? word | bit : word & ~bit;
    // The level above changes only when this word turns zero or non-zero.
    if ((word == 0) == was_zero) return;
    index /= 64;
  }
}

void FitTree::Set(std::size_t leaf, std::uint32_t mask) {
  MIGSCHED_DCHECK(mask >> kBits == 0);
  std::uint32_t changed = masks_[leaf] ^ mask;
  masks_[leaf] = static_cast<std::uint16_t>(mask);
  while (changed != 0) {
    const int bit = std::countr_zero(changed);
    changed &= changed - 1;
    Mark(trees_[static_cast<std::size_t>(bit)], leaf, (mask >> bit & 1u) != 0);
  }
}

std::optional<std::size_t> FitTree::FindFirst(int bit) const {
  const Levels& levels = trees_[static_cast<std::size_t>(bit)];
  if (levels.back()[0] == 0) return std::nullopt;
  std::size_t index = 0;  // the word to read, in the current level
  for (std::size_t k = levels.size(); k-- > 0;) {
    index = index * 64 + static_cast<std::size_t>(std::countr_zero(levels[k][index]));
  }
  return index;
}

}  // namespace migsched::sched
