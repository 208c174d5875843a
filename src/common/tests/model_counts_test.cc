#include "common/model_counts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

TEST(ModelCountsTest, ParsesModelsInOrderWithColonsInTheName) {
  Result<std::vector<ModelCount>> counts = ParseModelCounts("A100-40GB:2,weird:name:1", "fleet", 10);
  ASSERT_THAT(counts, IsOk());
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].model, "A100-40GB");
  EXPECT_EQ((*counts)[0].count, 2);
  EXPECT_EQ((*counts)[1].model, "weird:name");
  EXPECT_EQ((*counts)[1].count, 1);
}

// Issue 14 point 5: `fake-nvml init --gpus A100-40GB:-3` had its own parser,
// which took a negative count; simulate --fleet had another. One rule now.
TEST(ModelCountsTest, Issue14OneRuleForEveryBadItem) {
  using enum StatusCode;
  EXPECT_THAT(ParseModelCounts("A100-40GB:-3", "--gpus list", 64),
              HasError(kInvalidArgument, "--gpus list: count in 'A100-40GB:-3' must be 1..64"));
  for (const char* bad : {"A100-40GB:0", "A100-40GB:65", "A100-40GB:x", "A100-40GB:", "A100-40GB: 2"}) {
    EXPECT_THAT(ParseModelCounts(bad, "fleet spec", 64), HasError(kInvalidArgument, "must be 1..64")) << bad;
  }
  for (const char* bad : {"A100-40GB", ":3"}) {
    EXPECT_THAT(ParseModelCounts(bad, "fleet spec", 64), HasError(kInvalidArgument, "is not MODEL:COUNT"))
        << bad;
  }
  EXPECT_THAT(ParseModelCounts("", "fleet spec", 64), HasError(kInvalidArgument, "empty fleet spec"));
  for (const char* bad : {"A30:1,", ",A30:1", "A30:1,,A30:1"}) {
    EXPECT_THAT(ParseModelCounts(bad, "fleet spec", 64),
                HasError(kInvalidArgument, "empty item in the fleet spec (a stray ',')"))
        << bad;
  }
}

}  // namespace
}  // namespace migsched
