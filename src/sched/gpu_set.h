// GpuSet and StateBuckets: the fleet index's containers. Sets of GPU indices
// with O(1) insert, erase and membership, and a deterministic pick (the most
// recently inserted member) so that a decision never scans GPUs.
#pragma once

#include <cstdint>
#include <vector>

#include "common/check.h"

namespace migsched::sched {

inline constexpr std::uint32_t kNotInSet = 0xFFFFFFFF;

// A set of GPU indices in [0, universe).
class GpuSet {
 public:
  explicit GpuSet(std::size_t universe = 0) : position_(universe, kNotInSet) {}

  bool contains(std::uint32_t gpu) const { return position_[gpu] != kNotInSet; }
  bool empty() const { return members_.empty(); }
  std::size_t size() const { return members_.size(); }
  // The most recently inserted member; the set must not be empty.
  std::uint32_t Pick() const { return members_.back(); }
  const std::vector<std::uint32_t>& members() const { return members_; }

  void Insert(std::uint32_t gpu) {
    MIGSCHED_DCHECK(!contains(gpu));
    position_[gpu] = static_cast<std::uint32_t>(members_.size());
    members_.push_back(gpu);
  }
  void Erase(std::uint32_t gpu) {
    MIGSCHED_DCHECK(contains(gpu));
    const std::uint32_t at = position_[gpu];
    const std::uint32_t last = members_.back();
    members_[at] = last;
    position_[last] = at;
    members_.pop_back();
    position_[gpu] = kNotInSet;
  }

 private:
  std::vector<std::uint32_t> position_;  // per GPU: index in members_, or kNotInSet
  std::vector<std::uint32_t> members_;
};

// GPUs of one model partitioned by layout state: each GPU is in at most one
// bucket. The caller keeps each GPU's position in its bucket (in the GPU's own
// record, which a change loads anyway: a separate position array would cost a
// cache miss per change at 10^5 GPUs). Memory is the members only, whatever
// the number of states.
class StateBuckets {
 public:
  explicit StateBuckets(std::size_t states) : buckets_(states) {}

  bool empty(std::size_t state) const { return buckets_[state].empty(); }
  std::size_t size(std::size_t state) const { return buckets_[state].size(); }
  std::uint32_t Pick(std::size_t state) const { return buckets_[state].back(); }
  const std::vector<std::uint32_t>& members(std::size_t state) const { return buckets_[state]; }

  // Returns the GPU's position.
  std::uint32_t Insert(std::size_t state, std::uint32_t gpu) {
    buckets_[state].push_back(gpu);
    return static_cast<std::uint32_t>(buckets_[state].size() - 1);
  }
  // Removes the GPU at `position`; the bucket's last GPU takes its place and
  // is returned (its position is now `position`), or kNotInSet if the removed
  // GPU was the last.
  std::uint32_t Erase(std::size_t state, std::uint32_t gpu, std::uint32_t position) {
    std::vector<std::uint32_t>& bucket = buckets_[state];
    MIGSCHED_DCHECK(position < bucket.size() && bucket[position] == gpu);
    (void)gpu;
    const std::uint32_t last = bucket.back();
    bucket.pop_back();
    if (last == gpu) return kNotInSet;
    bucket[position] = last;
    return last;
  }

 private:
  std::vector<std::vector<std::uint32_t>> buckets_;
};

}  // namespace migsched::sched
