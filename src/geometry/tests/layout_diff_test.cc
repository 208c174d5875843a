// The shared per-GPU diff (layout_diff.h) and the MIG op vocabulary
// (mig_op.h): what is kept, destroyed and created, in which order, whatever
// order the layouts are listed in.
#include "geometry/layout_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::geometry {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Instances;
using ::migsched::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

MigLayout On(const GpuModel& model, const std::vector<std::string>& specs) {
  return MigLayout{.mig_enabled = true, .instances = Instances(model, specs)};
}

MigLayout Off() { return MigLayout{.mig_enabled = false, .instances = {}}; }

std::vector<std::string> Describe(const GpuModel& model, const LayoutDiff& diff) {
  std::vector<std::string> out;
  for (const MigOp& op : diff.ops) out.push_back(DescribeMigOp(model, op));
  return out;
}

TEST(LayoutDiffTest, KeepsMatchingInstancesDestroysThenCreatesLargestFirst) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const LayoutDiff diff = DiffLayouts(h100, On(h100, {"1g.10gb@6", "3g.40gb@0"}),
                                      On(h100, {"1g.10gb@6", "1g.10gb@2", "2g.20gb@0"}));
  EXPECT_THAT(Describe(h100, diff),
              ElementsAre("destroy_ci 3g.40gb@0", "destroy_gi 3g.40gb@0", "create_gi 2g.20gb@0",
                          "create_ci 2g.20gb@0", "create_gi 1g.10gb@2", "create_ci 1g.10gb@2"));
  EXPECT_EQ(diff.kept, Instances(h100, {"1g.10gb@6"}));
  EXPECT_EQ(diff.destroyed, Instances(h100, {"3g.40gb@0"}));
  EXPECT_FALSE(diff.changes_mig_mode);
}

// NVML lists instances by id, a fleet file as written: the ops must not
// depend on either.
TEST(LayoutDiffTest, OrderDoesNotDependOnHowTheLayoutsAreListed) {
  const GpuModel& a100 = Gpu("A100-40GB");
  std::vector<std::string> from = {"1g.5gb@6", "2g.10gb@4", "1g.5gb@0", "1g.5gb@1", "2g.10gb@2"};
  std::vector<std::string> to = {"3g.20gb@4", "1g.5gb@0", "1g.5gb@2", "1g.5gb@1"};
  const LayoutDiff reference = DiffLayouts(a100, On(a100, from), On(a100, to));
  EXPECT_THAT(Describe(a100, reference),
              ElementsAre("destroy_ci 2g.10gb@2", "destroy_gi 2g.10gb@2", "destroy_ci 2g.10gb@4",
                          "destroy_gi 2g.10gb@4", "destroy_ci 1g.5gb@6", "destroy_gi 1g.5gb@6",
                          "create_gi 3g.20gb@4", "create_ci 3g.20gb@4", "create_gi 1g.5gb@2",
                          "create_ci 1g.5gb@2"));
  std::reverse(from.begin(), from.end());
  std::rotate(to.begin(), to.begin() + 1, to.end());
  EXPECT_EQ(DiffLayouts(a100, On(a100, from), On(a100, to)).ops, reference.ops);
}

TEST(LayoutDiffTest, WrongComputeInstancesAreReplacedInsideTheKeptGpuInstance) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const std::vector<GpuInstance> repair = Instances(a100, {"3g.20gb@4"});
  const LayoutDiff diff =
      DiffLayouts(a100, On(a100, {"3g.20gb@4", "4g.20gb@0"}), On(a100, {"3g.20gb@4", "3g.20gb@0"}), repair);
  EXPECT_THAT(Describe(a100, diff),
              ElementsAre("destroy_ci 4g.20gb@0", "destroy_gi 4g.20gb@0", "destroy_ci 3g.20gb@4",
                          "create_gi 3g.20gb@0", "create_ci 3g.20gb@0", "create_ci 3g.20gb@4"));
  EXPECT_THAT(diff.kept, IsEmpty());
  EXPECT_EQ(diff.destroyed, Instances(a100, {"4g.20gb@0"}));
  EXPECT_EQ(diff.compute_replaced, repair);
}

TEST(LayoutDiffTest, MigModeChangesAfterTheDestroysAndBeforeTheCreates) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const LayoutDiff off = DiffLayouts(a100, On(a100, {"7g.40gb@0"}), Off());
  EXPECT_THAT(Describe(a100, off),
              ElementsAre("destroy_ci 7g.40gb@0", "destroy_gi 7g.40gb@0", "disable_mig"));
  EXPECT_TRUE(off.changes_mig_mode);
  const LayoutDiff on = DiffLayouts(a100, Off(), On(a100, {"7g.40gb@0"}));
  EXPECT_THAT(Describe(a100, on), ElementsAre("enable_mig", "create_gi 7g.40gb@0", "create_ci 7g.40gb@0"));
  const LayoutDiff whole = DiffLayouts(a100, MigLayout{}, MigLayout{});
  EXPECT_THAT(whole.ops, IsEmpty());
  EXPECT_FALSE(whole.changes_mig_mode);
}

TEST(LayoutDiffTest, MatchingLayoutsNeedNoOps) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const LayoutDiff diff = DiffLayouts(h100, On(h100, {"3g.40gb@0", "2g.20gb@4", "1g.10gb@6"}),
                                      On(h100, {"1g.10gb@6", "2g.20gb@4", "3g.40gb@0"}));
  EXPECT_THAT(diff.ops, IsEmpty());
  EXPECT_EQ(diff.kept, Instances(h100, {"3g.40gb@0", "2g.20gb@4", "1g.10gb@6"}));
}

TEST(MigOpTest, NamesRoundTrip) {
  for (MigOpKind kind : {MigOpKind::kEnableMig, MigOpKind::kDisableMig, MigOpKind::kDestroyCi,
                         MigOpKind::kDestroyGi, MigOpKind::kCreateGi, MigOpKind::kCreateCi}) {
    const Result<MigOpKind> parsed = ParseMigOpKind(MigOpKindName(kind));
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_THAT(ParseMigOpKind("set_mig_mode"), HasError(StatusCode::kInvalidArgument, "create_gi"));
}

}  // namespace
}  // namespace migsched::geometry
