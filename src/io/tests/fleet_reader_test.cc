#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/plan_inputs.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using ::migsched::testing::BuiltinCatalogForTest;
using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

Result<fleet::Fleet> Parse(std::string_view text) {
  return ParseFleet(BuiltinCatalogForTest(), text, "fleet.yaml");
}

TEST(FleetReaderTest, IssueMinimalSchema) {
  Result<fleet::Fleet> f = Parse(
      "nodes:\n"
      "  - name: node-1\n"
      "    gpus:\n"
      "      - {model: H100-80GB, count: 8}\n");
  ASSERT_THAT(f, IsOk());
  ASSERT_EQ(f->gpus.size(), 8u);
  EXPECT_EQ(f->gpus[7].node, "node-1");
  EXPECT_EQ(f->gpus[7].index, 7);
  EXPECT_EQ(f->gpus[7].model->name, "H100-80GB");
  EXPECT_FALSE(f->gpus[0].mig_enabled);
}

// Issue 14: a GPU without `current:` or `mig_enabled` is as it leaves the
// factory, MIG disabled (it was read as MIG-on and empty); instances imply
// MIG on.
TEST(FleetReaderTest, Issue14GpusWithoutCurrentAreInFactoryStateMigOff) {
  Result<fleet::Fleet> f = Parse(
      "nodes:\n"
      "  - name: n1\n"
      "    gpus: [{model: A100-40GB, count: 4}]\n"
      "    current:\n"
      "      - {gpu: 0}\n"
      "      - {gpu: 1, mig_enabled: true}\n"
      "      - {gpu: 2, instances: [{profile: 7g.40gb, start: 0}]}\n");
  ASSERT_THAT(f, IsOk());
  EXPECT_FALSE(f->gpus[0].mig_enabled);
  EXPECT_TRUE(f->gpus[1].mig_enabled);
  EXPECT_TRUE(f->gpus[2].mig_enabled);
  EXPECT_FALSE(f->gpus[3].mig_enabled);
}

TEST(FleetReaderTest, ShorthandForManyNodesAndMixedModels) {
  Result<fleet::Fleet> f = Parse(
      "nodes:\n"
      "  - {name_prefix: node, count: 1000, labels: [pool-a],\n"
      "     gpus: [{model: H100-80GB, count: 4}, {model: A100-40GB, count: 4}]}\n");
  ASSERT_THAT(f, IsOk());
  ASSERT_EQ(f->gpus.size(), 8000u);
  EXPECT_EQ(f->gpus[7999].node, "node-1000");
  EXPECT_EQ(f->gpus[7999].model->name, "A100-40GB");
  EXPECT_EQ(f->gpus[4].index, 4);
  EXPECT_EQ(f->gpus[0].labels, std::vector<std::string>{"pool-a"});
}

TEST(FleetReaderTest, JsonWorksToo) {
  Result<fleet::Fleet> f =
      Parse(R"({"nodes": [{"name": "n1", "gpus": [{"model": "A100-40GB", "count": 2}]}]})");
  ASSERT_THAT(f, IsOk());
  EXPECT_EQ(f->gpus.size(), 2u);
}

TEST(FleetReaderTest, CurrentLayoutsWithBusyInstances) {
  Result<fleet::Fleet> f = Parse(
      "nodes:\n"
      "  - name: n1\n"
      "    gpus: [{model: A100-40GB, count: 2}]\n"
      "    current:\n"
      "      - gpu: 0\n"
      "        instances:\n"
      "          - {profile: 3g.20gb, start: 4, workload: bert, busy: true}\n"
      "          - {profile: 4g.20gb, start: 0}\n"
      "      - {gpu: 1, mig_enabled: false, workload: train, busy: true}\n");
  ASSERT_THAT(f, IsOk());
  ASSERT_EQ(f->gpus[0].instances.size(), 2u);
  EXPECT_EQ(f->gpus[0].instances[0].workload, "bert");
  EXPECT_TRUE(f->gpus[0].instances[0].busy);
  EXPECT_EQ(f->gpus[0].instances[0].instance.placement.start, 4);
  EXPECT_FALSE(f->gpus[0].instances[1].busy);
  EXPECT_FALSE(f->gpus[1].mig_enabled);
  EXPECT_EQ(f->gpus[1].whole_gpu_workload, "train");
  EXPECT_TRUE(f->gpus[1].whole_gpu_busy);
}

TEST(FleetReaderTest, UnknownGpuNamesFileLine) {
  EXPECT_THAT(Parse("nodes:\n  - name: n1\n    gpus:\n      - {model: A100X, count: 1}\n"),
              HasError(StatusCode::kNotFound, "fleet.yaml:4: "));
}

TEST(FleetReaderTest, UnknownProfileNamesNodeAndGpu) {
  EXPECT_THAT(Parse("nodes:\n"
                    "  - name: n1\n"
                    "    gpus: [{model: A100-40GB}]\n"
                    "    current:\n"
                    "      - gpu: 0\n"
                    "        instances: [{profile: 9g.99gb, start: 0}]\n"),
              HasError(StatusCode::kNotFound, "fleet.yaml:6: node 'n1' gpu 0: unknown profile '9g.99gb'"));
}

TEST(FleetReaderTest, InvalidCurrentLayoutIsRejectedNamingNodeAndGpu) {
  EXPECT_THAT(Parse("nodes:\n"
                    "  - name: n7\n"
                    "    gpus: [{model: A100-40GB, count: 2}]\n"
                    "    current:\n"
                    "      - gpu: 1\n"
                    "        instances: [{profile: 4g.20gb, start: 0}, {profile: 3g.20gb, start: 0}]\n"),
              HasError(StatusCode::kInvalidArgument, "node 'n7' gpu 1: invalid current layout"));
  EXPECT_THAT(Parse("nodes:\n"
                    "  - name: n7\n"
                    "    gpus: [{model: A100-40GB}]\n"
                    "    current: [{gpu: 0, instances: [{profile: 3g.20gb, start: 9}]}]\n"),
              HasError(StatusCode::kInvalidArgument, "node 'n7' gpu 0: invalid current layout"));
}

TEST(FleetReaderTest, AFleetWithoutNodesIsAnError) {
  EXPECT_THAT(Parse("# nothing yet\nnodes: []\n"),
              HasError(StatusCode::kInvalidArgument, "fleet.yaml:2: 'nodes' is empty"));
  EXPECT_THAT(Parse(R"({"nodes": []})"), HasError(StatusCode::kInvalidArgument, "fleet.yaml:1: 'nodes' is empty"));
}

// Issue 16 (found by fleet_fuzzer): yaml-cpp's LoadAll looped forever, growing
// to gigabytes, on a ',' outside a flow collection.
TEST(FleetReaderTest, AStrayCommaIsAnErrorNotAHang) {
  for (std::string_view text : {",", "\"a\",\n", ", co# Two nodes\n 0A100-40GB-b, gpB, cou;es 0}]}\n"}) {
    EXPECT_THAT(Parse(text), HasError(StatusCode::kInvalidArgument, "fleet.yaml:1: YAML the parser cannot get past"))
        << text;
  }
}

TEST(FleetReaderTest, BadNumbersAndNamesAreRejected) {
  EXPECT_THAT(Parse("nodes:\n  - name: n1\n    gpus: [{model: A100-40GB, count: -1}]\n"),
              HasError(StatusCode::kInvalidArgument, "fleet.yaml:3"));
  EXPECT_THAT(Parse("nodes:\n  - name: n1\n    gpus: [{model: A100-40GB, count: 500}]\n"),
              HasError(StatusCode::kInvalidArgument, "a node has 1 to 64 GPUs"));
  EXPECT_THAT(Parse("nodes:\n  - {name: n1, gpus: [{model: A100-40GB}]}\n"
                    "  - {name: n1, gpus: [{model: A100-40GB}]}\n"),
              HasError(StatusCode::kInvalidArgument, "fleet.yaml:3: duplicate node name 'n1'"));
  EXPECT_THAT(Parse("nodes:\n  - {name: n1, gpus: [{model: A100-40GB}], colour: red}\n"),
              HasError(StatusCode::kInvalidArgument, "unknown key 'colour'"));
  EXPECT_THAT(Parse("nodes:\n  - name: n1\n    gpus: [{model: A100-40GB}]\n"
                    "    current: [{gpu: 3}]\n"),
              HasError(StatusCode::kInvalidArgument, "node 'n1' gpu 3: the node has 1 GPUs"));
}

// Issue 16: node names went unescaped into slurm.conf ("NodeName=a b") and
// the comments of mig-parted YAML (a newline added a whole config).
TEST(FleetReaderTest, NodeNamesThatWouldChangeGeneratedFilesAreRejected) {
  for (const std::string name : {"\"a\\nb\"", "\"a b\"", "\"a=b\"", "\"a: b\"", "\"\"", "\"-a\"", "\"a,b\""}) {
    EXPECT_THAT(Parse("nodes:\n  - {name: " + name + ", gpus: [{model: A100-40GB}]}\n"),
                HasError(StatusCode::kInvalidArgument, "fleet.yaml:2: node name '"))
        << name;
  }
  EXPECT_THAT(Parse("nodes:\n  - {name_prefix: \"r 1\", count: 2, gpus: [{model: A100-40GB}]}\n"),
              HasError(StatusCode::kInvalidArgument, "fleet.yaml:2: node name 'r 1-1' is not a valid name: use 1-253"));
  EXPECT_THAT(Parse("nodes:\n  - {name: dgx_1.rack-2, gpus: [{model: A100-40GB}]}\n"), IsOk());
}

TEST(FleetReaderTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadFleetFile(BuiltinCatalogForTest(), "/nonexistent/fleet.yaml"),
              HasError(StatusCode::kNotFound, "/nonexistent/fleet.yaml"));
}

}  // namespace
}  // namespace migsched::io
