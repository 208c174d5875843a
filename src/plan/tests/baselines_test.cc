#include "plan/baselines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using geometry::GpuModel;
using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::Gpu;
using migsched::testing::HasCode;
using migsched::testing::IsOk;
using migsched::testing::Profile;

fleet::Fleet FleetOf(const std::vector<std::pair<const GpuModel*, int>>& groups) {
  fleet::Fleet fleet;
  int node = 0;
  for (const auto& [model, count] : groups) {
    ++node;
    for (int i = 0; i < count; ++i) {
      fleet::FleetGpu gpu;
      gpu.node = "node-" + std::to_string(node);
      gpu.index = i;
      gpu.model = model;
      fleet.gpus.push_back(gpu);
    }
  }
  return fleet;
}

// A workload right-sized to `profile` on each of `models` ("" = whole GPU).
WorkloadSizing Sized(const std::string& name, int replicas, const std::string& profile,
                     const std::vector<const GpuModel*>& models) {
  WorkloadSizing sizing{.workload = name, .require_labels = {}, .choices = {}, .rejections = {}};
  for (const GpuModel* model : models) {
    SizingChoice choice;
    choice.model = model;
    choice.replicas = replicas;
    if (profile.empty()) {
      choice.compute_slices = model->compute_slices;
      choice.memory_slices = model->memory_slices;
    } else {
      const int p = Profile(*model, profile);
      choice.profile = p;
      choice.compute_slices = model->profiles[static_cast<size_t>(p)].compute_slices;
      choice.memory_slices = model->profiles[static_cast<size_t>(p)].memory_slices;
    }
    sizing.choices.push_back(choice);
  }
  return sizing;
}

std::map<std::string, int> ByName(const std::vector<BaselineResult>& results) {
  std::map<std::string, int> out;
  for (const BaselineResult& r : results) out[r.name] = r.gpus_used;
  return out;
}

int UnplacedReplicas(const BaselineResult& result) {
  int total = 0;
  for (const Unplaced& u : result.unplaced) total += u.replicas;
  return total;
}

// Ten 1g.10gb replicas on twelve H100s: one GPU each without MIG; 7 per GPU
// with all-1g and FFD (ceil(10/7) = 2); 4 instances per all-balanced GPU
// (ceil(10/4) = 3).
TEST(BaselinesTest, SmallReplicasCountedByRule) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const fleet::Fleet fleet = FleetOf({{&h100, 12}});
  const std::vector<BaselineResult> results =
      RunBaselines(fleet, {Sized("bert", 10, "1g.10gb", {&h100})});
  EXPECT_THAT(ByName(results), ::testing::ElementsAre(::testing::Pair("all-1g", 2),
                                                      ::testing::Pair("all-balanced", 3),
                                                      ::testing::Pair("ffd", 2),
                                                      ::testing::Pair("whole-gpu", 10)));
  for (const BaselineResult& r : results) {
    EXPECT_EQ(r.replicas_placed, 10) << r.name;
    EXPECT_TRUE(r.unplaced.empty()) << r.name;
  }
}

// Workloads of the same shape share the fleet: 5 + 5 replicas of 1g.10gb fill
// GPU 0 (7) and put 3 on GPU 1, in every MIG baseline that holds 7 per GPU.
TEST(BaselinesTest, SameShapeWorkloadsContinueOnPartlyFilledGpus) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const fleet::Fleet fleet = FleetOf({{&h100, 4}});
  const std::vector<WorkloadSizing> sizing = {Sized("a", 5, "1g.10gb", {&h100}),
                                              Sized("b", 5, "1g.10gb", {&h100})};
  EXPECT_EQ(FirstFitDecreasing(fleet, sizing).gpus_used, 2);
  EXPECT_EQ(PresetBaseline(fleet, sizing, Preset::kAll1g).gpus_used, 2);
  EXPECT_EQ(PresetBaseline(fleet, sizing, Preset::kAllBalanced).gpus_used, 3);  // 4 + 4 + 2
  EXPECT_EQ(WholeGpuBaseline(fleet, sizing).gpus_used, 4);
}

// 3 x 2g.20gb and 4 x 1g.10gb on H100s. FFD packs the 2g's at 0,2,4 and one
// 1g at 6 on GPU 0 (all 7 compute slices), the other three 1g on GPU 1.
// all-balanced: GPU 0 gives the first 2g replica its 2g instance (the
// smallest that holds it) and the second its 3g; the third takes GPU 1's 2g;
// the 1g's fill the two 1g instances of GPUs 0 and 1: 2 GPUs.
// all-1g has no instance that holds a 2g replica: 3 unplaced.
TEST(BaselinesTest, MixedSizesCountedByRule) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const fleet::Fleet fleet = FleetOf({{&h100, 8}});
  const std::vector<WorkloadSizing> sizing = {Sized("small", 4, "1g.10gb", {&h100}),
                                              Sized("mid", 3, "2g.20gb", {&h100})};
  EXPECT_EQ(FirstFitDecreasing(fleet, sizing).gpus_used, 2);
  EXPECT_EQ(PresetBaseline(fleet, sizing, Preset::kAllBalanced).gpus_used, 2);
  EXPECT_EQ(WholeGpuBaseline(fleet, sizing).gpus_used, 7);
  const BaselineResult all1g = PresetBaseline(fleet, sizing, Preset::kAll1g);
  EXPECT_EQ(all1g.gpus_used, 1);
  ASSERT_EQ(all1g.unplaced.size(), 1u);
  EXPECT_EQ(all1g.unplaced[0].workload, "mid");
  EXPECT_EQ(all1g.unplaced[0].replicas, 3);
}

// Whole-GPU replicas take untouched GPUs in every baseline, and when GPUs run
// out the rest is reported, not dropped.
TEST(BaselinesTest, WholeGpuReplicasAndExhaustion) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const fleet::Fleet fleet = FleetOf({{&a100, 3}});
  const std::vector<WorkloadSizing> sizing = {Sized("train", 2, "", {&a100}),
                                              Sized("tiny", 9, "1g.5gb", {&a100})};
  for (const BaselineResult& r : RunBaselines(fleet, sizing)) {
    EXPECT_EQ(r.replicas_placed + UnplacedReplicas(r), 11) << r.name;
    EXPECT_EQ(r.gpus_used, 3) << r.name;
  }
  // One GPU left for the 1g's: 7 fit with all-1g and FFD, 2 with all-balanced's
  // two 1g plus the 2g and 3g that also hold a 1g (4), and 1 whole.
  const std::vector<BaselineResult> results = RunBaselines(fleet, sizing);
  EXPECT_EQ(UnplacedReplicas(results[0]), 8);  // whole-gpu
  EXPECT_EQ(UnplacedReplicas(results[1]), 2);  // all-1g
  EXPECT_EQ(UnplacedReplicas(results[2]), 5);  // all-balanced
  EXPECT_EQ(UnplacedReplicas(results[3]), 2);  // ffd
}

// Allowed models are respected: the workload only runs on the H100s, which
// come after the A100s in the fleet.
TEST(BaselinesTest, OnlyAllowedModelsAreUsed) {
  const GpuModel& a100 = Gpu("A100-40GB");
  const GpuModel& h100 = Gpu("H100-80GB");
  const fleet::Fleet fleet = FleetOf({{&a100, 4}, {&h100, 2}});
  const std::vector<WorkloadSizing> sizing = {Sized("h100-only", 8, "1g.10gb", {&h100})};
  EXPECT_EQ(FirstFitDecreasing(fleet, sizing).gpus_used, 2);
  const BaselineResult whole = WholeGpuBaseline(fleet, sizing);
  EXPECT_EQ(whole.gpus_used, 2);
  EXPECT_EQ(UnplacedReplicas(whole), 6);
}

// Required labels confine a workload to its pool in every baseline, as in
// the plan: 8 x 1g.10gb on the two "inference" H100s of four.
TEST(BaselinesTest, OnlyGpusCarryingTheRequiredLabelsAreUsed) {
  const GpuModel& h100 = Gpu("H100-80GB");
  fleet::Fleet fleet = FleetOf({{&h100, 4}});
  fleet.gpus[1].labels = {"inference"};
  fleet.gpus[3].labels = {"inference", "eu"};
  WorkloadSizing pooled = Sized("pooled", 8, "1g.10gb", {&h100});
  pooled.require_labels = {"inference"};
  const std::vector<BaselineResult> results = RunBaselines(fleet, {pooled});
  const std::map<std::string, int> used = ByName(results);
  EXPECT_EQ(used.at("whole-gpu"), 2);
  EXPECT_EQ(used.at("ffd"), 2) << "7 on gpu 1, 1 on gpu 3";
  EXPECT_EQ(UnplacedReplicas(results[0]), 6) << "whole-gpu: one replica per pool GPU";
  EXPECT_EQ(UnplacedReplicas(results[3]), 0);
}

TEST(BaselinesTest, WorkloadsThatFitNoModelAreLeftToThePlan) {
  const GpuModel& a30 = Gpu("A30-24GB");
  const fleet::Fleet fleet = FleetOf({{&a30, 2}});
  const WorkloadSizing nowhere{.workload = "huge", .require_labels = {}, .choices = {}, .rejections = {{"", "too big"}}};
  for (const BaselineResult& r : RunBaselines(fleet, {nowhere})) {
    EXPECT_EQ(r.gpus_used, 0);
    EXPECT_TRUE(r.unplaced.empty());
  }
}

TEST(BaselinesTest, PresetProfilesOfKnownGpus) {
  const GpuModel& h100 = Gpu("H100-80GB");
  const Result<std::vector<int>> balanced = PresetProfiles(h100, Preset::kAllBalanced);
  ASSERT_THAT(balanced, IsOk());
  EXPECT_THAT(*balanced,
              ::testing::ElementsAre(Profile(h100, "3g.40gb"), Profile(h100, "2g.20gb"),
                                     Profile(h100, "1g.10gb"), Profile(h100, "1g.10gb")));
  const Result<std::vector<int>> all1g = PresetProfiles(Gpu("A30-24GB"), Preset::kAll1g);
  ASSERT_THAT(all1g, IsOk());
  EXPECT_EQ(all1g->size(), 4u);
  const GpuModel& a30 = Gpu("A30-24GB");
  const Result<std::vector<int>> no_3g = PresetProfiles(a30, Preset::kAllBalanced);
  ASSERT_THAT(no_3g, IsOk());
  EXPECT_THAT(*no_3g, ::testing::ElementsAre(Profile(a30, "2g.12gb"), Profile(a30, "1g.6gb"),
                                             Profile(a30, "1g.6gb")));
  GpuModel without_1g = a30;
  std::erase_if(without_1g.profiles,
                [](const geometry::GiProfile& p) { return p.compute_slices == 1; });
  EXPECT_THAT(PresetProfiles(without_1g, Preset::kAll1g), HasCode(StatusCode::kNotFound));
}

// Our preset rule against NVIDIA's own default mig-parted config: for every
// device filter of "all-balanced", and for "all-<our 1g profile>", the
// profile counts must be equal.
TEST(BaselinesTest, PresetsMatchTheGpuOperatorDefaultConfig) {
  const std::string path =
      "../shared/data/mig_parted_configs/gpu-operator_default-mig-parted-config.yaml";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "shared data absent: " << path << " (compares presets with NVIDIA's config)";
  }
  const YAML::Node configs = YAML::LoadFile(path)["mig-configs"];
  const geometry::Catalog& catalog = BuiltinCatalogForTest();
  auto counts_of = [](const GpuModel& model, const std::vector<int>& profiles) {
    std::map<std::string, int> out;
    for (int p : profiles) ++out[model.profiles[static_cast<size_t>(p)].name];
    return out;
  };
  auto check = [&](const YAML::Node& entry, const GpuModel& model, Preset preset) {
    std::map<std::string, int> expected;
    for (const auto& device : entry["mig-devices"]) {
      expected[device.first.as<std::string>()] = device.second.as<int>();
    }
    const Result<std::vector<int>> ours = PresetProfiles(model, preset);
    ASSERT_THAT(ours, IsOk()) << model.name;
    EXPECT_EQ(counts_of(model, *ours), expected) << model.name;
  };
  int checked = 0;
  for (const YAML::Node& entry : configs["all-balanced"]) {
    const YAML::Node filter = entry["device-filter"];
    std::vector<std::string> ids;
    if (filter.IsSequence()) {
      for (const auto& id : filter) ids.push_back(id.as<std::string>());
    } else {
      ids.push_back(filter.as<std::string>());
    }
    for (const std::string& id : ids) {
      const Result<const GpuModel*> model = catalog.Find(id);
      if (!model.has_value()) continue;  // a SKU our catalog does not carry
      check(entry, **model, Preset::kAllBalanced);
      ++checked;
    }
  }
  for (const GpuModel& model : catalog.models()) {
    const Result<std::vector<int>> ours = PresetProfiles(model, Preset::kAll1g);
    if (!ours.has_value() || ours->empty()) continue;
    const YAML::Node config =
        configs["all-" + model.profiles[static_cast<size_t>(ours->front())].name];
    if (!config) continue;
    for (const YAML::Node& entry : config) {
      bool applies = false;  // entries without a filter are for whichever GPU has the name
      for (const auto& id : entry["device-filter"]) {
        const Result<const GpuModel*> found = catalog.Find(id.as<std::string>());
        applies = applies || (found.has_value() && *found == &model);
      }
      if (!applies) continue;
      check(entry, model, Preset::kAll1g);
      ++checked;
      break;
    }
  }
  EXPECT_GT(checked, 10);
}

}  // namespace
}  // namespace migsched::plan
