#include "plan/right_sizing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::Gpu;
using ::testing::HasSubstr;

Workload Inference(std::string name, int64_t gib, int replicas = 1) {
  Workload w;
  w.name = std::move(name);
  w.replicas = replicas;
  w.memory_mib = gib * 1024;
  return w;
}

std::string ProfileName(const SizingOutcome& outcome) {
  if (!outcome.choice) return "none: " + outcome.reason;
  if (outcome.choice->whole_gpu()) return "whole";
  return outcome.choice->model->profiles[static_cast<size_t>(*outcome.choice->profile)].name;
}

TEST(RightSizingTest, FewestSlicesThenLeastMemoryOnH100) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ(ProfileName(RightSize(h100, Inference("a", 9), nullptr, {})), "1g.10gb");
  // 11 GiB: 1g.20gb and 2g.20gb both hold it; one compute slice beats two.
  EXPECT_EQ(ProfileName(RightSize(h100, Inference("b", 11), nullptr, {})), "1g.20gb");
  EXPECT_EQ(ProfileName(RightSize(h100, Inference("c", 30), nullptr, {})), "3g.40gb");
  EXPECT_EQ(ProfileName(RightSize(h100, Inference("d", 60), nullptr, {})), "7g.80gb");
}

TEST(RightSizingTest, MinimumComputeSelectsALargerProfile) {
  Workload w = Inference("a", 9);
  w.min_compute_slices = 2;
  EXPECT_EQ(ProfileName(RightSize(Gpu("H100-80GB"), w, nullptr, {})), "2g.20gb");
  w.min_compute_slices = 4;
  EXPECT_EQ(ProfileName(RightSize(Gpu("H100-80GB"), w, nullptr, {})), "4g.40gb");
}

TEST(RightSizingTest, HeadroomPushesToTheNextProfile) {
  const Workload w = Inference("a", 9);
  EXPECT_EQ(ProfileName(RightSize(Gpu("H100-80GB"), w, nullptr, {.headroom_pct = 0})), "1g.10gb");
  const SizingOutcome padded = RightSize(Gpu("H100-80GB"), w, nullptr, {.headroom_pct = 10});
  EXPECT_EQ(ProfileName(padded), "1g.20gb");
  EXPECT_THAT(padded.choice->explanation, HasSubstr("10% headroom"));
}

TEST(RightSizingTest, TrainingAndOversizeTakeWholeGpus) {
  Workload training = Inference("ft", 20, 2);
  training.kind = WorkloadKind::kTraining;
  const SizingOutcome t = RightSize(Gpu("H100-80GB"), training, nullptr, {});
  ASSERT_TRUE(t.choice);
  EXPECT_TRUE(t.choice->whole_gpu());
  EXPECT_EQ(t.choice->replicas, 2);
  EXPECT_EQ(t.choice->compute_slices, 7);
  // 79.5 GiB: more than 7g.80gb's 81152 MiB, less than the GPU's 81559.
  Workload big = Inference("big", 0);
  big.memory_mib = 81300;
  EXPECT_EQ(ProfileName(RightSize(Gpu("H100-80GB"), big, nullptr, {})), "whole");
}

TEST(RightSizingTest, LargerThanTheGpuDoesNotFitAndSaysWhy) {
  const SizingOutcome outcome = RightSize(Gpu("A100-40GB"), Inference("huge", 50), nullptr, {});
  EXPECT_FALSE(outcome.choice);
  EXPECT_THAT(outcome.reason, HasSubstr("51200 MiB, more than the GPU's 40960 MiB"));
}

TEST(RightSizingTest, DemandPicksTheCheapestProfileTimesReplicas) {
  PerfTable perf;
  // 1g: 100 rps per replica, 2g: 250 rps (super-linear), 3g: 300 rps.
  perf.entries = {{"bert", "H100-80GB", "1g.10gb", 100, 20.0, ""},
                  {"bert", "H100-80GB", "2g.20gb", 250, 10.0, ""},
                  {"bert", "H100-80GB", "3g.40gb", 300, 8.0, ""}};
  Workload w = Inference("bert", 4, 0);
  w.demand_rps = 1000;
  // 1g x 10 = 10 slices, 2g x 4 = 8 slices, 3g x 4 = 12 slices.
  SizingOutcome outcome = RightSize(Gpu("H100-80GB"), w, &perf, {});
  EXPECT_EQ(ProfileName(outcome), "2g.20gb");
  EXPECT_EQ(outcome.choice->replicas, 4);
  // A latency bound of 9 ms leaves only 3g.
  w.max_latency_ms = 9;
  outcome = RightSize(Gpu("H100-80GB"), w, &perf, {});
  EXPECT_EQ(ProfileName(outcome), "3g.40gb");
  EXPECT_EQ(outcome.choice->replicas, 4);
  EXPECT_THAT(outcome.choice->explanation, HasSubstr("3g.40gb x 4 (least cost of: 1g.10gb: p99 20 ms too slow;"));
  EXPECT_THAT(outcome.choice->explanation, HasSubstr("demand 1000 rps"));
  w.max_latency_ms = 1;
  outcome = RightSize(Gpu("H100-80GB"), w, &perf, {});
  EXPECT_FALSE(outcome.choice);
  EXPECT_THAT(outcome.reason, HasSubstr("with p99 <= 1 ms (1g.10gb: p99 20 ms too slow;"));
  // Without a latency bound the reason says nothing of latency (issue 14).
  w.max_latency_ms.reset();
  w.memory_mib = 50 * 1024;  // only 7g.80gb and the whole GPU hold it: no rows for them
  outcome = RightSize(Gpu("H100-80GB"), w, &perf, {});
  EXPECT_FALSE(outcome.choice);
  EXPECT_EQ(outcome.reason, "no profile that holds it has a perf table entry for 'bert'");
}

TEST(RightSizingTest, DemandWithoutPerfEntryIsRejected) {
  Workload w = Inference("x", 1, 0);
  w.demand_rps = 10;
  const SizingOutcome outcome = RightSize(Gpu("H100-80GB"), w, nullptr, {});
  EXPECT_FALSE(outcome.choice);
  EXPECT_EQ(outcome.reason, "demand_rps needs a perf table entry for 'x' and no perf table was given");
}

TEST(RightSizingTest, OnModelsListsChoicesAndRejections) {
  const WorkloadSizing sizing = RightSizeOnModels({&Gpu("A30-24GB"), &Gpu("H100-80GB")},
                                                  Inference("m", 30), nullptr, {});
  ASSERT_EQ(sizing.choices.size(), 1u);
  EXPECT_EQ(sizing.choices[0].model->name, "H100-80GB");
  ASSERT_EQ(sizing.rejections.size(), 1u);
  EXPECT_EQ(sizing.rejections[0].model, "A30-24GB");
  EXPECT_THAT(sizing.rejections[0].reason, HasSubstr("30720 MiB, more than the GPU's 24576 MiB"));
}

}  // namespace
}  // namespace migsched::plan
