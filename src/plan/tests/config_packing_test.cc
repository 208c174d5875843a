#include "plan/config_packing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
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

// Issue 16 point 5: 60 distinct priorities on too few GPUs (each level
// three halves or three quarters; 67.5 GPUs' worth on 30).
PackingProblem ManyLevelsOnTooFewGpus() {
  PackingProblem p = HalvesAndQuarters(30, 0, 0);
  p.classes.clear();
  for (int level = 0; level < 60; ++level) {
    p.classes.push_back(PackingClass{.replicas = 3, .options = {{0, level % 2}}, .priority = level});
  }
  return p;
}

// A clock that moves `step_ms` each time it is read, and counts the reads.
struct SteppingClock {
  int64_t step_ms = 1;
  int64_t now_ms = 0;
  int reads = 0;
  std::function<int64_t()> Reader() {
    return [this] {
      ++reads;
      return now_ms += step_ms;
    };
  }
};

void ExpectConserved(const PackingProblem& p, const PackingSolution& s) {
  int64_t gpus = 0;
  for (int64_t n : s.config_counts[0]) gpus += n;
  EXPECT_EQ(gpus, s.gpus);
  EXPECT_LE(s.gpus, p.models[0].gpus);
  int64_t halves = 0;
  int64_t quarters = 0;
  for (size_t k = 0; k < p.classes.size(); ++k) {
    EXPECT_EQ(s.assigned[k][0] + s.unplaced[k], p.classes[k].replicas) << "class " << k;
    (p.classes[k].options[0].item == 0 ? halves : quarters) += s.assigned[k][0];
  }
  const std::vector<std::vector<int>>& configs = p.models[0].configs;
  int64_t half_room = 0;
  int64_t quarter_room = 0;
  for (size_t c = 0; c < configs.size(); ++c) {
    half_room += s.config_counts[0][c] * configs[c][0];
    quarter_room += s.config_counts[0][c] * configs[c][1];
  }
  EXPECT_LE(halves, half_room);
  EXPECT_LE(quarters, quarter_room);
}

TEST(ConfigPackingTest, Issue16TimeLimitEndsTheLevelsWithTheBestPlanSoFar) {
  const PackingProblem p = ManyLevelsOnTooFewGpus();
  SteppingClock clock;
  Result<PackingSolution> s = SolvePacking(p, {.time_limit_ms = 30, .now_ms = clock.Reader()});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->method, "milp-time-limit");
  EXPECT_FALSE(s->optimal);
  EXPECT_EQ(s->lp_bound, 0);  // not computed: no time left
  // No program starts once the budget is spent: a few reads per program,
  // none after, whatever the number of levels.
  EXPECT_LE(clock.reads, 32);
  ExpectConserved(p, *s);
  // The levels solved keep their replicas; the room left is filled.
  EXPECT_EQ(s->unplaced[59], 0);
  EXPECT_EQ(s->unplaced[58], 0);
  EXPECT_EQ(s->gpus, 30);

  Result<PackingSolution> unlimited = SolvePacking(p, {});
  ASSERT_THAT(unlimited, IsOk());
  EXPECT_EQ(unlimited->method, "milp-optimal");
}

TEST(ConfigPackingTest, Issue16SpentBudgetStillGivesAPlanWithoutAnyProgram) {
  const PackingProblem p = ManyLevelsOnTooFewGpus();
  SteppingClock clock{.step_ms = 1000};
  Result<PackingSolution> s = SolvePacking(p, {.time_limit_ms = 1, .now_ms = clock.Reader()});
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->method, "milp-time-limit");
  EXPECT_FALSE(s->optimal);
  EXPECT_EQ(s->lp_bound, 0);
  EXPECT_LE(clock.reads, 4);
  ExpectConserved(p, *s);
  EXPECT_EQ(s->gpus, 30);
}

}  // namespace
}  // namespace migsched::plan
