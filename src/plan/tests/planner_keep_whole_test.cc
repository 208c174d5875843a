// keep_whole (issue 14.3): GPUs of a model or a label left whole (MIG
// disabled, free) for ad-hoc work; the packing does not use them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/planner.h"
#include "plan/tests/planner_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

Result<PlanResult> PlanKeeping(fleet::Fleet fleet, std::vector<Workload> workloads,
                               std::vector<KeepWhole> keep_whole) {
  PlanRequest request;
  request.current = std::move(fleet);
  request.workloads = std::move(workloads);
  request.keep_whole = std::move(keep_whole);
  return PlanFleet(BuiltinCatalogForTest(), request, PlanOptions{});
}

bool WholeAndFree(const fleet::FleetGpu& gpu) {
  return !gpu.mig_enabled && gpu.instances.empty() && gpu.whole_gpu_workload.empty();
}

TEST(PlannerKeepWholeTest, Issue14KeptGpusOfAModelStayWholeEvenWhenWorkWaits) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  // Six 3g.20gb need three GPUs; two of four are kept whole, so two replicas wait.
  Result<PlanResult> plan = PlanKeeping(Homogeneous(a100, 4), {Exactly(a100, "3g.20gb", 6, "svc")},
                                        {{.model = "A100-40GB", .label = "", .gpus = 2}});
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(WholeAndFree(plan->target.gpus[2]));
  EXPECT_TRUE(WholeAndFree(plan->target.gpus[3]));
  EXPECT_EQ(plan->gpus_used, 2);
  ASSERT_EQ(plan->unplaced.size(), 1u);
  EXPECT_EQ(plan->unplaced[0].replicas, 2);
  ExpectSound(*plan, {{"svc", 6}});
}

TEST(PlannerKeepWholeTest, Issue14KeptGpusByLabelAndIdleWholeOnesFirst) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet f = Homogeneous(a100, 4);
  for (fleet::FleetGpu& gpu : f.gpus) {
    gpu.mig_enabled = true;
    gpu.labels = {"adhoc"};
  }
  f.gpus[1].mig_enabled = false;  // idle and whole already: kept as it is
  Result<PlanResult> plan = PlanKeeping(f, {Exactly(a100, "7g.40gb", 3, "big")},
                                        {{.model = "", .label = "adhoc", .gpus = 1}});
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(WholeAndFree(plan->target.gpus[1]));
  EXPECT_TRUE(plan->unplaced.empty());
  ExpectSound(*plan, {{"big", 3}});
}

TEST(PlannerKeepWholeTest, Issue14AskingForMoreGpusThanTheFleetHasIsAnError) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_THAT(PlanKeeping(Homogeneous(a100, 2), {}, {{.model = "A100-40GB", .label = "", .gpus = 3}}),
              HasError(StatusCode::kInvalidArgument,
                       "keep_whole A100-40GB: 3 GPUs asked, the fleet has only 2 of them"));
  EXPECT_THAT(PlanKeeping(Homogeneous(a100, 2), {}, {{.model = "", .label = "adhoc", .gpus = 1}}),
              HasError(StatusCode::kInvalidArgument, "keep_whole label 'adhoc': 1 GPU asked, the fleet has only 0"));
}

}  // namespace
}  // namespace migsched::plan
