// Restore beyond the property test: a node joining (GPUs appended), the
// views a caller saves, and every documented error; and the cordon.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "geometry/presets.h"
#include "sched/scheduler.h"
#include "sched/tests/sched_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sched {
namespace {

using geometry::Preset;
using geometry::PresetLayout;
using ::migsched::testing::HasCode;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace ::migsched::sched::testing;

Options CreateOnly() {
  Options options;
  options.policy = "frag-aware";
  options.reconfiguration = Reconfiguration::kCreateOnly;
  return options;
}

Result<Scheduler> RestoreFrom(RestoreInput input, Time now, Options options = CreateOnly()) {
  return Scheduler::Restore(BuiltinCatalogForTest(), std::move(options), std::move(input), now);
}

Placement Only(const Decision& d) {
  EXPECT_TRUE(Is<Placed>(d)) << "job " << DecisionJob(d) << " was not placed";
  return Is<Placed>(d) ? std::get<Placed>(d).where.front() : Placement{};
}

// One H100 full with job 1 (7g.80gb); job 2 (7g.80gb) queued since t=5.
class FullGpu : public ::testing::Test {
 protected:
  FullGpu() : s_(Make(FleetOf("H100-80GB", 1), CreateOnly())) {
    Submit(Mig(1, "H100-80GB", "7g.80gb"), 0);
    Submit(Mig(2, "H100-80GB", "7g.80gb"), 5);
  }
  void Submit(const Request& r, Time now) {
    requests_[r.id] = r;
    Ok(s_.Submit(r, now));
  }
  RestoreInput Saved() const { return SaveForRestore(s_, requests_); }
  // The saved input with `count` bare H100s appended on node-1.
  RestoreInput SavedWithNewNode(int count) const {
    RestoreInput input = Saved();
    for (fleet::FleetGpu& gpu : FleetOf("H100-80GB", count).gpus) {
      gpu.node = "node-1";
      input.fleet.gpus.push_back(std::move(gpu));
    }
    return input;
  }

  Scheduler s_;
  std::map<JobId, Request> requests_;
};

TEST_F(FullGpu, ViewsCarryWhatRestoreNeeds) {
  const JobView running = *s_.Job(1);
  EXPECT_EQ(running.state, JobState::kRunning);
  EXPECT_THAT(running.stays_idle, ElementsAre(false)) << "created for the job, kDestroy";
  EXPECT_EQ(running.ready_at, std::nullopt);
  const JobView queued = *s_.Job(2);
  EXPECT_EQ(queued.waiting_since, 5);
  EXPECT_THAT(queued.where, IsEmpty());
}

TEST_F(FullGpu, RestoredWithANewNodeKeepsEveryJobAndPlacesOnTheNewGpus) {
  Result<Scheduler> restored = RestoreFrom(SavedWithNewNode(2), 10);
  ASSERT_THAT(restored, IsOk());
  Scheduler& s = restored.value();
  EXPECT_EQ(s.gpu_count(), 3u);
  EXPECT_EQ(s.Job(1)->where, s_.Job(1)->where);
  EXPECT_EQ(s.Job(2)->waiting_since, 5);
  EXPECT_THAT(s.Queue(), ElementsAre(2));
  // A new job goes to a new GPU: the old one is full.
  const std::vector<Decision> d = Ok(s.Submit(Mig(3, "H100-80GB", "7g.80gb"), 10));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_GE(Only(d[0]).gpu, 1);
  EXPECT_EQ(s.Totals().running, 2u);
}

// The pattern for a joining node: restore it cordoned, then uncordon it,
// which retries the queue and returns the decisions.
TEST_F(FullGpu, NewNodeRestoredCordonedTakesQueuedWorkOnUncordon) {
  RestoreInput input = SavedWithNewNode(1);
  input.cordoned.push_back(1);
  Result<Scheduler> restored = RestoreFrom(std::move(input), 10);
  ASSERT_THAT(restored, IsOk());
  const std::vector<Decision> d = Ok(restored.value().Uncordon(1, 11));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(DecisionJob(d[0]), 2u);
  EXPECT_EQ(Only(d[0]).gpu, 1);
  EXPECT_THAT(restored.value().Queue(), IsEmpty());
}

TEST_F(FullGpu, RestoreWithoutTieOrderGivesTheSameState) {
  RestoreInput input = Saved();
  input.tie_order.clear();
  Result<Scheduler> restored = RestoreFrom(std::move(input), 10);
  ASSERT_THAT(restored, IsOk());
  EXPECT_EQ(Render(restored.value().Snapshot()), Render(s_.Snapshot()));
  EXPECT_EQ(Render(restored.value().Totals()), Render(s_.Totals()));
  // Releasing job 1 starts job 2 in both.
  EXPECT_EQ(Ok(restored.value().Release(1, 20)), Ok(s_.Release(1, 20)));
}

TEST_F(FullGpu, RejectsTimeBeforeRestore) {
  Result<Scheduler> restored = RestoreFrom(Saved(), 10);
  ASSERT_THAT(restored, IsOk());
  EXPECT_THAT(restored.value().Release(1, 9), HasCode(StatusCode::kInvalidArgument));
}

TEST_F(FullGpu, BusyInstanceWithoutJobIsAnError) {
  RestoreInput input = Saved();
  input.jobs.pop_back();  // job 1 (queued job 2 comes first)
  EXPECT_THAT(RestoreFrom(std::move(input), 10), HasError(StatusCode::kInvalidArgument, "held by no job"));
}

TEST_F(FullGpu, PlacementThatIsNoBusyInstanceIsAnError) {
  RestoreInput input = Saved();
  input.jobs.back().where[0].start = 1;
  EXPECT_THAT(RestoreFrom(std::move(input), 10), HasError(StatusCode::kInvalidArgument, "job 1: gpu 0"));
}

TEST_F(FullGpu, PlacementOutsideTheFleetIsAnError) {
  RestoreInput input = Saved();
  input.jobs.back().where[0].gpu = 7;
  EXPECT_THAT(RestoreFrom(std::move(input), 10),
              HasError(StatusCode::kInvalidArgument, "job 1: gpu 7 is not in the fleet"));
}

TEST_F(FullGpu, RepeatedIdIsAnError) {
  RestoreInput input = Saved();
  input.jobs.push_back(input.jobs.front());
  EXPECT_THAT(RestoreFrom(std::move(input), 10), HasError(StatusCode::kInvalidArgument, "job 2: listed twice"));
}

TEST_F(FullGpu, TwoJobsOnOneInstanceIsAnError) {
  RestoreInput input = Saved();
  RestoredJob twin = input.jobs.back();
  twin.request.id = 9;
  input.jobs.push_back(twin);
  EXPECT_THAT(RestoreFrom(std::move(input), 10),
              HasError(StatusCode::kInvalidArgument, "held by another job too"));
}

TEST_F(FullGpu, QueuedJobWithPlacementsIsAnError) {
  RestoreInput input = Saved();
  input.jobs.front().where = {Placement{.gpu = 0, .profile = 0, .start = 0}};
  EXPECT_THAT(RestoreFrom(std::move(input), 10), HasError(StatusCode::kInvalidArgument, "job 2: queued"));
}

TEST_F(FullGpu, QueuedAfterNowIsAnError) {
  EXPECT_THAT(RestoreFrom(Saved(), 4), HasError(StatusCode::kInvalidArgument, "job 2: waiting since"));
}

TEST_F(FullGpu, PlacementThatIsNoneOfTheOptionsIsAnError) {
  RestoreInput input = Saved();
  input.jobs.back().request = Mig(1, "H100-80GB", "1g.10gb");
  EXPECT_THAT(RestoreFrom(std::move(input), 10),
              HasError(StatusCode::kInvalidArgument, "none of its options"));
}

TEST_F(FullGpu, WrongNumberOfStaysIdleFlagsIsAnError) {
  RestoreInput input = Saved();
  input.jobs.back().stays_idle = {false, false};
  EXPECT_THAT(RestoreFrom(std::move(input), 10), HasError(StatusCode::kInvalidArgument, "stays_idle flags"));
}

TEST_F(FullGpu, CordonedGpuOutsideTheFleetIsAnError) {
  RestoreInput input = Saved();
  input.cordoned = {3};
  EXPECT_THAT(RestoreFrom(std::move(input), 10), HasError(StatusCode::kInvalidArgument, "cordoned gpu 3"));
}

TEST_F(FullGpu, TieOrderThatDoesNotMatchIsAnError) {
  RestoreInput truncated = Saved();
  truncated.tie_order.pop_back();
  EXPECT_THAT(RestoreFrom(std::move(truncated), 10), HasError(StatusCode::kInvalidArgument, "tie order"));
  RestoreInput garbage = Saved();
  garbage.tie_order = {1, 1, 5, 1, 99};
  EXPECT_THAT(RestoreFrom(std::move(garbage), 10), HasError(StatusCode::kInvalidArgument, "tie order"));
}

TEST(RestoreTest, QueuedJobsOutOfPriorityOrderAreAnError) {
  RestoreInput input{.fleet = FleetOf("H100-80GB", 1), .jobs = {}, .cordoned = {}, .tie_order = {}};
  RestoredJob job1;
  job1.request = Mig(1, "H100-80GB", "1g.10gb", /*priority=*/0);
  input.jobs.push_back(job1);
  RestoredJob job2;
  job2.request = Mig(2, "H100-80GB", "1g.10gb", /*priority=*/1);
  input.jobs.push_back(job2);
  EXPECT_THAT(RestoreFrom(std::move(input), 0),
              HasError(StatusCode::kInvalidArgument, "job 2: queued behind a lower priority"));
}

// A repartitioning job keeps its ready_at, and a preset instance goes back
// to idle on release, in the restored scheduler as in the original.
TEST(RestoreTest, RepartitionAndPresetSurvive) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  Options options;
  options.policy = "best-fit";
  options.reconfiguration = Reconfiguration::kRepartition;
  options.reconfiguration_delay_ms = 30;
  Scheduler s = Make(WithLayout(FleetOf("H100-80GB", 1), PresetLayout(h100, Preset::kAll1g)), options);
  std::map<JobId, Request> requests = {{1, Mig(1, "H100-80GB", "1g.10gb")},
                                       {2, Mig(2, "H100-80GB", "3g.40gb")}};
  Ok(s.Submit(requests[1], 0));
  ASSERT_TRUE(Is<NeedsRepartition>(Ok(s.Submit(requests[2], 0))[0]));
  EXPECT_EQ(s.Job(2)->ready_at, 30);
  EXPECT_THAT(s.Job(1)->stays_idle, ElementsAre(true));
  Result<Scheduler> restored = Scheduler::Restore(BuiltinCatalogForTest(), options, SaveForRestore(s, requests), 10);
  ASSERT_THAT(restored, IsOk());
  Scheduler& r = restored.value();
  EXPECT_EQ(r.Job(2)->state, JobState::kRepartitioning);
  EXPECT_EQ(r.Job(2)->ready_at, 30);
  EXPECT_THAT(Ok(r.Advance(29)), IsEmpty());
  EXPECT_EQ(Ok(r.Advance(30)), Ok(s.Advance(30)));
  EXPECT_EQ(Ok(r.Release(1, 31)), Ok(s.Release(1, 31)));
  EXPECT_EQ(r.Totals().idle_slices, s.Totals().idle_slices);
  EXPECT_EQ(Render(r.Snapshot()), Render(s.Snapshot())) << "the preset 1g.10gb is idle again";
}

TEST(RestoreTest, QuotaChargesAreRestored) {
  Options options = CreateOnly();
  options.quotas = {TenantQuota{.tenant = "t", .max_memory_slices = 4, .max_whole_gpus = 0}};
  Scheduler s = Make(FleetOf("H100-80GB", 1), options);
  std::map<JobId, Request> requests = {{1, Mig(1, "H100-80GB", "3g.40gb", 0, "t")}};
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(requests[1], 0))[0]));
  Result<Scheduler> restored = Scheduler::Restore(BuiltinCatalogForTest(), options, SaveForRestore(s, requests), 0);
  ASSERT_THAT(restored, IsOk());
  // 4 slices held: another 1g.10gb would exceed the quota of 4.
  const std::vector<Decision> d = Ok(restored.value().Submit(Mig(2, "H100-80GB", "1g.10gb", 0, "t"), 1));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(Is<Wait>(d[0]));
}

TEST(RestoreTest, CreateStillRejectsABusyFleet) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), CreateOnly());
  Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 0));
  EXPECT_THAT(Scheduler::Create(BuiltinCatalogForTest(), s.Snapshot(), CreateOnly()),
              HasCode(StatusCode::kFailedPrecondition));
}

// Cordon: no new placement on the GPU — free slices, idle instances, whole
// GPUs — while its jobs run and leave normally; Uncordon lets queued work in.
TEST(CordonTest, NoNewPlacementOnACordonedGpu) {
  Scheduler s = Make(FleetOf("H100-80GB", 2), CreateOnly());
  ASSERT_THAT(s.Cordon(0), IsOk());
  EXPECT_THAT(s.Cordoned(), ElementsAre(0));
  EXPECT_EQ(Only(Ok(s.Submit(Mig(1, "H100-80GB", "7g.80gb"), 0))[0]).gpu, 1);
  const std::vector<Decision> d = Ok(s.Submit(Mig(2, "H100-80GB", "1g.10gb"), 0));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(Is<Wait>(d[0])) << "not Infeasible: a cordon is temporary";
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Whole(3, 1), 0))[0]));
  // Uncordon retries the queue in order, as Release does.
  const std::vector<Decision> uncordoned = Ok(s.Uncordon(0, 1));
  ASSERT_EQ(uncordoned.size(), 1u);
  EXPECT_EQ(DecisionJob(uncordoned[0]), 2u);
  EXPECT_EQ(Only(uncordoned[0]).gpu, 0);
  EXPECT_THAT(s.Cordoned(), IsEmpty());
}

TEST(CordonTest, JobsOnACordonedGpuRunAndLeave) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), CreateOnly());
  Ok(s.Submit(Mig(1, "H100-80GB", "7g.80gb"), 0));
  Ok(s.Submit(Mig(2, "H100-80GB", "1g.10gb"), 0));
  ASSERT_THAT(s.Cordon(0), IsOk());
  EXPECT_EQ(s.Job(1)->state, JobState::kRunning);
  EXPECT_THAT(Ok(s.Release(1, 1)), IsEmpty()) << "job 2 may not start on the cordoned GPU";
  EXPECT_EQ(s.Totals().held_slices, 0);
  EXPECT_THAT(s.Queue(), ElementsAre(2));
  const std::vector<Decision> d = Ok(s.Uncordon(0, 2));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(DecisionJob(d[0]), 2u);
}

TEST(CordonTest, IdleInstancesOfACordonedGpuAreNotReused) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  Options options = CreateOnly();
  options.reconfiguration = Reconfiguration::kNone;
  Scheduler s = Make(WithLayout(FleetOf("H100-80GB", 2), PresetLayout(h100, Preset::kAll1g)), options);
  ASSERT_THAT(s.Cordon(1), IsOk());
  for (JobId id = 1; id <= 7; ++id) EXPECT_EQ(Only(Ok(s.Submit(Mig(id, "H100-80GB", "1g.10gb"), 0))[0]).gpu, 0);
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Mig(8, "H100-80GB", "1g.10gb"), 0))[0]));
  EXPECT_EQ(Only(Ok(s.Uncordon(1, 0))[0]).gpu, 1);
}

TEST(CordonTest, Errors) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), CreateOnly());
  EXPECT_THAT(s.Cordon(1), HasError(StatusCode::kInvalidArgument, "gpu 1 is not in the fleet"));
  EXPECT_THAT(s.Cordon(-1), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.Uncordon(1, 0), HasCode(StatusCode::kInvalidArgument));
  Ok(s.Advance(5));
  EXPECT_THAT(s.Uncordon(0, 4), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(Ok(s.Uncordon(0, 5)), IsEmpty()) << "not cordoned: nothing to do";
  ASSERT_THAT(s.Cordon(0), IsOk());
  EXPECT_THAT(s.Cordon(0), IsOk()) << "idempotent";
}

}  // namespace
}  // namespace migsched::sched
