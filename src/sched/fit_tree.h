// FitTree: finds the lowest-index GPU whose state fits a profile, for the
// first-fit policy. A 16-ary tree over one model's GPUs: each entry holds the
// OR of its 16 children's fit masks (bit p: profile p fits somewhere), so the
// 16 children of a node are one 64-byte cache line and 10^5 GPUs take 5
// levels (a binary tree took 17 dependent loads, most of them cache misses).
//
// Example: leaves {0b010, 0b000, 0b011}: FindFirst(bit 0) = 2, FindFirst(bit 1) = 0.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace migsched::sched {

class FitTree {
 public:
  explicit FitTree(std::size_t leaves = 0);

  void Set(std::size_t leaf, std::uint32_t mask);
  // The lowest leaf whose mask has bit `bit`, if any.
  std::optional<std::size_t> FindFirst(int bit) const;

 private:
  static constexpr std::size_t kFanout = 16;
  // levels_[0]: the leaves' masks; levels_[k][i]: the OR of levels_[k-1][16i, 16i+16).
  // Each level is padded to a multiple of 16 entries (zeros); the last has one group.
  std::vector<std::vector<std::uint32_t>> levels_;
};

}  // namespace migsched::sched
