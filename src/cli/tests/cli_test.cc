// RunCli end to end for what golden files cannot show: files written, help.
#include "cli/cli.h"
#include "testing/cli_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace migsched::cli {
namespace {

using migsched::testing::CliRun;
using migsched::testing::RunMigsched;

TEST(CliTest, HelpSucceeds) {
  const CliRun run = RunMigsched({"--help"});
  EXPECT_EQ(run.code, kExitOk);
  EXPECT_NE(run.out.find("layout"), std::string::npos);
}

TEST(CliTest, UnknownCommandIsBadUsage) {
  EXPECT_EQ(RunMigsched({"frobnicate"}).code, kExitBadInput);
  EXPECT_EQ(RunMigsched({"layout", "check"}).code, kExitBadInput);
}

// Issue 14: `migsched nosuch --help` printed the main help with exit 0; a
// mistyped command gets an error with a suggestion, as kubectl and gh do.
TEST(CliTest, Issue14MistypedCommandIsAnErrorWithASuggestion) {
  const CliRun help = RunMigsched({"nosuch", "--help"});
  EXPECT_EQ(help.code, kExitBadInput);
  EXPECT_EQ(help.out, "");
  EXPECT_EQ(help.err, "migsched: unknown command 'nosuch'\nRun 'migsched --help' for the list of commands.\n");
  const CliRun typo = RunMigsched({"--json", "plna", "--fleet", "f.yaml"});
  EXPECT_EQ(typo.code, kExitBadInput);
  EXPECT_NE(typo.err.find("unknown command 'plna'; did you mean 'plan'?"), std::string::npos) << typo.err;
  EXPECT_NE(RunMigsched({"simul"}).err.find("did you mean 'simulate'?"), std::string::npos);
}

TEST(CliTest, Issue14VersionJsonAfterTheCommandAndDefaultsInHelp) {
  const CliRun version = RunMigsched({"--version"});
  EXPECT_EQ(version.code, kExitOk);
  EXPECT_EQ(version.out.rfind("migsched ", 0), 0u) << version.out;
  const CliRun json = RunMigsched({"gpus", "--json"});
  ASSERT_EQ(json.code, kExitOk) << json.err;
  EXPECT_TRUE(nlohmann::json::parse(json.out).contains("gpus"));
  const CliRun help = RunMigsched({"plan", "--help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_NE(help.out.find("=10000"), std::string::npos) << help.out;  // --time-limit's default
}

TEST(CliTest, ShowWritesAnSvgPictureOfTheLayout) {
  const std::string path = ::testing::TempDir() + "/cli_test_layout.svg";
  const CliRun run = RunMigsched({"layout", "show", "A100-40GB", "1g.5gb", "1g.5gb", "1g.5gb", "1g.5gb",
                          "1g.5gb", "1g.5gb", "1g.5gb", "--svg", path});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  std::ifstream file(path);
  const std::string svg((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("<svg "), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find(R"(class="stranded" data-slice="7")"), std::string::npos);
  EXPECT_NE(svg.find(R"(data-profile="1g.5gb" data-start="6")"), std::string::npos);
}

// Missing directories are created; a path under a regular file cannot be.
TEST(CliTest, UnwritableSvgPathIsAnErrorSayingWhy) {
  const std::string file = ::testing::TempDir() + "/cli_test_not_a_directory";
  std::ofstream{file};
  const CliRun run = RunMigsched({"layout", "show", "A100-40GB", "7g.40gb", "--svg", file + "/x.svg"});
  std::filesystem::remove(file);
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("cannot write SVG '" + file + "/x.svg': cannot create directory '" + file +
                         "': Not a directory"),
            std::string::npos)
      << run.err;
}

// Every layout `layout enumerate --json` prints is accepted by `layout check`.
TEST(CliTest, EnumeratedLayoutsRoundTripThroughLayoutCheck) {
  // Each check loads the catalog, so the lists are kept to about 100 layouts;
  // EveryGpuTest covers every layout of every GPU below the CLI.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"A100-40GB", "1g.5gb,1g.10gb,2g.10gb,3g.20gb,4g.20gb,7g.40gb"},
      {"A30-24GB", ""},
      {"RTX-PRO-6000", "1g.24gb,1g.24gb+me,2g.48gb,4g.96gb"}};
  for (const auto& [gpu, profiles] : cases) {
    std::vector<std::string> enumerate = {"--json", "layout", "enumerate", gpu};
    if (!profiles.empty()) enumerate.insert(enumerate.end(), {"--profiles", profiles});
    const CliRun listed = RunMigsched(enumerate);
    ASSERT_EQ(listed.code, kExitOk) << listed.err;
    const nlohmann::json layouts = nlohmann::json::parse(listed.out).at("layouts");
    ASSERT_FALSE(layouts.empty());
    for (const nlohmann::json& layout : layouts) {
      std::vector<std::string> args = {"--json", "layout", "check", gpu};
      for (const nlohmann::json& instance : layout) {
        args.push_back(instance.at("profile").get<std::string>() + "@" +
                       std::to_string(instance.at("start").get<int>()));
      }
      const CliRun checked = RunMigsched(args);
      ASSERT_EQ(checked.code, kExitOk) << checked.out << checked.err;
      EXPECT_TRUE(nlohmann::json::parse(checked.out).at("valid").get<bool>());
    }
  }
}

}  // namespace
}  // namespace migsched::cli
