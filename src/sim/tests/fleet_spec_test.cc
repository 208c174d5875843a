#include "sim/fleet_spec.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;

TEST(FleetSpecTest, ModelsAndCountsEightGpusPerNode) {
  Result<fleet::Fleet> fleet = ParseFleetSpec("H100-80GB:10,A100-40GB:2", BuiltinCatalogForTest());
  ASSERT_THAT(fleet, IsOk());
  ASSERT_EQ(fleet->gpus.size(), 12u);
  EXPECT_EQ(fleet->gpus[0].node, "node-0000");
  EXPECT_EQ(fleet->gpus[9].node, "node-0001");
  EXPECT_EQ(fleet->gpus[9].index, 1);
  EXPECT_EQ(fleet->gpus[10].node, "node-0002");
  EXPECT_EQ(fleet->gpus[10].model->name, "A100-40GB");
  EXPECT_TRUE(fleet->gpus[11].mig_enabled);
  EXPECT_EQ(FleetModels(*fleet).size(), 2u);
}

TEST(FleetSpecTest, BadSpecsAreClearErrors) {
  const geometry::Catalog& catalog = BuiltinCatalogForTest();
  EXPECT_THAT(ParseFleetSpec("H100-80GB", catalog), HasError(StatusCode::kInvalidArgument, "not MODEL:COUNT"));
  EXPECT_THAT(ParseFleetSpec("H100-80GB:0", catalog), HasError(StatusCode::kInvalidArgument, "1..1000000"));
  EXPECT_THAT(ParseFleetSpec("H100-80GB:x", catalog), HasError(StatusCode::kInvalidArgument, "1..1000000"));
  EXPECT_THAT(ParseFleetSpec("X100:3", catalog), HasError(StatusCode::kNotFound, "A100-40GB"));
  EXPECT_THAT(ParseFleetSpec("", catalog), HasError(StatusCode::kInvalidArgument, "empty fleet spec"));
  // Issue 16: a stray comma was accepted silently.
  for (const char* spec : {"H100-80GB:8,", ",H100-80GB:8", "H100-80GB:8,,A30:1"}) {
    EXPECT_THAT(ParseFleetSpec(spec, catalog), HasError(StatusCode::kInvalidArgument, "empty item in the fleet spec"))
        << spec;
  }
}

TEST(FleetSpecTest, FleetFileNamesByExtension) {
  EXPECT_TRUE(IsFleetFileName("fleet.yaml"));
  EXPECT_TRUE(IsFleetFileName("dir/fleet.yml"));
  EXPECT_TRUE(IsFleetFileName("fleet.json"));
  EXPECT_FALSE(IsFleetFileName("H100-80GB:8"));
  EXPECT_FALSE(IsFleetFileName("H100-80GB"));
  EXPECT_FALSE(IsFleetFileName(".yaml"));
}

TEST(FleetSpecTest, ClearForSimulationEmptiesEveryGpuAndKeepsTheShape) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  fleet::Fleet fleet;
  fleet.gpus.resize(3);
  for (fleet::FleetGpu& gpu : fleet.gpus) {
    gpu.node = "dgx-1";
    gpu.model = &h100;
    gpu.labels = {"serving"};
  }
  for (const geometry::GpuInstance& instance : Instances(h100, {"3g.40gb@4", "1g.10gb@0"})) {
    fleet.gpus[0].instances.push_back(fleet::FleetInstance{instance, "bert", true});
  }
  fleet.gpus[2].mig_enabled = false;
  fleet.gpus[2].whole_gpu_workload = "llama-ft";
  fleet.gpus[2].whole_gpu_busy = true;

  EXPECT_EQ(ClearForSimulation(fleet), 2);
  ASSERT_EQ(fleet.gpus.size(), 3u);
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    EXPECT_TRUE(gpu.mig_enabled);
    EXPECT_TRUE(gpu.instances.empty());
    EXPECT_TRUE(gpu.whole_gpu_workload.empty());
    EXPECT_FALSE(gpu.whole_gpu_busy);
    EXPECT_EQ(gpu.node, "dgx-1");
    EXPECT_EQ(gpu.labels, std::vector<std::string>{"serving"});
  }
  EXPECT_EQ(ClearForSimulation(fleet), 0);
}

TEST(FleetSpecTest, NodeListGivesTheShape) {
  trace::NodeList nodes;
  nodes.nodes = {{"n0", 2, "T4", 2}, {"n1", 3, "G2", 3}};
  const fleet::Fleet fleet = FleetFromNodes(nodes, Gpu("H100-80GB"));
  ASSERT_EQ(fleet.gpus.size(), 5u);
  EXPECT_EQ(fleet.gpus[4].node, "n1");
  EXPECT_EQ(fleet.gpus[4].index, 2);
  EXPECT_EQ(fleet.gpus[4].labels, std::vector<std::string>{"trace-model=G2"});
}

}  // namespace
}  // namespace migsched::sim
