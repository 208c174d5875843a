// Property tests: random arrivals, departures and clock advances (seeded
// std::mt19937_64) through every policy and reconfiguration mode; after every
// event the invariants of DESIGN.md are checked against a mirror that the test
// builds from the decisions alone:
//   - every MIG GPU's layout is valid (geometry::CheckLayout);
//   - no busy instance is destroyed or moved; repartitions destroy idle ones;
//   - every job is placed at most once, and is exactly one of queued,
//     repartitioning, running, infeasible or released (none lost/duplicated);
//   - what jobs hold adds up, per GPU and in total (releases free exactly it);
// at the end, releasing everything drains the queue (liveness), and the same
// seed gives the same decision sequence.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "geometry/layout.h"
#include "geometry/presets.h"
#include "sched/scheduler.h"
#include "sched/tests/sched_fixture.h"

namespace migsched::sched {
namespace {

using geometry::Preset;
using geometry::PresetLayout;
using namespace ::migsched::sched::testing;

struct Config {
  std::string name;
  Reconfiguration reconfiguration;
  ReleaseMode release;
  Time delay;
  bool presets;
  bool live;  // releasing everything must drain the queue
};

const Config kConfigs[] = {
    {"create-destroy", Reconfiguration::kCreateOnly, ReleaseMode::kDestroy, 0, false, true},
    {"create-keepidle", Reconfiguration::kCreateOnly, ReleaseMode::kKeepIdle, 0, false, true},
    {"repartition-keepidle", Reconfiguration::kRepartition, ReleaseMode::kKeepIdle, 15, false, true},
    {"repartition-presets", Reconfiguration::kRepartition, ReleaseMode::kDestroy, 0, true, true},
    {"static-presets", Reconfiguration::kNone, ReleaseMode::kDestroy, 0, true, true},
};

enum class Mirror { kQueued, kRepartitioning, kRunning, kInfeasible, kReleased };

struct MirrorJob {
  Mirror state = Mirror::kQueued;
  int placed = 0;  // Placed decisions seen
  std::vector<Placement> where;
  Time ready_at = 0;  // while repartitioning
};

std::string Describe(const Decision& d) {
  std::ostringstream out;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        out << v.job;
        if constexpr (std::is_same_v<T, Placed>) {
          out << " placed";
          for (const Placement& p : v.where) out << " " << p.gpu << ":" << p.profile << "@" << p.start;
        } else if constexpr (std::is_same_v<T, NeedsRepartition>) {
          out << " repartition gpu " << v.gpu << " ops " << v.ops.size() << " ready " << v.ready_at;
        } else if constexpr (std::is_same_v<T, Wait>) {
          out << " wait " << v.reason;
        } else {
          out << " infeasible " << v.reason;
        }
      },
      d);
  return out.str();
}

class Scenario {
 public:
  Scenario(const std::string& policy, const Config& config, std::uint64_t seed)
      : config_(config), rng_(seed), h100_(Gpu("H100-80GB")), a100_(Gpu("A100-80GB")) {
    fleet::Fleet fleet = FleetOf("H100-80GB", 6);
    fleet::Fleet a100s = FleetOf("A100-80GB", 6);
    if (config.presets) {
      fleet = WithLayout(std::move(fleet), PresetLayout(h100_, Preset::kAllBalanced));
      a100s = WithLayout(std::move(a100s), PresetLayout(a100_, Preset::kAll1g));
    }
    for (fleet::FleetGpu& gpu : a100s.gpus) fleet.gpus.push_back(std::move(gpu));
    Options options;
    options.policy = policy;
    options.reconfiguration = config.reconfiguration;
    options.release = config.release;
    options.reconfiguration_delay_ms = config.delay;
    options.backfill_hold_after_ms = seed % 2 == 0 ? 200 : 0;
    options.quotas = {TenantQuota{.tenant = "a", .max_memory_slices = 24, .max_whole_gpus = 0},
                      TenantQuota{.tenant = "b", .max_memory_slices = 0, .max_whole_gpus = 2}};
    options.expected_mix = {MixEntry{.option = {&h100_, Profile(h100_, "1g.10gb")}, .weight = 3},
                            MixEntry{.option = {&h100_, Profile(h100_, "3g.40gb")}, .weight = 1}};
    scheduler_.emplace(Make(std::move(fleet), std::move(options)));
    previous_ = scheduler_->Snapshot();
  }

  // Runs `events` random events, then releases everything; returns the log.
  std::string Go(int events) {
    for (int e = 0; e < events && !::testing::Test::HasFatalFailure(); ++e) Step();
    Drain();
    return log_.str();
  }

 private:
  std::uint64_t Below(std::uint64_t n) { return rng_() % n; }

  Request RandomRequest() { return ::migsched::sched::testing::RandomRequest(rng_, next_id_++, h100_, a100_, 10); }

  void Step() {
    now_ += static_cast<Time>(Below(20));
    const std::uint64_t dice = Below(100);
    const std::vector<JobId> live = Live();
    if (dice < 50 || live.empty()) {
      const Request r = RandomRequest();
      const std::vector<Decision> d = Ok(scheduler_->Submit(r, now_));
      ASSERT_FALSE(d.empty());
      ASSERT_EQ(DecisionJob(d[0]), r.id) << "Submit answers for its own job first";
      jobs_[r.id] = MirrorJob{};
      Apply(d, /*submitted=*/r.id);
    } else if (dice < 85) {
      const JobId id = live[Below(live.size())];
      released_ = id;
      Apply(Ok(scheduler_->Release(id, now_)), kNoJob);
      jobs_[id].state = Mirror::kReleased;
      jobs_[id].where.clear();
    } else {
      now_ += static_cast<Time>(Below(30));
      Apply(Ok(scheduler_->Advance(now_)), kNoJob);
    }
    Check();
    released_ = kNoJob;
  }

  std::vector<JobId> Live() const {
    std::vector<JobId> ids;
    for (const auto& [id, job] : jobs_) {
      if (job.state != Mirror::kInfeasible && job.state != Mirror::kReleased) ids.push_back(id);
    }
    return ids;
  }

  void Apply(const std::vector<Decision>& decisions, JobId submitted) {
    for (const Decision& d : decisions) {
      log_ << now_ << " " << Describe(d) << "\n";
      const JobId id = DecisionJob(d);
      ASSERT_TRUE(jobs_.contains(id)) << "decision for unknown job " << id;
      MirrorJob& job = jobs_[id];
      if (const auto* placed = std::get_if<Placed>(&d)) {
        ASSERT_TRUE(job.state == Mirror::kQueued || job.state == Mirror::kRepartitioning)
            << "job " << id << " placed from state " << static_cast<int>(job.state);
        ASSERT_EQ(++job.placed, 1) << "job " << id << " placed twice";
        if (job.state == Mirror::kRepartitioning) {
          ASSERT_EQ(placed->where, job.where);
          ASSERT_GE(now_, job.ready_at) << "job " << id << " started before its repartition was ready";
        }
        ASSERT_FALSE(placed->where.empty());
        job.state = Mirror::kRunning;
        job.where = placed->where;
      } else if (const auto* repartition = std::get_if<NeedsRepartition>(&d)) {
        ASSERT_TRUE(config_.reconfiguration == Reconfiguration::kRepartition ||
                    config_.release == ReleaseMode::kKeepIdle)
            << "only repartitioning or kept idle instances may be destroyed";
        ASSERT_FALSE(repartition->ops.empty());
        ASSERT_EQ(repartition->ready_at, now_ + config_.delay);
        CheckDestroysOnlyIdle(*repartition);
        // A gang's GPU being cleared: destroys only, one decision per GPU.
        const bool whole = repartition->ops.back().kind == InstanceOpKind::kDestroy;
        if (whole) {
          ASSERT_TRUE(job.state == Mirror::kQueued ||
                      (job.state == Mirror::kRepartitioning && job.ready_at == repartition->ready_at));
          for (const InstanceOp& op : repartition->ops) ASSERT_EQ(op.kind, InstanceOpKind::kDestroy);
          // The gang's other GPUs needed no clearing; take the set from the view once.
          if (job.state == Mirror::kQueued) job.where = scheduler_->Job(id)->where;
          const Placement cleared{.gpu = repartition->gpu, .profile = kWholeGpu, .start = 0};
          ASSERT_NE(std::find(job.where.begin(), job.where.end(), cleared), job.where.end());
        } else {
          ASSERT_EQ(job.state, Mirror::kQueued);
          job.where = {Placement{.gpu = repartition->gpu, .profile = repartition->ops.back().profile,
                                 .start = repartition->ops.back().start}};
        }
        job.state = Mirror::kRepartitioning;
        job.ready_at = repartition->ready_at;
      } else {
        ASSERT_EQ(id, submitted) << "only Submit answers Wait/Infeasible";
        job.state = Is<Wait>(d) ? Mirror::kQueued : Mirror::kInfeasible;
      }
    }
  }

  // Every destroyed instance was idle before this event (or held by the job
  // released in it).
  void CheckDestroysOnlyIdle(const NeedsRepartition& r) {
    const fleet::FleetGpu& gpu = previous_.gpus[static_cast<size_t>(r.gpu)];
    for (const InstanceOp& op : r.ops) {
      if (op.kind != InstanceOpKind::kDestroy) continue;
      for (const fleet::FleetInstance& i : gpu.instances) {
        if (i.instance.profile != op.profile || i.instance.placement.start != op.start) continue;
        ASSERT_TRUE(!i.busy || i.workload == "job-" + std::to_string(released_))
            << "repartition destroys busy " << i.workload;
      }
    }
  }

  void Check() {
    const fleet::Fleet snapshot = scheduler_->Snapshot();
    ASSERT_EQ(scheduler_->counters().busy_disturbed, 0);
    std::map<std::string, int> busy_seen;  // workload -> busy instances / whole GPUs
    std::vector<int> held_per_gpu(snapshot.gpus.size(), 0);
    for (size_t g = 0; g < snapshot.gpus.size(); ++g) {
      const fleet::FleetGpu& gpu = snapshot.gpus[g];
      if (gpu.mig_enabled) {
        const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
        ASSERT_TRUE(verdict.valid) << "gpu " << g << ": " << verdict.reason;
      } else {
        ASSERT_TRUE(gpu.instances.empty());
      }
      if (gpu.whole_gpu_busy) ++busy_seen[gpu.whole_gpu_workload];
      for (const fleet::FleetInstance& i : gpu.instances) {
        if (i.busy) ++busy_seen[i.workload];
      }
    }
    std::set<JobId> queued;
    std::int64_t held_total = 0;
    for (const auto& [id, job] : jobs_) {
      const std::optional<JobView> view = scheduler_->Job(id);
      const std::string name = "job-" + std::to_string(id);
      switch (job.state) {
        case Mirror::kInfeasible:
        case Mirror::kReleased:
          ASSERT_FALSE(view.has_value()) << name << " should be gone";
          ASSERT_FALSE(busy_seen.contains(name)) << name << " still holds something";
          continue;
        case Mirror::kQueued:
          ASSERT_TRUE(view && view->state == JobState::kQueued) << name;
          queued.insert(id);
          ASSERT_FALSE(busy_seen.contains(name));
          continue;
        case Mirror::kRepartitioning:
          ASSERT_TRUE(view && view->state == JobState::kRepartitioning) << name;
          break;
        case Mirror::kRunning:
          ASSERT_TRUE(view && view->state == JobState::kRunning) << name;
          break;
      }
      ASSERT_EQ(view->where, job.where) << name << " moved";
      ASSERT_EQ(busy_seen[name], static_cast<int>(job.where.size())) << name;
      for (const Placement& p : job.where) {
        const fleet::FleetGpu& gpu = snapshot.gpus[static_cast<size_t>(p.gpu)];
        int slices = gpu.model->memory_slices;
        if (p.profile == kWholeGpu) {
          ASSERT_EQ(gpu.whole_gpu_workload, name);
        } else {
          slices = gpu.model->profiles[static_cast<size_t>(p.profile)].memory_slices;
          const bool present = std::any_of(gpu.instances.begin(), gpu.instances.end(), [&](const fleet::FleetInstance& i) {
            return i.workload == name && i.instance.profile == p.profile && i.instance.placement.start == p.start;
          });
          ASSERT_TRUE(present) << name << " instance missing";
        }
        held_per_gpu[static_cast<size_t>(p.gpu)] += slices;
        held_total += slices;
      }
    }
    const std::vector<JobId> queue = scheduler_->Queue();
    ASSERT_EQ(std::set<JobId>(queue.begin(), queue.end()), queued);
    ASSERT_EQ(queue.size(), queued.size()) << "a job queued twice";
    ASSERT_EQ(scheduler_->Totals().held_slices, held_total);
    ASSERT_EQ(scheduler_->Totals().queued, queued.size());
    for (size_t g = 0; g < held_per_gpu.size(); ++g) {
      ASSERT_EQ(scheduler_->Usage(static_cast<int>(g)).held_slices, held_per_gpu[g]) << "gpu " << g;
    }
    previous_ = snapshot;
  }

  // Releases running jobs one by one (advancing past every repartition);
  // where the mode guarantees it, the queue must drain.
  void Drain() {
    for (int guard = 0; guard < 10000 && !::testing::Test::HasFatalFailure(); ++guard) {
      now_ += 1000;
      Apply(Ok(scheduler_->Advance(now_)), kNoJob);
      Check();
      std::optional<JobId> running;
      for (const auto& [id, job] : jobs_) {
        if (job.state == Mirror::kRunning) {
          running = id;
          break;
        }
      }
      if (!running) break;
      released_ = *running;
      Apply(Ok(scheduler_->Release(*running, now_)), kNoJob);
      jobs_[*running].state = Mirror::kReleased;
      jobs_[*running].where.clear();
      Check();
      released_ = kNoJob;
    }
    if (config_.live) {
      EXPECT_TRUE(scheduler_->Queue().empty())
          << scheduler_->Queue().size() << " jobs never started on an empty fleet";
      EXPECT_EQ(scheduler_->Totals().held_slices, 0);
    }
  }

  Config config_;
  std::mt19937_64 rng_;
  const geometry::GpuModel& h100_;
  const geometry::GpuModel& a100_;
  std::optional<Scheduler> scheduler_;
  std::map<JobId, MirrorJob> jobs_;
  fleet::Fleet previous_;
  JobId next_id_ = 1;
  JobId released_ = kNoJob;
  Time now_ = 0;
  std::ostringstream log_;
  static constexpr JobId kNoJob = 0;
};

class PropertyTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(PropertyTest, InvariantsHoldAfterEveryEvent) {
  const auto& [policy, config] = GetParam();
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Scenario(policy, kConfigs[config], seed).Go(400);
    if (HasFatalFailure()) return;
  }
}

TEST_P(PropertyTest, SameSeedSameDecisions) {
  const auto& [policy, config] = GetParam();
  const std::string first = Scenario(policy, kConfigs[config], 11).Go(300);
  const std::string second = Scenario(policy, kConfigs[config], 11).Go(300);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

INSTANTIATE_TEST_SUITE_P(
    EveryPolicyAndMode, PropertyTest,
    ::testing::Combine(::testing::ValuesIn(PolicyNames()), ::testing::Range(0, static_cast<int>(std::size(kConfigs)))),
    [](const ::testing::TestParamInfo<PropertyTest::ParamType>& param) {
      std::string name = std::get<0>(param.param) + "_" + kConfigs[std::get<1>(param.param)].name;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace migsched::sched
