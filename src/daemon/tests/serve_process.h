// Test helpers that run the real `migsched serve` and `migsched agent`
// processes against the fake NVML, and talk to the server over HTTP.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace migsched::daemon::testing {

// A child process; its standard output goes to a file that can be read back.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
        const std::string& output)
      : output_(output) {
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
      FILE* out = fopen(output.c_str(), "w");
      if (out != nullptr) {
        dup2(fileno(out), 1);
        dup2(fileno(out), 2);
      }
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() { Kill(SIGKILL); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  bool Running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }
  std::string Output() const {
    std::ifstream in(output_);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  pid_t pid_ = -1;
  std::string output_;
};

// Polls `done` every 20 ms until it holds or `limit` passes.
inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// A server on a free loopback port with its own state directory.
class ServeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("migsched-serve-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    // A server that stopped by itself failed an invariant (--check-invariants).
    if (server_) {
      EXPECT_TRUE(server_->Running()) << server_->Output();
    }
    agents_.clear();
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts (or restarts) the server; returns once it answers.
  void StartServer(const std::vector<std::string>& extra = {}) {
    server_.reset();
    if (port_ == 0) port_ = FreePort();
    std::vector<std::string> argv{MIGSCHED_BINARY_PATH, "serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                  "--state", Path("state"), "--check-invariants"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<Child>(argv, std::vector<std::pair<std::string, std::string>>{},
                                      Path("serve.log." + std::to_string(++server_starts_)));
    ASSERT_TRUE(WaitFor([&] {
      httplib::Client c("127.0.0.1", port_);
      return static_cast<bool>(c.Get("/healthz"));
    })) << server_->Output();
    std::ifstream token(Path("state/token"));
    std::getline(token, token_);
  }

  // Makes a fake node with `gpus` ("H100-80GB:2") and starts its agent.
  void StartAgent(const std::string& node, const std::string& gpus) {
    const std::string state = Path(node + ".json");
    if (!std::filesystem::exists(state)) {
      const std::string init = std::string(MIGSCHED_BINARY_PATH) + " fake-nvml init --state " + state + " --gpus " +
                               gpus + " > /dev/null";
      ASSERT_EQ(std::system(init.c_str()), 0);
    }
    agents_.push_back(std::make_unique<Child>(
        std::vector<std::string>{MIGSCHED_BINARY_PATH, "agent", "--server", "http://127.0.0.1:" + std::to_string(port_),
                                 "--node", node, "--token-file", Path("state/token"), "--journal",
                                 Path(node + ".journal")},
        std::vector<std::pair<std::string, std::string>>{{"MIGSCHED_NVML_LIBRARY", MIGSCHED_FAKE_NVML_PATH},
                                                         {"MIGSCHED_FAKE_NVML_STATE", state}},
        Path(node + ".log")));
  }

  httplib::Client Client(bool with_token = true) const {
    httplib::Client c("127.0.0.1", port_);
    if (with_token) c.set_bearer_token_auth(token_);
    c.set_read_timeout(std::chrono::seconds(30));
    return c;
  }

  nlohmann::json GetJson(const std::string& path) const {
    httplib::Result res = Client().Get(path);
    if (!res || res->status != 200) return nullptr;
    return nlohmann::json::parse(res->body);
  }

  // A port the kernel says is free now (bound to 0, read back, closed).
  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
  }

  std::filesystem::path dir_;
  int port_ = 0;
  int server_starts_ = 0;
  std::string token_;
  std::unique_ptr<Child> server_;
  std::vector<std::unique_ptr<Child>> agents_;
};

}  // namespace migsched::daemon::testing
