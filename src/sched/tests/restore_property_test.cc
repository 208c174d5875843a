// Property test of Restore: a scheduler runs random events (submits with
// priorities, tenants under quotas and whole-GPU gangs, releases, clock
// advances, cordons); at a random point it is saved (Snapshot, job views,
// cordons, tie order) and a second scheduler restored from that. Both then
// get the same remaining events and must answer each with the same
// decisions, and agree on Snapshot, Queue, Totals and every job's view after
// it. Seeded std::mt19937_64; fleets mix H100-80GB and A100-80GB, every
// policy, create-only / repartition / static layouts, delays 0 and 15.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>
#include <tuple>

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
};

const Config kConfigs[] = {
    {"create-destroy", Reconfiguration::kCreateOnly, ReleaseMode::kDestroy, 0, false},
    {"create-destroy-presets", Reconfiguration::kCreateOnly, ReleaseMode::kDestroy, 0, true},
    {"create-keepidle", Reconfiguration::kCreateOnly, ReleaseMode::kKeepIdle, 15, false},
    {"repartition-keepidle", Reconfiguration::kRepartition, ReleaseMode::kKeepIdle, 15, false},
    {"repartition-presets", Reconfiguration::kRepartition, ReleaseMode::kDestroy, 0, true},
    {"repartition-presets-delay", Reconfiguration::kRepartition, ReleaseMode::kDestroy, 15, true},
    {"static-presets", Reconfiguration::kNone, ReleaseMode::kDestroy, 0, true},
};

std::string Describe(const std::vector<Decision>& decisions) {
  std::ostringstream out;
  for (const Decision& d : decisions) {
    out << DecisionJob(d) << ":" << d.index();
    if (const auto* placed = std::get_if<Placed>(&d)) {
      for (const Placement& p : placed->where) out << " " << p.gpu << "/" << p.profile << "@" << p.start;
    }
    out << "; ";
  }
  return out.str();
}

class RestoreScenario {
 public:
  RestoreScenario(const std::string& policy, const Config& config, std::uint64_t seed)
      : rng_(seed), h100_(Gpu("H100-80GB")), a100_(Gpu("A100-80GB")) {
    fleet::Fleet fleet = FleetOf("H100-80GB", 2 + static_cast<int>(Below(5)));
    fleet::Fleet a100s = FleetOf("A100-80GB", 2 + static_cast<int>(Below(5)));
    if (config.presets) {
      // Some GPUs with presets, some bare; some bare ones MIG-disabled.
      for (size_t g = 0; g < fleet.gpus.size(); g += 2) {
        for (const geometry::GpuInstance& i : PresetLayout(h100_, Preset::kAllBalanced)) {
          fleet.gpus[g].instances.push_back({.instance = i, .workload = "", .busy = false});
        }
      }
      for (size_t g = 0; g < a100s.gpus.size(); g += 2) {
        for (const geometry::GpuInstance& i : PresetLayout(a100_, Preset::kAll1g)) {
          a100s.gpus[g].instances.push_back({.instance = i, .workload = "", .busy = false});
        }
      }
      a100s.gpus.back().mig_enabled = false;
      a100s.gpus.back().instances.clear();
    }
    for (fleet::FleetGpu& gpu : a100s.gpus) fleet.gpus.push_back(std::move(gpu));
    options_.policy = policy;
    options_.reconfiguration = config.reconfiguration;
    options_.release = config.release;
    options_.reconfiguration_delay_ms = config.delay;
    options_.backfill_hold_after_ms = seed % 2 == 0 ? 100 : 0;
    options_.quotas = {TenantQuota{.tenant = "a", .max_memory_slices = 20, .max_whole_gpus = 0},
                       TenantQuota{.tenant = "b", .max_memory_slices = 0, .max_whole_gpus = 2}};
    options_.expected_mix = {MixEntry{.option = {&h100_, Profile(h100_, "1g.10gb")}, .weight = 3},
                             MixEntry{.option = {&h100_, Profile(h100_, "3g.40gb")}, .weight = 1}};
    original_.emplace(Make(std::move(fleet), options_));
  }

  // `before` events on the original alone, then a restore, then `after`
  // events on both, compared after each.
  void Go(int before, int after) {
    for (int e = 0; e < before && !::testing::Test::HasFailure(); ++e) Step(/*both=*/false);
    Result<Scheduler> restored = Scheduler::Restore(BuiltinCatalogForTest(), options_,
                                                    SaveForRestore(*original_, requests_), now_);
    ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
    restored_.emplace(std::move(restored).value());
    Compare("at restore");
    for (int e = 0; e < after && !::testing::Test::HasFailure(); ++e) Step(/*both=*/true);
  }

 private:
  std::uint64_t Below(std::uint64_t n) { return rng_() % n; }

  Request RandomRequest() { return ::migsched::sched::testing::RandomRequest(rng_, next_id_++, h100_, a100_, 8); }

  std::vector<JobId> Live() const {
    std::vector<JobId> ids;
    for (const auto& [id, request] : requests_) {
      if (original_->Job(id)) ids.push_back(id);
    }
    return ids;
  }

  // One random event, on the original (and the restored one when `both`).
  void Step(bool both) {
    now_ += static_cast<Time>(Below(10));
    const std::uint64_t dice = Below(100);
    const std::vector<JobId> live = Live();
    const auto on = [&](auto&& call, const std::string& what) {
      Result<std::vector<Decision>> a = call(*original_);
      ASSERT_TRUE(a.has_value()) << what << ": " << a.error().ToString();
      if (!both) return;
      Result<std::vector<Decision>> b = call(*restored_);
      ASSERT_TRUE(b.has_value()) << what << ": " << b.error().ToString();
      ASSERT_EQ(a.value(), b.value()) << what << "\n original: " << Describe(a.value())
                                      << "\n restored: " << Describe(b.value());
      Compare(what);
    };
    if (dice < 50 || live.empty()) {
      const Request r = RandomRequest();
      requests_[r.id] = r;
      on([&](Scheduler& s) { return s.Submit(r, now_); }, "submit " + std::to_string(r.id));
    } else if (dice < 82) {
      const JobId id = live[Below(live.size())];
      on([&](Scheduler& s) { return s.Release(id, now_); }, "release " + std::to_string(id));
    } else if (dice < 92) {
      now_ += static_cast<Time>(Below(20));
      on([&](Scheduler& s) { return s.Advance(now_); }, "advance to " + std::to_string(now_));
    } else {
      const int gpu = static_cast<int>(Below(original_->gpu_count()));
      if (Below(2) == 0) {
        on([&](Scheduler& s) -> Result<std::vector<Decision>> {
             MIGSCHED_RETURN_IF_ERROR(s.Cordon(gpu));
             return std::vector<Decision>{};
           },
           "cordon " + std::to_string(gpu));
      } else {
        on([&](Scheduler& s) { return s.Uncordon(gpu, now_); }, "uncordon " + std::to_string(gpu));
      }
    }
  }

  void Compare(const std::string& what) {
    ASSERT_EQ(Render(original_->Snapshot()), Render(restored_->Snapshot())) << what;
    ASSERT_EQ(original_->Queue(), restored_->Queue()) << what;
    ASSERT_EQ(Render(original_->Totals()), Render(restored_->Totals())) << what;
    ASSERT_EQ(original_->Cordoned(), restored_->Cordoned()) << what;
    for (const auto& [id, request] : requests_) {
      const std::optional<JobView> a = original_->Job(id);
      const std::optional<JobView> b = restored_->Job(id);
      ASSERT_EQ(a.has_value(), b.has_value()) << what << ": job " << id;
      if (!a) continue;
      EXPECT_EQ(a->state, b->state) << what << ": job " << id;
      EXPECT_EQ(a->waiting_since, b->waiting_since) << what << ": job " << id;
      EXPECT_EQ(a->ready_at, b->ready_at) << what << ": job " << id;
      EXPECT_EQ(a->where, b->where) << what << ": job " << id;
      EXPECT_EQ(a->stays_idle, b->stays_idle) << what << ": job " << id;
    }
  }

  std::mt19937_64 rng_;
  const geometry::GpuModel& h100_;
  const geometry::GpuModel& a100_;
  Options options_;
  std::optional<Scheduler> original_;
  std::optional<Scheduler> restored_;
  std::map<JobId, Request> requests_;  // every job submitted, for SaveForRestore
  JobId next_id_ = 1;
  Time now_ = 0;
};

class RestorePropertyTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(RestorePropertyTest, RestoredSchedulerDecidesExactlyAsTheOriginal) {
  const auto& [policy, config] = GetParam();
  for (std::uint64_t seed = 1; seed <= 12 && !HasFailure(); ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 pick(seed * 7919);
    RestoreScenario scenario(policy, kConfigs[config], seed);
    scenario.Go(/*before=*/20 + static_cast<int>(pick() % 200), /*after=*/250);
  }
}

INSTANTIATE_TEST_SUITE_P(
    PoliciesAndModes, RestorePropertyTest,
    ::testing::Combine(::testing::Values("first-fit", "best-fit", "frag-aware"),
                       ::testing::Range(0, static_cast<int>(std::size(kConfigs)))),
    [](const ::testing::TestParamInfo<std::tuple<std::string, int>>& param) {
      std::string name = std::get<0>(param.param) + "_" + kConfigs[std::get<1>(param.param)].name;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace migsched::sched
