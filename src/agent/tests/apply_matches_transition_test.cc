// Issue 14.5, against the fake NVML (which enforces the driver's rules on
// every call, through the real dlopen path): for random changes on every
// catalog model, `apply` runs exactly the operations the planner's transition
// lists for the same change, each one accepted by the driver, and ends at the
// target with one full compute instance per GPU instance.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "agent/apply.h"
#include "agent/nvml_node.h"
#include "agent/tests/fake_nvml_fixture.h"
#include "agent/tests/transition_steps.h"
#include "nvml/fake/fake_machine.h"
#include "plan/transition.h"
#include "testing/random_layouts.h"

namespace migsched::agent {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using ::migsched::testing::BuiltinCatalogForTest;

// One GPU of `model` holding `layout`, created through the fake's own rules
// in the order listed (so NVML's ids follow that order, not the sizes).
nvml::fake::FakeState StateHolding(const GpuModel& model, bool mig_enabled,
                                   const std::vector<GpuInstance>& layout) {
  const geometry::Catalog& catalog = BuiltinCatalogForTest();
  Result<nvml::fake::FakeState> fresh = nvml::fake::NewFakeState(catalog, {{model.name, 1}});
  EXPECT_TRUE(fresh.has_value()) << fresh.error().ToString();
  Result<nvml::fake::FakeMachine> machine = nvml::fake::FakeMachine::Create(catalog, *fresh);
  EXPECT_TRUE(machine.has_value()) << machine.error().ToString();
  if (!mig_enabled) {
    EXPECT_EQ(machine->SetMigMode(0, NVML_DEVICE_MIG_DISABLE), NVML_SUCCESS);
  }
  for (const GpuInstance& instance : layout) {
    const geometry::GiProfile& profile = model.profiles[static_cast<size_t>(instance.profile)];
    const nvml::fake::Created gi = machine->CreateGpuInstance(
        0, static_cast<unsigned>(profile.id), static_cast<unsigned>(instance.placement.start),
        static_cast<unsigned>(instance.placement.size));
    EXPECT_EQ(gi.code, NVML_SUCCESS) << geometry::InstanceLabel(model, instance);
    const nvml::fake::Created ci =
        machine->CreateComputeInstance(0, gi.id, static_cast<unsigned>(FullComputeInstance(profile)->id));
    EXPECT_EQ(ci.code, NVML_SUCCESS) << geometry::InstanceLabel(model, instance);
  }
  return machine->state();
}

std::vector<GpuInstance> LayoutOf(const ObservedGpu& gpu) {
  std::vector<GpuInstance> layout;
  for (const ObservedGpuInstance& gi : gpu.instances) {
    EXPECT_TRUE(HoldsFullComputeInstance(*gpu.model, gi)) << geometry::InstanceLabel(*gpu.model, gi.instance);
    layout.push_back(gi.instance);
  }
  return layout;
}

TEST_F(FakeNvmlTest, ApplyRunsThePlannersOperationsOnEveryModel) {
  const geometry::Catalog& catalog = BuiltinCatalogForTest();
  std::mt19937 rng(1405);
  int cases = 0;
  for (const GpuModel& model : catalog.models()) {
    const ::migsched::testing::RandomLayouts layouts(model);
    InitState({{model.name, 1}});
    Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(catalog);
    ASSERT_TRUE(session.has_value()) << session.error().ToString();
    for (int n = 0; n < 12; ++n) {
      const auto [current_mig, current, target_mig, target] = layouts.Change(rng);
      SCOPED_TRACE(model.name + " case " + std::to_string(n));
      WriteState(StateHolding(model, current_mig, current));

      Result<std::vector<ObservedGpu>> before = ObserveNode(**session);
      ASSERT_TRUE(before.has_value()) << before.error().ToString();
      const fleet::FleetGpu from = FleetGpuOf(model, 0, current_mig, LayoutOf(before->at(0)));
      const fleet::FleetGpu to = FleetGpuOf(model, 0, target_mig, target);
      const Result<plan::TransitionPlan> planned =
          plan::PlanTransition(fleet::Fleet{.gpus = {from}}, fleet::Fleet{.gpus = {to}});
      ASSERT_TRUE(planned.has_value()) << planned.error().ToString();

      const GpuTarget wanted{.index = 0, .mig_enabled = target_mig, .instances = target};
      const TargetFunction targets =
          [&wanted](const std::vector<ObservedGpu>&) -> Result<std::vector<GpuTarget>> {
        return std::vector{wanted};
      };
      const Result<ApplyReport> report =
          Apply(**session, catalog, targets, ApplyOptions{.journal_path = JournalPath()});
      ASSERT_TRUE(report.has_value()) << report.error().ToString();
      std::vector<Op> executed;
      for (const ExecutedOp& e : report->executed) executed.push_back(e.op);
      EXPECT_EQ(StepsOf(executed), StepsOf(planned->operations));

      Result<std::vector<ObservedGpu>> after = ObserveNode(**session);
      ASSERT_TRUE(after.has_value()) << after.error().ToString();
      EXPECT_EQ(after->at(0).mig_enabled, target_mig);
      EXPECT_EQ(SortedLayout(LayoutOf(after->at(0))), SortedLayout(target));
      ++cases;
    }
  }
  EXPECT_EQ(cases, 12 * static_cast<int>(catalog.models().size()));
}

}  // namespace
}  // namespace migsched::agent
