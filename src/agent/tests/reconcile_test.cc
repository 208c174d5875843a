// Pure agent logic on observed states built from the catalog: reconcile keeps
// what matches, never touches busy instances, orders ops as the hardware
// needs.
#include "agent/reconcile.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"
#include "testing/observed_gpus.h"
#include "testing/status_matchers.h"

namespace migsched::agent {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::MigOpKind;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;
using ::migsched::testing::Observed;
using ::migsched::testing::Target;

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
            (std::vector<std::string>{"gpu 0: create_gi 4g.20gb@0",
                                      "gpu 0: create_ci 4g.20gb@0 (ci profile 3)"}));
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
  EXPECT_EQ(plan->ops[0].kind, MigOpKind::kDestroyCi);
  EXPECT_EQ(plan->ops[1].kind, MigOpKind::kDestroyGi);
  EXPECT_EQ(plan->ops[1].gi_id, 1);
  EXPECT_EQ(plan->ops[2].kind, MigOpKind::kCreateGi);
  EXPECT_EQ(plan->ops[3].kind, MigOpKind::kCreateCi);
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
                "gpu 0: destroy_ci 3g.20gb@4 (compute instance 0, ci profile 0)",
                "gpu 0: destroy_ci 3g.20gb@4 (compute instance 1, ci profile 0)",
                "gpu 0: create_ci 3g.20gb@4 (ci profile 2)"}));
}

TEST(ReconcileTest, MigModeChangesAfterDestroysAndBeforeCreates) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Result<NodePlan> off = Reconcile({Observed(a100, 0, {"7g.40gb@0"})},
                                         {GpuTarget{.index = 0, .mig_enabled = false, .instances = {}}}, {});
  ASSERT_THAT(off, IsOk());
  ASSERT_EQ(off->ops.size(), 3u);
  EXPECT_EQ(off->ops[2].kind, MigOpKind::kDisableMig);

  ObservedGpu disabled = Observed(a100, 0, {});
  disabled.mig_enabled = false;
  const Result<NodePlan> on = Reconcile({disabled}, {Target(a100, 0, {"7g.40gb@0"})}, {});
  ASSERT_THAT(on, IsOk());
  ASSERT_EQ(on->ops.size(), 3u);
  EXPECT_EQ(on->ops[0].kind, MigOpKind::kEnableMig);
}

TEST(ReconcileTest, InvalidTargetOrUnknownGpuFailsWithNoPlan) {
  const GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_THAT(Reconcile({Observed(a100, 0, {})}, {Target(a100, 0, {"4g.20gb@0", "3g.20gb@0"})}, {}),
              HasError(StatusCode::kInvalidArgument, "the target layout cannot exist"));
  EXPECT_THAT(Reconcile({Observed(a100, 0, {})}, {Target(a100, 3, {})}, {}),
              HasError(StatusCode::kInvalidArgument, "gpu 3, which this node does not have"));
}

}  // namespace
}  // namespace migsched::agent
