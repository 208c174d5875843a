#include "common/huge_page_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace migsched {
namespace {

TEST(HugePageAllocatorTest, LargeBlocksAreAlignedToHugePages) {
  HugePageAllocator<std::uint64_t> allocator;
  const std::size_t n = (std::size_t{3} << 20) / sizeof(std::uint64_t);  // 3 MiB
  std::uint64_t* p = allocator.allocate(n);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % (std::size_t{2} << 20), 0u);
  p[0] = 1;
  p[n - 1] = 2;  // the whole block is usable (ASan checks the bounds)
  allocator.deallocate(p, n);
}

// A vector that grows from small blocks through the huge-page threshold
// keeps its contents.
TEST(HugePageAllocatorTest, GrowingVectorKeepsItsValues) {
  std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> values;
  const std::uint32_t count = 1u << 20;  // ends at 4 MiB
  for (std::uint32_t i = 0; i < count; ++i) values.push_back(i * 3);
  for (std::uint32_t i = 0; i < count; i += 4099) ASSERT_EQ(values[i], i * 3);
  std::vector<std::uint32_t, HugePageAllocator<std::uint32_t>> copy = values;
  EXPECT_EQ(copy, values);
}

}  // namespace
}  // namespace migsched
