// Placement and PlacementList: where a job runs. Almost every job holds one
// instance, so the list keeps one placement inline and only a gang (N whole
// GPUs) puts its placements on the heap: returning a Placed decision
// allocates nothing on the scheduler's hot path. It offers the vector
// operations callers use (size, [], begin/end, front, push_back, ==, and a
// conversion to std::vector<Placement>).
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace migsched::sched {

inline constexpr int kWholeGpu = -1;  // Placement::profile of a whole-GPU placement

struct Placement {
  int gpu = 0;        // index into the scheduler's fleet (fleet::Fleet::gpus)
  int profile = kWholeGpu;  // index into the GPU's model profiles; kWholeGpu = the whole GPU
  int start = 0;      // memory-slice start of the instance; 0 for a whole GPU
  friend bool operator==(const Placement&, const Placement&) = default;
};

class PlacementList {
 public:
  using value_type = Placement;
  using size_type = std::size_t;
  using iterator = const Placement*;
  using const_iterator = const Placement*;
  using reference = const Placement&;
  using const_reference = const Placement&;

  PlacementList() = default;
  PlacementList(std::initializer_list<Placement> items) {
    for (const Placement& p : items) push_back(p);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Placement* data() const { return size_ <= 1 ? &one_ : many_.data(); }
  const Placement* begin() const { return data(); }
  const Placement* end() const { return data() + size_; }
  const Placement& operator[](std::size_t i) const { return data()[i]; }
  const Placement& front() const { return data()[0]; }

  void push_back(const Placement& placement) {
    if (size_ == 0) {
      one_ = placement;
    } else {
      if (size_ == 1) many_.push_back(one_);
      many_.push_back(placement);
    }
    ++size_;
  }
  void clear() {
    size_ = 0;
    many_.clear();
  }

  // NOLINTNEXTLINE(google-explicit-constructor): lets callers keep std::vector fields
  operator std::vector<Placement>() const { return {begin(), end()}; }

  friend bool operator==(const PlacementList& a, const PlacementList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const PlacementList& a, const std::vector<Placement>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::uint32_t size_ = 0;
  Placement one_{};              // the placement while there is one
  std::vector<Placement> many_;  // all of them once there are two or more
};

}  // namespace migsched::sched
