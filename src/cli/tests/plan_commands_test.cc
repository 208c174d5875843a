// `migsched plan` end to end for what golden files cannot show: the files it
// writes. plan.json must read back, every layout in it must be valid, and its
// operations applied to the fleet's current state must reach its layouts
// without touching a busy instance. Also the Alibaba trace converter.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/alibaba_workloads.h"
#include "cli/cli.h"
#include "io/plan_inputs.h"
#include "plan/plan_json.h"
#include "plan/transition.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::cli {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::Gpu;
using migsched::testing::HasError;
using migsched::testing::IsOk;

int RunMigsched(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
  args.insert(args.begin(), "migsched");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream stdout_text;
  std::ostringstream stderr_text;
  const int code = RunCli(static_cast<int>(argv.size()), argv.data(), stdout_text, stderr_text);
  if (out != nullptr) *out = stdout_text.str();
  if (err != nullptr) *err = stderr_text.str();
  return code;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

using Layout = std::vector<std::tuple<int, int, std::string>>;  // start, profile, workload

Layout Sorted(const fleet::FleetGpu& gpu) {
  Layout out;
  for (const fleet::FleetInstance& i : gpu.instances) {
    out.emplace_back(i.instance.placement.start, i.instance.profile, i.workload);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class PlanCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("migsched-plan-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(PlanCommandTest, ExamplePlanJsonReadsBackAndItsOperationsReachItsLayouts) {
  const std::string fleet_path = "examples/plan/fleet.yaml";
  const std::string plan_path = (dir_ / "plan.json").string();
  ASSERT_EQ(RunMigsched({"plan", "--fleet", fleet_path, "--workloads", "examples/plan/workloads.yaml",
                 "--out", plan_path, "--mig-parted", (dir_ / "mig.yaml").string(), "--slurm",
                 (dir_ / "slurm").string(), "--svg", (dir_ / "fleet.svg").string()}),
            kExitOk);
  const Result<plan::PlanDocument> plan = plan::ReadPlanJsonFile(BuiltinCatalogForTest(), plan_path);
  ASSERT_THAT(plan, IsOk());
  const Result<fleet::Fleet> current = io::ReadFleetFile(BuiltinCatalogForTest(), fleet_path);
  ASSERT_THAT(current, IsOk());
  ASSERT_EQ(plan->gpus.gpus.size(), current->gpus.size());
  EXPECT_GE(plan->gpus_used, static_cast<int>(std::ceil(plan->lower_bound - 1e-9)));

  const Result<fleet::Fleet> reached = plan::ApplyOperations(*current, plan->operations);
  ASSERT_THAT(reached, IsOk());
  for (size_t g = 0; g < current->gpus.size(); ++g) {
    const fleet::FleetGpu& want = plan->gpus.gpus[g];
    const fleet::FleetGpu& got = reached->gpus[g];
    EXPECT_EQ(got.mig_enabled, want.mig_enabled) << want.node << " " << want.index;
    Layout want_layout = Sorted(want);
    Layout got_layout = Sorted(got);
    // Applying ops creates free instances; owners come from the plan.
    for (auto& entry : want_layout) std::get<2>(entry).clear();
    for (auto& entry : got_layout) std::get<2>(entry).clear();
    EXPECT_EQ(got_layout, want_layout) << want.node << " " << want.index;
    // Busy instances of the current fleet are still there, with their owner.
    for (const fleet::FleetInstance& busy : current->gpus[g].instances) {
      if (!busy.busy) continue;
      const Layout planned = Sorted(want);
      EXPECT_NE(std::find(planned.begin(), planned.end(),
                          std::tuple(busy.instance.placement.start, busy.instance.profile, busy.workload)),
                planned.end());
    }
  }

  // The other outputs exist and agree with the plan's instance count.
  const YAML::Node mig = YAML::Load(ReadText(dir_ / "mig.yaml"));
  EXPECT_EQ(mig["version"].as<std::string>(), "v1");
  EXPECT_THAT(ReadText(dir_ / "slurm" / "slurm.conf"), ::testing::HasSubstr("NodeName=dgx-h100-1 Gres="));
  EXPECT_THAT(ReadText(dir_ / "slurm" / "gres.conf"), ::testing::HasSubstr("AutoDetect=nvml"));
  EXPECT_THAT(ReadText(dir_ / "fleet.svg"), ::testing::HasSubstr("class=\"gpu-row\""));
}

TEST_F(PlanCommandTest, DryRunWritesNoFiles) {
  const std::filesystem::path plan_path = dir_ / "plan.json";
  std::string out;
  ASSERT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                 "tests/data/plan/workloads_small.yaml", "--out", plan_path.string(), "--dry-run"},
                &out),
            kExitOk);
  EXPECT_FALSE(std::filesystem::exists(plan_path));
  // Factory-state GPUs (no `current:`) are MIG-off: the training keeps
  // node-a gpu 1 whole without an operation, node-b's H100 turns MIG on.
  EXPECT_THAT(out, ::testing::HasSubstr("node-b gpu 0: enable_mig"));
  EXPECT_THAT(out, ::testing::Not(::testing::HasSubstr("disable_mig")));
}

TEST_F(PlanCommandTest, JsonAfterTheCommandGivesPlanBaselinesAndResources) {
  std::string out;
  ASSERT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                         "tests/data/plan/workloads_small.yaml", "--json"},
                        &out),
            kExitOk);
  const nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["gpus"].size(), 3u);
  ASSERT_EQ(doc["baselines"].size(), 4u);
  EXPECT_EQ(doc["baselines"][3]["name"], "ffd");
  EXPECT_GE(doc["baselines"][3]["gpus_used"].get<int>(), doc["gpus_used"].get<int>());
  // Small fleet: node-a has bert's two 3g.20gb and the whole GPU for train.
  EXPECT_EQ(doc["kubernetes_resources"]["fleet"]["nvidia.com/gpu"], 1);
  ASSERT_EQ(doc["kubernetes_resources"]["nodes"].size(), 2u);
  EXPECT_EQ(doc["kubernetes_resources"]["nodes"][0]["node"], "node-a");
  EXPECT_EQ(doc["kubernetes_resources"]["nodes"][0]["resources"]["nvidia.com/mig-3g.20gb"], 2);
  // Issue 14: each workload's resource name per model, for its Deployment
  // or sbatch script.
  ASSERT_EQ(doc["workloads"].size(), 3u);
  EXPECT_EQ(doc["workloads"][0]["name"], "bert");
  EXPECT_EQ(doc["workloads"][0]["resources"][1],
            (nlohmann::json{{"model", "H100-80GB"}, {"profile", "3g.40gb"}, {"replicas", 3},
                            {"kubernetes", "nvidia.com/mig-3g.40gb"}, {"slurm", "gpu:h100_80gb_hbm3_3g.40gb"}}));
  EXPECT_EQ(doc["workloads"][2]["resources"][0]["kubernetes"], "nvidia.com/gpu");
}

// Regression: --out DIR/plan.json (and --svg, --mig-parted, --slurm) failed
// with a bare "cannot write" when DIR did not exist.
TEST_F(PlanCommandTest, OutputsGoIntoDirectoriesThatDoNotExistYet) {
  const std::filesystem::path out = dir_ / "new" / "deeper";
  ASSERT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                         "tests/data/plan/workloads_small.yaml", "--out", (out / "plan.json").string(),
                         "--svg", (out / "svg" / "fleet.svg").string(), "--mig-parted",
                         (out / "mig" / "config.yaml").string(), "--slurm", (out / "slurm").string()}),
            kExitOk);
  const Result<plan::PlanDocument> plan =
      plan::ReadPlanJsonFile(BuiltinCatalogForTest(), (out / "plan.json").string());
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->gpus.gpus.size(), 3u);
  EXPECT_THAT(ReadText(out / "svg" / "fleet.svg"), ::testing::HasSubstr("</svg>"));
  EXPECT_THAT(ReadText(out / "mig" / "config.yaml"), ::testing::HasSubstr("mig-configs:"));
  EXPECT_TRUE(std::filesystem::is_regular_file(out / "slurm" / "gres.conf"));
  EXPECT_TRUE(std::filesystem::is_regular_file(out / "slurm" / "slurm.conf"));
}

TEST_F(PlanCommandTest, UnwritableOutputIsBadInputSayingWhy) {
  const std::filesystem::path file = dir_ / "a-file";
  std::ofstream{file};
  const std::string plan_path = (file / "plan.json").string();
  std::string err;
  EXPECT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                         "tests/data/plan/workloads_small.yaml", "--out", plan_path},
                        nullptr, &err),
            kExitBadInput);
  EXPECT_THAT(err, ::testing::HasSubstr("cannot write '" + plan_path + "': cannot create directory '" +
                                        file.string() + "': Not a directory"));
}

// On an H100 (7 compute slices): 470 milli -> ceil(3.29) = 4 slices, 430 ->
// ceil(3.01) = 4, 100 -> 1, 1000 -> 7; the 4-GPU pod gives 4 whole-GPU
// training replicas.
TEST(AlibabaWorkloadsTest, MapsSharesToCoveringComputeSlices) {
  const std::string csv =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
      "a,1,1,1,470\nb,1,1,1,100\nc,1,1,1,1000\nd,1,1,4,1000\ne,1,1,0,0\nf,1,1,1,430\n";
  const Result<AlibabaWorkloads> converted = ConvertAlibabaPods(csv, "pods.csv", Gpu("H100-80GB"));
  ASSERT_THAT(converted, IsOk());
  EXPECT_EQ(converted->pods, 6);
  EXPECT_EQ(converted->cpu_only_pods, 1);
  EXPECT_THAT(converted->workloads,
              ::testing::ElementsAre(::testing::Pair("alibaba-1slice", 1),
                                     ::testing::Pair("alibaba-4slice", 2),
                                     ::testing::Pair("alibaba-7slice", 1),
                                     ::testing::Pair("alibaba-multi-gpu", 4)));
  // On a 4-slice A30: 470 -> ceil(1.88) = 2 and 430 -> ceil(1.72) = 2.
  const Result<AlibabaWorkloads> a30 = ConvertAlibabaPods(csv, "pods.csv", Gpu("A30-24GB"));
  ASSERT_THAT(a30, IsOk());
  ASSERT_GE(a30->workloads.size(), 2u);
  EXPECT_EQ(a30->workloads[1], std::pair(std::string("alibaba-2slice"), 2));
  // The YAML is our workloads format and reads back with the same replicas.
  const Result<std::vector<plan::Workload>> read =
      io::ParseWorkloadsYaml(BuiltinCatalogForTest(), converted->yaml, "converted.yaml");
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->size(), 4u);
  EXPECT_EQ((*read)[1].min_compute_slices, 4);
  EXPECT_EQ((*read)[3].kind, plan::WorkloadKind::kTraining);
  EXPECT_EQ((*read)[3].replicas, 4);
}

TEST(AlibabaWorkloadsTest, BadRowsNameFileAndLine) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_THAT(ConvertAlibabaPods("name,num_gpu\n", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "p.csv:1: missing column 'gpu_milli'"));
  EXPECT_THAT(ConvertAlibabaPods("num_gpu,gpu_milli\n1,2000\n", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "p.csv:2: gpu_milli"));
  EXPECT_THAT(ConvertAlibabaPods("num_gpu,gpu_milli\n1,100\n-1,100\n", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "p.csv:3: num_gpu"));
  EXPECT_THAT(ConvertAlibabaPods("num_gpu,gpu_milli\n1\n", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "p.csv:2: expected 2 fields, found 1"));
  EXPECT_THAT(ConvertAlibabaPods("num_gpu,gpu_milli\n1,0\n", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "gpu_milli 0"));
  EXPECT_THAT(ConvertAlibabaPods("", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "p.csv:1: empty file"));
}

}  // namespace
}  // namespace migsched::cli
