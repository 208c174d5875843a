#include "trace/kubectl_pods.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/strings.h"
#include "trace/iso_time.h"
#include "trace/sacct.h"

namespace migsched::trace {
namespace {

constexpr std::string_view kGpu = "nvidia.com/gpu";
constexpr std::string_view kMigPrefix = "nvidia.com/mig-";

const nlohmann::json* Find(const nlohmann::json& object, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &object;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

std::string Text(const nlohmann::json& object, std::initializer_list<const char*> path) {
  const nlohmann::json* value = Find(object, path);
  return value != nullptr && value->is_string() ? value->get<std::string>() : "";
}

// A resource quantity as Kubernetes writes GPU counts: "2" or 2.
std::optional<int64_t> Count(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) return ParseInt64(value.get<std::string>());
  return std::nullopt;
}

struct PodGpus {
  int64_t whole = 0;
  std::string profile;
  int64_t mig_devices = 0;
};

std::optional<PodGpus> GpusOf(const nlohmann::json& pod, std::string& reason) {
  PodGpus gpus;
  const nlohmann::json* containers = Find(pod, {"spec", "containers"});
  if (containers == nullptr || !containers->is_array()) return gpus;
  for (const nlohmann::json& container : *containers) {
    const nlohmann::json* resources = Find(container, {"resources", "limits"});
    if (resources == nullptr) resources = Find(container, {"resources", "requests"});
    if (resources == nullptr || !resources->is_object()) continue;
    for (const auto& [key, value] : resources->items()) {
      const bool whole = key == kGpu;
      if (!whole && !key.starts_with(kMigPrefix)) continue;
      const std::optional<int64_t> count = Count(value);
      if (!count || *count < 0 || *count > 1024) {
        reason = key + " " + value.dump() + " is not a GPU count";
        return std::nullopt;
      }
      if (whole) {
        gpus.whole += *count;
      } else {
        const std::string profile = MigProfileOfType(key.substr(kMigPrefix.size()));
        if (profile.empty()) {
          reason = key + " names no standard MIG profile";
          return std::nullopt;
        }
        gpus.profile = profile;
        gpus.mig_devices += *count;
      }
    }
  }
  return gpus;
}

// The latest finishedAt of the pod's terminated containers, if they all ended.
std::optional<int64_t> FinishedAt(const nlohmann::json& pod) {
  const nlohmann::json* statuses = Find(pod, {"status", "containerStatuses"});
  if (statuses == nullptr || !statuses->is_array() || statuses->empty()) return std::nullopt;
  std::optional<int64_t> latest;
  for (const nlohmann::json& status : *statuses) {
    const std::optional<int64_t> finished = ParseIsoSeconds(Text(status, {"state", "terminated", "finishedAt"}));
    if (!finished) return std::nullopt;
    latest = std::max(latest.value_or(*finished), *finished);
  }
  return latest;
}

}  // namespace

Result<Trace> ParseKubectlPods(std::string_view text, const std::string& source) {
  const nlohmann::json list = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (list.is_discarded()) return InvalidArgumentError(source + ": not JSON (kubectl get pods -A -o json)");
  const nlohmann::json* items = Find(list, {"items"});
  if (items == nullptr || !items->is_array()) {
    return InvalidArgumentError(source + ": no 'items' array (kubectl get pods -A -o json)");
  }
  Trace trace;
  trace.source = source;
  int index = 0;
  for (const nlohmann::json& pod : *items) {
    ++index;
    const std::string name = Text(pod, {"metadata", "namespace"}) + "/" + Text(pod, {"metadata", "name"});
    const auto bad = [&](const std::string& reason) {
      trace.bad_rows.push_back(RowIssue{index, "pod " + name + ": " + reason});
    };
    if (!pod.is_object()) {
      trace.bad_rows.push_back(RowIssue{index, "not a JSON object"});
      continue;
    }
    std::string reason;
    const std::optional<PodGpus> gpus = GpusOf(pod, reason);
    if (!gpus) {
      bad(reason);
      continue;
    }
    if (gpus->whole == 0 && gpus->mig_devices == 0) {
      ++trace.cpu_only_rows;
      continue;
    }
    const std::optional<int64_t> created = ParseIsoSeconds(Text(pod, {"metadata", "creationTimestamp"}));
    const std::optional<int64_t> started = ParseIsoSeconds(Text(pod, {"status", "startTime"}));
    const std::optional<int64_t> finished = FinishedAt(pod);
    if (!created) {
      bad("no metadata.creationTimestamp");
    } else if (!started) {
      bad("never started (no status.startTime)");
    } else if (!finished) {
      bad("still running (a container has no state.terminated.finishedAt)");
    } else if (*started < *created || *finished < *started) {
      bad("times out of order: created <= started <= finished does not hold");
    } else if (gpus->mig_devices > 1 || (gpus->mig_devices > 0 && gpus->whole > 0)) {
      bad("asks for several MIG devices or MIG devices and whole GPUs; a trace row is one instance");
    } else if (gpus->whole > 64) {
      bad("asks for " + std::to_string(gpus->whole) + " GPUs (at most 64)");
    } else {
      TraceJob job;
      job.name = name;
      job.tenant = Text(pod, {"metadata", "namespace"});
      job.submit_ms = *created * 1000;
      job.duration_ms = (*finished - *started) * 1000;
      job.source_line = index;
      if (const nlohmann::json* priority = Find(pod, {"spec", "priority"}); priority && priority->is_number_integer()) {
        job.priority = static_cast<int>(std::clamp<int64_t>(priority->get<int64_t>(), -1'000'000, 1'000'000));
      }
      SetRequestedGpus(job, gpus->mig_devices == 1 ? gpus->profile : "", static_cast<int>(gpus->whole));
      trace.jobs.push_back(std::move(job));
    }
  }
  StartAtZero(trace);
  return trace;
}

}  // namespace migsched::trace
