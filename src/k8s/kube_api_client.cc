#include "k8s/kube_api_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string_view>

namespace migsched::k8s {
namespace {

using nlohmann::json;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// What the write callback gathers: the whole body, or for a watch the
// current line, handing each complete line to `on_line`.
struct Sink {
  explicit Sink(std::size_t max_bytes, const std::atomic<bool>* stop_flag = nullptr)
      : limit(max_bytes), stop(stop_flag) {}
  std::size_t limit;
  std::string data;
  bool too_large = false;
  std::function<bool(std::string_view)> on_line;  // watches only; false = stop
  bool stopped_by_handler = false;
  const std::atomic<bool>* stop;
};

std::size_t OnData(char* ptr, std::size_t size, std::size_t count, void* user) {
  Sink& sink = *static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (!sink.on_line) {
    if (sink.data.size() + n > sink.limit) {
      sink.too_large = true;
      return 0;
    }
    sink.data.append(ptr, n);
    return n;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (ptr[i] != '\n') {
      if (sink.data.size() >= sink.limit) {
        sink.too_large = true;
        return 0;
      }
      sink.data.push_back(ptr[i]);
      continue;
    }
    if (!sink.data.empty() && !sink.on_line(sink.data)) {
      sink.stopped_by_handler = true;
      return 0;
    }
    sink.data.clear();
  }
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const Sink& sink = *static_cast<const Sink*>(user);
  return sink.stop != nullptr && sink.stop->load() ? 1 : 0;
}

// The server's explanation in an error answer: a Status object's message.
std::string ServerMessage(const std::string& body) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

struct Exchange {
  CURLcode code = CURLE_OK;
  long http_status = 0;
  std::string error;  // curl's error buffer
};

}  // namespace

KubeApiClient::KubeApiClient(KubeConfig config, KubeApiLimits limits)
    : config_(std::move(config)), limits_(limits) {
  InitCurlOnce();
}

namespace {

// One request with everything set up from the config; the body goes to `sink`.
Exchange Perform(const KubeConfig& config, const KubeApiLimits& limits, const std::string& method,
                 const std::string& path, const std::string& body, const std::string& content_type, Sink& sink,
                 long timeout_s) {
  Exchange exchange;
  CurlHandle curl(curl_easy_init());
  if (!curl) {
    exchange.code = CURLE_FAILED_INIT;
    exchange.error = "curl_easy_init failed";
    return exchange;
  }
  CURL* c = curl.get();
  char error[CURL_ERROR_SIZE] = {};
  const std::string url = config.server + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, limits.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &sink);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_blob ca{.data = const_cast<char*>(config.ca_pem.data()), .len = config.ca_pem.size(), .flags = CURL_BLOB_NOCOPY};
  if (!config.ca_pem.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
  if (config.insecure_skip_tls_verify) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_blob cert{.data = const_cast<char*>(config.client_cert_pem.data()),
                 .len = config.client_cert_pem.size(),
                 .flags = CURL_BLOB_NOCOPY};
  curl_blob key{.data = const_cast<char*>(config.client_key_pem.data()),
                .len = config.client_key_pem.size(),
                .flags = CURL_BLOB_NOCOPY};
  if (!config.client_cert_pem.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
  }
  HeaderList headers(curl_slist_append(nullptr, "Accept: application/json"));
  if (!config.token.empty()) {
    headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + config.token).c_str()));
  }
  if (!content_type.empty()) {
    headers.reset(curl_slist_append(headers.release(), ("Content-Type: " + content_type).c_str()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  exchange.code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &exchange.http_status);
  exchange.error = error[0] != '\0' ? error : curl_easy_strerror(exchange.code);
  return exchange;
}

Status HttpError(const std::string& what, long status, const std::string& body) {
  const std::string message = what + ": HTTP " + std::to_string(status) + ": " + ServerMessage(body);
  if (status == 404) return NotFoundError(message);
  if (status >= 400 && status < 500) return InvalidArgumentError(message);
  return UnavailableError(message);
}

}  // namespace

Result<json> KubeApiClient::Get(const std::string& path) const { return Request("GET", path, "", ""); }

Result<json> KubeApiClient::Patch(const std::string& path, const json& patch, PatchType type) const {
  return Request("PATCH", path, patch.dump(),
                 type == PatchType::kMerge ? "application/merge-patch+json" : "application/strategic-merge-patch+json");
}

Result<json> KubeApiClient::Request(const std::string& method, const std::string& path, const std::string& body,
                                    const std::string& content_type) const {
  Sink sink(limits_.max_body_bytes);
  const std::string what = method + " " + path;
  const Exchange exchange = Perform(config_, limits_, method, path, body, content_type, sink, limits_.request_timeout_s);
  if (sink.too_large) return UnavailableError(what + ": answer larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
  if (exchange.code != CURLE_OK) return UnavailableError(what + " at " + config_.server + ": " + exchange.error);
  if (exchange.http_status < 200 || exchange.http_status >= 300) return HttpError(what, exchange.http_status, sink.data);
  json parsed = json::parse(sink.data, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return UnavailableError(what + ": the answer is not JSON");
  return parsed;
}

Result<WatchEnd> KubeApiClient::Watch(const std::string& path, const std::function<bool(const json&)>& on_event,
                                      const std::atomic<bool>& stop) const {
  const std::string what = "watch " + path;
  Status failure;
  bool expired = false;
  Sink sink(limits_.max_event_bytes, &stop);
  // An error answer (not 2xx) is one JSON Status document, not an event
  // stream: the first lines are kept to quote it.
  std::string first_lines;
  sink.on_line = [&](std::string_view line) {
    if (first_lines.size() < 4096) first_lines.append(line.substr(0, 4096 - first_lines.size()));
    const json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object() || !event.contains("type") || !event["type"].is_string()) {
      if (event.is_object() && event.value("kind", "") == "Status") return true;  // an error answer
      failure = UnavailableError(what + ": a line of the stream is not a watch event");
      return false;
    }
    if (event["type"] == "ERROR") {
      const json& object = event.contains("object") ? event["object"] : json();
      if (object.is_object() && object.value("code", 0) == 410) {
        expired = true;
        return false;
      }
      failure = UnavailableError(what + ": the server sent an error event: " + ServerMessage(object.dump()));
      return false;
    }
    return on_event(event);
  };
  // The server's own timeoutSeconds ends a healthy watch; this one only
  // catches a stream that went silent for good.
  const Exchange exchange = Perform(config_, limits_, "GET", path, "", "", sink, 15 * 60);
  if (expired || exchange.http_status == 410) return WatchEnd::kExpired;
  if (exchange.http_status != 0 && (exchange.http_status < 200 || exchange.http_status >= 300)) {
    return HttpError(what, exchange.http_status, first_lines + sink.data);
  }
  if (!failure.ok()) return failure;
  if (sink.too_large) return UnavailableError(what + ": an event larger than " + std::to_string(limits_.max_event_bytes) + " bytes");
  if (sink.stopped_by_handler || stop.load()) return WatchEnd::kStopped;
  if (exchange.code != CURLE_OK) return UnavailableError(what + " at " + config_.server + ": " + exchange.error);
  return WatchEnd::kClosed;
}

}  // namespace migsched::k8s
