#include "plan/plan_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>
#include <string>

#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::plan {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::Gpu;
using migsched::testing::HasError;
using migsched::testing::Instances;
using migsched::testing::IsOk;
using migsched::testing::Profile;

PlanDocument Example() {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const geometry::GpuModel& a100 = Gpu("A100-80GB");
  PlanDocument plan;
  plan.gpus_used = 2;
  plan.lower_bound = 1.75;
  plan.gap = 0.142857;
  plan.method = "milp-optimal";
  fleet::FleetGpu mig;
  mig.node = "node-1";
  mig.index = 0;
  mig.model = &h100;
  const std::vector<geometry::GpuInstance> layout = Instances(h100, {"3g.40gb@4", "1g.10gb@0"});
  mig.instances = {{.instance = layout[0], .workload = "bert-large", .busy = false},
                   {.instance = layout[1], .workload = "", .busy = false}};
  fleet::FleetGpu whole;
  whole.node = "node-2";
  whole.index = 3;
  whole.model = &a100;
  whole.mig_enabled = false;
  whole.whole_gpu_workload = "llama-ft";
  plan.gpus.gpus = {mig, whole};
  plan.unplaced = {{.workload = "huge", .replicas = 2, .reason = "needs 200 GiB"}};
  plan.workloads = {
      {.name = "bert-large",
       .resources = {{.model = "H100-80GB", .profile = "3g.40gb", .replicas = 1,
                      .kubernetes = "nvidia.com/mig-3g.40gb", .slurm = "gpu:h100_80gb_hbm3_3g.40gb"},
                     {.model = "A100-80GB", .profile = "3g.40gb", .replicas = 1,
                      .kubernetes = "nvidia.com/mig-3g.40gb", .slurm = "gpu:a100_3g.40gb"}}},
      {.name = "llama-ft",
       .resources = {{.model = "A100-80GB", .profile = "whole", .replicas = 1,
                      .kubernetes = "nvidia.com/gpu", .slurm = "gpu:a100"}}}};
  plan.operations = {
      {.node = "node-1", .gpu = 0, .kind = geometry::MigOpKind::kEnableMig, .profile = -1, .start = 0},
      {.node = "node-1", .gpu = 0, .kind = geometry::MigOpKind::kCreateGi, .profile = Profile(h100, "3g.40gb"), .start = 4},
      {.node = "node-1", .gpu = 0, .kind = geometry::MigOpKind::kCreateCi, .profile = Profile(h100, "3g.40gb"), .start = 4},
      {.node = "node-2", .gpu = 3, .kind = geometry::MigOpKind::kDisableMig, .profile = -1, .start = 0},
  };
  return plan;
}

Result<PlanDocument> Parse(const std::string& text) {
  return ParsePlanJson(BuiltinCatalogForTest(), text, "plan.json");
}

// The example with one value replaced (a JSON pointer and its new value).
std::string Edited(const std::string& pointer, const nlohmann::json& value) {
  nlohmann::json doc = nlohmann::json::parse(WritePlanJson(Example()));
  doc[nlohmann::json::json_pointer(pointer)] = value;
  return doc.dump();
}

TEST(PlanJsonTest, WritesTheBriefSchema) {
  const nlohmann::json doc = nlohmann::json::parse(WritePlanJson(Example()));
  EXPECT_EQ(doc["gpus_used"], 2);
  EXPECT_EQ(doc["method"], "milp-optimal");
  EXPECT_EQ(doc["gpus"][0]["instances"][0],
            (nlohmann::json{{"profile", "3g.40gb"}, {"start", 4}, {"size", 4}, {"workload", "bert-large"}}));
  EXPECT_EQ(doc["gpus"][1]["mig_enabled"], false);
  EXPECT_EQ(doc["gpus"][1]["workload"], "llama-ft");
  EXPECT_FALSE(doc["gpus"][1].contains("instances"));
  EXPECT_EQ(doc["unplaced"][0]["replicas"], 2);
  EXPECT_EQ(doc["workloads"][0]["resources"][0],
            (nlohmann::json{{"model", "H100-80GB"}, {"profile", "3g.40gb"}, {"replicas", 1},
                            {"kubernetes", "nvidia.com/mig-3g.40gb"}, {"slurm", "gpu:h100_80gb_hbm3_3g.40gb"}}));
  EXPECT_EQ(doc["workloads"][1]["resources"][0]["profile"], "whole");
  EXPECT_EQ(doc["operations"][1],
            (nlohmann::json{{"node", "node-1"}, {"gpu", 0}, {"op", "create_gi"}, {"profile", "3g.40gb"}, {"start", 4}}));
  EXPECT_EQ(doc["operations"][0], (nlohmann::json{{"node", "node-1"}, {"gpu", 0}, {"op", "enable_mig"}}));
}

TEST(PlanJsonTest, RoundTripsWriteReadEqual) {
  const PlanDocument original = Example();
  const std::string text = WritePlanJson(original);
  const Result<PlanDocument> read = Parse(text);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->gpus_used, original.gpus_used);
  EXPECT_DOUBLE_EQ(read->lower_bound, original.lower_bound);
  EXPECT_DOUBLE_EQ(read->gap, original.gap);
  EXPECT_EQ(read->method, original.method);
  ASSERT_EQ(read->gpus.gpus.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const fleet::FleetGpu& a = read->gpus.gpus[i];
    const fleet::FleetGpu& b = original.gpus.gpus[i];
    EXPECT_EQ(a.node, b.node);
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.model, b.model);
    EXPECT_EQ(a.mig_enabled, b.mig_enabled);
    EXPECT_EQ(a.whole_gpu_workload, b.whole_gpu_workload);
    EXPECT_EQ(a.instances, b.instances);
  }
  ASSERT_EQ(read->unplaced.size(), 1u);
  EXPECT_EQ(read->unplaced[0].workload, "huge");
  EXPECT_EQ(read->unplaced[0].replicas, 2);
  EXPECT_EQ(read->unplaced[0].reason, "needs 200 GiB");
  EXPECT_EQ(read->workloads, original.workloads);
  EXPECT_EQ(read->operations, original.operations);
  EXPECT_EQ(WritePlanJson(*read), text);
}

// Files written before plan.json carried resource names still read.
TEST(PlanJsonTest, WorkloadsAreOptionalWhenRead) {
  for (const PlanJsonForm form : {PlanJsonForm::kExpanded, PlanJsonForm::kCompact}) {
    nlohmann::json doc = nlohmann::json::parse(WritePlanJson(Example(), form));
    doc.erase("workloads");
    const Result<PlanDocument> read = Parse(doc.dump());
    ASSERT_THAT(read, IsOk());
    EXPECT_TRUE(read->workloads.empty());
    EXPECT_EQ(read->gpus.gpus.size(), 2u);
  }
}

// Found by fuzz/plan_json_fuzzer: operations out of fleet order were accepted
// and then aborted the writer, which writes each GPU's operations together.
TEST(PlanJsonTest, OperationsInAnyOrderAreGroupedPerGpuKeepingEachGpusOrder) {
  nlohmann::json doc = nlohmann::json::parse(WritePlanJson(Example()));
  nlohmann::json& ops = doc["operations"];
  ops = {ops[3], ops[0], ops[1], ops[2]};  // node-2's operation first
  const Result<PlanDocument> read = Parse(doc.dump());
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->operations, Example().operations);
  EXPECT_EQ(WritePlanJson(*read), WritePlanJson(Example()));
}

TEST(PlanJsonTest, ErrorsNameTheJsonPath) {
  EXPECT_THAT(Parse("{\"gpus_used\": 1,"), HasError(StatusCode::kInvalidArgument, "plan.json:1: malformed JSON"));
  EXPECT_THAT(Parse(Edited("/gpus/0/instances/0/profile", "3g.99gb")),
              HasError(StatusCode::kNotFound,
                       "plan.json: $.gpus[0].instances[0].profile: unknown profile '3g.99gb' for H100-80GB"));
  EXPECT_THAT(Parse(Edited("/gpus/0/instances/0/size", 2)),
              HasError(StatusCode::kInvalidArgument, "$.gpus[0].instances[0].size: size 2 but 3g.40gb takes 4"));
  EXPECT_THAT(Parse(Edited("/gpus/0/instances/1/start", 4)),
              HasError(StatusCode::kInvalidArgument, "$.gpus[0].instances: invalid layout"));
  EXPECT_THAT(Parse(Edited("/gpus/1/model", "Z100")),
              HasError(StatusCode::kNotFound, "$.gpus[1].model"));
  EXPECT_THAT(Parse(Edited("/gpus/1/index", -3)),
              HasError(StatusCode::kInvalidArgument, "$.gpus[1].index: must be between 0 and"));
  nlohmann::json twice = nlohmann::json::parse(WritePlanJson(Example()));
  twice["gpus"][1]["node"] = "node-1";
  twice["gpus"][1]["index"] = 0;
  EXPECT_THAT(Parse(twice.dump()),
              HasError(StatusCode::kInvalidArgument, "$.gpus[1]: node-1 gpu 0 is listed twice"));
  EXPECT_THAT(Parse(Edited("/gpus/0/colour", "red")),
              HasError(StatusCode::kInvalidArgument, "$.gpus[0]: unknown key 'colour'"));
  EXPECT_THAT(Parse(Edited("/gpus_used", -1)),
              HasError(StatusCode::kInvalidArgument, "$.gpus_used: must be between 0 and"));
  EXPECT_THAT(Parse(Edited("/gpus_used", std::numeric_limits<std::uint64_t>::max())),
              HasError(StatusCode::kInvalidArgument, "$.gpus_used: must be between 0 and"))
      << "an unsigned value above INT64_MAX must not wrap to a negative one";
  EXPECT_THAT(Parse(Edited("/lower_bound", "many")),
              HasError(StatusCode::kInvalidArgument, "$.lower_bound: must be a number"));
  EXPECT_THAT(Parse(Edited("/unplaced/0/replicas", 0)),
              HasError(StatusCode::kInvalidArgument, "$.unplaced[0].replicas"));
  EXPECT_THAT(Parse(Edited("/operations/1/op", "reboot")),
              HasError(StatusCode::kInvalidArgument, "$.operations[1].op: unknown op 'reboot'"));
  EXPECT_THAT(Parse(Edited("/operations/1/start", 3)),
              HasError(StatusCode::kInvalidArgument, "$.operations[1].start: start 3 not allowed"));
  EXPECT_THAT(Parse(Edited("/operations/1/gpu", 7)),
              HasError(StatusCode::kInvalidArgument, "$.operations[1]: GPU node-1 gpu 7 is not listed"));
  EXPECT_THAT(Parse(Edited("/operations/0/profile", "1g.10gb")),
              HasError(StatusCode::kInvalidArgument, "enable_mig takes no profile"));
  EXPECT_THAT(Parse(Edited("/workloads/0/resources/1/model", "Z100")),
              HasError(StatusCode::kNotFound, "$.workloads[0].resources[1].model"));
  EXPECT_THAT(Parse(Edited("/workloads/0/resources/0/profile", "3g.99gb")),
              HasError(StatusCode::kNotFound,
                       "$.workloads[0].resources[0].profile: unknown profile '3g.99gb' for H100-80GB"));
  EXPECT_THAT(Parse(Edited("/workloads/1/resources/0/replicas", -1)),
              HasError(StatusCode::kInvalidArgument, "$.workloads[1].resources[0].replicas: must be between 0 and"));
  EXPECT_THAT(Parse(Edited("/workloads/1/resources/0/gres", "x")),
              HasError(StatusCode::kInvalidArgument, "$.workloads[1].resources[0]: unknown key 'gres'"));
  EXPECT_THAT(Parse(Edited("/workloads/0/name", 7)), HasError(StatusCode::kInvalidArgument, "$.workloads[0].name"));
  nlohmann::json no_gpus = nlohmann::json::parse(WritePlanJson(Example()));
  no_gpus.erase("gpus");
  EXPECT_THAT(Parse(no_gpus.dump()), HasError(StatusCode::kInvalidArgument, "$.gpus: is required"));
}

// Issue 16: a number beyond a double ended the process (uncaught out_of_range).
TEST(PlanJsonTest, NumberBeyondADoubleIsAnErrorWithItsLine) {
  std::string text = WritePlanJson(Example());
  const size_t start = text.find("\"start\": 4");
  ASSERT_NE(start, std::string::npos);
  text.replace(start, 10, "\"start\": 1e400");
  const std::string line = std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<long>(start), '\n'));
  EXPECT_THAT(Parse(text), HasError(StatusCode::kInvalidArgument,
                                    "plan.json:" + line + ": malformed JSON at byte"));
  EXPECT_THAT(Parse(text), HasError(StatusCode::kInvalidArgument, "number overflow parsing '1e400'"));
}

// Issue 17: the compact form reads back as exactly the document written, and
// GPUs set up alike share one layout and one operation list.
TEST(PlanJsonTest, CompactFormRoundTripsAndGroupsIdenticalGpus) {
  PlanDocument plan = Example();
  for (int index = 1; index < 8; ++index) {  // node-1 gets 7 more GPUs like gpu 0
    fleet::FleetGpu gpu = plan.gpus.gpus[0];
    gpu.index = index;
    plan.gpus.gpus.insert(plan.gpus.gpus.begin() + index, gpu);
    for (int op = 0; op < 3; ++op) {
      TransitionOp copy = plan.operations[static_cast<size_t>(op)];
      copy.gpu = index;
      plan.operations.insert(plan.operations.begin() + 3 * index + op, copy);
    }
  }
  const std::string compact = WritePlanJson(plan, PlanJsonForm::kCompact);
  const nlohmann::json doc = nlohmann::json::parse(compact);
  EXPECT_EQ(doc["layouts"].size(), 2u);
  EXPECT_EQ(doc["operation_lists"].size(), 2u);
  EXPECT_EQ(doc["nodes"][0]["gpus"][7], (nlohmann::json{7, 0, 0}));
  EXPECT_EQ(doc["nodes"][1], (nlohmann::json{{"node", "node-2"}, {"gpus", {{3, 1, 1}}}}));
  EXPECT_EQ(doc["operation_lists"][1], (nlohmann::json{{{"op", "disable_mig"}}}));

  const Result<PlanDocument> read = Parse(compact);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->operations, plan.operations);
  EXPECT_EQ(read->workloads, plan.workloads);
  EXPECT_EQ(WritePlanJson(*read, PlanJsonForm::kCompact), compact);
  EXPECT_EQ(WritePlanJson(*read), WritePlanJson(plan));
  const Result<PlanDocument> expanded = Parse(WritePlanJson(plan));
  ASSERT_THAT(expanded, IsOk());
  EXPECT_EQ(WritePlanJson(*expanded, PlanJsonForm::kCompact), compact);
}

TEST(PlanJsonTest, CompactFormErrorsNameTheJsonPath) {
  const nlohmann::json doc = nlohmann::json::parse(WritePlanJson(Example(), PlanJsonForm::kCompact));
  auto edited = [&](const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json copy = doc;
    copy[nlohmann::json::json_pointer(pointer)] = value;
    return Parse(copy.dump());
  };
  EXPECT_THAT(edited("/nodes/1/gpus/0/1", 9),
              HasError(StatusCode::kInvalidArgument,
                       "plan.json: $.nodes[1].gpus[0][1]: must be an index into $.layouts (0 to 1), got 9"));
  EXPECT_THAT(edited("/nodes/1/gpus/0", nlohmann::json{3, 1}),
              HasError(StatusCode::kInvalidArgument, "$.nodes[1].gpus[0]: must be [index, layout, operation list]"));
  nlohmann::json twice = doc;
  twice["nodes"][1]["node"] = "node-1";
  twice["nodes"][1]["gpus"][0][0] = 0;
  EXPECT_THAT(Parse(twice.dump()),
              HasError(StatusCode::kInvalidArgument, "$.nodes[1].gpus[0]: node-1 gpu 0 is listed twice"));
  EXPECT_THAT(edited("/operation_lists/0/1/profile", "3g.99gb"),
              HasError(StatusCode::kNotFound,
                       "$.operation_lists[0][1].profile: unknown profile '3g.99gb' for H100-80GB"));
  EXPECT_THAT(edited("/layouts/1/model", "Z100"), HasError(StatusCode::kNotFound, "$.layouts[1].model"));
  EXPECT_THAT(edited("/layouts/0/colour", "red"),
              HasError(StatusCode::kInvalidArgument, "$.layouts[0]: unknown key 'colour'"));
  EXPECT_THAT(edited("/gpus", nlohmann::json::array()),
              HasError(StatusCode::kInvalidArgument, "$: unknown key 'gpus'"));
}

TEST(PlanJsonTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadPlanJsonFile(BuiltinCatalogForTest(), "/nonexistent/plan.json"),
              HasError(StatusCode::kNotFound, "/nonexistent/plan.json"));
}

}  // namespace
}  // namespace migsched::plan
