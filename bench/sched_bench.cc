// sched_bench: decision rate of the scheduler core at fleet scale, against a
// naive scan over all GPUs in the same process.
//
// The workload: 100,000 GPUs (half H100-80GB, half A100-80GB), kept near 70%
// of memory slices held (~220,000 live jobs) under kCreateOnly; each event
// releases a random running job and submits a new random request from an
// inference-heavy mix (a Submit = one placement decision). A request that
// waits is cancelled at once, so the occupancy stays steady. All calls use the
// allocation-free appending API with one reused decision vector.
//
//   BM_Decide/<policy>    one event per iteration (Release + Submit, single
//                         calls). items/s = events per CPU second, bench loop
//                         included; decisions = placed submits per CPU second;
//                         p50_ns/p99_ns: single Submit calls timed with a
//                         steady clock on 1 event in 64 (the clock's own ~20 ns
//                         included).
//   BM_Submit/<policy>    Submit only: per iteration, 256 single Release calls
//                         (not timed), then 256 single Submit calls timed
//                         together on the thread's CPU clock (UseManualTime).
//                         items/s = Submit calls per CPU second of Submit alone.
//                         Ids are consecutive, as the simulator and a daemon
//                         hand them out (Submit loads the next id's slot early).
//   BM_SubmitScattered/<policy>  the same with ids in no order (a bijection
//                         of the counter onto [2^63, 2^64)): no slot is
//                         loaded ahead, the worst case for single calls.
//   BM_Batched/<policy>   per iteration, one ReleaseBatch of 256 random jobs and
//                         one SubmitBatch of 256 requests, each timed on the
//                         thread's CPU clock (picking jobs, copying requests:
//                         not timed). items/s = events per CPU second of the two
//                         calls; submits_per_s = Submit decisions per CPU second
//                         of SubmitBatch alone.
//   BM_NaiveScan/<policy> the same events, deciding by scanning every GPU of
//                         the model and scoring its state with the same
//                         policy's ranking (so both make equally good choices),
//                         starting from the indexed run's fleet.
//
// The CPU clocks keep other processes on a shared machine out of the rates;
// cache misses caused by them stay in. The benchmarks of one policy share one
// scheduler, run in the order above. After the run a summary prints each rate,
// the speedup of BM_Decide over the scan, and the latency percentiles (medians
// under --benchmark_repetitions). --benchmark_min_time rules when given;
// otherwise each benchmark runs at least 1 s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fleet/fleet.h"
#include "geometry/catalog.h"
#include "geometry/state_space.h"
#include "io/catalog_loader.h"
#include "sched/policy.h"
#include "sched/scheduler.h"
#include "sched/state_facts.h"

namespace migsched::bench {
namespace {

using sched::Decision;
using sched::JobId;
using sched::Request;

constexpr int kGpus = 100000;
constexpr double kOccupancy = 0.70;
constexpr std::uint64_t kSeed = 20251126;
constexpr size_t kRequestPool = 1 << 14;
constexpr int kLatencySampleEvery = 64;
constexpr int kBatch = 256;  // BM_Submit: releases, then submits, per iteration
constexpr double kMinTime = 1.0;
const char* const kModels[] = {"H100-80GB", "A100-80GB"};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "sched_bench: %s\n", message.c_str());
  std::abort();
}

// Inference-heavy mix: mostly small instances, a few whole-GPU-sized ones.
struct MixItem {
  const char* profile;
  int weight;
};
constexpr MixItem kMix[] = {{"1g.10gb", 35}, {"1g.20gb", 10}, {"2g.20gb", 25},
                            {"3g.40gb", 15}, {"4g.40gb", 10}, {"7g.80gb", 5}};

std::vector<Request> MakeRequests(const geometry::Catalog& catalog) {
  std::mt19937_64 rng(kSeed);
  int total = 0;
  for (const MixItem& item : kMix) total += item.weight;
  std::vector<Request> requests;
  for (size_t i = 0; i < kRequestPool; ++i) {
    int pick = static_cast<int>(rng() % static_cast<std::uint64_t>(total));
    const MixItem* item = kMix;
    while (pick >= item->weight) pick -= (item++)->weight;
    const size_t first = rng() % 2;
    Request r{.id = 0, .priority = 0, .tenant = "", .kind = sched::JobKind::kInference,
              .whole_gpus = 0, .options = {}, .pinned = std::nullopt};
    for (size_t k = 0; k < (rng() % 2 == 0 ? 1u : 2u); ++k) {
      const geometry::GpuModel* model = catalog.Find(kModels[(first + k) % 2]).value();
      r.options.push_back(sched::ProfileOption{model, *model->FindProfile(item->profile)});
    }
    requests.push_back(std::move(r));
  }
  return requests;
}

fleet::Fleet MakeFleet(const geometry::Catalog& catalog) {
  fleet::Fleet fleet;
  fleet.gpus.reserve(kGpus);
  for (int i = 0; i < kGpus; ++i) {
    fleet::FleetGpu gpu;
    gpu.node = "node-" + std::to_string(i / 8);
    gpu.index = i % 8;
    gpu.model = catalog.Find(kModels[i % 2]).value();
    fleet.gpus.push_back(std::move(gpu));
  }
  return fleet;
}

// The live jobs of a workload, for picking a random one to release.
struct LiveJobs {
  std::vector<JobId> ids;
  void Remove(size_t at) {
    ids[at] = ids.back();
    ids.pop_back();
  }
};

// The scheduler under test, filled to kOccupancy, shared by all runs of a policy.
struct Indexed {
  std::unique_ptr<sched::Scheduler> scheduler;
  std::vector<Decision> decisions;  // reused by every call
  LiveJobs live;
  JobId next_id = 1;
  std::uint64_t scattered_count = 0;
  sched::Time now = 0;
  std::mt19937_64 rng{kSeed};
};

void Check(const Status& status) {
  if (!status.ok()) Die(status.ToString());
}

void Release(Indexed& s, JobId id) {
  s.decisions.clear();
  Check(s.scheduler->Release(id, s.now, s.decisions));
}

// A new id in no order: the counter times an odd constant is a bijection
// modulo 2^63, and the top bit keeps these apart from consecutive ids.
JobId ScatteredId(Indexed& s) {
  constexpr std::uint64_t kOdd = 0x9E3779B97F4A7C15ull;
  constexpr std::uint64_t kTop = std::uint64_t{1} << 63;
  return kTop | ((++s.scattered_count * kOdd) & (kTop - 1));
}

// Submits one request; returns true if it started. A waiting one is cancelled.
bool SubmitOne(Indexed& s, Request& request, bool scattered = false) {
  request.id = scattered ? ScatteredId(s) : s.next_id++;
  s.decisions.clear();
  Check(s.scheduler->Submit(request, s.now, s.decisions));
  if (std::holds_alternative<sched::Placed>(s.decisions.front())) {
    s.live.ids.push_back(request.id);
    return true;
  }
  Release(s, request.id);
  return false;
}

std::unique_ptr<Indexed> MakeIndexed(const geometry::Catalog& catalog, const std::string& policy,
                                     std::vector<Request>& requests) {
  auto s = std::make_unique<Indexed>();
  sched::Options options;
  options.policy = policy;
  options.reconfiguration = sched::Reconfiguration::kCreateOnly;
  Result<sched::Scheduler> made = sched::Scheduler::Create(catalog, MakeFleet(catalog), options);
  if (!made.has_value()) Die(made.error().ToString());
  s->scheduler = std::make_unique<sched::Scheduler>(std::move(made).value());
  const auto target = static_cast<std::int64_t>(kOccupancy * static_cast<double>(s->scheduler->Totals().memory_slices));
  for (size_t i = 0; s->scheduler->Totals().held_slices < target; ++i) {
    SubmitOne(*s, requests[i % requests.size()]);
  }
  return s;
}

void BM_Decide(benchmark::State& st, Indexed& s, std::vector<Request>& requests) {
  std::vector<std::int64_t> samples;
  samples.reserve(static_cast<size_t>(st.max_iterations) / kLatencySampleEvery + 1);
  size_t next = 0;
  std::int64_t placed = 0;
  for (auto _ : st) {
    ++s.now;
    const size_t at = s.rng() % s.live.ids.size();
    Release(s, s.live.ids[at]);
    s.live.Remove(at);
    Request& request = requests[next++ % requests.size()];
    if (next % kLatencySampleEvery == 0) {
      const auto begin = std::chrono::steady_clock::now();
      placed += SubmitOne(s, request) ? 1 : 0;
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - begin).count());
    } else {
      placed += SubmitOne(s, request) ? 1 : 0;
    }
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["decisions"] = benchmark::Counter(static_cast<double>(placed), benchmark::Counter::kIsRate);
  std::sort(samples.begin(), samples.end());
  const auto percentile = [&](double q) {
    return samples.empty() ? 0.0 : static_cast<double>(samples[static_cast<size_t>(q * static_cast<double>(samples.size() - 1))]);
  };
  st.counters["p50_ns"] = percentile(0.50);
  st.counters["p99_ns"] = percentile(0.99);
  st.counters["placed_pct"] = 100.0 * static_cast<double>(placed) / static_cast<double>(std::max<std::int64_t>(1, st.iterations()));
  const sched::FleetUsage& totals = s.scheduler->Totals();
  st.counters["occupancy_pct"] = 100.0 * static_cast<double>(totals.held_slices) / static_cast<double>(totals.memory_slices);
}

// This thread's CPU time in seconds: the Submit-only timing is not inflated by
// other processes on a shared machine (wall clock would be).
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Submit only: each iteration releases kBatch random running jobs (not timed),
// then submits kBatch requests, timed by the thread's CPU clock around the
// whole batch (UseManualTime), so items/s = Submit calls per CPU second of
// Submit calls alone.
void BM_Submit(benchmark::State& st, Indexed& s, std::vector<Request>& requests, bool scattered) {
  size_t next = 0;
  std::int64_t placed = 0;
  for (auto _ : st) {
    ++s.now;
    for (int i = 0; i < kBatch; ++i) {
      const size_t at = s.rng() % s.live.ids.size();
      Release(s, s.live.ids[at]);
      s.live.Remove(at);
    }
    const double begin = ThreadCpuSeconds();
    for (int i = 0; i < kBatch; ++i) {
      placed += SubmitOne(s, requests[next++ % requests.size()], scattered) ? 1 : 0;
    }
    st.SetIterationTime(ThreadCpuSeconds() - begin);
  }
  st.SetItemsProcessed(st.iterations() * kBatch);
  st.counters["placed_pct"] = 100.0 * static_cast<double>(placed) /
                              static_cast<double>(std::max<std::int64_t>(1, st.iterations() * kBatch));
}

// Batched: each iteration releases kBatch random running jobs with one
// ReleaseBatch call and submits kBatch requests with one SubmitBatch call,
// each timed by the thread's CPU clock (picking the jobs and copying the
// requests is not timed). items/s = events (release + submit) per CPU second
// of the two calls; submits/s = Submit decisions per CPU second of SubmitBatch.
void BM_Batched(benchmark::State& st, Indexed& s, std::vector<Request>& requests) {
  size_t next = 0;
  std::int64_t placed = 0;
  double submit_seconds = 0;
  std::vector<JobId> leaving(kBatch);
  std::vector<Request> arriving(kBatch);
  std::vector<JobId> cancelled;
  for (auto _ : st) {
    ++s.now;
    for (JobId& id : leaving) {
      const size_t at = s.rng() % s.live.ids.size();
      id = s.live.ids[at];
      s.live.Remove(at);
    }
    for (Request& r : arriving) {
      r = requests[next++ % requests.size()];
      r.id = s.next_id++;
    }
    s.decisions.clear();
    const double begin = ThreadCpuSeconds();
    Check(s.scheduler->ReleaseBatch(leaving, s.now, s.decisions));
    s.decisions.clear();
    const double released = ThreadCpuSeconds();
    Check(s.scheduler->SubmitBatch(arriving, s.now, s.decisions));
    const double end = ThreadCpuSeconds();
    st.SetIterationTime(end - begin);
    submit_seconds += end - released;
    cancelled.clear();
    for (const Decision& d : s.decisions) {
      if (std::holds_alternative<sched::Placed>(d)) {
        s.live.ids.push_back(sched::DecisionJob(d));
        ++placed;
      } else {
        cancelled.push_back(sched::DecisionJob(d));  // a Wait: cancelled, as in SubmitOne
      }
    }
    for (const JobId id : cancelled) Release(s, id);
  }
  const double submits = static_cast<double>(st.iterations()) * kBatch;
  st.SetItemsProcessed(st.iterations() * kBatch);
  st.counters["submits_per_s"] = submit_seconds > 0 ? submits / submit_seconds : 0;
  st.counters["placed_pct"] = 100.0 * static_cast<double>(placed) / std::max(1.0, submits);
}

// The baseline: GPU states in a plain array; a decision scores every GPU of
// the option's model by the rank of its state in the policy's ranking.
class NaiveScan {
 public:
  NaiveScan(const geometry::Catalog& catalog, const sched::PlacementPolicy& policy)
      : first_fit_(policy.choice() == sched::GpuChoice::kLowestIndex) {
    for (const char* name : kModels) {
      const geometry::GpuModel* model = catalog.Find(name).value();
      Model m{.model = model, .space = std::make_unique<geometry::StateSpace>(geometry::StateSpace::Build(*model).value()), .rank = {}, .start = {}};
      const std::vector<sched::StateFact> facts = sched::ComputeStateFacts(*model, *m.space, sched::UniformStandardMix(*model));
      const size_t profiles = model->profiles.size();
      m.rank.assign(m.space->size() * profiles, kNoRank);
      m.start.assign(m.space->size() * profiles, -1);
      for (size_t p = 0; p < profiles; ++p) {
        const std::vector<sched::RankedPlacement> ranked = policy.Rank(*model, *m.space, facts, static_cast<int>(p));
        for (size_t r = 0; r < ranked.size(); ++r) {
          m.rank[ranked[r].state * profiles + p] = static_cast<std::uint32_t>(r);
          m.start[ranked[r].state * profiles + p] = static_cast<std::int8_t>(ranked[r].start);
        }
      }
      models_.push_back(std::move(m));
    }
    for (int i = 0; i < kGpus; ++i) gpu_model_.push_back(static_cast<std::uint8_t>(i % 2));
    states_.assign(kGpus, geometry::StateSpace::kEmpty);
    memory_slices_ = 8LL * kGpus;
  }

  struct Held {
    int gpu = -1;
    int model = 0;
    int profile = 0;
    int start = 0;
  };

  std::optional<Held> Place(const Request& request) {
    for (const sched::ProfileOption& option : request.options) {
      const int m = option.model == models_[0].model ? 0 : 1;
      const Model& model = models_[static_cast<size_t>(m)];
      const size_t profiles = model.model->profiles.size();
      std::uint32_t best_rank = kNoRank;
      int best = -1;
      for (int g = 0; g < kGpus; ++g) {
        if (gpu_model_[static_cast<size_t>(g)] != m) continue;
        const std::uint32_t rank = model.rank[states_[static_cast<size_t>(g)] * profiles + static_cast<size_t>(option.profile)];
        if (rank < best_rank) {
          best_rank = rank;
          best = g;
          if (first_fit_) break;
        }
      }
      if (best < 0) continue;
      geometry::StateId& state = states_[static_cast<size_t>(best)];
      const int start = model.start[state * profiles + static_cast<size_t>(option.profile)];
      state = model.space->Place(state, option.profile, start);
      held_slices_ += model.model->profiles[static_cast<size_t>(option.profile)].memory_slices;
      return Held{.gpu = best, .model = m, .profile = option.profile, .start = start};
    }
    return std::nullopt;
  }

  void Release(const Held& held) {
    const Model& model = models_[static_cast<size_t>(held.model)];
    geometry::StateId& state = states_[static_cast<size_t>(held.gpu)];
    state = model.space->Remove(state, held.profile, held.start);
    held_slices_ -= model.model->profiles[static_cast<size_t>(held.profile)].memory_slices;
  }

  // Takes over an instance placed elsewhere.
  Held Adopt(int gpu, int profile, int start) {
    const int m = gpu_model_[static_cast<size_t>(gpu)];
    const Model& model = models_[static_cast<size_t>(m)];
    geometry::StateId& state = states_[static_cast<size_t>(gpu)];
    state = model.space->Place(state, profile, start);
    if (state == geometry::StateSpace::kNoState) Die("adopted instance does not fit");
    held_slices_ += model.model->profiles[static_cast<size_t>(profile)].memory_slices;
    return Held{.gpu = gpu, .model = m, .profile = profile, .start = start};
  }

  std::int64_t held_slices() const { return held_slices_; }
  std::int64_t memory_slices() const { return memory_slices_; }

 private:
  static constexpr std::uint32_t kNoRank = 0xFFFFFFFF;
  struct Model {
    const geometry::GpuModel* model;
    std::unique_ptr<geometry::StateSpace> space;
    std::vector<std::uint32_t> rank;  // [state][profile]: position in the ranking
    std::vector<std::int8_t> start;   // [state][profile]
  };
  bool first_fit_;
  std::vector<Model> models_;
  std::vector<std::uint8_t> gpu_model_;
  std::vector<geometry::StateId> states_;
  std::int64_t held_slices_ = 0;
  std::int64_t memory_slices_ = 0;
};

struct Naive {
  std::unique_ptr<NaiveScan> scan;
  std::vector<NaiveScan::Held> live;
  std::mt19937_64 rng{kSeed};
};

// Starts from the indexed scheduler's fleet (same policy, same fill), so both
// scan and index decide on the same kind of states; filling by scanning would
// take minutes.
std::unique_ptr<Naive> MakeNaive(const geometry::Catalog& catalog, const std::string& policy,
                                 const sched::Scheduler& filled) {
  auto n = std::make_unique<Naive>();
  n->scan = std::make_unique<NaiveScan>(catalog, *sched::MakePolicy(policy).value());
  const fleet::Fleet snapshot = filled.Snapshot();
  for (size_t g = 0; g < snapshot.gpus.size(); ++g) {
    for (const fleet::FleetInstance& instance : snapshot.gpus[g].instances) {
      if (!instance.busy) continue;
      n->live.push_back(n->scan->Adopt(static_cast<int>(g), instance.instance.profile,
                                       instance.instance.placement.start));
    }
  }
  return n;
}

void BM_NaiveScan(benchmark::State& st, Naive& n, const std::vector<Request>& requests) {
  size_t next = 0;
  std::int64_t placed = 0;
  for (auto _ : st) {
    const size_t at = n.rng() % n.live.size();
    n.scan->Release(n.live[at]);
    n.live[at] = n.live.back();
    n.live.pop_back();
    if (auto held = n.scan->Place(requests[next++ % requests.size()])) {
      n.live.push_back(*held);
      ++placed;
    }
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["decisions"] = benchmark::Counter(static_cast<double>(placed), benchmark::Counter::kIsRate);
  st.counters["occupancy_pct"] = 100.0 * static_cast<double>(n.scan->held_slices()) /
                                 static_cast<double>(n.scan->memory_slices());
}

// Keeps items per CPU second and the latency counters of every run.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;
  struct Numbers {
    double per_second = 0;
    double submits_per_second = 0;
    double p50_ns = 0;
    double p99_ns = 0;
  };
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      // Under --benchmark_repetitions the median wins over single runs.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.error_occurred || (run.run_type != Run::RT_Iteration && !median)) continue;
      if (!median && medians_.contains(run.run_name.function_name)) continue;
      if (median) medians_.insert(run.run_name.function_name);
      Numbers& n = numbers_[run.run_name.function_name];
      const auto get = [&](const char* key) {
        const auto it = run.counters.find(key);
        return it == run.counters.end() ? 0.0 : static_cast<double>(it->second);
      };
      n.per_second = get("items_per_second");
      n.submits_per_second = get("submits_per_s");
      n.p50_ns = get("p50_ns");
      n.p99_ns = get("p99_ns");
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
  std::optional<Numbers> Find(const std::string& name) const {
    const auto it = numbers_.find(name);
    if (it == numbers_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, Numbers> numbers_;
  std::set<std::string> medians_;
};

int Main(int argc, char** argv) {
  bool min_time_given = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).starts_with("--benchmark_min_time")) min_time_given = true;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Result<geometry::Catalog> catalog = io::BuiltinCatalog();
  if (!catalog.has_value()) Die(catalog.error().ToString());
  std::vector<Request> requests = MakeRequests(*catalog);

  const std::vector<std::string> policies = {"first-fit", "best-fit", "frag-aware"};
  std::map<std::string, std::unique_ptr<Indexed>> indexed;
  std::map<std::string, std::unique_ptr<Naive>> naive;
  // Registers one benchmark of a policy on its shared, filled scheduler.
  const auto add = [&](const std::string& name, const std::string& policy, bool manual_time,
                       auto run) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(
        (name + "/" + policy).c_str(), [&, policy, run](benchmark::State& st) {
          if (!indexed[policy]) indexed[policy] = MakeIndexed(*catalog, policy, requests);
          run(st, policy);
        });
    if (manual_time) b->UseManualTime();
    if (!min_time_given) b->MinTime(kMinTime);
  };
  for (const std::string& policy : policies) {
    add("BM_Decide", policy, false, [&](benchmark::State& st, const std::string& p) {
      BM_Decide(st, *indexed[p], requests);
    });
    add("BM_Submit", policy, true, [&](benchmark::State& st, const std::string& p) {
      BM_Submit(st, *indexed[p], requests, /*scattered=*/false);
    });
    add("BM_SubmitScattered", policy, true, [&](benchmark::State& st, const std::string& p) {
      BM_Submit(st, *indexed[p], requests, /*scattered=*/true);
    });
    add("BM_Batched", policy, true, [&](benchmark::State& st, const std::string& p) {
      BM_Batched(st, *indexed[p], requests);
    });
    add("BM_NaiveScan", policy, false, [&](benchmark::State& st, const std::string& p) {
      if (!naive[p]) naive[p] = MakeNaive(*catalog, p, *indexed[p]->scheduler);
      BM_NaiveScan(st, *naive[p], requests);
    });
  }

  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nSummary (%d GPUs, ~%.0f%% of memory slices held; per CPU second; an event is one\n"
              "release + one submit; submit/s counts Submit calls alone (consecutive ids, and\n"
              "scattered ids); p50/p99 of single Submits):\n",
              kGpus, kOccupancy * 100);
  std::printf("%-11s %10s %10s %10s %11s %11s %10s %8s %7s %7s\n", "policy", "events/s", "submit/s",
              "scattered", "batch ev/s", "batch sub/s", "naive ev/s", "speedup", "p50 ns", "p99 ns");
  for (const std::string& policy : policies) {
    const auto fast = reporter.Find("BM_Decide/" + policy);
    const auto submit = reporter.Find("BM_Submit/" + policy);
    const auto scattered = reporter.Find("BM_SubmitScattered/" + policy);
    const auto batched = reporter.Find("BM_Batched/" + policy);
    const auto slow = reporter.Find("BM_NaiveScan/" + policy);
    if (!fast && !submit && !scattered && !batched && !slow) continue;
    const double speedup = fast && slow && slow->per_second > 0 ? fast->per_second / slow->per_second : 0;
    std::printf("%-11s %10.0f %10.0f %10.0f %11.0f %11.0f %10.0f %7.0fx %7.0f %7.0f\n", policy.c_str(),
                fast ? fast->per_second : 0, submit ? submit->per_second : 0,
                scattered ? scattered->per_second : 0, batched ? batched->per_second : 0,
                batched ? batched->submits_per_second : 0, slow ? slow->per_second : 0, speedup,
                fast ? fast->p50_ns : 0, fast ? fast->p99_ns : 0);
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace migsched::bench

int main(int argc, char** argv) { return migsched::bench::Main(argc, argv); }
