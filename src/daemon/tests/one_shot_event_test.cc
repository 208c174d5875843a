#include "daemon/one_shot_event.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace migsched::daemon {
namespace {

TEST(OneShotEventTest, WaitAfterSetReturnsAtOnce) {
  OneShotEvent event;
  event.Set();
  event.Wait();
  event.Wait();
}

// Every waiter, asleep or not yet asleep when Set comes, returns, and sees
// what was written before Set (the batch's results in the callers' frames).
TEST(OneShotEventTest, SetReleasesEveryWaiterAndPublishesEarlierWrites) {
  constexpr int kWaiters = 32;
  OneShotEvent event;
  int result = 0;  // written before Set, read after Wait: no atomics needed
  std::atomic<int> started{0}, seen{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&] {
      started.fetch_add(1);
      event.Wait();
      if (result == 42) seen.fetch_add(1);
    });
  }
  while (started.load() < kWaiters / 2) std::this_thread::yield();  // some wait before Set, some after
  result = 42;
  event.Set();
  for (std::thread& t : waiters) t.join();
  EXPECT_EQ(seen.load(), kWaiters);
}

}  // namespace
}  // namespace migsched::daemon
