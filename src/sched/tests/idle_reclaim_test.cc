// Whole-GPU jobs and instances kept idle on release: a GPU whose instances
// are all idle must be reclaimable, or whole-GPU jobs wait for ever once every
// GPU holds idle instances (found by the simulator: 600 synthetic jobs on 4
// H100s under --keep-idle left 61 whole-GPU jobs unplaced).
#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sched/tests/sched_fixture.h"

namespace migsched::sched::testing {
namespace {

Options KeepIdle(Reconfiguration reconfiguration) {
  Options options;
  options.policy = "frag-aware";
  options.reconfiguration = reconfiguration;
  options.release = ReleaseMode::kKeepIdle;
  return options;
}

// Leaves an idle instance of `profile` on every GPU of the fleet.
void LeaveIdleEverywhere(Scheduler& s, int gpus, std::string_view profile, JobId& next) {
  std::vector<JobId> ids;
  for (int g = 0; g < gpus; ++g) {
    const JobId id = next++;
    ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(id, "H100-80GB", profile), 0))[0]));
    ids.push_back(id);
  }
  for (const JobId id : ids) ASSERT_THAT(Ok(s.Release(id, 1)), ::testing::IsEmpty());
  ASSERT_EQ(s.Totals().held_slices, 0);
  ASSERT_GT(s.Totals().idle_slices, 0);
}

// With no reconfiguration delay a gang that clears GPUs gets one
// NeedsRepartition per cleared GPU, then its Placed, in the same call.
const Placed& ClearedThenPlaced(const std::vector<Decision>& d, size_t cleared) {
  EXPECT_EQ(d.size(), cleared + 1);
  for (size_t i = 0; i + 1 < d.size(); ++i) EXPECT_TRUE(Is<NeedsRepartition>(d[i])) << i;
  static const Placed kNone;
  const bool placed = !d.empty() && Is<Placed>(d.back());
  EXPECT_TRUE(placed);
  return placed ? std::get<Placed>(d.back()) : kNone;
}

TEST(IdleReclaimTest, WholeGpuJobReclaimsAGpuOfIdleInstances) {
  Scheduler s = Make(FleetOf("H100-80GB", 2), KeepIdle(Reconfiguration::kRepartition));
  JobId next = 1;
  LeaveIdleEverywhere(s, 2, "4g.40gb", next);
  const std::vector<Decision> d = Ok(s.Submit(Whole(next, 2), 2));
  const Placed& placed = ClearedThenPlaced(d, 2);
  EXPECT_EQ(placed.where.size(), 2u);
  EXPECT_EQ(s.counters().reconfigurations, 2) << "each cleared GPU is one reconfiguration";
  EXPECT_EQ(s.counters().instances_destroyed, 2);
  EXPECT_EQ(s.Totals().idle_slices, 0);
  EXPECT_EQ(s.Totals().held_slices, 16);
  for (const fleet::FleetGpu& gpu : s.Snapshot().gpus) EXPECT_TRUE(gpu.instances.empty());
}

// The simulator's case: the whole-GPU job queues while GPUs are busy, and the
// releases that follow leave only idle instances behind.
TEST(IdleReclaimTest, QueuedWholeGpuJobStartsWhenTheLastJobLeavesIdleInstances) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), KeepIdle(Reconfiguration::kRepartition));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "3g.40gb"), 0))[0]));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(2, "H100-80GB", "2g.20gb"), 0))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Whole(3, 1), 0))[0]));
  EXPECT_THAT(Ok(s.Release(1, 5)), ::testing::IsEmpty()) << "job 2 still runs";
  const std::vector<Decision> d = Ok(s.Release(2, 6));
  EXPECT_THAT(ClearedThenPlaced(d, 1).where,
              ::testing::ElementsAre(Placement{.gpu = 0, .profile = kWholeGpu, .start = 0}));
  EXPECT_EQ(s.counters().reconfigurations, 1);
  EXPECT_THAT(s.Queue(), ::testing::IsEmpty());
}

// A whole-GPU job arriving on a fleet where only idle instances remain must
// not be blocked by MIG jobs that keep arriving and reuse those instances.
TEST(IdleReclaimTest, WholeGpuJobIsNotStarvedByIdleReuse) {
  Scheduler s = Make(FleetOf("H100-80GB", 4), KeepIdle(Reconfiguration::kRepartition));
  JobId next = 1;
  LeaveIdleEverywhere(s, 4, "2g.20gb", next);
  const JobId whole = next++;
  const fleet::Fleet before = s.Snapshot();
  const auto with_instances = static_cast<size_t>(std::count_if(
      before.gpus.begin(), before.gpus.end(), [](const fleet::FleetGpu& gpu) { return !gpu.instances.empty(); }));
  const std::vector<Decision> d = Ok(s.Submit(Whole(whole, 4), 2));
  EXPECT_EQ(ClearedThenPlaced(d, with_instances).where.size(), 4u);
}

// kCreateOnly + kKeepIdle: kept idle instances are a cache, not a layout to
// honour; when nothing else fits they are destroyed, or the jobs behind them
// would wait for ever (the mode never reshapes anything else).
TEST(IdleReclaimTest, CreateOnlyKeepIdleReclaimsIdleGpusForWholeGpuJobs) {
  Scheduler s = Make(FleetOf("H100-80GB", 2), KeepIdle(Reconfiguration::kCreateOnly));
  JobId next = 1;
  LeaveIdleEverywhere(s, 2, "4g.40gb", next);
  const std::vector<Decision> d = Ok(s.Submit(Whole(next, 2), 2));
  EXPECT_EQ(ClearedThenPlaced(d, 2).where.size(), 2u);
  EXPECT_EQ(s.counters().reconfigurations, 2);
  EXPECT_EQ(s.Totals().idle_slices, 0);
}

TEST(IdleReclaimTest, CreateOnlyKeepIdleDestroysIdleInstancesWhenNothingElseFits) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), KeepIdle(Reconfiguration::kCreateOnly));
  for (JobId id = 1; id <= 7; ++id) {
    ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(id, "H100-80GB", "1g.10gb"), 0))[0]));
  }
  ASSERT_THAT(Ok(s.Release(1, 1)), ::testing::IsEmpty());
  // Six busy 1g instances and one idle: the idle one is reused as it is.
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(8, "H100-80GB", "1g.10gb"), 1))[0]));
  EXPECT_EQ(s.counters().instances_created, 7);
  for (JobId id = 2; id <= 8; ++id) ASSERT_THAT(Ok(s.Release(id, 2)), ::testing::IsEmpty());
  // Seven idle 1g instances: a 7g.80gb fits only once they go.
  const std::vector<Decision> big = Ok(s.Submit(Mig(9, "H100-80GB", "7g.80gb"), 3));
  ASSERT_FALSE(big.empty());
  EXPECT_TRUE(Is<Placed>(big.back()));
  EXPECT_EQ(s.counters().instances_destroyed, 7);
  EXPECT_EQ(s.counters().busy_disturbed, 0);
  EXPECT_EQ(s.Totals().idle_slices, 0);
}

}  // namespace
}  // namespace migsched::sched::testing
