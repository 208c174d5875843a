#include "sched/fit_tree.h"

namespace migsched::sched {

FitTree::FitTree(std::size_t leaves) : leaves_(leaves) {
  while (width_ < leaves_) width_ *= 2;
  nodes_.assign(2 * width_, 0);
}

void FitTree::Set(std::size_t leaf, std::uint32_t mask) {
  std::size_t node = width_ + leaf;
  nodes_[node] = mask;
  for (node /= 2; node >= 1; node /= 2) {
    const std::uint32_t merged = nodes_[2 * node] | nodes_[2 * node + 1];
    if (nodes_[node] == merged) break;  // ancestors are unchanged too
    nodes_[node] = merged;
  }
}

std::optional<std::size_t> FitTree::FindFirst(int bit) const {
  const std::uint32_t want = 1u << bit;
  if (leaves_ == 0 || (nodes_[1] & want) == 0) return std::nullopt;
  std::size_t node = 1;
  while (node < width_) {
    node = (nodes_[2 * node] & want) != 0 ? 2 * node : 2 * node + 1;
  }
  return node - width_;
}

}  // namespace migsched::sched
