// FitTree: finds the lowest-index GPU whose state fits a profile, for the
// first-fit policy. Per profile bit, a 64-ary tree of bitsets over the
// leaves (fleet GPU indices): bit i of a level-0 word is set when leaf i's
// mask has the profile bit, and bit j of a word one level up when word j
// below is not zero. A search is one count-trailing-zeros per level (10^5
// GPUs: 3 levels, ~12 KB per profile, so the index stays in cache; a 16-ary
// tree of masks took 5 levels over 200 KB).
//
// Example: leaves {0b010, 0b000, 0b011}: FindFirst(bit 0) = 2, FindFirst(bit 1) = 0.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace migsched::sched {

class FitTree {
 public:
  static constexpr int kBits = 16;  // mask bits: profiles per model

  explicit FitTree(std::size_t leaves = 0);

  // Masks have at most kBits bits.
  void Set(std::size_t leaf, std::uint32_t mask);
  // The lowest leaf whose mask has bit `bit`, if any.
  std::optional<std::size_t> FindFirst(int bit) const;

 private:
  using Levels = std::vector<std::vector<std::uint64_t>>;  // [0]: one bit per leaf; last: one word
  void Mark(Levels& levels, std::size_t leaf, bool on);

  std::vector<std::uint16_t> masks_;  // per leaf
  std::vector<Levels> trees_;         // per mask bit
};

}  // namespace migsched::sched
