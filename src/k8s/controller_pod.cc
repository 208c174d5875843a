#include "k8s/controller_pod.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "engines/k8s_resources.h"

namespace migsched::k8s {
namespace {

using nlohmann::json;

const json& Field(const json& object, const char* key) {
  static const json kNull;
  return object.is_object() && object.contains(key) ? object[key] : kNull;
}

std::string StringField(const json& object, const char* key) {
  const json& value = Field(object, key);
  return value.is_string() ? value.get<std::string>() : "";
}

// A MIG quantity: extended resources are whole numbers ("1", or 1).
Result<int> Quantity(const json& value, const std::string& where) {
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0 && value.get<std::int64_t>() <= 1024) {
    return static_cast<int>(value.get<std::int64_t>());
  }
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    int n = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (error == std::errc() && end == text.data() + text.size() && n >= 0 && n <= 1024) return n;
  }
  return InvalidArgumentError(where + ": a MIG device count must be a whole number from 0 to 1024, not " + value.dump());
}

// profile -> count of one container.
Result<std::map<std::string, int>> ContainerDemand(const json& container, const std::string& where) {
  std::map<std::string, int> demand;
  const json& resources = Field(container, "resources");
  const json& limits = Field(resources, "limits");
  const json& requests = Field(resources, "requests");
  for (const json* list : {&limits, &requests}) {
    if (!list->is_object()) continue;
    for (const auto& [resource, value] : list->items()) {
      const std::optional<std::string> profile = engines::ProfileOfMigResource(resource);
      if (!profile || demand.contains(*profile)) continue;  // limits first; requests equal them when both are given
      Result<int> count = Quantity(value, where + ".resources." + (list == &limits ? "limits" : "requests") + "[" +
                                              resource + "]");
      if (!count.has_value()) return count.error();
      demand[*profile] = *count;
    }
  }
  return demand;
}

PodPhase PhaseOf(const std::string& phase) {
  if (phase == "Pending") return PodPhase::kPending;
  if (phase == "Running") return PodPhase::kRunning;
  if (phase == "Succeeded") return PodPhase::kSucceeded;
  if (phase == "Failed") return PodPhase::kFailed;
  return PodPhase::kUnknown;
}

}  // namespace

Result<K8sPod> PodFromJson(const json& pod) {
  const json& metadata = Field(pod, "metadata");
  K8sPod out;
  out.key = StringField(metadata, "namespace") + "/" + StringField(metadata, "name");
  out.uid = StringField(metadata, "uid");
  if (out.uid.empty()) return InvalidArgumentError("pod " + out.key + ": metadata.uid is missing");
  const json& spec = Field(pod, "spec");
  const json& status = Field(pod, "status");
  out.node = StringField(spec, "nodeName");
  out.phase = PhaseOf(StringField(status, "phase"));
  const json& conditions = Field(status, "conditions");
  if (conditions.is_array()) {
    for (const json& condition : conditions) {
      if (StringField(condition, "type") == "PodScheduled" && StringField(condition, "status") == "False" &&
          StringField(condition, "reason") == "Unschedulable") {
        out.unschedulable = true;
      }
    }
  }
  std::map<std::string, int> total;
  for (const char* kind : {"containers", "initContainers"}) {
    const json& containers = Field(spec, kind);
    if (!containers.is_array()) continue;
    for (std::size_t i = 0; i < containers.size(); ++i) {
      const std::string where = "pod " + out.key + ": spec." + kind + "[" + std::to_string(i) + "]";
      Result<std::map<std::string, int>> demand = ContainerDemand(containers[i], where);
      if (!demand.has_value()) return demand.error();
      for (const auto& [profile, count] : *demand) {
        // Init containers run one at a time, before the others.
        total[profile] = std::string_view(kind) == "containers" ? total[profile] + count : std::max(total[profile], count);
      }
    }
  }
  for (const auto& [profile, count] : total) {
    if (count > 0) out.demand.push_back({.profile = profile, .count = count});
  }
  return out;
}

}  // namespace migsched::k8s
