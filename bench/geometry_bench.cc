// geometry_bench: what StateSpace's precomputed tables buy over the naive
// search over all starts (ScanFits), each measured against that baseline in the
// same process.
//
//   BM_FitsTable/<model>       one placement query: StateSpace::Fits, a table read
//   BM_FitsScan/<model>        the same query by ScanFits over the instance list
//   BM_BuildStateSpace/<model> building the tables (paid once per model)
//   BM_EnumerateTable/<model>  EnumerateLayouts over prebuilt tables
//   BM_EnumerateNaive/<model>  the same canonical DFS deciding "fits" by ScanFits
//
// Queries come from a fixed-seed pool of random reachable layouts, so runs are
// comparable. Before timing, both enumerators must agree on every model (the
// program aborts if not). After the run a summary table prints ns per query,
// enumeration time and the speedups (CPU time), as median and coefficient of
// variation under --benchmark_repetitions. Without --benchmark_min_time every benchmark gets a
// short minimum time (the whole run takes well under 30 s); with it, the flag
// rules, e.g. --benchmark_min_time=0.01 for a CI smoke run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geometry/catalog.h"
#include "geometry/gpu_model.h"
#include "geometry/layout.h"
#include "geometry/layout_enumerator.h"
#include "geometry/start_set.h"
#include "geometry/state_space.h"
#include "io/catalog_loader.h"

namespace migsched::bench {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::LayoutCensus;
using geometry::StartSet;
using geometry::StateId;
using geometry::StateSpace;

// Models whose placement queries are timed: the two common data-centre parts,
// the model with the most profiles, and the smallest.
constexpr std::string_view kQueryModels[] = {"A100-40GB", "H100-80GB", "RTX-PRO-6000",
                                             "A30-24GB"};
constexpr size_t kPoolSize = 4096;  // a power of two: the query index wraps with a mask
constexpr uint32_t kPoolSeed = 20250101;
constexpr double kQueryMinTime = 0.2;        // seconds, when --benchmark_min_time is absent
constexpr double kEnumerateMinTime = 0.1;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "geometry_bench: %s\n", message.c_str());
  std::abort();
}

// Uniform in [0, n) for small n; unlike std::uniform_int_distribution the
// sequence is the same with every standard library.
size_t Uniform(std::mt19937& rng, size_t n) { return static_cast<size_t>(rng()) % n; }

// A placement question: does `profile` fit next to instances[first, first + count),
// whose StateId is `state`?
struct Query {
  StateId state = StateSpace::kEmpty;
  int profile = 0;
  size_t first = 0;
  size_t count = 0;
};

struct QueryPool {
  std::vector<Query> queries;
  std::vector<GpuInstance> instances;  // every query's layout, back to back

  std::span<const GpuInstance> Layout(const Query& query) const {
    return std::span<const GpuInstance>(instances).subspan(query.first, query.count);
  }
};

// Random reachable layouts: from the empty GPU, up to max_instances steps, each
// placing a uniformly chosen (profile, start) among those that fit. Checks that
// the tables and the scan agree on every query.
QueryPool MakeQueryPool(const GpuModel& model, const StateSpace& space) {
  std::mt19937 rng(kPoolSeed);
  const int profile_count = static_cast<int>(model.profiles.size());
  QueryPool pool;
  pool.queries.reserve(kPoolSize);
  std::vector<GpuInstance> options;
  for (size_t q = 0; q < kPoolSize; ++q) {
    Query query{.state = StateSpace::kEmpty, .profile = 0, .first = pool.instances.size()};
    const size_t steps = Uniform(rng, static_cast<size_t>(model.max_instances) + 1);
    for (size_t step = 0; step < steps; ++step) {
      options.clear();
      for (int profile = 0; profile < profile_count; ++profile) {
        for (int start : space.Fits(query.state, profile).ToVector()) {
          options.push_back(GpuInstance{
              profile, model.profiles[static_cast<size_t>(profile)].PlacementAt(start)});
        }
      }
      if (options.empty()) break;
      const GpuInstance chosen = options[Uniform(rng, options.size())];
      query.state = space.Place(query.state, chosen.profile, chosen.placement.start);
      pool.instances.push_back(chosen);
    }
    query.count = pool.instances.size() - query.first;
    query.profile = static_cast<int>(Uniform(rng, static_cast<size_t>(profile_count)));
    if (space.Fits(query.state, query.profile) !=
        geometry::ScanFits(model, pool.Layout(query), query.profile)) {
      Die(model.name + ": StateSpace::Fits and ScanFits disagree on query " + std::to_string(q));
    }
    pool.queries.push_back(query);
  }
  return pool;
}

// The baseline enumerator: the canonical DFS of EnumerateLayouts (slot by slot,
// each profile that can start at that slot), with every "does it fit" and the
// maximality test answered by ScanFits over the instances placed so far. It
// builds the same census, so the two differ only in how they ask.
class NaiveEnumerator {
 public:
  explicit NaiveEnumerator(const GpuModel& model)
      : model_(model), profile_count_(static_cast<int>(model.profiles.size())) {}

  LayoutCensus Run() {
    Visit(0);
    census_.distinct_multisets = multisets_.size();
    return std::move(census_);
  }

 private:
  void Visit(int slot) {
    if (slot == model_.memory_slices) {
      Record();
      return;
    }
    Visit(slot + 1);  // nothing starts here
    for (int profile = 0; profile < profile_count_; ++profile) {
      if (!geometry::ScanFits(model_, current_, profile).contains(slot)) continue;
      current_.push_back(
          GpuInstance{profile, model_.profiles[static_cast<size_t>(profile)].PlacementAt(slot)});
      Visit(slot + 1);
      current_.pop_back();
    }
  }

  void Record() {
    ++census_.valid_layouts;
    for (int profile = 0; profile < profile_count_; ++profile) {
      if (!geometry::ScanFits(model_, current_, profile).empty()) return;  // not maximal
    }
    census_.maximal_layouts.push_back(current_);
    std::vector<int> profiles;
    int compute = 0;
    uint16_t occupied = 0;
    for (const GpuInstance& instance : current_) {
      profiles.push_back(instance.profile);
      compute += model_.profiles[static_cast<size_t>(instance.profile)].compute_slices;
      occupied = static_cast<uint16_t>(occupied | instance.placement.SliceMask());
    }
    std::sort(profiles.begin(), profiles.end());
    multisets_.insert(std::move(profiles));
    const auto all_memory = static_cast<uint16_t>((1u << model_.memory_slices) - 1u);
    if (compute == model_.compute_slices && occupied == all_memory) ++census_.full_layouts;
  }

  const GpuModel& model_;
  int profile_count_;
  std::vector<GpuInstance> current_;
  std::set<std::vector<int>> multisets_;
  LayoutCensus census_;
};

// Aborts unless the table and naive enumerators produce the same census.
void CheckEnumeratorsAgree(const GpuModel& model, const StateSpace& space) {
  const LayoutCensus table = geometry::EnumerateLayouts(model, space);
  const LayoutCensus naive = NaiveEnumerator(model).Run();
  if (table.maximal_layouts.size() != naive.maximal_layouts.size()) {
    Die(model.name + ": table enumerator finds " +
        std::to_string(table.maximal_layouts.size()) + " maximal layouts, naive finds " +
        std::to_string(naive.maximal_layouts.size()));
  }
  if (table.maximal_layouts != naive.maximal_layouts ||
      table.valid_layouts != naive.valid_layouts ||
      table.distinct_multisets != naive.distinct_multisets ||
      table.full_layouts != naive.full_layouts) {
    Die(model.name + ": table and naive enumerators disagree (valid " +
        std::to_string(table.valid_layouts) + " vs " + std::to_string(naive.valid_layouts) +
        ", multisets " + std::to_string(table.distinct_multisets) + " vs " +
        std::to_string(naive.distinct_multisets) + ", full " +
        std::to_string(table.full_layouts) + " vs " + std::to_string(naive.full_layouts) + ")");
  }
}

void BM_FitsTable(benchmark::State& st, const StateSpace& space, const QueryPool& pool) {
  size_t i = 0;
  for (auto _ : st) {
    const Query& query = pool.queries[i];
    StartSet fits = space.Fits(query.state, query.profile);
    benchmark::DoNotOptimize(fits);
    i = (i + 1) & (kPoolSize - 1);
  }
  st.SetItemsProcessed(st.iterations());
}

void BM_FitsScan(benchmark::State& st, const GpuModel& model, const QueryPool& pool) {
  size_t i = 0;
  for (auto _ : st) {
    const Query& query = pool.queries[i];
    StartSet fits = geometry::ScanFits(model, pool.Layout(query), query.profile);
    benchmark::DoNotOptimize(fits);
    i = (i + 1) & (kPoolSize - 1);
  }
  st.SetItemsProcessed(st.iterations());
}

void BM_BuildStateSpace(benchmark::State& st, const GpuModel& model) {
  size_t states = 0;
  for (auto _ : st) {
    Result<StateSpace> space = StateSpace::Build(model);
    if (!space.has_value()) {
      st.SkipWithError(space.error().ToString().c_str());
      break;
    }
    states = space->size();
    benchmark::DoNotOptimize(space);
  }
  st.counters["states"] = static_cast<double>(states);
}

// Reports layouts visited per second as items/s, and the census sizes.
void SetCensusCounters(benchmark::State& st, const LayoutCensus& census) {
  st.SetItemsProcessed(st.iterations() * static_cast<int64_t>(census.valid_layouts));
  st.counters["maximal"] = static_cast<double>(census.maximal_layouts.size());
}

void BM_EnumerateTable(benchmark::State& st, const GpuModel& model, const StateSpace& space) {
  LayoutCensus census;
  for (auto _ : st) {
    census = geometry::EnumerateLayouts(model, space);
    benchmark::DoNotOptimize(census);
  }
  SetCensusCounters(st, census);
}

void BM_EnumerateNaive(benchmark::State& st, const GpuModel& model) {
  LayoutCensus census;
  for (auto _ : st) {
    census = NaiveEnumerator(model).Run();
    benchmark::DoNotOptimize(census);
  }
  SetCensusCounters(st, census);
}

// Prints as ConsoleReporter does and keeps, per benchmark, the CPU seconds per
// iteration: the median aggregate when repetitions produce one, else the run,
// and then also the coefficient of variation across repetitions. CPU time,
// not wall time, so that a busy machine's preemptions do not skew the ratios.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  struct Timing {
    double seconds = 0;
    std::optional<double> cv;  // a fraction, e.g. 0.02; only with repetitions
    bool is_median = false;
  };

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      Timing& timing = timings_[run.run_name.function_name];
      if (run.run_type == Run::RT_Iteration) {
        if (!timing.is_median) timing.seconds = SecondsPerIteration(run);
      } else if (run.aggregate_name == "median") {
        timing.seconds = SecondsPerIteration(run);
        timing.is_median = true;
        any_median_ = true;
      } else if (run.aggregate_name == "cv") {
        timing.cv = run.cpu_accumulated_time;  // percentage aggregates are not per iteration
      }
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }

  std::optional<Timing> Find(const std::string& name) const {
    auto it = timings_.find(name);
    if (it == timings_.end()) return std::nullopt;
    return it->second;
  }
  bool any_median() const { return any_median_; }

 private:
  static double SecondsPerIteration(const Run& run) {
    return run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
  }

  std::map<std::string, Timing> timings_;
  bool any_median_ = false;
};

// A time in `unit` seconds with `decimals` digits, plus "+-N%" (the coefficient
// of variation) under repetitions; a dash when the benchmark did not run (e.g.
// excluded by --benchmark_filter).
std::string TimeCell(const std::optional<SummaryReporter::Timing>& timing, double unit,
                     int decimals) {
  if (!timing) return "-";
  char buffer[48];
  if (timing->cv) {
    std::snprintf(buffer, sizeof buffer, "%.*f +-%.0f%%", decimals, timing->seconds * unit,
                  *timing->cv * 100);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, timing->seconds * unit);
  }
  return buffer;
}

// baseline / candidate, as "12.3x".
std::string SpeedupCell(const std::optional<SummaryReporter::Timing>& baseline,
                        const std::optional<SummaryReporter::Timing>& candidate) {
  if (!baseline || !candidate || candidate->seconds <= 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fx", baseline->seconds / candidate->seconds);
  return buffer;
}

void PrintSummary(const SummaryReporter& reporter, const geometry::Catalog& catalog) {
  std::printf("\nSummary: CPU time, %s; speedup = baseline / table, run in this process\n",
              reporter.any_median() ? "median +- coefficient of variation over repetitions"
                                    : "single runs");
  std::printf("%-16s %14s %14s %8s | %14s %14s %14s %8s\n", "model", "table ns/query",
              "scan ns/query", "speedup", "build us", "enum table us", "enum naive us",
              "speedup");
  for (const GpuModel& model : catalog.models()) {
    const auto find = [&](const char* family) {
      return reporter.Find(std::string(family) + "/" + model.name);
    };
    const auto fits_table = find("BM_FitsTable");
    const auto fits_scan = find("BM_FitsScan");
    const auto enum_table = find("BM_EnumerateTable");
    const auto enum_naive = find("BM_EnumerateNaive");
    const auto build = find("BM_BuildStateSpace");
    // A model whose benchmarks --benchmark_filter excluded gets no row.
    if (!fits_table && !fits_scan && !enum_table && !enum_naive && !build) continue;
    std::printf("%-16s %14s %14s %8s | %14s %14s %14s %8s\n", model.name.c_str(),
                TimeCell(fits_table, 1e9, 2).c_str(), TimeCell(fits_scan, 1e9, 2).c_str(),
                SpeedupCell(fits_scan, fits_table).c_str(),
                TimeCell(build, 1e6, 1).c_str(),
                TimeCell(enum_table, 1e6, 1).c_str(), TimeCell(enum_naive, 1e6, 1).c_str(),
                SpeedupCell(enum_naive, enum_table).c_str());
  }
}

// The value of "--flag=value" in argv, if given.
std::optional<std::string_view> FlagValue(int argc, char** argv, std::string_view flag) {
  for (std::span<char*> args(argv, static_cast<size_t>(argc)); std::string_view arg : args) {
    if (arg.starts_with(flag) && arg.size() > flag.size() && arg[flag.size()] == '=') {
      return arg.substr(flag.size() + 1);
    }
  }
  return std::nullopt;
}

// Colour as the library's own reporter chooses it: --benchmark_color, else a terminal.
benchmark::ConsoleReporter::OutputOptions ConsoleOptions(int argc, char** argv) {
  bool color = isatty(STDOUT_FILENO) != 0;
  if (std::optional<std::string_view> value = FlagValue(argc, argv, "--benchmark_color")) {
    if (*value == "true" || *value == "yes" || *value == "1" || *value == "on") color = true;
    if (*value == "false" || *value == "no" || *value == "0" || *value == "off") color = false;
  }
  return color ? benchmark::ConsoleReporter::OO_Color : benchmark::ConsoleReporter::OO_None;
}

// What the registered benchmarks refer to; lives until main returns.
struct ModelData {
  const GpuModel* model = nullptr;
  std::unique_ptr<StateSpace> space;
  std::unique_ptr<QueryPool> pool;  // only for kQueryModels
};

int Main(int argc, char** argv) {
  const bool min_time_given = FlagValue(argc, argv, "--benchmark_min_time").has_value();
  const benchmark::ConsoleReporter::OutputOptions console_options = ConsoleOptions(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  Result<geometry::Catalog> catalog = io::BuiltinCatalog();
  if (!catalog.has_value()) Die("built-in catalog: " + catalog.error().ToString());

  std::vector<ModelData> data;
  data.reserve(catalog->models().size());
  for (const GpuModel& model : catalog->models()) {
    Result<StateSpace> space = StateSpace::Build(model);
    if (!space.has_value()) Die(model.name + ": " + space.error().ToString());
    data.push_back(ModelData{.model = &model,
                             .space = std::make_unique<StateSpace>(std::move(*space)),
                             .pool = nullptr});
    CheckEnumeratorsAgree(model, *data.back().space);
  }
  for (std::string_view name : kQueryModels) {
    auto it = std::find_if(data.begin(), data.end(),
                           [&](const ModelData& d) { return d.model->name == name; });
    if (it == data.end()) Die(std::string(name) + ": model not in the built-in catalog");
    it->pool = std::make_unique<QueryPool>(MakeQueryPool(*it->model, *it->space));
  }

  const auto with_min_time = [&](benchmark::internal::Benchmark* b, double seconds) {
    if (!min_time_given) b->MinTime(seconds);
  };
  for (const ModelData& d : data) {
    if (!d.pool) continue;
    const std::string suffix = "/" + d.model->name;
    with_min_time(benchmark::RegisterBenchmark(("BM_FitsTable" + suffix).c_str(), BM_FitsTable,
                                               std::cref(*d.space), std::cref(*d.pool)),
                  kQueryMinTime);
    with_min_time(benchmark::RegisterBenchmark(("BM_FitsScan" + suffix).c_str(), BM_FitsScan,
                                               std::cref(*d.model), std::cref(*d.pool)),
                  kQueryMinTime);
  }
  for (const ModelData& d : data) {
    const std::string suffix = "/" + d.model->name;
    with_min_time(benchmark::RegisterBenchmark(("BM_BuildStateSpace" + suffix).c_str(),
                                               BM_BuildStateSpace, std::cref(*d.model))
                      ->Unit(benchmark::kMicrosecond),
                  kEnumerateMinTime);
    with_min_time(benchmark::RegisterBenchmark(("BM_EnumerateTable" + suffix).c_str(),
                                               BM_EnumerateTable, std::cref(*d.model),
                                               std::cref(*d.space))
                      ->Unit(benchmark::kMicrosecond),
                  kEnumerateMinTime);
    with_min_time(benchmark::RegisterBenchmark(("BM_EnumerateNaive" + suffix).c_str(),
                                               BM_EnumerateNaive, std::cref(*d.model))
                      ->Unit(benchmark::kMicrosecond),
                  kEnumerateMinTime);
  }

  SummaryReporter reporter(console_options);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter, *catalog);
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace migsched::bench

int main(int argc, char** argv) { return migsched::bench::Main(argc, argv); }
