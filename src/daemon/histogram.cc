#include "daemon/histogram.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "common/check.h"

namespace migsched::daemon {

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    MIGSCHED_CHECK(std::isfinite(upper_bounds_[i]));
    MIGSCHED_CHECK(i == 0 || upper_bounds_[i - 1] < upper_bounds_[i]);
  }
  for (auto& half : halves_) half = std::make_unique<Half>(upper_bounds_.size() + 1);
}

void Histogram::Observe(double value) {
  // lower_bound: the first bound >= value; NaN compares false everywhere and
  // lands past the end, in +Inf.
  const size_t bucket = std::isnan(value)
                            ? upper_bounds_.size()
                            : static_cast<size_t>(std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                                                  upper_bounds_.begin());
  const uint64_t begun = begun_and_hot_.fetch_add(1, std::memory_order_acquire);
  Half& half = *halves_[begun >> 63];
  half.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  half.sum.fetch_add(value, std::memory_order_relaxed);
  half.finished.fetch_add(1, std::memory_order_release);
}

HistogramSnapshot Histogram::Snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  // Flip the hot bit: observations from now on go to the other half. Every
  // observation begun before the flip is in the old half, which holds all
  // earlier ones too (each snapshot folds the cold half into the hot one).
  const uint64_t flipped = begun_and_hot_.fetch_add(kHotBit, std::memory_order_acq_rel);
  const uint64_t begun = flipped & ~kHotBit;
  Half& cold = *halves_[flipped >> 63];
  Half& hot = *halves_[(flipped >> 63) ^ 1];
  while (cold.finished.load(std::memory_order_acquire) != begun) std::this_thread::yield();

  HistogramSnapshot snapshot{.upper_bounds = upper_bounds_,
                             .counts = std::vector<uint64_t>(cold.counts.size()),
                             .sum = cold.sum.load(std::memory_order_relaxed),
                             .count = begun};
  for (size_t i = 0; i < cold.counts.size(); ++i) {
    snapshot.counts[i] = cold.counts[i].exchange(0, std::memory_order_relaxed);
    hot.counts[i].fetch_add(snapshot.counts[i], std::memory_order_relaxed);
  }
  cold.sum.store(0, std::memory_order_relaxed);
  hot.sum.fetch_add(snapshot.sum, std::memory_order_relaxed);
  cold.finished.store(0, std::memory_order_relaxed);
  hot.finished.fetch_add(begun, std::memory_order_release);
  return snapshot;
}

}  // namespace migsched::daemon
