// Keeps a copy of one Kubernetes collection (pods, nodes) up to date the way
// client-go's reflector does: list, then watch from the list's
// resourceVersion, following each event's resourceVersion; watch again when
// the server closes the stream, list again after 410 Gone or an error.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "k8s/kube_api_client.h"

namespace migsched::k8s {

struct ListWatchOptions {
  std::string collection;  // "/api/v1/pods"
  std::string selector;    // "fieldSelector=metadata.name%3Dn1"; "" = everything
  int watch_timeout_s = 60;
  std::chrono::milliseconds retry{1000};  // after an error, before listing again
};

// Objects by "<namespace>/<name>" ("<name>" for cluster-scoped ones).
using ObjectMap = std::map<std::string, nlohmann::json>;

// Runs until `stop` is set, calling `on_change` with the whole collection
// after every list and every event. Errors go to `log` as one line each and
// are retried.
void RunListWatch(const KubeApiClient& client, const ListWatchOptions& options, const std::atomic<bool>& stop,
                  const std::function<void(const ObjectMap&)>& on_change, std::ostream& log);

// "<namespace>/<name>" of an object, or "" when it has no name.
std::string ObjectKey(const nlohmann::json& object);

}  // namespace migsched::k8s
