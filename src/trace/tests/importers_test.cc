// The importers (sacct, kubectl pods) and the generic CSV writer: worked
// examples, bad rows with their lines, and the round trip through the
// generic reader.
#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "trace/generic.h"
#include "trace/generic_writer.h"
#include "trace/iso_time.h"
#include "trace/kubectl_pods.h"
#include "trace/sacct.h"

namespace migsched::trace {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

constexpr std::string_view kSacct =
    "JobID|JobName|Account|Submit|Start|End|AllocTRES\n"
    "100|train|ml|2024-03-01T12:00:00|2024-03-01T12:00:10|2024-03-01T13:00:10|cpu=8,gres/gpu=2,mem=64G\n"
    "100.batch|batch|ml|2024-03-01T12:00:00|2024-03-01T12:00:10|2024-03-01T13:00:10|cpu=8,gres/gpu=2\n"
    "101|infer|web|2024-03-01T12:01:00|2024-03-01T12:01:00|2024-03-01T12:11:00|cpu=2,gres/gpu:a100_1g.10gb=1,gres/gpu=1\n"
    "102|cpu|web|2024-03-01T12:02:00|2024-03-01T12:02:00|2024-03-01T12:03:00|cpu=2,mem=4G\n"
    "103|queued|web|2024-03-01T12:03:00|Unknown|Unknown|\n"
    "104|running|ml|2024-03-01T12:04:00|2024-03-01T12:04:05|Unknown|cpu=1,gres/gpu=1\n"
    "105|short\n"
    "106|two-mig|ml|2024-03-01T12:06:00|2024-03-01T12:06:00|2024-03-01T12:07:00|gres/gpu:3g.40gb=2,gres/gpu=2\n";

TEST(IsoTimeTest, ParsesSacctAndKubernetesTimestamps) {
  EXPECT_EQ(ParseIsoSeconds("1970-01-02T00:00:01"), 86401);
  EXPECT_EQ(ParseIsoSeconds("2024-03-01T12:00:00Z"), 1709294400);
  EXPECT_EQ(ParseIsoSeconds("Unknown"), std::nullopt);
  EXPECT_EQ(ParseIsoSeconds("2024-13-01T12:00:00"), std::nullopt);
}

TEST(SacctTest, JobsFromAllocTresWithBadRowsByLine) {
  Result<Trace> trace = ParseSacct(kSacct, "sacct.txt");
  ASSERT_THAT(trace, IsOk());
  ASSERT_EQ(trace->jobs.size(), 2u);
  const TraceJob& train = trace->jobs[0];
  EXPECT_EQ(train.name, "train");
  EXPECT_EQ(train.submit_ms, 0);
  EXPECT_EQ(train.duration_ms, 3600'000);
  EXPECT_EQ(train.num_gpu, 2);
  EXPECT_EQ(train.tenant, "ml");
  EXPECT_EQ(train.kind, JobKind::kTraining);
  const TraceJob& infer = trace->jobs[1];
  EXPECT_EQ(infer.submit_ms, 60'000);
  EXPECT_EQ(infer.duration_ms, 600'000);
  EXPECT_EQ(infer.profile, "1g.10gb");
  EXPECT_EQ(infer.num_gpu, 1);
  EXPECT_EQ(infer.gpu_milli, 142);
  EXPECT_EQ(infer.source_line, 4);
  EXPECT_EQ(trace->cpu_only_rows, 1);
  ASSERT_EQ(trace->bad_rows.size(), 4u);
  EXPECT_EQ(trace->bad_rows[0].line, 6);
  EXPECT_EQ(trace->bad_rows[0].reason, "no AllocTRES: never allocated");
  EXPECT_EQ(trace->bad_rows[1].line, 7);
  EXPECT_EQ(trace->bad_rows[1].reason, "still running or no end (End 'Unknown')");
  EXPECT_EQ(trace->bad_rows[2].line, 8);
  EXPECT_EQ(trace->bad_rows[2].reason, "2 fields, the header has 7");
  EXPECT_EQ(trace->bad_rows[3].line, 9);
  EXPECT_EQ(trace->bad_rows[3].reason, "asks for 2 MIG devices; a trace row is one instance");
}

TEST(SacctTest, AMissingColumnNamesIt) {
  EXPECT_THAT(ParseSacct("JobID|Submit|Start|End\n", "s.txt"),
              HasError(StatusCode::kInvalidArgument, "s.txt:1: missing column 'AllocTRES'"));
}

TEST(SacctTest, MigProfileOfType) {
  EXPECT_EQ(MigProfileOfType("a100_3g.40gb"), "3g.40gb");
  EXPECT_EQ(MigProfileOfType("1g.10gb"), "1g.10gb");
  EXPECT_EQ(MigProfileOfType("a100"), "");
  EXPECT_EQ(MigProfileOfType("h100_80gb"), "");
}

constexpr std::string_view kPods = R"({"items": [
 {"metadata": {"name": "bert", "namespace": "serve", "creationTimestamp": "2024-03-01T12:00:00Z"},
  "spec": {"priority": 5, "containers": [{"resources": {"limits": {"nvidia.com/mig-2g.20gb": "1"}}}]},
  "status": {"startTime": "2024-03-01T12:00:30Z",
             "containerStatuses": [{"state": {"terminated": {"finishedAt": "2024-03-01T12:10:30Z"}}}]}},
 {"metadata": {"name": "ft", "namespace": "ml", "creationTimestamp": "2024-03-01T12:05:00Z"},
  "spec": {"containers": [{"resources": {"requests": {"nvidia.com/gpu": 2}}}]},
  "status": {"startTime": "2024-03-01T12:05:00Z",
             "containerStatuses": [{"state": {"terminated": {"finishedAt": "2024-03-01T14:05:00Z"}}}]}},
 {"metadata": {"name": "web", "namespace": "serve", "creationTimestamp": "2024-03-01T12:00:00Z"},
  "spec": {"containers": [{"resources": {}}]}, "status": {}},
 {"metadata": {"name": "live", "namespace": "serve", "creationTimestamp": "2024-03-01T12:00:00Z"},
  "spec": {"containers": [{"resources": {"limits": {"nvidia.com/gpu": "1"}}}]},
  "status": {"startTime": "2024-03-01T12:00:01Z", "containerStatuses": [{"state": {"running": {}}}]}},
 {"metadata": {"name": "odd", "namespace": "serve", "creationTimestamp": "2024-03-01T12:00:00Z"},
  "spec": {"containers": [{"resources": {"limits": {"nvidia.com/mig-big": "1"}}}]}, "status": {}}
]})";

TEST(KubectlPodsTest, PodsWithGpusAreJobsAndBadPodsAreNamed) {
  Result<Trace> trace = ParseKubectlPods(kPods, "pods.json");
  ASSERT_THAT(trace, IsOk());
  ASSERT_EQ(trace->jobs.size(), 2u);
  const TraceJob& bert = trace->jobs[0];
  EXPECT_EQ(bert.name, "serve/bert");
  EXPECT_EQ(bert.profile, "2g.20gb");
  EXPECT_EQ(bert.submit_ms, 0);
  EXPECT_EQ(bert.duration_ms, 600'000);
  EXPECT_EQ(bert.priority, 5);
  EXPECT_EQ(bert.tenant, "serve");
  const TraceJob& ft = trace->jobs[1];
  EXPECT_EQ(ft.submit_ms, 300'000);
  EXPECT_EQ(ft.num_gpu, 2);
  EXPECT_EQ(ft.duration_ms, 7200'000);
  EXPECT_EQ(trace->cpu_only_rows, 1);
  ASSERT_EQ(trace->bad_rows.size(), 2u);
  EXPECT_EQ(trace->bad_rows[0].line, 4);
  EXPECT_EQ(trace->bad_rows[0].reason,
            "pod serve/live: still running (a container has no state.terminated.finishedAt)");
  EXPECT_EQ(trace->bad_rows[1].line, 5);
  EXPECT_EQ(trace->bad_rows[1].reason, "pod serve/odd: nvidia.com/mig-big names no standard MIG profile");
}

TEST(KubectlPodsTest, NotAPodListIsAnError) {
  EXPECT_THAT(ParseKubectlPods("{}", "p.json"), HasError(StatusCode::kInvalidArgument, "no 'items' array"));
  EXPECT_THAT(ParseKubectlPods("[", "p.json"), HasError(StatusCode::kInvalidArgument, "not JSON"));
}

TEST(GenericWriterTest, ImportedJobsReadBackTheSame) {
  const Trace pods = ParseKubectlPods(kPods, "pods.json").value();
  const Trace sacct = ParseSacct(kSacct, "sacct.txt").value();
  for (const Trace* trace : {&pods, &sacct}) {
    const std::string csv = WriteGenericCsv(*trace);
    Result<Trace> back = ParseGenericCsv(csv, "out.csv");
    ASSERT_THAT(back, IsOk());
    EXPECT_TRUE(back->bad_rows.empty()) << csv;
    ASSERT_EQ(back->jobs.size(), trace->jobs.size());
    for (size_t i = 0; i < back->jobs.size(); ++i) {
      const TraceJob& a = trace->jobs[i];
      const TraceJob& b = back->jobs[i];
      EXPECT_EQ(std::tie(a.name, a.submit_ms, a.duration_ms, a.num_gpu, a.gpu_milli, a.profile, a.kind, a.priority,
                         a.tenant),
                std::tie(b.name, b.submit_ms, b.duration_ms, b.num_gpu, b.gpu_milli, b.profile, b.kind, b.priority,
                         b.tenant))
          << csv;
    }
  }
}

TEST(GenericWriterTest, KeepsMillisecondsAndCleansNames) {
  Trace trace;
  TraceJob job;
  job.name = "a,b\"c";
  job.submit_ms = 12'500;
  job.duration_ms = 3'000;
  job.gpu_milli = 250;
  trace.jobs.push_back(job);
  EXPECT_EQ(WriteGenericCsv(trace),
            "name,submit_s,duration_s,num_gpu,gpu_milli,memory_mib,profile,kind,priority,tenant\n"
            "a_b_c,12.5,3,1,250,,,inference,0,\n");
}

}  // namespace
}  // namespace migsched::trace
