// StateSpace's tables against the instance-list reference (ScanFits), over
// every layout of every catalogued GPU, and the enumerator's census against
// the numbers derived independently in docs/catalog.md.
#include "geometry/state_space.h"

#include <gtest/gtest.h>

#include <set>

#include "geometry/layout_enumerator.h"
#include "testing/catalog_fixture.h"

namespace migsched::geometry {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::Profile;
using ::migsched::testing::Space;

// Every valid layout reached by adding one instance at a time (each state's
// layouts are visited once by walking instances in start order).
void ForEachLayout(const GpuModel& model, const StateSpace& space, StateId state, int slot,
                   std::vector<GpuInstance>& layout,
                   const std::function<void(StateId, const std::vector<GpuInstance>&)>& visit) {
  if (slot == model.memory_slices) {
    visit(state, layout);
    return;
  }
  ForEachLayout(model, space, state, slot + 1, layout, visit);
  for (size_t p = 0; p < model.profiles.size(); ++p) {
    const int profile = static_cast<int>(p);
    if (!space.Fits(state, profile).contains(slot)) continue;
    layout.push_back(GpuInstance{profile, model.profiles[p].PlacementAt(slot)});
    ForEachLayout(model, space, space.Place(state, profile, slot), slot + 1, layout, visit);
    layout.pop_back();
  }
}

class EveryGpuTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryGpuTest, TablesAgreeWithScanningTheInstanceList) {
  const GpuModel& model = Gpu(GetParam());
  const StateSpace space = Space(model);
  std::set<StateId> seen;
  std::vector<GpuInstance> layout;
  size_t layouts = 0;
  ForEachLayout(model, space, StateSpace::kEmpty, 0, layout,
                [&](StateId state, const std::vector<GpuInstance>& instances) {
                  ++layouts;
                  seen.insert(state);
                  const LayoutVerdict verdict = CheckLayout(model, instances);
                  ASSERT_TRUE(verdict.valid) << verdict.reason;
                  ASSERT_EQ(space.Find(verdict.state), state);
                  for (size_t p = 0; p < model.profiles.size(); ++p) {
                    ASSERT_EQ(space.Fits(state, static_cast<int>(p)),
                              ScanFits(model, instances, static_cast<int>(p)))
                        << model.profiles[p].name << " next to " << instances.size() << " instances";
                  }
                  for (const GpuInstance& instance : instances) {
                    const StateId before =
                        space.Remove(state, instance.profile, instance.placement.start);
                    ASSERT_NE(before, StateSpace::kNoState);
                    ASSERT_EQ(space.Place(before, instance.profile, instance.placement.start), state);
                  }
                });
  EXPECT_EQ(seen.size(), space.size()) << "every state is reachable by some layout";
  EXPECT_GT(layouts, space.size() - 1);
}

TEST_P(EveryGpuTest, EnumeratedMaximalLayoutsRoundTripThroughCheckLayout) {
  const GpuModel& model = Gpu(GetParam());
  const StateSpace space = Space(model);
  const LayoutCensus census = EnumerateLayouts(model, space);
  ASSERT_FALSE(census.maximal_layouts.empty());
  for (const std::vector<GpuInstance>& layout : census.maximal_layouts) {
    const LayoutVerdict verdict = CheckLayout(model, layout);
    ASSERT_TRUE(verdict.valid) << verdict.reason;
    for (size_t p = 0; p < model.profiles.size(); ++p) {
      EXPECT_TRUE(ScanFits(model, layout, static_cast<int>(p)).empty())
          << model.profiles[p].name << " still fits: layout is not maximal";
    }
  }
}

std::vector<std::string> AllGpuNames() {
  std::vector<std::string> names;
  for (const GpuModel& model : BuiltinCatalogForTest().models()) names.push_back(model.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Catalog, EveryGpuTest, ::testing::ValuesIn(AllGpuNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// With the six base profiles of the 8-slot family: 723 valid sets, 78 maximal,
// 38 distinct multisets, 11 of which use every compute and memory slice.
TEST(LayoutCensusTest, EightSlotFamilyMatchesTheDerivedOracle) {
  for (const char* gpu : {"A100-40GB", "H100-80GB", "H200-141GB", "B200-180GB"}) {
    const GpuModel& model = Gpu(gpu);
    const StateSpace space = Space(model);
    std::vector<int> base;
    for (size_t p = 0; p < model.profiles.size(); ++p) {
      if (model.profiles[p].media_variant == MediaVariant::kStandard) base.push_back(static_cast<int>(p));
    }
    ASSERT_EQ(base.size(), 6u) << gpu;
    const LayoutCensus census = EnumerateLayouts(model, space, base);
    EXPECT_EQ(census.valid_layouts, 723u) << gpu;
    EXPECT_EQ(census.maximal_layouts.size(), 78u) << gpu;
    EXPECT_EQ(census.distinct_multisets, 38u) << gpu;
    std::set<std::vector<int>> full;
    for (const auto& layout : census.maximal_layouts) {
      int compute = 0;
      int memory = 0;
      std::vector<int> profiles;
      for (const GpuInstance& instance : layout) {
        compute += model.profiles[static_cast<size_t>(instance.profile)].compute_slices;
        memory += instance.placement.size;
        profiles.push_back(instance.profile);
      }
      std::sort(profiles.begin(), profiles.end());
      if (compute == 7 && memory == 8) full.insert(profiles);
    }
    EXPECT_EQ(full.size(), 11u) << gpu;
  }
}

TEST(LayoutCensusTest, PlacementSetsCanBeRestrictedToSomeProfiles) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const StateSpace space = Space(a100);
  const LayoutCensus only_3g = EnumerateLayouts(a100, space, {Profile(a100, "3g.20gb")});
  ASSERT_EQ(only_3g.maximal_layouts.size(), 1u);  // 3g@0 + 3g@4
  EXPECT_EQ(only_3g.maximal_layouts[0].size(), 2u);
  EXPECT_EQ(only_3g.valid_layouts, 4u);  // {}, {@0}, {@4}, {@0,@4}
}

}  // namespace
}  // namespace migsched::geometry
