// `migsched simulate` end to end: determinism of the JSON, the report file,
// error contracts. Golden cases (tests/golden/simulate_*) pin the exact output.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "testing/cli_run.h"

namespace migsched::cli {
namespace {

using migsched::testing::CliRun;
using migsched::testing::RunMigsched;

// The output without the wall-clock fields, which are the only ones allowed to differ.
std::string WithoutLatency(const std::string& text) {
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(text);
  for (nlohmann::ordered_json& policy : json.at("policies")) {
    EXPECT_TRUE(policy.at("decision_latency_p99_us").is_number());
    policy.erase("decision_latency_p50_us");
    policy.erase("decision_latency_p99_us");
  }
  return json.dump(2);
}

TEST(SimulateCliTest, SameSeedGivesByteIdenticalJsonApartFromLatency) {
  const std::vector<std::string> args = {"--json", "simulate", "--trace", "synthetic:jobs=300,rate=0.5",
                                         "--fleet", "H100-80GB:4", "--seed", "9"};
  const CliRun first = RunMigsched(args);
  const CliRun second = RunMigsched(args);
  ASSERT_EQ(first.code, kExitOk) << first.err;
  ASSERT_EQ(second.code, kExitOk) << second.err;
  EXPECT_EQ(WithoutLatency(first.out), WithoutLatency(second.out));
  std::vector<std::string> other = args;
  other.back() = "10";
  EXPECT_NE(WithoutLatency(RunMigsched(other).out), WithoutLatency(first.out));

  const nlohmann::json json = nlohmann::json::parse(first.out);
  ASSERT_EQ(json.at("policies").size(), 8u);
  for (const nlohmann::json& policy : json.at("policies")) {
    for (const char* key : {"policy", "utilization_mean", "allocation_rate", "gpus_used_peak", "queue_delay_p50_s",
                            "queue_delay_p99_s", "unplaced", "reconfigurations", "busy_disrupted",
                            "decision_latency_p99_us"}) {
      EXPECT_TRUE(policy.contains(key)) << key;
    }
    EXPECT_EQ(policy.at("busy_disrupted"), 0);
    EXPECT_EQ(policy.at("placed").get<int>() + policy.at("unplaced").get<int>(), 300);
  }
}

TEST(SimulateCliTest, WritesASelfContainedHtmlReport) {
  const std::string path = ::testing::TempDir() + "/simulate_report.html";
  const CliRun run = RunMigsched({"simulate", "--trace", "synthetic:jobs=100,rate=0.5", "--fleet", "H100-80GB:3",
                                  "--policy", "best-fit,frag-aware", "--report", path});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  std::ifstream file(path);
  const std::string html((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find("Queueing delay CDF"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_TRUE(run.err.empty()) << "no progress bar when stderr is not a terminal: " << run.err;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(SimulateCliTest, FleetFileGivesAHeterogeneousFleetThatStartsEmpty) {
  const std::string path = WriteFile("simulate_fleet.yaml",
                                     "nodes:\n"
                                     "  - {name_prefix: h100, count: 2, gpus: [{model: H100-80GB, count: 8}]}\n"
                                     "  - name: a100-1\n"
                                     "    gpus: [{model: A100-80GB, count: 4}]\n"
                                     "    current:\n"
                                     "      - {gpu: 0, instances: [{profile: 3g.40gb, start: 4, workload: x, busy: true}]}\n"
                                     "      - {gpu: 1, mig_enabled: false, workload: y, busy: true}\n");
  const CliRun run = RunMigsched({"--json", "simulate", "--trace", "synthetic:jobs=200,rate=0.5", "--fleet", path,
                                  "--no-latency"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  const nlohmann::json json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json.at("fleet").at("gpus"), 20);
  EXPECT_EQ(json.at("fleet").at("description"), "16 x H100-80GB + 4 x A100-80GB");
  ASSERT_EQ(json.at("policies").size(), 8u);
  for (const nlohmann::json& policy : json.at("policies")) {
    EXPECT_EQ(policy.at("busy_disrupted"), 0) << policy.at("policy");
    EXPECT_EQ(policy.at("placed").get<int>() + policy.at("unplaced").get<int>(), 200) << policy.at("policy");
    EXPECT_LE(policy.at("gpus_used_peak").get<int>(), 20) << policy.at("policy");
  }

  // The same file as JSON; the human output says the current layouts were not simulated.
  const std::string json_path = WriteFile(
      "simulate_fleet.json", R"({"nodes": [{"name": "n1", "gpus": [{"model": "A100-80GB", "count": 2}]}]})");
  const CliRun text = RunMigsched({"simulate", "--trace", "synthetic:jobs=20", "--fleet", json_path,
                                   "--policy", "best-fit", "--no-latency"});
  ASSERT_EQ(text.code, kExitOk) << text.err;
  EXPECT_NE(text.out.find("fleet 2 x A100-80GB"), std::string::npos) << text.out;
  const CliRun noted = RunMigsched({"simulate", "--trace", "synthetic:jobs=20", "--fleet", path, "--policy",
                                    "best-fit", "--no-latency"});
  EXPECT_NE(noted.out.find("the current layouts of 2 GPUs in " + path + " are not simulated"), std::string::npos)
      << noted.out;
}

// The planner's workloads file as the arrivals: every replica right-sized as
// `plan` does; errors name the file and line.
TEST(SimulateCliTest, WorkloadsFileDrivesSyntheticArrivals) {
  const std::string path = WriteFile("simulate_workloads.yaml",
                                     "workloads:\n"
                                     "  - {name: bert, replicas: 3, memory_gib: 9}\n"
                                     "  - {name: ft, replicas: 1, memory_gib: 60, kind: training}\n");
  const CliRun run = RunMigsched({"--json", "simulate", "--trace", "synthetic:jobs=200,rate=0.5", "--fleet",
                                  "H100-80GB:6", "--workloads", path, "--no-latency"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  const nlohmann::json json = nlohmann::json::parse(run.out);
  for (const nlohmann::json& policy : json.at("policies")) {
    EXPECT_EQ(policy.at("placed").get<int>() + policy.at("unplaced").get<int>(), 200) << policy.at("policy");
    EXPECT_EQ(policy.at("busy_disrupted"), 0) << policy.at("policy");
  }

  CliRun bad = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--workloads",
                            WriteFile("simulate_bad_workloads.yaml", "workloads:\n  - {name: x, replicas: -1, memory_gib: 9}\n")});
  EXPECT_EQ(bad.code, kExitBadInput);
  EXPECT_NE(bad.err.find("simulate_bad_workloads.yaml:2"), std::string::npos) << bad.err;
  bad = RunMigsched({"simulate", "--trace", "alibaba2023:/nonexistent/pods.csv", "--workloads", path});
  EXPECT_EQ(bad.code, kExitBadInput);
  EXPECT_NE(bad.err.find("--workloads needs --trace synthetic"), std::string::npos) << bad.err;
}

TEST(SimulateCliTest, BadFleetFileIsExitTwoNamingFileAndLine) {
  const std::string path = WriteFile("simulate_bad_fleet.yaml",
                                     "nodes:\n"
                                     "  - name: n1\n"
                                     "    gpus: [{model: X900-1GB, count: 8}]\n");
  CliRun run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--fleet", path});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find(path + ":3"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("X900-1GB"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty());

  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--fleet", "/nonexistent/fleet.yml"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("/nonexistent/fleet.yml"), std::string::npos) << run.err;
}

TEST(SimulateCliTest, BadInputIsExitTwoWithTheReason) {
  CliRun run = RunMigsched({"simulate", "--trace", "alibaba2023:/nonexistent/pods.csv"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("cannot read '/nonexistent/pods.csv'"), std::string::npos);
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--mode", "drain"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("unknown mode 'drain'"), std::string::npos);
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--fleet", "X200:3"});
  EXPECT_EQ(run.code, kExitBadInput);
  // Issue 16: the range was printed as 400 characters of the largest double.
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--compress", "0"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("--compress: must be a number > 0, not '0'"), std::string::npos) << run.err;
  EXPECT_LT(run.err.size(), 200u) << run.err;
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--fleet", ""});  // was the default fleet
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("--fleet: must not be empty"), std::string::npos) << run.err;
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--reconfig-delay", "-1"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("--reconfig-delay: must be a number from 0 to 86400, not '-1'"), std::string::npos) << run.err;
  run = RunMigsched({"simulate", "--trace", "alibaba2023:tests/data/trace/openb_pod_list_tiny.csv", "--report",
                     "/nonexistent-dir/r.html"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("cannot write the report to '/nonexistent-dir/r.html'"), std::string::npos);
}

// Issue 14: the delay is seconds with a fraction (the core gets
// milliseconds); what is not a finite number in range names the flag.
TEST(SimulateCliTest, ReconfigDelayTakesFractionalSecondsAndRefusesTheRest) {
  const std::vector<std::string> base = {"simulate", "--trace", "synthetic:jobs=50", "--fleet", "H100-80GB:2",
                                         "--keep-idle", "--no-latency", "--reconfig-delay"};
  std::vector<std::string> args = base;
  args.push_back("0.25");
  const CliRun run = RunMigsched(args);
  EXPECT_EQ(run.code, kExitOk) << run.err;
  for (const std::string bad : {"-1", "nan", "inf", "1e9", "0.5s"}) {
    args = base;
    args.push_back(bad);
    const CliRun refused = RunMigsched(args);
    EXPECT_EQ(refused.code, kExitBadInput) << bad;
    EXPECT_NE(refused.err.find("--reconfig-delay: must be a number from 0 to 86400, not '" + bad + "'"),
              std::string::npos)
        << refused.err;
  }
}

// Issue 15.6: services beside the jobs, reported for every policy; the
// batch counts stay the trace's jobs.
TEST(SimulateCliTest, ServicesAreReportedForEveryPolicy) {
  const CliRun run = RunMigsched({"--json", "simulate", "--trace", "csv:tests/data/trace/generic_small.csv",
                                  "--fleet", "H100-80GB:2", "--services", "tests/data/services/chat.yaml",
                                  "--no-latency"});
  ASSERT_EQ(run.code, kExitOk) << run.err;
  const nlohmann::json json = nlohmann::json::parse(run.out);
  ASSERT_EQ(json.at("policies").size(), 8u);
  for (const nlohmann::json& policy : json.at("policies")) {
    EXPECT_EQ(policy.at("jobs"), 6) << policy.at("policy");
    ASSERT_EQ(policy.at("services").size(), 2u) << policy.at("policy");
    const nlohmann::json& chat = policy.at("services").at(0);
    EXPECT_EQ(chat.at("name"), "chat");
    // 30, 200, 90, 30 requests/s over four half-hours at 40 per replica: 1 + 5 + 3 + 1 replicas.
    EXPECT_EQ(chat.at("replica_s_wanted").get<double>(), 10 * 1800);
    EXPECT_EQ(chat.at("replicas_wanted"), 5);
    EXPECT_LE(chat.at("replica_s_served").get<double>(), chat.at("replica_s_wanted").get<double>());
  }
  const std::string report = ::testing::TempDir() + "services_report.html";
  const CliRun text = RunMigsched({"simulate", "--trace", "csv:tests/data/trace/generic_small.csv", "--fleet",
                                   "H100-80GB:2", "--services", "tests/data/services/chat.yaml", "--no-latency",
                                   "--report", report});
  ASSERT_EQ(text.code, kExitOk) << text.err;
  std::stringstream html;
  html << std::ifstream(report).rdbuf();
  EXPECT_NE(html.str().find("<h2>Services</h2>"), std::string::npos);
  EXPECT_NE(html.str().find("<tr><td>frag-aware</td><td>embed</td><td>8</td><td>8</td>"), std::string::npos);
}

TEST(SimulateCliTest, BadServicesAreExitTwoNamingFileAndLine) {
  CliRun run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--services", "tests/data/services/absent.yaml"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("tests/data/services/absent.yaml"), std::string::npos) << run.err;
  const std::string path = ::testing::TempDir() + "bad_services.yaml";
  std::ofstream(path) << "services:\n  - name: chat\n    gpu_milli: 250\n    replica_rps: -4\n";
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--services", path});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find(path + ":4: 'replica_rps' must be a number"), std::string::npos) << run.err;
  run = RunMigsched({"simulate", "--trace", "synthetic:jobs=10", "--mode", "fill", "--services",
                     "tests/data/services/chat.yaml"});
  EXPECT_EQ(run.code, kExitBadInput);
  EXPECT_NE(run.err.find("services run in replay mode only"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace migsched::cli
