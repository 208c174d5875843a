#include "plan/transition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "geometry/layout_enumerator.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using fleet::Fleet;
using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::MigOpKind;
using migsched::testing::Gpu;
using migsched::testing::HasCode;
using migsched::testing::HasError;
using migsched::testing::Instances;
using migsched::testing::IsOk;
using migsched::testing::Profile;

FleetGpu Bare(const GpuModel& model, bool mig_enabled = true) {
  FleetGpu gpu;
  gpu.node = "node-1";
  gpu.model = &model;
  gpu.mig_enabled = mig_enabled;
  return gpu;
}

FleetGpu MakeGpu(const GpuModel& model, const std::vector<std::string>& specs,
                 const std::vector<std::string>& owners = {}, const std::vector<bool>& busy = {}) {
  FleetGpu gpu = Bare(model);
  const std::vector<GpuInstance> layout = Instances(model, specs);
  for (size_t i = 0; i < layout.size(); ++i) {
    gpu.instances.push_back(FleetInstance{.instance = layout[i],
                                          .workload = i < owners.size() ? owners[i] : "",
                                          .busy = i < busy.size() && busy[i]});
  }
  return gpu;
}

Fleet OneGpu(FleetGpu gpu) { return Fleet{.gpus = {std::move(gpu)}}; }

std::vector<GpuInstance> Sorted(std::vector<GpuInstance> layout) {
  std::sort(layout.begin(), layout.end(), [](const GpuInstance& a, const GpuInstance& b) {
    return a.placement.start != b.placement.start ? a.placement.start < b.placement.start
                                                  : a.profile < b.profile;
  });
  return layout;
}

// Replays ops on a bare layout, independently of ApplyOperations, and checks
// the layout after every create with the geometry engine.
std::vector<GpuInstance> ReplayChecked(const GpuModel& model, std::vector<GpuInstance> layout,
                                       const std::vector<TransitionOp>& ops) {
  for (const TransitionOp& op : ops) {
    const GpuInstance instance{
        op.profile, model.profiles[static_cast<size_t>(op.profile)].PlacementAt(op.start)};
    if (op.kind == MigOpKind::kDestroyGi) {
      const auto it = std::find(layout.begin(), layout.end(), instance);
      EXPECT_NE(it, layout.end()) << "destroying an absent instance";
      if (it != layout.end()) layout.erase(it);
    } else if (op.kind == MigOpKind::kCreateGi) {
      layout.push_back(instance);
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, layout);
      EXPECT_TRUE(verdict.valid) << verdict.reason;
    }
  }
  return layout;
}

TEST(TransitionTest, KeepsBusyAndMatchingInstancesDestroysBeforeCreatingLargestFirst) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const Fleet current = OneGpu(MakeGpu(h100, {"1g.10gb@6", "3g.40gb@0"}, {"bert", "old"},
                                       {true, false}));
  const Fleet target =
      OneGpu(MakeGpu(h100, {"1g.10gb@6", "1g.10gb@2", "2g.20gb@0"}, {"bert", "a", "b"}));
  const Result<TransitionPlan> plan = PlanTransition(current, target);
  ASSERT_THAT(plan, IsOk());
  const int g3 = Profile(h100, "3g.40gb");
  const int g2 = Profile(h100, "2g.20gb");
  const int g1 = Profile(h100, "1g.10gb");
  auto op = [](MigOpKind kind, int profile, int start) {
    return TransitionOp{.node = "node-1", .gpu = 0, .kind = kind, .profile = profile, .start = start};
  };
  EXPECT_THAT(plan->operations,
              ::testing::ElementsAre(op(MigOpKind::kDestroyCi, g3, 0), op(MigOpKind::kDestroyGi, g3, 0),
                                     op(MigOpKind::kCreateGi, g2, 0), op(MigOpKind::kCreateCi, g2, 0),
                                     op(MigOpKind::kCreateGi, g1, 2), op(MigOpKind::kCreateCi, g1, 2)));
  EXPECT_EQ(plan->gpus_changed, 1);
}

TEST(TransitionTest, UnchangedGpuHasNoOps) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Fleet fleet = OneGpu(MakeGpu(a100, {"4g.20gb@0", "3g.20gb@4"}, {"x", ""}, {true}));
  const Result<TransitionPlan> plan = PlanTransition(fleet, fleet);
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->operations.empty());
  EXPECT_EQ(plan->gpus_changed, 0);
}

TEST(TransitionTest, RefusesToDestroyABusyInstanceAndNamesIt) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Fleet current = OneGpu(MakeGpu(a100, {"3g.20gb@4"}, {"train"}, {true}));
  const Fleet target = OneGpu(MakeGpu(a100, {"7g.40gb@0"}));
  EXPECT_THAT(PlanTransition(current, target),
              HasError(StatusCode::kFailedPrecondition, "node-1 gpu 0: busy instance 3g.20gb@4"));
}

TEST(TransitionTest, RefusesToReassignABusyInstance) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Fleet current = OneGpu(MakeGpu(a100, {"3g.20gb@4"}, {"train"}, {true}));
  const Fleet target = OneGpu(MakeGpu(a100, {"3g.20gb@4"}, {"other"}));
  EXPECT_THAT(PlanTransition(current, target),
              HasError(StatusCode::kFailedPrecondition, "gives it to 'other'"));
}

TEST(TransitionTest, RefusesToRepartitionABusyWholeGpu) {
  const GpuModel& a100 = Gpu("A100-40GB");
  FleetGpu whole = Bare(a100, /*mig_enabled=*/false);
  whole.whole_gpu_workload = "llm";
  whole.whole_gpu_busy = true;
  const Fleet target = OneGpu(MakeGpu(a100, {"7g.40gb@0"}));
  EXPECT_THAT(PlanTransition(OneGpu(whole), target),
              HasError(StatusCode::kFailedPrecondition, "busy with 'llm' as a whole GPU"));
}

TEST(TransitionTest, MigModeChangesOnlyWhenNeeded) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const FleetGpu whole = Bare(a100, /*mig_enabled=*/false);
  const Fleet partitioned = OneGpu(MakeGpu(a100, {"4g.20gb@0"}));
  const Result<TransitionPlan> enable = PlanTransition(OneGpu(whole), partitioned);
  ASSERT_THAT(enable, IsOk());
  ASSERT_EQ(enable->operations.size(), 3u);
  EXPECT_EQ(enable->operations[0].kind, MigOpKind::kEnableMig);
  EXPECT_EQ(enable->operations[1].kind, MigOpKind::kCreateGi);

  const Result<TransitionPlan> disable = PlanTransition(partitioned, OneGpu(whole));
  ASSERT_THAT(disable, IsOk());
  ASSERT_EQ(disable->operations.size(), 3u);
  EXPECT_EQ(disable->operations[2].kind, MigOpKind::kDisableMig);

  FleetGpu other_owner = whole;
  other_owner.whole_gpu_workload = "new";
  const Result<TransitionPlan> same_mode = PlanTransition(OneGpu(whole), OneGpu(other_owner));
  ASSERT_THAT(same_mode, IsOk());
  EXPECT_TRUE(same_mode->operations.empty());
}

TEST(TransitionTest, InvalidLayoutsAndMismatchedFleetsAreRejected) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const Fleet ok = OneGpu(MakeGpu(a100, {"4g.20gb@0"}));
  const Fleet overlapping = OneGpu(MakeGpu(a100, {"4g.20gb@0", "3g.20gb@0"}));
  EXPECT_THAT(PlanTransition(ok, overlapping),
              HasError(StatusCode::kInvalidArgument, "target layout is invalid"));
  EXPECT_THAT(PlanTransition(overlapping, ok),
              HasError(StatusCode::kInvalidArgument, "current layout is invalid"));
  Fleet other_node = ok;
  other_node.gpus[0].node = "node-2";
  EXPECT_THAT(PlanTransition(ok, other_node), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(PlanTransition(ok, Fleet{}), HasCode(StatusCode::kInvalidArgument));
}

// Every pair of maximal H100 layouts: the ops reach the target exactly, every
// intermediate layout is valid, only differing instances are touched, and
// instances common to both may be busy.
TEST(TransitionTest, EveryPairOfMaximalLayoutsReachesTargetSafely) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const geometry::StateSpace space = migsched::testing::Space(h100);
  const std::vector<std::vector<GpuInstance>> layouts =
      geometry::EnumerateLayouts(h100, space).maximal_layouts;
  ASSERT_GT(layouts.size(), 10u);
  for (size_t a = 0; a < layouts.size(); a += 3) {
    for (size_t b = 0; b < layouts.size(); b += 2) {
      FleetGpu from = Bare(h100);
      FleetGpu to = from;
      size_t common = 0;
      for (const GpuInstance& i : layouts[a]) {
        const bool shared = std::find(layouts[b].begin(), layouts[b].end(), i) != layouts[b].end();
        common += shared ? 1 : 0;
        from.instances.push_back(FleetInstance{.instance = i, .workload = "w", .busy = shared});
      }
      for (const GpuInstance& i : layouts[b]) {
        const bool shared = std::find(layouts[a].begin(), layouts[a].end(), i) != layouts[a].end();
        to.instances.push_back(FleetInstance{.instance = i, .workload = shared ? "w" : "", .busy = false});
      }
      const Result<TransitionPlan> plan = PlanTransition(OneGpu(from), OneGpu(to));
      ASSERT_THAT(plan, IsOk()) << "pair " << a << "," << b;
      const size_t destroys = layouts[a].size() - common;
      const size_t creates = layouts[b].size() - common;
      EXPECT_EQ(plan->operations.size(), 2 * (destroys + creates));
      for (const TransitionOp& op : plan->operations) {
        if (op.kind == MigOpKind::kDestroyCi || op.kind == MigOpKind::kDestroyGi) {
          const GpuInstance gone{op.profile, h100.profiles[static_cast<size_t>(op.profile)]
                                                 .PlacementAt(op.start)};
          EXPECT_EQ(std::find(layouts[b].begin(), layouts[b].end(), gone), layouts[b].end());
        }
      }
      EXPECT_EQ(Sorted(ReplayChecked(h100, layouts[a], plan->operations)), Sorted(layouts[b]));
      const Result<Fleet> applied = ApplyOperations(OneGpu(from), plan->operations);
      ASSERT_THAT(applied, IsOk());
      EXPECT_EQ(Sorted(fleet::LayoutOf(applied->gpus[0])), Sorted(layouts[b]));
    }
  }
}

TEST(TransitionTest, ApplyOperationsEnforcesTheHardwareOrder) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const int g3 = Profile(a100, "3g.20gb");
  const int g4 = Profile(a100, "4g.20gb");
  const Fleet fleet = OneGpu(MakeGpu(a100, {"3g.20gb@4"}, {"x"}, {true}));
  auto op = [](MigOpKind kind, int profile, int start) {
    return TransitionOp{.node = "node-1", .gpu = 0, .kind = kind, .profile = profile, .start = start};
  };
  EXPECT_THAT(ApplyOperations(fleet, {op(MigOpKind::kDestroyCi, g3, 4)}),
              HasError(StatusCode::kFailedPrecondition, "busy"));
  EXPECT_THAT(ApplyOperations(fleet, {op(MigOpKind::kCreateGi, g4, 4)}),
              HasError(StatusCode::kFailedPrecondition, "start 4 not allowed"));
  EXPECT_THAT(ApplyOperations(fleet, {op(MigOpKind::kCreateGi, g4, 0)}),
              HasError(StatusCode::kFailedPrecondition, "without a compute instance"));
  EXPECT_THAT(ApplyOperations(fleet, {op(MigOpKind::kCreateGi, g4, 0), op(MigOpKind::kCreateCi, g4, 0)}),
              IsOk());
  const Fleet idle = OneGpu(MakeGpu(a100, {"3g.20gb@4"}));
  EXPECT_THAT(ApplyOperations(idle, {op(MigOpKind::kDestroyGi, g3, 4)}),
              HasError(StatusCode::kFailedPrecondition, "compute instance still exists"));
  EXPECT_THAT(ApplyOperations(idle, {op(MigOpKind::kEnableMig, -1, 0)}),
              HasError(StatusCode::kFailedPrecondition, "already enabled"));
  TransitionOp elsewhere = op(MigOpKind::kCreateGi, g4, 0);
  elsewhere.node = "node-9";
  EXPECT_THAT(ApplyOperations(idle, {elsewhere}), HasError(StatusCode::kNotFound, "node-9"));
}

}  // namespace
}  // namespace migsched::plan
