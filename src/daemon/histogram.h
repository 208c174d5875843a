// Histogram and Counter: the live metrics serve's threads update and /metrics
// reads. Observing is lock-free (a few atomic adds), so the scheduler thread
// and the HTTP handlers never wait on a scrape. A snapshot is consistent: its
// bucket counts add up to its count, and its sum covers exactly those
// observations, even while other threads observe (the hot/cold pair of
// Prometheus' Go client: a snapshot flips which half new observations go to,
// waits for the ones already begun in the other half, reads it, and folds it
// back into the new hot half).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace migsched::daemon {

// What a histogram holds at one moment. counts[i] is the number of
// observations in (upper_bounds[i-1], upper_bounds[i]] (not cumulative);
// counts.back() is the +Inf bucket, so counts has one more entry than
// upper_bounds.
struct HistogramSnapshot {
  std::vector<double> upper_bounds;
  std::vector<uint64_t> counts;
  double sum = 0;
  uint64_t count = 0;
};

class Histogram {
 public:
  // `upper_bounds` strictly increasing and finite (+Inf is implied); a
  // violation is a programmer's bug (bounds are constants in the code).
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts `value` in the first bucket whose upper bound is >= value (NaN
  // goes to +Inf and makes the sum NaN, as in Prometheus' clients).
  void Observe(double value);

  // Consistent; snapshots are serialised among themselves, never with Observe.
  HistogramSnapshot Snapshot() const;

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  struct Half {
    explicit Half(size_t buckets) : counts(buckets) {}
    std::vector<std::atomic<uint64_t>> counts;
    std::atomic<double> sum{0};
    std::atomic<uint64_t> finished{0};  // observations fully recorded here
  };
  static constexpr uint64_t kHotBit = uint64_t{1} << 63;

  const std::vector<double> upper_bounds_;
  // Bit 63: the half new observations go to; the rest: observations begun.
  mutable std::atomic<uint64_t> begun_and_hot_{0};
  mutable std::array<std::unique_ptr<Half>, 2> halves_;
  mutable std::mutex snapshot_mutex_;
};

// A monotonically increasing count (requests served, jobs finished).
class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace migsched::daemon
