#include "sim/bounds.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/fleet_spec.h"
#include "sim/policies.h"
#include "sim/simulation.h"
#include "sim/tests/sim_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"
#include "trace/synthetic.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using namespace ::migsched::sim::testing;

std::vector<PolicyRun> RunAll(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, const SimulationSpec& spec) {
  return RunSimulation(jobs, BuiltinCatalogForTest(), fleet, spec).value();
}

// Two H100s (2,000 milli). In trace order three 460-milli jobs (each a
// 4g.40gb: 4 of 7 compute slices) and a 700-milli job (a whole GPU) arrive;
// demand first reaches capacity at the fourth: 2,080 milli. Two 4g.40gb never
// share a GPU and a whole-GPU job shares with nothing, so at most two of the
// four fit: the best pair by hand is the 700 and one 460. (Compute slices
// alone would allow 700 + 1.75 x 460, memory alone 700 + 2 x 460.)
TEST(FillBoundsTest, HandBuiltTraceHasTheBoundWorkedOutByHand) {
  const fleet::Fleet fleet = Fleet("H100-80GB:2");
  const std::vector<SimJob> jobs = Jobs({Job(0, 1, 460), Job(1, 1, 460), Job(2, 1, 460), Job(3, 1, 700)}, fleet);
  Result<FillBounds> bounds = ComputeFillBounds(jobs, fleet, {});
  ASSERT_THAT(bounds, IsOk());
  EXPECT_EQ(bounds->arrivals, 4);
  EXPECT_EQ(bounds->arrived_demand_milli, 3 * 460 + 700);
  EXPECT_EQ(bounds->mig_placed_milli_max, 700 + 460);
  EXPECT_DOUBLE_EQ(bounds->mig_allocation_rate_max, (700.0 + 460.0) / 2080.0);
  // Time-slicing packs raw fractions: at most the fleet's 2,000 milli.
  EXPECT_EQ(bounds->fractional_placed_milli_max, 2000);
  EXPECT_DOUBLE_EQ(bounds->fractional_allocation_rate_max, 2000.0 / 2080.0);
  // The third 4g.40gb can never join the first two: 3 arrivals, 3 GPUs needed.
  EXPECT_EQ(bounds->mig_forced_rejection_by, 3);

  // The policies: every MIG policy places two 460s; time-slicing three.
  for (const PolicyRun& run : RunAll(jobs, fleet, AllPolicies(Mode::kFill))) {
    const FillPoint& at_capacity = run.result.fill_curve[static_cast<size_t>(bounds->arrivals - 1)];
    EXPECT_EQ(at_capacity.arrived_milli, bounds->arrived_demand_milli) << run.result.policy;
    EXPECT_LE(at_capacity.allocated_milli, run.result.isolation == "none" ? bounds->fractional_placed_milli_max
                                                                           : bounds->mig_placed_milli_max)
        << run.result.policy;
    if (run.result.isolation != "none") {
      EXPECT_GE(run.result.first_rejection, 1) << run.result.policy;
      EXPECT_LE(run.result.first_rejection, 3) << run.result.policy;  // the static presets reject at once
    }
  }
}

TEST(FillBoundsTest, AllDemandFitsWhenItIsSmall) {
  // Seven 1g.10gb jobs of 100 milli fill one H100's compute exactly; the
  // eighth and later draws (all 100 milli) cannot be placed.
  const fleet::Fleet fleet = Fleet("H100-80GB:1");
  const std::vector<SimJob> jobs = Jobs({Job(0, 1, 100)}, fleet);
  Result<FillBounds> bounds = ComputeFillBounds(jobs, fleet, {});
  ASSERT_THAT(bounds, IsOk());
  EXPECT_EQ(bounds->arrivals, 10);
  EXPECT_EQ(bounds->mig_placed_milli_max, 7 * 100);
  EXPECT_EQ(bounds->fractional_placed_milli_max, 1000);
  EXPECT_EQ(bounds->mig_forced_rejection_by, 8);  // 8 compute slices > 7
}

TEST(FillBoundsTest, RejectsAnEmptyTraceOrFleet) {
  EXPECT_THAT(ComputeFillBounds({}, Fleet("H100-80GB:1"), {}), HasError(StatusCode::kInvalidArgument, "jobs"));
}

// Ten H100s. Three 460-milli jobs (4g.40gb) run 0-10 s; a whole-GPU job runs
// 5-6 s. At 5 s the three 4g.40gb need three GPUs (no two share one) and the
// whole-GPU job a fourth; fractional packing needs ceil(2,380 / 1,000) = 3.
TEST(ReplayBoundsTest, HandBuiltTraceHasTheBoundWorkedOutByHand) {
  const fleet::Fleet fleet = Fleet("H100-80GB:10");
  const std::vector<SimJob> jobs =
      Jobs({Job(0, 10, 460), Job(0, 10, 460), Job(0, 10, 460), Job(5, 1, 1000)}, fleet);
  Result<ReplayBounds> bounds = ComputeReplayBounds(jobs, fleet, {});
  ASSERT_THAT(bounds, IsOk());
  EXPECT_EQ(bounds->mig_gpus_needed_min, 4);
  EXPECT_EQ(bounds->mig_peak_at_ms, 5000);
  EXPECT_EQ(bounds->fractional_gpus_needed_min, 3);
  for (const PolicyRun& run : RunAll(jobs, fleet, AllPolicies(Mode::kReplay))) {
    if (run.result.isolation == "mig" && run.result.unplaced > 0) continue;  // static presets
    EXPECT_GE(run.result.gpus_used_peak, run.result.isolation == "none" ? 3 : 4) << run.result.policy;
  }
}

TEST(ReplayBoundsTest, SlicesBindWhenInstancesAreSmall) {
  // Fifteen 2g.20gb (250 milli) at once: 30 compute slices need ceil(30 / 7)
  // = 5 GPUs; their 30 memory slices ceil(30 / 8) = 4; fractional 3,750 milli 4.
  const fleet::Fleet fleet = Fleet("H100-80GB:10");
  std::vector<trace::TraceJob> list(15, Job(0, 10, 250));
  Result<ReplayBounds> bounds = ComputeReplayBounds(Jobs(list, fleet), fleet, {.compress = 2});
  ASSERT_THAT(bounds, IsOk());
  EXPECT_EQ(bounds->mig_gpus_needed_min, 5);
  EXPECT_EQ(bounds->fractional_gpus_needed_min, 4);
  EXPECT_THAT(ComputeReplayBounds({}, fleet, {.compress = 0}), HasError(StatusCode::kInvalidArgument, "compress"));
}

TEST(ReplayBoundsTest, CompressionMakesJobsOverlap) {
  // Whole-GPU jobs at 0 s and 100 s, 60 s each: apart at real time, together
  // when arrivals are compressed 4x (0 s and 25 s).
  const fleet::Fleet fleet = Fleet("H100-80GB:4");
  const std::vector<SimJob> jobs = Jobs({Job(0, 60, 1000), Job(100, 60, 1000)}, fleet);
  EXPECT_EQ(ComputeReplayBounds(jobs, fleet, {}).value().mig_gpus_needed_min, 1);
  EXPECT_EQ(ComputeReplayBounds(jobs, fleet, {.compress = 4}).value().mig_gpus_needed_min, 2);
}

// No policy's result ever beats its bound, on random synthetic traces and on
// one- and two-model fleets.
TEST(BoundsPropertyTest, NoPolicyBeatsTheBoundsOnSyntheticTraces) {
  for (const std::string& spec : {std::string("H100-80GB:12"), std::string("H100-80GB:6,A100-40GB:6")}) {
    const fleet::Fleet fleet = Fleet(spec);
    for (uint64_t seed : {uint64_t{1}, uint64_t{2}, uint64_t{3}}) {
      const std::vector<SimJob> jobs = PrepareJobs(
          trace::GenerateSynthetic({.jobs = 400, .rate_per_s = 0.5, .mean_duration_s = 60, .seed = seed}).value(),
          fleet);
      SimulationSpec fill = AllPolicies(Mode::kFill);
      fill.fill.seed = seed;
      const FillBounds fill_bounds = ComputeBounds(jobs, fleet, fill).value().fill.value();
      EXPECT_LE(fill_bounds.mig_placed_milli_max, fill_bounds.fractional_placed_milli_max);
      for (const PolicyRun& run : RunAll(jobs, fleet, fill)) {
        const FillPoint& at_capacity = run.result.fill_curve[static_cast<size_t>(fill_bounds.arrivals - 1)];
        ASSERT_EQ(at_capacity.arrived_milli, fill_bounds.arrived_demand_milli);
        EXPECT_LE(at_capacity.allocated_milli, run.result.isolation == "none"
                                                   ? fill_bounds.fractional_placed_milli_max
                                                   : fill_bounds.mig_placed_milli_max)
            << spec << " seed " << seed << " " << run.result.policy;
        EXPECT_LE(run.result.allocation_rate, run.result.isolation == "none"
                                                  ? fill_bounds.fractional_allocation_rate_max
                                                  : fill_bounds.mig_allocation_rate_max)
            << spec << " seed " << seed << " " << run.result.policy;
        if (run.result.isolation != "none" && fill_bounds.mig_forced_rejection_by > 0) {
          EXPECT_GT(run.result.first_rejection, 0) << spec << " seed " << seed << " " << run.result.policy;
          EXPECT_LE(run.result.first_rejection, fill_bounds.mig_forced_rejection_by)
              << spec << " seed " << seed << " " << run.result.policy;
        }
      }
      ASSERT_GT(fill_bounds.mig_forced_rejection_by, 0);
      // Replay on a fleet large enough that nothing waits.
      const fleet::Fleet big = Fleet(spec == "H100-80GB:12" ? "H100-80GB:400" : "H100-80GB:200,A100-40GB:200");
      const std::vector<SimJob> replay_jobs = PrepareJobs(
          trace::GenerateSynthetic({.jobs = 400, .rate_per_s = 0.5, .mean_duration_s = 60, .seed = seed}).value(),
          big);
      // The bound is for policies that start jobs on arrival: no reconfiguration cost.
      SimulationSpec replay_spec = AllPolicies(Mode::kReplay);
      replay_spec.cost = {};
      const ReplayBounds replay_bounds = ComputeBounds(replay_jobs, big, replay_spec).value().replay.value();
      EXPECT_LE(replay_bounds.fractional_gpus_needed_min, replay_bounds.mig_gpus_needed_min);
      const int64_t runnable =
          std::count_if(replay_jobs.begin(), replay_jobs.end(), [](const SimJob& job) { return job.request.has_value(); });
      int checked = 0;
      for (const PolicyRun& run : RunAll(replay_jobs, big, replay_spec)) {
        const std::vector<int64_t>& delays = run.result.queue_delays_ms;
        // The bound is for policies that start every runnable job on arrival
        // (the static presets never start whole-GPU jobs).
        if (run.result.placed < runnable || (!delays.empty() && delays.back() > 0)) continue;
        ++checked;
        EXPECT_GE(run.result.gpus_used_peak, run.result.isolation == "none"
                                                 ? replay_bounds.fractional_gpus_needed_min
                                                 : replay_bounds.mig_gpus_needed_min)
            << spec << " seed " << seed << " " << run.result.policy;
      }
      EXPECT_EQ(checked, 6) << "whole-gpu, static-plan, time-slicing and the three dynamic policies never queue here";
    }
  }
}

}  // namespace
}  // namespace migsched::sim
