// Test fixture for the agent against the fake NVML through the real dlopen
// path: a temporary state file and journal, the environment pointing
// NvmlSession at libmigsched-fake-nvml.so, helpers to run `migsched` in
// process (cli::RunCli) or as a child process (the built binary), and a
// comparable summary of what the fake's GPUs hold.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "cli/cli.h"
#include "nvml/fake/fake_state.h"
#include "testing/catalog_fixture.h"

namespace migsched::agent {

// One GPU as a sortable value: MIG mode and (GI profile id, start, CI profile ids).
struct GpuSummary {
  bool mig_enabled = false;
  std::vector<std::tuple<unsigned, int, std::vector<unsigned>>> instances;
  friend bool operator==(const GpuSummary&, const GpuSummary&) = default;
};

inline void PrintTo(const GpuSummary& gpu, std::ostream* os) {
  *os << (gpu.mig_enabled ? "MIG on:" : "MIG off:");
  for (const auto& [profile, start, cis] : gpu.instances) {
    *os << " gi(profile " << profile << ")@" << start << "[" << cis.size() << " ci]";
  }
}

struct CommandResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

class FakeNvmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // tmpfs when there is one: the fake and the journal fsync after every
    // mutation, which only costs time on a disk and tests nothing more.
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    dir_ = base /
           ("migsched_agent_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ::setenv("MIGSCHED_NVML_LIBRARY", MIGSCHED_FAKE_NVML_PATH, 1);
    ::setenv(nvml::fake::kStateEnv, StatePath().c_str(), 1);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string StatePath() const { return (dir_ / "state.json").string(); }
  std::string JournalPath() const { return (dir_ / "journal" / "agent.journal").string(); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  bool JournalExists() const { return std::filesystem::exists(JournalPath()); }

  void InitState(const std::vector<std::pair<std::string, int>>& gpus) {
    Result<nvml::fake::FakeState> state =
        nvml::fake::NewFakeState(testing::BuiltinCatalogForTest(), gpus);
    ASSERT_TRUE(state.has_value()) << state.error().ToString();
    WriteState(*state);
  }
  nvml::fake::FakeState ReadState() const {
    Result<nvml::fake::FakeState> state =
        nvml::fake::ReadFakeState(StatePath(), testing::BuiltinCatalogForTest());
    EXPECT_TRUE(state.has_value()) << state.error().ToString();
    return state.has_value() ? *state : nvml::fake::FakeState{};
  }
  void WriteState(const nvml::fake::FakeState& state) const {
    const Status written = nvml::fake::WriteFakeStateAtomically(state, StatePath());
    ASSERT_TRUE(written.ok()) << written.ToString();
  }
  std::string StateText() const {
    std::ifstream in(StatePath());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::vector<GpuSummary> Summary() const {
    std::vector<GpuSummary> out;
    for (const nvml::fake::FakeGpu& gpu : ReadState().gpus) {
      GpuSummary summary{.mig_enabled = gpu.mig_enabled, .instances = {}};
      for (const nvml::fake::FakeGpuInstance& gi : gpu.gpu_instances) {
        std::vector<unsigned> cis;
        for (const auto& ci : gi.compute_instances) cis.push_back(ci.profile_id);
        std::sort(cis.begin(), cis.end());
        summary.instances.emplace_back(gi.profile_id, gi.start, cis);
      }
      std::sort(summary.instances.begin(), summary.instances.end());
      out.push_back(std::move(summary));
    }
    return out;
  }

  // `migsched ARGS...` in this process, through the same code as the binary.
  CommandResult Migsched(std::vector<std::string> args) const {
    args.insert(args.begin(), "migsched");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = cli::RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
    return CommandResult{.exit_code = code, .out = out.str(), .err = err.str()};
  }

  // The built `migsched` binary as a child process, its output in ChildLog().
  pid_t StartMigsched(const std::vector<std::string>& args) const {
    const std::string log = Path("child.log");
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> argv;
      std::string binary = MIGSCHED_BINARY_PATH;
      argv.push_back(binary.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      std::FILE* out = std::freopen(log.c_str(), "w", stdout);
      std::FILE* err = std::freopen(log.c_str(), "a", stderr);
      if (out == nullptr || err == nullptr) ::_exit(127);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    return pid;
  }
  // Runs it to the end; its wait status.
  int SpawnMigsched(const std::vector<std::string>& args) const {
    int status = 0;
    ::waitpid(StartMigsched(args), &status, 0);
    return status;
  }
  std::string ChildLog() const {
    std::ifstream in(Path("child.log"));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
};

}  // namespace migsched::agent
