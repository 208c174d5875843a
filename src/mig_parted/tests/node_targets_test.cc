// mig-parted configs as agent targets: counts become placements around the
// instances a node already has; assert and export agree with each other.
#include "mig_parted/node_targets.h"

#include <gtest/gtest.h>

#include "agent/reconcile.h"
#include "mig_parted/config_reader.h"
#include "mig_parted/node_export.h"
#include "testing/catalog_fixture.h"
#include "testing/observed_gpus.h"
#include "testing/status_matchers.h"

namespace migsched::mig_parted {
namespace {

using agent::GpuTarget;
using agent::ObservedGpu;
using geometry::GpuInstance;
using geometry::GpuModel;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;
using ::migsched::testing::Observed;
using ::migsched::testing::Target;

Config ParseConfig(const std::string& text) {
  Result<File> file = ParseMigPartedYaml("version: v1\nmig-configs:\n  c:\n" + text, "t.yaml");
  EXPECT_THAT(file, IsOk());
  return file->configs.at(0);
}

TEST(MigPartedTargetTest, KeepsExistingInstancesAndPlacesTheRestAroundThem) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Config config = ParseConfig(
      "    - devices: all\n      mig-enabled: true\n"
      "      mig-devices: {\"1g.5gb\": 2, \"2g.10gb\": 1, \"3g.20gb\": 1}\n");
  // The solver alone puts 2g.10gb at 2 (3g.20gb@4, 2g.10gb@2, 1g.5gb@1, @0).
  const Result<std::vector<GpuTarget>> targets =
      TargetsFromMigParted(config, {Observed(a100, 0, {"2g.10gb@0"})});
  ASSERT_THAT(targets, IsOk());
  ASSERT_EQ(targets->size(), 1u);
  const std::vector<GpuInstance>& layout = (*targets)[0].instances;
  ASSERT_EQ(layout.size(), 4u);
  EXPECT_EQ(geometry::InstanceLabel(a100, layout[0]), "2g.10gb@0");
  EXPECT_TRUE(geometry::CheckLayout(a100, layout).valid);
}

TEST(MigPartedTargetTest, ReplacesExistingInstancesThatBlockTheTarget) {
  const GpuModel& a100 = Gpu("A100-40GB");
  // 1g.5gb at 0 and 4 leave no room for 3g.20gb; all four are placed afresh.
  const Config config = ParseConfig(
      "    - devices: all\n      mig-enabled: true\n"
      "      mig-devices: {\"1g.5gb\": 2, \"2g.10gb\": 1, \"3g.20gb\": 1}\n");
  const Result<std::vector<GpuTarget>> targets =
      TargetsFromMigParted(config, {Observed(a100, 0, {"1g.5gb@0", "1g.5gb@4"})});
  ASSERT_THAT(targets, IsOk());
  EXPECT_TRUE(geometry::CheckLayout(a100, (*targets)[0].instances).valid);
  EXPECT_EQ((*targets)[0].instances.size(), 4u);
}

TEST(MigPartedTargetTest, SelectsByFilterAndIndex) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const GpuModel& h100 = Gpu("H100-80GB");
  const Config config = ParseConfig(
      "    - device-filter: \"" + geometry::FormatPciDeviceId(h100.pci_device_ids[0]) + "\"\n"
      "      devices: all\n      mig-enabled: true\n      mig-devices: {\"7g.80gb\": 1}\n"
      "    - devices: [1]\n      mig-enabled: false\n");
  const Result<std::vector<GpuTarget>> targets = TargetsFromMigParted(
      config, {Observed(h100, 0, {}), Observed(a100, 1, {}), Observed(a100, 2, {})});
  ASSERT_THAT(targets, IsOk());
  ASSERT_EQ(targets->size(), 2u);
  EXPECT_EQ((*targets)[0].index, 0);
  EXPECT_EQ((*targets)[0].instances.size(), 1u);
  EXPECT_EQ((*targets)[1].index, 1);
  EXPECT_FALSE((*targets)[1].mig_enabled);
}

TEST(MigPartedTargetTest, ErrorsNameTheEntry) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const std::vector<ObservedGpu> gpus = {Observed(a100, 0, {})};
  EXPECT_THAT(TargetsFromMigParted(
                  ParseConfig("    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.10gb+me\": 1}\n"),
                  gpus),
              HasError(StatusCode::kInvalidArgument, "t.yaml:4: gpu 0 (A100-40GB, 0x20B010DE) has no MIG profile '1g.10gb+me'"));
  EXPECT_THAT(TargetsFromMigParted(
                  ParseConfig("    - devices: all\n      mig-enabled: true\n      mig-devices: {\"4g.20gb\": 2}\n"),
                  gpus),
              HasError(StatusCode::kResourceExhausted, "t.yaml:4: 2 x 4g.20gb cannot fit on gpu 0"));
  EXPECT_THAT(TargetsFromMigParted(
                  ParseConfig("    - devices: all\n      mig-enabled: false\n"
                         "    - devices: [0]\n      mig-enabled: true\n"),
                  gpus),
              HasError(StatusCode::kInvalidArgument, "t.yaml:6: config 'c' selects gpu 0 (A100-40GB, 0x20B010DE) a second time (first at t.yaml:4)"));
  EXPECT_THAT(TargetsFromMigParted(ParseConfig("    - devices: [2]\n      mig-enabled: false\n"), gpus),
              HasError(StatusCode::kInvalidArgument, "names gpu 2, but this node has 1 GPUs"));
}

TEST(MigPartedTargetTest, CompareListsEachDifference) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Config config = ParseConfig(
      "    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.5gb\": 2, \"3g.20gb\": 1}\n");
  ObservedGpu gpu = Observed(a100, 0, {"1g.5gb@0", "2g.10gb@2", "3g.20gb@4"});
  gpu.instances[2].compute_instances.clear();
  const Result<std::vector<Difference>> diff = CompareWithMigParted(config, {gpu});
  ASSERT_THAT(diff, IsOk());
  std::vector<std::string> texts;
  for (const Difference& d : *diff) texts.push_back(d.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "gpu 0: 3g.20gb@4 holds 0 compute instance(s), wants one full compute instance",
                       "gpu 0: has 1 x 1g.5gb, wants 2", "gpu 0: has 1 x 2g.10gb, wants 0"}));
  ASSERT_EQ(diff->size(), 3u);
  EXPECT_EQ((*diff)[0].kind, Difference::Kind::kComputeInstances);
  EXPECT_EQ((*diff)[0].instance, "3g.20gb@4");
  EXPECT_EQ((*diff)[0].has, 0);
  EXPECT_EQ((*diff)[1].kind, Difference::Kind::kProfileCount);
  EXPECT_EQ((*diff)[1].profile, "1g.5gb");
  EXPECT_EQ((*diff)[1].has, 1);
  EXPECT_EQ((*diff)[1].wants, 2);
}

TEST(MigPartedExportTest, ExportParsesBackAndMatches) {
  const GpuModel& a100 = Gpu("A100-40GB");
  ObservedGpu off = Observed(a100, 2, {});
  off.mig_enabled = false;
  const std::vector<ObservedGpu> gpus = {Observed(a100, 0, {"1g.5gb@0", "3g.20gb@4"}),
                                         Observed(a100, 1, {"3g.20gb@4", "1g.5gb@2"}), off,
                                         Observed(a100, 3, {})};
  const std::string text = ExportMigParted(gpus, "current");
  EXPECT_NE(text.find("- devices: [0, 1]"), std::string::npos) << text;
  const Result<File> file = ParseMigPartedYaml(text, "export");
  ASSERT_THAT(file, IsOk()) << text;
  const Result<std::vector<Difference>> diff = CompareWithMigParted(file->configs.at(0), gpus);
  ASSERT_THAT(diff, IsOk());
  EXPECT_TRUE(diff->empty()) << text;
  // Applying the export to the same GPUs changes nothing.
  const Result<std::vector<GpuTarget>> targets = TargetsFromMigParted(file->configs.at(0), gpus);
  ASSERT_THAT(targets, IsOk());
  const Result<agent::NodePlan> plan = agent::Reconcile(gpus, *targets, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->ops.empty());
}

}  // namespace
}  // namespace migsched::mig_parted
