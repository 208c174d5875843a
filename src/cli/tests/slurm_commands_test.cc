// `migsched slurm gres` end to end on the fake NVML (the real dlopen path),
// and the server source: a `GET /v1/fleet` document turned into GRES lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/slurm_gres_sources.h"
#include "nvml/nvml_session.h"
#include "nvml/tests/fake_nvml_fixture.h"
#include "testing/catalog_fixture.h"
#include "testing/cli_run.h"
#include "testing/status_matchers.h"

namespace migsched::cli {
namespace {

using migsched::testing::BuiltinCatalogForTest;
using migsched::testing::CliRun;
using migsched::testing::Gpu;
using migsched::testing::HasCode;
using migsched::testing::RunMigsched;

class SlurmGresCliTest : public nvml::testing::FakeNvmlTest {
 protected:
  // GPU 0: A100-80GB with 3g.40gb@4 and 1g.10gb@0; GPU 1: H100-80GB with
  // 1g.10gb@6 and a GI without compute instance; GPU 2: A100-80GB, MIG off.
  void SetUpMachine() {
    InitMachine({{"A100-80GB", 2}, {"H100-80GB", 1}});
    auto session = nvml::NvmlSession::Open(BuiltinCatalogForTest()).value();
    Create(*session, 0, "A100-80GB", "3g.40gb", 4, /*with_ci=*/true);
    Create(*session, 0, "A100-80GB", "1g.10gb", 0, /*with_ci=*/true);
    Create(*session, 2, "H100-80GB", "1g.10gb", 6, /*with_ci=*/true);
    Create(*session, 2, "H100-80GB", "2g.20gb", 0, /*with_ci=*/false);
    ASSERT_TRUE(session->SetMigMode(1, false).has_value());
  }
  static void Create(nvml::NvmlSession& session, unsigned gpu, const std::string& model, const std::string& name,
                     int start, bool with_ci) {
    const geometry::GpuModel& m = Gpu(model);
    const geometry::GiProfile& profile = m.profiles[static_cast<size_t>(migsched::testing::Profile(m, name))];
    const Result<nvml::GpuInstanceInfo> gi = session.CreateGpuInstance(gpu, profile, start);
    ASSERT_TRUE(gi.has_value()) << gi.error().ToString();
    if (with_ci) {
      ASSERT_TRUE(session.CreateComputeInstance(gpu, gi->id, profile.compute_instances.back()).has_value());
    }
  }
};

TEST_F(SlurmGresCliTest, WritesEachMigDeviceWithItsFilesAndTheNodesGres) {
  SetUpMachine();
  const CliRun run = RunMigsched({"slurm", "gres", "--node", "gpu-a01"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  // GI ids follow the driver's scheme (fake-nvml.md): A100 3g@4 -> GI 2,
  // 1g@0 -> GI 7; H100 1g@6 -> GI 13, 2g@0 -> GI 3.
  EXPECT_EQ(run.out,
            "# gres.conf\n"
            "# gpu-a01: GPU 2: 2g.20gb@0 (GI 3) has no compute instance, so no MIG device\n"
            "# gpu-a01 GPU 0: 1g.10gb@0, GI 7 CI 0\n"
            "NodeName=gpu-a01 Name=gpu Type=a100_1g.10gb MultipleFiles=/dev/nvidia0,"
            "/dev/nvidia-caps/nvidia-cap66,/dev/nvidia-caps/nvidia-cap67\n"
            "# gpu-a01 GPU 0: 3g.40gb@4, GI 2 CI 0\n"
            "NodeName=gpu-a01 Name=gpu Type=a100_3g.39gb MultipleFiles=/dev/nvidia0,"
            "/dev/nvidia-caps/nvidia-cap21,/dev/nvidia-caps/nvidia-cap22\n"
            "# gpu-a01 GPU 1: whole GPU\n"
            "NodeName=gpu-a01 Name=gpu Type=a100-sxm4-80gb File=/dev/nvidia1\n"
            "# gpu-a01 GPU 2: 1g.10gb@6, GI 13 CI 0\n"
            "NodeName=gpu-a01 Name=gpu Type=h100_80gb_hbm3_1g.10gb MultipleFiles=/dev/nvidia2,"
            "/dev/nvidia-caps/nvidia-cap390,/dev/nvidia-caps/nvidia-cap391\n"
            "# slurm.conf\n"
            "NodeName=gpu-a01 Gres=gpu:a100_1g.10gb:1,gpu:a100_3g.39gb:1,gpu:a100-sxm4-80gb:1,"
            "gpu:h100_80gb_hbm3_1g.10gb:1\n");
}

TEST_F(SlurmGresCliTest, ProfileStyleAndJson) {
  SetUpMachine();
  const CliRun run = RunMigsched({"--json", "slurm", "gres", "--node", "n1", "--type-style", "profile"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  const nlohmann::json out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["type_style"], "profile");
  ASSERT_EQ(out["nodes"].size(), 1u);
  EXPECT_EQ(out["nodes"][0]["gres"], "gpu:1g.10gb:2,gpu:3g.40gb:1,gpu:a100-80gb:1");
  EXPECT_EQ(out["nodes"][0]["devices"][1]["files"][1], "/dev/nvidia-caps/nvidia-cap21");
  EXPECT_EQ(out["nodes"][0]["notes"].size(), 1u);
}

// The real-cluster test (tests/slurm/) points slurmd at fake device files.
TEST_F(SlurmGresCliTest, DevRootMovesEveryDeviceFile) {
  SetUpMachine();
  const CliRun run = RunMigsched({"slurm", "gres", "--node", "n1", "--dev-root", "/tmp/fake/dev/"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  EXPECT_THAT(run.out, ::testing::HasSubstr("Type=a100_3g.39gb MultipleFiles=/tmp/fake/dev/nvidia0,"
                                            "/tmp/fake/dev/nvidia-caps/nvidia-cap21,"
                                            "/tmp/fake/dev/nvidia-caps/nvidia-cap22\n"));
  EXPECT_THAT(run.out, ::testing::HasSubstr("Type=a100-sxm4-80gb File=/tmp/fake/dev/nvidia1\n"));
  EXPECT_THAT(run.out, ::testing::Not(::testing::HasSubstr("=/dev/")));
}

TEST_F(SlurmGresCliTest, RelativeDevRootIsBadInput) {
  SetUpMachine();
  const CliRun run = RunMigsched({"slurm", "gres", "--node", "n1", "--dev-root", "fake/dev"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_THAT(run.err, ::testing::HasSubstr("device root 'fake/dev' is not an absolute path"));
}

// A node name goes unquoted into NodeName= lines (issue 16, point 2).
TEST_F(SlurmGresCliTest, ANodeNameThatWouldChangeSlurmConfIsBadInput) {
  SetUpMachine();
  for (const std::string bad : {"n1 Gres=gpu:99", "n1\nNodeName=evil", "a=b"}) {
    const CliRun run = RunMigsched({"slurm", "gres", "--node", bad});
    EXPECT_EQ(run.code, kExitBadInput) << bad;
    EXPECT_THAT(run.err, ::testing::HasSubstr("is not a valid name")) << bad;
    EXPECT_THAT(run.out, ::testing::Not(::testing::HasSubstr("NodeName="))) << bad;
  }
}

TEST_F(SlurmGresCliTest, UnknownTypeStyleIsBadUsage) {
  const CliRun run = RunMigsched({"slurm", "gres", "--type-style", "deepops"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_THAT(run.err, ::testing::HasSubstr("valid: autodetect, profile"));
}

TEST_F(SlurmGresCliTest, NoDriverIsAnError) {
  setenv(nvml::kLibraryEnv, "/nonexistent/libnvidia-ml.so.1", 1);
  const CliRun run = RunMigsched({"slurm", "gres", "--node", "n1"});
  EXPECT_NE(run.code, kExitOk);
  EXPECT_THAT(run.err, ::testing::HasSubstr("NVML not found"));
}

// The shape FleetJson (src/daemon/api_json.cc) writes.
nlohmann::json ServerFleet() {
  return nlohmann::json::parse(R"({"nodes": [
    {"name": "node2", "gpus": [
      {"index": 0, "model": "H100-80GB", "mig_enabled": true, "instances": [
        {"profile": "3g.40gb", "start": 4, "size": 4, "job": 7, "busy": true, "exists": true,
         "mig_uuid": "MIG-x", "gi_id": 2, "ci_id": 0},
        {"profile": "1g.10gb", "start": 0, "size": 1, "job": null, "busy": false, "exists": false,
         "mig_uuid": null, "gi_id": null, "ci_id": null}]},
      {"index": 1, "model": "A100-80GB", "mig_enabled": false, "instances": []}]},
    {"name": "node1", "gpus": [
      {"index": 0, "model": "H100-80GB", "mig_enabled": true, "instances": [
        {"profile": "3g.40gb", "start": 4, "size": 4, "job": null, "busy": false, "exists": true,
         "mig_uuid": "MIG-y", "gi_id": 2, "ci_id": 0}]},
      {"index": 1, "model": "A100-80GB", "mig_enabled": false, "instances": []}]}]})");
}

TEST(SlurmNodesFromFleetJsonTest, CreatedInstancesGetFilesPlannedOnesNotes) {
  const auto nodes = SlurmNodesFromFleetJson(ServerFleet(), BuiltinCatalogForTest(), "",
                                             engines::SlurmTypeStyle::kAutodetect);
  ASSERT_TRUE(nodes.has_value()) << nodes.error().ToString();
  ASSERT_EQ(nodes->size(), 2u);
  const engines::SlurmNodeGres& node2 = (*nodes)[0];
  EXPECT_EQ(node2.node, "node2");
  ASSERT_EQ(node2.devices.size(), 2u);
  EXPECT_EQ(node2.devices[0].type, "h100_80gb_hbm3_3g.40gb");
  EXPECT_THAT(node2.devices[0].files, ::testing::ElementsAre("/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap21",
                                                             "/dev/nvidia-caps/nvidia-cap22"));
  EXPECT_EQ(node2.devices[1].type, "a100-sxm4-80gb");
  EXPECT_THAT(node2.devices[1].files, ::testing::ElementsAre("/dev/nvidia1"));
  EXPECT_THAT(node2.notes, ::testing::ElementsAre("GPU 0: 1g.10gb@0 is planned but not created yet"));
  // Both nodes end up alike: one compressed slurm.conf line.
  EXPECT_EQ(engines::WriteNodeGresLines(*nodes),
            "NodeName=node[1-2] Gres=gpu:h100_80gb_hbm3_3g.40gb:1,gpu:a100-sxm4-80gb:1\n");
}

TEST(SlurmNodesFromFleetJsonTest, OneNodeOrNotFound) {
  const auto one = SlurmNodesFromFleetJson(ServerFleet(), BuiltinCatalogForTest(), "node1",
                                           engines::SlurmTypeStyle::kProfile);
  ASSERT_TRUE(one.has_value()) << one.error().ToString();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(engines::GresString((*one)[0].devices), "gpu:3g.40gb:1,gpu:a100-80gb:1");

  const auto missing = SlurmNodesFromFleetJson(ServerFleet(), BuiltinCatalogForTest(), "node9",
                                               engines::SlurmTypeStyle::kProfile);
  EXPECT_THAT(missing, HasCode(StatusCode::kNotFound));
  EXPECT_THAT(missing.error().message(), ::testing::HasSubstr("nodes: node2, node1"));
}

TEST(SlurmNodesFromFleetJsonTest, RejectsOtherShapesAndUnknownModels) {
  EXPECT_THAT(SlurmNodesFromFleetJson(nlohmann::json::parse(R"({"jobs": []})"), BuiltinCatalogForTest(), "",
                                      engines::SlurmTypeStyle::kAutodetect),
              HasCode(StatusCode::kInvalidArgument));
  nlohmann::json fleet = ServerFleet();
  fleet["nodes"][0]["gpus"][0]["model"] = "Z100";
  EXPECT_THAT(SlurmNodesFromFleetJson(fleet, BuiltinCatalogForTest(), "", engines::SlurmTypeStyle::kAutodetect),
              HasCode(StatusCode::kNotFound));
  fleet = ServerFleet();
  fleet["nodes"][0]["gpus"][0]["instances"][0]["gi_id"] = 15;
  EXPECT_THAT(SlurmNodesFromFleetJson(fleet, BuiltinCatalogForTest(), "", engines::SlurmTypeStyle::kAutodetect),
              HasCode(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace migsched::cli
