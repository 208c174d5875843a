#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "io/plan_inputs.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

TEST(PerfTableReaderTest, CsvAndYamlRead) {
  Result<plan::PerfTable> csv = ParsePerfTableCsv(BuiltinCatalogForTest(),
                                                  "key,gpu,profile,throughput_rps,p99_ms\n"
                                                  "bert,A100-40GB,1g.5gb,120.5,9\n"
                                                  "bert,A100-40GB,whole,900,\n",
                                                  "p.csv");
  ASSERT_THAT(csv, IsOk());
  ASSERT_EQ(csv->entries.size(), 2u);
  EXPECT_DOUBLE_EQ(csv->Find("bert", "a100-40gb", "1g.5gb")->throughput_rps, 120.5);
  EXPECT_FALSE(csv->entries[1].p99_latency_ms);
  Result<plan::PerfTable> yaml = ParsePerfTableYaml(
      BuiltinCatalogForTest(),
      "source: test\nentries:\n  - {key: rn50, gpu: A100-40GB, profile: 7g.40gb, throughput_rps: 3000}\n",
      "p.yaml");
  ASSERT_THAT(yaml, IsOk());
  EXPECT_TRUE(yaml->HasKey("rn50"));
}

TEST(PerfTableReaderTest, ErrorsNameFileLine) {
  EXPECT_THAT(ParsePerfTableCsv(BuiltinCatalogForTest(),
                                "key,gpu,profile,throughput_rps\nb,A100-40GB,9g.1gb,1\n", "p.csv"),
              HasError(StatusCode::kNotFound, "p.csv:2: unknown profile '9g.1gb'"));
  EXPECT_THAT(ParsePerfTableCsv(BuiltinCatalogForTest(),
                                "key,gpu,profile,throughput_rps\nb,Z1,1g.5gb,1\n", "p.csv"),
              HasError(StatusCode::kNotFound, "p.csv:2"));
  EXPECT_THAT(ParsePerfTableCsv(BuiltinCatalogForTest(),
                                "key,gpu,profile,throughput_rps\nb,A100-40GB,1g.5gb,-4\n", "p.csv"),
              HasError(StatusCode::kInvalidArgument, "p.csv:2: 'throughput_rps' must be between"));
  EXPECT_THAT(ParsePerfTableCsv(BuiltinCatalogForTest(),
                                "key,gpu,profile,throughput_rps\nb,A100-40GB,1g.5gb,4\n"
                                "b,A100-40GB,1g.5gb,5\n",
                                "p.csv"),
              HasError(StatusCode::kInvalidArgument, "p.csv:3: duplicate entry"));
}

TEST(PerfTableReaderTest, ShippedTableReads) {
  const std::string path = "data/perf/mig_inference_perf.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found (run from the repo root)";
  Result<plan::PerfTable> table = ReadPerfTableFile(BuiltinCatalogForTest(), path);
  ASSERT_THAT(table, IsOk());
  EXPECT_GT(table->entries.size(), 10u);
}

}  // namespace
}  // namespace migsched::io
