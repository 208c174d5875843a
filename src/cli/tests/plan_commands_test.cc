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
#include "plan/right_sizing.h"
#include "sim/profile_mapping.h"
#include "trace/alibaba2023.h"
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
                         "tests/data/plan/workloads_small.yaml", "--out", (dir_ / "plan.json").string(), "--json"},
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
  // plan.json carries the same names, and they read back.
  EXPECT_EQ(nlohmann::json::parse(ReadText(dir_ / "plan.json"))["workloads"], doc["workloads"]);
  const Result<plan::PlanDocument> plan = plan::ReadPlanJsonFile(BuiltinCatalogForTest(), (dir_ / "plan.json").string());
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->workloads.size(), 3u);
  EXPECT_EQ(plan->workloads[0].resources[1].slurm, "gpu:h100_80gb_hbm3_3g.40gb");
}

// Issue 14.3: --keep-whole leaves GPUs of a model (or a fleet label) whole
// for ad-hoc work; the list goes through the one MODEL:COUNT parser.
TEST_F(PlanCommandTest, Issue14KeepWholeLeavesGpusWholeForAdHocWork) {
  std::string out;
  EXPECT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                         "tests/data/plan/workloads_small.yaml", "--keep-whole", "H100-80GB:1", "--json"},
                        &out),
            kExitNo);  // bert and resnet50 lose the H100
  const nlohmann::json doc = nlohmann::json::parse(out);
  const auto& node_b = doc["gpus"][2];
  EXPECT_EQ(node_b["node"], "node-b");
  EXPECT_EQ(node_b["mig_enabled"], false);
  std::string err;
  EXPECT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                         "tests/data/plan/workloads_small.yaml", "--keep-whole", "H100-80GB:0"},
                        nullptr, &err),
            kExitBadInput);
  EXPECT_THAT(err, ::testing::HasSubstr("--keep-whole"));
  EXPECT_EQ(RunMigsched({"plan", "--fleet", "tests/data/plan/fleet_small.yaml", "--workloads",
                         "tests/data/plan/workloads_small.yaml", "--keep-whole", "adhoc:1"},
                        nullptr, &err),
            kExitBadInput);
  EXPECT_THAT(err, ::testing::HasSubstr("keep_whole label 'adhoc': 1 GPU asked, the fleet has only 0"));
}

// Issue 14.5, one "GPU in use" rule: a busy whole GPU running no workload of
// the request was counted in "GPUs used" but printed as idle.
TEST_F(PlanCommandTest, Issue14BusyWholeGpuWithoutAWorkloadIsCountedAndPrintedInUse) {
  const std::filesystem::path fleet = dir_ / "fleet.yaml";
  std::ofstream(fleet) << "nodes:\n  - name: node-a\n    gpus: [{model: A100-40GB, count: 2}]\n"
                          "    current:\n      - {gpu: 0, mig_enabled: false, busy: true}\n";
  const std::filesystem::path workloads = dir_ / "workloads.yaml";
  std::ofstream(workloads) << "workloads:\n  - {name: svc, replicas: 1, memory_gib: 4}\n";
  std::string out;
  ASSERT_EQ(RunMigsched({"plan", "--fleet", fleet.string(), "--workloads", workloads.string()}, &out), kExitOk);
  EXPECT_THAT(out, ::testing::HasSubstr("GPUs used: 2"));
  EXPECT_THAT(out, ::testing::HasSubstr("MIG disabled, whole GPU: (no workload) [busy]"));
  EXPECT_THAT(out, ::testing::HasSubstr("0 GPUs left idle"));
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

constexpr char kPodHeader[] =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
    "scheduled_time\n";

std::string Pod(const std::string& name, int num_gpu, int gpu_milli) {
  return name + ",1,1," + std::to_string(num_gpu) + "," + std::to_string(gpu_milli) + ",,LS,Running,0,100,0\n";
}

// On an H100 (7 compute, 8 memory slices): 470 and 430 milli -> 4g.40gb
// (4 of each cover), 100 -> 1g.10gb, 550 -> the whole GPU (4g.40gb's memory
// is 50%), 1000 -> the whole GPU; the 4-GPU pod gives 4 whole-GPU replicas.
TEST(AlibabaWorkloadsTest, MapsSharesToTheProfileSimulateUses) {
  const std::string csv = kPodHeader + Pod("a", 1, 470) + Pod("b", 1, 100) + Pod("c", 1, 1000) +
                          Pod("d", 4, 1000) + Pod("e", 0, 0) + Pod("f", 1, 430) + Pod("g", 1, 550);
  const Result<AlibabaWorkloads> converted = ConvertAlibabaPods(csv, "pods.csv", Gpu("H100-80GB"));
  ASSERT_THAT(converted, IsOk());
  EXPECT_EQ(converted->pods, 7);
  EXPECT_EQ(converted->cpu_only_pods, 1);
  EXPECT_THAT(converted->workloads,
              ::testing::ElementsAre(::testing::Pair("alibaba-1g.10gb", 1), ::testing::Pair("alibaba-4g.40gb", 2),
                                     ::testing::Pair("alibaba-whole-gpu", 2),
                                     ::testing::Pair("alibaba-multi-gpu", 4)));
  // The YAML is our workloads format and reads back with the same replicas.
  const Result<std::vector<plan::Workload>> read =
      io::ParseWorkloadsYaml(BuiltinCatalogForTest(), converted->yaml, "converted.yaml");
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->size(), 4u);
  EXPECT_EQ((*read)[1].min_compute_slices, 4);
  EXPECT_EQ((*read)[3].kind, plan::WorkloadKind::kTraining);
  EXPECT_EQ((*read)[3].replicas, 4);
}

// What a request runs on: a profile name, or "whole" for whole GPUs.
std::string PlannedProfile(const std::string& yaml, const geometry::GpuModel& model) {
  const Result<std::vector<plan::Workload>> read = io::ParseWorkloadsYaml(BuiltinCatalogForTest(), yaml, "w.yaml");
  if (!read.has_value() || read->size() != 1) return "unreadable";
  const plan::WorkloadSizing sizing = plan::RightSizeOnModels({&model}, read->front(), nullptr, {});
  if (sizing.choices.size() != 1) return "unsized";
  const plan::SizingChoice& choice = sizing.choices.front();
  return choice.whole_gpu() ? "whole" : model.profiles[static_cast<size_t>(*choice.profile)].name;
}

std::string SimulatedProfile(int gpu_milli, const geometry::GpuModel& model) {
  trace::TraceJob job;
  job.gpu_milli = gpu_milli;
  const std::optional<sched::Request> request = sim::RequestForJob(job, {&model});
  if (!request) return "none";
  if (request->whole_gpus > 0) return "whole";
  return model.profiles[static_cast<size_t>(request->options.front().profile)].name;
}

// Issue 15 point 4 (and issue 14's one Alibaba parser): `workloads
// from-alibaba` mapped 550 milli to 4g.40gb while `simulate` gave it a whole
// GPU. Now a pod of any share gets the same profile from simulate as from
// from-alibaba followed by the planner's right-sizing.
TEST(AlibabaWorkloadsTest, FromAlibabaThenPlanAgreesWithSimulateOnEveryShare) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const Result<AlibabaWorkloads> example = ConvertAlibabaPods(kPodHeader + Pod("p", 1, 550), "p.csv", h100);
  ASSERT_THAT(example, IsOk());
  EXPECT_EQ(PlannedProfile(example->yaml, h100), "whole");
  EXPECT_EQ(SimulatedProfile(550, h100), "whole");
  for (const char* name : {"H100-80GB", "A100-40GB", "A30-24GB"}) {
    const geometry::GpuModel& model = Gpu(name);
    for (int milli = 1; milli <= 1000; ++milli) {
      const Result<AlibabaWorkloads> converted = ConvertAlibabaPods(kPodHeader + Pod("p", 1, milli), "p.csv", model);
      ASSERT_THAT(converted, IsOk());
      ASSERT_EQ(PlannedProfile(converted->yaml, model), SimulatedProfile(milli, model)) << name << " " << milli;
    }
  }
}

// The rows simulate skips are skipped here too, with their lines.
TEST(AlibabaWorkloadsTest, BadRowsAreSkippedAndNamedLikeSimulates) {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  EXPECT_THAT(ConvertAlibabaPods("name,num_gpu\n", "p.csv", h100),
              HasError(StatusCode::kInvalidArgument, "p.csv:1: missing column 'gpu_milli'"));
  EXPECT_THAT(ConvertAlibabaPods("", "p.csv", h100), HasError(StatusCode::kInvalidArgument, "p.csv:1: empty file"));
  const std::string csv = kPodHeader + Pod("a", 1, 100) + Pod("b", 1, 2000) + Pod("c", -1, 100) + "d,1\n";
  const Result<AlibabaWorkloads> converted = ConvertAlibabaPods(csv, "p.csv", h100);
  ASSERT_THAT(converted, IsOk());
  const Result<trace::Trace> simulated = trace::ParseAlibabaPods(csv, "p.csv");
  ASSERT_THAT(simulated, IsOk());
  ASSERT_EQ(converted->bad_rows.size(), 3u);
  ASSERT_EQ(simulated->bad_rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(converted->bad_rows[i].line, simulated->bad_rows[i].line);
    EXPECT_EQ(converted->bad_rows[i].reason, simulated->bad_rows[i].reason);
  }
  EXPECT_EQ(converted->bad_rows[0].line, 3);
  EXPECT_EQ(converted->pods, 4);
  EXPECT_THAT(converted->workloads, ::testing::ElementsAre(::testing::Pair("alibaba-1g.10gb", 1)));
}

}  // namespace
}  // namespace migsched::cli
