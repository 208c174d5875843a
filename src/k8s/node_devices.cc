#include "k8s/node_devices.h"

#include <map>

#include "engines/k8s_resources.h"

namespace migsched::k8s {
namespace {

using nlohmann::json;

// Who holds an instance or whole GPU: nobody (idle), a Kubernetes
// reservation, a pod (an external hold), or another tenant's job (then it is
// not offered).
enum class Holder { kNone, kReservation, kPod, kOther };

Holder HolderOf(const json& job, const KubernetesJobs& jobs) {
  if (job.is_null()) return Holder::kNone;
  const std::uint64_t id = job.get<std::uint64_t>();
  if (jobs.reservations.contains(id)) return Holder::kReservation;
  return jobs.pod_holds.contains(id) ? Holder::kPod : Holder::kOther;
}

Status AddGpu(const json& gpu, const std::string& node, const geometry::Catalog& catalog,
              const KubernetesJobs& jobs, std::map<std::string, ResourceDevices>& out) {
  const int index = gpu.at("index").get<int>();
  const std::string where = "node " + node + " GPU " + std::to_string(index);
  const Result<const geometry::GpuModel*> model = catalog.Find(gpu.at("model").get<std::string>());
  if (!model.has_value()) return model.error().WithPrefix(where);
  const int spare = gpu.at("idle_slices").get<int>() + gpu.at("free_slices").get<int>();
  if (!gpu.at("mig_enabled").get<bool>()) {
    ResourceDevices& whole = out[std::string(engines::kWholeGpuResource)];
    whole.resource = engines::kWholeGpuResource;
    const json uuid = gpu.value("uuid", json(nullptr));
    const Holder holder = HolderOf(gpu.value("whole_gpu_job", json(nullptr)), jobs);
    if (!uuid.is_null() && holder != Holder::kOther) {
      whole.devices.push_back({.id = uuid.get<std::string>(), .gpu = index, .start = 0,
                               .reserved = holder == Holder::kReservation, .gpu_spare_slices = spare});
    }
    return Status::Ok();
  }
  for (const geometry::GiProfile& profile : (*model)->profiles) {
    const std::string name = engines::MigResourceName(profile.name);
    out[name].resource = name;
  }
  for (const json& instance : gpu.at("instances")) {
    const std::string profile = instance.at("profile").get<std::string>();
    if (!(*model)->FindProfile(profile).has_value()) {
      return NotFoundError(where + ": " + (*model)->name + " has no profile '" + profile + "'");
    }
    const json uuid = instance.value("mig_uuid", json(nullptr));
    const Holder holder = HolderOf(instance.at("job"), jobs);
    if (!instance.at("exists").get<bool>() || uuid.is_null() || holder == Holder::kOther) continue;
    out[engines::MigResourceName(profile)].devices.push_back(
        {.id = uuid.get<std::string>(), .gpu = index, .start = instance.at("start").get<int>(),
         .reserved = holder == Holder::kReservation, .gpu_spare_slices = spare});
  }
  return Status::Ok();
}

}  // namespace

Result<std::set<std::uint64_t>> TenantJobIds(const json& jobs, std::string_view tenant) {
  std::set<std::uint64_t> ids;
  try {
    for (const json& job : jobs.at("jobs")) {
      if (job.at("tenant").get<std::string>() == tenant) ids.insert(job.at("id").get<std::uint64_t>());
    }
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("server jobs document: ") + e.what());
  }
  return ids;
}

Result<NodeDevices> NodeDevicesFromFleet(const json& fleet, std::string_view node, const geometry::Catalog& catalog,
                                         const KubernetesJobs& jobs) {
  std::map<std::string, ResourceDevices> by_name;
  bool found = false;
  try {
    for (const json& n : fleet.at("nodes")) {
      const std::string name = n.at("name").get<std::string>();
      if (name != node) continue;
      found = true;
      for (const json& gpu : n.at("gpus")) {
        if (Status s = AddGpu(gpu, name, catalog, jobs, by_name); !s.ok()) return s;
      }
    }
  } catch (const json::exception& e) {
    return InvalidArgumentError(std::string("server fleet document: ") + e.what());
  }
  if (!found) return NotFoundError("the server has no node '" + std::string(node) + "' (its agent has not reported)");
  NodeDevices out;
  for (auto& [name, resource] : by_name) out.push_back(std::move(resource));
  return out;
}

}  // namespace migsched::k8s
