// Spread for failure domains (issue 14.3): a workload's max_per_gpu and
// max_per_node hold in every plan, the packing takes more GPUs to honour
// them, and replicas no spread can take are unplaced with the reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "plan/planner.h"
#include "plan/tests/planner_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::IsOk;
using ::migsched::testing::Profile;
using ::testing::HasSubstr;

// Replicas of `workload` per GPU and per node in a plan.
struct Counts {
  std::vector<int> per_gpu;
  std::map<std::string, int> per_node;
};

Counts CountReplicas(const PlanResult& plan, const std::string& workload) {
  Counts counts;
  for (const fleet::FleetGpu& gpu : plan.target.gpus) {
    int here = gpu.whole_gpu_workload == workload ? 1 : 0;
    for (const fleet::FleetInstance& i : gpu.instances) here += i.workload == workload ? 1 : 0;
    counts.per_gpu.push_back(here);
    counts.per_node[gpu.node] += here;
  }
  return counts;
}

fleet::Fleet Nodes(const geometry::GpuModel& model, int nodes, int gpus_per_node) {
  fleet::Fleet f;
  for (int n = 0; n < nodes; ++n) {
    for (const fleet::FleetGpu& gpu : Homogeneous(model, gpus_per_node, "n" + std::to_string(n)).gpus) {
      f.gpus.push_back(gpu);
    }
  }
  return f;
}

TEST(PlannerSpreadTest, Issue14MaxPerGpuSpreadsAServiceOverGpus) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  Workload svc = Exactly(a100, "1g.5gb", 4, "svc");
  svc.max_per_gpu = 1;
  Result<PlanResult> plan = Plan(Homogeneous(a100, 4), {svc});
  ASSERT_THAT(plan, IsOk());
  // Without the limit all four share one GPU; one Xid would take them all.
  EXPECT_EQ(CountReplicas(*plan, "svc").per_gpu, (std::vector<int>{1, 1, 1, 1}));
  EXPECT_TRUE(plan->unplaced.empty());
  EXPECT_EQ(plan->gpus_used, 4);
  ExpectSound(*plan, {{"svc", 4}});
}

TEST(PlannerSpreadTest, Issue14SpreadReplicasShareGpusWithOtherWork) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  Workload svc = Exactly(a100, "1g.5gb", 3, "svc");
  svc.max_per_gpu = 1;
  // 3 GPUs: each gets one svc replica and two 3g.20gb of other work.
  Result<PlanResult> plan = Plan(Homogeneous(a100, 3), {svc, Exactly(a100, "3g.20gb", 3, "other")});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(CountReplicas(*plan, "svc").per_gpu, (std::vector<int>{1, 1, 1}));
  EXPECT_TRUE(plan->unplaced.empty());
  ExpectSound(*plan, {{"svc", 3}, {"other", 3}});
}

TEST(PlannerSpreadTest, Issue14MaxPerNodeSpreadsOverNodes) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  Workload svc = Exactly(a100, "1g.5gb", 4, "svc");
  svc.max_per_node = 2;
  Result<PlanResult> plan = Plan(Nodes(a100, 2, 2), {svc});
  ASSERT_THAT(plan, IsOk());
  const Counts counts = CountReplicas(*plan, "svc");
  EXPECT_EQ(counts.per_node, (std::map<std::string, int>{{"n0", 2}, {"n1", 2}}));
  EXPECT_TRUE(plan->unplaced.empty());
  ExpectSound(*plan, {{"svc", 4}});
}

TEST(PlannerSpreadTest, Issue14ImpossibleSpreadIsUnplacedWithItsReason) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  Workload per_gpu = Exactly(a100, "1g.5gb", 3, "per-gpu");
  per_gpu.max_per_gpu = 1;
  Workload per_node = Exactly(a100, "1g.5gb", 5, "per-node");
  per_node.max_per_node = 2;
  Result<PlanResult> plan = Plan(Nodes(a100, 2, 1), {per_gpu, per_node});
  ASSERT_THAT(plan, IsOk());
  std::map<std::string, Unplaced> unplaced;
  for (const Unplaced& u : plan->unplaced) unplaced[u.workload] = u;
  ASSERT_EQ(unplaced.count("per-gpu"), 1u);
  EXPECT_EQ(unplaced["per-gpu"].replicas, 1);
  EXPECT_THAT(unplaced["per-gpu"].reason, HasSubstr("within max_per_gpu 1"));
  ASSERT_EQ(unplaced.count("per-node"), 1u);
  EXPECT_EQ(unplaced["per-node"].replicas, 1);
  EXPECT_THAT(unplaced["per-node"].reason, HasSubstr("within max_per_node 2"));
  ExpectSound(*plan, {{"per-gpu", 3}, {"per-node", 5}});
}

TEST(PlannerSpreadTest, Issue14BusyReplicasCountTowardsTheLimits) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet f = Nodes(a100, 2, 1);
  f.gpus[0].mig_enabled = true;
  const int p = Profile(a100, "1g.5gb");
  f.gpus[0].instances.push_back({{p, a100.profiles[static_cast<size_t>(p)].PlacementAt(6)}, "svc", true});
  Workload svc = Exactly(a100, "1g.5gb", 2, "svc");
  svc.max_per_node = 1;
  Result<PlanResult> plan = Plan(f, {svc});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(CountReplicas(*plan, "svc").per_gpu, (std::vector<int>{1, 1}));
  EXPECT_TRUE(plan->unplaced.empty());
  ExpectSound(*plan, {{"svc", 2}});
}

// On random fleets and mixes the limits always hold and nothing is lost.
TEST(PlannerSpreadTest, LimitsHoldOnRandomMixes) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  const std::vector<std::string_view> profiles = {"1g.5gb", "2g.10gb", "3g.20gb", "7g.40gb"};
  std::mt19937 rng(14);
  for (int round = 0; round < 60; ++round) {
    const int nodes = 1 + static_cast<int>(rng() % 3);
    std::vector<Workload> workloads;
    std::map<std::string, int> requested;
    for (int w = 0; w < 3; ++w) {
      const std::string name = "w" + std::to_string(w);
      Workload workload = Exactly(a100, profiles[rng() % profiles.size()], 1 + static_cast<int>(rng() % 6), name);
      workload.max_per_gpu = static_cast<int>(rng() % 3);
      workload.max_per_node = static_cast<int>(rng() % 4);
      requested[name] = workload.replicas;
      workloads.push_back(workload);
    }
    Result<PlanResult> plan = Plan(Nodes(a100, nodes, 2), workloads);
    ASSERT_THAT(plan, IsOk());
    for (const Workload& w : workloads) {
      const Counts counts = CountReplicas(*plan, w.name);
      const int gpu_limit = w.max_per_gpu > 0 ? w.max_per_gpu : w.replicas;
      const int node_limit = w.max_per_node > 0 ? w.max_per_node : w.replicas;
      for (int here : counts.per_gpu) EXPECT_LE(here, gpu_limit) << "round " << round << " " << w.name;
      for (const auto& [node, here] : counts.per_node) {
        EXPECT_LE(here, node_limit) << "round " << round << " " << w.name;
      }
    }
    ExpectSound(*plan, requested);
  }
}

}  // namespace
}  // namespace migsched::plan
