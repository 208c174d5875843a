// Pure agent logic on observed states built from the catalog: reconcile keeps
// what matches, never touches busy instances, orders ops as the hardware
// needs; mig-parted counts become placements around existing instances;
// assert and export agree with each other.
#include "agent/reconcile.h"

#include <gtest/gtest.h>

#include "agent/mig_parted_export.h"
#include "agent/mig_parted_target.h"
#include "io/mig_parted_reader.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::agent {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;

// A GPU holding `specs` ("PROFILE@START"), each with its full compute instance.
ObservedGpu Observed(const GpuModel& model, int index, const std::vector<std::string>& specs) {
  ObservedGpu gpu{.index = index, .uuid = "GPU-" + std::to_string(index),
                  .pci_device_id = model.pci_device_ids.at(0), .model = &model,
                  .mig_enabled = true, .instances = {}, .pids = {}};
  int id = 1;
  for (const GpuInstance& instance : Instances(model, specs)) {
    const geometry::CiProfile* full =
        FullComputeInstance(model.profiles[static_cast<size_t>(instance.profile)]);
    gpu.instances.push_back(ObservedGpuInstance{
        .id = id++, .instance = instance,
        .compute_instances = {ObservedComputeInstance{.id = 0, .profile_id = full->id}},
        .pids = {}});
  }
  return gpu;
}

GpuTarget Target(const GpuModel& model, int index, const std::vector<std::string>& specs) {
  return GpuTarget{.index = index, .mig_enabled = true, .instances = Instances(model, specs)};
}

std::vector<std::string> Describe(const GpuModel& model, const NodePlan& plan) {
  std::vector<std::string> out;
  for (const Op& op : plan.ops) out.push_back(DescribeOp(model, op));
  return out;
}

TEST(ReconcileTest, KeepsMatchingInstancesAndCreatesTheRest) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Result<NodePlan> plan = Reconcile({Observed(a100, 0, {"3g.20gb@4"})},
                                          {Target(a100, 0, {"3g.20gb@4", "4g.20gb@0"})}, {});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->kept.size(), 1u);
  EXPECT_EQ(geometry::InstanceLabel(a100, plan->kept[0].instance), "3g.20gb@4");
  EXPECT_EQ(Describe(a100, *plan),
            (std::vector<std::string>{"gpu 0: create GPU instance 4g.20gb@0",
                                      "gpu 0: create compute instance (profile 3) in 4g.20gb@0"}));
}

TEST(ReconcileTest, MatchingStateNeedsNoOps) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const std::vector<std::string> layout = {"1g.10gb@6", "2g.20gb@4", "3g.40gb@0"};
  const Result<NodePlan> plan = Reconcile({Observed(h100, 0, layout)}, {Target(h100, 0, layout)}, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->ops.empty());
  EXPECT_EQ(plan->kept.size(), 3u);
}

TEST(ReconcileTest, DestroysComputeInstanceThenGpuInstanceBeforeCreating) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Result<NodePlan> plan =
      Reconcile({Observed(a100, 0, {"4g.20gb@0"})}, {Target(a100, 0, {"3g.20gb@0"})}, {});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->ops.size(), 4u);
  EXPECT_EQ(plan->ops[0].kind, OpKind::kDestroyComputeInstance);
  EXPECT_EQ(plan->ops[1].kind, OpKind::kDestroyGpuInstance);
  EXPECT_EQ(plan->ops[1].gi_id, 1);
  EXPECT_EQ(plan->ops[2].kind, OpKind::kCreateGpuInstance);
  EXPECT_EQ(plan->ops[3].kind, OpKind::kCreateComputeInstance);
}

TEST(ReconcileTest, NeverDestroysABusyInstanceWithoutForce) {
  const GpuModel& a100 = Gpu("A100-40GB");
  ObservedGpu gpu = Observed(a100, 0, {"4g.20gb@0", "3g.20gb@4"});
  gpu.instances[1].pids = {4242, 4343};
  const Result<NodePlan> refused = Reconcile({gpu}, {Target(a100, 0, {"4g.20gb@0"})}, {});
  EXPECT_THAT(refused, HasError(StatusCode::kFailedPrecondition,
                                "3g.20gb@4 (GPU instance 2) would end running processes "
                                "(pids 4242, 4343)"));
  const Result<NodePlan> forced =
      Reconcile({gpu}, {Target(a100, 0, {"4g.20gb@0"})}, {.force = true});
  ASSERT_THAT(forced, IsOk());
  EXPECT_EQ(forced->ops.size(), 2u);
}

TEST(ReconcileTest, BusyInstanceThatStaysIsFine) {
  const GpuModel& a100 = Gpu("A100-40GB");
  ObservedGpu gpu = Observed(a100, 0, {"3g.20gb@4"});
  gpu.instances[0].pids = {7};
  const Result<NodePlan> plan = Reconcile({gpu}, {Target(a100, 0, {"3g.20gb@4", "3g.20gb@0"})}, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->ops.size(), 2u);
}

TEST(ReconcileTest, WrongComputeInstancesAreReplacedInsideTheKeptGpuInstance) {
  const GpuModel& a100 = Gpu("A100-40GB");
  ObservedGpu gpu = Observed(a100, 0, {"3g.20gb@4"});
  gpu.instances[0].compute_instances = {{.id = 0, .profile_id = 0}, {.id = 1, .profile_id = 0}};
  const Result<NodePlan> plan = Reconcile({gpu}, {Target(a100, 0, {"3g.20gb@4"})}, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(Describe(a100, *plan),
            (std::vector<std::string>{
                "gpu 0: destroy compute instance 0 (profile 0) of 3g.20gb@4",
                "gpu 0: destroy compute instance 1 (profile 0) of 3g.20gb@4",
                "gpu 0: create compute instance (profile 2) in 3g.20gb@4"}));
}

TEST(ReconcileTest, MigModeChangesAfterDestroysAndBeforeCreates) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Result<NodePlan> off = Reconcile({Observed(a100, 0, {"7g.40gb@0"})},
                                         {GpuTarget{.index = 0, .mig_enabled = false, .instances = {}}}, {});
  ASSERT_THAT(off, IsOk());
  ASSERT_EQ(off->ops.size(), 3u);
  EXPECT_EQ(off->ops[2].kind, OpKind::kSetMigMode);
  EXPECT_FALSE(off->ops[2].mig_enabled);

  ObservedGpu disabled = Observed(a100, 0, {});
  disabled.mig_enabled = false;
  const Result<NodePlan> on = Reconcile({disabled}, {Target(a100, 0, {"7g.40gb@0"})}, {});
  ASSERT_THAT(on, IsOk());
  ASSERT_EQ(on->ops.size(), 3u);
  EXPECT_EQ(on->ops[0].kind, OpKind::kSetMigMode);
  EXPECT_TRUE(on->ops[0].mig_enabled);
}

TEST(ReconcileTest, InvalidTargetOrUnknownGpuFailsWithNoPlan) {
  const GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_THAT(Reconcile({Observed(a100, 0, {})}, {Target(a100, 0, {"4g.20gb@0", "3g.20gb@0"})}, {}),
              HasError(StatusCode::kInvalidArgument, "the target layout cannot exist"));
  EXPECT_THAT(Reconcile({Observed(a100, 0, {})}, {Target(a100, 3, {})}, {}),
              HasError(StatusCode::kInvalidArgument, "gpu 3, which this node does not have"));
}

io::MigPartedConfig Config(const std::string& text) {
  Result<io::MigPartedFile> file = io::ParseMigPartedYaml("version: v1\nmig-configs:\n  c:\n" + text, "t.yaml");
  EXPECT_THAT(file, IsOk());
  return file->configs.at(0);
}

TEST(MigPartedTargetTest, KeepsExistingInstancesAndPlacesTheRestAroundThem) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const io::MigPartedConfig config = Config(
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
  const io::MigPartedConfig config = Config(
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
  const io::MigPartedConfig config = Config(
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
                  Config("    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.10gb+me\": 1}\n"),
                  gpus),
              HasError(StatusCode::kInvalidArgument, "t.yaml:4: gpu 0 (A100-40GB, 0x20B010DE) has no MIG profile '1g.10gb+me'"));
  EXPECT_THAT(TargetsFromMigParted(
                  Config("    - devices: all\n      mig-enabled: true\n      mig-devices: {\"4g.20gb\": 2}\n"),
                  gpus),
              HasError(StatusCode::kResourceExhausted, "t.yaml:4: 2 x 4g.20gb cannot fit on gpu 0"));
  EXPECT_THAT(TargetsFromMigParted(
                  Config("    - devices: all\n      mig-enabled: false\n"
                         "    - devices: [0]\n      mig-enabled: true\n"),
                  gpus),
              HasError(StatusCode::kInvalidArgument, "t.yaml:6: config 'c' selects gpu 0 (A100-40GB, 0x20B010DE) a second time (first at t.yaml:4)"));
  EXPECT_THAT(TargetsFromMigParted(Config("    - devices: [2]\n      mig-enabled: false\n"), gpus),
              HasError(StatusCode::kInvalidArgument, "names gpu 2, but this node has 1 GPUs"));
}

TEST(MigPartedTargetTest, CompareListsEachDifference) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const io::MigPartedConfig config = Config(
      "    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.5gb\": 2, \"3g.20gb\": 1}\n");
  ObservedGpu gpu = Observed(a100, 0, {"1g.5gb@0", "2g.10gb@2", "3g.20gb@4"});
  gpu.instances[2].compute_instances.clear();
  const Result<std::vector<MigPartedDifference>> diff = CompareWithMigParted(config, {gpu});
  ASSERT_THAT(diff, IsOk());
  std::vector<std::string> texts;
  for (const MigPartedDifference& d : *diff) texts.push_back(d.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "gpu 0: 3g.20gb@4 holds 0 compute instance(s), wants one full compute instance",
                       "gpu 0: has 1 x 1g.5gb, wants 2", "gpu 0: has 1 x 2g.10gb, wants 0"}));
  ASSERT_EQ(diff->size(), 3u);
  EXPECT_EQ((*diff)[0].kind, MigPartedDifference::Kind::kComputeInstances);
  EXPECT_EQ((*diff)[0].instance, "3g.20gb@4");
  EXPECT_EQ((*diff)[0].has, 0);
  EXPECT_EQ((*diff)[1].kind, MigPartedDifference::Kind::kProfileCount);
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
  const Result<io::MigPartedFile> file = io::ParseMigPartedYaml(text, "export");
  ASSERT_THAT(file, IsOk()) << text;
  const Result<std::vector<MigPartedDifference>> diff = CompareWithMigParted(file->configs.at(0), gpus);
  ASSERT_THAT(diff, IsOk());
  EXPECT_TRUE(diff->empty()) << text;
  // Applying the export to the same GPUs changes nothing.
  const Result<std::vector<GpuTarget>> targets = TargetsFromMigParted(file->configs.at(0), gpus);
  ASSERT_THAT(targets, IsOk());
  const Result<NodePlan> plan = Reconcile(gpus, *targets, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->ops.empty());
}

}  // namespace
}  // namespace migsched::agent
