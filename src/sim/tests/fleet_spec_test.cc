#include "sim/fleet_spec.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
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
