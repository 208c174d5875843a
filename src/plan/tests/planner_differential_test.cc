// The planner against an independent exact formulation (issue 14, point 1):
// on hundreds of small random mixed fleets (A100-80GB, A100-40GB, H100-80GB),
// an exhaustive search over which replicas each GPU hosts gives the
// lexicographic optimum — most replicas placed per priority level, highest
// level first, then the fewest GPUs. The planner must place exactly as much
// per level, never use fewer GPUs than that optimum (its layouts are checked),
// use as few when it says "milp-optimal", and its bound must hold.
//
// The reference shares only right-sizing with the planner (which profile a
// workload takes on a model); whether replicas fit together on one GPU is
// decided by trying every start with geometry::CheckLayout, and the fleet by
// a memoised search over GPUs in fleet order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "plan/planner.h"
#include "plan/tests/exhaustive_layout.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::IsOk;

// What one workload takes on one model: nothing, a whole GPU, or a profile.
struct Shape {
  bool fits = false;
  std::optional<int> profile;  // nullopt with fits: a whole GPU (MIG disabled)
};

// Placed replicas per priority level (highest first), then GPUs used.
struct Score {
  std::vector<int> placed;
  int gpus = 0;
  // Better: more placed at the first level that differs, then fewer GPUs.
  bool BetterThan(const Score& other) const {
    if (placed != other.placed) return placed > other.placed;
    return gpus < other.gpus;
  }
};

class ExhaustiveFleetSearch {
 public:
  ExhaustiveFleetSearch(const fleet::Fleet& fleet, const std::vector<Workload>& workloads)
      : fleet_(fleet), workloads_(workloads) {
    std::set<int, std::greater<>> levels;
    for (const Workload& w : workloads) levels.insert(w.priority);
    levels_.assign(levels.begin(), levels.end());
    for (const fleet::FleetGpu& gpu : fleet.gpus) {
      std::vector<Shape> shapes;
      for (const Workload& w : workloads) {
        const SizingOutcome s = RightSize(*gpu.model, w, nullptr, {});
        shapes.push_back(s.choice ? Shape{true, s.choice->profile} : Shape{});
        if (!w.allowed_models.empty() &&
            std::find(w.allowed_models.begin(), w.allowed_models.end(), gpu.model->name) ==
                w.allowed_models.end()) {
          shapes.back() = Shape{};
        }
      }
      shapes_.push_back(std::move(shapes));
    }
  }

  Score Best() {
    std::vector<int> left;
    for (const Workload& w : workloads_) left.push_back(w.replicas);
    return Search(0, left);
  }

 private:
  Score Search(size_t g, const std::vector<int>& left) {
    if (g == fleet_.gpus.size()) return Score{std::vector<int>(levels_.size(), 0), 0};
    const auto key = std::make_pair(g, left);
    if (const auto it = memo_.find(key); it != memo_.end()) return it->second;
    Score best = Search(g + 1, left);  // this GPU idle
    std::vector<int> take(left.size(), 0);
    ForEachContent(g, left, take, 0, [&](const std::vector<int>& content) {
      std::vector<int> rest = left;
      for (size_t w = 0; w < rest.size(); ++w) rest[w] -= content[w];
      Score score = Search(g + 1, rest);
      for (size_t w = 0; w < content.size(); ++w) score.placed[LevelOf(w)] += content[w];
      ++score.gpus;
      if (score.BetterThan(best)) best = score;
    });
    memo_[key] = best;
    return best;
  }

  size_t LevelOf(size_t w) const {
    return static_cast<size_t>(std::find(levels_.begin(), levels_.end(), workloads_[w].priority) -
                               levels_.begin());
  }

  // Every non-empty count vector (<= left) that GPU g can host together.
  template <typename F>
  void ForEachContent(size_t g, const std::vector<int>& left, std::vector<int>& take, size_t w,
                      F&& visit) {
    if (w == left.size()) {
      if (std::any_of(take.begin(), take.end(), [](int n) { return n > 0; }) && Hosts(g, take)) {
        visit(take);
      }
      return;
    }
    const int most = shapes_[g][w].fits ? std::min(left[w], 7) : 0;
    for (take[w] = 0; take[w] <= most; ++take[w]) ForEachContent(g, left, take, w + 1, visit);
    take[w] = 0;
  }

  bool Hosts(size_t g, const std::vector<int>& content) {
    const geometry::GpuModel& model = *fleet_.gpus[g].model;
    const auto key = std::make_pair(&model, content);
    if (const auto it = hosts_.find(key); it != hosts_.end()) return it->second;
    std::vector<int> profiles;
    int whole = 0;
    for (size_t w = 0; w < content.size(); ++w) {
      if (content[w] == 0) continue;
      if (!shapes_[g][w].profile) whole += content[w];
      for (int n = 0; n < content[w] && shapes_[g][w].profile; ++n) profiles.push_back(*shapes_[g][w].profile);
    }
    const bool ok = whole > 0 ? whole == 1 && profiles.empty() : HasStartsByExhaustiveSearch(model, profiles);
    hosts_[key] = ok;
    return ok;
  }

  const fleet::Fleet& fleet_;
  const std::vector<Workload>& workloads_;
  std::vector<int> levels_;
  std::vector<std::vector<Shape>> shapes_;  // [gpu][workload]
  std::map<std::pair<size_t, std::vector<int>>, Score> memo_;
  std::map<std::pair<const geometry::GpuModel*, std::vector<int>>, bool> hosts_;
};

struct RandomCase {
  fleet::Fleet fleet;
  std::vector<Workload> workloads;
};

RandomCase MakeCase(std::mt19937& rng) {
  const char* const models[] = {"A100-80GB", "A100-40GB", "H100-80GB"};
  const int64_t memories_gib[] = {4, 9, 15, 18, 30, 45, 60};
  RandomCase c;
  const int gpus = 1 + static_cast<int>(rng() % 5);
  for (int g = 0; g < gpus; ++g) {
    fleet::FleetGpu gpu;
    gpu.node = "n" + std::to_string(g % 2);
    gpu.index = g / 2;
    gpu.model = &Gpu(models[rng() % 3]);
    c.fleet.gpus.push_back(std::move(gpu));
  }
  std::stable_sort(c.fleet.gpus.begin(), c.fleet.gpus.end(),
                   [](const fleet::FleetGpu& a, const fleet::FleetGpu& b) { return a.node < b.node; });
  const int count = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < count; ++i) {
    Workload w;
    w.name = "w" + std::to_string(i);
    w.replicas = 1 + static_cast<int>(rng() % 4);
    w.memory_mib = memories_gib[rng() % 7] * 1024;
    w.min_compute_slices = rng() % 3 == 0 ? 2 : 0;
    w.kind = rng() % 4 == 0 ? WorkloadKind::kTraining : WorkloadKind::kInference;
    w.priority = rng() % 3 == 0 ? 1 : 0;
    if (rng() % 4 == 0) w.allowed_models = {models[rng() % 3]};
    c.workloads.push_back(std::move(w));
  }
  return c;
}

std::string Describe(const RandomCase& c) {
  std::string text = "fleet:";
  for (const fleet::FleetGpu& gpu : c.fleet.gpus) text += " " + gpu.node + "/" + gpu.model->name;
  for (const Workload& w : c.workloads) {
    text += "\n  " + w.name + " x" + std::to_string(w.replicas) + " " + std::to_string(w.memory_mib) +
            " MiB min " + std::to_string(w.min_compute_slices) + " slices, " +
            std::string(WorkloadKindName(w.kind)) + ", priority " + std::to_string(w.priority) +
            (w.allowed_models.empty() ? "" : ", only " + w.allowed_models.front());
  }
  return text;
}

// Replicas the plan places per priority level (highest first), from the
// target layouts themselves.
std::vector<int> PlacedPerLevel(const PlanResult& plan, const std::vector<Workload>& workloads) {
  std::set<int, std::greater<>> levels;
  std::map<std::string, int> priority;
  for (const Workload& w : workloads) {
    levels.insert(w.priority);
    priority[w.name] = w.priority;
  }
  const std::vector<int> order(levels.begin(), levels.end());
  std::vector<int> placed(order.size(), 0);
  auto count = [&](const std::string& owner) {
    if (owner.empty()) return;
    const auto at = std::find(order.begin(), order.end(), priority.at(owner));
    ++placed[static_cast<size_t>(at - order.begin())];
  };
  for (const fleet::FleetGpu& gpu : plan.target.gpus) {
    if (!gpu.mig_enabled) count(gpu.whole_gpu_workload);
    for (const fleet::FleetInstance& i : gpu.instances) count(i.workload);
  }
  return placed;
}

TEST(PlannerDifferentialTest, PlacesAsMuchAsAnExhaustiveSearchOnRandomMixedFleets) {
  std::mt19937 rng(14);
  int with_unplaced = 0;
  for (int round = 0; round < 400; ++round) {
    const RandomCase c = MakeCase(rng);
    PlanRequest request{.current = c.fleet, .workloads = c.workloads, .perf = std::nullopt, .keep_whole = {}};
    const Result<PlanResult> plan = PlanFleet(BuiltinCatalogForTest(), request, {});
    ASSERT_THAT(plan, IsOk()) << Describe(c);
    const Score best = ExhaustiveFleetSearch(c.fleet, c.workloads).Best();
    const std::vector<int> placed = PlacedPerLevel(*plan, c.workloads);
    ASSERT_EQ(placed, best.placed) << "round " << round << "\n" << Describe(c);
    for (const fleet::FleetGpu& gpu : plan->target.gpus) {
      ASSERT_TRUE(geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu)).valid) << Describe(c);
    }
    EXPECT_GE(plan->gpus_used, best.gpus) << "round " << round << "\n" << Describe(c);
    if (plan->method == "milp-optimal") {
      EXPECT_EQ(plan->gpus_used, best.gpus) << "round " << round << "\n" << Describe(c);
    }
    EXPECT_LE(plan->proven_bound, best.gpus) << "round " << round << "\n" << Describe(c);
    EXPECT_LE(plan->lower_bound, best.gpus + 1e-6) << "round " << round << "\n" << Describe(c);
    int requested = 0, unplaced = 0;
    for (const Workload& w : c.workloads) requested += w.replicas;
    for (const Unplaced& u : plan->unplaced) unplaced += u.replicas;
    int total_placed = 0;
    for (int n : placed) total_placed += n;
    EXPECT_EQ(total_placed + unplaced, requested) << Describe(c);
    with_unplaced += unplaced > 0 ? 1 : 0;
  }
  // The mix must exercise the interesting case: fleets too small for all.
  EXPECT_GT(with_unplaced, 40);
}

}  // namespace
}  // namespace migsched::plan
