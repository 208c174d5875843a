#include "trace/synthetic.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::trace {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

TEST(SyntheticTest, SameSeedSameTraceOtherSeedOtherTrace) {
  const SyntheticOptions options{.jobs = 500, .rate_per_s = 2.0, .mean_duration_s = 60, .seed = 7};
  Result<Trace> a = GenerateSynthetic(options);
  Result<Trace> b = GenerateSynthetic(options);
  SyntheticOptions other = options;
  other.seed = 8;
  Result<Trace> c = GenerateSynthetic(other);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(c, IsOk());
  ASSERT_EQ(a->jobs.size(), 500u);
  bool differs = false;
  for (size_t i = 0; i < a->jobs.size(); ++i) {
    EXPECT_EQ(a->jobs[i].submit_ms, b->jobs[i].submit_ms);
    EXPECT_EQ(a->jobs[i].duration_ms, b->jobs[i].duration_ms);
    EXPECT_EQ(a->jobs[i].gpu_milli, b->jobs[i].gpu_milli);
    EXPECT_EQ(a->jobs[i].num_gpu, b->jobs[i].num_gpu);
    differs |= a->jobs[i].submit_ms != c->jobs[i].submit_ms;
  }
  EXPECT_TRUE(differs);
}

TEST(SyntheticTest, ArrivalsAreOrderedAndFollowTheRate) {
  Result<Trace> trace = GenerateSynthetic({.jobs = 20000, .rate_per_s = 5.0, .mean_duration_s = 100, .seed = 1});
  ASSERT_THAT(trace, IsOk());
  int64_t previous = 0;
  int64_t gangs = 0;
  for (const TraceJob& job : trace->jobs) {
    EXPECT_GE(job.submit_ms, previous);
    EXPECT_GE(job.duration_ms, 1000);
    EXPECT_TRUE(job.num_gpu == 1 || job.gpu_milli == 1000);
    previous = job.submit_ms;
    gangs += job.num_gpu > 1;
  }
  // 20,000 arrivals at 5/s take about 4,000 s; gangs are about 3%.
  EXPECT_NEAR(static_cast<double>(previous) / 1000.0, 4000.0, 200.0);
  EXPECT_NEAR(static_cast<double>(gangs) / 20000.0, 0.03, 0.01);
}

TEST(SyntheticTest, SpecParsesKeysAndRejectsNonsense) {
  Result<SyntheticOptions> options = ParseSyntheticSpec("jobs=10000,rate=5", SyntheticOptions{});
  ASSERT_THAT(options, IsOk());
  EXPECT_EQ(options->jobs, 10000);
  EXPECT_EQ(options->rate_per_s, 5.0);
  EXPECT_EQ(options->mean_duration_s, 600.0);
  EXPECT_THAT(ParseSyntheticSpec("jobz=1", {}), HasError(StatusCode::kInvalidArgument, "unknown key 'jobz'"));
  EXPECT_THAT(ParseSyntheticSpec("rate=-1", {}), HasError(StatusCode::kInvalidArgument, "rate='-1'"));
  EXPECT_THAT(ParseSyntheticSpec("jobs", {}), HasError(StatusCode::kInvalidArgument, "not KEY=VALUE"));
  EXPECT_THAT(GenerateSynthetic({.jobs = 0}), HasError(StatusCode::kInvalidArgument, "jobs=0"));
  EXPECT_THAT(GenerateSynthetic({.jobs = 5, .rate_per_s = 1e-300}), HasError(StatusCode::kInvalidArgument, "rate"));
  EXPECT_THAT(GenerateSynthetic({.jobs = 5, .mean_duration_s = 1e300}),
              HasError(StatusCode::kInvalidArgument, "duration"));
}

}  // namespace
}  // namespace migsched::trace
