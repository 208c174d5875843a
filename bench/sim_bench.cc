// sim_bench: the full Alibaba GPU v2023 default trace (8,152 pods, 7,064 of
// them GPU jobs, on the trace's 6,212 GPUs as H100-80GB) replayed through
// every policy, timed against the whole-GPU baseline's replay in the same
// process.
//
//   BM_Replay/<policy>  one replay: build the policy's scheduler, run every
//                       arrival and departure (real times), collect metrics
//   BM_Fill/<policy>    one fill-mode run (FGD experiment) to past capacity
//   BM_Overloaded/<policy>/<jobs>
//                       a synthetic trace (5 arrivals/s, 600 s mean run time)
//                       on 100 H100-80GB, far more work than the fleet runs at
//                       once: the queue grows to most of the jobs. Run at 10k
//                       and 40k jobs; the summary prints the growth ratio, ~4x
//                       when an event costs O(log queue), 16x when it costs
//                       O(queue) (issue 16: 10k 1.3 s, 40k 16 s before).
//
// After the run a summary prints CPU ms per run and the ratio to whole-gpu
// (median over repetitions when --benchmark_repetitions is given). The trace is
// looked for as shared/data/alibaba_gpu_v2023/openb_pod_list_default.csv in
// the working directory's parents, or at $MIGSCHED_ALIBABA_TRACE; when it is
// absent the program says so and times only the overloaded runs.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "io/catalog_loader.h"
#include "sim/fleet_spec.h"
#include "sim/policies.h"
#include "sim/simulation.h"
#include "sim/static_plan.h"
#include "trace/alibaba2023.h"
#include "trace/synthetic.h"

namespace migsched::bench {
namespace {

constexpr char kTraceSuffix[] = "shared/data/alibaba_gpu_v2023/openb_pod_list_default.csv";
constexpr int64_t kOverloadedSmall = 10'000;
constexpr int64_t kOverloadedLarge = 40'000;
const char* const kOverloadedPolicies[] = {"whole-gpu", "first-fit", "frag-aware", "static-all-1g"};

std::optional<std::string> FindTrace() {
  if (const char* path = std::getenv("MIGSCHED_ALIBABA_TRACE")) return std::string(path);
  std::filesystem::path dir = std::filesystem::current_path();
  for (int up = 0; up < 6; ++up, dir = dir.parent_path()) {
    const std::filesystem::path candidate = dir / ".." / kTraceSuffix;
    if (std::filesystem::exists(candidate)) return candidate.lexically_normal().string();
    if (std::filesystem::exists(dir / kTraceSuffix)) return (dir / kTraceSuffix).string();
  }
  return std::nullopt;
}

struct Workload {
  geometry::Catalog catalog;
  fleet::Fleet fleet;
  std::vector<sim::SimJob> jobs;
  sim::PolicySetup setup;
};

void Run(benchmark::State& state, const Workload& workload, const std::string& policy, sim::Mode mode) {
  int64_t placed = 0;
  for (auto _ : state) {
    std::unique_ptr<sim::Backend> backend =
        sim::MakeBackend(policy, workload.catalog, workload.fleet, workload.setup).value();
    Result<sim::PolicyRun> run = mode == sim::Mode::kReplay
                                     ? sim::RunReplay(workload.jobs, workload.fleet, *backend, {})
                                     : sim::RunFill(workload.jobs, workload.fleet, *backend, {});
    if (!run.has_value()) {
      state.SkipWithError(run.error().ToString().c_str());
      return;
    }
    placed = run->result.placed;
    benchmark::DoNotOptimize(placed);
  }
  state.counters["placed"] = static_cast<double>(placed);
  state.counters["jobs"] = static_cast<double>(workload.jobs.size());
}

// Keeps CPU seconds per run (median under repetitions) for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type == Run::RT_Iteration && medians_.contains(run.run_name.function_name)) continue;
      if (run.run_type == Run::RT_Iteration || median) {
        seconds_[run.run_name.function_name] =
            run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
        if (median) medians_[run.run_name.function_name] = true;
      }
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
  std::optional<double> Seconds(const std::string& name) const {
    auto it = seconds_.find(name);
    return it == seconds_.end() ? std::nullopt : std::optional<double>(it->second);
  }

 private:
  std::map<std::string, double> seconds_;
  std::map<std::string, bool> medians_;
};

std::string OverloadedName(const std::string& policy, int64_t jobs) {
  return "BM_Overloaded/" + policy + "/" + std::to_string(jobs);
}

void PrintOverloadedSummary(const SummaryReporter& reporter) {
  std::printf("\nOverloaded replay: CPU ms per run, and growth from %lld to %lld jobs (4x jobs)\n",
              static_cast<long long>(kOverloadedSmall), static_cast<long long>(kOverloadedLarge));
  std::printf("%-22s %12s %12s %8s\n", "policy", "small ms", "large ms", "growth");
  for (const std::string policy : kOverloadedPolicies) {
    const std::optional<double> small = reporter.Seconds(OverloadedName(policy, kOverloadedSmall));
    const std::optional<double> large = reporter.Seconds(OverloadedName(policy, kOverloadedLarge));
    if (!small || !large || *small <= 0) continue;
    std::printf("%-22s %12.1f %12.1f %7.2fx\n", policy.c_str(), *small * 1e3, *large * 1e3, *large / *small);
  }
}

// Fills `workload` (its catalog already set: the fleet points into it)
// with the synthetic overloaded trace of `jobs` jobs.
Status FillOverloaded(Workload& workload, int64_t jobs) {
  MIGSCHED_ASSIGN_OR_RETURN(workload.fleet, sim::ParseFleetSpec("H100-80GB:100", workload.catalog));
  Result<trace::Trace> trace =
      trace::GenerateSynthetic({.jobs = jobs, .rate_per_s = 5, .mean_duration_s = 600, .seed = 1});
  if (!trace.has_value()) return trace.error();
  workload.jobs = sim::PrepareJobs(*trace, workload.fleet);
  workload.setup.expected_mix = sim::ExpectedMix(workload.jobs, sim::FleetModels(workload.fleet), sim::MixScope::kMigOnly);
  // static-plan's layout, planned once outside the timing (replay's basis, used by both modes here).
  static const fleet::Fleet static_plan =
      sim::PlanStaticFleet(workload.jobs, workload.catalog, workload.fleet, {}).value().fleet;
  workload.setup.static_plan = &static_plan;
  return Status::Ok();
}

void PrintSummary(const SummaryReporter& reporter) {
  std::printf("\nSummary: CPU ms per run and ratio to the whole-gpu baseline (same process)\n");
  std::printf("%-22s %12s %8s %12s %8s\n", "policy", "replay ms", "ratio", "fill ms", "ratio");
  for (const std::string& policy : sim::SimPolicyNames()) {
    const auto cell = [&](const char* family, char* ms, char* ratio) {
      const std::optional<double> t = reporter.Seconds(std::string(family) + "/" + policy);
      const std::optional<double> base = reporter.Seconds(std::string(family) + "/whole-gpu");
      std::snprintf(ms, 32, "%s", "-");
      std::snprintf(ratio, 32, "%s", "-");
      if (t) std::snprintf(ms, 32, "%.1f", *t * 1e3);
      if (t && base && *base > 0) std::snprintf(ratio, 32, "%.2fx", *t / *base);
    };
    char replay_ms[32], replay_ratio[32], fill_ms[32], fill_ratio[32];
    cell("BM_Replay", replay_ms, replay_ratio);
    cell("BM_Fill", fill_ms, fill_ratio);
    std::printf("%-22s %12s %8s %12s %8s\n", policy.c_str(), replay_ms, replay_ratio, fill_ms, fill_ratio);
  }
}

int Main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Result<geometry::Catalog> builtin = io::BuiltinCatalog();
  if (!builtin.has_value()) {
    std::fprintf(stderr, "sim_bench: %s\n", builtin.error().ToString().c_str());
    return 1;
  }
  static std::map<int64_t, Workload> overloaded;
  for (const int64_t jobs : {kOverloadedSmall, kOverloadedLarge}) {
    Workload& w = overloaded.emplace(jobs, Workload{*builtin, {}, {}, {}}).first->second;
    if (const Status filled = FillOverloaded(w, jobs); !filled.ok()) {
      std::fprintf(stderr, "sim_bench: %s\n", filled.ToString().c_str());
      return 1;
    }
    for (const std::string policy : kOverloadedPolicies) {
      benchmark::RegisterBenchmark(OverloadedName(policy, jobs).c_str(),
                                   [policy, &w](benchmark::State& s) { Run(s, w, policy, sim::Mode::kReplay); })
          ->Unit(benchmark::kMillisecond);
    }
  }
  // Colour only on a terminal.
  SummaryReporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Defaults
                                                      : benchmark::ConsoleReporter::OO_None);
  const std::optional<std::string> trace_path = FindTrace();
  if (!trace_path) {
    std::printf("sim_bench: the trace replays are skipped: %s not found above the working directory (set MIGSCHED_ALIBABA_TRACE)\n",
                kTraceSuffix);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    PrintOverloadedSummary(reporter);
    benchmark::Shutdown();
    return 0;
  }
  Result<trace::Trace> trace = trace::LoadAlibabaPods(*trace_path);
  Result<trace::NodeList> nodes = trace::LoadAlibabaNodes(trace::NodeListBeside(*trace_path));
  Result<geometry::Catalog> catalog = io::BuiltinCatalog();
  if (!trace.has_value() || !nodes.has_value() || !catalog.has_value()) {
    std::fprintf(stderr, "sim_bench: cannot load the trace or the catalog\n");
    return 1;
  }
  static Workload workload{*catalog, {}, {}, {}};
  workload.fleet = sim::FleetFromNodes(*nodes, *workload.catalog.Find("H100-80GB").value());
  workload.jobs = sim::PrepareJobs(*trace, workload.fleet);
  workload.setup.expected_mix = sim::ExpectedMix(workload.jobs, sim::FleetModels(workload.fleet), sim::MixScope::kMigOnly);
  // static-plan's layout, planned once outside the timing (replay's basis, used by both modes here).
  static const fleet::Fleet static_plan =
      sim::PlanStaticFleet(workload.jobs, workload.catalog, workload.fleet, {}).value().fleet;
  workload.setup.static_plan = &static_plan;
  std::printf("sim_bench: %s: %zu GPU jobs on %zu GPUs\n", trace_path->c_str(), workload.jobs.size(),
              workload.fleet.gpus.size());
  for (const std::string& policy : sim::SimPolicyNames()) {
    benchmark::RegisterBenchmark(("BM_Replay/" + policy).c_str(),
                                 [policy](benchmark::State& s) { Run(s, workload, policy, sim::Mode::kReplay); })
        ->Unit(benchmark::kMillisecond);
  }
  for (const std::string& policy : sim::SimPolicyNames()) {
    benchmark::RegisterBenchmark(("BM_Fill/" + policy).c_str(),
                                 [policy](benchmark::State& s) { Run(s, workload, policy, sim::Mode::kFill); })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  PrintOverloadedSummary(reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace migsched::bench

int main(int argc, char** argv) { return migsched::bench::Main(argc, argv); }
