// apply --plan's reader (plan_target.h): the node's GPUs and exact layouts
// come out of plan.json; malformed plans are errors naming the JSON place.
#include "agent/plan_target.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::agent {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;

std::string WritePlan(const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("migsched_plan_test_" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kPlan = R"({
  "gpus_used": 2, "lower_bound": 1.5, "gap": 0.1, "method": "milp-optimal",
  "gpus": [
    {"node": "node-1", "index": 0, "model": "H100-80GB", "mig_enabled": true,
     "instances": [{"profile": "3g.40gb", "start": 4, "size": 4, "workload": "bert"},
                   {"profile": "1g.10gb", "start": 0, "size": 1, "workload": ""}]},
    {"node": "node-1", "index": 1, "model": "H100-80GB", "mig_enabled": false, "workload": "llm"},
    {"node": "node-2", "index": 0, "model": "A100-40GB", "mig_enabled": true, "instances": []}
  ],
  "unplaced": [], "operations": []})";

TEST(PlanTargetTest, ReadsTheNodesGpus) {
  const std::string path = WritePlan(kPlan);
  const Result<std::vector<PlannedGpu>> planned = ReadPlanForNode(BuiltinCatalogForTest(), path, "node-1");
  std::filesystem::remove(path);
  ASSERT_THAT(planned, IsOk());
  ASSERT_EQ(planned->size(), 2u);
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ((*planned)[0].model, &h100);
  EXPECT_EQ((*planned)[0].target.instances, Instances(h100, {"3g.40gb@4", "1g.10gb@0"}));
  EXPECT_FALSE((*planned)[1].target.mig_enabled);
  EXPECT_TRUE((*planned)[1].target.instances.empty());
}

TEST(PlanTargetTest, ErrorsNameThePlace) {
  const std::string path = WritePlan(kPlan);
  EXPECT_THAT(ReadPlanForNode(BuiltinCatalogForTest(), path, "node-9"),
              HasError(StatusCode::kInvalidArgument, "no GPUs for node 'node-9' (the plan's nodes: node-1, node-2)"));
  std::string bad = kPlan;
  bad.replace(bad.find("\"size\": 4"), 9, "\"size\": 2");
  std::ofstream(path) << bad;
  EXPECT_THAT(ReadPlanForNode(BuiltinCatalogForTest(), path, "node-1"),
              HasError(StatusCode::kInvalidArgument, "gpus[0].instances[0].size: 2 but 3g.40gb takes 4"));
  std::ofstream(path) << "{\"gpus\": [";
  EXPECT_THAT(ReadPlanForNode(BuiltinCatalogForTest(), path, "node-1"),
              HasError(StatusCode::kInvalidArgument, "malformed plan"));
  std::filesystem::remove(path);
  EXPECT_THAT(ReadPlanForNode(BuiltinCatalogForTest(), path, "node-1"),
              HasError(StatusCode::kNotFound, "cannot read plan"));
}

TEST(PlanTargetTest, TargetsRequireTheSameGpuModels) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  const std::vector<PlannedGpu> planned = {
      PlannedGpu{.model = &h100, .target = GpuTarget{.index = 0, .mig_enabled = true, .instances = {}}}};
  const ObservedGpu observed{.index = 0, .uuid = "", .pci_device_id = 0, .model = &a100,
                             .mig_enabled = true, .instances = {}, .pids = {}};
  EXPECT_THAT(TargetsFromPlan(planned, {observed}),
              HasError(StatusCode::kFailedPrecondition, "is a H100-80GB, but it is a A100-40GB"));
  EXPECT_THAT(TargetsFromPlan(planned, {}),
              HasError(StatusCode::kFailedPrecondition, "this machine has 0 GPUs"));
}

}  // namespace
}  // namespace migsched::agent
