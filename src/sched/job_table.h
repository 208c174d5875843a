// JobTable: job id -> record, an open-addressing hash table with linear
// probing and backward-shift deletion. Records live in the slot array itself,
// so a lookup touches one place in memory (std::unordered_map chases a node
// pointer), which is what the scheduler's per-event cost is made of at 10^5
// jobs. Id 0 marks an empty slot; job ids start at 1.
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
  JobTable() { slots_.resize(kInitialSlots); }

  std::size_t size() const { return size_; }
  bool contains(JobId id) const { return Find(id) != nullptr; }

  V* Find(JobId id) { return const_cast<V*>(std::as_const(*this).Find(id)); }
  const V* Find(JobId id) const {
    for (std::size_t i = Home(id);; i = (i + 1) & mask()) {
      if (slots_[i].key == id) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }

  // A default record for a new id; invalidates pointers to other records.
  V& Emplace(JobId id) {
    MIGSCHED_CHECK(id != 0 && !contains(id));
    if (2 * (size_ + 1) > slots_.size()) Grow();
    ++size_;
    return Place(id, V{});
  }

  void Erase(JobId id) {
    std::size_t hole = Home(id);
    while (slots_[hole].key != id) {
      MIGSCHED_CHECK(slots_[hole].key != 0);
      hole = (hole + 1) & mask();
    }
    // Shift later entries of the probe run back into the hole.
    for (std::size_t next = (hole + 1) & mask(); slots_[next].key != 0; next = (next + 1) & mask()) {
      const std::size_t home = Home(slots_[next].key);
      const bool movable = hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
      if (!movable) continue;
      slots_[hole] = std::move(slots_[next]);
      hole = next;
    }
    slots_[hole] = Slot{};
    --size_;
  }

 private:
  static constexpr std::size_t kInitialSlots = 64;  // a power of two
  struct Slot {
    JobId key = 0;
    V value{};
  };

  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t Home(JobId id) const {
    std::uint64_t x = id + 0x9E3779B97F4A7C15ull;  // splitmix64 finaliser
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(x ^ (x >> 31)) & mask();
  }
  V& Place(JobId id, V value) {
    std::size_t i = Home(id);
    while (slots_[i].key != 0) i = (i + 1) & mask();
    slots_[i] = Slot{id, std::move(value)};
    return slots_[i].value;
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.size() * 2);
    for (Slot& slot : old) {
      if (slot.key != 0) Place(slot.key, std::move(slot.value));
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace migsched::sched
