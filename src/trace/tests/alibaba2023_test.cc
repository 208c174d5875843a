#include "trace/alibaba2023.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/status_matchers.h"

namespace migsched::trace {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

constexpr char kHeader[] =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
    "scheduled_time\n";

TEST(AlibabaPodsTest, ReadsJobsAndReportsEveryBadRowWithItsLine) {
  const std::string text = std::string(kHeader) +
      "pod-a,12000,16384,1,460,,LS,Running,100,700,105\n"      // line 2: good, runs 595 s
      "pod-b,4000,100,0,0,,BE,Running,50,60,50\n"              // line 3: CPU only
      "pod-c,4000,100,1,,,BE,Running,50,60,50\n"               // line 4: missing gpu_milli
      "pod-d,4000,100,1,500,,BE,Running,-5,60,\n"              // line 5: negative creation
      "pod-e,4000,100\n"                                       // line 6: too few fields
      "pod-f,4000,100,8,1000,,BE,Pending,40,90,\n"             // line 7: good gang, never scheduled
      "pod-g,4000,100,1,1500,,BE,Running,1,2,1\n"              // line 8: gpu_milli > 1000
      "pod-h,4000,100,2,500,,BE,Running,1,2,1\n"               // line 9: fractional gang
      "pod-i,4000,100,1,500,,BE,Running,10,5,10\n"             // line 10: deletion before start
      "pod-j,4000,100,x1,500,,BE,Running,10,50,10\n"           // line 11: garbage num_gpu
      "\n"
      "pod-k,4000,100,1,500,,BE,Running,10,50,9\n";            // line 13: scheduled before creation
  Result<Trace> trace = ParseAlibabaPods(text, "pods.csv");
  ASSERT_THAT(trace, IsOk());
  ASSERT_EQ(trace->jobs.size(), 2u);
  EXPECT_EQ(trace->cpu_only_rows, 1);
  // Sorted by submit time: pod-f (40 s) before pod-a (100 s).
  const TraceJob& gang = trace->jobs[0];
  EXPECT_EQ(gang.name, "pod-f");
  EXPECT_EQ(gang.id, 0);
  EXPECT_EQ(gang.submit_ms, 40'000);
  EXPECT_EQ(gang.duration_ms, 50'000);
  EXPECT_EQ(gang.num_gpu, 8);
  EXPECT_EQ(gang.kind, JobKind::kTraining);
  EXPECT_EQ(gang.source_line, 7);
  const TraceJob& shared = trace->jobs[1];
  EXPECT_EQ(shared.name, "pod-a");
  EXPECT_EQ(shared.submit_ms, 100'000);
  EXPECT_EQ(shared.duration_ms, 595'000);
  EXPECT_EQ(shared.gpu_milli, 460);
  EXPECT_EQ(shared.kind, JobKind::kInference);
  EXPECT_EQ(shared.DemandMilli(), 460);

  std::vector<int> lines;
  for (const RowIssue& issue : trace->bad_rows) lines.push_back(issue.line);
  EXPECT_EQ(lines, (std::vector<int>{4, 5, 6, 8, 9, 10, 11, 13}));
  EXPECT_EQ(trace->bad_rows[0].reason, "gpu_milli '' is not an integer");
  EXPECT_EQ(trace->bad_rows[1].reason, "negative creation_time -5");
  EXPECT_EQ(trace->bad_rows[2].reason, "expected 11 fields, found 3");
  EXPECT_EQ(trace->bad_rows[3].reason, "gpu_milli 1500 outside 1..1000");
  EXPECT_EQ(trace->bad_rows[4].reason, "a gang of 2 GPUs asks for a fraction (gpu_milli 500)");
  EXPECT_EQ(trace->bad_rows[5].reason, "deletion_time 5 before start 10");
  EXPECT_EQ(trace->bad_rows[6].reason, "num_gpu 'x1' is not an integer");
  EXPECT_EQ(trace->bad_rows[7].reason, "scheduled_time 9 before creation_time 10");
}

TEST(AlibabaPodsTest, MissingColumnNamesIt) {
  EXPECT_THAT(ParseAlibabaPods("name,num_gpu,gpu_milli\n", "p.csv"),
              HasError(StatusCode::kInvalidArgument, "p.csv:1: missing column 'creation_time'"));
  EXPECT_THAT(ParseAlibabaPods("", "p.csv"), HasError(StatusCode::kInvalidArgument, "p.csv:1: empty file"));
}

// Issue 16: CSV files with a UTF-8 BOM were refused by some readers.
TEST(AlibabaPodsTest, AUtf8ByteOrderMarkIsSkipped) {
  const std::string row = "pod-a,12000,16384,1,460,,LS,Running,100,700,105\n";
  Result<Trace> trace = ParseAlibabaPods("\xEF\xBB\xBF" + std::string(kHeader) + row, "p.csv");
  ASSERT_THAT(trace, IsOk());
  EXPECT_EQ(trace->jobs.size(), 1u);
  Result<NodeList> nodes = ParseAlibabaNodes("\xEF\xBB\xBFsn,cpu_milli,memory_mib,gpu,model\nn0,1,1,2,P100\n", "n.csv");
  ASSERT_THAT(nodes, IsOk());
  EXPECT_EQ(nodes->TotalGpus(), 2);
}

TEST(AlibabaPodsTest, UnreadableFileIsNotFound) {
  EXPECT_THAT(LoadAlibabaPods("/nonexistent/pods.csv"),
              HasError(StatusCode::kNotFound, "cannot read '/nonexistent/pods.csv'"));
}

TEST(AlibabaPodsTest, LoadsAFileWrittenByTheTest) {
  const std::string path = ::testing::TempDir() + "/alibaba_pods_test.csv";
  {
    std::ofstream out(path);
    out << kHeader << "pod-a,1,1,1,230,,LS,Running,3,9,3\r\n";
  }
  Result<Trace> trace = LoadAlibabaPods(path);
  ASSERT_THAT(trace, IsOk());
  ASSERT_EQ(trace->jobs.size(), 1u);
  EXPECT_EQ(trace->jobs[0].duration_ms, 6000);
  EXPECT_EQ(trace->source, path);
}

TEST(AlibabaNodesTest, ReadsGpuNodesAndCountsTheRest) {
  const std::string text =
      "sn,cpu_milli,memory_mib,gpu,model\n"
      "n0,64000,262144,2,P100\n"
      "n1,32000,262144,0,\n"
      "n2,96000,786432,8,V100M32\n"
      "n3,96000,786432,-1,V100M32\n"
      ",96000,786432,8,T4\n";
  Result<NodeList> nodes = ParseAlibabaNodes(text, "nodes.csv");
  ASSERT_THAT(nodes, IsOk());
  ASSERT_EQ(nodes->nodes.size(), 2u);
  EXPECT_EQ(nodes->TotalGpus(), 10);
  EXPECT_EQ(nodes->gpu_less_rows, 1);
  ASSERT_EQ(nodes->bad_rows.size(), 2u);
  EXPECT_EQ(nodes->bad_rows[0].line, 5);
  EXPECT_EQ(nodes->bad_rows[1].reason, "missing sn");
  EXPECT_EQ(NodeListBeside("data/x/openb_pod_list_default.csv"), "data/x/openb_node_list_gpu_node.csv");
}

// The real trace, when the shared data is present: the counts the upstream
// README states (8,152 pods, 6,212 GPUs on 1,213 GPU nodes).
TEST(AlibabaRealTraceTest, DefaultTraceLoadsWithoutBadRows) {
  const std::string dir = "../shared/data/alibaba_gpu_v2023";
  if (!std::filesystem::exists(dir + "/openb_pod_list_default.csv")) {
    GTEST_SKIP() << "shared data absent: " << dir << " (run from the repository root beside shared/)";
  }
  Result<Trace> trace = LoadAlibabaPods(dir + "/openb_pod_list_default.csv");
  ASSERT_THAT(trace, IsOk());
  EXPECT_TRUE(trace->bad_rows.empty()) << trace->bad_rows.front().line << ": " << trace->bad_rows.front().reason;
  EXPECT_EQ(static_cast<int64_t>(trace->jobs.size()) + trace->cpu_only_rows, 8152);
  EXPECT_EQ(trace->cpu_only_rows, 1088);
  Result<NodeList> nodes = LoadAlibabaNodes(NodeListBeside(dir + "/openb_pod_list_default.csv"));
  ASSERT_THAT(nodes, IsOk());
  EXPECT_EQ(nodes->TotalGpus(), 6212);
  EXPECT_EQ(nodes->nodes.size(), 1213u);
}

}  // namespace
}  // namespace migsched::trace
