// The reconfiguration cost model (engine.h ReconfigurationCost): worked
// examples on one H100-80GB with 2 s per create and 1 s per destroy.
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine.h"
#include "sim/policies.h"
#include "sim/tests/sim_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using namespace ::migsched::sim::testing;

constexpr ReconfigurationCost kCost{.create_ms = 2000, .destroy_ms = 1000};

PolicyResult Replay(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, const std::string& policy,
                    const PolicySetup& setup = {}) {
  std::unique_ptr<Backend> backend = MakeBackend(policy, BuiltinCatalogForTest(), fleet, setup).value();
  Result<PolicyRun> run = RunReplay(jobs, fleet, *backend, {.compress = 1.0, .cost = kCost});
  EXPECT_THAT(run, IsOk());
  return run.has_value() ? run->result : PolicyResult{};
}

// A 1g.10gb job arriving at 0 for 10 s: its instance is created (0-2 s), it
// runs 2-12 s, its instance is destroyed 12-13 s.
TEST(ReconfigurationCostTest, ACreatedInstanceDelaysTheStartAndItsDestroyIsPaid) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  const PolicyResult result = Replay(Jobs({Job(0, 10, 100)}, fleet), fleet, "frag-aware");
  EXPECT_EQ(result.queue_delays_ms, (std::vector<int64_t>{2000}));
  EXPECT_EQ(result.reconfiguration_ms, 3000);
  EXPECT_EQ(result.reconfiguration_waited_jobs, 1);
  EXPECT_EQ(result.reconfiguration_wait_ms, 2000);
  EXPECT_EQ(result.end_ms, 13'000);
}

// Two 4g.40gb jobs cannot share an H100 (8 of 7 compute slices): the second,
// arriving at 1 s, gets the slices once the first's instance is destroyed
// (13 s) and then waits for its own create: it starts at 15 s.
TEST(ReconfigurationCostTest, FreedSlicesWaitForTheDestroy) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  const PolicyResult result = Replay(Jobs({Job(0, 10, 460), Job(1, 10, 460)}, fleet), fleet, "best-fit");
  EXPECT_EQ(result.queue_delays_ms, (std::vector<int64_t>{2000, 14'000}));
  EXPECT_EQ(result.reconfiguration_ms, 2 * 3000);
  EXPECT_EQ(result.reconfiguration_waited_jobs, 2);
  EXPECT_EQ(result.reconfiguration_wait_ms, 4000);
}

TEST(ReconfigurationCostTest, StaticLayoutsAndWholeGpusCostNothing) {
  const fleet::Fleet fleet = Fleet("H100-80GB:2");
  const std::vector<SimJob> jobs = Jobs({Job(0, 10, 100), Job(0, 10, 1000)}, fleet);
  for (const std::string policy : {"static-all-1g", "whole-gpu"}) {
    const PolicyResult result = Replay(jobs, fleet, policy);
    EXPECT_EQ(result.reconfiguration_ms, 0) << policy;
    EXPECT_EQ(result.reconfiguration_waited_jobs, 0) << policy;
  }
  // A dynamic policy pays for the 1g instance only: the whole GPU has none.
  const PolicyResult dynamic = Replay(jobs, fleet, "first-fit");
  EXPECT_EQ(dynamic.reconfiguration_ms, 3000);
  EXPECT_EQ(dynamic.reconfiguration_waited_jobs, 1);
}

// --keep-idle: the second 1g job reuses the first's idle instance (no
// create, no wait); released instances are kept, so no destroy is paid.
TEST(ReconfigurationCostTest, ReusingAnIdleInstanceIsFree) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  const PolicyResult result = Replay(Jobs({Job(0, 10, 100), Job(20, 10, 100)}, fleet), fleet, "frag-aware",
                                     {.reconfiguration_delay_ms = 0, .keep_idle = true, .expected_mix = {}});
  EXPECT_EQ(result.queue_delays_ms, (std::vector<int64_t>{0, 2000}));
  EXPECT_EQ(result.reconfiguration_ms, 2000);
  EXPECT_EQ(result.reconfiguration_waited_jobs, 1);
}

// A repartition (a whole-GPU job clearing an idle 1g instance kept by
// --keep-idle) pays its destroy on top of the scheduler's own 0.5 s delay.
TEST(ReconfigurationCostTest, ARepartitionWaitsForTheDelayAndItsOps) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  const PolicyResult result = Replay(Jobs({Job(0, 10, 100), Job(20, 10, 1000)}, fleet), fleet, "frag-aware",
                                     {.reconfiguration_delay_ms = 500, .keep_idle = true, .expected_mix = {}});
  EXPECT_EQ(result.reconfigurations, 1);
  EXPECT_EQ(result.queue_delays_ms, (std::vector<int64_t>{1500, 2000}));
  EXPECT_EQ(result.reconfiguration_ms, 2000 + 1000);
  EXPECT_EQ(result.reconfiguration_wait_ms, 2000 + 1500);
}

TEST(ReconfigurationCostTest, NegativeCostsAreRefused) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  std::unique_ptr<Backend> backend = MakeBackend("first-fit", BuiltinCatalogForTest(), fleet, {}).value();
  EXPECT_THAT(RunReplay(Jobs({Job(0, 1, 100)}, fleet), fleet, *backend,
                        {.compress = 1.0, .cost = {.create_ms = -1, .destroy_ms = 0}}),
              HasError(StatusCode::kInvalidArgument, "must not be negative"));
}

}  // namespace
}  // namespace migsched::sim
