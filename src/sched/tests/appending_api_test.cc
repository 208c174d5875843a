// The appending overloads (Submit/Release/Advance into a caller's vector) give
// exactly the decisions of the returning ones, keep what `out` already holds,
// and leave it untouched on error; SubmitBatch/ReleaseBatch are the same as
// their calls one by one, and stop at the first error.
#include <gtest/gtest.h>

#include <random>

#include "sched/scheduler.h"
#include "sched/tests/sched_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sched {
namespace {

using ::migsched::testing::HasCode;
using namespace ::migsched::sched::testing;

Options Repartitioning() {
  Options options;
  options.policy = "frag-aware";
  options.reconfiguration = Reconfiguration::kRepartition;
  options.release = ReleaseMode::kKeepIdle;
  options.reconfiguration_delay_ms = 5;
  return options;
}

// Random submits (some that must queue), releases and advances on a small
// fleet, through both APIs side by side.
TEST(AppendingApiTest, SameDecisionsAsTheReturningCalls) {
  Scheduler returning = Make(FleetOf("H100-80GB", 2), Repartitioning());
  Scheduler appending = Make(FleetOf("H100-80GB", 2), Repartitioning());
  const char* const profiles[] = {"1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"};
  std::mt19937_64 rng(11);
  std::vector<JobId> live;
  std::vector<Decision> expected;
  std::vector<Decision> out;
  Time now = 0;
  JobId next = 1;
  int queued = 0;
  for (int step = 0; step < 400; ++step) {
    now += static_cast<Time>(rng() % 4);
    const size_t before = out.size();
    const std::uint64_t dice = rng() % 10;
    if (dice < 5 || live.empty()) {
      const Request r = Mig(next++, "H100-80GB", profiles[rng() % 5], static_cast<int>(rng() % 3));
      const std::vector<Decision> d = Ok(returning.Submit(r, now));
      ASSERT_TRUE(appending.Submit(r, now, out).ok());
      ASSERT_GT(out.size(), before);
      EXPECT_EQ(DecisionJob(out[before]), r.id) << "Submit's own decision first";
      queued += Is<Wait>(d[0]) ? 1 : 0;
      expected.insert(expected.end(), d.begin(), d.end());
      live.push_back(r.id);
    } else if (dice < 8) {
      const size_t at = rng() % live.size();
      const std::vector<Decision> d = Ok(returning.Release(live[at], now));
      ASSERT_TRUE(appending.Release(live[at], now, out).ok());
      expected.insert(expected.end(), d.begin(), d.end());
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
    } else {
      const std::vector<Decision> d = Ok(returning.Advance(now));
      ASSERT_TRUE(appending.Advance(now, out).ok());
      expected.insert(expected.end(), d.begin(), d.end());
    }
    ASSERT_EQ(out, expected) << "step " << step;
  }
  EXPECT_GT(queued, 0) << "the sequence should exercise the queue";
  EXPECT_EQ(returning.counters().decisions, appending.counters().decisions);
  EXPECT_EQ(returning.counters().reconfigurations, appending.counters().reconfigurations);
  EXPECT_GT(appending.counters().reconfigurations, 0) << "the sequence should exercise repartitions";
}

TEST(AppendingApiTest, ErrorsLeaveTheVectorAlone) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), Repartitioning());
  std::vector<Decision> out;
  ASSERT_TRUE(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 10, out).ok());
  const std::vector<Decision> kept = out;
  EXPECT_THAT(s.Submit(Mig(1, "H100-80GB", "1g.10gb"), 10, out), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.Submit(Mig(2, "H100-80GB", "1g.10gb"), 5, out), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.Release(42, 10, out), HasCode(StatusCode::kNotFound));
  EXPECT_THAT(s.Release(1, 9, out), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(s.Advance(3, out), HasCode(StatusCode::kInvalidArgument));
  EXPECT_EQ(out, kept);
  EXPECT_EQ(s.counters().decisions, 1);
}

// Batches of submits (enough to queue) and releases at one time each, against
// the same calls one by one: same decisions, same fleet, same queue.
TEST(BatchApiTest, SameAsOneCallAtATime) {
  Scheduler single = Make(FleetOf("H100-80GB", 3), Repartitioning());
  Scheduler batched = Make(FleetOf("H100-80GB", 3), Repartitioning());
  const char* const profiles[] = {"1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb"};
  std::mt19937_64 rng(17);
  std::vector<JobId> live;
  std::vector<Decision> expected;
  std::vector<Decision> out;
  JobId next = 1;
  int waits = 0;
  for (Time now = 1; now <= 60; ++now) {
    std::vector<Request> arriving;
    for (std::uint64_t k = rng() % 20; k > 0; --k) {
      arriving.push_back(Mig(next++, "H100-80GB", profiles[rng() % 4], static_cast<int>(rng() % 3)));
    }
    std::vector<JobId> leaving;
    for (std::uint64_t k = rng() % 15; k > 0 && !live.empty(); --k) {
      const size_t at = rng() % live.size();
      leaving.push_back(live[at]);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
    }
    for (const JobId id : leaving) {
      const std::vector<Decision> d = Ok(single.Release(id, now));
      expected.insert(expected.end(), d.begin(), d.end());
    }
    ASSERT_TRUE(batched.ReleaseBatch(leaving, now, out).ok());
    for (const Request& r : arriving) {
      const std::vector<Decision> d = Ok(single.Submit(r, now));
      waits += Is<Wait>(d[0]) ? 1 : 0;
      expected.insert(expected.end(), d.begin(), d.end());
      live.push_back(r.id);
    }
    ASSERT_TRUE(batched.SubmitBatch(arriving, now, out).ok());
    ASSERT_EQ(out, expected) << "time " << now;
    ASSERT_EQ(batched.Queue(), single.Queue());
    const fleet::Fleet a = batched.Snapshot();
    const fleet::Fleet b = single.Snapshot();
    for (size_t g = 0; g < a.gpus.size(); ++g) ASSERT_EQ(a.gpus[g].instances, b.gpus[g].instances);
  }
  EXPECT_GT(waits, 0) << "the batches should exercise the queue";
}

TEST(BatchApiTest, StopsAtTheFirstErrorKeepingWhatWentBefore) {
  Scheduler s = Make(FleetOf("H100-80GB", 1), Repartitioning());
  std::vector<Decision> out;
  const std::vector<Request> submits = {Mig(1, "H100-80GB", "1g.10gb"), Mig(1, "H100-80GB", "1g.10gb"),
                                        Mig(2, "H100-80GB", "1g.10gb")};
  EXPECT_THAT(s.SubmitBatch(submits, 10, out), HasCode(StatusCode::kInvalidArgument));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(DecisionJob(out[0]), 1u);
  EXPECT_TRUE(s.Job(1).has_value());
  EXPECT_FALSE(s.Job(2).has_value()) << "nothing after the error";

  ASSERT_TRUE(s.Submit(Mig(3, "H100-80GB", "1g.10gb"), 10, out).ok());
  out.clear();
  const std::vector<JobId> releases = {1, 42, 3};
  EXPECT_THAT(s.ReleaseBatch(releases, 11, out), HasCode(StatusCode::kNotFound));
  EXPECT_FALSE(s.Job(1).has_value());
  EXPECT_TRUE(s.Job(3).has_value()) << "nothing after the error";
}

}  // namespace
}  // namespace migsched::sched
