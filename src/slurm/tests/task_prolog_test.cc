#include "slurm/task_prolog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "slurm/command_runner.h"
#include "testing/status_matchers.h"

namespace migsched::slurm {
namespace {

using testing::HasError;
using testing::IsOk;

// An executable that prints `output` the way `scontrol show job -o` would.
std::string FakeScontrol(const std::string& name, const std::string& output) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << "#!/bin/sh\ncat <<'EOF'\n" << output << "\nEOF\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

TEST(TaskPrologTest, ExportsTheBoundDevice) {
  const std::string scontrol = FakeScontrol(
      "migsched-scontrol-bound", "JobId=7 JobState=RUNNING AdminComment=migsched:3:MIG-ab12 TresPerNode=gres:mig:t:1");
  Result<std::string> exports = TaskPrologExports("7", std::chrono::seconds(5), scontrol);
  ASSERT_THAT(exports, IsOk());
  EXPECT_EQ(*exports, "export CUDA_VISIBLE_DEVICES=MIG-ab12\nexport MIGSCHED_MIG_UUID=MIG-ab12\n");
}

TEST(TaskPrologTest, AJobWithoutMigGresExportsNothing) {
  const std::string scontrol = FakeScontrol("migsched-scontrol-gpu", "JobId=7 JobState=RUNNING TresPerNode=gres:gpu:1");
  Result<std::string> exports = TaskPrologExports("7", std::chrono::seconds(5), scontrol);
  ASSERT_THAT(exports, IsOk());
  EXPECT_EQ(*exports, "");
}

TEST(TaskPrologTest, NoBindingWithinTheTimeoutOrNoJobIsAnError) {
  const std::string unbound =
      FakeScontrol("migsched-scontrol-unbound", "JobId=7 JobState=RUNNING TresPerNode=gres:mig:t:1");
  EXPECT_THAT(TaskPrologExports("7", std::chrono::milliseconds(300), unbound),
              HasError(StatusCode::kUnavailable, "no MIG device was bound to job 7"));
  const std::string none = FakeScontrol("migsched-scontrol-none", "No jobs in the system");
  EXPECT_THAT(TaskPrologExports("7", std::chrono::seconds(5), none), HasError(StatusCode::kNotFound, "no job 7"));
}

TEST(RunCommandTest, FailuresAreErrorsNamingTheCommand) {
  EXPECT_THAT(RunChecked({"/nonexistent/scontrol", "ping"}), HasError(StatusCode::kUnavailable, "cannot run"));
  EXPECT_THAT(RunChecked({"sh", "-c", "echo refused >&2; exit 3"}),
              HasError(StatusCode::kUnavailable, "failed (exit 3): refused"));
  EXPECT_THAT(RunChecked({"sleep", "5"}, std::chrono::milliseconds(100)),
              HasError(StatusCode::kUnavailable, "no answer in 100 ms"));
  Result<std::string> out = RunChecked({"printf", "a b"});
  ASSERT_THAT(out, IsOk());
  EXPECT_EQ(*out, "a b");
}

}  // namespace
}  // namespace migsched::slurm
