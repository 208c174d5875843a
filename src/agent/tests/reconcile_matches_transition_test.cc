// Issue 14.5: one transition diff. For random current and target layouts of
// every catalog model (from the geometry engine, fixed seed), the agent's
// reconcile and the planner's transition give the same operations, or both
// refuse the change because it would end running work; and the operations,
// replayed step by step by plan::ApplyOperations, reach the target. (Before,
// the two drifted: the agent destroyed in NVML's order and created in the
// target's, the planner created largest first.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "agent/reconcile.h"
#include "agent/tests/transition_steps.h"
#include "plan/transition.h"
#include "testing/catalog_fixture.h"
#include "testing/observed_gpus.h"
#include "testing/random_layouts.h"
#include "testing/status_matchers.h"

namespace migsched::agent {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using ::migsched::testing::HasCode;
using ::migsched::testing::IsOk;

std::string Text(const GpuModel& model, bool mig_enabled, const std::vector<GpuInstance>& layout) {
  if (!mig_enabled) return "MIG off";
  std::string out = "MIG on:";
  for (const GpuInstance& instance : layout) out += " " + geometry::InstanceLabel(model, instance);
  return out;
}

TEST(ReconcileMatchesTransitionTest, SameOperationsForTheSameChangeOnEveryModel) {
  std::mt19937 rng(145);
  int compared = 0;
  int refused = 0;
  int with_kept = 0;
  for (const GpuModel& model : ::migsched::testing::BuiltinCatalogForTest().models()) {
    const ::migsched::testing::RandomLayouts layouts(model);
    for (int n = 0; n < 30; ++n) {
      const auto [current_mig, current, target_mig, target] = layouts.Change(rng);
      const bool busy = rng() % 4 == 0;  // one process, on an instance or (MIG off) the whole GPU
      SCOPED_TRACE(model.name + " case " + std::to_string(n) + ": " + Text(model, current_mig, current) +
                   " -> " + Text(model, target_mig, target) + (busy ? ", one busy" : ""));

      // NVML lists GPU instances by id, handed out in creation order: a
      // random one, unrelated to the fleet's listing.
      std::vector<GpuInstance> created = current;
      std::shuffle(created.begin(), created.end(), rng);
      ObservedGpu observed = ::migsched::testing::ObservedWith(model, 0, created);
      observed.mig_enabled = current_mig;
      fleet::FleetGpu from = FleetGpuOf(model, 0, current_mig, current);
      const fleet::FleetGpu to = FleetGpuOf(model, 0, target_mig, target);
      if (busy && !current.empty()) {
        const GpuInstance& victim = current[rng() % current.size()];
        for (ObservedGpuInstance& gi : observed.instances) {
          if (gi.instance == victim) gi.pids = {4242};
        }
        for (fleet::FleetInstance& instance : from.instances) instance.busy = instance.instance == victim;
      } else if (busy && !current_mig) {
        observed.pids = {4242};
        from.whole_gpu_busy = true;  // owned by "" in both fleets: only a mode change touches it
      }

      const Result<NodePlan> reconciled =
          Reconcile({observed}, {GpuTarget{.index = 0, .mig_enabled = target_mig, .instances = target}}, {});
      const Result<plan::TransitionPlan> planned =
          plan::PlanTransition(fleet::Fleet{.gpus = {from}}, fleet::Fleet{.gpus = {to}});
      ASSERT_EQ(reconciled.has_value(), planned.has_value())
          << "reconcile: " << (reconciled.has_value() ? "ok" : reconciled.error().ToString())
          << "; transition: " << (planned.has_value() ? "ok" : planned.error().ToString());
      if (!reconciled.has_value()) {
        EXPECT_THAT(reconciled, HasCode(StatusCode::kFailedPrecondition));
        EXPECT_THAT(planned, HasCode(StatusCode::kFailedPrecondition));
        ++refused;
        continue;
      }
      EXPECT_EQ(StepsOf(reconciled->ops), StepsOf(planned->operations));
      const Result<fleet::Fleet> reached =
          plan::ApplyOperations(fleet::Fleet{.gpus = {from}}, planned->operations);
      ASSERT_THAT(reached, IsOk());
      EXPECT_EQ(reached->gpus[0].mig_enabled, target_mig);
      EXPECT_EQ(SortedLayout(fleet::LayoutOf(reached->gpus[0])), SortedLayout(target));
      ++compared;
      with_kept += reconciled->kept.empty() ? 0 : 1;
    }
  }
  std::cout << compared << " changes gave the same operations, " << refused << " were refused by both, "
            << with_kept << " kept instances\n";
  // The sample covers what it claims to: agreement, shared refusals, kept instances.
  EXPECT_GE(compared, 400);
  EXPECT_GE(refused, 20);
  EXPECT_GE(with_kept, 100);
}

}  // namespace
}  // namespace migsched::agent
