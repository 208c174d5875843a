// apply --plan's targets (plan_target.h): the node's GPUs are picked out of
// the planner's fleet and become exact targets; a plan that does not fit the
// machine is refused. (plan.json itself is read by plan/plan_json.h, tested
// in src/plan/tests/plan_json_test.cc.)
#include "agent/plan_target.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::agent {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;

fleet::FleetGpu PlannedGpu(const std::string& node, int index, const std::string& model,
                           const std::vector<std::string>& instances) {
  fleet::FleetGpu gpu;
  gpu.node = node;
  gpu.index = index;
  gpu.model = &Gpu(model);
  for (const geometry::GpuInstance& i : Instances(*gpu.model, instances)) {
    gpu.instances.push_back(fleet::FleetInstance{.instance = i, .workload = "w", .busy = false});
  }
  return gpu;
}

fleet::FleetGpu WholeGpu(const std::string& node, int index, const std::string& model) {
  fleet::FleetGpu gpu = PlannedGpu(node, index, model, {});
  gpu.mig_enabled = false;
  gpu.whole_gpu_workload = "llm";
  return gpu;
}

ObservedGpu Observed(int index, const std::string& model) {
  return ObservedGpu{.index = index, .uuid = "", .pci_device_id = 0, .model = &Gpu(model),
                     .mig_enabled = true, .instances = {}, .pids = {}};
}

fleet::Fleet Plan() {
  return fleet::Fleet{.gpus = {PlannedGpu("node-1", 0, "H100-80GB", {"3g.40gb@4", "1g.10gb@0"}),
                               PlannedGpu("node-2", 0, "A100-40GB", {}),
                               WholeGpu("node-1", 1, "H100-80GB")}};
}

TEST(PlanTargetTest, PicksTheNodesGpusInPlanOrder) {
  const Result<std::vector<fleet::FleetGpu>> planned = PlannedGpusOfNode(Plan(), "node-1");
  ASSERT_THAT(planned, IsOk());
  ASSERT_EQ(planned->size(), 2u);
  EXPECT_EQ((*planned)[0].index, 0);
  EXPECT_EQ((*planned)[1].index, 1);
  EXPECT_THAT(PlannedGpusOfNode(Plan(), "node-9"),
              HasError(StatusCode::kInvalidArgument,
                       "no GPUs for node 'node-9' (the plan's nodes: node-1, node-2)"));
}

TEST(PlanTargetTest, TargetsAreThePlannedLayouts) {
  const std::vector<fleet::FleetGpu> planned = *PlannedGpusOfNode(Plan(), "node-1");
  const Result<std::vector<GpuTarget>> targets =
      TargetsFromPlan(planned, {Observed(1, "H100-80GB"), Observed(0, "H100-80GB")});
  ASSERT_THAT(targets, IsOk());
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ(*targets,
            (std::vector<GpuTarget>{
                GpuTarget{.index = 0, .mig_enabled = true, .instances = Instances(h100, {"3g.40gb@4", "1g.10gb@0"})},
                GpuTarget{.index = 1, .mig_enabled = false, .instances = {}}}));
}

TEST(PlanTargetTest, TargetsRequireTheSameGpuModels) {
  const std::vector<fleet::FleetGpu> planned = {PlannedGpu("node-1", 0, "H100-80GB", {})};
  EXPECT_THAT(TargetsFromPlan(planned, {Observed(0, "A100-40GB")}),
              HasError(StatusCode::kFailedPrecondition, "is a H100-80GB, but it is a A100-40GB"));
  EXPECT_THAT(TargetsFromPlan(planned, {}),
              HasError(StatusCode::kFailedPrecondition, "this machine has 0 GPUs"));
}

}  // namespace
}  // namespace migsched::agent
