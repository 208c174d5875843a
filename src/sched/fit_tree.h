// FitTree: finds the lowest-index GPU whose state fits a profile in O(log n),
// for the first-fit policy. A segment tree over one model's GPUs; each node
// holds the OR of its leaves' fit masks (bit p: profile p fits somewhere).
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
  std::size_t leaves_ = 0;
  std::size_t width_ = 1;             // leaves rounded up to a power of two
  std::vector<std::uint32_t> nodes_;  // 1-based heap layout; leaves at [width_, 2 * width_)
};

}  // namespace migsched::sched
