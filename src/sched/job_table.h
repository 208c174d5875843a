// JobTable: job id -> record, an open-addressing hash table with linear
// probing and backward-shift deletion. Each slot holds the id and its record
// together, aligned so that a slot of up to 64 bytes sits in one cache line:
// a lookup is one cache miss (at 10^5 jobs these misses are most of the
// scheduler's per-event cost), where separate key and record arrays
// cost two and std::unordered_map a node chase per bucket. Id 0 marks an
// empty slot; job ids start at 1.
//
// Ids are hashed (splitmix64), not used as slots: dense increasing ids with
// random departures would make one long probe run under linear probing (tried:
// an identity home slot was 8x slower at 10^5 jobs).
#pragma once

#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/check.h"
#include "common/huge_page_allocator.h"
#include "sched/request.h"

namespace migsched::sched {

template <typename V>
class JobTable {
 public:
  JobTable() : slots_(kInitialSlots) {}

  std::size_t size() const { return size_; }
  bool contains(JobId id) const { return Find(id) != nullptr; }

  // Starts loading the id's home slot, so that a Find or Emplace soon after
  // does not wait for memory while the caller has other work to do.
  void Prefetch(JobId id) const { __builtin_prefetch(&slots_[Home(id)]); }

  V* Find(JobId id) { return const_cast<V*>(std::as_const(*this).Find(id)); }
  const V* Find(JobId id) const {
    for (std::size_t i = Home(id);; i = (i + 1) & mask()) {
      if (slots_[i].id == id) return &slots_[i].value;
      if (slots_[i].id == 0) return nullptr;
    }
  }

  // Calls f(id, record) for every job, in slot order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& slot : slots_) {
      if (slot.id != 0) f(slot.id, slot.value);
    }
  }

  // A default record for a new id; invalidates pointers to other records.
  V& Emplace(JobId id) {
    MIGSCHED_CHECK(id != 0);
    if (2 * (size_ + 1) > slots_.size()) Grow();
    ++size_;
    return Place(id, V{});
  }

  void Erase(JobId id) {
    std::size_t hole = Home(id);
    while (slots_[hole].id != id) {
      MIGSCHED_CHECK(slots_[hole].id != 0);
      hole = (hole + 1) & mask();
    }
    // Shift later entries of the probe run back into the hole.
    for (std::size_t next = (hole + 1) & mask(); slots_[next].id != 0; next = (next + 1) & mask()) {
      const std::size_t home = Home(slots_[next].id);
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

  // A slot of up to 64 bytes is aligned to its power-of-two size, so that it
  // never straddles two cache lines (one miss per lookup, not two).
  static constexpr std::size_t kSlotBytes = sizeof(JobId) + sizeof(V);
  static constexpr std::size_t kSlotAlign =
      kSlotBytes <= 64 ? std::bit_ceil(kSlotBytes) : alignof(JobId);
  struct alignas(kSlotAlign) Slot {
    JobId id = 0;
    V value{};
  };
  using Slots = std::vector<Slot, HugePageAllocator<Slot>>;

  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t Home(JobId id) const {
    std::uint64_t x = id + 0x9E3779B97F4A7C15ull;  // splitmix64 finaliser
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::size_t>(x ^ (x >> 31)) & mask();
  }
  V& Place(JobId id, V value) {
    std::size_t i = Home(id);
    while (slots_[i].id != 0) {
      MIGSCHED_CHECK(slots_[i].id != id);  // the id's run is walked anyway
      i = (i + 1) & mask();
    }
    slots_[i].id = id;
    slots_[i].value = std::move(value);
    return slots_[i].value;
  }
  void Grow() {
    Slots old = std::move(slots_);
    slots_.clear();
    slots_.resize(old.size() * 2);
    for (Slot& slot : old) {
      if (slot.id != 0) Place(slot.id, std::move(slot.value));
    }
  }

  Slots slots_;
  std::size_t size_ = 0;
};

}  // namespace migsched::sched
