#include "daemon/inventory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::daemon {
namespace {

using ::migsched::testing::HasCode;
using ::migsched::testing::IsOk;

const geometry::Catalog& Catalog() { return migsched::testing::BuiltinCatalogForTest(); }

TEST(InventoryTest, RoundTrips) {
  const std::string text =
      R"({"node":"n1","applied_generation":3,"apply_error":"","gpus":[{"index":0,"uuid":"GPU-1","model":"H100-80GB",)"
      R"("mig_enabled":true,"pids":[],"instances":[{"profile":"3g.40gb","start":4,"gi_id":2,"ci_id":0,"uuid":"MIG-9","pids":[42]}]}]})";
  Result<NodeInventory> inventory = InventoryFromJson(text, Catalog());
  ASSERT_THAT(inventory, IsOk());
  EXPECT_EQ(inventory->applied_generation, 3);
  ASSERT_EQ(inventory->gpus.size(), 1u);
  ASSERT_EQ(inventory->gpus[0].instances.size(), 1u);
  EXPECT_EQ(inventory->gpus[0].instances[0].instance.placement.start, 4);
  EXPECT_EQ(inventory->gpus[0].instances[0].pids, std::vector<std::uint32_t>{42});
  EXPECT_EQ(inventory->gpus[0].instances[0].id, 2);  // NVML's GI id travels (SLURM's cap files need it)
  EXPECT_EQ(InventoryToJson(*inventory), text);
}

TEST(InventoryTest, RefusesBadReports) {
  const std::vector<std::string> bad = {
      R"({"node":"n","gpus":[{"index":0,"model":"Z100","mig_enabled":true}]})",
      R"({"node":"n","gpus":[{"index":0,"model":"H100-80GB","mig_enabled":true,"instances":[{"profile":"9g","start":0}]}]})",
      R"({"node":"n","gpus":[{"index":0,"model":"H100-80GB","mig_enabled":true,"instances":[{"profile":"4g.40gb","start":0},{"profile":"4g.40gb","start":0}]}]})",
      R"({"node":"n","gpus":[{"index":0,"model":"H100-80GB","mig_enabled":true},{"index":0,"model":"H100-80GB","mig_enabled":true}]})",
      R"({"node":"n","gpus":[{"index":-1,"model":"H100-80GB","mig_enabled":true}]})",
      R"({"node":"n","gpus":[],"extra":1})",
      R"({"node":"n"})",
      R"({"node":"a/b?c","gpus":[]})",  // node names reach URL paths
      R"({"node":"","gpus":[]})",
      R"(nope)",
  };
  for (const std::string& text : bad) EXPECT_THAT(InventoryFromJson(text, Catalog()), HasCode(StatusCode::kInvalidArgument)) << text;
}

TEST(InventoryTest, DesiredLayoutsRoundTripAndBecomeTargets) {
  const geometry::GpuModel* h100 = *Catalog().Find("H100-80GB");
  const DesiredLayout layout{.node = "n1", .generation = 5,
                             .gpus = {{.index = 1, .model = h100, .mig_enabled = true,
                                       .instances = {{.profile = *h100->FindProfile("3g.40gb"), .start = 4, .job = 9},
                                                     {.profile = *h100->FindProfile("1g.10gb"), .start = 0, .job = 0}}}}};
  Result<DesiredLayout> back = DesiredFromJson(DesiredToJson(layout), Catalog());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->generation, 5);
  EXPECT_EQ(back->gpus, layout.gpus);
  const std::vector<agent::GpuTarget> targets = TargetsOf(layout);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].index, 1);
  EXPECT_EQ(targets[0].instances.size(), 2u);
}

}  // namespace
}  // namespace migsched::daemon
