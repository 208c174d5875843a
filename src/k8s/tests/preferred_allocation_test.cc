#include "k8s/preferred_allocation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace migsched::k8s {
namespace {

using ::testing::ElementsAre;

// A (GPU 0, 5 spare slices), B (GPU 1, 1 spare), C (GPU 1, 1 spare, reserved), D (GPU 1 too, later start).
const std::vector<PluginDevice> kDevices{
    {.id = "A", .gpu = 0, .start = 0, .reserved = false, .gpu_spare_slices = 5},
    {.id = "B", .gpu = 1, .start = 0, .reserved = false, .gpu_spare_slices = 1},
    {.id = "C", .gpu = 1, .start = 1, .reserved = true, .gpu_spare_slices = 1},
    {.id = "D", .gpu = 1, .start = 2, .reserved = false, .gpu_spare_slices = 1},
};

TEST(PreferredAllocation, ReservedFirstThenTheFullestGpu) {
  EXPECT_THAT(PreferredAllocation({.available = {"A", "B", "C", "D"}, .must_include = {}, .size = 2}, kDevices),
              ElementsAre("C", "B"));
  EXPECT_THAT(PreferredAllocation({.available = {"D", "A", "B"}, .must_include = {}, .size = 3}, kDevices),
              ElementsAre("B", "D", "A"));
}

TEST(PreferredAllocation, MustIncludeComesFirstAndCounts) {
  EXPECT_THAT(PreferredAllocation({.available = {"A", "B", "C"}, .must_include = {"A"}, .size = 2}, kDevices),
              ElementsAre("A", "C"));
}

TEST(PreferredAllocation, UnknownIdsLastAndNeverMoreThanAvailable) {
  EXPECT_THAT(PreferredAllocation({.available = {"Z", "A", "A"}, .must_include = {}, .size = 5}, kDevices),
              ElementsAre("A", "Z"));
  EXPECT_THAT(PreferredAllocation({.available = {"A"}, .must_include = {}, .size = 0}, kDevices),
              ::testing::IsEmpty());
}

}  // namespace
}  // namespace migsched::k8s
