// The agent end to end against the fake NVML, through the real dlopen path
// (no mocking above NVML): NVIDIA's published default config applies, asserts
// and round-trips through export on every matching GPU model; impossible or
// unsafe configs fail before any change; a kill -9 after every single NVML
// mutation, or an NVML error mid-apply, is finished by the next run with the
// same result as a clean apply.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "agent/apply.h"
#include "agent/apply_lock.h"
#include "agent/journal.h"
#include "mig_parted/node_export.h"
#include "mig_parted/node_targets.h"
#include "agent/node_state.h"
#include "agent/nvml_node.h"
#include "agent/tests/fake_nvml_fixture.h"
#include "common/strings.h"
#include "mig_parted/config_reader.h"

namespace migsched::agent {
namespace {

using testing::BuiltinCatalogForTest;

const std::filesystem::path kDefaultConfig =
    "../shared/data/mig_parted_configs/gpu-operator_default-mig-parted-config.yaml";

// The entry of `config` that selects GPU 0 of `model` as the fake reports it
// (its first PCI id), if that entry only names profiles the model has.
const mig_parted::Entry* EntryFor(const mig_parted::Config& config,
                                   const geometry::GpuModel& model) {
  const uint32_t pci = model.pci_device_ids.empty() ? 0 : model.pci_device_ids.front();
  for (const mig_parted::Entry& entry : config.entries) {
    const bool filter_ok = entry.device_filter.empty() ||
                           std::find(entry.device_filter.begin(), entry.device_filter.end(), pci) !=
                               entry.device_filter.end();
    if (!filter_ok) continue;
    for (const auto& [profile, count] : entry.mig_devices) {
      if (!model.FindProfile(profile)) return nullptr;
    }
    return &entry;
  }
  return nullptr;
}

// The sweep runs in process through the agent library (one NVML session per
// model, the config parsed once); the CLI itself is covered by the tests below.
TEST_F(FakeNvmlTest, EveryDefaultConfigAppliesAssertsAndRoundTripsOnMatchingGpus) {
  if (!std::filesystem::exists(kDefaultConfig)) GTEST_SKIP() << kDefaultConfig << " is absent";
  const Result<mig_parted::File> file = mig_parted::ReadMigPartedFile(kDefaultConfig.string());
  ASSERT_TRUE(file.has_value()) << file.error().ToString();
  const geometry::Catalog& catalog = BuiltinCatalogForTest();

  std::map<std::string, int> applied;      // config -> models it was applied on
  std::vector<std::string> cannot_fit;     // "config on model", each failing before any change
  std::set<std::string> balanced_entries;  // all-balanced entries exercised
  for (const geometry::GpuModel& model : catalog.models()) {
    InitState({{model.name, 1}});
    Result<std::unique_ptr<nvml::NvmlSession>> session = nvml::NvmlSession::Open(catalog);
    ASSERT_TRUE(session.has_value()) << session.error().ToString();
    // Configs follow each other on the same GPU, so every apply is also a
    // transition from the previous config's layout.
    for (const mig_parted::Config& config : file->configs) {
      const mig_parted::Entry* entry = EntryFor(config, model);
      if (entry == nullptr) continue;
      SCOPED_TRACE(config.name + " on " + model.name);
      const TargetFunction targets = [&config](const std::vector<ObservedGpu>& gpus) {
        return mig_parted::TargetsFromMigParted(config, gpus);
      };
      const std::string before = StateText();
      const Result<ApplyReport> report =
          Apply(**session, catalog, targets, ApplyOptions{.journal_path = JournalPath()});
      EXPECT_FALSE(JournalExists());
      if (!report.has_value()) {
        // Only a config without a device filter may meet a GPU it cannot fit
        // (e.g. RTX PRO 6000 profiles on the smaller RTX PRO 5000): it must
        // say so and change nothing.
        EXPECT_TRUE(entry->device_filter.empty()) << report.error().ToString();
        EXPECT_EQ(report.error().code(), StatusCode::kResourceExhausted) << report.error().ToString();
        EXPECT_EQ(StateText(), before);
        cannot_fit.push_back(config.name + " on " + model.name);
        continue;
      }
      Result<std::vector<ObservedGpu>> gpus = ObserveNode(**session);
      ASSERT_TRUE(gpus.has_value()) << gpus.error().ToString();
      const Result<std::vector<mig_parted::Difference>> diff = mig_parted::CompareWithMigParted(config, *gpus);
      ASSERT_TRUE(diff.has_value()) << diff.error().ToString();
      EXPECT_TRUE(diff->empty()) << diff->front().text;

      const std::string exported = mig_parted::ExportMigParted(*gpus, "current");
      const Result<mig_parted::File> reread = mig_parted::ParseMigPartedYaml(exported, "export");
      ASSERT_TRUE(reread.has_value()) << reread.error().ToString() << "\n" << exported;
      const Result<std::vector<mig_parted::Difference>> rediff = mig_parted::CompareWithMigParted(reread->configs[0], *gpus);
      ASSERT_TRUE(rediff.has_value()) << rediff.error().ToString();
      EXPECT_TRUE(rediff->empty()) << exported << rediff->front().text;
      const Result<ApplyReport> reapply = Apply(
          **session, catalog,
          [&reread](const std::vector<ObservedGpu>& g) { return mig_parted::TargetsFromMigParted(reread->configs[0], g); },
          ApplyOptions{.journal_path = JournalPath()});
      ASSERT_TRUE(reapply.has_value()) << reapply.error().ToString();
      EXPECT_TRUE(reapply->executed.empty()) << exported;

      ++applied[config.name];
      if (config.name == "all-balanced") balanced_entries.insert(entry->where);
    }
  }
  std::vector<std::string> uncovered;
  for (const mig_parted::Config& config : file->configs) {
    if (applied[config.name] == 0) uncovered.push_back(config.name);
  }
  std::cout << "applied " << applied.size() - uncovered.size() << " of " << file->configs.size()
            << " configs; no catalog GPU for: " << Join(uncovered, ", ")
            << "; refused before any change as not fitting: " << Join(cannot_fit, ", ") << "\n";
  EXPECT_GE(file->configs.size() - uncovered.size(), file->configs.size() * 9 / 10);
  const mig_parted::Config& balanced = **file->Find("all-balanced");
  EXPECT_EQ(balanced_entries.size(), balanced.entries.size())
      << "every all-balanced device filter should match a catalog GPU";
}

TEST_F(FakeNvmlTest, ConfigThatCannotFitFailsBeforeAnyChange) {
  InitState({{"A100-40GB", 1}});
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  ok: [{devices: all, mig-enabled: true, mig-devices: {\"3g.20gb\": 1}}]\n"
                           "  too-big: [{devices: all, mig-enabled: true, mig-devices: {\"4g.20gb\": 2}}]\n"
                           "  unknown: [{devices: all, mig-enabled: true, mig-devices: {\"1g.10gb+me\": 1}}]\n";
  ASSERT_EQ(Migsched({"apply", "-f", config, "-c", "ok", "--journal", JournalPath()}).exit_code, 0);
  const std::string before = StateText();

  const CommandResult too_big = Migsched({"apply", "-f", config, "-c", "too-big", "--journal", JournalPath()});
  EXPECT_EQ(too_big.exit_code, 1);
  EXPECT_NE(too_big.err.find("2 x 4g.20gb cannot fit on gpu 0"), std::string::npos) << too_big.err;
  const CommandResult unknown = Migsched({"apply", "-f", config, "-c", "unknown", "--journal", JournalPath()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("has no MIG profile '1g.10gb+me'"), std::string::npos) << unknown.err;
  EXPECT_EQ(StateText(), before);
  EXPECT_FALSE(JournalExists());
}

TEST_F(FakeNvmlTest, BusyInstanceIsNeverDestroyed) {
  InitState({{"A100-40GB", 1}});
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  two: [{devices: all, mig-enabled: true, mig-devices: {\"3g.20gb\": 2}}]\n"
                           "  small: [{devices: all, mig-enabled: true, mig-devices: {\"1g.5gb\": 7}}]\n"
                           "  off: [{devices: [0], mig-enabled: false}]\n";
  ASSERT_EQ(Migsched({"apply", "-f", config, "-c", "two", "--journal", JournalPath()}).exit_code, 0);
  nvml::fake::FakeState state = ReadState();
  const nvml::fake::FakeGpuInstance& gi = state.gpus[0].gpu_instances.at(0);
  state.gpus[0].processes.push_back(nvml::fake::FakeProcess{
      .pid = 4242, .gpu_instance = gi.id, .compute_instance = gi.compute_instances.at(0).id,
      .used_memory_mib = 100});
  WriteState(state);
  const std::string before = StateText();

  const CommandResult refused = Migsched({"apply", "-f", config, "-c", "small", "--journal", JournalPath()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("would end running processes (pids 4242)"), std::string::npos)
      << refused.err;
  EXPECT_EQ(StateText(), before);
  EXPECT_FALSE(JournalExists());
}

TEST_F(FakeNvmlTest, JournalThatWouldNowEndProcessesIsNotFinishedAndSaysHowToAbandonIt) {
  InitState({{"A100-40GB", 1}});
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  two: [{devices: all, mig-enabled: true, mig-devices: {\"3g.20gb\": 2}}]\n";
  ASSERT_EQ(Migsched({"apply", "-f", config, "-c", "two", "--journal", JournalPath()}).exit_code, 0);
  // An interrupted apply that meant to empty the GPU; meanwhile a job started.
  const geometry::GpuModel& a100 = testing::Gpu("A100-40GB");
  ASSERT_TRUE(Journal(JournalPath())
                  .Begin(JournalRecord{.force = false,
                                       .targets = {JournaledTarget{
                                           .model = &a100,
                                           .target = GpuTarget{.index = 0, .mig_enabled = true, .instances = {}}}},
                                       .ops = {"gpu 0: destroy ..."},
                                       .done = 0})
                  .ok());
  nvml::fake::FakeState state = ReadState();
  const nvml::fake::FakeGpuInstance& gi = state.gpus[0].gpu_instances.at(0);
  state.gpus[0].processes.push_back(nvml::fake::FakeProcess{
      .pid = 77, .gpu_instance = gi.id, .compute_instance = gi.compute_instances.at(0).id,
      .used_memory_mib = 1});
  WriteState(state);
  const std::string before = StateText();
  const CommandResult blocked = Migsched({"apply", "-f", config, "-c", "two", "--journal", JournalPath()});
  EXPECT_EQ(blocked.exit_code, 1);
  EXPECT_NE(blocked.err.find("(apply --abandon-journal gives it up and applies the new target)"), std::string::npos)
      << blocked.err;
  EXPECT_NE(blocked.err.find("pids 77"), std::string::npos) << blocked.err;
  EXPECT_EQ(StateText(), before);
  // Issue 16: the way out is an option, not removing a file by hand.
  const CommandResult abandoned =
      Migsched({"apply", "-f", config, "-c", "two", "--abandon-journal", "--journal", JournalPath()});
  EXPECT_EQ(abandoned.exit_code, 0) << abandoned.err;
  EXPECT_NE(abandoned.out.find("abandoned the interrupted apply in " + JournalPath() + " (0 of 1 operations had been done)"),
            std::string::npos) << abandoned.out;
  EXPECT_FALSE(JournalExists());
  EXPECT_EQ(Migsched({"apply", "-f", config, "-c", "two", "--journal", JournalPath()}).exit_code, 0);
}

// Issue 16: a process on a whole GPU (MIG off) made no difference: --dry-run
// said "enable MIG" with exit 0, and the real apply failed with IN_USE.
TEST_F(FakeNvmlTest, WholeGpuProcessKeepsMigModeAndSaysWhy) {
  InitState({{"A100-40GB", 2}});
  nvml::fake::FakeState state = ReadState();
  for (nvml::fake::FakeGpu& gpu : state.gpus) gpu.mig_enabled = gpu.mig_pending = false;
  state.gpus[1].processes.push_back(nvml::fake::FakeProcess{.pid = 31337, .used_memory_mib = 100});
  WriteState(state);
  const std::string before = StateText();
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  two: [{devices: all, mig-enabled: true, mig-devices: {\"3g.20gb\": 2}}]\n";
  for (const bool dry_run : {true, false}) {
    std::vector<std::string> args = {"apply", "-f", config, "-c", "two", "--journal", JournalPath()};
    if (dry_run) args.push_back("--dry-run");
    const CommandResult refused = Migsched(args);
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.err.find("gpu 1 (A100-40GB): MIG mode cannot change while processes run on the GPU "
                               "(pids 31337); nothing was changed"),
              std::string::npos)
        << refused.err;
  }
  EXPECT_EQ(StateText(), before);
  EXPECT_FALSE(JournalExists());
}

// Issue 16: with no lock, two applies on one node raced (one exit 0 while
// the GPUs matched neither config). This process holds the node's lock, as
// a running apply does; the `migsched` child must refuse, or wait with --wait.
TEST_F(FakeNvmlTest, SecondApplyOnANodeFailsClearlyOrWaits) {
  InitState({{"A100-40GB", 1}});
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  two: [{devices: all, mig-enabled: true, mig-devices: {\"3g.20gb\": 2}}]\n";
  const std::vector<std::string> args = {"apply", "-f", config, "-c", "two", "--journal", JournalPath()};
  const std::string before = StateText();
  std::optional<ApplyLock> held;
  {
    Result<ApplyLock> lock = ApplyLock::Acquire(JournalPath(), LockWait::kFail);
    ASSERT_TRUE(lock.has_value()) << lock.error().ToString();
    held.emplace(std::move(lock).value());
  }
  const int refused = SpawnMigsched(args);
  ASSERT_TRUE(WIFEXITED(refused)) << refused;
  EXPECT_EQ(WEXITSTATUS(refused), 1);
  EXPECT_NE(ChildLog().find("another apply is running on this node (pid " + std::to_string(::getpid()) + ", holding " +
                            ApplyLock::PathFor(JournalPath()) + "); nothing was changed (wait for it, or pass --wait)"),
            std::string::npos)
      << ChildLog();
  EXPECT_EQ(StateText(), before);

  std::vector<std::string> waiting_args = args;
  waiting_args.push_back("--wait");
  const pid_t child = StartMigsched(waiting_args);
  while (ChildLog().find("waiting for it to finish") == std::string::npos) {
    ASSERT_EQ(::waitpid(child, nullptr, WNOHANG), 0) << "the child ended without waiting: " << ChildLog();
    std::this_thread::yield();
  }
  EXPECT_EQ(StateText(), before);  // it waits before touching anything
  held.reset();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << ChildLog();
  EXPECT_EQ(Migsched({"assert", "-f", config, "-c", "two"}).exit_code, 0);
}

// Issue 16: `export --config-name 'a: b'` wrote YAML that assert could not
// read back; names that would change the file's structure are refused.
TEST_F(FakeNvmlTest, ExportRefusesConfigNamesThatWouldNotReadBack) {
  InitState({{"A100-40GB", 1}});
  for (const std::string name : {"a: b", "a\nb", "a b", "a=b", ""}) {
    const CommandResult refused = Migsched({"export", "--config-name", name});
    EXPECT_EQ(refused.exit_code, 2) << name;
    EXPECT_NE(refused.err.find("--config-name '" + name + "' is not a valid name"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out, "");
  }
  const CommandResult exported = Migsched({"export", "--config-name", "rack_1.node-2"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string file = Path("exported.yaml");
  std::ofstream(file) << exported.out;
  EXPECT_EQ(Migsched({"assert", "-f", file, "-c", "rack_1.node-2"}).exit_code, 0);
}

// Issue 16: NVML errors that are races or refusals said exit 2 ("bad input").
TEST_F(FakeNvmlTest, NvmlRaceMidApplyIsExitOneNotBadInput) {
  InitState({{"A100-40GB", 1}});
  nvml::fake::FakeState state = ReadState();
  // A GPU instance that vanished between reading the GPUs and creating its
  // compute instance, as when another program destroyed it.
  state.failures.push_back(nvml::fake::FailureInjection{
      .call = "nvmlGpuInstanceCreateComputeInstance", .nth = 1, .error = NVML_ERROR_NOT_FOUND});
  WriteState(state);
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  two: [{devices: all, mig-enabled: true, mig-devices: {\"3g.20gb\": 2}}]\n";
  const CommandResult failed = Migsched({"apply", "-f", config, "-c", "two", "--journal", JournalPath()});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("lets the next apply finish"), std::string::npos) << failed.err;
  EXPECT_EQ(Migsched({"apply", "-f", config, "-c", "two", "--journal", JournalPath()}).exit_code, 0);
}

TEST_F(FakeNvmlTest, PlanIsAppliedExactly) {
  InitState({{"H100-80GB", 2}});
  const std::string plan = Path("plan.json");
  std::ofstream(plan) << R"({"gpus_used": 2, "lower_bound": 1.5, "gap": 0.25, "method": "milp-optimal",
    "gpus": [
    {"node": "n1", "index": 1, "model": "H100-80GB", "mig_enabled": true,
     "instances": [{"profile": "3g.40gb", "start": 0, "size": 4, "workload": "a"},
                   {"profile": "1g.10gb", "start": 5, "size": 1, "workload": ""}]},
    {"node": "n2", "index": 0, "model": "H100-80GB", "mig_enabled": true, "instances": []}],
    "unplaced": [], "operations": []})";
  const std::string before = StateText();
  const CommandResult other_node = Migsched({"apply", "--plan", plan, "--node", "n9", "--journal", JournalPath()});
  EXPECT_EQ(other_node.exit_code, 2);
  EXPECT_NE(other_node.err.find(plan + ": no GPUs for node 'n9' (the plan's nodes: n1, n2)"), std::string::npos)
      << other_node.err;
  const std::string bad_plan = Path("bad_plan.json");
  std::ofstream(bad_plan) << R"({"gpus_used": 1, "lower_bound": 1, "gap": 0, "method": "m", "unplaced": [],
    "operations": [], "gpus": [{"node": "n1", "index": 0, "model": "H100-80GB", "mig_enabled": true,
     "instances": [{"profile": "3g.40gb", "start": 4, "size": 2, "workload": ""}]}]})";
  const CommandResult bad = Migsched({"apply", "--plan", bad_plan, "--node", "n1", "--journal", JournalPath()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(bad_plan + ": $.gpus[0].instances[0].size: size 2 but 3g.40gb takes 4"), std::string::npos)
      << bad.err;
  EXPECT_EQ(StateText(), before);

  const CommandResult apply = Migsched({"apply", "--plan", plan, "--node", "n1", "--journal", JournalPath()});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  const std::vector<GpuSummary> gpus = Summary();
  EXPECT_TRUE(gpus[0].instances.empty());
  const geometry::GpuModel& h100 = testing::Gpu("H100-80GB");
  const auto& p3g = h100.profiles[static_cast<size_t>(testing::Profile(h100, "3g.40gb"))];
  const auto& p1g = h100.profiles[static_cast<size_t>(testing::Profile(h100, "1g.10gb"))];
  EXPECT_EQ(gpus[1].instances,
            (std::vector<std::tuple<unsigned, int, std::vector<unsigned>>>{
                {static_cast<unsigned>(p3g.id), 0, {static_cast<unsigned>(FullComputeInstance(p3g)->id)}},
                {static_cast<unsigned>(p1g.id), 5, {static_cast<unsigned>(FullComputeInstance(p1g)->id)}}}));
}

TEST_F(FakeNvmlTest, CommandsReportWhatChangedAndWhatDiffers) {
  InitState({{"A100-40GB", 2}});
  const std::string config = Path("c.yaml");
  std::ofstream(config) << "version: v1\nmig-configs:\n"
                           "  balanced: [{devices: all, mig-enabled: true, mig-devices: "
                           "{\"1g.5gb\": 2, \"2g.10gb\": 1, \"3g.20gb\": 1}}]\n"
                           "  small: [{devices: all, mig-enabled: true, mig-devices: {\"1g.5gb\": 7}}]\n"
                           "  off: [{devices: [0], mig-enabled: false}]\n";
  const std::string empty = StateText();
  const CommandResult dry = Migsched(
      {"--json", "apply", "-f", config, "-c", "balanced", "--dry-run", "--journal", JournalPath()});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("\"dry_run\": true"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("\"op\": \"create_gi\""), std::string::npos) << dry.out;
  EXPECT_EQ(StateText(), empty);

  const CommandResult apply = Migsched({"apply", "-f", config, "-c", "balanced", "--journal", JournalPath()});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_NE(apply.out.find("applied config 'balanced': 16 operations, 0 instances kept"), std::string::npos)
      << apply.out;
  EXPECT_NE(apply.out.find("gpu 1: create_gi 3g.20gb@4"), std::string::npos) << apply.out;

  const CommandResult differs = Migsched({"assert", "-f", config, "-c", "small"});
  EXPECT_EQ(differs.exit_code, 1);
  EXPECT_NE(differs.out.find("gpu 1: has 2 x 1g.5gb, wants 7"), std::string::npos) << differs.out;
  const CommandResult differs_json = Migsched({"--json", "assert", "-f", config, "-c", "small"});
  EXPECT_EQ(differs_json.exit_code, 1);
  const nlohmann::json report = nlohmann::json::parse(differs_json.out);
  EXPECT_EQ(report["match"], false);
  EXPECT_THAT(report["differences"], ::testing::Contains(nlohmann::json{{"gpu", 1},
                                                                         {"kind", "profile_count"},
                                                                         {"profile", "1g.5gb"},
                                                                         {"has", 2},
                                                                         {"wants", 7},
                                                                         {"text", "gpu 1: has 2 x 1g.5gb, wants 7"}}))
      << differs_json.out;
  // A MIG mode difference says both modes as booleans.
  const CommandResult mode_json = Migsched({"--json", "assert", "-f", config, "-c", "off"});
  EXPECT_EQ(mode_json.exit_code, 1);
  const nlohmann::json mode_report = nlohmann::json::parse(mode_json.out);
  ASSERT_EQ(mode_report["differences"].size(), 1u) << mode_json.out;
  const nlohmann::json& mode = mode_report["differences"][0];
  EXPECT_EQ(mode["gpu"], 0);
  EXPECT_EQ(mode["kind"], "mig_mode");
  EXPECT_EQ(mode["mig_enabled"], true);
  EXPECT_EQ(mode["wants_mig_enabled"], false);
  EXPECT_FALSE(mode.contains("has")) << mode;

  const CommandResult exported = Migsched({"export", "--config-name", "now"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out,
            "version: v1\nmig-configs:\n  now:\n    - devices: all\n      mig-enabled: true\n"
            "      mig-devices:\n        \"1g.5gb\": 2\n        \"2g.10gb\": 1\n        \"3g.20gb\": 1\n");

  const CommandResult neither = Migsched({"apply", "-f", config});
  EXPECT_EQ(neither.exit_code, 2);
  EXPECT_NE(neither.err.find("apply needs either -f CONFIG.yaml -c NAME or --plan plan.json --node NAME"),
            std::string::npos) << neither.err;
  EXPECT_EQ(Migsched({"assert", "-f", config, "-c", "nope"}).exit_code, 2);
}

// From 7 x 1g.5gb on each of two A100s to all-balanced: destroys and creates.
class CrashTest : public FakeNvmlTest {
 protected:
  void SetUp() override {
    FakeNvmlTest::SetUp();
    config_ = Path("c.yaml");
    std::ofstream(config_) << "version: v1\nmig-configs:\n"
                              "  small: [{devices: all, mig-enabled: true, mig-devices: {\"1g.5gb\": 7}}]\n"
                              "  balanced: [{devices: all, mig-enabled: true, mig-devices: "
                              "{\"1g.5gb\": 2, \"2g.10gb\": 1, \"3g.20gb\": 1}}]\n";
    InitState({{"A100-40GB", 2}});
    ASSERT_EQ(Migsched({"apply", "-f", config_, "-c", "small", "--journal", JournalPath()}).exit_code, 0);
    start_ = ReadState();
    // The clean apply: the reference result and how many mutations it takes.
    ASSERT_EQ(Apply().exit_code, 0);
    reference_ = Summary();
    mutations_ = ReadState().mutations - start_.mutations;
    ASSERT_GT(mutations_, 10);
  }
  CommandResult Apply() const {
    return Migsched({"apply", "-f", config_, "-c", "balanced", "--journal", JournalPath()});
  }
  std::vector<std::string> ApplyArgs() const {
    return {"apply", "-f", config_, "-c", "balanced", "--journal", JournalPath()};
  }
  void ExpectConverged() {
    const CommandResult rerun = Apply();
    EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_NE(rerun.out.find("finished the interrupted apply"), std::string::npos) << rerun.out;
    EXPECT_EQ(Summary(), reference_);  // nothing leaked, nothing duplicated
    EXPECT_FALSE(JournalExists());
    EXPECT_EQ(Migsched({"assert", "-f", config_, "-c", "balanced"}).exit_code, 0);
  }

  std::string config_;
  nvml::fake::FakeState start_;
  std::vector<GpuSummary> reference_;
  int64_t mutations_ = 0;
};

TEST_F(CrashTest, KillAfterEveryMutationConvergesOnRerun) {
  for (int n = 1; n <= mutations_; ++n) {
    SCOPED_TRACE("killed after mutation " + std::to_string(n) + " of " + std::to_string(mutations_));
    nvml::fake::FakeState state = start_;
    state.kill_after_mutations = n;
    WriteState(state);
    const int status = SpawnMigsched(ApplyArgs());
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
    ASSERT_TRUE(JournalExists());
    if (n < mutations_) {
      EXPECT_NE(Summary(), reference_);
    }
    ExpectConverged();
  }
}

TEST_F(CrashTest, NvmlErrorMidApplyLeavesAJournalAndRerunConverges) {
  nvml::fake::FakeState state = start_;
  state.failures.push_back(nvml::fake::FailureInjection{
      .call = "nvmlDeviceCreateGpuInstanceWithPlacement", .nth = 3, .error = NVML_ERROR_UNKNOWN});
  WriteState(state);
  const CommandResult failed = Apply();
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("lets the next apply finish"), std::string::npos) << failed.err;
  ASSERT_TRUE(JournalExists());
  ExpectConverged();
}

}  // namespace
}  // namespace migsched::agent
