// The mig-parted config reader (mig_parted/config_reader.h): NVIDIA's published
// files all parse, and every malformed input is an error naming file:line.
#include "mig_parted/config_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "testing/status_matchers.h"

namespace migsched::mig_parted {
namespace {

using ::migsched::testing::HasError;
using ::migsched::testing::IsOk;

const std::filesystem::path kConfigDir = "../shared/data/mig_parted_configs";

TEST(MigPartedReaderTest, EveryPublishedConfigParses) {
  if (!std::filesystem::exists(kConfigDir)) GTEST_SKIP() << kConfigDir << " is absent";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kConfigDir)) {
    const std::string path = entry.path().string();
    const Result<File> file = ReadMigPartedFile(path);
    if (path.find("hooks") != std::string::npos) {
      EXPECT_THAT(file, HasError(StatusCode::kInvalidArgument, "hooks file")) << path;
      continue;
    }
    ASSERT_THAT(file, IsOk()) << path;
    EXPECT_GE(file->configs.size(), 5u) << path;
    ++files;
  }
  EXPECT_EQ(files, 7);
}

TEST(MigPartedReaderTest, DefaultConfigHasAllBalancedPerDeviceFilter) {
  const auto path = kConfigDir / "gpu-operator_default-mig-parted-config.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  const Result<File> file = ReadMigPartedFile(path.string());
  ASSERT_THAT(file, IsOk());
  const Result<const Config*> balanced = file->Find("all-balanced");
  ASSERT_THAT(balanced, IsOk());
  EXPECT_GE((*balanced)->entries.size(), 10u);
  for (const Entry& entry : (*balanced)->entries) {
    EXPECT_FALSE(entry.device_filter.empty()) << entry.where;
    EXPECT_TRUE(entry.mig_enabled);
    EXPECT_FALSE(entry.mig_devices.empty());
  }
}

TEST(MigPartedReaderTest, ReadsFiltersDevicesAndCountsInOrder) {
  const Result<File> file = ParseMigPartedYaml(
      "version: v1\n"
      "mig-configs:\n"
      "  mixed:\n"
      "    - device-filter: \"0x20B010DE\"\n"
      "      devices: [0, 2]\n"
      "      mig-enabled: true\n"
      "      mig-devices: {\"3g.20gb\": 1, \"1g.5gb\": 4}\n"
      "    - devices: all\n"
      "      mig-enabled: false\n",
      "t.yaml");
  ASSERT_THAT(file, IsOk());
  ASSERT_EQ(file->configs.size(), 1u);
  const Config& config = file->configs[0];
  ASSERT_EQ(config.entries.size(), 2u);
  EXPECT_EQ(config.entries[0].where, "t.yaml:4");
  EXPECT_EQ(config.entries[0].device_filter, std::vector<uint32_t>{0x20B010DEu});
  EXPECT_EQ(config.entries[0].devices, (std::vector<int>{0, 2}));
  EXPECT_EQ(config.entries[0].mig_devices,
            (std::vector<std::pair<std::string, int>>{{"3g.20gb", 1}, {"1g.5gb", 4}}));
  EXPECT_FALSE(config.entries[1].devices.has_value());
  EXPECT_FALSE(config.entries[1].mig_enabled);
}

TEST(MigPartedReaderTest, ConfigMapErrorsUseTheManifestsLineNumbers) {
  const Result<File> file = ParseMigPartedYaml(
      "apiVersion: v1\n"                   // 1
      "kind: ConfigMap\n"                  // 2
      "data:\n"                            // 3
      "  config.yaml: |\n"                 // 4
      "    version: v1\n"                  // 5
      "    mig-configs:\n"                 // 6
      "      bad:\n"                       // 7
      "        - devices: all\n"           // 8
      "          mig-enabled: true\n"      // 9
      "          mig-devicez: {}\n",       // 10
      "cm.yaml");
  EXPECT_THAT(file, HasError(StatusCode::kInvalidArgument, "cm.yaml:10: unknown key 'mig-devicez'"));
}

struct BadCase {
  std::string text;
  std::string error;
};

TEST(MigPartedReaderTest, MalformedInputNamesFileAndLine) {
  const std::string head = "version: v1\nmig-configs:\n  c:\n";
  const std::vector<BadCase> cases = {
      {"version: v2\nmig-configs: {}\n", "t.yaml:1: unsupported version 'v2'"},
      {head + "    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.5gb\": -1}\n",
       "t.yaml:6: '1g.5gb' must be between 0"},
      {head + "    - devices: all\n      mig-enabled: false\n      mig-devices: {\"1g.5gb\": 2}\n",
       "t.yaml:6: 'mig-devices' asks for 1g.5gb but 'mig-enabled' is false"},
      {head + "    - device-filter: \"0xZZ\"\n      devices: all\n      mig-enabled: true\n",
       "t.yaml:4:"},
      {head + "    - devices: some\n      mig-enabled: true\n", "t.yaml:4: 'devices' must be 'all'"},
      {head + "    - devices: [0, 0]\n      mig-enabled: true\n", "t.yaml:4: GPU index 0 is listed twice"},
      {head + "    - devices: all\n", "t.yaml:4: missing required key 'mig-enabled'"},
      {head + "    - devices: all\n      mig-enabled: true\n  c:\n    - devices: all\n"
              "      mig-enabled: true\n",
       "defined twice"},
      {"version: v1\nhooks: {}\n", "t.yaml: no 'mig-configs' found"},
      {"version: v1\nmig-configs: [1\n", "t.yaml:"},
      // Issue 16: names that would not survive being written back as a key.
      {"version: v1\nmig-configs:\n  \"a: b\":\n    - {devices: all, mig-enabled: false}\n",
       "t.yaml:3: config name 'a: b' is not a valid name"},
      {"version: v1\nmig-configs:\n  \"a\\nb\":\n    - {devices: all, mig-enabled: false}\n",
       "t.yaml:3: config name 'a\nb' is not a valid name"},
  };
  for (const BadCase& c : cases) {
    EXPECT_THAT(ParseMigPartedYaml(c.text, "t.yaml"), HasError(StatusCode::kInvalidArgument, c.error))
        << c.text;
  }
}

TEST(MigPartedReaderTest, UnknownConfigNameListsTheKnownOnes) {
  const Result<File> file = ParseMigPartedYaml(
      "version: v1\nmig-configs:\n  a: []\n  b: []\n", "t.yaml");
  ASSERT_THAT(file, IsOk());
  EXPECT_THAT(file->Find("c"), HasError(StatusCode::kNotFound, "the file has: a, b"));
}

TEST(MigPartedReaderTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadMigPartedFile("/nonexistent/x.yaml"),
              HasError(StatusCode::kNotFound, "/nonexistent/x.yaml"));
}

}  // namespace
}  // namespace migsched::mig_parted
