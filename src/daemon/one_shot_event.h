// OneShotEvent: set once; any number of threads wait for it, and Set wakes
// them all with ONE futex call. The scheduler thread ends each batch with one
// Set instead of one wake-up call per request (a promise per request cost the
// serial thread a syscall each, most of its time after the commit itself).
//
// Linux futexes directly: std::atomic::wait in libstdc++ 12 first spins with
// sched_yield calls, which on a busy machine costs more than the sleep.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

namespace migsched::daemon {

class OneShotEvent {
 public:
  void Wait() {
    while (state_.load(std::memory_order_acquire) == kUnset) {
      // Returns at once when state_ is no longer kUnset; spurious returns loop.
      syscall(SYS_futex, &state_, FUTEX_WAIT_PRIVATE, kUnset, nullptr, nullptr, 0);
    }
  }
  void Set() {
    state_.store(kSet, std::memory_order_release);
    syscall(SYS_futex, &state_, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
  }

 private:
  static constexpr std::uint32_t kUnset = 0, kSet = 1;
  static_assert(sizeof(std::atomic<std::uint32_t>) == 4, "a futex word is 32 bits");
  std::atomic<std::uint32_t> state_{kUnset};
};

}  // namespace migsched::daemon
