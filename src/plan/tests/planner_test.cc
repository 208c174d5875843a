#include "plan/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>

#include "plan/tests/exhaustive_layout.h"
#include "plan/tests/planner_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::Profile;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using ::testing::HasSubstr;

// Exhaustive reference, independent of the planner's enumeration: whether a
// multiset of profiles has starts on one GPU (every start tried, CheckLayout
// judges), and the fewest GPUs covering a demand vector (memoised search over
// every placeable sub-multiset).
class BruteForce {
 public:
  BruteForce(const geometry::GpuModel& model, std::vector<int> profiles)
      : model_(model), profiles_(std::move(profiles)) {}

  int MinGpus(const std::vector<int>& demand) {
    if (std::all_of(demand.begin(), demand.end(), [](int d) { return d == 0; })) return 0;
    const auto it = memo_.find(demand);
    if (it != memo_.end()) return it->second;
    int best = 1 << 20;
    std::vector<int> take(demand.size(), 0);
    ForEachSubset(demand, take, 0, [&](const std::vector<int>& subset) {
      if (std::all_of(subset.begin(), subset.end(), [](int d) { return d == 0; })) return;
      if (!Placeable(subset)) return;
      std::vector<int> rest = demand;
      for (size_t i = 0; i < rest.size(); ++i) rest[i] -= subset[i];
      best = std::min(best, 1 + MinGpus(rest));
    });
    memo_[demand] = best;
    return best;
  }

 private:
  template <typename F>
  void ForEachSubset(const std::vector<int>& demand, std::vector<int>& take, size_t i, F&& f) {
    if (i == demand.size()) {
      f(take);
      return;
    }
    for (int n = 0; n <= demand[i] && n <= 8; ++n) {
      take[i] = n;
      ForEachSubset(demand, take, i + 1, f);
    }
    take[i] = 0;
  }

  bool Placeable(const std::vector<int>& counts) {
    const auto it = placeable_.find(counts);
    if (it != placeable_.end()) return it->second;
    std::vector<int> list;
    for (size_t i = 0; i < counts.size(); ++i) list.insert(list.end(), static_cast<size_t>(counts[i]), profiles_[i]);
    const bool ok = HasStartsByExhaustiveSearch(model_, list);
    placeable_[counts] = ok;
    return ok;
  }

  const geometry::GpuModel& model_;
  std::vector<int> profiles_;
  std::map<std::vector<int>, int> memo_;
  std::map<std::vector<int>, bool> placeable_;
};

class OptimalityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimalityTest, MatchesExhaustiveSearchOnRandomSmallMixes) {
  const geometry::GpuModel& model = Gpu(GetParam());
  // Standard profiles the right-sizing can pick, one per shape.
  std::vector<std::string> names;
  for (const geometry::GiProfile& p : model.profiles) {
    if (p.media_variant == geometry::MediaVariant::kStandard && p.compute_slices < model.compute_slices) {
      names.push_back(p.name);
    }
  }
  std::vector<int> profile_ids;
  for (const std::string& n : names) profile_ids.push_back(Profile(model, n));
  BruteForce brute(model, profile_ids);
  std::mt19937 rng(7);
  for (int round = 0; round < 25; ++round) {
    std::vector<Workload> workloads;
    std::vector<int> demand(names.size(), 0);
    std::map<std::string, int> requested;
    int total = 0;
    for (size_t i = 0; i < names.size() && total < 9; ++i) {
      const int replicas = static_cast<int>(rng() % 4);
      if (replicas == 0) continue;
      Workload w = Exactly(model, names[i], replicas, "w" + std::to_string(i));
      // Distinct profiles whose memory and compute coincide collapse to the
      // cheaper one; the brute force must see the profile actually chosen.
      const SizingOutcome s = RightSize(model, w, nullptr, {});
      ASSERT_TRUE(s.choice);
      const auto pos = std::find(profile_ids.begin(), profile_ids.end(), *s.choice->profile);
      demand[static_cast<size_t>(pos - profile_ids.begin())] += replicas;
      requested[w.name] = replicas;
      total += replicas;
      workloads.push_back(std::move(w));
    }
    const int expected = brute.MinGpus(demand);
    if (expected > 4) continue;
    Result<PlanResult> plan = Plan(Homogeneous(model, 4), workloads);
    ASSERT_THAT(plan, IsOk());
    EXPECT_EQ(plan->gpus_used, expected) << "round " << round;
    EXPECT_EQ(plan->method, "milp-optimal");
    EXPECT_EQ(plan->proven_bound, plan->gpus_used);
    EXPECT_TRUE(plan->unplaced.empty());
    ExpectSound(*plan, requested);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, OptimalityTest,
                         ::testing::Values("A100-40GB", "H100-80GB", "A30-24GB"));

// Heterogeneous: 2 x A100-40GB + 2 x A30-24GB, workloads allowed on both.
// The reference tries every split of each workload's replicas between the
// two models and takes the fewest GPUs within each model's two.
TEST(PlannerOptimalityTest, HeterogeneousMatchesExhaustiveSplit) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  const geometry::GpuModel& a30 = Gpu("A30-24GB");
  // A100-40GB: 1g.5gb, 1g.10gb, 3g.20gb; A30-24GB: 1g.6gb, 2g.12gb, 4g.24gb.
  const int64_t memories_gib[] = {4, 8, 11};
  std::mt19937 rng(3);
  for (int round = 0; round < 12; ++round) {
    std::vector<Workload> workloads;
    std::vector<int> replicas;
    std::map<std::string, int> requested;
    for (size_t i = 0; i < 3; ++i) {
      const int r = static_cast<int>(rng() % 4);
      if (r == 0) continue;
      workloads.push_back(Make("w" + std::to_string(i), r, memories_gib[i] * 1024));
      replicas.push_back(r);
      requested[workloads.back().name] = r;
    }
    if (workloads.empty()) continue;
    // Per model: the profile each workload right-sizes to, as brute-force items.
    auto items = [&](const geometry::GpuModel& model) {
      std::vector<int> profiles;
      for (const Workload& w : workloads) profiles.push_back(*RightSize(model, w, nullptr, {}).choice->profile);
      return profiles;
    };
    const std::vector<int> items_a100 = items(a100), items_a30 = items(a30);
    BruteForce brute_a100(a100, items_a100), brute_a30(a30, items_a30);
    int best = 1 << 20;
    std::vector<int> split(replicas.size(), 0);
    std::function<void(size_t)> visit = [&](size_t k) {
      if (k == replicas.size()) {
        std::vector<int> on_a100 = split, on_a30(replicas.size());
        for (size_t i = 0; i < replicas.size(); ++i) on_a30[i] = replicas[i] - split[i];
        const int a = brute_a100.MinGpus(on_a100), b = brute_a30.MinGpus(on_a30);
        if (a <= 2 && b <= 2) best = std::min(best, a + b);
        return;
      }
      for (split[k] = 0; split[k] <= replicas[k]; ++split[k]) visit(k + 1);
    };
    visit(0);
    fleet::Fleet f = Homogeneous(a100, 2, "a");
    for (const fleet::FleetGpu& g : Homogeneous(a30, 2, "b").gpus) f.gpus.push_back(g);
    Result<PlanResult> plan = Plan(f, workloads);
    ASSERT_THAT(plan, IsOk());
    if (best > 4) {
      EXPECT_FALSE(plan->unplaced.empty()) << "round " << round;
    } else {
      EXPECT_EQ(plan->gpus_used, best) << "round " << round;
      EXPECT_EQ(plan->method, "milp-optimal");
      EXPECT_TRUE(plan->unplaced.empty());
    }
    ExpectSound(*plan, requested);
  }
}

TEST(PlannerTest, IssueExampleFillsH100sAndGivesTrainingWholeGpus) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  std::vector<Workload> workloads = {Make("bert-large", 12, 9 * 1024), Make("llama-ft", 2, 60 * 1024)};
  workloads[0].min_compute_slices = 1;
  workloads[1].kind = WorkloadKind::kTraining;
  Result<PlanResult> plan = Plan(Homogeneous(h100, 8, "node-1"), workloads);
  ASSERT_THAT(plan, IsOk());
  // 12 x 1g.10gb need two GPUs (7 per GPU); training takes two whole GPUs.
  EXPECT_EQ(plan->gpus_used, 4);
  EXPECT_EQ(plan->method, "milp-optimal");
  int training = 0;
  for (const fleet::FleetGpu& gpu : plan->target.gpus) {
    if (!gpu.whole_gpu_workload.empty()) {
      EXPECT_EQ(gpu.whole_gpu_workload, "llama-ft");
      EXPECT_FALSE(gpu.mig_enabled);
      ++training;
    }
  }
  EXPECT_EQ(training, 2);
  ExpectSound(*plan, {{"bert-large", 12}, {"llama-ft", 2}});
  ASSERT_EQ(plan->sizing.size(), 2u);
  EXPECT_THAT(plan->sizing[0].choices[0].explanation, HasSubstr("1g.10gb"));
}

TEST(PlannerTest, SameInputSamePlan) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  std::vector<Workload> workloads = {Exactly(a100, "3g.20gb", 3, "a"),
                                     Exactly(a100, "2g.10gb", 4, "b"),
                                     Exactly(a100, "1g.5gb", 5, "c")};
  Result<PlanResult> first = Plan(Homogeneous(a100, 6), workloads);
  Result<PlanResult> second = Plan(Homogeneous(a100, 6), workloads);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  for (size_t g = 0; g < first->target.gpus.size(); ++g) {
    EXPECT_EQ(first->target.gpus[g].instances, second->target.gpus[g].instances);
  }
}

// Issue 14: on a mixed fleet the planner left a training replica (which
// only the 80 GB-class GPUs take) unplaced and used those GPUs for small
// replicas that the A100-40GBs also take, and still said "milp-optimal".
// Every replica fits: the trainings on the A100-80GB and the H100, the four
// 15 GiB replicas as 3g.20gb pairs on the A100-40GBs.
TEST(PlannerTest, Issue14MixedFleetPlacesTheTrainingReplicaOnlyLargeGpusTake) {
  fleet::Fleet f = Homogeneous(Gpu("A100-80GB"), 1, "a80");
  f.gpus.push_back(Homogeneous(Gpu("H100-80GB"), 1, "h80").gpus[0]);
  for (const fleet::FleetGpu& g : Homogeneous(Gpu("A100-40GB"), 2, "a40").gpus) f.gpus.push_back(g);
  Workload train = Make("train", 2, 60 * 1024);
  train.kind = WorkloadKind::kTraining;
  for (const SolveMethod method : {SolveMethod::kAuto, SolveMethod::kHeuristic}) {
    Result<PlanResult> plan = Plan(f, {train, Make("svc", 4, 15 * 1024)}, PlanOptions{.method = method});
    ASSERT_THAT(plan, IsOk());
    EXPECT_TRUE(plan->unplaced.empty()) << plan->unplaced.front().workload;
    EXPECT_EQ(plan->gpus_used, 4);
    EXPECT_FALSE(plan->target.gpus[0].mig_enabled);
    EXPECT_FALSE(plan->target.gpus[1].mig_enabled);
    ExpectSound(*plan, {{"train", 2}, {"svc", 4}});
  }
}

// Issue 14: idle GPUs are usable. Factory-state GPUs (MIG off) that get
// instances are switched to MIG, the idle ones stay whole; an idle GPU that
// is MIG-on without instances goes back to whole; one with free instances
// keeps them.
TEST(PlannerTest, Issue14IdleGpusStayWholeOrKeepTheirFreeInstances) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet factory = Homogeneous(a100, 3);
  for (fleet::FleetGpu& gpu : factory.gpus) gpu.mig_enabled = false;
  Result<PlanResult> plan = Plan(factory, {Exactly(a100, "1g.5gb", 3, "small")});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->gpus_used, 1);
  EXPECT_TRUE(plan->target.gpus[0].mig_enabled);
  EXPECT_EQ(plan->target.gpus[0].instances.size(), 3u);
  EXPECT_FALSE(plan->target.gpus[1].mig_enabled);
  EXPECT_FALSE(plan->target.gpus[2].mig_enabled);
  ExpectSound(*plan, {{"small", 3}});

  fleet::Fleet partitioned = Homogeneous(a100, 2);  // MIG on; gpu 0 without instances
  for (const geometry::GpuInstance& i : ::migsched::testing::Instances(a100, {"7g.40gb@0"})) {
    partitioned.gpus[1].instances.push_back({i, "old-owner", false});
  }
  Result<PlanResult> idle = Plan(partitioned, {});
  ASSERT_THAT(idle, IsOk());
  EXPECT_EQ(idle->gpus_used, 0);
  EXPECT_FALSE(idle->target.gpus[0].mig_enabled);
  ASSERT_TRUE(idle->target.gpus[1].mig_enabled);
  ASSERT_EQ(idle->target.gpus[1].instances.size(), 1u);
  EXPECT_EQ(idle->target.gpus[1].instances[0].workload, "");
}

// Issue 14: a multi-GPU training job was split over two nodes while another
// node had the GPUs free. n1 has one GPU, n2 two: the gang goes to n2.
TEST(PlannerTest, Issue14TrainingGangSharesANodeWhenOneHasRoom) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  fleet::Fleet f = Homogeneous(h100, 1, "n1");
  for (const fleet::FleetGpu& g : Homogeneous(h100, 2, "n2").gpus) f.gpus.push_back(g);
  for (fleet::FleetGpu& gpu : f.gpus) gpu.mig_enabled = false;
  Workload train = Make("train", 2, 60 * 1024);
  train.kind = WorkloadKind::kTraining;
  Result<PlanResult> plan = Plan(f, {train});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->target.gpus[0].whole_gpu_workload, "");
  EXPECT_EQ(plan->target.gpus[1].whole_gpu_workload, "train");
  EXPECT_EQ(plan->target.gpus[2].whole_gpu_workload, "train");
  ExpectSound(*plan, {{"train", 2}});
}

TEST(PlannerTest, OutOfGpusReportsUnplacedWithReason) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  Result<PlanResult> plan = Plan(Homogeneous(a100, 2), {Exactly(a100, "4g.20gb", 3, "big")});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->gpus_used, 2);
  ASSERT_EQ(plan->unplaced.size(), 1u);
  EXPECT_EQ(plan->unplaced[0].workload, "big");
  EXPECT_EQ(plan->unplaced[0].replicas, 1);
  EXPECT_THAT(plan->unplaced[0].reason, HasSubstr("not enough free GPUs of A100-40GB"));
  ExpectSound(*plan, {{"big", 3}});
}

TEST(PlannerTest, HigherPriorityWinsWhenGpusRunOut) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  Workload low = Exactly(a100, "7g.40gb", 1, "low");
  Workload high = Exactly(a100, "7g.40gb", 1, "high");
  high.priority = 5;
  Result<PlanResult> plan = Plan(Homogeneous(a100, 1), {low, high});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->unplaced.size(), 1u);
  EXPECT_EQ(plan->unplaced[0].workload, "low");
}

// Issue 16 point 5: `--time-limit` bounds the whole solve. 40 distinct
// priorities on too few GPUs used to run one program per level whatever the
// limit; now the plan comes back when the (injected) clock says the time is
// up, with the levels solved by then placed and an honest status.
TEST(PlannerTest, Issue16TimeLimitBoundsTheWholeSolveWithAnHonestStatus) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  std::vector<Workload> workloads;
  std::map<std::string, int> requested;
  for (int level = 0; level < 40; ++level) {
    const std::string_view profile = level % 2 == 0 ? "2g.10gb" : "3g.20gb";
    workloads.push_back(Exactly(a100, profile, 3, "w" + std::to_string(level)));
    workloads.back().priority = level;
    requested[workloads.back().name] = 3;
  }
  int64_t now_ms = 0;
  Result<PlanResult> plan = Plan(Homogeneous(a100, 12), workloads,
                                 PlanOptions{.time_limit_ms = 20, .now_ms = [&now_ms] { return ++now_ms; }});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->method, "milp-time-limit");
  EXPECT_EQ(plan->lower_bound, 0);  // no time was left to compute it
  EXPECT_EQ(plan->proven_bound, 0);
  EXPECT_LE(now_ms, 22);
  EXPECT_EQ(plan->gpus_used, 12);
  for (const Unplaced& u : plan->unplaced) EXPECT_NE(u.workload, "w39");
  ExpectSound(*plan, requested);
}

// Priorities are strict whatever the sizes. One H100: a 4g.40gb of priority
// 5 leaves room for three of seven 1g.10gb of priority 0. Counting replicas
// (even weighted by priority) would keep the seven small ones instead.
TEST(PlannerTest, PrioritiesAreStrictWhateverTheReplicaSizes) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  Workload high = Exactly(h100, "4g.40gb", 1, "high");
  high.priority = 5;
  const Workload low = Exactly(h100, "1g.10gb", 7, "low");
  for (const SolveMethod method : {SolveMethod::kAuto, SolveMethod::kHeuristic}) {
    Result<PlanResult> plan = Plan(Homogeneous(h100, 1), {low, high}, PlanOptions{.method = method});
    ASSERT_THAT(plan, IsOk());
    ASSERT_EQ(plan->unplaced.size(), 1u);
    EXPECT_EQ(plan->unplaced[0].workload, "low");
    EXPECT_EQ(plan->unplaced[0].replicas, 4);
    ExpectSound(*plan, {{"high", 1}, {"low", 7}});
  }
  // Three levels: two 2g.20gb (priority 9) and the 4g.40gb cannot share the
  // GPU (2g.20gb may start at 0, 2 or 4 only), so the 4g.40gb goes; the
  // 1g.10gb fill the three compute slices left.
  Workload top = Exactly(h100, "2g.20gb", 2, "top");
  top.priority = 9;
  Result<PlanResult> plan = Plan(Homogeneous(h100, 1), {low, high, top});
  ASSERT_THAT(plan, IsOk());
  std::map<std::string, int> unplaced;
  for (const Unplaced& u : plan->unplaced) unplaced[u.workload] = u.replicas;
  EXPECT_EQ(unplaced, (std::map<std::string, int>{{"high", 1}, {"low", 4}}));
  // With room for one more GPU everything fits and priorities play no part.
  Result<PlanResult> roomy = Plan(Homogeneous(h100, 2), {low, high});
  ASSERT_THAT(roomy, IsOk());
  EXPECT_TRUE(roomy->unplaced.empty());
  EXPECT_EQ(roomy->gpus_used, 2);
}

TEST(PlannerTest, WorkloadFittingNoModelIsUnplacedNotDropped) {
  Result<PlanResult> plan =
      Plan(Homogeneous(Gpu("A100-40GB"), 2),
           {Make("huge", 2, 200 * 1024)});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->unplaced.size(), 1u);
  EXPECT_EQ(plan->unplaced[0].replicas, 2);
  EXPECT_THAT(plan->unplaced[0].reason, HasSubstr("fits no allowed GPU model"));
  EXPECT_EQ(plan->gpus_used, 0);
}

TEST(PlannerTest, HeterogeneousFleetHonoursAllowedModels) {
  fleet::Fleet f = Homogeneous(Gpu("A100-40GB"), 3, "a");
  for (const fleet::FleetGpu& g : Homogeneous(Gpu("H100-80GB"), 3, "h").gpus) f.gpus.push_back(g);
  Workload only_h100 = Make("h", 5, 9 * 1024);
  only_h100.allowed_models = {"H100-80GB"};
  Workload only_a100 = Make("a", 2, 18 * 1024);
  only_a100.allowed_models = {"A100-40GB"};
  const Workload any = Make("any", 3, 4 * 1024);
  Result<PlanResult> plan = Plan(f, {only_h100, only_a100, any});
  ASSERT_THAT(plan, IsOk());
  for (const fleet::FleetGpu& gpu : plan->target.gpus) {
    for (const fleet::FleetInstance& i : gpu.instances) {
      if (i.workload == "h") {
        EXPECT_EQ(gpu.model->name, "H100-80GB");
      }
      if (i.workload == "a") {
        EXPECT_EQ(gpu.model->name, "A100-40GB");
      }
    }
  }
  // 5 x 1g.10gb + 3 x 1g on one H100 (7 slots) is not enough: the optimum
  // is 2 GPUs for h (+ any) and 1 A100 for the two 3g.20gb.
  EXPECT_EQ(plan->gpus_used, 3);
  EXPECT_EQ(plan->method, "milp-optimal");
  ExpectSound(*plan, {{"h", 5}, {"a", 2}, {"any", 3}});
}

// Pools: H100s 0-1 labelled "inference" (1 also "eu"), 3 labelled "eu", 2
// unlabelled. A workload that requires labels only lands on GPUs carrying
// all of them, and is left out (with the reason) when they are full, while
// other GPUs stay free.
TEST(PlannerTest, RequiredLabelsConfineWorkloadsToTheirPool) {
  fleet::Fleet f = Homogeneous(Gpu("H100-80GB"), 4);
  f.gpus[0].labels = {"inference"};
  f.gpus[1].labels = {"eu", "inference"};
  f.gpus[3].labels = {"eu"};
  Workload pooled = Exactly(Gpu("H100-80GB"), "1g.10gb", 16, "pooled");
  pooled.require_labels = {"inference"};
  Workload eu = Exactly(Gpu("H100-80GB"), "3g.40gb", 1, "eu");
  eu.require_labels = {"eu"};
  const Workload free = Exactly(Gpu("H100-80GB"), "7g.80gb", 1, "free");
  Workload nowhere = Exactly(Gpu("H100-80GB"), "1g.10gb", 2, "nowhere");
  nowhere.require_labels = {"us"};
  Result<PlanResult> plan = Plan(f, {pooled, eu, free, nowhere});
  ASSERT_THAT(plan, IsOk());
  std::map<std::string, int> placed;
  for (size_t g = 0; g < plan->target.gpus.size(); ++g) {
    for (const fleet::FleetInstance& i : plan->target.gpus[g].instances) {
      if (i.workload == "pooled") {
        EXPECT_LT(g, 2u) << "pooled on a GPU without the inference label";
      }
      if (i.workload == "eu") {
        EXPECT_EQ(g, 3u) << "gpu 1 is full of pooled replicas, gpu 3 is the other eu GPU";
      }
      if (!i.workload.empty()) ++placed[i.workload];
    }
  }
  EXPECT_EQ(placed["pooled"], 14) << "two inference GPUs hold 7 x 1g.10gb each";
  EXPECT_EQ(placed["eu"], 1);
  EXPECT_EQ(placed["free"], 1);
  std::map<std::string, std::string> why;
  for (const Unplaced& u : plan->unplaced) why[u.workload] = std::to_string(u.replicas) + " " + u.reason;
  EXPECT_THAT(why["pooled"], HasSubstr("2 not enough free GPUs of H100-80GB with the labels inference"));
  EXPECT_THAT(why["nowhere"], HasSubstr("no GPU with the labels us in the fleet"));
  EXPECT_EQ(plan->gpus_used, 4);
  ExpectSound(*plan, {{"pooled", 16}, {"eu", 1}, {"free", 1}, {"nowhere", 2}});
}

TEST(PlannerTest, BusyInstancesStayAndTheirGpuIsFilledFirst) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet f = Homogeneous(a100, 3);
  const geometry::GpuInstance busy{Profile(a100, "3g.20gb"),
                                   a100.profiles[static_cast<size_t>(Profile(a100, "3g.20gb"))].PlacementAt(4)};
  f.gpus[2].instances.push_back(fleet::FleetInstance{busy, "svc", true});
  Result<PlanResult> plan =
      Plan(f, {Exactly(a100, "3g.20gb", 1, "svc"), Exactly(a100, "1g.5gb", 4, "small")});
  ASSERT_THAT(plan, IsOk());
  const fleet::FleetGpu& g2 = plan->target.gpus[2];
  ASSERT_FALSE(g2.instances.empty());
  EXPECT_EQ(g2.instances[0], (fleet::FleetInstance{busy, "svc", true}));
  // The busy replica is svc's one replica; four 1g.5gb fit beside it.
  EXPECT_EQ(plan->gpus_used, 1);
  EXPECT_EQ(g2.instances.size(), 5u);
  ExpectSound(*plan, {{"svc", 1}, {"small", 4}});
}

TEST(PlannerTest, ReusesAGpuWhoseLayoutAlreadyMatches) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet f = Homogeneous(a100, 3);
  const auto layout = ::migsched::testing::Instances(a100, {"4g.20gb@0", "3g.20gb@4"});
  for (const geometry::GpuInstance& i : layout) f.gpus[1].instances.push_back({i, "", false});
  Result<PlanResult> plan =
      Plan(f, {Exactly(a100, "4g.20gb", 1, "x"), Exactly(a100, "3g.20gb", 1, "y")});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->gpus_used, 1);
  EXPECT_EQ(fleet::LayoutOf(plan->target.gpus[1]), layout);
  EXPECT_TRUE(plan->target.gpus[0].instances.empty());
}

TEST(PlannerTest, RejectsInvalidCurrentLayoutNamingTheGpu) {
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  fleet::Fleet f = Homogeneous(a100, 1, "node-7");
  for (const geometry::GpuInstance& i : ::migsched::testing::Instances(a100, {"4g.20gb@0", "3g.20gb@0"})) {
    f.gpus[0].instances.push_back({i, "", false});
  }
  EXPECT_THAT(Plan(f, {}), HasError(StatusCode::kInvalidArgument, "node-7 gpu 0"));
}

TEST(PlannerTest, RejectsDuplicateWorkloadNames) {
  Workload w = Make("dup", 1, 1024);
  w.source = "w.yaml:4";
  EXPECT_THAT(Plan(Homogeneous(Gpu("A100-40GB"), 1), {w, w}),
              HasError(StatusCode::kInvalidArgument, "w.yaml:4: dup: duplicate workload name"));
}

TEST(PlannerTest, DemandBecomesReplicasThroughThePerfTable) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  PerfTable perf;
  perf.entries = {{"rn50", "H100-80GB", "1g.10gb", 300, 20.0, ""},
                  {"rn50", "H100-80GB", "2g.20gb", 700, 12.0, ""}};
  Workload w = Make("rn50", 0, 4096);
  w.demand_rps = 2000;  // 1g x 7 = 7 slices, 2g x 3 = 6 slices: 2g wins
  PlanRequest request;
  request.current = Homogeneous(h100, 2);
  request.workloads = {w};
  request.perf = perf;
  Result<PlanResult> plan = PlanFleet(BuiltinCatalogForTest(), request, {});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->gpus_used, 1);
  ExpectSound(*plan, {{"rn50", 3}});
  for (const fleet::FleetInstance& i : plan->target.gpus[0].instances) {
    EXPECT_EQ(i.instance.profile, Profile(h100, "2g.20gb"));
  }
}

// Issue 14: a demand without a perf row became 0 replicas, no unplaced
// entry and exit 0. Now it is an error naming the workload and the models.
TEST(PlannerTest, DemandWithoutAPerfRowIsAnErrorNotZeroReplicas) {
  Workload w = Make("rn50", 0, 4096);
  w.demand_rps = 2000;
  w.source = "w.yaml:3";
  PlanRequest request;
  request.current = Homogeneous(Gpu("H100-80GB"), 2);
  request.workloads = {w};
  EXPECT_THAT(PlanFleet(BuiltinCatalogForTest(), request, {}),
              HasError(StatusCode::kInvalidArgument,
                       "w.yaml:3: rn50: demand_rps needs a perf table row for 'rn50' on H100-80GB; "
                       "no perf table was given (--perf)"));
  request.perf = PerfTable{};
  request.perf->entries = {{"rn50", "A30-24GB", "1g.6gb", 300, 20.0, ""},
                           {"other", "H100-80GB", "1g.10gb", 300, 20.0, ""}};
  EXPECT_THAT(PlanFleet(BuiltinCatalogForTest(), request, {}),
              HasError(StatusCode::kInvalidArgument, "on H100-80GB; the perf table has none"));
}

// Rows exist but none meets the latency bound: unplaced, with the replicas
// the fastest row would need (2000 / 700 -> 3) and the reason.
TEST(PlannerTest, DemandNoProfileMeetsIsUnplacedWithItsReplicas) {
  Workload w = Make("rn50", 0, 4096);
  w.demand_rps = 2000;
  w.max_latency_ms = 5;
  PlanRequest request;
  request.current = Homogeneous(Gpu("H100-80GB"), 2);
  request.workloads = {w};
  request.perf = PerfTable{};
  request.perf->entries = {{"rn50", "H100-80GB", "1g.10gb", 300, 20.0, ""},
                           {"rn50", "H100-80GB", "2g.20gb", 700, 12.0, ""}};
  Result<PlanResult> plan = PlanFleet(BuiltinCatalogForTest(), request, {});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->unplaced.size(), 1u);
  EXPECT_EQ(plan->unplaced[0].replicas, 3);
  EXPECT_THAT(plan->unplaced[0].reason,
              HasSubstr("H100-80GB: no profile that holds it has a perf table entry for 'rn50' with p99 <= 5 ms"));
}

TEST(PlannerTest, HeuristicReportsGapToTheBound) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  std::vector<Workload> workloads = {Exactly(h100, "3g.40gb", 301, "a"),
                                     Exactly(h100, "2g.20gb", 403, "b"),
                                     Exactly(h100, "1g.10gb", 777, "c")};
  PlanOptions options;
  options.method = SolveMethod::kHeuristic;
  Result<PlanResult> plan = Plan(Homogeneous(h100, 2000), workloads, options);
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->unplaced.empty());
  EXPECT_GE(plan->gap, 0);
  EXPECT_LE(plan->gap, 0.01);
  ExpectSound(*plan, {{"a", 301}, {"b", 403}, {"c", 777}});
}

}  // namespace
}  // namespace migsched::plan
