// plan_bench: the fleet planner at scale, against first-fit-decreasing per
// replica measured in the same process.
//
//   BM_Plan/<gpus>/<replicas>/<method>  PlanFleet (0: heuristic, LP bound +
//                              rounding; 1: auto, exact within 5 s) on a
//                              fixed-seed fleet of H100-80GB, A100-40GB and
//                              A100-80GB GPUs and 1,000 distinct workloads
//   BM_FirstFitDecreasing/...  the naive baseline: every replica, largest
//                              first, onto the first GPU where it fits
//   BM_PlanExactHomogeneous/.. exact mode on all-H100 fleets (proven = 1)
//   BM_PlanAlibabaTrace        the GPU pods of Alibaba's v2023 trace mapped to
//                              H100 shares, vs whole GPUs and FFD
//
// Counters: gpus_used, lower_bound (LP), gap_pct = 100 (used - bound) / bound,
// proven (1: optimal), unplaced replicas, ffd_gpus and gpu_ratio_vs_ffd (FFD
// GPUs / planner GPUs) for the same input. 1,000,000 replicas cannot all fit
// 100,000 GPUs (at most 7 instances each): the other cases scale replicas down
// (2.5 per GPU) so that the gap measures packing quality; the 1M case measures
// speed and reports what is left unplaced.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <random>
#include <string>
#include <vector>

#include "fleet/fleet.h"
#include "geometry/state_space.h"
#include "io/catalog_loader.h"
#include "plan/planner.h"
#include "plan/right_sizing.h"

namespace migsched::bench {
namespace {

using plan::Workload;

const geometry::Catalog& Catalog() {
  static const geometry::Catalog catalog = io::BuiltinCatalog().value();
  return catalog;
}

// 8 GPUs per node: 40% H100-80GB, 40% A100-40GB, 20% A100-80GB nodes, or
// all H100-80GB when `homogeneous`.
fleet::Fleet MakeFleet(int gpus, bool homogeneous = false) {
  const geometry::GpuModel* models[] = {Catalog().Find("H100-80GB").value(),
                                        Catalog().Find("A100-40GB").value(),
                                        Catalog().Find("A100-80GB").value()};
  fleet::Fleet f;
  f.gpus.reserve(static_cast<size_t>(gpus));
  for (int g = 0; g < gpus; ++g) {
    const int node = g / 8;
    const int kind = homogeneous ? 0 : node % 5 < 2 ? 0 : node % 5 < 4 ? 1 : 2;
    fleet::FleetGpu gpu;
    gpu.node = "node-" + std::to_string(node + 1);
    gpu.index = g % 8;
    gpu.model = models[kind];
    f.gpus.push_back(std::move(gpu));
  }
  return f;
}

// 1,000 workloads, memory skewed small (most inference fits 1g/2g), a few
// training jobs, 10% pinned to H100-80GB, three priorities; replicas add up
// to `replicas`.
std::vector<Workload> MakeWorkloads(int replicas) {
  std::mt19937 rng(20251126);
  constexpr int kWorkloads = 1000;
  const int64_t memory_gib[] = {2, 4, 6, 9, 12, 16, 18, 24, 30, 36, 60};
  const double weight[] = {14, 14, 12, 14, 8, 8, 6, 6, 4, 4, 2};
  std::discrete_distribution<int> memory(std::begin(weight), std::end(weight));
  std::vector<Workload> workloads;
  std::vector<double> share;
  for (int i = 0; i < kWorkloads; ++i) {
    Workload w;
    w.name = "w" + std::to_string(i);
    w.memory_mib = memory_gib[memory(rng)] * 1024;
    w.priority = static_cast<int>(rng() % 3);
    if (i % 10 == 3) w.allowed_models = {"H100-80GB"};
    if (i % 97 == 5) w.kind = plan::WorkloadKind::kTraining;
    share.push_back(w.kind == plan::WorkloadKind::kTraining ? 0.05 : 0.5 + static_cast<double>(rng() % 1000) / 1000.0);
    workloads.push_back(std::move(w));
  }
  double total = 0;
  for (double s : share) total += s;
  int assigned = 0;
  for (size_t i = 0; i < workloads.size(); ++i) {
    workloads[i].replicas = std::max(1, static_cast<int>(share[i] / total * replicas));
    assigned += workloads[i].replicas;
  }
  workloads[0].replicas += std::max(0, replicas - assigned);
  return workloads;
}

// First-fit-decreasing per replica: replicas by slices of their choice on
// the first allowed model, largest first; each onto the lowest-index GPU
// where it fits. Per (model, profile) a cursor skips GPUs already too full
// for it (states only fill up, so the cursor never moves back). Returns GPUs used.
int64_t FirstFitDecreasing(const fleet::Fleet& fleet, const std::vector<Workload>& workloads) {
  std::map<const geometry::GpuModel*, geometry::StateSpace> spaces;
  std::vector<const geometry::GpuModel*> models;
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    if (spaces.count(gpu.model) == 0) {
      spaces.emplace(gpu.model, geometry::StateSpace::Build(*gpu.model).value());
      models.push_back(gpu.model);
    }
  }
  struct Item {
    int slices;
    std::vector<plan::SizingChoice> choices;
    int replicas;
  };
  std::vector<Item> items;
  for (const Workload& w : workloads) {
    plan::WorkloadSizing s = plan::RightSizeOnModels(
        [&] {
          std::vector<const geometry::GpuModel*> allowed;
          for (const auto* m : models) {
            if (w.allowed_models.empty() ||
                std::find(w.allowed_models.begin(), w.allowed_models.end(), m->name) !=
                    w.allowed_models.end()) {
              allowed.push_back(m);
            }
          }
          return allowed;
        }(),
        w, nullptr, {});
    if (s.choices.empty()) continue;
    items.push_back({s.choices[0].compute_slices * 8 + s.choices[0].memory_slices, s.choices,
                     w.replicas});
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.slices > b.slices; });
  std::vector<geometry::StateId> state(fleet.gpus.size(), geometry::StateSpace::kEmpty);
  std::vector<bool> whole(fleet.gpus.size(), false);
  std::map<std::pair<const geometry::GpuModel*, int>, size_t> cursor;
  for (const Item& item : items) {
    for (int r = 0; r < item.replicas; ++r) {
      bool placed = false;
      for (const plan::SizingChoice& c : item.choices) {
        const int profile = c.profile.value_or(-1);
        size_t& g = cursor[{c.model, profile}];
        const geometry::StateSpace& space = spaces.at(c.model);
        for (; g < fleet.gpus.size(); ++g) {
          if (fleet.gpus[g].model != c.model || whole[g]) continue;
          if (profile < 0) {
            if (state[g] != geometry::StateSpace::kEmpty) continue;
            whole[g] = true;
            placed = true;
            break;
          }
          const geometry::StartSet fits = space.Fits(state[g], profile);
          if (fits.empty()) continue;
          state[g] = space.Place(state[g], profile, fits.highest());
          placed = true;
          break;
        }
        if (placed) break;
      }
    }
  }
  int64_t used = 0;
  for (size_t g = 0; g < state.size(); ++g) {
    used += (whole[g] || state[g] != geometry::StateSpace::kEmpty) ? 1 : 0;
  }
  return used;
}

void BM_Plan(benchmark::State& state) {
  const int gpus = static_cast<int>(state.range(0));
  const int replicas = static_cast<int>(state.range(1));
  plan::PlanRequest request;
  request.current = MakeFleet(gpus);
  request.workloads = MakeWorkloads(replicas);
  plan::PlanOptions options;
  options.method = state.range(2) == 0 ? plan::SolveMethod::kHeuristic : plan::SolveMethod::kAuto;
  options.time_limit_ms = 5000;
  plan::PlanResult result;
  for (auto _ : state) {
    Result<plan::PlanResult> planned = plan::PlanFleet(Catalog(), request, options);
    if (!planned.has_value()) {
      state.SkipWithError(planned.error().ToString().c_str());
      return;
    }
    result = std::move(planned).value();
    benchmark::DoNotOptimize(result);
  }
  int64_t unplaced = 0;
  for (const plan::Unplaced& u : result.unplaced) unplaced += u.replicas;
  const int64_t ffd = FirstFitDecreasing(request.current, request.workloads);
  state.counters["gpus_used"] = result.gpus_used;
  state.counters["lower_bound"] = result.lower_bound;
  state.counters["gap_pct"] = 100 * result.gap;
  state.counters["proven"] = result.method == "milp-optimal" ? 1 : 0;
  state.counters["unplaced"] = static_cast<double>(unplaced);
  state.counters["ffd_gpus"] = static_cast<double>(ffd);
  state.counters["gpu_ratio_vs_ffd"] =
      result.gpus_used > 0 ? static_cast<double>(ffd) / result.gpus_used : 0;
}

// Exact mode (LP rounding, then branch-and-bound if the rounding misses the
// rounded-up bound) on an all-H100 fleet: counter proven = 1 when optimal.
void BM_PlanExactHomogeneous(benchmark::State& state) {
  plan::PlanRequest request;
  request.current = MakeFleet(static_cast<int>(state.range(0)), /*homogeneous=*/true);
  request.workloads = MakeWorkloads(static_cast<int>(state.range(1)));
  plan::PlanOptions options;
  options.method = plan::SolveMethod::kExact;
  options.time_limit_ms = 5000;
  plan::PlanResult result;
  for (auto _ : state) {
    result = plan::PlanFleet(Catalog(), request, options).value();
    benchmark::DoNotOptimize(result);
  }
  state.counters["gpus_used"] = result.gpus_used;
  state.counters["lower_bound"] = result.lower_bound;
  state.counters["proven"] = result.method == "milp-optimal" ? 1 : 0;
  state.counters["gap_pct"] = 100 * result.gap;
}

// Alibaba GPU trace v2023 (openb_pod_list_default.csv): every GPU pod
// becomes replicas of a workload shape. A pod with num_gpu = n and
// gpu_milli = g per GPU asks n shares of g/1000 of a GPU; on H100-80GB that is
// ceil(7 g / 1000) compute slices and g/1000 of the memory (1000 milli: the
// whole GPU). Pods of the same (n, g) are one workload. Whole-GPU baseline:
// one GPU per share.
std::vector<Workload> AlibabaWorkloads(const geometry::GpuModel& h100, int64_t& whole_gpus) {
  std::ifstream in(MIGSCHED_SHARED_DATA "/alibaba_gpu_v2023/openb_pod_list_default.csv");
  std::map<std::pair<int, int>, int> shapes;  // (num_gpu, gpu_milli) -> pods
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() < 5) continue;
    const int num_gpu = std::atoi(cells[3].c_str());
    const int milli = std::atoi(cells[4].c_str());
    if (num_gpu > 0 && milli > 0) ++shapes[{num_gpu, milli}];
  }
  std::vector<Workload> workloads;
  whole_gpus = 0;
  for (const auto& [shape, pods] : shapes) {
    const auto [num_gpu, milli] = shape;
    Workload w;
    w.name = "alibaba-" + std::to_string(num_gpu) + "x" + std::to_string(milli);
    w.replicas = pods * num_gpu;
    w.memory_mib = (h100.memory_mib * milli + 999) / 1000;
    w.min_compute_slices = (7 * milli + 999) / 1000;
    whole_gpus += w.replicas;
    workloads.push_back(std::move(w));
  }
  return workloads;
}

void BM_PlanAlibabaTrace(benchmark::State& state) {
  const geometry::GpuModel& h100 = *Catalog().Find("H100-80GB").value();
  int64_t whole = 0;
  plan::PlanRequest request;
  request.workloads = AlibabaWorkloads(h100, whole);
  if (request.workloads.empty()) {
    state.SkipWithError("../shared/data/alibaba_gpu_v2023 not found");
    return;
  }
  request.current = MakeFleet(static_cast<int>(whole), /*homogeneous=*/true);
  plan::PlanResult result;
  for (auto _ : state) {
    result = plan::PlanFleet(Catalog(), request, {}).value();
    benchmark::DoNotOptimize(result);
  }
  const int64_t ffd = FirstFitDecreasing(request.current, request.workloads);
  state.counters["workloads"] = static_cast<double>(request.workloads.size());
  state.counters["gpus_used"] = result.gpus_used;
  state.counters["lower_bound"] = result.lower_bound;
  state.counters["proven"] = result.method == "milp-optimal" ? 1 : 0;
  state.counters["whole_gpus"] = static_cast<double>(whole);
  state.counters["ffd_gpus"] = static_cast<double>(ffd);
  state.counters["gpu_ratio_vs_whole"] = static_cast<double>(whole) / result.gpus_used;
  state.counters["gpu_ratio_vs_ffd"] = static_cast<double>(ffd) / result.gpus_used;
}

void BM_FirstFitDecreasing(benchmark::State& state) {
  const fleet::Fleet fleet = MakeFleet(static_cast<int>(state.range(0)));
  const std::vector<Workload> workloads = MakeWorkloads(static_cast<int>(state.range(1)));
  int64_t used = 0;
  for (auto _ : state) {
    used = FirstFitDecreasing(fleet, workloads);
    benchmark::DoNotOptimize(used);
  }
  state.counters["gpus_used"] = static_cast<double>(used);
}

// {GPUs, replicas}: the sizes, and ones whose replicas all fit.
void Sizes(benchmark::internal::Benchmark* b) {
  b->Args({10'000, 25'000})->Args({100'000, 250'000})->Args({100'000, 1'000'000});
  b->Unit(benchmark::kMillisecond)->Iterations(3);
}

// {GPUs, replicas, method}: 0 = heuristic, 1 = auto (exact within 5 s).
void PlanSizes(benchmark::internal::Benchmark* b) {
  for (int method : {0, 1}) {
    b->Args({10'000, 25'000, method})
        ->Args({100'000, 250'000, method})
        ->Args({100'000, 1'000'000, method});
  }
  b->Unit(benchmark::kMillisecond)->Iterations(3);
}

BENCHMARK(BM_Plan)->Apply(PlanSizes);
BENCHMARK(BM_FirstFitDecreasing)->Apply(Sizes);
BENCHMARK(BM_PlanAlibabaTrace)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_PlanExactHomogeneous)
    ->Args({1'000, 2'000})
    ->Args({10'000, 20'000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace migsched::bench

BENCHMARK_MAIN();
