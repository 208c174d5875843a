// StartSet: a set of placement starts (memory-slice indices), as a bitmask.
// What Fits() returns: bit i set means the profile can start at slice i.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace migsched::geometry {

class StartSet {
 public:
  constexpr StartSet() = default;
  constexpr explicit StartSet(uint16_t bits) : bits_(bits) {}

  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool contains(int start) const {
    return (static_cast<unsigned>(bits_) >> start & 1u) != 0;
  }
  constexpr int size() const { return std::popcount(bits_); }
  constexpr uint16_t bits() const { return bits_; }
  // The highest start, or -1 when empty.
  constexpr int highest() const { return empty() ? -1 : 15 - std::countl_zero(bits_); }
  std::vector<int> ToVector() const {
    std::vector<int> out;
    for (int i = 0; i < 16; ++i) {
      if (contains(i)) out.push_back(i);
    }
    return out;
  }
  friend constexpr bool operator==(StartSet, StartSet) = default;

 private:
  uint16_t bits_ = 0;
};

}  // namespace migsched::geometry
