#include "plan/profile_fit.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/catalog_fixture.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::Gpu;

std::string Mapped(const geometry::GpuModel& model, int milli, int64_t memory_mib = 0) {
  const std::optional<int> profile = SmallestFittingProfile(model, NeedOfShare(model, milli, memory_mib));
  return profile ? model.profiles[static_cast<size_t>(*profile)].name : "none";
}

TEST(ProfileFitTest, ShareNeedsItsComputeAndMemoryOnH100) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ(Mapped(h100, 1), "1g.10gb");
  EXPECT_EQ(Mapped(h100, 100), "1g.10gb");
  EXPECT_EQ(Mapped(h100, 125), "1g.10gb");  // exactly 1/8 of memory
  EXPECT_EQ(Mapped(h100, 140), "1g.20gb");  // 1/7 compute covers, 1/8 memory does not
  EXPECT_EQ(Mapped(h100, 250), "2g.20gb");
  EXPECT_EQ(Mapped(h100, 420), "3g.40gb");
  EXPECT_EQ(Mapped(h100, 460), "4g.40gb");  // 3/7 = 0.43 < 0.46
  EXPECT_EQ(Mapped(h100, 500), "4g.40gb");
  EXPECT_EQ(Mapped(h100, 501), "7g.80gb");  // 4/7 compute covers, 4/8 memory does not
  EXPECT_EQ(Mapped(h100, 650), "7g.80gb");
  EXPECT_EQ(Mapped(h100, 1000), "7g.80gb");
}

TEST(ProfileFitTest, StatedMemoryReplacesTheMemoryShare) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ(Mapped(h100, 100, 18 * 1024), "1g.20gb");
  EXPECT_EQ(Mapped(h100, 100, 30 * 1024), "3g.40gb");  // 2g.20gb has too little memory
  EXPECT_EQ(Mapped(h100, 100, 200 * 1024), "none");
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_EQ(Mapped(a100, 100), "1g.5gb");
  EXPECT_EQ(Mapped(a100, 300), "3g.20gb");  // 2/7 = 0.29 < 0.30
}

TEST(ProfileFitTest, FewestComputeSlicesThenLeastMemory) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  // 11 GiB: 1g.20gb (1 compute slice) beats 2g.20gb (2).
  const std::optional<int> profile =
      SmallestFittingProfile(h100, ProfileNeed{.compute_slices = 0, .memory_slices = 0, .memory_mib = 11 * 1024});
  ASSERT_TRUE(profile);
  EXPECT_EQ(h100.profiles[static_cast<size_t>(*profile)].name, "1g.20gb");
  EXPECT_TRUE(IsWholeGpuProfile(h100, *SmallestFittingProfile(h100, NeedOfShare(h100, 550, 0))));
  EXPECT_FALSE(IsWholeGpuProfile(h100, *profile));
}

}  // namespace
}  // namespace migsched::plan
