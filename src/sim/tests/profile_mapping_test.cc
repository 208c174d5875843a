#include "sim/profile_mapping.h"

#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::sim {
namespace {

using ::migsched::testing::Gpu;
using ::migsched::testing::Profile;

std::string Mapped(const geometry::GpuModel& model, int milli, int64_t memory_mib = 0) {
  const std::optional<int> profile = SmallestCoveringProfile(model, milli, memory_mib);
  return profile ? model.profiles[static_cast<size_t>(*profile)].name : "none";
}

TEST(ProfileMappingTest, SmallestProfileCoveringComputeAndMemoryOnH100) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ(Mapped(h100, 1), "1g.10gb");
  EXPECT_EQ(Mapped(h100, 100), "1g.10gb");
  EXPECT_EQ(Mapped(h100, 125), "1g.10gb");  // exactly 1/8 of memory
  EXPECT_EQ(Mapped(h100, 140), "1g.20gb");  // 1/7 compute covers, 1/8 memory does not
  EXPECT_EQ(Mapped(h100, 250), "2g.20gb");
  EXPECT_EQ(Mapped(h100, 420), "3g.40gb");
  EXPECT_EQ(Mapped(h100, 460), "4g.40gb");  // 3/7 = 0.43 < 0.46
  EXPECT_EQ(Mapped(h100, 500), "4g.40gb");
  EXPECT_EQ(Mapped(h100, 501), "7g.80gb");  // 4/7 compute covers, 4/8 memory does not
  EXPECT_EQ(Mapped(h100, 650), "7g.80gb");
  EXPECT_EQ(Mapped(h100, 1000), "7g.80gb");
}

TEST(ProfileMappingTest, StatedMemoryReplacesTheMemoryShare) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_EQ(Mapped(h100, 100, 18 * 1024), "1g.20gb");
  EXPECT_EQ(Mapped(h100, 100, 30 * 1024), "3g.40gb");  // 2g.20gb has too little memory
  EXPECT_EQ(Mapped(h100, 100, 200 * 1024), "none");
  const geometry::GpuModel& a100 = Gpu("A100-40GB");
  EXPECT_EQ(Mapped(a100, 100), "1g.5gb");
  EXPECT_EQ(Mapped(a100, 300), "3g.20gb");  // 2/7 = 0.29 < 0.30
}

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
