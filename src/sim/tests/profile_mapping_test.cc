#include "sim/profile_mapping.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::Profile;

TEST(ProfileMappingTest, RequestsOfferOneOptionPerModelOrWholeGpus) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  trace::TraceJob job;
  job.id = 5;
  job.gpu_milli = 250;
  std::optional<sched::Request> request = RequestForJob(job, {&h100, &a100});
  ASSERT_TRUE(request);
  EXPECT_EQ(request->id, 5u);
  EXPECT_EQ(request->whole_gpus, 0);
  ASSERT_EQ(request->options.size(), 2u);
  EXPECT_EQ(request->options[0], (sched::ProfileOption{&h100, Profile(h100, "2g.20gb")}));
  EXPECT_EQ(request->options[1], (sched::ProfileOption{&a100, Profile(a100, "2g.10gb")}));

  job.gpu_milli = 1000;
  job.num_gpu = 4;
  job.kind = trace::JobKind::kTraining;
  request = RequestForJob(job, {&h100});
  ASSERT_TRUE(request);
  EXPECT_EQ(request->whole_gpus, 4);
  EXPECT_TRUE(request->options.empty());
  EXPECT_EQ(request->kind, sched::JobKind::kTraining);

  // 650 milli needs the whole GPU: whole_gpus, not a 7g instance.
  job.gpu_milli = 650;
  job.num_gpu = 1;
  request = RequestForJob(job, {&h100});
  ASSERT_TRUE(request);
  EXPECT_EQ(request->whole_gpus, 1);

  // No model can hold 200 GiB.
  job.gpu_memory_mib = 200 * 1024;
  EXPECT_FALSE(RequestForJob(job, {&h100, &a100}));
}

}  // namespace
}  // namespace migsched::sim
