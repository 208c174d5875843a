// `migsched fake-nvml init` and `migsched nvml-info` end to end: the CLI
// writes a fake machine, then reads it back through dlopen'ed NVML.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "testing/cli_run.h"
#include "nvml/nvml_session.h"
#include "nvml/tests/fake_nvml_fixture.h"

namespace migsched::nvml::testing {
namespace {

using migsched::testing::CliRun;
using migsched::testing::RunMigsched;

class NvmlCliTest : public FakeNvmlTest {};

TEST_F(NvmlCliTest, InitThenInfoShowsTheMachine) {
  const CliRun init = RunMigsched({"fake-nvml", "init", "--state", state_path_, "--gpus", "A100-40GB:2,H100-80GB:1"});
  ASSERT_EQ(init.code, cli::kExitOk) << init.err;
  EXPECT_NE(init.out.find("2 x A100-40GB, 1 x H100-80GB"), std::string::npos);

  // One instance made through NVML shows up in nvml-info.
  {
    auto session = NvmlSession::Open(migsched::testing::BuiltinCatalogForTest()).value();
    const geometry::GpuModel& h100 = migsched::testing::Gpu("H100-80GB");
    const auto& profile = h100.profiles[static_cast<size_t>(migsched::testing::Profile(h100, "3g.40gb"))];
    const GpuInstanceInfo gi = session->CreateGpuInstance(2, profile, 4).value();
    ASSERT_TRUE(session->CreateComputeInstance(2, gi.id, profile.compute_instances.back()).has_value());
  }

  const CliRun text = RunMigsched({"nvml-info"});
  ASSERT_EQ(text.code, cli::kExitOk) << text.err;
  EXPECT_NE(text.out.find("3 GPUs"), std::string::npos);
  EXPECT_NE(text.out.find("GPU 2: NVIDIA H100 80GB HBM3 (H100-80GB)"), std::string::npos);
  EXPECT_NE(text.out.find("{0,4}:4"), std::string::npos);
  EXPECT_NE(text.out.find("MIG-"), std::string::npos);
  // A plain container's flags for the instance (issue 17, point 3).
  EXPECT_NE(text.out.find(" 3g.40gb: docker run --gpus '\"device=MIG-"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("IMAGE | podman run --device nvidia.com/gpu=MIG-"), std::string::npos) << text.out;

  const CliRun json = RunMigsched({"--json", "nvml-info"});
  ASSERT_EQ(json.code, cli::kExitOk) << json.err;
  const nlohmann::json info = nlohmann::json::parse(json.out);
  ASSERT_EQ(info["gpus"].size(), 3u);
  EXPECT_EQ(info["gpus"][0]["model"], "A100-40GB");
  EXPECT_EQ(info["gpus"][0]["pci_device_id"], "0x20B010DE");
  EXPECT_EQ(info["gpus"][0]["mig"]["current"], true);
  EXPECT_TRUE(info["gpus"][0]["gpu_instances"].empty());
  const nlohmann::json& gi = info["gpus"][2]["gpu_instances"][0];
  EXPECT_EQ(gi["profile"], "3g.40gb");
  EXPECT_EQ(gi["start"], 4);
  EXPECT_EQ(gi["size"], 4);
  EXPECT_EQ(gi["compute_instances"].size(), 1u);
  const std::string uuid = gi["compute_instances"][0]["uuid"];
  EXPECT_EQ(gi["compute_instances"][0]["docker"], "--gpus '\"device=" + uuid + "\"'");
  EXPECT_EQ(gi["compute_instances"][0]["cdi"], "--device nvidia.com/gpu=" + uuid);
  // The profile table matches the catalog, counts reduced by the instance.
  for (const nlohmann::json& p : info["gpus"][2]["profiles"]) {
    if (p["name"] == "3g.40gb") {
      EXPECT_EQ(p["remaining"], 1);
    }
  }
}

TEST_F(NvmlCliTest, InitRejectsUnknownModelsListingKnownOnes) {
  const CliRun run = RunMigsched({"fake-nvml", "init", "--state", state_path_, "--gpus", "A100-40GB:1,Z100:2"});
  EXPECT_EQ(run.code, cli::kExitBadInput);
  EXPECT_NE(run.err.find("unknown GPU 'Z100'"), std::string::npos);
  EXPECT_NE(run.err.find("H100-80GB"), std::string::npos);
}

TEST_F(NvmlCliTest, InitRejectsMalformedGpuLists) {
  for (const char* list : {"A100-40GB", "A100-40GB:x", "A100-40GB:1,", ":2", "A100-40GB:0"}) {
    const CliRun run = RunMigsched({"fake-nvml", "init", "--state", state_path_, "--gpus", list});
    EXPECT_EQ(run.code, cli::kExitBadInput) << list;
    EXPECT_FALSE(run.err.empty()) << list;
  }
}

TEST_F(NvmlCliTest, InfoWithoutADriverExitsTwoWithTheReason) {
  setenv(kLibraryEnv, "/nonexistent/libnvidia-ml.so.1", 1);
  const CliRun run = RunMigsched({"nvml-info"});
  EXPECT_EQ(run.code, cli::kExitBadInput);
  EXPECT_NE(run.err.find("NVML not found"), std::string::npos);
  EXPECT_NE(run.err.find("no NVIDIA driver on this machine?"), std::string::npos);
}

// As a real H200 with MIG off answered (driver 580.159.04, read-only): the
// profiles and their placements are reported, nothing can be created yet.
TEST_F(NvmlCliTest, InfoOnAGpuWithMigOffShowsProfilesButNoInstances) {
  ASSERT_EQ(RunMigsched({"fake-nvml", "init", "--state", state_path_, "--gpus", "A30:1"}).code, cli::kExitOk);
  fake::FakeState state = ReadState();
  state.gpus[0].mig_enabled = false;
  state.gpus[0].mig_pending = false;
  WriteState(state);
  const CliRun run = RunMigsched({"--json", "nvml-info"});
  ASSERT_EQ(run.code, cli::kExitOk) << run.err;
  const nlohmann::json info = nlohmann::json::parse(run.out);
  EXPECT_EQ(info["gpus"][0]["mig"]["current"], false);
  const geometry::GpuModel& a30 = *migsched::testing::BuiltinCatalogForTest().Find("A30").value();
  ASSERT_EQ(info["gpus"][0]["profiles"].size(), a30.profiles.size());
  for (const nlohmann::json& profile : info["gpus"][0]["profiles"]) {
    EXPECT_EQ(profile["remaining"], 0) << profile["name"];
    EXPECT_FALSE(profile["placements"].empty()) << profile["name"];
  }
  EXPECT_TRUE(info["gpus"][0]["gpu_instances"].empty());
  const CliRun text = RunMigsched({"nvml-info"});
  EXPECT_THAT(text.out, ::testing::HasSubstr("no GPU instances while MIG mode is disabled"));
}

}  // namespace
}  // namespace migsched::nvml::testing
