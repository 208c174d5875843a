// A small Kubernetes API client over HTTPS/JSON (libcurl): GET (list or
// read), PATCH (merge or strategic-merge patch) and watch (a chunked stream
// of one JSON event per line). Reads are bounded; a non-2xx answer becomes an
// error carrying the server's own message (its Status object's `message`).
// Each call makes its own connection, so one client may be used by several
// threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "k8s/kube_config.h"

namespace migsched::k8s {

struct KubeApiLimits {
  std::size_t max_body_bytes = 64u << 20;   // a list's whole answer
  std::size_t max_event_bytes = 16u << 20;  // one watch event (one line)
  long connect_timeout_s = 10;
  long request_timeout_s = 60;  // everything but watches
};

enum class PatchType { kMerge, kStrategicMerge };

// How a watch ended; errors are returned as Status instead.
enum class WatchEnd {
  kClosed,   // the server ended the stream (its timeoutSeconds): watch again from the last resourceVersion
  kStopped,  // `stop` was set or the handler returned false
  kExpired,  // 410 Gone: the resourceVersion is too old; list again
};

class KubeApiClient {
 public:
  explicit KubeApiClient(KubeConfig config, KubeApiLimits limits = {});

  // `path` starts with "/" ("/api/v1/pods?fieldSelector=..."). Errors:
  // NotFound (404), InvalidArgument (other 4xx), Unavailable (no connection,
  // timeout, 5xx, an answer too large or not JSON); the message names the
  // method, the path, the HTTP status and the server's message.
  Result<nlohmann::json> Get(const std::string& path) const;
  Result<nlohmann::json> Patch(const std::string& path, const nlohmann::json& patch, PatchType type) const;

  // Streams `path` (which must ask for watch=true): calls `on_event` with
  // every event object ({"type": ADDED|MODIFIED|DELETED|BOOKMARK, "object"});
  // an ERROR event with code 410 ends the watch as kExpired, other ERROR
  // events become errors. `stop` is checked while waiting for data.
  Result<WatchEnd> Watch(const std::string& path, const std::function<bool(const nlohmann::json&)>& on_event,
                         const std::atomic<bool>& stop) const;

  const std::string& server() const { return config_.server; }

 private:
  Result<nlohmann::json> Request(const std::string& method, const std::string& path, const std::string& body,
                                 const std::string& content_type) const;

  KubeConfig config_;
  KubeApiLimits limits_;
};

}  // namespace migsched::k8s
