// `migsched k8s controller`: demand-driven MIG for Kubernetes. A thread keeps
// the cluster's pods up to date (list + watch, kube_api_list_watch.h); after
// every change, and every `interval` in any case, the controller reads its
// reservations from `migsched serve` (jobs of tenant "k8s"), decides one
// controller_reconcile.h step and carries it out: reservations submitted to
// or released in serve. Serve's core places them (repartitioning idle
// slices), the node agents create the instances, and the device plugin
// advertises them to kubelet.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "k8s/controller_reconcile.h"
#include "k8s/kube_api_client.h"

namespace migsched::k8s {

// One authenticated request to `migsched serve` ("GET", "POST" with a JSON
// body, "DELETE"): the parsed answer of a 2xx, or the error.
using ServeCall =
    std::function<Result<nlohmann::json>(const std::string& method, const std::string& path, const std::string& body)>;

struct ControllerOptions {
  std::chrono::milliseconds interval{2000};  // a step at least this often
  int watch_timeout_s = 60;
};

class Controller {
 public:
  // `log` gets one key=value line per action and per problem (from two
  // threads: give it a stream whose writes of whole lines do not interleave,
  // such as std::cerr).
  Controller(const KubeApiClient& kube, ServeCall serve, ControllerOptions options, std::ostream& log);

  // Runs until `stop` is set.
  void Run(const std::atomic<bool>& stop);

 private:
  Status Step(const std::vector<K8sPod>& pods);
  void Report(const std::string& problem);

  const KubeApiClient& kube_;
  ServeCall serve_;
  ControllerOptions options_;
  std::ostream& log_;
  std::mutex reported_mutex_;       // Report runs on the watch thread too
  std::set<std::string> reported_;  // problems already logged, so each appears once
};

}  // namespace migsched::k8s
