#include "plan/config_packing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::IsOk;

// One model, two items (a "half" and a "quarter"): configs {2,0}, {1,2}, {0,4}.
PackingProblem HalvesAndQuarters(int64_t gpus, int64_t halves, int64_t quarters) {
  PackingProblem p;
  p.models.push_back(
      PackingModel{.gpus = gpus, .items = 2, .configs = {{2, 0}, {1, 2}, {0, 4}}, .item_sizes = {2, 1}});
  p.classes.push_back(PackingClass{.replicas = halves, .options = {{0, 0}}, .penalty = 2});
  p.classes.push_back(PackingClass{.replicas = quarters, .options = {{0, 1}}, .penalty = 2});
  return p;
}

TEST(ConfigPackingTest, ExactOptimumWithLpBound) {
  // 3 halves + 3 quarters = 2.25 GPUs of capacity: 3 GPUs needed.
  Result<PackingSolution> s = SolvePacking(HalvesAndQuarters(10, 3, 3), {});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->gpus, 3);
  EXPECT_TRUE(s->optimal);
  EXPECT_EQ(s->method, "milp-optimal");
  EXPECT_NEAR(s->lp_bound, 2.25, 1e-6);
  EXPECT_EQ(s->unplaced[0] + s->unplaced[1], 0);
}

TEST(ConfigPackingTest, OutOfGpusLeavesReplicasUnplaced) {
  Result<PackingSolution> s = SolvePacking(HalvesAndQuarters(1, 3, 0), {});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->gpus, 1);
  EXPECT_EQ(s->assigned[0][0], 2);
  EXPECT_EQ(s->unplaced[0], 1);
}

TEST(ConfigPackingTest, HeuristicCoversEverythingNearTheBound) {
  Result<PackingSolution> s =
      SolvePacking(HalvesAndQuarters(1000000, 33333, 77777),
                   {.method = PackingMethod::kHeuristic, .time_limit_ms = 1000});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->unplaced[0] + s->unplaced[1], 0);
  EXPECT_EQ(s->assigned[0][0], 33333);
  EXPECT_GE(static_cast<double>(s->gpus), s->lp_bound);
  EXPECT_LE(static_cast<double>(s->gpus), s->lp_bound + 2);
}

TEST(ConfigPackingTest, ClassSplitsAcrossModelsWhenOneRunsOut) {
  PackingProblem p;
  p.models.push_back(PackingModel{.gpus = 1, .items = 1, .configs = {{2}}, .item_sizes = {1}});
  p.models.push_back(PackingModel{.gpus = 5, .items = 1, .configs = {{1}}, .item_sizes = {1}});
  p.classes.push_back(PackingClass{.replicas = 4, .options = {{0, 0}, {1, 0}}, .penalty = 2});
  Result<PackingSolution> s = SolvePacking(p, {});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->gpus, 3);  // one GPU holding 2, two holding 1
  EXPECT_EQ(s->assigned[0][0], 2);
  EXPECT_EQ(s->assigned[0][1], 2);
}

}  // namespace
}  // namespace migsched::plan
