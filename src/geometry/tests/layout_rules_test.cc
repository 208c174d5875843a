// The hardware's documented placement rules, checked through the public
// engine (StateSpace, CheckLayout, SolvePlacement). Sources in docs/catalog.md.
#include <gtest/gtest.h>

#include "geometry/layout.h"
#include "geometry/layout_solver.h"
#include "geometry/state_space.h"
#include "testing/catalog_fixture.h"

namespace migsched::geometry {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::Instances;
using ::migsched::testing::Profile;
using ::migsched::testing::Space;

StateId PlaceAll(const GpuModel& model, const StateSpace& space,
                 const std::vector<std::string>& specs) {
  StateId state = StateSpace::kEmpty;
  for (const GpuInstance& instance : Instances(model, specs)) {
    state = space.Place(state, instance.profile, instance.placement.start);
    EXPECT_NE(state, StateSpace::kNoState) << InstanceLabel(model, instance);
  }
  return state;
}

bool NothingFits(const StateSpace& space, StateId state) {
  for (size_t p = 0; p < space.profile_count(); ++p) {
    if (!space.Fits(state, static_cast<int>(p)).empty()) return false;
  }
  return true;
}

TEST(LayoutRulesTest, FourGPlusThreeGFillsTheGpu) {
  const GpuModel& a100 = Gpu("A100-80GB");
  const StateSpace space = Space(a100);
  const StateId state = PlaceAll(a100, space, {"4g.40gb@0", "3g.40gb@4"});
  EXPECT_EQ(space.state(state).compute_used, 7);
  EXPECT_EQ(space.state(state).occupied, 0xFF);
  EXPECT_TRUE(NothingFits(space, state));
}

TEST(LayoutRulesTest, TwoThreeGsStrandAComputeSlice) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const StateSpace space = Space(a100);
  EXPECT_EQ(space.Fits(StateSpace::kEmpty, Profile(a100, "3g.20gb")), StartSet(0b10001));
  const StateId state = PlaceAll(a100, space, {"3g.20gb@4", "3g.20gb@0"});
  EXPECT_EQ(space.state(state).compute_used, 6);
  EXPECT_TRUE(NothingFits(space, state));  // one compute slice left, no memory for it
}

TEST(LayoutRulesTest, SevenOneGsStrandTheEighthMemorySlice) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const StateSpace space = Space(h100);
  EXPECT_FALSE(space.Fits(StateSpace::kEmpty, Profile(h100, "1g.10gb")).contains(7));
  const StateId state = PlaceAll(h100, space,
                                 {"1g.10gb@0", "1g.10gb@1", "1g.10gb@2", "1g.10gb@3", "1g.10gb@4",
                                  "1g.10gb@5", "1g.10gb@6"});
  EXPECT_TRUE(NothingFits(space, state));
  EXPECT_EQ(StrandedSlices(h100, space.state(state)), 1u << 7);
}

TEST(LayoutRulesTest, OnlyTheTwiceMemoryOneGReachesSlotSevenBesidesThreeGAndSevenG) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const StateSpace space = Space(h100);
  const StateId six_1g = PlaceAll(h100, space,
                                  {"1g.10gb@0", "1g.10gb@1", "1g.10gb@2", "1g.10gb@3",
                                   "1g.10gb@4", "1g.10gb@5"});
  EXPECT_EQ(space.Fits(six_1g, Profile(h100, "1g.20gb")), StartSet(1u << 6));
  const StateId full = space.Place(six_1g, Profile(h100, "1g.20gb"), 6);
  EXPECT_EQ(space.state(full).occupied, 0xFF);
  EXPECT_EQ(space.state(full).compute_used, 7);
}

TEST(LayoutRulesTest, OnlyOneMediaExtensionInstancePerGpu) {
  const GpuModel& gh200 = Gpu("H100-96GB");
  const StateSpace space = Space(gh200);
  const int me = Profile(gh200, "1g.12gb+me");
  const StateId one = space.Place(StateSpace::kEmpty, me, 6);
  EXPECT_TRUE(space.Fits(one, me).empty());
  EXPECT_EQ(FreeCount(space, StateSpace::kEmpty, me), 1);
  const LayoutVerdict verdict = CheckLayout(gh200, Instances(gh200, {"1g.12gb+me@0", "1g.12gb+me@1"}));
  EXPECT_FALSE(verdict.valid);
  EXPECT_EQ(verdict.reason, "+me profile already present: 1g.12gb+me@1 conflicts with 1g.12gb+me@0");
}

TEST(LayoutRulesTest, OnA30BothMediaExtensionProfilesShareOneSetOfEngines) {
  const GpuModel& a30 = Gpu("A30-24GB");
  EXPECT_FALSE(CheckLayout(a30, Instances(a30, {"2g.12gb+me@0", "1g.6gb+me@2"})).valid);
  EXPECT_TRUE(CheckLayout(a30, Instances(a30, {"2g.12gb+me@0", "1g.6gb@2", "1g.6gb@3"})).valid);
}

TEST(LayoutRulesTest, AllMediaExcludesEverythingButNoMediaProfiles) {
  const GpuModel& rtx = Gpu("RTX-PRO-6000");
  EXPECT_TRUE(CheckLayout(rtx, Instances(rtx, {"2g.48gb+me.all@0", "1g.24gb-me@6", "1g.24gb-me@9"})).valid);
  const LayoutVerdict with_plain = CheckLayout(rtx, Instances(rtx, {"2g.48gb+me.all@0", "1g.24gb@6"}));
  EXPECT_FALSE(with_plain.valid);
  EXPECT_EQ(with_plain.reason,
            "1g.24gb@6 cannot share the GPU with 2g.48gb+me.all@0, which holds every media engine "
            "(only -me profiles may)");
  const LayoutVerdict after_plain = CheckLayout(rtx, Instances(rtx, {"1g.24gb@0", "1g.24gb+me.all@3"}));
  EXPECT_FALSE(after_plain.valid);
  EXPECT_EQ(after_plain.reason, "1g.24gb+me.all@3 needs every media engine but 1g.24gb@0 uses one");
}

TEST(LayoutRulesTest, ReasonsNameTheConflict) {
  const GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_EQ(CheckLayout(a100, Instances(a100, {"2g.10gb@4", "3g.20gb@4"})).reason,
            "3g.20gb@4 overlaps 2g.10gb@4");
  EXPECT_EQ(CheckLayout(a100, Instances(a100, {"1g.5gb@7"})).reason,
            "start 7 not allowed for 1g.5gb (allowed: 0,1,2,3,4,5,6)");
  EXPECT_EQ(CheckLayout(a100, {{GpuInstance{Profile(a100, "1g.5gb"), Placement{0, 2}}}}).reason,
            "1g.5gb@0 has size 2 but 1g.5gb occupies 1 memory slices");
}

// NVIDIA's worked example on a real A100-40GB (R580): the free counts that
// nvidia-smi mig -lgip printed after each step.
TEST(LayoutRulesTest, FreeCountsMatchARealA100Sequence) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const StateSpace space = Space(a100);
  auto free = [&](StateId state, const char* profile) {
    return FreeCount(space, state, Profile(a100, profile));
  };
  const StateId s1 = PlaceAll(a100, space, {"4g.20gb@0"});
  EXPECT_EQ(free(s1, "1g.5gb"), 3);
  EXPECT_EQ(free(s1, "1g.5gb+me"), 1);
  EXPECT_EQ(free(s1, "1g.10gb"), 2);
  EXPECT_EQ(free(s1, "2g.10gb"), 1);
  EXPECT_EQ(free(s1, "3g.20gb"), 1);
  EXPECT_EQ(free(s1, "4g.20gb"), 0);
  EXPECT_EQ(free(s1, "7g.40gb"), 0);
  const StateId s2 = space.Place(s1, Profile(a100, "2g.10gb"), 4);
  EXPECT_EQ(free(s2, "1g.5gb"), 1);
  EXPECT_EQ(free(s2, "1g.10gb"), 1);
  EXPECT_EQ(free(s2, "2g.10gb"), 0);
  EXPECT_EQ(free(s2, "3g.20gb"), 0);
  const StateId s3 = space.Place(s2, Profile(a100, "1g.5gb"), 6);
  EXPECT_TRUE(NothingFits(space, s3));
  EXPECT_EQ(StrandedSlices(a100, space.state(s3)), 1u << 7);
}

// UG example: -cgi 19,19,14,9 fails on a real A100 when the driver places the
// 1g's itself, but the same multiset has a valid layout; the solver finds it
// and returns an order that works (largest first).
TEST(LayoutRulesTest, SolverFindsTheLayoutTheDriversOrderMisses) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const StateSpace space = Space(a100);
  const std::vector<int> request = {Profile(a100, "1g.5gb"), Profile(a100, "1g.5gb"),
                                    Profile(a100, "2g.10gb"), Profile(a100, "3g.20gb")};
  const auto solved = SolvePlacement(a100, space, StateSpace::kEmpty, request);
  ASSERT_TRUE(solved.has_value());
  ASSERT_EQ(solved->size(), 4u);
  EXPECT_EQ(InstanceLabel(a100, (*solved)[0]), "3g.20gb@4");
  EXPECT_EQ(InstanceLabel(a100, (*solved)[1]), "2g.10gb@2");
  EXPECT_TRUE(CheckLayout(a100, *solved).valid);

  // Greedy in the user's order with the driver's preference (highest start)
  // strands the 3g: 1g@6, then 1g@5, 2g@2, and 3g has no start left.
  StateId greedy = StateSpace::kEmpty;
  for (int profile : request) {
    const StartSet fits = space.Fits(greedy, profile);
    if (fits.empty()) {
      greedy = StateSpace::kNoState;
      break;
    }
    greedy = space.Place(greedy, profile, fits.highest());
  }
  EXPECT_EQ(greedy, StateSpace::kNoState);
}

TEST(LayoutRulesTest, SolverProvesInfeasibility) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const StateSpace space = Space(a100);
  const std::vector<int> too_much = {Profile(a100, "4g.20gb"), Profile(a100, "3g.20gb"),
                                     Profile(a100, "1g.5gb")};
  EXPECT_FALSE(SolvePlacement(a100, space, StateSpace::kEmpty, too_much).has_value());
  const std::vector<int> eight_1g(8, Profile(a100, "1g.5gb"));
  EXPECT_FALSE(SolvePlacement(a100, space, StateSpace::kEmpty, eight_1g).has_value());
}

TEST(LayoutRulesTest, SolverCompletesAroundFixedInstances) {
  const GpuModel& rtx = Gpu("RTX-PRO-6000");
  const StateSpace space = Space(rtx);
  const StateId fixed = PlaceAll(rtx, space, {"2g.48gb@0"});
  const std::vector<int> request = {Profile(rtx, "1g.24gb"), Profile(rtx, "1g.24gb")};
  const auto solved = SolvePlacement(rtx, space, fixed, request);
  ASSERT_TRUE(solved.has_value());
  EXPECT_EQ(InstanceLabel(rtx, (*solved)[0]), "1g.24gb@9");
  EXPECT_EQ(InstanceLabel(rtx, (*solved)[1]), "1g.24gb@6");
}

}  // namespace
}  // namespace migsched::geometry

namespace migsched::geometry {
namespace {

std::string Explain(const GpuModel& model, const std::vector<std::string>& names,
                    const std::vector<std::string>& fixed = {}) {
  std::vector<int> profiles;
  for (const std::string& name : names) profiles.push_back(testing::Profile(model, name));
  const StateSpace space = testing::Space(model);
  const StateId from = space.Find(CheckLayout(model, testing::Instances(model, fixed)).state).value();
  EXPECT_FALSE(SolvePlacement(model, space, from, profiles).has_value());
  return ExplainNoPlacement(model, space, from, profiles);
}

TEST(ExplainNoPlacementTest, NamesTheBindingRule) {
  const GpuModel& a100 = testing::Gpu("A100-40GB");
  EXPECT_EQ(Explain(a100, {"4g.20gb", "3g.20gb", "1g.5gb"}),
            "they need 8 compute slices but 7 are free");
  EXPECT_EQ(Explain(a100, {"3g.20gb", "3g.20gb", "1g.10gb"}),
            "they need 10 memory slices but 8 are free");
  EXPECT_EQ(Explain(a100, {"1g.5gb+me", "1g.5gb+me"}),
            "+me profile already present: a GPU holds at most one +me instance");
  EXPECT_EQ(Explain(a100, {"2g.10gb", "2g.10gb", "2g.10gb", "2g.10gb"}),
            "they need 8 compute slices but 7 are free");
  EXPECT_EQ(Explain(a100, {"4g.20gb"}, {"1g.5gb@0"}), "at most 0 4g.20gb fit, 1 requested");
  // Each fits alone next to 1g.5gb@5, but 3g must take 0-3 and 2g then has no start.
  EXPECT_EQ(Explain(a100, {"3g.20gb", "2g.10gb"}, {"1g.5gb@5"}),
            "no combination of allowed starts holds them all (placement conflict)");
  const GpuModel& rtx = testing::Gpu("RTX-PRO-6000");
  EXPECT_EQ(Explain(rtx, {"1g.24gb+me.all", "1g.24gb+me.all"}), "at most 1 1g.24gb+me.all fit, 2 requested");
}

}  // namespace
}  // namespace migsched::geometry
