// Queue semantics on static layouts (Reconfiguration::kNone), where a retry
// pass walks only the jobs whose options fit (RetryQueue): priority, FIFO
// within a priority, backfill and the backfill hold are those of the full walk;
// and which GPUs count for gangs there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "geometry/presets.h"
#include "sched/scheduler.h"
#include "sched/tests/sched_fixture.h"

namespace migsched::sched {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace ::migsched::sched::testing;

// One H100 with the all-balanced preset: 3g.40gb + 2g.20gb + 1g.10gb + 1g.10gb.
Scheduler Balanced(Time hold_after_ms) {
  Options options;
  options.policy = "best-fit";
  options.reconfiguration = Reconfiguration::kNone;
  options.backfill_hold_after_ms = hold_after_ms;
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  return Make(WithLayout(FleetOf("H100-80GB", 1), PresetLayout(h100, geometry::Preset::kAllBalanced)),
              options);
}

std::vector<JobId> Started(const std::vector<Decision>& decisions) {
  std::vector<JobId> ids;
  for (const Decision& d : decisions) {
    EXPECT_TRUE(Is<Placed>(d)) << "job " << DecisionJob(d);
    ids.push_back(DecisionJob(d));
  }
  return ids;
}

void Fill(Scheduler& s) {
  for (const auto& [id, profile] : {std::pair<JobId, const char*>{1, "3g.40gb"}, {2, "2g.20gb"},
                                    {3, "1g.10gb"}, {4, "1g.10gb"}}) {
    ASSERT_TRUE(Is<Placed>(Ok(s.Submit(Mig(id, "H100-80GB", profile), 0))[0])) << id;
  }
}

TEST(StaticQueueTest, PriorityThenFifoWithBackfillPerFreedInstance) {
  Scheduler s = Balanced(0);
  Fill(s);
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(5, "H100-80GB", "3g.40gb"), 1))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(6, "H100-80GB", "1g.10gb"), 2))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(7, "H100-80GB", "1g.10gb", 5), 3))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(8, "H100-80GB", "1g.10gb"), 4))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(9, "H100-80GB", "2g.20gb"), 5))[0]));
  EXPECT_THAT(s.Queue(), ElementsAre(7u, 5u, 6u, 8u, 9u));
  EXPECT_THAT(Started(Ok(s.Release(3, 10))), ElementsAre(7u)) << "higher priority first";
  EXPECT_THAT(Started(Ok(s.Release(4, 11))), ElementsAre(6u)) << "then the older of equal priority";
  EXPECT_THAT(Started(Ok(s.Release(2, 12))), ElementsAre(9u)) << "backfill past 5 and 8";
  EXPECT_THAT(Started(Ok(s.Release(1, 13))), ElementsAre(5u));
  EXPECT_THAT(s.Queue(), ElementsAre(8u));
  EXPECT_THAT(Started(Ok(s.Release(6, 14))), ElementsAre(8u));
  EXPECT_THAT(s.Queue(), IsEmpty());
}

// A job that lists a non-fitting option first still starts on its second.
TEST(StaticQueueTest, SecondOptionStartsTheJob) {
  Scheduler s = Balanced(0);
  Fill(s);
  Request either = Mig(5, "H100-80GB", "2g.20gb");
  either.options.push_back(Mig(0, "H100-80GB", "1g.10gb").options[0]);
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(either, 1))[0]));
  const std::vector<Decision> d = Ok(s.Release(3, 2));
  ASSERT_THAT(Started(d), ElementsAre(5u));
  EXPECT_EQ(std::get<Placed>(d[0]).where[0].profile, either.options[1].profile);
}

TEST(StaticQueueTest, HoldingHeadBlocksUntilItStarts) {
  Scheduler s = Balanced(10);
  Fill(s);
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(5, "H100-80GB", "3g.40gb"), 0))[0]));
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(6, "H100-80GB", "1g.10gb"), 1))[0]));
  EXPECT_THAT(Started(Ok(s.Release(3, 5))), ElementsAre(6u)) << "the head has waited 5 s: backfill";
  ASSERT_TRUE(Is<Wait>(Ok(s.Submit(Mig(7, "H100-80GB", "1g.10gb"), 6))[0]));
  EXPECT_THAT(Ok(s.Release(4, 20)), IsEmpty()) << "the head has waited 20 s: 7 may not pass it";
  EXPECT_THAT(s.Queue(), ElementsAre(5u, 7u));
  EXPECT_THAT(Started(Ok(s.Release(1, 21))), ElementsAre(5u, 7u)) << "the head starts, then the rest";
}

// Under static layouts only GPUs without preset instances can ever be free
// whole: a gang larger than their number is Infeasible, one that fits starts.
TEST(StaticQueueTest, GangsCountOnlyGpusWithoutPresets) {
  Options options;
  options.policy = "best-fit";
  options.reconfiguration = Reconfiguration::kNone;
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  fleet::Fleet fleet = WithLayout(FleetOf("H100-80GB", 3), PresetLayout(h100, geometry::Preset::kAll1g));
  fleet.gpus[1].instances.clear();
  Scheduler s = Make(std::move(fleet), options);
  const std::vector<Decision> two = Ok(s.Submit(Whole(1, 2), 0));
  ASSERT_TRUE(Is<Infeasible>(two[0]));
  EXPECT_THAT(std::get<Infeasible>(two[0]).reason, ::testing::HasSubstr("the fleet has 1"));
  const std::vector<Decision> one = Ok(s.Submit(Whole(2, 1), 0));
  ASSERT_TRUE(Is<Placed>(one[0]));
  EXPECT_EQ(std::get<Placed>(one[0]).where[0].gpu, 1);
}

}  // namespace
}  // namespace migsched::sched
