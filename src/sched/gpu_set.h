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
// bucket. Memory is one slot per GPU plus the members, whatever the number of
// states.
class StateBuckets {
 public:
  StateBuckets(std::size_t states, std::size_t universe)
      : buckets_(states), position_(universe, kNotInSet) {}

  bool empty(std::size_t state) const { return buckets_[state].empty(); }
  std::size_t size(std::size_t state) const { return buckets_[state].size(); }
  std::uint32_t Pick(std::size_t state) const { return buckets_[state].back(); }
  const std::vector<std::uint32_t>& members(std::size_t state) const { return buckets_[state]; }

  void Insert(std::size_t state, std::uint32_t gpu) {
    MIGSCHED_DCHECK(position_[gpu] == kNotInSet);
    position_[gpu] = static_cast<std::uint32_t>(buckets_[state].size());
    buckets_[state].push_back(gpu);
  }
  void Erase(std::size_t state, std::uint32_t gpu) {
    std::vector<std::uint32_t>& bucket = buckets_[state];
    const std::uint32_t at = position_[gpu];
    MIGSCHED_DCHECK(at < bucket.size() && bucket[at] == gpu);
    const std::uint32_t last = bucket.back();
    bucket[at] = last;
    position_[last] = at;
    bucket.pop_back();
    position_[gpu] = kNotInSet;
  }

 private:
  std::vector<std::vector<std::uint32_t>> buckets_;
  std::vector<std::uint32_t> position_;
};

}  // namespace migsched::sched
