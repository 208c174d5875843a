// JobTable: job id -> record, an open-addressing hash table with linear
// probing and backward-shift deletion. Keys sit in their own dense array (8
// bytes a slot, so probing stays in cache) and records in a parallel one: a
// lookup touches the key array and then one record, where std::unordered_map
// chases a node per bucket. At 10^5 jobs these misses are most of the
// scheduler's per-event cost. Id 0 marks an empty slot; job ids start at 1.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "common/check.h"
#include "sched/request.h"

namespace migsched::sched {

template <typename V>
class JobTable {
 public:
  JobTable() : keys_(kInitialSlots, 0), values_(kInitialSlots) {}

  std::size_t size() const { return size_; }
  bool contains(JobId id) const { return Find(id) != nullptr; }

  V* Find(JobId id) { return const_cast<V*>(std::as_const(*this).Find(id)); }
  const V* Find(JobId id) const {
    for (std::size_t i = Home(id);; i = (i + 1) & mask()) {
      if (keys_[i] == id) return &values_[i];
      if (keys_[i] == 0) return nullptr;
    }
  }

  // A default record for a new id; invalidates pointers to other records.
  V& Emplace(JobId id) {
    MIGSCHED_CHECK(id != 0 && !contains(id));
    if (2 * (size_ + 1) > keys_.size()) Grow();
    ++size_;
    return Place(id, V{});
  }

  void Erase(JobId id) {
    std::size_t hole = Home(id);
    while (keys_[hole] != id) {
      MIGSCHED_CHECK(keys_[hole] != 0);
      hole = (hole + 1) & mask();
    }
    // Shift later entries of the probe run back into the hole.
    for (std::size_t next = (hole + 1) & mask(); keys_[next] != 0; next = (next + 1) & mask()) {
      const std::size_t home = Home(keys_[next]);
      const bool movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
      if (!movable) continue;
      keys_[hole] = keys_[next];
      values_[hole] = std::move(values_[next]);
      hole = next;
    }
    keys_[hole] = 0;
    values_[hole] = V{};
    --size_;
  }

 private:
  static constexpr std::size_t kInitialSlots = 64;  // a power of two

  std::size_t mask() const { return keys_.size() - 1; }
  std::size_t Home(JobId id) const {
    std::uint64_t x = id + 0x9E3779B97F4A7C15ull;  // splitmix64 finaliser
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(x ^ (x >> 31)) & mask();
  }
  V& Place(JobId id, V value) {
    std::size_t i = Home(id);
    while (keys_[i] != 0) i = (i + 1) & mask();
    keys_[i] = id;
    values_[i] = std::move(value);
    return values_[i];
  }
  void Grow() {
    std::vector<JobId> old_keys = std::move(keys_);
    std::vector<V> old_values = std::move(values_);
    keys_.assign(old_keys.size() * 2, 0);
    values_.clear();
    values_.resize(old_keys.size() * 2);
    for (std::size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] != 0) Place(old_keys[i], std::move(old_values[i]));
    }
  }

  std::vector<JobId> keys_;
  std::vector<V> values_;
  std::size_t size_ = 0;
};

}  // namespace migsched::sched
