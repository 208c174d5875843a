#include "sim/static_plan.h"

#include <gtest/gtest.h>

#include <vector>

#include "sim/policies.h"
#include "sim/simulation.h"
#include "sim/tests/sim_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using namespace ::migsched::sim::testing;

// 1g.10gb jobs over [0,10), [5,15), [12,20): at most two at once; two whole
// GPUs over [0,10) together; a gang of two at [20,30). Each shape sized for
// its own peak: 2 + 2 whole GPUs and one GPU cut for the 1g pair, 5 GPUs.
std::vector<trace::TraceJob> Mix() {
  return {Job(0, 10, 100), Job(5, 10, 100), Job(12, 8, 100), Job(0, 10, 1000), Job(0, 10, 1000),
          Job(20, 10, 1000, 2)};
}

TEST(StaticPlanTest, ReplayDemandIsEachShapesOwnPeak) {
  const fleet::Fleet fleet = Fleet("H100-80GB:4");
  const std::vector<ShapeDemand> shapes = ConcurrentDemand(Jobs(Mix(), fleet), fleet, {});
  ASSERT_EQ(shapes.size(), 3u);
  // In order of first occurrence (jobs sorted by submit time: a 1g job first).
  EXPECT_EQ(shapes[0].whole_gpus, 0);
  EXPECT_EQ(shapes[0].count, 2);
  EXPECT_EQ(shapes[1].whole_gpus, 1);
  EXPECT_EQ(shapes[1].count, 2);
  EXPECT_EQ(shapes[2].whole_gpus, 2);
  EXPECT_EQ(shapes[2].count, 2);  // GPUs, not jobs
}

TEST(StaticPlanTest, CompressRaisesTheConcurrentPeak) {
  const fleet::Fleet fleet = Fleet("H100-80GB:4");
  // Arrivals at 0 and 100 s, 50 s each: never together, unless 4x compressed.
  const std::vector<SimJob> jobs = Jobs({Job(0, 50, 100), Job(100, 50, 100)}, fleet);
  EXPECT_EQ(ConcurrentDemand(jobs, fleet, {.compress = 1.0}).front().count, 1);
  EXPECT_EQ(ConcurrentDemand(jobs, fleet, {.compress = 4.0}).front().count, 2);
}

TEST(StaticPlanTest, FillDemandIsTheMixUpToCapacity) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  // 1,000 milli of capacity: four 250-milli jobs reach it.
  const std::vector<SimJob> jobs = Jobs({Job(0, 1, 250)}, fleet);
  const std::vector<ShapeDemand> shapes = ConcurrentDemand(jobs, fleet, {.basis = StaticPlanBasis::kFillMix});
  ASSERT_EQ(shapes.size(), 1u);
  EXPECT_EQ(shapes[0].count, 4);
}

TEST(StaticPlanTest, ThePlannerCutsTheFleetOnceForTheMix) {
  const fleet::Fleet fleet = Fleet("H100-80GB:5");
  Result<StaticPlan> plan = PlanStaticFleet(Jobs(Mix(), fleet), BuiltinCatalogForTest(), fleet, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->replicas_wanted, 6);
  EXPECT_EQ(plan->replicas_unplaced, 0);
  EXPECT_EQ(plan->gpus_cut, 1);  // both 1g.10gb on one GPU; the whole GPUs stay empty
  int instances = 0;
  for (const fleet::FleetGpu& gpu : plan->fleet.gpus) {
    EXPECT_TRUE(gpu.mig_enabled);
    for (const fleet::FleetInstance& instance : gpu.instances) {
      EXPECT_EQ(gpu.model->profiles[static_cast<size_t>(instance.instance.profile)].name, "1g.10gb");
      EXPECT_TRUE(instance.workload.empty());
      ++instances;
    }
  }
  EXPECT_EQ(instances, 2);
}

// On 4 GPUs the sum of the shapes' peaks (5 GPUs) does not fit: the planner
// leaves a whole GPU out of the layout, yet empty GPUs still take whole-GPU jobs.
TEST(StaticPlanTest, ThePlannerSaysWhatDidNotFit) {
  const fleet::Fleet fleet = Fleet("H100-80GB:4");
  Result<StaticPlan> plan = PlanStaticFleet(Jobs(Mix(), fleet), BuiltinCatalogForTest(), fleet, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->replicas_unplaced, 1);
}

TEST(StaticPlanTest, PlacesEveryJobOfItsMixWithoutReconfiguring) {
  const fleet::Fleet fleet = Fleet("H100-80GB:5");
  SimulationSpec spec;
  spec.policies = {"static-plan", "static-all-balanced"};
  Result<std::vector<PolicyRun>> runs = RunSimulation(Jobs(Mix(), fleet), BuiltinCatalogForTest(), fleet, spec);
  ASSERT_THAT(runs, IsOk());
  const PolicyResult& planned = (*runs)[0].result;
  EXPECT_EQ(planned.placed, 6);
  EXPECT_EQ(planned.reconfigurations, 0);
  EXPECT_EQ(planned.reconfiguration_ms, 0);
  EXPECT_EQ(planned.queue_delay_p99_s, 0);
  EXPECT_NE(planned.setup_note.find("1 GPUs cut"), std::string::npos) << planned.setup_note;
  // The preset holds no whole GPU free: its whole-GPU jobs never start.
  EXPECT_EQ((*runs)[1].result.placed, 3);
}

TEST(StaticPlanTest, TheBackendNeedsItsLayout) {
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  EXPECT_THAT(MakeBackend("static-plan", BuiltinCatalogForTest(), fleet, {}),
              HasError(StatusCode::kFailedPrecondition, "needs the planned layout"));
}

}  // namespace
}  // namespace migsched::sim
