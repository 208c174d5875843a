// The built-in catalog against nvidia-smi output that migsched developers
// captured themselves on a real H100 80GB HBM3 and H200 (tests/data/nvidia_smi). Unlike
// the shared captures these live in the repo, so this test always runs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "testing/catalog_fixture.h"
#include "testing/nvidia_smi_text.h"

namespace migsched::io {
namespace {

using ::migsched::testing::Gpu;

std::string ReadCapture(const std::string& name) {
  std::ifstream in("tests/data/nvidia_smi/" + name);
  EXPECT_TRUE(in) << "missing tests/data/nvidia_smi/" << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const geometry::GiProfile* ById(const geometry::GpuModel& model, int id) {
  for (const geometry::GiProfile& profile : model.profiles) {
    if (profile.id == id) return &profile;
  }
  return nullptr;
}

// A capture: its file prefix, and the product name and PCI id it printed.
struct Capture {
  std::string prefix;
  std::string product_name;
  std::string pci_id;
};

class OwnCaptureTest : public ::testing::TestWithParam<Capture> {};

TEST_P(OwnCaptureTest, LgipMatchesTheCatalogRowByRow) {
  const geometry::GpuModel& gpu = Gpu(GetParam().product_name);
  const auto lgip = testing::ParseLgip(ReadCapture(GetParam().prefix + "_mig-lgip.txt"));
  EXPECT_TRUE(lgip.bad_lines.empty());
  ASSERT_EQ(lgip.rows.size(), gpu.profiles.size());
  for (const testing::LgipRow& row : lgip.rows) {
    const geometry::GiProfile* profile = ById(gpu, row.id);
    ASSERT_NE(profile, nullptr) << "profile id " << row.id;
    EXPECT_EQ(profile->name, row.name);
    EXPECT_EQ(profile->max_count, row.total) << row.name;
    EXPECT_EQ(profile->sm_count, row.sm) << row.name;
    EXPECT_EQ(profile->copy_engines, row.ce) << row.name;
    EXPECT_EQ(profile->media.dec, row.dec) << row.name;
    EXPECT_EQ(profile->media.enc, row.enc) << row.name;
    EXPECT_EQ(profile->media.jpg, row.jpeg) << row.name;
    EXPECT_EQ(profile->media.ofa, row.ofa) << row.name;
    // nvidia-smi prints GiB with two decimals of a 64-MiB-granular size.
    EXPECT_NEAR(static_cast<double>(profile->memory_mib) / 1024.0, row.memory_gib, 0.005) << row.name;
    EXPECT_EQ(profile->evidence, geometry::Evidence::kCaptured) << row.name;
  }
}

TEST_P(OwnCaptureTest, LgippMatchesTheCatalogPlacements) {
  const geometry::GpuModel& gpu = Gpu(GetParam().pci_id);
  const auto lgipp = testing::ParseLgipp(ReadCapture(GetParam().prefix + "_mig-lgipp.txt"));
  EXPECT_TRUE(lgipp.bad_lines.empty());
  ASSERT_EQ(lgipp.rows.size(), gpu.profiles.size());
  for (const testing::LgippLine& line : lgipp.rows) {
    const geometry::GiProfile* profile = ById(gpu, line.id);
    ASSERT_NE(profile, nullptr) << "profile id " << line.id;
    EXPECT_EQ(profile->starts, line.starts) << profile->name;
    EXPECT_EQ(profile->memory_slices, line.size) << profile->name;
  }
}

TEST_P(OwnCaptureTest, IdentityMatchesTheQuery) {
  const std::string query = ReadCapture(GetParam().prefix + "_query.txt");
  const geometry::GpuModel& gpu = Gpu(GetParam().product_name);
  EXPECT_EQ(Gpu(GetParam().pci_id).name, gpu.name);
  EXPECT_NE(query.find(GetParam().product_name + ", " + GetParam().pci_id + ", " +
                       std::to_string(gpu.memory_mib) + " MiB"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    LentGpus, OwnCaptureTest,
    ::testing::Values(Capture{"H100-80GB-HBM3_R580", "NVIDIA H100 80GB HBM3", "0x233010DE"},
                      Capture{"H200_R580", "NVIDIA H200", "0x233510DE"}),
    [](const ::testing::TestParamInfo<Capture>& param_info) {
      return param_info.index == 0 ? std::string("H100") : std::string("H200");
    });

}  // namespace
}  // namespace migsched::io
