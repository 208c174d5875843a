// NVIDIA's static presets: valid on every catalog model, and built by the rule
// (the comparison with the gpu-operator's own config is in
// plan/tests/baselines_test.cc).
#include "geometry/presets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "geometry/layout.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::geometry {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::testing::ElementsAre;

std::vector<std::string> Labels(const GpuModel& model, const std::vector<GpuInstance>& layout) {
  std::vector<std::string> labels;
  for (const GpuInstance& i : layout) labels.push_back(InstanceLabel(model, i));
  return labels;
}

// True when no further instance of `profile` fits beside `layout`.
bool NoMoreFits(const GpuModel& model, std::vector<GpuInstance> layout, int profile) {
  const GiProfile& gi = model.profiles[static_cast<size_t>(profile)];
  for (int start : gi.starts) {
    layout.push_back(GpuInstance{profile, gi.PlacementAt(start)});
    if (CheckLayout(model, layout).valid) return false;
    layout.pop_back();
  }
  return true;
}

TEST(PresetsTest, EveryPresetIsAValidLayoutOnEveryModel) {
  for (const GpuModel& model : BuiltinCatalogForTest().models()) {
    for (const std::string& name : PresetNames()) {
      const std::vector<GpuInstance> layout = PresetLayout(model, ParsePreset(name).value());
      EXPECT_FALSE(layout.empty()) << model.name << " " << name;
      const LayoutVerdict verdict = CheckLayout(model, layout);
      EXPECT_TRUE(verdict.valid) << model.name << " " << name << ": " << verdict.reason;
    }
  }
}

TEST(PresetsTest, LayoutsFollowTheRuleOnEveryModel) {
  for (const GpuModel& model : BuiltinCatalogForTest().models()) {
    const std::vector<GpuInstance> all1g = PresetLayout(model, Preset::kAll1g);
    ASSERT_FALSE(all1g.empty()) << model.name;
    const int one = all1g.front().profile;
    const GiProfile& smallest = model.profiles[static_cast<size_t>(one)];
    EXPECT_EQ(smallest.compute_slices, 1) << model.name;
    EXPECT_EQ(smallest.media_variant, MediaVariant::kStandard) << model.name;
    for (const GiProfile& p : model.profiles) {
      if (p.compute_slices == 1 && p.media_variant == MediaVariant::kStandard) {
        EXPECT_GE(p.memory_slices, smallest.memory_slices) << model.name << " " << p.name;
      }
    }
    for (const GpuInstance& i : all1g) EXPECT_EQ(i.profile, one) << model.name;
    EXPECT_TRUE(NoMoreFits(model, all1g, one)) << model.name;

    // all-balanced: at most one of each larger compute size up to half the GPU,
    // largest first, then the smallest 1g until none fits.
    const std::vector<GpuInstance> balanced = PresetLayout(model, Preset::kAllBalanced);
    std::map<int, int> per_compute;
    int previous = model.compute_slices;
    for (const GpuInstance& i : balanced) {
      const GiProfile& p = model.profiles[static_cast<size_t>(i.profile)];
      EXPECT_LE(p.compute_slices, previous) << model.name << " not largest first";
      previous = p.compute_slices;
      EXPECT_LE(2 * p.compute_slices, model.compute_slices) << model.name << " " << p.name;
      EXPECT_EQ(p.media_variant, MediaVariant::kStandard) << model.name << " " << p.name;
      if (p.compute_slices == 1) {
        EXPECT_EQ(i.profile, one) << model.name;
      } else {
        EXPECT_EQ(++per_compute[p.compute_slices], 1) << model.name << " " << p.name;
      }
    }
    EXPECT_TRUE(NoMoreFits(model, balanced, one)) << model.name;
  }
}

TEST(PresetsTest, KnownLayouts) {
  const GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_THAT(Labels(a100, PresetLayout(a100, Preset::kAllBalanced)),
              ElementsAre("3g.20gb@4", "2g.10gb@2", "1g.5gb@1", "1g.5gb@0"));
  EXPECT_EQ(PresetLayout(a100, Preset::kAll1g).size(), 7u);
  const GpuModel& a30 = Gpu("A30-24GB");
  EXPECT_THAT(Labels(a30, PresetLayout(a30, Preset::kAllBalanced)),
              ElementsAre("2g.12gb@2", "1g.6gb@1", "1g.6gb@0"));
  EXPECT_EQ(PresetLayout(a30, Preset::kAll1g).size(), 4u);
  // Half of a 2-slice GPU is 1g: balanced is two 1g, not one 2g (the whole GPU).
  const GpuModel& rtx = Gpu("RTX-PRO-5000");
  EXPECT_THAT(Labels(rtx, PresetLayout(rtx, Preset::kAllBalanced)),
              ElementsAre("1g.24gb@1", "1g.24gb@0"));
}

TEST(PresetsTest, AModelWithoutAStandard1gHasNoPreset) {
  GpuModel without_1g = Gpu("A30-24GB");
  std::erase_if(without_1g.profiles, [](const GiProfile& p) { return p.compute_slices == 1; });
  EXPECT_TRUE(PresetLayout(without_1g, Preset::kAll1g).empty());
  EXPECT_TRUE(PresetLayout(without_1g, Preset::kAllBalanced).empty());
}

TEST(PresetsTest, ParsePresetNamesTheValidOnes) {
  EXPECT_EQ(ParsePreset("all-1g").value(), Preset::kAll1g);
  EXPECT_EQ(ParsePreset("all-balanced").value(), Preset::kAllBalanced);
  EXPECT_THAT(ParsePreset("all-2g"), HasError(StatusCode::kInvalidArgument, "all-1g, all-balanced"));
}

}  // namespace
}  // namespace migsched::geometry
