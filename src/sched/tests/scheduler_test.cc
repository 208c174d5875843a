// Scheduler behaviour on small fleets built from geometry facts: policies,
// idle reuse, repartitioning, gangs, quotas, priorities, backfill and the
// error contracts.
#include "sched/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "geometry/layout.h"
#include "geometry/presets.h"
#include "sched/tests/sched_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sched {
namespace {

using geometry::Preset;
using geometry::PresetLayout;
using ::migsched::testing::HasCode;
using ::migsched::testing::HasError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::migsched::sched::testing;

Options WithPolicy(std::string policy) {
  Options options;
  options.policy = std::move(policy);
  options.reconfiguration = Reconfiguration::kCreateOnly;
  return options;
}

// One GPU of `model` cut all-1g (seven idle 1g instances) under a scheduler
// that may destroy them, taking `delay_ms`.
Scheduler All1gRepartitioning(const std::string& model, std::string policy, Time delay_ms) {
  Options options = WithPolicy(std::move(policy));
  options.reconfiguration = Reconfiguration::kRepartition;
  options.reconfiguration_delay_ms = delay_ms;
  return Make(WithLayout(FleetOf(model, 1), PresetLayout(Gpu(model), Preset::kAll1g)), options);
}

const Placed& AsPlaced(const Decision& d) {
  EXPECT_TRUE(Is<Placed>(d)) << "job " << DecisionJob(d) << " was not placed";
  static const Placed kNone;
  return Is<Placed>(d) ? std::get<Placed>(d) : kNone;
}

// 4g.40gb may only start at slot 0 of an H100 (geometry fact); a 1g.10gb put
// at slot 0 by first-fit leaves room by count (7 slices) but not by slot.
TEST(PolicyTest, FragAwareKeepsRoomWhereFirstFitStrandsIt) {
  for (const std::string policy : {"first-fit", "frag-aware"}) {
    Scheduler s = Make(FleetOf("H100-80GB", 1), WithPolicy(policy));
    const std::vector<Decision> small = Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 0));
    ASSERT_EQ(small.size(), 1u);
    const Placed& placed = AsPlaced(small[0]);
    ASSERT_EQ(placed.where.size(), 1u);
    const std::vector<Decision> big = Ok(s.Submit(Mig(2, "H100-80GB", "4g.40gb"), 0));
    ASSERT_EQ(big.size(), 1u);
    if (policy == "first-fit") {
      EXPECT_EQ(placed.where[0].start, 0);
      EXPECT_TRUE(Is<Wait>(big[0])) << "first-fit should have blocked slot 0";
    } else {
      EXPECT_EQ(placed.where[0].start, 6) << "capacity left: 14 at slot 6, 13 at 4 or 5, 12 at 0";
      EXPECT_TRUE(Is<Placed>(big[0])) << "frag-aware should have kept slots 0-3 free";
    }
  }
}

// Seven 1g.10gb use all 7 compute slices of an H100 and leave memory slice 7
// free but unusable: one stranded slice.
TEST(PolicyTest, SevenSmallInstancesStrandTheLastSlice) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), WithPolicy("first-fit"));
  for (JobId id = 1; id <= 7; ++id) {
    const std::vector<Decision> d = Ok(s.Submit(Mig(id, "H100-80GB", "1g.10gb"), 0));
    ASSERT_TRUE(Is<Placed>(d[0])) << "job " << id;
  }
  EXPECT_EQ(s.Totals().held_slices, 7);
  EXPECT_EQ(s.Totals().stranded_slices, 1);
  EXPECT_EQ(s.Usage(0).stranded_slices, 1);
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Mig(8, "H100-80GB", "1g.10gb"), 0))[0]));
}

TEST(PolicyTest, BestFitPrefersTheBusyGpu) {
  Scheduler s = Make(FleetOf("H100-80GB", 3), WithPolicy("best-fit"));
  const Placed first = AsPlaced(Ok(s.Submit(Mig(1, "H100-80GB", "3g.40gb"), 0))[0]);
  const Placed second = AsPlaced(Ok(s.Submit(Mig(2, "H100-80GB", "2g.20gb"), 0))[0]);
  ASSERT_FALSE(first.where.empty());
  ASSERT_FALSE(second.where.empty());
  EXPECT_EQ(first.where[0].gpu, second.where[0].gpu);
  EXPECT_EQ(s.Totals().busy_gpus, 1);
}

TEST(PolicyTest, FirstFitTakesTheLowestIndexGpu) {
  Scheduler s = Make(FleetOf("A100-80GB", 3), WithPolicy("first-fit"));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "A100-80GB", "7g.80gb"), 0))[0]));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(2, "A100-80GB", "7g.80gb"), 0))[0]));
  ASSERT_THAT(Ok(s.Release(1, 1)), ::testing::IsEmpty());
  const Placed third = AsPlaced(Ok(s.Submit(Mig(3, "A100-80GB", "1g.10gb"), 2))[0]);
  ASSERT_FALSE(third.where.empty());
  EXPECT_EQ(third.where[0].gpu, 0);
}

TEST(PolicyTest, WholeGpuPolicyGivesEveryJobAWholeGpu) {
  Scheduler s = Make(FleetOf("H100-80GB", 2), WithPolicy("whole-gpu"));
  const Placed a = AsPlaced(Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 0))[0]);
  ASSERT_EQ(a.where.size(), 1u);
  EXPECT_EQ(a.where[0].profile, kWholeGpu);
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(2, "H100-80GB", "1g.10gb"), 0))[0]));
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Mig(3, "H100-80GB", "1g.10gb"), 0))[0]));
  EXPECT_EQ(s.Totals().held_slices, 16);
  const std::vector<Decision> after = Ok(s.Release(1, 5));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(DecisionJob(after[0]), 3u);
  EXPECT_FALSE(s.Snapshot().gpus[0].mig_enabled);
}

// The example atop scheduler.h.
TEST(PolicyTest, HeaderExample) {
  Options options = WithPolicy("frag-aware");
  Scheduler s = Make(FleetOf("H100-80GB", 1), options);
  const Placed a = AsPlaced(Ok(s.Submit(Mig(1, "H100-80GB", "3g.40gb"), 0))[0]);
  const Placed b = AsPlaced(Ok(s.Submit(Mig(2, "H100-80GB", "4g.40gb"), 0))[0]);
  ASSERT_EQ(a.where.size(), 1u);
  ASSERT_EQ(b.where.size(), 1u);
  EXPECT_EQ(a.where[0].start, 4);
  EXPECT_EQ(b.where[0].start, 0);
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Mig(3, "H100-80GB", "1g.10gb"), 0))[0]));
  const std::vector<Decision> after = Ok(s.Release(2, 60));
  ASSERT_EQ(after.size(), 1u);
  const Placed& c = AsPlaced(after[0]);
  ASSERT_EQ(c.where.size(), 1u);
  EXPECT_EQ(c.job, 3u);
  EXPECT_EQ(c.where[0].start, 0) << "slots 0 and 3 leave equal capacity; the lower start wins";
}

TEST(PolicyTest, UnknownPolicyListsTheValidNames) {
  Result<Scheduler> s = Scheduler::Create(BuiltinCatalogForTest(), FleetOf("H100-80GB", 1),
                                          WithPolicy("random"));
  EXPECT_THAT(s, HasError(StatusCode::kInvalidArgument, "first-fit, best-fit, frag-aware, whole-gpu"));
}

TEST(GangTest, WholeGpusStartTogetherOrWait) {
  Scheduler s = Make(FleetOf("H100-80GB", 4), WithPolicy("frag-aware"));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 0))[0]));
  const std::vector<Decision> gang = Ok(s.Submit(Whole(2, 4), 0));
  ASSERT_EQ(gang.size(), 1u);
  EXPECT_TRUE(Is<Wait>(gang[0]));
  EXPECT_EQ(s.Totals().held_slices, 1) << "a waiting gang holds nothing";
  const std::vector<Decision> after = Ok(s.Release(1, 10));
  ASSERT_EQ(after.size(), 1u);
  const Placed& placed = AsPlaced(after[0]);
  ASSERT_EQ(placed.where.size(), 4u);
  std::set<int> gpus;
  for (const Placement& p : placed.where) {
    EXPECT_EQ(p.profile, kWholeGpu);
    gpus.insert(p.gpu);
  }
  EXPECT_EQ(gpus.size(), 4u);
  EXPECT_EQ(s.Totals().held_slices, 32);
  EXPECT_TRUE(Is<Infeasible>(Ok(s.Submit(Whole(3, 5), 10))[0]));
}

// Regression: a gang used to start at once on GPUs whose idle instances it
// had just destroyed. Clearing is a reconfiguration: one NeedsRepartition per
// cleared GPU (destroys only), and the whole gang starts after the delay.
TEST(GangTest, ClearingIdleInstancesWaitsForTheDelay) {
  Options options = WithPolicy("best-fit");
  options.reconfiguration = Reconfiguration::kRepartition;
  options.reconfiguration_delay_ms = 20;
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  fleet::Fleet fleet = WithLayout(FleetOf("H100-80GB", 1), PresetLayout(h100, Preset::kAll1g));
  fleet.gpus.push_back(FleetOf("H100-80GB", 1).gpus[0]);  // gpu 1: no instances
  Scheduler s = Make(std::move(fleet), options);
  const std::vector<Decision> d = Ok(s.Submit(Whole(1, 2), 100));
  ASSERT_EQ(d.size(), 1u) << "only gpu 0 needs clearing";
  ASSERT_TRUE(Is<NeedsRepartition>(d[0]));
  const NeedsRepartition& r = std::get<NeedsRepartition>(d[0]);
  EXPECT_EQ(r.gpu, 0);
  EXPECT_EQ(r.ready_at, 120);
  EXPECT_EQ(r.ops.size(), 7u) << "the seven idle 1g.10gb instances";
  for (const InstanceOp& op : r.ops) EXPECT_EQ(op.kind, InstanceOpKind::kDestroy);
  EXPECT_EQ(s.Job(1)->state, JobState::kRepartitioning);
  EXPECT_EQ(s.Totals().held_slices, 16) << "both GPUs are reserved meanwhile";
  EXPECT_THAT(Ok(s.Advance(119)), ::testing::IsEmpty());
  const std::vector<Decision> ready = Ok(s.Advance(120));
  ASSERT_EQ(ready.size(), 1u);
  const Placed& placed = AsPlaced(ready[0]);
  EXPECT_THAT(placed.where, ::testing::UnorderedElementsAre(Placement{.gpu = 0, .profile = kWholeGpu, .start = 0},
                                                           Placement{.gpu = 1, .profile = kWholeGpu, .start = 0}));
  EXPECT_EQ(s.counters().reconfigurations, 1);
  EXPECT_EQ(s.counters().instances_destroyed, 7);
}

TEST(QuotaTest, TenantWaitsAtItsQuotaOthersDoNot) {
  Options options = WithPolicy("best-fit");
  options.quotas = {TenantQuota{.tenant = "a", .max_memory_slices = 6, .max_whole_gpus = 0}};
  Scheduler s = Make(FleetOf("H100-80GB", 2), options);
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "4g.40gb", 0, "a"), 0))[0]));
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(2, "H100-80GB", "2g.20gb", 0, "a"), 0))[0]));
  const std::vector<Decision> over = Ok(s.Submit(Mig(3, "H100-80GB", "1g.10gb", 0, "a"), 0));
  ASSERT_TRUE(Is<Wait>(over[0]));
  EXPECT_THAT(std::get<Wait>(over[0]).reason, HasSubstr("quota"));
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(4, "H100-80GB", "1g.10gb", 0, "b"), 0))[0]));
  const std::vector<Decision> after = Ok(s.Release(1, 1));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(DecisionJob(after[0]), 3u);
  const std::vector<Decision> never = Ok(s.Submit(Mig(5, "H100-80GB", "7g.80gb", 0, "a"), 2));
  ASSERT_TRUE(Is<Infeasible>(never[0]));
  EXPECT_THAT(std::get<Infeasible>(never[0]).reason, HasSubstr("may hold 6"));
}

TEST(QueueTest, HigherPriorityStartsFirstThenFifo) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), WithPolicy("first-fit"));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "7g.80gb"), 0))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(2, "H100-80GB", "7g.80gb", 0), 1))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(3, "H100-80GB", "7g.80gb", 5), 2))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(4, "H100-80GB", "7g.80gb", 0), 3))[0]));
  EXPECT_THAT(s.Queue(), ElementsAre(3u, 2u, 4u));
  EXPECT_EQ(s.Job(3)->waiting_since, 2);
  EXPECT_EQ(s.Job(1)->waiting_since, std::nullopt) << "running";
  std::vector<JobId> started;
  for (JobId running = 1; started.size() < 3;) {
    const std::vector<Decision> d = Ok(s.Release(running, 10 + static_cast<Time>(started.size())));
    ASSERT_EQ(d.size(), 1u);
    running = DecisionJob(d[0]);
    started.push_back(running);
  }
  EXPECT_THAT(started, ElementsAre(3u, 2u, 4u));
  EXPECT_EQ(s.Job(4)->waiting_since, std::nullopt) << "started";
}

TEST(QueueTest, SmallJobBackfillsUntilTheHeadHasWaitedTooLong) {
  Options options = WithPolicy("first-fit");
  options.backfill_hold_after_ms = 10;
  Scheduler s = Make(FleetOf("H100-80GB", 1), options);
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "4g.40gb"), 0))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(2, "H100-80GB", "7g.80gb"), 0))[0]));
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(3, "H100-80GB", "1g.10gb"), 5))[0])) << "backfill";
  const std::vector<Decision> held = Ok(s.Submit(Mig(4, "H100-80GB", "1g.10gb"), 20));
  ASSERT_TRUE(Is<Wait>(held[0]));
  EXPECT_THAT(std::get<Wait>(held[0]).reason, HasSubstr("held behind job 2"));
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(5, "H100-80GB", "1g.10gb", /*priority=*/1), 21))[0]))
      << "the hold binds only jobs of the head's priority or lower";
}

TEST(IdleTest, StaticPresetReusesIdleInstancesAndRejectsOtherProfiles) {
  Options options = WithPolicy("best-fit");
  options.reconfiguration = Reconfiguration::kNone;
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  Scheduler s = Make(WithLayout(FleetOf("H100-80GB", 1), PresetLayout(h100, Preset::kAll1g)), options);
  EXPECT_EQ(s.Totals().idle_slices, 7);
  EXPECT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 0))[0]));
  EXPECT_EQ(s.counters().instances_created, 0);
  EXPECT_EQ(s.Totals().idle_slices, 6);
  const std::vector<Decision> big = Ok(s.Submit(Mig(2, "H100-80GB", "3g.40gb"), 0));
  ASSERT_TRUE(Is<Infeasible>(big[0]));
  EXPECT_THAT(std::get<Infeasible>(big[0]).reason, HasSubstr("static layouts"));
  ASSERT_THAT(Ok(s.Release(1, 1)), ::testing::IsEmpty());
  EXPECT_EQ(s.Totals().idle_slices, 7) << "a preset instance goes back to idle";
}

TEST(IdleTest, KeepIdleReusesTheReleasedInstance) {
  Options options = WithPolicy("frag-aware");
  options.release = ReleaseMode::kKeepIdle;
  Scheduler s = Make(FleetOf("H100-80GB", 1), options);
  const Placed first = AsPlaced(Ok(s.Submit(Mig(1, "H100-80GB", "2g.20gb"), 0))[0]);
  ASSERT_THAT(Ok(s.Release(1, 1)), ::testing::IsEmpty());
  EXPECT_EQ(s.Totals().idle_slices, 2);
  const Placed second = AsPlaced(Ok(s.Submit(Mig(2, "H100-80GB", "2g.20gb"), 2))[0]);
  EXPECT_EQ(first.where, second.where);
  EXPECT_EQ(s.counters().instances_created, 1);
}

// All-1g preset on an H100, one 1g busy; a 3g.40gb needs idle 1g instances
// destroyed. The busy one must survive, and the job starts after the delay.
TEST(RepartitionTest, DestroysOnlyIdleInstancesAndWaitsForTheDelay) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  Scheduler s = All1gRepartitioning("H100-80GB", "frag-aware", /*delay_ms=*/30);
  const Placed small = AsPlaced(Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 0))[0]);
  ASSERT_EQ(small.where.size(), 1u);
  const std::vector<Decision> d = Ok(s.Submit(Mig(2, "H100-80GB", "3g.40gb"), 100));
  ASSERT_EQ(d.size(), 1u);
  ASSERT_TRUE(Is<NeedsRepartition>(d[0]));
  const NeedsRepartition& r = std::get<NeedsRepartition>(d[0]);
  EXPECT_EQ(r.ready_at, 130);
  ASSERT_FALSE(r.ops.empty());
  EXPECT_EQ(r.ops.back().kind, InstanceOpKind::kCreate);
  for (size_t i = 0; i + 1 < r.ops.size(); ++i) {
    EXPECT_EQ(r.ops[i].kind, InstanceOpKind::kDestroy);
    EXPECT_NE(r.ops[i].start, small.where[0].start) << "destroyed the busy instance";
  }
  const fleet::Fleet snapshot = s.Snapshot();
  EXPECT_TRUE(geometry::CheckLayout(h100, fleet::LayoutOf(snapshot.gpus[0])).valid);
  EXPECT_EQ(s.Job(2)->state, JobState::kRepartitioning);
  EXPECT_THAT(Ok(s.Advance(129)), ::testing::IsEmpty());
  const std::vector<Decision> ready = Ok(s.Advance(130));
  ASSERT_EQ(ready.size(), 1u);
  const Placement expected{.gpu = 0, .profile = r.ops.back().profile, .start = r.ops.back().start};
  EXPECT_THAT(AsPlaced(ready[0]).where, ElementsAre(expected));
  EXPECT_EQ(s.counters().reconfigurations, 1);
  EXPECT_EQ(s.counters().busy_disturbed, 0);
  EXPECT_EQ(s.Job(1)->where, small.where);
}

// Regression (issue 14): time is in milliseconds, so a repartition started
// at 1.5 s with a 1 s delay is ready at 2.5 s, not 2 s (the whole-second
// clock used to drop the half second). NextReadyAt says when to Advance.
TEST(RepartitionTest, StartedAtFifteenHundredMsWithOneSecondDelayIsReadyAt2500Ms) {
  Scheduler s = All1gRepartitioning("H100-80GB", "best-fit", /*delay_ms=*/1000);
  EXPECT_EQ(s.NextReadyAt(), std::nullopt);
  const std::vector<Decision> d = Ok(s.Submit(Mig(1, "H100-80GB", "7g.80gb"), 1500));
  ASSERT_EQ(d.size(), 1u);
  ASSERT_TRUE(Is<NeedsRepartition>(d[0]));
  EXPECT_EQ(std::get<NeedsRepartition>(d[0]).ready_at, 2500);
  EXPECT_EQ(s.Job(1)->ready_at, 2500);
  EXPECT_EQ(s.NextReadyAt(), 2500);
  EXPECT_THAT(Ok(s.Advance(2499)), ::testing::IsEmpty());
  const std::vector<Decision> ready = Ok(s.Advance(2500));
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(AsPlaced(ready[0]).job, 1u);
  EXPECT_EQ(s.NextReadyAt(), std::nullopt);
}

TEST(RepartitionTest, ZeroDelayPlacesInTheSameCall) {
  Scheduler s = All1gRepartitioning("A100-80GB", "best-fit", /*delay_ms=*/0);
  const std::vector<Decision> d = Ok(s.Submit(Mig(1, "A100-80GB", "7g.80gb"), 5));
  ASSERT_EQ(d.size(), 2u);
  ASSERT_TRUE(Is<NeedsRepartition>(d[0]));
  EXPECT_EQ(std::get<NeedsRepartition>(d[0]).ops.size(), 8u) << "7 destroys and 1 create";
  EXPECT_EQ(std::get<NeedsRepartition>(d[0]).ready_at, 5);
  EXPECT_TRUE(Is<Placed>(d[1]));
  EXPECT_EQ(s.Job(1)->state, JobState::kRunning);
  EXPECT_EQ(s.counters().instances_destroyed, 7);
}

TEST(RepartitionTest, NothingIdleMeansWait) {
  Options options = WithPolicy("best-fit");
  options.reconfiguration = Reconfiguration::kRepartition;
  Scheduler s = Make(FleetOf("A100-80GB", 1), options);
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "A100-80GB", "4g.40gb"), 0))[0]));
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Mig(2, "A100-80GB", "7g.80gb"), 0))[0]));
  EXPECT_EQ(s.counters().reconfigurations, 0);
}

Request Pinned(JobId id, std::string_view model, std::string_view profile, int gpu, int start) {
  Request r = Mig(id, model, profile);
  r.pinned = Request::Pin{.gpu = gpu, .start = start};
  return r;
}

// A pinned job holds an idle instance something outside the scheduler uses
// (issue 13: a Kubernetes pod): a repartition that would need its slices
// goes to another GPU or waits, and may go ahead once the pin is released.
TEST(PinTest, PinnedInstanceIsNeverRepartitioned) {
  Options options = WithPolicy("frag-aware");
  options.reconfiguration = Reconfiguration::kRepartition;
  const geometry::GpuModel& a100 = Gpu("A100-80GB");
  Scheduler s = Make(WithLayout(FleetOf("A100-80GB", 2), PresetLayout(a100, Preset::kAll1g)), options);
  const Placed pod0 = AsPlaced(Ok(s.Submit(Pinned(1, "A100-80GB", "1g.10gb", 0, 3), 0))[0]);
  EXPECT_THAT(pod0.where, ElementsAre(Placement{.gpu = 0, .profile = Profile(a100, "1g.10gb"), .start = 3}));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Pinned(2, "A100-80GB", "1g.10gb", 1, 0), 0))[0]));
  EXPECT_TRUE(Is<Wait>(Ok(s.Submit(Mig(3, "A100-80GB", "7g.80gb"), 0))[0])) << "a pinned instance on each GPU";
  EXPECT_EQ(s.counters().reconfigurations, 0);
  // The pod on GPU 1 leaves: the 7g.80gb goes there, GPU 0's pin stays.
  const std::vector<Decision> freed = Ok(s.Release(2, 10));
  ASSERT_FALSE(freed.empty());
  ASSERT_TRUE(Is<NeedsRepartition>(freed[0]));
  EXPECT_EQ(std::get<NeedsRepartition>(freed[0]).gpu, 1);
  EXPECT_EQ(s.Job(1)->where, pod0.where);
  EXPECT_EQ(s.counters().busy_disturbed, 0);
}

TEST(PinTest, PinOfNoIdleInstanceIsInfeasibleAndNeverQueued) {
  Options options = WithPolicy("frag-aware");
  options.reconfiguration = Reconfiguration::kRepartition;
  const geometry::GpuModel& a100 = Gpu("A100-80GB");
  Scheduler s = Make(WithLayout(FleetOf("A100-80GB", 1), PresetLayout(a100, Preset::kAll1g)), options);
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Pinned(1, "A100-80GB", "1g.10gb", 0, 2), 0))[0]));
  const std::vector<Decision> again = Ok(s.Submit(Pinned(2, "A100-80GB", "1g.10gb", 0, 2), 0));
  ASSERT_TRUE(Is<Infeasible>(again[0]));
  EXPECT_THAT(std::get<Infeasible>(again[0]).reason, HasSubstr("no idle 1g.10gb"));
  EXPECT_TRUE(Is<Infeasible>(Ok(s.Submit(Pinned(3, "A100-80GB", "2g.20gb", 0, 0), 0))[0]));
  EXPECT_TRUE(s.Queue().empty());
  Request two_options = Pinned(4, "A100-80GB", "1g.10gb", 0, 4);
  two_options.options.push_back(two_options.options.front());
  EXPECT_THAT(s.Submit(two_options, 0), HasError(StatusCode::kInvalidArgument, "exactly one"));
  EXPECT_THAT(s.Submit(Pinned(5, "A100-80GB", "1g.10gb", 9, 0), 0),
              HasError(StatusCode::kInvalidArgument, "out of range"));
}

TEST(ContractTest, BadCallsAreErrorsNotDecisions) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), WithPolicy("best-fit"));
  ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 10))[0]));
  EXPECT_THAT(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 10), HasError(StatusCode::kInvalidArgument, "already known"));
  EXPECT_THAT(s.Submit(Mig(2, "H100-80GB", "1g.10gb"), 5), HasError(StatusCode::kInvalidArgument, "before the last event"));
  Request bad = Mig(3, "H100-80GB", "1g.10gb");
  bad.options[0].profile = 99;
  EXPECT_THAT(s.Submit(bad, 10), HasError(StatusCode::kInvalidArgument, "out of range"));
  EXPECT_THAT(s.Submit(Request{.id = 4, .tenant = "", .options = {}, .pinned = std::nullopt}, 10), HasError(StatusCode::kInvalidArgument, "no profile options"));
  EXPECT_THAT(s.Release(42, 10), HasCode(StatusCode::kNotFound));
  EXPECT_THAT(s.Advance(1), HasCode(StatusCode::kInvalidArgument));
  const std::vector<Decision> other = Ok(s.Submit(Mig(5, "A100-80GB", "1g.10gb"), 10));
  ASSERT_TRUE(Is<Infeasible>(other[0]));
  EXPECT_THAT(std::get<Infeasible>(other[0]).reason, HasSubstr("no A100-80GB GPU"));
  // A known id is an error even when the request could never run (Submit
  // checks duplicates after the infeasibility test).
  EXPECT_THAT(s.Submit(Mig(1, "A100-80GB", "1g.10gb"), 10), HasError(StatusCode::kInvalidArgument, "already known"));
  EXPECT_EQ(s.Job(1)->state, JobState::kRunning) << "the first job 1 is untouched";
}

TEST(ContractTest, FleetMustBeIdleAndValid) {
  fleet::Fleet busy = FleetOf("H100-80GB", 1);
  busy.gpus[0].instances.push_back(fleet::FleetInstance{
      .instance = ::migsched::testing::Instances(Gpu("H100-80GB"), {"1g.10gb@0"})[0],
      .workload = "w",
      .busy = true});
  EXPECT_THAT(Scheduler::Create(BuiltinCatalogForTest(), busy, WithPolicy("best-fit")),
              HasCode(StatusCode::kFailedPrecondition));
  const fleet::Fleet overlap = WithLayout(FleetOf("H100-80GB", 1),
                                          ::migsched::testing::Instances(Gpu("H100-80GB"), {"4g.40gb@0", "3g.40gb@0"}));
  EXPECT_THAT(Scheduler::Create(BuiltinCatalogForTest(), overlap, WithPolicy("best-fit")),
              HasError(StatusCode::kInvalidArgument, "overlaps"));
  Options negative = WithPolicy("best-fit");
  negative.reconfiguration_delay_ms = -1;
  EXPECT_THAT(Scheduler::Create(BuiltinCatalogForTest(), FleetOf("H100-80GB", 1), negative),
              HasCode(StatusCode::kInvalidArgument));
}

// Every catalogued model fits the scheduler's per-GPU limits, and every one of
// its profiles can be placed on an empty GPU of it.
TEST(ModelTest, EveryCatalogModelPlacesEveryProfile) {
  for (const geometry::GpuModel& model : BuiltinCatalogForTest().models()) {
    Scheduler s = Make(FleetOf(model.name, 1), WithPolicy("frag-aware"));
    for (size_t p = 0; p < model.profiles.size(); ++p) {
      const JobId id = p + 1;
      const Request r{.id = id, .priority = 0, .tenant = "", .kind = JobKind::kInference,
                      .whole_gpus = 0, .options = {ProfileOption{&model, static_cast<int>(p)}},
                      .pinned = std::nullopt};
      const std::vector<Decision> d = Ok(s.Submit(r, 0));
      ASSERT_FALSE(d.empty());
      EXPECT_TRUE(Is<Placed>(d[0])) << model.name << " " << model.profiles[p].name;
      ASSERT_THAT(Ok(s.Release(id, 0)), ::testing::IsEmpty());
    }
    EXPECT_EQ(s.Totals().held_slices, 0) << model.name;
  }
}

}  // namespace
}  // namespace migsched::sched
