// Planner workloads as simulated arrivals: requests come from the planner's
// right-sizing, times from the synthetic generator, workloads in proportion
// to their replicas.
#include "sim/workload_jobs.h"

#include <gtest/gtest.h>

#include <map>

#include "sim/tests/sim_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;
using ::migsched::testing::Profile;
using namespace ::migsched::sim::testing;

plan::Workload Make(std::string name, int replicas, int64_t memory_gib,
                    plan::WorkloadKind kind = plan::WorkloadKind::kInference) {
  plan::Workload w;
  w.name = std::move(name);
  w.replicas = replicas;
  w.memory_mib = memory_gib * 1024;
  w.kind = kind;
  return w;
}

const std::vector<plan::Workload> kMix = {Make("bert", 6, 9), Make("llama", 2, 30),
                                          Make("finetune", 2, 30, plan::WorkloadKind::kTraining)};

TEST(WorkloadJobsTest, RequestsAreThePlannersRightSizing) {
  const fleet::Fleet fleet = Fleet("H100-80GB:4,A100-40GB:4");
  const geometry::GpuModel& h100 = *fleet.gpus[0].model;
  const geometry::GpuModel& a100 = *fleet.gpus[4].model;
  Result<std::vector<SimJob>> jobs = WorkloadJobs(kMix, fleet, {.jobs = 300, .rate_per_s = 1, .mean_duration_s = 60, .seed = 7});
  ASSERT_THAT(jobs, IsOk());
  std::map<std::string, int> seen;
  for (const SimJob& job : *jobs) {
    ASSERT_TRUE(job.request.has_value()) << job.job.name;
    const sched::Request& r = job.request->request;
    ++seen[job.job.name];
    if (job.job.name == "bert") {  // 9 GiB: one compute slice, the least memory holding it
      EXPECT_EQ(r.options, (std::vector<sched::ProfileOption>{{&h100, Profile(h100, "1g.10gb")},
                                                              {&a100, Profile(a100, "1g.10gb")}}));
      EXPECT_EQ(job.request->gpu_milli, 142);  // 1 of 7 compute slices, rounded down
    } else if (job.job.name == "llama") {  // 30 GiB: fewest compute slices holding it
      EXPECT_EQ(r.options, (std::vector<sched::ProfileOption>{{&h100, Profile(h100, "3g.40gb")},
                                                              {&a100, Profile(a100, "7g.40gb")}}));
    } else {
      EXPECT_EQ(r.whole_gpus, 1) << "training takes a whole GPU";
      EXPECT_TRUE(r.options.empty()) << "any model of the fleet";
      EXPECT_EQ(job.request->gpu_milli, 1000);
    }
  }
  // Drawn by replicas (6:2:2 of 300), within sampling noise of a fixed seed.
  EXPECT_NEAR(seen["bert"], 180, 30);
  EXPECT_NEAR(seen["llama"], 60, 20);
  EXPECT_NEAR(seen["finetune"], 60, 20);
}

TEST(WorkloadJobsTest, TimesAreTheSyntheticGeneratorsAndRunsRepeat) {
  const fleet::Fleet fleet = Fleet("H100-80GB:2");
  const trace::SyntheticOptions arrivals{.jobs = 50, .rate_per_s = 2, .mean_duration_s = 30, .seed = 3};
  const std::vector<SimJob> jobs = WorkloadJobs(kMix, fleet, arrivals).value();
  const trace::Trace timing = trace::GenerateSynthetic(arrivals).value();
  ASSERT_EQ(jobs.size(), timing.jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].job.submit_ms, timing.jobs[i].submit_ms);
    EXPECT_EQ(jobs[i].job.duration_ms, timing.jobs[i].duration_ms);
  }
  const std::vector<SimJob> again = WorkloadJobs(kMix, fleet, arrivals).value();
  for (size_t i = 0; i < jobs.size(); ++i) EXPECT_EQ(again[i].job.name, jobs[i].job.name);
}

TEST(WorkloadJobsTest, UnfitDemandSizedAndEmptyMixes) {
  const fleet::Fleet fleet = Fleet("A100-40GB:1");
  // 60 GiB fits no A100-40GB: its jobs have no request (the engine reports them unplaced).
  const std::vector<SimJob> jobs = WorkloadJobs({Make("huge", 1, 60)}, fleet, {.jobs = 5}).value();
  for (const SimJob& job : jobs) EXPECT_FALSE(job.request.has_value());
  // Training that only the H100 can hold asks for a whole GPU of that model.
  const fleet::Fleet mixed = Fleet("H100-80GB:1,A100-40GB:1");
  const std::vector<SimJob> big = WorkloadJobs({Make("ft", 1, 60, plan::WorkloadKind::kTraining)}, mixed, {.jobs = 2}).value();
  ASSERT_TRUE(big[0].request.has_value());
  ASSERT_EQ(big[0].request->request.options.size(), 1u);
  EXPECT_EQ(big[0].request->request.options[0].model, mixed.gpus[0].model);
  plan::Workload by_demand = Make("rn50", 0, 4);
  by_demand.demand_rps = 100;
  EXPECT_THAT(WorkloadJobs({by_demand}, fleet, {}), HasError(StatusCode::kInvalidArgument, "'rn50' is sized by demand_rps"));
  EXPECT_THAT(WorkloadJobs({}, fleet, {}), HasError(StatusCode::kInvalidArgument, "no workloads"));
  EXPECT_THAT(WorkloadJobs({Make("bert", 1, 9)}, fleet, {.jobs = 0}), HasError(StatusCode::kInvalidArgument, "jobs"))
      << "the synthetic generator's own checks apply to the arrivals";
  EXPECT_THAT(WorkloadJobs({Make("none", 0, 4)}, fleet, {}), HasError(StatusCode::kInvalidArgument, "no replicas"));
}

}  // namespace
}  // namespace migsched::sim
