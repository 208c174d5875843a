#include "k8s/mig_config_label.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "testing/status_matchers.h"

namespace migsched::k8s {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using testing::IsOk;

json NodeWithLabels(json labels) { return {{"metadata", {{"name", "n1"}, {"labels", std::move(labels)}}}}; }

// The steps as a script: what matches answers, whether apply succeeds, and
// every call recorded in order.
struct ScriptedSteps {
  Result<bool> matches = false;
  ApplyOutcome apply = ApplyOutcome::kApplied;
  bool may_reboot = false;
  std::vector<std::string> calls;

  MigConfigSteps Steps() {
    MigConfigSteps steps{
        .matches = [this](const std::string& c) { calls.push_back("matches " + c); return matches; },
        .apply = [this](const std::string& c) { calls.push_back("apply " + c); return apply; },
        .set_state = [this](std::string_view s) { calls.push_back("state " + std::string(s)); return Status(); },
        .reboot = nullptr};
    if (may_reboot) steps.reboot = [this] { calls.push_back("reboot"); return Status(); };
    return steps;
  }
};

TEST(MigConfigLabel, ANewLabelIsHandledOnce) {
  const json node = NodeWithLabels({{"nvidia.com/mig.config", "all-3g.40gb"}, {"nvidia.com/mig.config.state", "success"}});
  EXPECT_EQ(ConfigToHandle(node, std::nullopt), "all-3g.40gb");
  EXPECT_EQ(ConfigToHandle(node, "all-1g.10gb"), "all-3g.40gb");
  EXPECT_EQ(ConfigToHandle(node, "all-3g.40gb"), std::nullopt);
  EXPECT_EQ(ConfigToHandle(NodeWithLabels({{"nvidia.com/mig.config", ""}}), std::nullopt), std::nullopt);
  EXPECT_EQ(ConfigToHandle(NodeWithLabels(json::object()), std::nullopt), std::nullopt);
  EXPECT_EQ(ConfigToHandle(json{{"metadata", {{"name", "n1"}}}}, std::nullopt), std::nullopt);
}

TEST(MigConfigLabel, AChangeGoesPendingThenSuccess) {
  ScriptedSteps script;
  const Result<std::string> state = HandleMigConfig("all-3g.40gb", script.Steps());
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(*state, "success");
  EXPECT_THAT(script.calls,
              ElementsAre("matches all-3g.40gb", "state pending", "apply all-3g.40gb", "state success"));
}

TEST(MigConfigLabel, GpusThatAlreadyMatchAreSuccessWithoutPending) {
  ScriptedSteps script;
  script.matches = true;
  EXPECT_EQ(*HandleMigConfig("all-1g.10gb", script.Steps()), "success");
  EXPECT_THAT(script.calls, ElementsAre("matches all-1g.10gb", "state success"));
}

TEST(MigConfigLabel, AConfigTheFileLacksFailsWithoutApplying) {
  ScriptedSteps script;
  script.matches = InvalidArgumentError("no config 'nope'");
  EXPECT_EQ(*HandleMigConfig("nope", script.Steps()), "failed");
  EXPECT_THAT(script.calls, ElementsAre("matches nope", "state failed"));
}

TEST(MigConfigLabel, AFailedApplyIsFailed) {
  ScriptedSteps script;
  script.apply = ApplyOutcome::kFailed;
  EXPECT_EQ(*HandleMigConfig("all-7g.80gb", script.Steps()), "failed");
  EXPECT_THAT(script.calls, ElementsAre("matches all-7g.80gb", "state pending", "apply all-7g.80gb", "state failed"));
}

// As NVIDIA's mig-manager with WITH_REBOOT: `rebooting`, then the reboot.
TEST(MigConfigLabel, AModeChangeThatNeedsARebootReboots) {
  ScriptedSteps script;
  script.apply = ApplyOutcome::kNeedsReboot;
  script.may_reboot = true;
  EXPECT_EQ(*HandleMigConfig("all-1g.10gb", script.Steps()), "rebooting");
  EXPECT_THAT(script.calls,
              ElementsAre("matches all-1g.10gb", "state pending", "apply all-1g.10gb", "state rebooting", "reboot"));
}

TEST(MigConfigLabel, AModeChangeThatNeedsARebootFailsWhereRebootingIsNotAllowed) {
  ScriptedSteps script;
  script.apply = ApplyOutcome::kNeedsReboot;
  EXPECT_EQ(*HandleMigConfig("all-1g.10gb", script.Steps()), "failed");
  EXPECT_THAT(script.calls, ElementsAre("matches all-1g.10gb", "state pending", "apply all-1g.10gb", "state failed"));
}

TEST(MigConfigLabel, TheStatePatchSetsOneLabel) {
  EXPECT_EQ(MigConfigStatePatch("pending"), json::parse(R"({"metadata":{"labels":{"nvidia.com/mig.config.state":"pending"}}})"));
}

}  // namespace
}  // namespace migsched::k8s
