// The real `migsched serve` and `migsched agent` processes with the fake
// NVML: jobs placed through the API get their MIG instances created by the
// agents, state survives kill -9, bad input is refused without a trace.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "daemon/tests/serve_process.h"
#include "testing/headless_chromium.h"

namespace migsched::daemon {
namespace {

using nlohmann::json;
using testing::ServeFixture;
using testing::WaitFor;

class ServeTest : public ServeFixture {
 protected:
  json Submit(const json& body, int expect_status = 201) {
    httplib::Result res = Client().Post("/v1/jobs", body.dump(), "application/json");
    EXPECT_TRUE(res) << "no answer";
    if (!res) return nullptr;
    EXPECT_EQ(res->status, expect_status) << res->body;
    return json::parse(res->body);
  }
  json Job(std::uint64_t id) { return GetJson("/v1/jobs/" + std::to_string(id)); }
  bool InState(std::uint64_t id, const std::string& state) {
    const json job = Job(id);
    return job.is_object() && job["state"] == state;
  }
  std::size_t Nodes() {
    const json fleet = GetJson("/v1/fleet");
    return fleet.is_object() ? fleet["nodes"].size() : 0;
  }
  // GPU instances in a fake node's state file as "profile_id@start" per GPU.
  std::vector<std::set<std::string>> FakeInstances(const std::string& node) {
    std::ifstream in(Path(node + ".json"));
    const json state = json::parse(in, nullptr, false);
    std::vector<std::set<std::string>> gpus;
    if (state.is_discarded()) return gpus;
    for (const json& gpu : state["gpus"]) {
      std::set<std::string> instances;
      for (const json& gi : gpu["gpu_instances"]) {
        instances.insert(std::to_string(gi["profile_id"].get<int>()) + "@" + std::to_string(gi["start"].get<int>()));
      }
      gpus.push_back(instances);
    }
    return gpus;
  }
};

TEST_F(ServeTest, AJobGetsItsMigInstanceFromTheAgentAndRuns) {
  StartServer();
  StartAgent("node-a", "H100-80GB:2");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 1; })) << agents_[0]->Output();

  const json job = Submit({{"name", "llama-13b"}, {"tenant", "ml"}, {"profile", "3g.40gb"}});
  ASSERT_TRUE(job.is_object());
  const std::uint64_t id = job["id"];
  ASSERT_TRUE(WaitFor([&] { return InState(id, "running"); })) << Job(id).dump() << agents_[0]->Output();
  const json running = Job(id);
  EXPECT_EQ(running["node"], "node-a");
  EXPECT_EQ(running["profile"], "3g.40gb");
  EXPECT_THAT(running["mig_uuid"].get<std::string>(), ::testing::StartsWith("MIG-"));
  // The fake GPU holds the instance (H100-80GB 3g.40gb is GI profile id 9).
  const auto gpus = FakeInstances("node-a");
  ASSERT_EQ(gpus.size(), 2u);
  const int gpu = running["gpu"];
  EXPECT_EQ(gpus[static_cast<size_t>(gpu)].count("9@" + std::to_string(running["start"].get<int>())), 1u);

  // Memory right-sizing: 9 GiB fits a 1g.10gb.
  const json small = Submit({{"name", "bert"}, {"memory_mib", 9000}});
  EXPECT_EQ(small["profile"], "1g.10gb");

  // Release: the instance goes away on the node.
  httplib::Result released = Client().Delete("/v1/jobs/" + std::to_string(id));
  ASSERT_TRUE(released);
  EXPECT_EQ(released->status, 200);
  EXPECT_EQ(json::parse(released->body)["state"], "finished");
  EXPECT_TRUE(WaitFor([&] {
    const auto now = FakeInstances("node-a");
    return now.size() == 2 && now[static_cast<size_t>(gpu)].count("9@" + std::to_string(running["start"].get<int>())) == 0;
  }));
}

// A node that joins cut as all-1g: its idle 1g.10gb instances are destroyed
// to make room for a 3g.40gb (a repartition), through the agent. The delay
// is fractional (issue 14: milliseconds end to end) and the job runs only
// once it has passed. How soon after: bench/serve_repartition_latency.sh.
TEST_F(ServeTest, AJobThatNeedsARepartitionReachesRunning) {
  StartServer({"--reconfig-delay", "0.5"});
  ASSERT_EQ(std::system((std::string(MIGSCHED_BINARY_PATH) + " fake-nvml init --state " + Path("node-a.json") +
                         " --gpus A100-80GB:1 > /dev/null").c_str()),
            0);
  std::ofstream(Path("all-1g.yaml")) << "version: v1\nmig-configs:\n  all-1g:\n    - devices: all\n"
                                        "      mig-enabled: true\n      mig-devices:\n        \"1g.10gb\": 7\n";
  const std::string cut = "MIGSCHED_NVML_LIBRARY=" MIGSCHED_FAKE_NVML_PATH " MIGSCHED_FAKE_NVML_STATE=" +
                          Path("node-a.json") + " " + MIGSCHED_BINARY_PATH + " apply -f " + Path("all-1g.yaml") +
                          " -c all-1g --journal " + Path("cut.journal") + " > /dev/null";
  ASSERT_EQ(std::system(cut.c_str()), 0);
  ASSERT_EQ(FakeInstances("node-a")[0].size(), 7u);
  StartAgent("node-a", "A100-80GB:1");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 1; }));
  const json fleet = GetJson("/v1/fleet");
  EXPECT_EQ(fleet["nodes"][0]["gpus"][0]["idle_slices"], 7);
  // The GPU's UUID as the agent reported it (the device plugin's ID for whole GPUs).
  EXPECT_THAT(fleet["nodes"][0]["gpus"][0]["uuid"].get<std::string>(), ::testing::StartsWith("GPU-"));

  const auto submitted = std::chrono::steady_clock::now();
  const json big = Submit({{"name", "big"}, {"profile", "3g.40gb"}});
  EXPECT_EQ(big["state"], "starting");
  EXPECT_THAT(big["reason"].get<std::string>(), ::testing::HasSubstr("repartitioning"));
  const std::uint64_t id = big["id"];
  ASSERT_TRUE(WaitFor([&] { return InState(id, "running"); })) << Job(id).dump() << agents_[0]->Output();
  EXPECT_GE(std::chrono::steady_clock::now() - submitted, std::chrono::milliseconds(500))
      << "running before the reconfiguration delay had passed";
  // On the GPU: the 3g.40gb (GI profile id 9) at its start, and the 1g.10gb
  // instances that did not stand in its way are kept.
  const json job = Job(id);
  const auto gpus = FakeInstances("node-a");
  EXPECT_EQ(gpus[0].count("9@" + std::to_string(job["start"].get<int>())), 1u);
  EXPECT_EQ(gpus[0].size(), 1u + 4u);  // three 1g.10gb made room, four stay
  const json metrics_fleet = GetJson("/v1/fleet");
  EXPECT_EQ(metrics_fleet["nodes"][0]["gpus"][0]["held_slices"], 4);
}

TEST_F(ServeTest, SubmitsAreIdempotentPerTenantAndName) {
  StartServer();
  const json first = Submit({{"name", "x"}, {"tenant", "a"}, {"profile", "1g.10gb"}});
  const json again = Submit({{"name", "x"}, {"tenant", "a"}, {"profile", "1g.10gb"}}, 200);
  EXPECT_EQ(again["id"], first["id"]);
  const json other_tenant = Submit({{"name", "x"}, {"tenant", "b"}, {"profile", "1g.10gb"}});
  EXPECT_NE(other_tenant["id"], first["id"]);
  const json conflict = Submit({{"name", "x"}, {"tenant", "a"}, {"profile", "2g.20gb"}}, 409);
  EXPECT_EQ(conflict["field"], "$.name");
  EXPECT_EQ(GetJson("/v1/jobs")["jobs"].size(), 2u);
}

TEST_F(ServeTest, BadRequestsAreRefusedAndStoreNothing) {
  StartServer();
  httplib::Client anonymous = Client(/*with_token=*/false);
  httplib::Result res = anonymous.Post("/v1/jobs", R"({"name":"a","profile":"1g.10gb"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  httplib::Client wrong("127.0.0.1", port_);
  wrong.set_bearer_token_auth(token_ + "x");
  EXPECT_EQ(wrong.Get("/v1/jobs")->status, 401);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{", "$"},
      {R"({"name": "a"})", "$"},
      {R"({"name": "a", "memory_mib": "lots"})", "$.memory_mib"},
      {R"({"name": "a", "memory_mib": -5})", "$.memory_mib"},
      {R"({"name": "a", "memory_mib": 9223372036854775807})", "$.memory_mib"},
      {R"({"name": "a", "memory_mib": 18446744073709551615})", "$.memory_mib"},
      {R"({"name": "a", "profile": "9g.99gb"})", "$.profile"},
      {R"({"name": "a", "profile": "1g.10gb", "model": "Z100"})", "$.model"},
      {R"({"name": "a", "profile": "1g.10gb", "colour": "red"})", "$"},
      {R"({"name": "a", "gpus": 0})", "$.gpus"},
      {R"({"name": "", "gpus": 1})", "$.name"},
      {R"([1, 2])", "$"},
  };
  for (const auto& [body, field] : bad) {
    httplib::Result answer = Client().Post("/v1/jobs", body, "application/json");
    ASSERT_TRUE(answer) << body;
    EXPECT_EQ(answer->status, 400) << body << " -> " << answer->body;
    const json error = json::parse(answer->body);
    EXPECT_EQ(error["field"], field) << body << " -> " << answer->body;
    EXPECT_FALSE(error["error"].get<std::string>().empty());
  }
  httplib::Result huge = Client().Post("/v1/jobs", std::string(10 << 20, ' '), "application/json");
  EXPECT_TRUE(!huge || huge->status == 413);
  // Agent and query errors name their field too.
  httplib::Result wrong_node = Client().Post("/v1/agents/node-a/inventory", R"({"node":"node-b","gpus":[]})",
                                             "application/json");
  ASSERT_TRUE(wrong_node);
  EXPECT_EQ(wrong_node->status, 400);
  EXPECT_EQ(json::parse(wrong_node->body)["field"], "$.node");
  httplib::Result bad_name = Client().Post("/v1/agents/x/inventory", R"({"node":"a?b","gpus":[]})", "application/json");
  ASSERT_TRUE(bad_name);
  EXPECT_EQ(json::parse(bad_name->body)["field"], "$.node");
  EXPECT_EQ(Client().Get("/v1/agents/nobody/desired?after=0")->status, 404);
  EXPECT_EQ(json::parse(Client().Get("/v1/jobs?state=sleeping")->body)["field"], "state");
  EXPECT_EQ(json::parse(Client().Get("/v1/jobs?limit=-1")->body)["field"], "limit");
  EXPECT_EQ(json::parse(Client().Get("/v1/agents/nobody/desired?wait_ms=99999999")->body)["field"], "wait_ms");
  EXPECT_EQ(Nodes(), 0u);
  EXPECT_EQ(Client().Get("/v1/jobs/99")->status, 404);
  EXPECT_EQ(Client().Get("/v1/jobs/abc")->status, 404);
  EXPECT_EQ(Client().Delete("/v1/jobs/99")->status, 404);
  EXPECT_EQ(GetJson("/v1/jobs")["jobs"].size(), 0u);
  EXPECT_TRUE(server_->Running());
}

TEST_F(ServeTest, RestartRebuildsJobsQueueAndLayouts) {
  StartServer();
  StartAgent("node-a", "H100-80GB:1");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 1; }));
  const std::uint64_t a = Submit({{"name", "a"}, {"profile", "4g.40gb"}})["id"];
  const std::uint64_t b = Submit({{"name", "b"}, {"profile", "3g.40gb"}})["id"];
  // d waits first, c (higher priority) after it: c is ahead in the queue.
  const std::uint64_t d = Submit({{"name", "d"}, {"profile", "7g.80gb"}})["id"];
  const std::uint64_t c = Submit({{"name", "c"}, {"profile", "7g.80gb"}, {"priority", 1}})["id"];
  ASSERT_TRUE(WaitFor([&] { return InState(a, "running") && InState(b, "running"); }));
  EXPECT_TRUE(InState(c, "queued"));
  EXPECT_TRUE(InState(d, "queued"));
  const json before = GetJson("/v1/fleet");

  server_->Kill(SIGKILL);
  StartServer();
  EXPECT_TRUE(InState(a, "running"));
  EXPECT_TRUE(InState(b, "running"));
  const json after = GetJson("/v1/fleet");
  EXPECT_EQ(after["nodes"][0]["gpus"], before["nodes"][0]["gpus"]);
  // Queue order survived: the priority-1 job goes before d once a and b leave.
  ASSERT_TRUE(Client().Delete("/v1/jobs/" + std::to_string(a)));
  ASSERT_TRUE(Client().Delete("/v1/jobs/" + std::to_string(b)));
  ASSERT_TRUE(WaitFor([&] { return InState(c, "running"); })) << Job(c).dump();
  EXPECT_TRUE(InState(d, "queued"));
  // Ids keep counting after the restart.
  EXPECT_GT(Submit({{"name", "e"}, {"profile", "1g.10gb"}})["id"].get<std::uint64_t>(), c);
}

// Regression (review of the first version): a whole-GPU job made every
// restart fail ("not held whole"), and a restart forgot that a node had
// lost its agent, placing new work on it.
TEST_F(ServeTest, RestartKeepsWholeGpuJobsAndLostNodes) {
  StartServer({"--agent-timeout", "2"});
  StartAgent("node-a", "A100-80GB:2");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 1; }));
  const std::uint64_t gang = Submit({{"name", "train"}, {"gpus", 1}, {"kind", "training"}})["id"];
  ASSERT_TRUE(WaitFor([&] { return InState(gang, "running"); })) << Job(gang).dump();
  agents_.clear();  // the agent dies
  ASSERT_TRUE(WaitFor([&] { return GetJson("/v1/fleet")["nodes"][0]["healthy"] == false; }));

  server_->Kill(SIGKILL);
  StartServer({"--agent-timeout", "2"});
  EXPECT_TRUE(InState(gang, "running"));
  const json node = GetJson("/v1/fleet")["nodes"][0];
  EXPECT_EQ(node["healthy"], false);
  EXPECT_EQ(node["cordoned"], true);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // a few ticks
  EXPECT_EQ(Submit({{"name", "later"}, {"profile", "1g.10gb"}})["state"], "queued");
  // The agent comes back: the node is uncordoned and the waiting job placed.
  StartAgent("node-a", "A100-80GB:2");
  ASSERT_TRUE(WaitFor([&] { return GetJson("/v1/fleet")["nodes"][0]["cordoned"] == false; }));
  EXPECT_TRUE(WaitFor([&] { return GetJson("/v1/jobs?state=running")["jobs"].size() == 2; }))
      << GetJson("/v1/jobs").dump();
}

// Clients submit and cancel concurrently while the server is killed with
// SIGKILL at random moments; after each restart every acknowledged submit
// exists exactly once (same id) and every acknowledged cancel took effect.
// 50 cycles by default; the ASan preset runs 10 (MIGSCHED_KILL_CYCLES), where
// what it adds is memory checking, not more random kill points.
TEST_F(ServeTest, AcknowledgedChangesSurviveKillNine) {
  const char* env = std::getenv("MIGSCHED_KILL_CYCLES");
  const int cycles = env != nullptr ? std::atoi(env) : 50;
  StartServer();
  StartAgent("node-a", "A100-80GB:2");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 1; }));
  std::mt19937 rng(20261205);
  std::mutex mutex;
  std::map<std::string, std::uint64_t> acked;  // name -> id
  std::set<std::uint64_t> cancelled;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&, t] {
        httplib::Client client = Client();
        std::mt19937 local(static_cast<unsigned>(cycle * 16 + t));
        std::vector<std::uint64_t> mine;
        for (int i = 0; !stop.load(); ++i) {
          const std::string name = "c" + std::to_string(cycle) + "-t" + std::to_string(t) + "-" + std::to_string(i);
          const json body{{"name", name}, {"profile", i % 3 == 0 ? "2g.20gb" : "1g.10gb"}};
          httplib::Result res = client.Post("/v1/jobs", body.dump(), "application/json");
          if (!res) return;
          if (res->status == 201) {
            const std::uint64_t id = json::parse(res->body)["id"];
            std::lock_guard lock(mutex);
            acked[name] = id;
            mine.push_back(id);
          }
          if (!mine.empty() && local() % 3 == 0) {
            const std::uint64_t victim = mine[local() % mine.size()];
            httplib::Result del = client.Delete("/v1/jobs/" + std::to_string(victim));
            if (!del) return;
            if (del->status == 200) {
              std::lock_guard lock(mutex);
              cancelled.insert(victim);
            }
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 200));
    server_->Kill(SIGKILL);
    stop = true;
    for (std::thread& c : clients) c.join();
    StartServer();
    const json jobs = GetJson("/v1/jobs?limit=100000");
    ASSERT_TRUE(jobs.is_object()) << "cycle " << cycle;
    std::map<std::string, std::vector<std::uint64_t>> by_name;
    std::map<std::uint64_t, std::string> state;
    for (const json& job : jobs["jobs"]) {
      by_name[job["name"]].push_back(job["id"]);
      state[job["id"]] = job["state"];
    }
    for (const auto& [name, id] : acked) {
      ASSERT_EQ(by_name[name], std::vector<std::uint64_t>{id}) << "cycle " << cycle << ": job " << name;
    }
    for (const std::uint64_t id : cancelled) {
      ASSERT_EQ(state[id], "finished") << "cycle " << cycle << ": job " << id << " was cancelled";
    }
  }
  EXPECT_GT(acked.size(), static_cast<std::size_t>(cycles));
  EXPECT_FALSE(cancelled.empty());
}

// An agent killed by the (fake) NVML in the middle of an apply is restarted
// and finishes from its journal: every job reaches running, the GPUs hold
// exactly the desired instances.
TEST_F(ServeTest, AnAgentKilledMidApplyConverges) {
  StartServer();
  StartAgent("node-a", "A100-80GB:1");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 1; }));
  agents_.clear();  // SIGKILL: the node keeps its place, its GPUs wait
  {
    std::ifstream in(Path("node-a.json"));
    json state = json::parse(in);
    state["kill_after_mutations"] = 3;  // dies after the 3rd NVML change
    std::ofstream(Path("node-a.json")) << state.dump();
  }
  std::vector<std::uint64_t> ids;
  for (const char* profile : {"3g.40gb", "2g.20gb", "1g.10gb"}) {
    ids.push_back(Submit({{"name", std::string("j-") + profile}, {"profile", profile}})["id"]);
  }
  StartAgent("node-a", "A100-80GB:1");
  ASSERT_TRUE(WaitFor([&] { return !agents_.back()->Running(); }, std::chrono::seconds(10))) << "the fake did not kill it";
  EXPECT_TRUE(std::filesystem::exists(Path("node-a.journal")));
  EXPECT_FALSE(InState(ids.back(), "running"));
  StartAgent("node-a", "A100-80GB:1");
  for (const std::uint64_t id : ids) ASSERT_TRUE(WaitFor([&] { return InState(id, "running"); })) << Job(id).dump();
  EXPECT_FALSE(std::filesystem::exists(Path("node-a.journal")));
  EXPECT_EQ(FakeInstances("node-a")[0].size(), 3u);
}

// A client that sends half a request, or nothing, is dropped after the I/O
// timeout and holds up nobody meanwhile.
TEST_F(ServeTest, SlowAndHalfOpenClientsAreDropped) {
  StartServer();
  const auto connect_raw = [&] {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    return fd;
  };
  std::vector<int> slow;
  for (int i = 0; i < 8; ++i) {
    const int fd = connect_raw();
    const std::string partial = "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n";
    if (i % 2 == 0) {
      EXPECT_EQ(send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
    }
    slow.push_back(fd);
  }
  // Others are served meanwhile.
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(Submit({{"name", "meanwhile"}, {"gpus", 1}})["state"], "failed");  // no GPUs: failed, but answered
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  // Within the 5 s I/O timeout (and some slack) the server hangs up.
  for (const int fd : slow) {
    timeval limit{.tv_sec = 15, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char buffer[512];
    ssize_t got = 0;
    while ((got = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    }
    EXPECT_EQ(got, 0) << "the server did not close a stalled connection";
    close(fd);
  }
  EXPECT_EQ(GetJson("/v1/jobs")["jobs"].size(), 1u);
}

// The dashboard of a running server, rendered by headless Chromium, shows
// the fleet's GPU rows, the job just placed and what MIG saves (with the
// prices of --costs); /metrics passes promtool.
TEST_F(ServeTest, TheDashboardShowsTheFleetAJobJustPlacedAndWhatMigSaves) {
  std::ofstream(Path("costs.yaml")) << "electricity_per_kwh: 0.1\ngpus:\n  - {model: H100-80GB, price_per_gpu_hour: 2}\n";
  StartServer({"--event-stream-seconds", "1", "--costs", Path("costs.yaml")});
  StartAgent("node-a", "H100-80GB:2");
  StartAgent("node-b", "A100-80GB:1");
  ASSERT_TRUE(WaitFor([&] { return Nodes() == 2; }));
  const std::uint64_t id = Submit({{"name", "sdxl-demo"}, {"profile", "4g.40gb"}, {"model", "A100-80GB"}})["id"];
  Submit({{"name", "waiting-for-room"}, {"profile", "7g.80gb"}, {"model", "A100-80GB"}});
  // Three 3g.40gb jobs on two H100s: whole-GPU allocation would need 3.
  std::vector<std::uint64_t> small;
  for (int i = 0; i < 3; ++i) {
    small.push_back(Submit({{"name", "small-" + std::to_string(i)}, {"profile", "3g.40gb"}, {"model", "H100-80GB"}})["id"]);
  }
  ASSERT_TRUE(WaitFor([&] {
    return InState(id, "running") && std::all_of(small.begin(), small.end(), [&](std::uint64_t j) { return InState(j, "running"); });
  }));

  const std::string metrics = Client(false).Get("/metrics")->body;
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_gpu_memory_slices{node=\"node-b\",gpu=\"0\",model=\"A100-80GB\",state=\"held\"} 4"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_whole_gpu_allocation_gpus{model=\"H100-80GB\"} 3\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_gpus_in_use{model=\"H100-80GB\"} 2\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_gpus_saved{model=\"H100-80GB\"} 1\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_gpus_saved{model=\"A100-80GB\"} 0\n"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_gpus_saved_power_watts{model=\"H100-80GB\"} 700\n"));
  // 730 h x (2.00 + 0.7 kW x 0.10) per GPU-hour.
  EXPECT_THAT(metrics, ::testing::HasSubstr("migsched_gpus_saved_money_per_month{currency=\"USD\"} 1511.1"));
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    std::ofstream(Path("metrics.txt")) << metrics;
    EXPECT_EQ(std::system(("promtool check metrics < " + Path("metrics.txt")).c_str()), 0) << metrics;
  }

  if (!migsched::testing::FindChromium()) GTEST_SKIP() << "chromium is not on PATH (Debian package 'chromium')";
  const Result<std::string> dom = migsched::testing::DumpDom("http://127.0.0.1:" + std::to_string(port_) + "/");
  ASSERT_TRUE(dom.has_value()) << dom.error().ToString();
  const std::string fleet = migsched::testing::ElementById(*dom, "fleet");
  EXPECT_THAT(fleet, ::testing::HasSubstr("gpu-row"));
  EXPECT_THAT(fleet, ::testing::HasSubstr("job-" + std::to_string(id)));
  const std::string jobs = migsched::testing::ElementById(*dom, "jobs");
  EXPECT_THAT(jobs, ::testing::HasSubstr("sdxl-demo"));
  EXPECT_THAT(jobs, ::testing::HasSubstr("running"));
  EXPECT_THAT(migsched::testing::ElementById(*dom, "queue"), ::testing::HasSubstr("waiting-for-room"));
  const std::string savings = migsched::testing::ElementById(*dom, "savings");
  EXPECT_THAT(savings, ::testing::HasSubstr(">1<"));
  EXPECT_THAT(savings, ::testing::HasSubstr("3 in use vs 4 whole · 0.7 kW · USD 1,511 / month"));
  if (const char* shot = std::getenv("MIGSCHED_DASHBOARD_SCREENSHOT")) {
    EXPECT_TRUE(migsched::testing::Screenshot("http://127.0.0.1:" + std::to_string(port_) + "/", shot).ok());
  }
}

}  // namespace
}  // namespace migsched::daemon
