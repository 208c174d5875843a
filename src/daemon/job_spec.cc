#include "daemon/job_spec.h"

#include <nlohmann/json.hpp>

#include "daemon/json_text.h"
#include "io/json_object_reader.h"
#include "plan/right_sizing.h"

namespace migsched::daemon {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxMemoryMib = std::int64_t{1} << 30;  // 1 PiB: far above any GPU
constexpr int kMaxGang = 4096;
constexpr std::size_t kMaxNameLength = 253;  // a DNS name, as Kubernetes names are

// "$.memory_mib: must be ..." -> {"$.memory_mib", "must be ..."}.
SpecError FromStatus(const Status& status) {
  const std::string& text = status.message();
  const std::size_t colon = text.find(": ");
  if (text.rfind("$", 0) == 0 && colon != std::string::npos) {
    return {.field = text.substr(0, colon), .message = text.substr(colon + 2)};
  }
  return {.field = "$", .message = text};
}

ParsedSpec Fail(std::string field, std::string message) {
  return ParsedSpec{.spec = {}, .error = {.field = std::move(field), .message = std::move(message)}};
}

ParsedSpec Fail(const Status& status) { return ParsedSpec{.spec = {}, .error = FromStatus(status)}; }

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '/' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::vector<const geometry::GpuModel*> AllowedModels(const geometry::Catalog& catalog,
                                                     const geometry::GpuModel* only) {
  std::vector<const geometry::GpuModel*> models;
  if (only != nullptr) {
    models.push_back(only);
    return models;
  }
  for (const geometry::GpuModel& model : catalog.models()) models.push_back(&model);
  return models;
}

// Every model's right-sized profile for the memory and compute asked.
ParsedSpec SizeByMemory(JobSpec spec, const std::vector<const geometry::GpuModel*>& models) {
  plan::Workload workload;
  workload.name = spec.name;
  workload.replicas = 1;
  workload.memory_mib = spec.memory_mib;
  workload.min_compute_slices = spec.min_compute_slices;
  std::string why;
  for (const geometry::GpuModel* model : models) {
    const plan::SizingOutcome outcome = plan::RightSize(*model, workload, nullptr, {});
    if (outcome.choice && outcome.choice->profile) {
      spec.options.push_back({.model = model, .profile = *outcome.choice->profile});
    } else if (why.empty()) {
      why = model->name + ": " + (outcome.choice ? "needs a whole GPU (set \"gpus\")" : outcome.reason);
    }
  }
  if (spec.options.empty()) return Fail("$.memory_mib", "no MIG profile holds it (" + why + ")");
  return ParsedSpec{.spec = std::move(spec), .error = {}};
}

ParsedSpec SizeByProfile(JobSpec spec, const std::vector<const geometry::GpuModel*>& models) {
  for (const geometry::GpuModel* model : models) {
    const std::optional<int> profile = model->FindProfile(spec.profile);
    if (!profile) continue;
    if (model->profiles[static_cast<size_t>(*profile)].compute_slices < spec.min_compute_slices) continue;
    spec.options.push_back({.model = model, .profile = *profile});
  }
  if (spec.options.empty()) {
    std::string known = models.size() == 1 ? models.front()->ProfileNames() : "e.g. 1g.10gb, 3g.40gb";
    return Fail("$.profile", "no GPU model has profile '" + spec.profile + "' (" + known + ")");
  }
  return ParsedSpec{.spec = std::move(spec), .error = {}};
}

}  // namespace

std::string_view JobKindName(sched::JobKind kind) {
  return kind == sched::JobKind::kTraining ? "training" : "inference";
}

ParsedSpec ParseJobSpec(std::string_view body, const geometry::Catalog& catalog) {
  Result<json> parsed_body = io::ParseJson(body, "$");
  if (!parsed_body.has_value()) return Fail(parsed_body.error());
  const json& document = *parsed_body;
  const io::JsonObjectReader r(document, "$");
  if (Status s = r.CheckKeys({"name", "tenant", "priority", "kind", "memory_mib", "profile",
                              "min_compute_slices", "gpus", "model"});
      !s.ok()) {
    return Fail(s);
  }
  JobSpec spec;
  Result<std::string> name = r.String("name");
  if (!name.has_value()) return Fail(name.error());
  if (!ValidName(*name)) {
    return Fail("$.name", "must be 1-253 characters of letters, digits and - _ . / :");
  }
  spec.name = *name;
  if (r.Has("tenant")) {
    Result<std::string> tenant = r.String("tenant");
    if (!tenant.has_value()) return Fail(tenant.error());
    if (!tenant->empty() && !ValidName(*tenant)) {
      return Fail("$.tenant", "must be up to 253 characters of letters, digits and - _ . / :");
    }
    spec.tenant = *tenant;
  }
  if (r.Has("priority")) {
    Result<std::int64_t> priority = r.Integer("priority", -1000000, 1000000);
    if (!priority.has_value()) return Fail(priority.error());
    spec.priority = static_cast<int>(*priority);
  }
  if (r.Has("kind")) {
    Result<std::string> kind = r.String("kind");
    if (!kind.has_value()) return Fail(kind.error());
    if (*kind == "training") {
      spec.kind = sched::JobKind::kTraining;
    } else if (*kind != "inference") {
      return Fail("$.kind", "must be \"inference\" or \"training\"");
    }
  }
  const int sizes = int{r.Has("memory_mib")} + int{r.Has("profile")} + int{r.Has("gpus")};
  if (sizes != 1) return Fail("$", "give exactly one of memory_mib, profile or gpus");
  if (r.Has("min_compute_slices")) {
    Result<std::int64_t> compute = r.Integer("min_compute_slices", 0, 64);
    if (!compute.has_value()) return Fail(compute.error());
    spec.min_compute_slices = static_cast<int>(*compute);
  }
  const geometry::GpuModel* only = nullptr;
  if (r.Has("model")) {
    Result<std::string> model = r.String("model");
    if (!model.has_value()) return Fail(model.error());
    Result<const geometry::GpuModel*> found = catalog.Find(*model);
    if (!found.has_value()) return Fail("$.model", found.error().message());
    only = *found;
    spec.model = only->name;
  }
  if (spec.kind == sched::JobKind::kTraining && !r.Has("gpus")) {
    return Fail("$.gpus", "training runs on whole GPUs: give \"gpus\"");
  }
  // The stored form an idempotent replay is compared with: fixed key order.
  JsonObjectText canonical;
  canonical.String("name", spec.name).String("tenant", spec.tenant).Int("priority", spec.priority);
  canonical.String("kind", JobKindName(spec.kind));
  if (!spec.model.empty()) canonical.String("model", spec.model);
  if (spec.min_compute_slices > 0) canonical.Int("min_compute_slices", spec.min_compute_slices);
  const std::vector<const geometry::GpuModel*> models = AllowedModels(catalog, only);
  ParsedSpec parsed;
  if (r.Has("gpus")) {
    Result<std::int64_t> gpus = r.Integer("gpus", 1, kMaxGang);
    if (!gpus.has_value()) return Fail(gpus.error());
    spec.gpus = static_cast<int>(*gpus);
    canonical.Int("gpus", spec.gpus);
    // Whole GPUs: options only restrict the models (none = any).
    if (only != nullptr && !only->profiles.empty()) spec.options.push_back({.model = only, .profile = 0});
    parsed = ParsedSpec{.spec = std::move(spec), .error = {}};
  } else if (r.Has("memory_mib")) {
    Result<std::int64_t> memory = r.Integer("memory_mib", 1, kMaxMemoryMib);
    if (!memory.has_value()) return Fail(memory.error());
    spec.memory_mib = *memory;
    canonical.Int("memory_mib", spec.memory_mib);
    parsed = SizeByMemory(std::move(spec), models);
  } else {
    Result<std::string> profile = r.String("profile");
    if (!profile.has_value()) return Fail(profile.error());
    spec.profile = *profile;
    canonical.String("profile", spec.profile);
    parsed = SizeByProfile(std::move(spec), models);
  }
  if (parsed.ok()) parsed.spec.canonical_json = canonical.Done();
  return parsed;
}

sched::Request ToRequest(const JobSpec& spec, sched::JobId id) {
  return sched::Request{.id = id,
                        .priority = spec.priority,
                        .tenant = spec.tenant,
                        .kind = spec.kind,
                        .whole_gpus = spec.gpus,
                        .options = spec.options,
                        .pinned = std::nullopt};
}

}  // namespace migsched::daemon
