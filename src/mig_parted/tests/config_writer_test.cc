// The mig-parted writer: configs per distinct node layout that read back to
// the plan's counts, with only the keys NVIDIA's own configs use.
#include "mig_parted/config_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "testing/fleet_fixture.h"

namespace migsched::mig_parted {
namespace {

using migsched::testing::MixedPlannedFleet;
using ::testing::ElementsAre;
using ::testing::Pair;

// Profile name -> count of one GPU, counted here from the instances.
std::map<std::string, int> Counted(const fleet::FleetGpu& gpu) {
  std::map<std::string, int> out;
  for (const fleet::FleetInstance& i : gpu.instances) {
    ++out[gpu.model->profiles[static_cast<size_t>(i.instance.profile)].name];
  }
  return out;
}

TEST(MigPartedWriterTest, ParsesBackToThePlansCountsPerGpu) {
  const fleet::Fleet fleet = MixedPlannedFleet();
  const FleetConfigs config = WriteMigPartedConfig(fleet);
  const YAML::Node root = YAML::Load(config.yaml);
  EXPECT_EQ(root["version"].as<std::string>(), "v1");
  ASSERT_TRUE(root["mig-configs"].IsMap());
  EXPECT_EQ(root["mig-configs"].size(), 2u);  // node-1 and node-2 share one
  EXPECT_THAT(config.node_configs,
              ElementsAre(Pair("node-1", "migsched-1"), Pair("node-2", "migsched-1"),
                          Pair("node-3", "migsched-2")));
  std::map<std::string, std::string> config_of(config.node_configs.begin(), config.node_configs.end());
  for (const fleet::FleetGpu& gpu : fleet.gpus) {
    const YAML::Node entries = root["mig-configs"][config_of.at(gpu.node)];
    ASSERT_TRUE(entries.IsSequence());
    int matches = 0;
    for (const YAML::Node& entry : entries) {
      for (const auto& key : entry) {
        const std::string name = key.first.as<std::string>();
        EXPECT_TRUE(name == "devices" || name == "mig-enabled" || name == "mig-devices") << name;
      }
      bool listed = false;
      for (const YAML::Node& device : entry["devices"]) listed = listed || device.as<int>() == gpu.index;
      if (!listed) continue;
      ++matches;
      EXPECT_EQ(entry["mig-enabled"].as<bool>(), gpu.mig_enabled);
      if (!gpu.mig_enabled) {
        EXPECT_FALSE(entry["mig-devices"]);
        continue;
      }
      ASSERT_TRUE(entry["mig-devices"].IsMap());
      std::map<std::string, int> counts;
      for (const auto& device : entry["mig-devices"]) {
        counts[device.first.as<std::string>()] = device.second.as<int>();
      }
      EXPECT_EQ(counts, Counted(gpu)) << gpu.node << " gpu " << gpu.index;
    }
    EXPECT_EQ(matches, 1) << gpu.node << " gpu " << gpu.index;
  }
}

// The keys of our entries are the ones NVIDIA's own example config uses.
TEST(MigPartedWriterTest, UsesOnlyKeysOfTheRealExampleConfig) {
  const std::string path = "../shared/data/mig_parted_configs/mig-parted_examples_config.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared data absent: " << path;
  std::set<std::string> real_keys;
  for (const auto& config : YAML::LoadFile(path)["mig-configs"]) {
    for (const YAML::Node& entry : config.second) {
      for (const auto& key : entry) real_keys.insert(key.first.as<std::string>());
    }
  }
  const YAML::Node ours = YAML::Load(WriteMigPartedConfig(MixedPlannedFleet()).yaml);
  for (const auto& config : ours["mig-configs"]) {
    for (const YAML::Node& entry : config.second) {
      for (const auto& key : entry) EXPECT_TRUE(real_keys.contains(key.first.as<std::string>()));
    }
  }
}

// The writer shared with `migsched export`: indices or `all`, counts only
// for MIG-enabled GPUs, `{}` for MIG on without instances.
TEST(MigPartedWriterTest, EntriesNameTheirDevicesAndCounts) {
  const std::vector<OutputEntry> entries{
      {.devices = {0, 2}, .mig_enabled = true, .counts = {{"1g.10gb", 7}}},
      {.devices = {1}, .mig_enabled = true, .counts = {}},
      {.devices = {3}, .mig_enabled = false, .counts = {}}};
  EXPECT_EQ(WriteMigPartedYaml("made by\na test", {{.name = "c1", .devices = DeviceSelector::kIndices,
                                                    .entries = entries}}),
            "# made by\n# a test\n\n"
            "version: v1\nmig-configs:\n  c1:\n"
            "    - devices: [0, 2]\n      mig-enabled: true\n      mig-devices:\n        \"1g.10gb\": 7\n"
            "    - devices: [1]\n      mig-enabled: true\n      mig-devices: {}\n"
            "    - devices: [3]\n      mig-enabled: false\n");
  EXPECT_THAT(WriteMigPartedYaml("", {{.name = "c2", .devices = DeviceSelector::kAll, .entries = {entries[1]}}}),
              ::testing::HasSubstr("  c2:\n    - devices: all\n"));
}

}  // namespace
}  // namespace migsched::mig_parted
