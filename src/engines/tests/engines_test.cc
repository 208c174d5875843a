#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "engines/k8s_resources.h"
#include "engines/mig_parted_writer.h"
#include "testing/catalog_fixture.h"

namespace migsched::engines {
namespace {

using migsched::testing::Gpu;
using migsched::testing::Instances;
using ::testing::ElementsAre;
using ::testing::Pair;

fleet::FleetGpu MakeGpu(const std::string& node, int index, const geometry::GpuModel& model,
                        const std::vector<std::string>& specs, bool mig_enabled = true) {
  fleet::FleetGpu gpu;
  gpu.node = node;
  gpu.index = index;
  gpu.model = &model;
  gpu.mig_enabled = mig_enabled;
  for (const geometry::GpuInstance& i : Instances(model, specs)) {
    gpu.instances.push_back(fleet::FleetInstance{.instance = i, .workload = "w", .busy = false});
  }
  return gpu;
}

// node-1 and node-2 alike (two balanced H100s, one 7g, one whole GPU); node-3
// two A100-80GB: one MIG-enabled but empty, one with a single 1g.10gb+me.
fleet::Fleet Example() {
  const geometry::GpuModel& h100 = Gpu("H100-80GB");
  const geometry::GpuModel& a100 = Gpu("A100-80GB");
  const std::vector<std::string> balanced = {"3g.40gb@4", "2g.20gb@0", "1g.10gb@2", "1g.10gb@3"};
  fleet::Fleet fleet;
  for (const std::string node : {"node-1", "node-2"}) {
    fleet.gpus.push_back(MakeGpu(node, 0, h100, balanced));
    fleet.gpus.push_back(MakeGpu(node, 1, h100, balanced));
    fleet.gpus.push_back(MakeGpu(node, 2, h100, {"7g.80gb@0"}));
    fleet.gpus.push_back(MakeGpu(node, 3, h100, {}, /*mig_enabled=*/false));
  }
  fleet.gpus.push_back(MakeGpu("node-3", 0, a100, {}));
  fleet.gpus.push_back(MakeGpu("node-3", 1, a100, {"1g.10gb+me@6"}));
  return fleet;
}

// Profile name -> count of one GPU, counted here from the instances.
std::map<std::string, int> Counted(const fleet::FleetGpu& gpu) {
  std::map<std::string, int> out;
  for (const fleet::FleetInstance& i : gpu.instances) {
    ++out[gpu.model->profiles[static_cast<size_t>(i.instance.profile)].name];
  }
  return out;
}

TEST(MigPartedWriterTest, ParsesBackToThePlansCountsPerGpu) {
  const fleet::Fleet fleet = Example();
  const MigPartedConfig config = WriteMigPartedConfig(fleet);
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
  const YAML::Node ours = YAML::Load(WriteMigPartedConfig(Example()).yaml);
  for (const auto& config : ours["mig-configs"]) {
    for (const YAML::Node& entry : config.second) {
      for (const auto& key : entry) EXPECT_TRUE(real_keys.contains(key.first.as<std::string>()));
    }
  }
}

// The writer shared with `migsched export`: indices or `all`, counts only
// for MIG-enabled GPUs, `{}` for MIG on without instances.
TEST(MigPartedWriterTest, EntriesNameTheirDevicesAndCounts) {
  const std::vector<MigPartedEntry> entries{
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

TEST(K8sResourcesTest, MixedStrategyCountsPerNodeAndFleet) {
  const K8sResources resources = ComputeK8sResources(Example());
  ASSERT_EQ(resources.nodes.size(), 3u);
  EXPECT_EQ(resources.nodes[0].node, "node-1");
  EXPECT_THAT(resources.nodes[0].resources,
              ElementsAre(Pair("nvidia.com/mig-1g.10gb", 4), Pair("nvidia.com/mig-2g.20gb", 2),
                          Pair("nvidia.com/mig-3g.40gb", 2), Pair("nvidia.com/mig-7g.80gb", 1),
                          Pair("nvidia.com/gpu", 1)));
  EXPECT_THAT(resources.nodes[2].resources, ElementsAre(Pair("nvidia.com/mig-1g.10gb.me", 1)));
  EXPECT_THAT(resources.fleet,
              ElementsAre(Pair("nvidia.com/mig-1g.10gb", 8), Pair("nvidia.com/mig-2g.20gb", 4),
                          Pair("nvidia.com/mig-3g.40gb", 4), Pair("nvidia.com/mig-7g.80gb", 2),
                          Pair("nvidia.com/gpu", 2), Pair("nvidia.com/mig-1g.10gb.me", 1)));
  EXPECT_EQ(MigResourceName("2g.48gb-me"), "nvidia.com/mig-2g.48gb-me");
}

TEST(K8sResources, ProfileOfMigResourceInvertsTheResourceName) {
  for (const char* profile : {"1g.10gb", "1g.10gb+me", "2g.48gb-me", "1g.12gb+me.all", "7g.80gb"}) {
    EXPECT_EQ(ProfileOfMigResource(MigResourceName(profile)), profile);
  }
  EXPECT_EQ(ProfileOfMigResource("nvidia.com/gpu"), std::nullopt);
  EXPECT_EQ(ProfileOfMigResource("nvidia.com/mig-"), std::nullopt);
  EXPECT_EQ(ProfileOfMigResource("example.com/mig-1g.10gb"), std::nullopt);
  EXPECT_EQ(ProfileOfMigResource("nvidia.com/mig-weird"), std::nullopt);
}

}  // namespace
}  // namespace migsched::engines
