// store_bench: the durable store of `migsched serve` on this machine's disk:
// how many job rows per second Commit makes durable as the batch grows (group
// commit), and how long a restart with a million jobs takes to load.
//
//   BM_Commit/rows:<n>/sync:<full|normal>  one Commit of n new job rows (one
//                         transaction) per iteration, into a store that
//                         starts empty. Wall time: waiting for fsync is the
//                         cost. rows/s = n / seconds per Commit.
//   BM_Restart/jobs:1000000  Store::Open + Load of a store holding 1,000,000
//                         jobs (70% finished, 20% running, 10% queued; made
//                         before, not timed), in a child process with a fresh
//                         heap and the OS page cache warm, as after a restart
//                         of the process. Wall time of the two calls;
//                         child_cpu_s: their CPU time (user + system), which
//                         other processes on a shared machine do not inflate.
//
// After the run a summary prints rows/s per batch size and synchronous mode,
// the ratio to one row per transaction in the same mode, and the restart
// time. --store_dir=DIR chooses where the stores go (default: the system
// temp directory); on a tmpfs fsync costs nothing and FULL means nothing.
// --benchmark_min_time rules when given; otherwise each Commit benchmark
// runs at least 1 s.
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/store.h"

namespace migsched::bench {
namespace {

using daemon::JobRow;
using daemon::Store;
using daemon::StoreBatch;
using daemon::StoreOptions;

constexpr int kBatchSizes[] = {1, 64, 512};
constexpr std::int64_t kRestartJobs = 1'000'000;
constexpr double kCommitMinTime = 1.0;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "store_bench: %s\n", message.c_str());
  std::exit(1);
}

// A job row as serve writes it for a new request: ~170 bytes of spec.
JobRow NewJob(std::uint64_t id) {
  const std::string tenant = "tenant-" + std::to_string(id % 50);
  const std::string name = "job-" + std::to_string(id);
  return JobRow{
      .id = id,
      .tenant = tenant,
      .name = name,
      .spec_json = R"({"tenant":")" + tenant + R"(","name":")" + name +
                   R"(","profile":"1g.10gb","replicas":1,"priority":0,)"
                   R"("image":"registry.example.com/team/infer:2024.05","command":["serve"]})",
      .state = "queued",
      .placement_json = "[]",
      .queue_seq = static_cast<std::int64_t>(id),
      .waiting_since = 1'700'000'000'000 + static_cast<std::int64_t>(id),
      .ready_at = 0,
      .updated_at = 1'700'000'000'000 + static_cast<std::int64_t>(id),
      .reason = "",
      .mig_uuid = ""};
}

// The same job later in its life: most finished, some running, some queued.
JobRow AgedJob(std::uint64_t id) {
  JobRow job = NewJob(id);
  switch (id % 10) {
    case 0:
      break;  // queued
    case 1:
    case 2:
      job.state = "running";
      job.placement_json = R"([{"gpu":)" + std::to_string(id % 4096) +
                           R"(,"profile":"1g.10gb","start":)" + std::to_string(id % 7) + "}]";
      job.mig_uuid = "MIG-" + std::to_string(id) + "-0000-0000-0000-000000000000";
      break;
    default:
      job.state = "finished";
      job.reason = "exit 0";
      break;
  }
  return job;
}

std::unique_ptr<Store> OpenFresh(const std::string& dir, const StoreOptions& options) {
  std::filesystem::remove_all(dir);
  Result<std::unique_ptr<Store>> store = Store::Open(dir, options);
  if (!store.has_value()) Die(store.error().ToString());
  return std::move(store).value();
}

void BM_Commit(benchmark::State& state, std::string dir, int rows, bool synchronous_full) {
  std::unique_ptr<Store> store =
      OpenFresh(dir, StoreOptions{.synchronous_full = synchronous_full, .keep_events = 100000});
  StoreBatch batch;
  std::uint64_t next_id = 1;
  for (auto _ : state) {
    batch.jobs.clear();
    for (int i = 0; i < rows; ++i) batch.jobs.push_back(NewJob(next_id++));
    const Status committed = store->Commit(batch);
    if (!committed.ok()) {
      state.SkipWithError(committed.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
  store.reset();
  std::filesystem::remove_all(dir);
}

// Fills `dir` with kRestartJobs aged jobs, 10,000 per Commit, in a child
// process: so that the heap the restart children inherit holds no freed
// rows (reusing them would cost copy-on-write faults no real restart pays).
void MakeRestartStore(const std::string& dir) {
  const pid_t child = ::fork();
  if (child < 0) Die("fork failed");
  if (child > 0) {
    int wait_status = 0;
    ::waitpid(child, &wait_status, 0);
    if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) Die("making the store failed");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Store> store =
      OpenFresh(dir, StoreOptions{.synchronous_full = false, .keep_events = 100000});
  StoreBatch batch;
  for (std::int64_t id = 1; id <= kRestartJobs; ++id) {
    batch.jobs.push_back(AgedJob(static_cast<std::uint64_t>(id)));
    if (batch.jobs.size() == 10'000 || id == kRestartJobs) {
      const Status committed = store->Commit(batch);
      if (!committed.ok()) Die(committed.ToString());
      batch.jobs.clear();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("made the restart store: %lld jobs in %.1f s (%.0f rows/s), %.0f MB\n",
              static_cast<long long>(kRestartJobs), seconds,
              static_cast<double>(kRestartJobs) / seconds,
              static_cast<double>(std::filesystem::file_size(store->path())) / 1e6);
  std::fflush(stdout);
  ::_exit(0);
}

struct RestartTime {
  double wall_seconds = 0;
  double cpu_seconds = 0;  // the child's own, user + system
};

// Open + Load in a child process, as a restarted server does them: into a
// fresh heap (a million rows fault in ~0.5 GB). The child times the two calls.
Result<RestartTime> TimeRestartInChild(const std::string& dir) {
  int fds[2];
  if (::pipe(fds) != 0) return UnavailableError("pipe failed");
  const pid_t child = ::fork();
  if (child < 0) return UnavailableError("fork failed");
  if (child == 0) {
    ::close(fds[0]);
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    Result<std::unique_ptr<Store>> store = Store::Open(dir, StoreOptions{});
    Result<daemon::StoreContents> contents =
        store.has_value() ? (*store)->Load() : Result<daemon::StoreContents>(store.error());
    RestartTime time{
        .wall_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
        .cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC};
    if (!contents.has_value()) {
      std::fprintf(stderr, "store_bench: %s\n", contents.error().ToString().c_str());
      time.wall_seconds = -1;
    } else if (contents->jobs.size() != static_cast<std::size_t>(kRestartJobs)) {
      std::fprintf(stderr, "store_bench: loaded %zu jobs\n", contents->jobs.size());
      time.wall_seconds = -1;
    }
    const bool sent = ::write(fds[1], &time, sizeof time) == sizeof time;
    ::_exit(sent ? 0 : 1);
  }
  ::close(fds[1]);
  RestartTime time{.wall_seconds = -1, .cpu_seconds = 0};
  const bool received = ::read(fds[0], &time, sizeof time) == sizeof time;
  ::close(fds[0]);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  if (!received || time.wall_seconds < 0) return InternalError("the restart child failed");
  return time;
}

void BM_Restart(benchmark::State& state, const std::string& dir) {
  double cpu_seconds = 0;
  for (auto _ : state) {
    const Result<RestartTime> time = TimeRestartInChild(dir);
    if (!time.has_value()) {
      state.SkipWithError(time.error().ToString().c_str());
      break;
    }
    state.SetIterationTime(time->wall_seconds);
    cpu_seconds += time->cpu_seconds;
  }
  state.SetItemsProcessed(state.iterations() * kRestartJobs);
  state.counters["child_cpu_s"] =
      benchmark::Counter(cpu_seconds, benchmark::Counter::kAvgIterations);
}

// Prints as ConsoleReporter does and keeps each benchmark's wall seconds per
// iteration (the median aggregate under repetitions).
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string name = run.run_name.function_name;
      if (run.run_type == Run::RT_Iteration) {
        if (medians_.count(name) == 0) seconds_[name] = SecondsPerIteration(run);
      } else if (run.aggregate_name == "median") {
        seconds_[name] = SecondsPerIteration(run);
        medians_[name] = true;
      }
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }

  std::optional<double> Seconds(const std::string& name) const {
    auto it = seconds_.find(name);
    if (it == seconds_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static double SecondsPerIteration(const Run& run) {
    return run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
  }

  std::map<std::string, double> seconds_;
  std::map<std::string, bool> medians_;
};

std::string CommitName(int rows, bool synchronous_full) {
  return "BM_Commit/rows:" + std::to_string(rows) +
         (synchronous_full ? "/sync:full" : "/sync:normal");
}

void PrintSummary(const SummaryReporter& reporter) {
  std::printf("\nSummary: wall time; ratio = rows/s / rows/s at 1 row per transaction\n");
  std::printf("%-8s %12s %14s %10s\n", "sync", "rows/commit", "rows/s", "ratio");
  for (const bool full : {true, false}) {
    const std::optional<double> baseline = reporter.Seconds(CommitName(1, full));
    for (const int rows : kBatchSizes) {
      const std::optional<double> seconds = reporter.Seconds(CommitName(rows, full));
      if (!seconds) continue;
      const double rate = rows / *seconds;
      char ratio[32] = "-";
      if (baseline) std::snprintf(ratio, sizeof ratio, "%.1fx", rate * *baseline);
      std::printf("%-8s %12d %14.0f %10s\n", full ? "FULL" : "NORMAL", rows, rate, ratio);
    }
  }
  if (const std::optional<double> restart =
          reporter.Seconds("BM_Restart/jobs:" + std::to_string(kRestartJobs))) {
    std::printf("restart (Open + Load) with %lld jobs: %.2f s\n",
                static_cast<long long>(kRestartJobs), *restart);
  }
}

// Removes "--store_dir=DIR" from argv and returns DIR, if given.
std::optional<std::string> TakeStoreDir(int& argc, char** argv) {
  constexpr std::string_view kFlag = "--store_dir=";
  std::optional<std::string> out;
  int kept = 0;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i > 0 && arg.starts_with(kFlag)) {
      out = std::string(arg.substr(kFlag.size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return out;
}

bool HasFlag(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).starts_with(flag)) return true;
  }
  return false;
}

int Main(int argc, char** argv) {
  const std::optional<std::string> store_dir = TakeStoreDir(argc, argv);
  const bool min_time_given = HasFlag(argc, argv, "--benchmark_min_time");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::filesystem::path root =
      std::filesystem::path(store_dir.value_or(std::filesystem::temp_directory_path().string())) /
      ("migsched-store-bench-" + std::to_string(::getpid()));
  for (const bool full : {true, false}) {
    for (const int rows : kBatchSizes) {
      const std::string name = CommitName(rows, full);
      benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(
          name.c_str(), BM_Commit, (root / ("commit-" + std::to_string(rows))).string(), rows,
          full);
      b->UseRealTime()->Unit(benchmark::kMicrosecond);
      if (!min_time_given) b->MinTime(kCommitMinTime);
    }
  }
  const std::string restart_dir = (root / "restart").string();
  bool restart_made = false;
  const std::string restart_name = "BM_Restart/jobs:" + std::to_string(kRestartJobs);
  // Made only when the filter selects BM_Restart.
  benchmark::RegisterBenchmark(restart_name.c_str(), [&](benchmark::State& state) {
    if (!restart_made) {
      MakeRestartStore(restart_dir);
      restart_made = true;
    }
    BM_Restart(state, restart_dir);
  })->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(3);

  // Colour only on a terminal, as the library's own reporter would choose.
  SummaryReporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_Color
                                                      : benchmark::ConsoleReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  PrintSummary(reporter);
  benchmark::Shutdown();
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace migsched::bench

int main(int argc, char** argv) { return migsched::bench::Main(argc, argv); }
