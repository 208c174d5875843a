// What migsched writes for mig-parted, read back (issue 16, point 2): the
// writer goes through yaml-cpp's emitter, so a name with a newline, ':', '#',
// quotes, '<', '&' or non-ASCII text cannot add a config or a key. A hostile
// config name reads back as exactly that one name (and our reader refuses it,
// naming it); a hostile node name stays inside the header comment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "mig_parted/config_writer.h"
#include "fleet/fleet.h"
#include "mig_parted/config_reader.h"
#include "testing/catalog_fixture.h"
#include "testing/status_matchers.h"

namespace migsched::mig_parted {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

const std::vector<std::string> kHostileNames{
    "a: b", "x\nversion: v2\nmig-configs: {}", "#c", "it's \"quoted\"", "<img src=x>&amp;", "ünïcode-名前",
    "- [x]", "  padded  ", "*alias", "~"};

std::vector<OutputConfig> OneConfig(const std::string& name) {
  return {{.name = name,
           .devices = DeviceSelector::kIndices,
           .entries = {{.devices = {0, 1}, .mig_enabled = true, .counts = {{"1g.10gb+me", 1}, {"3g.40gb", 1}}}}}};
}

TEST(MigPartedRoundTripTest, AHostileConfigNameIsOneQuotedKeyThatOurReaderRefusesByName) {
  for (const std::string& name : kHostileNames) {
    const std::string yaml = WriteMigPartedYaml("", OneConfig(name));
    const YAML::Node root = YAML::Load(yaml);
    EXPECT_EQ(root["version"].as<std::string>(), "v1") << yaml;
    ASSERT_EQ(root["mig-configs"].size(), 1u) << yaml;
    EXPECT_EQ(root["mig-configs"].begin()->first.as<std::string>(), name) << yaml;
    EXPECT_THAT(ParseMigPartedYaml(yaml, "out.yaml"),
                HasError(StatusCode::kInvalidArgument, "config name")) << yaml;
  }
}

TEST(MigPartedRoundTripTest, AValidConfigReadsBackExactly) {
  const std::string yaml = WriteMigPartedYaml("any # text\nversion: v9", OneConfig("node-1.a_b"));
  const Result<File> file = ParseMigPartedYaml(yaml, "out.yaml");
  ASSERT_THAT(file, IsOk());
  ASSERT_EQ(file->configs.size(), 1u);
  EXPECT_EQ(file->configs[0].name, "node-1.a_b");
  ASSERT_EQ(file->configs[0].entries.size(), 1u);
  const Entry& entry = file->configs[0].entries[0];
  EXPECT_EQ(entry.devices, std::vector<int>({0, 1}));
  EXPECT_TRUE(entry.mig_enabled);
  EXPECT_EQ(entry.mig_devices, (std::vector<std::pair<std::string, int>>{{"1g.10gb+me", 1}, {"3g.40gb", 1}}));
}

// Node names are checked where they enter (fleet files, agents), but the
// writer does not rely on it: they only reach the header comment.
TEST(MigPartedRoundTripTest, HostileNodeNamesStayInTheComment) {
  fleet::Fleet fleet;
  for (const std::string& node : kHostileNames) {
    fleet::FleetGpu gpu;
    gpu.node = node;
    gpu.model = &migsched::testing::Gpu("A100-80GB");
    for (const geometry::GpuInstance& instance : migsched::testing::Instances(*gpu.model, {"3g.40gb@0"})) {
      gpu.instances.push_back(fleet::FleetInstance{.instance = instance, .workload = "", .busy = false});
    }
    fleet.gpus.push_back(gpu);
  }
  const FleetConfigs config = WriteMigPartedConfig(fleet);
  const Result<File> file = ParseMigPartedYaml(config.yaml, "out.yaml");
  ASSERT_THAT(file, IsOk()) << config.yaml;
  ASSERT_EQ(file->configs.size(), 1u) << config.yaml;
  EXPECT_EQ(file->configs[0].name, "migsched-1");
  EXPECT_EQ(file->configs[0].entries[0].mig_devices, (std::vector<std::pair<std::string, int>>{{"3g.40gb", 1}}));
}

}  // namespace
}  // namespace migsched::mig_parted
