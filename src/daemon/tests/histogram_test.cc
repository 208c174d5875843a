#include "daemon/histogram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>
#include <vector>

namespace migsched::daemon {
namespace {

using ::testing::ElementsAre;

TEST(HistogramTest, CountsEachValueInTheFirstBucketThatHoldsIt) {
  Histogram histogram({0.5, 1, 5});
  for (double v : {0.1, 0.5, 0.7, 1.0, 4.0, 5.0, 5.5, 100.0}) histogram.Observe(v);
  const HistogramSnapshot snapshot = histogram.Snapshot();
  EXPECT_THAT(snapshot.upper_bounds, ElementsAre(0.5, 1, 5));
  EXPECT_THAT(snapshot.counts, ElementsAre(2, 2, 2, 2));  // bounds are inclusive
  EXPECT_EQ(snapshot.count, 8u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 116.8);
}

TEST(HistogramTest, SnapshotsDoNotLoseOrRepeatObservations) {
  Histogram histogram({1});
  histogram.Observe(0.5);
  EXPECT_EQ(histogram.Snapshot().count, 1u);
  histogram.Observe(2);
  const HistogramSnapshot second = histogram.Snapshot();
  EXPECT_THAT(second.counts, ElementsAre(1, 1));
  EXPECT_EQ(second.count, 2u);
  EXPECT_DOUBLE_EQ(second.sum, 2.5);
  const HistogramSnapshot third = histogram.Snapshot();
  EXPECT_THAT(third.counts, ElementsAre(1, 1));
  EXPECT_DOUBLE_EQ(third.sum, 2.5);
}

TEST(HistogramTest, InfinitiesAndNanGoToTheEndBuckets) {
  Histogram histogram({1});
  histogram.Observe(-std::numeric_limits<double>::infinity());
  histogram.Observe(std::numeric_limits<double>::infinity());
  histogram.Observe(std::nan(""));
  const HistogramSnapshot snapshot = histogram.Snapshot();
  EXPECT_THAT(snapshot.counts, ElementsAre(1, 2));
  EXPECT_TRUE(std::isnan(snapshot.sum));
}

// Every snapshot taken while four threads observe must agree with itself:
// its buckets add up to its count, and (each observation being 1) its sum is
// its count. Counts never go back, and the last one sees every observation.
TEST(HistogramTest, SnapshotsAreConsistentWhileOtherThreadsObserve) {
  constexpr int kThreads = 3;
  constexpr int kEach = 200000;
  Histogram histogram({0.5, 1, 2});
  std::atomic<bool> go{false};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kEach; ++i) histogram.Observe(1.0);
      ++done;
    });
  }
  go = true;
  uint64_t last = 0;
  int inconsistent = 0;
  int snapshots = 0;
  while (done.load() < kThreads) {
    ++snapshots;
    const HistogramSnapshot s = histogram.Snapshot();
    const uint64_t total = std::accumulate(s.counts.begin(), s.counts.end(), uint64_t{0});
    if (total != s.count || s.sum != static_cast<double>(s.count) || s.counts[1] != s.count || s.count < last) {
      ++inconsistent;
    }
    last = s.count;
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(inconsistent, 0) << "of " << snapshots << " snapshots";
  const HistogramSnapshot final_snapshot = histogram.Snapshot();
  EXPECT_EQ(final_snapshot.count, uint64_t{kThreads} * kEach);
  EXPECT_EQ(final_snapshot.counts[1], uint64_t{kThreads} * kEach);
  EXPECT_EQ(final_snapshot.sum, double{kThreads} * kEach);
}

TEST(CounterTest, AddsUp) {
  Counter counter;
  counter.Increment();
  counter.Increment(41);
  EXPECT_EQ(counter.Value(), 42u);
}

}  // namespace
}  // namespace migsched::daemon
