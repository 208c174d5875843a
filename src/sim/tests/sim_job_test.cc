#include "sim/sim_job.h"

#include <gtest/gtest.h>

#include "sim/fleet_spec.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::Gpu;
using ::migsched::testing::HasError;
using ::migsched::testing::Profile;

trace::Trace ThreeJobs() {
  trace::Trace trace;
  for (auto [milli, gpus] : {std::pair{100, 1}, std::pair{100, 1}, std::pair{1000, 4}}) {
    trace::TraceJob job;
    job.gpu_milli = milli;
    job.num_gpu = gpus;
    trace.jobs.push_back(job);
  }
  trace::SortAndNumber(trace.jobs);
  return trace;
}

TEST(SimJobTest, JobsBecomeRequestsWithTheirOwnIds) {
  const fleet::Fleet fleet = ParseFleetSpec("H100-80GB:2", BuiltinCatalogForTest()).value();
  const std::vector<SimJob> jobs = PrepareJobs(ThreeJobs(), fleet);
  ASSERT_EQ(jobs.size(), 3u);
  ASSERT_TRUE(jobs[2].request);
  EXPECT_EQ(jobs[2].request->request.id, 2u);
  EXPECT_EQ(jobs[2].request->request.whole_gpus, 4);
  EXPECT_EQ(jobs[2].request->num_gpu, 4);
  EXPECT_EQ(jobs[0].request->gpu_milli, 100);
}

TEST(SimJobTest, MixCountsMigRequestsAndOptionallyWholeGpus) {
  const fleet::Fleet fleet = ParseFleetSpec("H100-80GB:2", BuiltinCatalogForTest()).value();
  const std::vector<SimJob> jobs = PrepareJobs(ThreeJobs(), fleet);
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  std::vector<sched::MixEntry> mix = ExpectedMix(jobs, FleetModels(fleet), MixScope::kMigOnly);
  ASSERT_EQ(mix.size(), 1u);
  EXPECT_EQ(mix[0].option, (sched::ProfileOption{&h100, Profile(h100, "1g.10gb")}));
  EXPECT_EQ(mix[0].weight, 2);
  mix = ExpectedMix(jobs, FleetModels(fleet), MixScope::kAll);
  ASSERT_EQ(mix.size(), 2u);
  EXPECT_EQ(mix[1].option, (sched::ProfileOption{&h100, Profile(h100, "7g.80gb")}));
  EXPECT_EQ(mix[1].weight, 4);
  EXPECT_THAT(ParseMixScope("some"), HasError(StatusCode::kInvalidArgument, "valid: mig, all"));
}

}  // namespace
}  // namespace migsched::sim
