// Submit-to-running latency of `migsched serve`, the client half of
// bench/serve_repartition_latency.sh (issue 11: a submit that needs a
// repartition runs within 200 ms of the reconfiguration delay). Submits JOBS
// jobs of PROFILE one after another and polls each (every millisecond) until
// it is `running`; prints each latency less DELAY_MS, then the median and
// spread. EXPECT is what each submit must answer: `repartition` (its reason
// says so) or `placed` (no repartition: the baseline path).
//   serve_repartition_bench URL TOKEN_FILE PROFILE EXPECT JOBS DELAY_MS
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int Fail(const std::string& why) {
  std::cerr << "serve_repartition_bench: " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: serve_repartition_bench URL TOKEN_FILE PROFILE repartition|placed JOBS DELAY_MS\n";
    return 2;
  }
  const std::string url = argv[1], profile = argv[3], expect = argv[4];
  const int jobs = std::stoi(argv[5]);
  const double delay_ms = std::stod(argv[6]);
  std::string token;
  std::ifstream(argv[2]) >> token;
  httplib::Client client(url);
  client.set_bearer_token_auth(token);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);  // else each POST waits for the server's delayed ACK of its headers
  std::vector<double> beyond_ms;
  for (int i = 0; i < jobs; ++i) {
    const std::string name = "latency-" + expect + "-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    const Clock::time_point submitted = Clock::now();
    const httplib::Result res =
        client.Post("/v1/jobs", json{{"name", name}, {"profile", profile}}.dump(), "application/json");
    if (!res || res->status != 201) return Fail("submit " + name + ": " + (res ? res->body : "no answer"));
    const json job = json::parse(res->body);
    const bool repartition = job["reason"].get<std::string>().find("repartitioning") != std::string::npos;
    if (repartition != (expect == "repartition")) return Fail("expected " + expect + ", got " + res->body);
    const std::string path = "/v1/jobs/" + std::to_string(job["id"].get<std::uint64_t>());
    for (;;) {
      const httplib::Result got = client.Get(path);
      if (!got || got->status != 200) return Fail("get " + path + ": " + (got ? got->body : "no answer"));
      if (json::parse(got->body)["state"] == "running") break;
      if (Clock::now() - submitted > std::chrono::seconds(60)) return Fail(name + " not running after 60 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - submitted).count();
    beyond_ms.push_back(took_ms - delay_ms);
    std::cout << "  " << name << ": " << took_ms << " ms, " << beyond_ms.back() << " ms beyond the delay\n";
  }
  std::sort(beyond_ms.begin(), beyond_ms.end());
  if (beyond_ms.empty()) return Fail("no jobs");
  std::cout << expect << " (" << profile << ", delay " << delay_ms << " ms, " << jobs
            << " jobs): beyond the delay median " << beyond_ms[beyond_ms.size() / 2] << " ms, min "
            << beyond_ms.front() << " ms, max " << beyond_ms.back() << " ms\n";
  return 0;
}
