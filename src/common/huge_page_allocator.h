// HugePageAllocator: a std::allocator for the scheduler's few large,
// randomly accessed tables (job slots, GPU records). Allocations of 2 MiB or
// more are aligned to 2 MiB and, on Linux, advised to use transparent huge
// pages. At 10^5 GPUs those tables span ~20 MB, far more than the TLB maps
// with 4 KiB pages, so most random accesses (and the prefetches that hide
// them) also paid a page walk. Only a hint: where the kernel gives no huge
// pages, this is plain aligned memory.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace migsched {

template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  explicit HugePageAllocator(const HugePageAllocator<U>& /*rebound*/) noexcept {}

  T* allocate(std::size_t n) {
    if (n * sizeof(T) < kHugePage) return std::allocator<T>().allocate(n);
    const std::size_t bytes = RoundedBytes(n);
    void* p = std::aligned_alloc(kHugePage, bytes);
    if (p == nullptr) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE);  // a hint: on failure the pages stay small
#endif
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kHugePage) {
      std::allocator<T>().deallocate(p, n);
    } else {
      std::free(p);
    }
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const noexcept { return true; }

 private:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static std::size_t RoundedBytes(std::size_t n) {
    return (n * sizeof(T) + kHugePage - 1) / kHugePage * kHugePage;
  }
};

}  // namespace migsched
