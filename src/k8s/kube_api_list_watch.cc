#include "k8s/kube_api_list_watch.h"

#include <thread>

namespace migsched::k8s {
namespace {

using nlohmann::json;

std::string ResourceVersion(const json& object) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return "";
  const json& metadata = object["metadata"];
  return metadata.contains("resourceVersion") && metadata["resourceVersion"].is_string()
             ? metadata["resourceVersion"].get<std::string>()
             : "";
}

// Waits `duration` unless stopped first.
void Pause(std::chrono::milliseconds duration, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

std::string ObjectKey(const json& object) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return "";
  const json& metadata = object["metadata"];
  const std::string name = metadata.value("name", "");
  if (name.empty()) return "";
  const std::string ns = metadata.value("namespace", "");
  return ns.empty() ? name : ns + "/" + name;
}

void RunListWatch(const KubeApiClient& client, const ListWatchOptions& options, const std::atomic<bool>& stop,
                  const std::function<void(const ObjectMap&)>& on_change, std::ostream& log) {
  const std::string query = options.selector.empty() ? "" : options.selector + "&";
  while (!stop.load()) {
    Result<json> list = client.Get(options.collection + (options.selector.empty() ? "" : "?" + options.selector));
    if (!list.has_value() || !list->contains("items") || !(*list)["items"].is_array()) {
      log << "k8s event=list_failed collection=" << options.collection << " error=\""
          << (list.has_value() ? std::string("the answer has no items") : list.error().message()) << "\"" << std::endl;
      Pause(options.retry, stop);
      continue;
    }
    ObjectMap objects;
    for (const json& item : (*list)["items"]) {
      if (const std::string key = ObjectKey(item); !key.empty()) objects[key] = item;
    }
    std::string version = ResourceVersion(*list);
    on_change(objects);
    bool relist = false;
    while (!relist && !stop.load()) {
      const std::string path = options.collection + "?" + query + "watch=true&allowWatchBookmarks=true" +
                               "&timeoutSeconds=" + std::to_string(options.watch_timeout_s) +
                               "&resourceVersion=" + version;
      Result<WatchEnd> end = client.Watch(
          path,
          [&](const json& event) {
            const std::string type = event["type"].get<std::string>();
            const json& object = event.contains("object") ? event["object"] : json();
            if (const std::string v = ResourceVersion(object); !v.empty()) version = v;
            if (type == "BOOKMARK") return true;
            const std::string key = ObjectKey(object);
            if (key.empty()) return true;
            if (type == "DELETED") {
              objects.erase(key);
            } else {
              objects[key] = object;
            }
            on_change(objects);
            return true;
          },
          stop);
      if (!end.has_value()) {
        log << "k8s event=watch_failed collection=" << options.collection << " error=\"" << end.error().message()
            << "\"" << std::endl;
        Pause(options.retry, stop);
        relist = true;
      } else if (*end == WatchEnd::kExpired) {
        log << "k8s event=watch_expired collection=" << options.collection << " resource_version=" << version << std::endl;
        relist = true;
      }
    }
  }
}

}  // namespace migsched::k8s
