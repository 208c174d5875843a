#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/plan_inputs.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

Result<std::vector<plan::Workload>> Yaml(std::string_view text) {
  return ParseWorkloadsYaml(BuiltinCatalogForTest(), text, "w.yaml");
}
Result<std::vector<plan::Workload>> Csv(std::string_view text) {
  return ParseWorkloadsCsv(BuiltinCatalogForTest(), text, "w.csv");
}

TEST(WorkloadReaderTest, IssueMinimalSchema) {
  Result<std::vector<plan::Workload>> w = Yaml(
      "workloads:\n"
      "  - {name: bert-large, replicas: 12, memory_gib: 9, min_compute_slices: 1, kind: inference}\n"
      "  - {name: llama-ft, replicas: 2, memory_gib: 60, kind: training}\n");
  ASSERT_THAT(w, IsOk());
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ((*w)[0].name, "bert-large");
  EXPECT_EQ((*w)[0].replicas, 12);
  EXPECT_EQ((*w)[0].memory_mib, 9 * 1024);
  EXPECT_EQ((*w)[0].min_compute_slices, 1);
  EXPECT_EQ((*w)[0].source, "w.yaml:2");
  EXPECT_EQ((*w)[1].kind, plan::WorkloadKind::kTraining);
}

TEST(WorkloadReaderTest, AllFieldsAndModelAliasesResolve) {
  Result<std::vector<plan::Workload>> w = Yaml(
      "workloads:\n"
      "  - name: rn50\n"
      "    demand_rps: 1500.5\n"
      "    memory_mib: 3000\n"
      "    priority: 3\n"
      "    tenant: vision\n"
      "    allowed_models: [h100-80gb, A100-40GB]\n"
      "    max_latency_ms: 20\n"
      "    perf_key: resnet50\n"
      "    require_labels: [inference, eu]\n");
  ASSERT_THAT(w, IsOk());
  const plan::Workload& r = (*w)[0];
  EXPECT_EQ(r.require_labels, (std::vector<std::string>{"inference", "eu"}));
  EXPECT_DOUBLE_EQ(*r.demand_rps, 1500.5);
  EXPECT_EQ(r.memory_mib, 3000);
  EXPECT_EQ(r.priority, 3);
  EXPECT_EQ(r.tenant, "vision");
  EXPECT_EQ(r.allowed_models, (std::vector<std::string>{"H100-80GB", "A100-40GB"}));
  EXPECT_DOUBLE_EQ(*r.max_latency_ms, 20);
  EXPECT_EQ(r.PerfKey(), "resnet50");
}

TEST(WorkloadReaderTest, CsvListsRequiredLabelsWithSemicolons) {
  Result<std::vector<plan::Workload>> w = Csv("name,replicas,memory_gib,require_labels\nbert,2,9,inference;eu\nfree,1,9,\n");
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ((*w)[0].require_labels, (std::vector<std::string>{"inference", "eu"}));
  EXPECT_TRUE((*w)[1].require_labels.empty());
}

TEST(WorkloadReaderTest, Issue14SpreadLimitsAreReadAndCheckedNamingTheLine) {
  Result<std::vector<plan::Workload>> w =
      Yaml("workloads:\n  - {name: svc, replicas: 4, memory_gib: 9, max_per_gpu: 1, max_per_node: 2}\n"
           "  - {name: free, replicas: 1, memory_gib: 9}\n");
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ((*w)[0].max_per_gpu, 1);
  EXPECT_EQ((*w)[0].max_per_node, 2);
  EXPECT_EQ((*w)[1].max_per_gpu, 0);  // no limit
  EXPECT_EQ((*w)[1].max_per_node, 0);
  EXPECT_THAT(Yaml("workloads:\n  - {name: svc, replicas: 4, memory_gib: 9, max_per_gpu: 0}\n"),
              HasError(StatusCode::kInvalidArgument, "w.yaml:2: 'max_per_gpu' must be between 1"));
  EXPECT_THAT(Csv("name,replicas,memory_gib,max_per_node\nsvc,2,9,-1\n"),
              HasError(StatusCode::kInvalidArgument, "'max_per_node' must be between 1"));
}

TEST(WorkloadReaderTest, JsonReadsLikeYaml) {
  Result<std::vector<plan::Workload>> w = Yaml(
      R"({"workloads": [{"name": "a", "replicas": 3, "memory_gib": 1.5, "kind": "training"}]})");
  ASSERT_THAT(w, IsOk());
  EXPECT_EQ((*w)[0].memory_mib, 1536);
  EXPECT_EQ((*w)[0].kind, plan::WorkloadKind::kTraining);
}

TEST(WorkloadReaderTest, CsvWithHeaderRow) {
  Result<std::vector<plan::Workload>> w = Csv(
      "# the mix\n"
      "name,replicas,memory_gib,kind,allowed_models\n"
      "bert,12,9,inference,\n"
      "\"llama, ft\",2,60,training,H100-80GB;A100-80GB\n");
  ASSERT_THAT(w, IsOk());
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ((*w)[1].name, "llama, ft");
  EXPECT_EQ((*w)[1].source, "w.csv:4");
  EXPECT_EQ((*w)[1].allowed_models.size(), 2u);
  EXPECT_TRUE((*w)[0].allowed_models.empty());
}

TEST(WorkloadReaderTest, ErrorsNameFileLineAndWorkload) {
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: -3, memory_gib: 1}\n"),
              HasError(StatusCode::kInvalidArgument, "w.yaml:2: 'replicas' must be between 0"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: 1, memory_gib: 1e9}\n"),
              HasError(StatusCode::kInvalidArgument, "(workload 'a')"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: 1}\n"),
              HasError(StatusCode::kInvalidArgument, "w.yaml:2: workload 'a': needs memory_gib"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: 1, memory_gib: 1, kind: batch}\n"),
              HasError(StatusCode::kInvalidArgument, "kind must be inference or training"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: 1, memory_gib: 1, allowed_models: [X9]}\n"),
              HasError(StatusCode::kNotFound, "w.yaml:2: workload 'a'"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: 1, memory_gib: 1}\n"
                   "  - {name: a, replicas: 2, memory_gib: 1}\n"),
              HasError(StatusCode::kInvalidArgument,
                       "w.yaml:3: duplicate workload name 'a' (first at w.yaml:2)"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: a, replicas: 1, memory_gib: 1, colour: red}\n"),
              HasError(StatusCode::kInvalidArgument, "unknown key 'colour'"));
  EXPECT_THAT(Csv("name,replicas,memory_gib\na,1\n"),
              HasError(StatusCode::kInvalidArgument, "w.csv:2: 2 cells, the header has 3"));
  EXPECT_THAT(Csv("name,replicas,memory_gib\na,lots,1\n"),
              HasError(StatusCode::kInvalidArgument, "w.csv:2: 'replicas' must be an integer"));
  EXPECT_THAT(Csv("name,size\n"), HasError(StatusCode::kInvalidArgument, "unknown column 'size'"));
}

// Issue 16: a CSV file with a UTF-8 BOM was refused ("unknown column").
TEST(WorkloadReaderTest, CsvAndYamlWithAUtf8ByteOrderMarkRead) {
  ASSERT_THAT(Csv("\xEF\xBB\xBFname,replicas,memory_gib\na,1,1\n"), IsOk());
  ASSERT_THAT(Yaml("\xEF\xBB\xBFworkloads:\n  - {name: a, replicas: 1, memory_gib: 1}\n"), IsOk());
}

// Issue 16: a 200 kB bad value was echoed in full.
TEST(WorkloadReaderTest, ErrorsQuoteAtMostEightyBytesOfABadValue) {
  const std::string big(200'000, '9');
  const Result<std::vector<plan::Workload>> w =
      Yaml("workloads:\n  - {name: a, replicas: 1, memory_gib: 1, kind: " + big + "}\n");
  EXPECT_THAT(w, HasError(StatusCode::kInvalidArgument,
                          "kind must be inference or training, not '" + big.substr(0, 80) + "...' (200000 bytes)"));
  EXPECT_THAT(Csv("name,replicas,memory_gib\na," + big + ",1\n"),
              HasError(StatusCode::kInvalidArgument, "w.csv:2: 'replicas' must be an integer, not '999"));
  EXPECT_LT(Csv("name,replicas,memory_gib\na," + big + ",1\n").error().message().size(), 200u);
}

// Issue 16: 10,000-deep nesting said only "w.yaml:1: bad file". (The line
// is yaml-cpp's scanner position, which has read ahead to the end.)
TEST(WorkloadReaderTest, DeepNestingNamesTheDepthAndLine) {
  EXPECT_THAT(Yaml("workloads:\n  - " + std::string(10000, '[') + std::string(10000, ']') + "\n"),
              HasError(StatusCode::kInvalidArgument, "w.yaml:3: YAML nested too deeply (500 levels)"));
}

// Issue 16: names are checked where they enter; workload names reach only
// escaping writers (JSON, SVG), so only control characters are refused.
TEST(WorkloadReaderTest, WorkloadNamesWithControlCharactersAreRejected) {
  EXPECT_THAT(Yaml("workloads:\n  - {name: \"a\\nb\", replicas: 1, memory_gib: 1}\n"),
              HasError(StatusCode::kInvalidArgument, "w.yaml:2: workload name 'a\nb' is not a valid name"));
  EXPECT_THAT(Csv("name,replicas,memory_gib\n\"a\tb\",1,1\n"),
              HasError(StatusCode::kInvalidArgument, "w.csv:2: workload name 'a\tb' is not a valid name"));
  EXPECT_THAT(Yaml("workloads:\n  - {name: \"a: b = \\\"c\\\" <d>\", replicas: 1, memory_gib: 1}\n"), IsOk());
}

}  // namespace
}  // namespace migsched::io
