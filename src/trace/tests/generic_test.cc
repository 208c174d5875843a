#include "trace/generic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace migsched::trace {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

TEST(GenericTraceTest, CsvRowsBecomeJobsInSubmitOrder) {
  const Result<Trace> trace = ParseGenericCsv(
      "name,submit_s,duration_s,end_s,num_gpu,gpu_milli,memory_mib,kind,priority,tenant\n"
      "late,10.5,60,,1,250,,,2,team-a\n"
      "early,1,,31.25,2,,,,,\n"
      "mem,2,5,,,,30000,service,,\n",
      "t.csv");
  ASSERT_THAT(trace, IsOk());
  ASSERT_EQ(trace->jobs.size(), 3u);
  EXPECT_TRUE(trace->bad_rows.empty());
  const TraceJob& early = trace->jobs[0];
  EXPECT_EQ(early.name, "early");
  EXPECT_EQ(early.duration_ms, 30'250);  // end_s - submit_s
  EXPECT_EQ(early.num_gpu, 2);
  EXPECT_EQ(early.gpu_milli, 1000);
  EXPECT_EQ(early.kind, JobKind::kTraining);
  const TraceJob& mem = trace->jobs[1];
  EXPECT_EQ(mem.gpu_memory_mib, 30000);
  EXPECT_EQ(mem.gpu_milli, 1);  // memory alone: the least compute
  EXPECT_EQ(mem.kind, JobKind::kInference);
  const TraceJob& late = trace->jobs[2];
  EXPECT_EQ(late.submit_ms, 10'500);
  EXPECT_EQ(late.priority, 2);
  EXPECT_EQ(late.tenant, "team-a");
  EXPECT_EQ(late.source_line, 2);
}

TEST(GenericTraceTest, BadRowsAreCountedWithTheirLines) {
  const Result<Trace> trace = ParseGenericCsv(
      "submit_s,duration_s,gpu_milli,num_gpu\n"
      "0,10,100,1\n"
      "-1,10,100,1\n"
      "0,1.2345,100,1\n"
      "0,10,0,1\n"
      "0,10,500,2\n"
      "0,,100,1\n"
      "0,10\n",
      "t.csv");
  ASSERT_THAT(trace, IsOk());
  EXPECT_EQ(trace->jobs.size(), 1u);
  ASSERT_EQ(trace->bad_rows.size(), 6u);
  EXPECT_EQ(trace->bad_rows[0].line, 3);
  EXPECT_THAT(trace->bad_rows[0].reason, ::testing::HasSubstr("submit_s '-1'"));
  EXPECT_THAT(trace->bad_rows[1].reason, ::testing::HasSubstr("duration_s '1.2345'"));
  EXPECT_THAT(trace->bad_rows[2].reason, ::testing::HasSubstr("gpu_milli '0'"));
  EXPECT_THAT(trace->bad_rows[3].reason, ::testing::HasSubstr("asks for a fraction"));
  EXPECT_EQ(trace->bad_rows[4].reason, "missing duration_s and end_s");
  EXPECT_EQ(trace->bad_rows[5].line, 8);
}

TEST(GenericTraceTest, HeaderErrorsNameTheMissingColumns) {
  EXPECT_THAT(ParseGenericCsv("duration_s,gpu_milli\n", "t.csv"),
              HasError(StatusCode::kInvalidArgument, "t.csv:1: missing column 'submit_s'"));
  EXPECT_THAT(ParseGenericCsv("submit_s,gpu_milli\n", "t.csv"),
              HasError(StatusCode::kInvalidArgument, "t.csv:1: missing column 'duration_s' or 'end_s'"));
  EXPECT_THAT(ParseGenericCsv("submit_s,end_s\n", "t.csv"),
              HasError(StatusCode::kInvalidArgument, "t.csv:1: missing column 'gpu_milli', 'memory_mib', 'num_gpu' or 'profile'"));
}

TEST(GenericTraceTest, JsonLinesShareTheCsvRules) {
  const Result<Trace> trace = ParseGenericJsonLines(
      "{\"name\": \"a\", \"submit_s\": 1.5, \"duration_s\": 60, \"gpu_milli\": 250, \"tenant\": \"t\"}\n"
      "\n"
      "not json\n"
      "{\"submit_s\": 0, \"end_s\": 5, \"memory_mib\": [1]}\n"
      "{\"submit_s\": 0, \"end_s\": 5, \"gpu_milli\": 1001}\n"
      "{\"submit_s\": \"2\", \"end_s\": 5, \"num_gpu\": 4}\n",
      "t.jsonl");
  ASSERT_THAT(trace, IsOk());
  ASSERT_EQ(trace->jobs.size(), 2u);
  EXPECT_EQ(trace->jobs[0].submit_ms, 1500);
  EXPECT_EQ(trace->jobs[0].tenant, "t");
  EXPECT_EQ(trace->jobs[1].num_gpu, 4);
  EXPECT_EQ(trace->jobs[1].duration_ms, 3000);
  ASSERT_EQ(trace->bad_rows.size(), 3u);
  EXPECT_EQ(trace->bad_rows[0].line, 3);
  EXPECT_EQ(trace->bad_rows[0].reason, "not a JSON object");
  EXPECT_EQ(trace->bad_rows[1].reason, "memory_mib is neither a number nor a string");
  EXPECT_EQ(trace->bad_rows[2].line, 5);
}

}  // namespace
}  // namespace migsched::trace
