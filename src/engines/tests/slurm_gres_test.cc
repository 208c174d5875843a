// SLURM GRES types, MIG device files and the gres.conf/slurm.conf writer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engines/mig_device_files.h"
#include "engines/slurm_gres_type.h"
#include "engines/slurm_gres_writer.h"
#include "testing/catalog_fixture.h"
#include "testing/fleet_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::engines {
namespace {

using migsched::testing::Gpu;
using migsched::testing::HasCode;
using migsched::testing::IsOk;
using migsched::testing::MixedPlannedFleet;
using migsched::testing::PlannedGpu;
using ::testing::ElementsAre;

constexpr SlurmTypeStyle kAuto = SlurmTypeStyle::kAutodetect;
constexpr SlurmTypeStyle kProfile = SlurmTypeStyle::kProfile;

const geometry::GiProfile& ProfileOf(const geometry::GpuModel& model, const std::string& name) {
  return model.profiles[static_cast<size_t>(model.FindProfile(name).value())];
}

std::string MigType(const std::string& model, const std::string& profile, SlurmTypeStyle style = kAuto,
                    const std::string& nvml_name = "") {
  return SlurmMigType(Gpu(model), ProfileOf(Gpu(model), profile), nvml_name, style);
}

TEST(SlurmGresTypeTest, AutodetectTypesMatchSlurmsExamples) {
  // SchedMD's gres documentation: an A100's 3g.20gb is "nvidia_a100_3g.20gb".
  EXPECT_EQ(MigType("A100-40GB", "3g.20gb"), "a100_3g.20gb");
  // A GH200 node's real gres.conf types its 1g.24gb and 1g.12gb (23552 and
  // 11264 MiB) as 1g.23gb and 1g.11gb: Slurm rounds the memory NVML reports.
  EXPECT_EQ(MigType("H100-96GB", "1g.24gb"), "gh200_480gb_1g.23gb");
  EXPECT_EQ(MigType("H100-96GB", "1g.12gb"), "gh200_480gb_1g.11gb");
  // 40192 MiB round to 39 GiB.
  EXPECT_EQ(MigType("A100-80GB", "3g.40gb"), "a100_3g.39gb");
}

TEST(SlurmGresTypeTest, SameProfileOnTwoModelsIsTwoTypes) {
  const std::string a100 = MigType("A100-80GB", "1g.10gb");
  const std::string h100 = MigType("H100-80GB", "1g.10gb");
  EXPECT_EQ(a100, "a100_1g.10gb");
  EXPECT_EQ(h100, "h100_80gb_hbm3_1g.10gb");
  EXPECT_NE(a100, h100);
  // The bare profile style cannot tell them apart.
  EXPECT_EQ(MigType("A100-80GB", "1g.10gb", kProfile), MigType("H100-80GB", "1g.10gb", kProfile));
}

TEST(SlurmGresTypeTest, FollowsTheNameNvmlReports) {
  // Slurm cuts the device name at its first '-': the SXM4 name loses its
  // suffix, the PCIe name (no '-') keeps it.
  EXPECT_EQ(MigType("A100-80GB", "3g.40gb", kAuto, "NVIDIA A100-SXM4-80GB"), "a100_3g.39gb");
  EXPECT_EQ(MigType("A100-80GB", "3g.40gb", kAuto, "NVIDIA A100 80GB PCIe"), "a100_80gb_pcie_3g.39gb");
  EXPECT_EQ(SlurmWholeGpuType(Gpu("A100-80GB"), "NVIDIA A100 80GB PCIe", kAuto), "a100_80gb_pcie");
}

TEST(SlurmGresTypeTest, MediaVariantsShareTheTypeOfTheirSlicesAndMemory) {
  EXPECT_EQ(MigType("H100-80GB", "1g.10gb+me"), MigType("H100-80GB", "1g.10gb"));
  EXPECT_EQ(MigType("H100-80GB", "1g.10gb+me", kProfile), "1g.10gb+me");
}

TEST(SlurmGresTypeTest, WholeGpusAreTypedByModelInEitherStyle) {
  EXPECT_EQ(SlurmWholeGpuType(Gpu("A100-80GB"), "", kAuto), "a100-sxm4-80gb");
  EXPECT_EQ(SlurmWholeGpuType(Gpu("H100-80GB"), "", kAuto), "h100_80gb_hbm3");
  EXPECT_EQ(SlurmWholeGpuType(Gpu("A100-80GB"), "", kProfile), "a100-80gb");
  EXPECT_EQ(MigType("A100-80GB", "3g.40gb", kProfile), "3g.40gb");
}

TEST(SlurmGresTypeTest, ModelWithoutProductNameUsesItsModelName) {
  ASSERT_TRUE(Gpu("GH200-144GB").product_names.empty());
  EXPECT_EQ(MigType("GH200-144GB", "1g.18gb"), "gh200_1g.18gb");
  EXPECT_EQ(SlurmWholeGpuType(Gpu("GH200-144GB"), "", kAuto), "gh200-144gb");
}

TEST(SlurmGresTypeTest, ParsesStyleNames) {
  EXPECT_EQ(ParseSlurmTypeStyle("autodetect").value(), kAuto);
  EXPECT_EQ(ParseSlurmTypeStyle("profile").value(), kProfile);
  const Result<SlurmTypeStyle> bad = ParseSlurmTypeStyle("deepops");
  EXPECT_THAT(bad, HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(bad.error().message(), ::testing::HasSubstr("valid: autodetect, profile"));
}

TEST(MigDeviceFilesTest, MatchesMigMinorsOfRealSystems) {
  // GH200: gpu0/gi3 -> nvidia-cap30 (GI) and 31 (CI 0); gi13 -> 120/121.
  EXPECT_THAT(MigDeviceFiles(0, 3, 0).value(),
              ElementsAre("/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap30", "/dev/nvidia-caps/nvidia-cap31"));
  EXPECT_THAT(MigDeviceFiles(0, 13, 0).value(),
              ElementsAre("/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap120", "/dev/nvidia-caps/nvidia-cap121"));
  // mig-minors lines: gpu0/gi0/ci1 5, gpu3/gi3/ci3 439, gpu6/gi11/ci7 920.
  EXPECT_EQ(MigDeviceFiles(0, 0, 1).value()[2], "/dev/nvidia-caps/nvidia-cap5");
  EXPECT_EQ(MigDeviceFiles(3, 3, 3).value()[2], "/dev/nvidia-caps/nvidia-cap439");
  EXPECT_THAT(MigDeviceFiles(6, 11, 7).value(),
              ElementsAre("/dev/nvidia6", "/dev/nvidia-caps/nvidia-cap912", "/dev/nvidia-caps/nvidia-cap920"));
  EXPECT_EQ(GpuDeviceFile(7), "/dev/nvidia7");
}

TEST(MigDeviceFilesTest, RejectsIdsTheDriverNeverAssigns) {
  EXPECT_THAT(MigDeviceFiles(-1, 0, 0), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(MigDeviceFiles(0, 15, 0), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(MigDeviceFiles(0, -1, 0), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(MigDeviceFiles(0, 14, 8), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(MigDeviceFiles(0, 14, 7), IsOk());
}

TEST(MigDeviceFilesTest, UnderDevRootMovesFilesOutOfDev) {
  EXPECT_EQ(UnderDevRoot("/dev/nvidia-caps/nvidia-cap21", "/tmp/t/dev").value(),
            "/tmp/t/dev/nvidia-caps/nvidia-cap21");
  EXPECT_EQ(UnderDevRoot("/dev/nvidia1", "/tmp/t/dev/").value(), "/tmp/t/dev/nvidia1");
  EXPECT_EQ(UnderDevRoot("/dev/nvidia1", "/dev").value(), "/dev/nvidia1");
  EXPECT_EQ(UnderDevRoot("/dev/nvidia1", "/").value(), "/nvidia1");
}

TEST(MigDeviceFilesTest, UnderDevRootWantsAnAbsoluteRootAndAFileUnderDev) {
  const Result<std::string> relative = UnderDevRoot("/dev/nvidia0", "fake/dev");
  EXPECT_THAT(relative, HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(relative.error().message(), ::testing::HasSubstr("'fake/dev' is not an absolute path"));
  EXPECT_THAT(UnderDevRoot("/device/nvidia0", "/tmp/t"), HasCode(StatusCode::kInvalidArgument));
  EXPECT_THAT(UnderDevRoot("/dev", "/tmp/t"), HasCode(StatusCode::kInvalidArgument));
}

// MixedPlannedFleet and node-4 with one empty A100-80GB.
fleet::Fleet MixedFleet() {
  fleet::Fleet fleet = MixedPlannedFleet();
  fleet.gpus.push_back(PlannedGpu("node-4", 0, Gpu("A100-80GB"), {}));
  return fleet;
}

TEST(SlurmGresWriterTest, PlannedFleetInAutodetectStyle) {
  const SlurmConfig config = WriteSlurmConfig(MixedFleet(), kAuto);
  EXPECT_EQ(config.slurm_conf,
            "# Generated by migsched plan: merge into slurm.conf.\n"
            "GresTypes=gpu\n"
            "AccountingStorageTRES=gres/gpu,gres/gpu:h100_80gb_hbm3_1g.10gb,gres/gpu:h100_80gb_hbm3_2g.20gb,"
            "gres/gpu:h100_80gb_hbm3_3g.40gb,gres/gpu:h100_80gb_hbm3_7g.79gb,gres/gpu:h100_80gb_hbm3,"
            "gres/gpu:a100_1g.10gb\n"
            "NodeName=node-[1-2] Gres=gpu:h100_80gb_hbm3_1g.10gb:4,gpu:h100_80gb_hbm3_2g.20gb:2,"
            "gpu:h100_80gb_hbm3_3g.40gb:2,gpu:h100_80gb_hbm3_7g.79gb:1,gpu:h100_80gb_hbm3:1\n"
            "NodeName=node-3 Gres=gpu:a100_1g.10gb:1\n"
            "# node-4: no GPU instances\n");
  EXPECT_THAT(config.gres_conf, ::testing::HasSubstr("\nAutoDetect=nvml\n"));
}

TEST(SlurmGresWriterTest, PlannedFleetInProfileStyle) {
  const SlurmConfig config = WriteSlurmConfig(MixedFleet(), kProfile);
  EXPECT_THAT(config.slurm_conf,
              ::testing::HasSubstr("\nNodeName=node-[1-2] Gres=gpu:1g.10gb:4,gpu:2g.20gb:2,gpu:3g.40gb:2,"
                                   "gpu:7g.80gb:1,gpu:h100-80gb:1\nNodeName=node-3 Gres=gpu:1g.10gb+me:1\n"));
  // Slurm's AutoDetect would not report these types: no AutoDetect line.
  EXPECT_THAT(config.gres_conf, ::testing::Not(::testing::HasSubstr("AutoDetect=")));
  EXPECT_THAT(config.gres_conf, ::testing::HasSubstr("migsched slurm gres --type-style profile"));
}

TEST(SlurmGresWriterTest, PlannedDevicesCarryNoFiles) {
  const std::vector<SlurmNodeGres> nodes = SlurmNodesOfFleet(MixedFleet(), kAuto);
  ASSERT_EQ(nodes.size(), 4u);
  ASSERT_EQ(nodes[0].devices.size(), 10u);
  EXPECT_EQ(nodes[0].devices[0].what, "1g.10gb@2");
  for (const SlurmNodeGres& node : nodes) {
    for (const SlurmGresDevice& device : node.devices) EXPECT_TRUE(device.files.empty()) << device.what;
  }
}

TEST(SlurmGresWriterTest, GresConfLinesNameEachDevicesFiles) {
  const SlurmNodeGres node{
      .node = "gpu-a01",
      .devices = {SlurmGresDevice{.gpu = 0, .type = "a100_3g.39gb", .what = "3g.40gb@4, GI 2 CI 0",
                                  .files = MigDeviceFiles(0, 2, 0).value()},
                  SlurmGresDevice{.gpu = 1, .type = "a100-sxm4-80gb", .what = "whole GPU",
                                  .files = {GpuDeviceFile(1)}}},
      .notes = {"GPU 0: 1g.10gb@0 is planned but not created yet"}};
  EXPECT_EQ(WriteGresConfLines({node}),
            "# gpu-a01: GPU 0: 1g.10gb@0 is planned but not created yet\n"
            "# gpu-a01 GPU 0: 3g.40gb@4, GI 2 CI 0\n"
            "NodeName=gpu-a01 Name=gpu Type=a100_3g.39gb MultipleFiles=/dev/nvidia0,"
            "/dev/nvidia-caps/nvidia-cap21,/dev/nvidia-caps/nvidia-cap22\n"
            "# gpu-a01 GPU 1: whole GPU\n"
            "NodeName=gpu-a01 Name=gpu Type=a100-sxm4-80gb File=/dev/nvidia1\n");
  EXPECT_EQ(GresString(node.devices), "gpu:a100_3g.39gb:1,gpu:a100-sxm4-80gb:1");
}

TEST(SlurmGresWriterTest, NodesWithTheSameGresShareOneCompressedLine) {
  const SlurmGresDevice device{.gpu = 0, .type = "t", .what = "", .files = {}};
  std::vector<SlurmNodeGres> nodes;
  for (const std::string name : {"gpu-a03", "gpu-a01", "gpu-b1", "gpu-a02", "gpu-a07"}) {
    nodes.push_back(SlurmNodeGres{.node = name, .devices = {device}, .notes = {}});
  }
  nodes.push_back(SlurmNodeGres{.node = "gpu-a04", .devices = {device, device}, .notes = {}});
  EXPECT_EQ(WriteNodeGresLines(nodes),
            "NodeName=gpu-a[01-03,07],gpu-b1 Gres=gpu:t:1\n"
            "NodeName=gpu-a04 Gres=gpu:t:2\n");
}

}  // namespace
}  // namespace migsched::engines
