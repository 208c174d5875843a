#include "plan/config_packing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::IsOk;

// One model, two items (a "half" and a "quarter"): configs {2,0}, {1,2}, {0,4}.
PackingProblem HalvesAndQuarters(int64_t gpus, int64_t halves, int64_t quarters) {
  PackingProblem p;
  p.models.push_back(
      PackingModel{.gpus = gpus, .items = 2, .configs = {{2, 0}, {1, 2}, {0, 4}}, .item_sizes = {2, 1}});
  p.classes.push_back(PackingClass{.replicas = halves, .options = {{0, 0}}, .priority = 0});
  p.classes.push_back(PackingClass{.replicas = quarters, .options = {{0, 1}}, .priority = 0});
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
  p.classes.push_back(PackingClass{.replicas = 4, .options = {{0, 0}, {1, 0}}, .priority = 0});
  Result<PackingSolution> s = SolvePacking(p, {});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->gpus, 3);  // one GPU holding 2, two holding 1
  EXPECT_EQ(s->assigned[0][0], 2);
  EXPECT_EQ(s->assigned[0][1], 2);
}

TEST(ConfigPackingTest, HeuristicMovesReplicasOffAFullModel) {
  // A small dense model (3 items per GPU) and a large sparse one; classes may
  // use either. Whatever the LP's fractions, the heuristic must not leave
  // replicas out while the large model has GPUs to spare.
  std::mt19937 rng(11);
  for (int round = 0; round < 50; ++round) {
    PackingProblem p;
    p.models.push_back(PackingModel{.gpus = static_cast<int64_t>(1 + rng() % 3), .items = 2,
                                    .configs = {{3, 0}, {1, 1}, {0, 2}}, .item_sizes = {1, 2}});
    p.models.push_back(
        PackingModel{.gpus = 1000, .items = 2, .configs = {{1, 0}, {0, 1}}, .item_sizes = {1, 2}});
    for (int k = 0; k < 3; ++k) {
      const int item = k % 2;
      p.classes.push_back(PackingClass{.replicas = static_cast<int64_t>(1 + rng() % 9),
                                       .options = {{0, item}, {1, item}}, .priority = 0});
    }
    Result<PackingSolution> s = SolvePacking(p, {.method = PackingMethod::kHeuristic, .time_limit_ms = 1000});
    ASSERT_THAT(s, IsOk());
    for (size_t k = 0; k < p.classes.size(); ++k) {
      EXPECT_EQ(s->unplaced[k], 0) << "round " << round << " class " << k;
      EXPECT_EQ(s->assigned[k][0] + s->assigned[k][1], p.classes[k].replicas);
    }
    EXPECT_LE(s->config_counts[0][0] + s->config_counts[0][1] + s->config_counts[0][2], p.models[0].gpus);
  }
}

}  // namespace
}  // namespace migsched::plan
