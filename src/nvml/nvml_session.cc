#include "nvml/nvml_session.h"

#include <algorithm>
#include <map>
#include <utility>

#include "nvml/nvml_library.h"

namespace migsched::nvml {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

std::string GpuContext(unsigned index, std::string_view call) {
  return "GPU " + std::to_string(index) + ": " + std::string(call);
}

// NOT_SUPPORTED and INVALID_ARGUMENT both mean "this device does not have
// that profile" when probing profile enums (older drivers know fewer enums).
bool ProfileAbsent(nvmlReturn_t code) {
  return code == NVML_ERROR_NOT_SUPPORTED || code == NVML_ERROR_INVALID_ARGUMENT;
}

int CatalogProfileIndex(const geometry::GpuModel* model, unsigned profile_id) {
  if (model == nullptr) return -1;
  for (size_t i = 0; i < model->profiles.size(); ++i) {
    if (model->profiles[i].id == static_cast<int>(profile_id)) return static_cast<int>(i);
  }
  return -1;
}

geometry::Placement ToPlacement(unsigned start, unsigned size) {
  return geometry::Placement{static_cast<int>(start), static_cast<int>(size)};
}

// A probed GPU-instance profile: the enum it answered to and its info.
struct DeviceGiProfile {
  int nvml_enum = 0;
  nvmlGpuInstanceProfileInfo_t info{};
};

struct DeviceCiProfile {
  nvmlComputeInstanceProfileInfo_t info{};
};

struct MigDeviceKey {
  unsigned gi = 0;
  unsigned ci = 0;
  friend auto operator<=>(const MigDeviceKey&, const MigDeviceKey&) = default;
};

}  // namespace

NvmlSession::NvmlSession(std::unique_ptr<NvmlLibrary> library, const geometry::Catalog& catalog)
    : library_(std::move(library)), catalog_(catalog) {}

NvmlSession::~NvmlSession() {
  // Nothing useful can be done with a failing shutdown at this point.
  (void)library_->fn().nvmlShutdown();
}

Result<std::unique_ptr<NvmlSession>> NvmlSession::Open(const geometry::Catalog& catalog) {
  return OpenLibrary(LibraryPathFromEnvironment(), catalog);
}

Result<std::unique_ptr<NvmlSession>> NvmlSession::OpenLibrary(const std::string& path,
                                                              const geometry::Catalog& catalog) {
  std::unique_ptr<NvmlLibrary> library;
  MIGSCHED_ASSIGN_OR_RETURN(library, NvmlLibrary::Load(path));
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(library->fn().nvmlInit_v2(), "nvmlInit_v2 (" + path + ")"));
  return std::unique_ptr<NvmlSession>(new NvmlSession(std::move(library), catalog));
}

const std::string& NvmlSession::library_path() const { return library_->path(); }

namespace {

// The helpers below are free functions over the resolved entry points so the
// header stays free of NVML types.

Result<nvmlDevice_t> Handle(const NvmlFunctions& fn, unsigned index) {
  nvmlDevice_t device = nullptr;
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(fn.nvmlDeviceGetHandleByIndex_v2(index, &device),
                                      GpuContext(index, "nvmlDeviceGetHandleByIndex_v2")));
  return device;
}

Result<std::vector<DeviceGiProfile>> ProbeGiProfiles(const NvmlFunctions& fn, nvmlDevice_t device,
                                                     unsigned index) {
  std::vector<DeviceGiProfile> profiles;
  for (int e = 0; e < NVML_GPU_INSTANCE_PROFILE_COUNT; ++e) {
    DeviceGiProfile profile;
    profile.nvml_enum = e;
    const nvmlReturn_t code =
        fn.nvmlDeviceGetGpuInstanceProfileInfo(device, static_cast<unsigned>(e), &profile.info);
    if (ProfileAbsent(code)) continue;
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
        code, GpuContext(index, "nvmlDeviceGetGpuInstanceProfileInfo(" + std::to_string(e) + ")")));
    profiles.push_back(profile);
  }
  return profiles;
}

Result<std::vector<DeviceCiProfile>> ProbeCiProfiles(const NvmlFunctions& fn,
                                                     nvmlGpuInstance_t gpu_instance,
                                                     const std::string& context) {
  std::vector<DeviceCiProfile> profiles;
  for (int e = 0; e < NVML_COMPUTE_INSTANCE_PROFILE_COUNT; ++e) {
    DeviceCiProfile profile;
    const nvmlReturn_t code = fn.nvmlGpuInstanceGetComputeInstanceProfileInfo(
        gpu_instance, static_cast<unsigned>(e), NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED,
        &profile.info);
    if (ProfileAbsent(code)) continue;
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
        code, context + ": nvmlGpuInstanceGetComputeInstanceProfileInfo(" + std::to_string(e) + ")"));
    profiles.push_back(profile);
  }
  return profiles;
}

Result<std::vector<geometry::Placement>> PlacementsById(const NvmlFunctions& fn,
                                                        nvmlDevice_t device, unsigned index,
                                                        unsigned profile_id) {
  const std::string context = GpuContext(
      index, "nvmlDeviceGetGpuInstancePossiblePlacements_v2(" + std::to_string(profile_id) + ")");
  unsigned count = 0;
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
      fn.nvmlDeviceGetGpuInstancePossiblePlacements_v2(device, profile_id, nullptr, &count),
      context));
  std::vector<nvmlGpuInstancePlacement_t> raw(count);
  if (count > 0) {
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
        fn.nvmlDeviceGetGpuInstancePossiblePlacements_v2(device, profile_id, raw.data(), &count),
        context));
    raw.resize(count);
  }
  std::vector<geometry::Placement> placements;
  for (const nvmlGpuInstancePlacement_t& p : raw) placements.push_back(ToPlacement(p.start, p.size));
  std::sort(placements.begin(), placements.end(),
            [](const geometry::Placement& a, const geometry::Placement& b) { return a.start < b.start; });
  return placements;
}

// MIG device UUIDs by (GI id, CI id), read through the MIG device handles.
Result<std::map<MigDeviceKey, nvmlDevice_t>> MigDevices(const NvmlFunctions& fn,
                                                        nvmlDevice_t device, unsigned index) {
  unsigned max_count = 0;
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(fn.nvmlDeviceGetMaxMigDeviceCount(device, &max_count),
                                      GpuContext(index, "nvmlDeviceGetMaxMigDeviceCount")));
  std::map<MigDeviceKey, nvmlDevice_t> devices;
  for (unsigned i = 0; i < max_count; ++i) {
    nvmlDevice_t mig = nullptr;
    const nvmlReturn_t code = fn.nvmlDeviceGetMigDeviceHandleByIndex(device, i, &mig);
    if (code == NVML_ERROR_NOT_FOUND) continue;  // no MIG device at this index
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
        code, GpuContext(index, "nvmlDeviceGetMigDeviceHandleByIndex(" + std::to_string(i) + ")")));
    MigDeviceKey key;
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(fn.nvmlDeviceGetGpuInstanceId(mig, &key.gi),
                                        GpuContext(index, "nvmlDeviceGetGpuInstanceId")));
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(fn.nvmlDeviceGetComputeInstanceId(mig, &key.ci),
                                        GpuContext(index, "nvmlDeviceGetComputeInstanceId")));
    devices[key] = mig;
  }
  return devices;
}

Result<std::string> Uuid(const NvmlFunctions& fn, nvmlDevice_t device, const std::string& context) {
  char buffer[NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlDeviceGetUUID(device, buffer, sizeof buffer), context + ": nvmlDeviceGetUUID"));
  return std::string(buffer);
}

Result<ComputeInstanceInfo> CiInfo(const NvmlFunctions& fn, nvmlComputeInstance_t ci,
                                   const std::string& context) {
  nvmlComputeInstanceInfo_t info{};
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlComputeInstanceGetInfo_v2(ci, &info), context + ": nvmlComputeInstanceGetInfo_v2"));
  return ComputeInstanceInfo{.id = info.id,
                             .profile_id = info.profileId,
                             .placement = ToPlacement(info.placement.start, info.placement.size),
                             .uuid = {}};
}

// Every compute instance of a GPU instance, with handles, ascending by id.
Result<std::vector<std::pair<ComputeInstanceInfo, nvmlComputeInstance_t>>> ComputeInstances(
    const NvmlFunctions& fn, nvmlGpuInstance_t gi, const std::string& context) {
  std::vector<DeviceCiProfile> profiles;
  MIGSCHED_ASSIGN_OR_RETURN(profiles, ProbeCiProfiles(fn, gi, context));
  std::vector<std::pair<ComputeInstanceInfo, nvmlComputeInstance_t>> out;
  for (const DeviceCiProfile& profile : profiles) {
    std::vector<nvmlComputeInstance_t> handles(std::max(profile.info.instanceCount, 1u));
    unsigned count = 0;
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
        fn.nvmlGpuInstanceGetComputeInstances(gi, profile.info.id, handles.data(), &count),
        context + ": nvmlGpuInstanceGetComputeInstances(" + std::to_string(profile.info.id) + ")"));
    for (unsigned i = 0; i < count && i < handles.size(); ++i) {
      ComputeInstanceInfo info;
      MIGSCHED_ASSIGN_OR_RETURN(info, CiInfo(fn, handles[i], context));
      out.emplace_back(std::move(info), handles[i]);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
  return out;
}

Result<nvmlGpuInstance_t> GiById(const NvmlFunctions& fn, nvmlDevice_t device, unsigned index,
                                 unsigned gi_id) {
  nvmlGpuInstance_t gi = nullptr;
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlDeviceGetGpuInstanceById(device, gi_id, &gi),
                 GpuContext(index, "nvmlDeviceGetGpuInstanceById(" + std::to_string(gi_id) + ")")));
  return gi;
}

Result<std::vector<ProcessInfo>> RunningProcesses(const NvmlFunctions& fn, nvmlDevice_t device,
                                                  const std::string& context) {
  std::vector<nvmlProcessInfo_t> raw;
  // The list can grow between the sizing call and the fetch; retry a few times.
  for (int attempt = 0; attempt < 4; ++attempt) {
    unsigned count = static_cast<unsigned>(raw.size());
    const nvmlReturn_t code =
        fn.nvmlDeviceGetComputeRunningProcesses_v3(device, &count, raw.empty() ? nullptr : raw.data());
    if (code == NVML_ERROR_INSUFFICIENT_SIZE) {
      raw.resize(count + 8);
      continue;
    }
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(code, context + ": nvmlDeviceGetComputeRunningProcesses_v3"));
    raw.resize(count);
    std::vector<ProcessInfo> processes;
    for (const nvmlProcessInfo_t& p : raw) {
      processes.push_back(ProcessInfo{.pid = p.pid,
                                      .used_memory_mib = static_cast<int64_t>(p.usedGpuMemory / kMiB),
                                      .gpu_instance_id = p.gpuInstanceId,
                                      .compute_instance_id = p.computeInstanceId});
    }
    return processes;
  }
  return UnavailableError(context + ": the process list kept growing while being read");
}

// A device's handle, what it is and the GPU-instance profiles it offers: what
// both the profile and the instance listings start from.
struct ProbedDevice {
  nvmlDevice_t device = nullptr;
  DeviceInfo info;
  std::vector<DeviceGiProfile> profiles;
};

Result<ProbedDevice> ProbeDevice(const NvmlSession& session, const NvmlFunctions& fn, unsigned index) {
  ProbedDevice probe;
  MIGSCHED_ASSIGN_OR_RETURN(probe.device, Handle(fn, index));
  MIGSCHED_ASSIGN_OR_RETURN(probe.info, session.Device(index));
  MIGSCHED_ASSIGN_OR_RETURN(probe.profiles, ProbeGiProfiles(fn, probe.device, index));
  return probe;
}

}  // namespace

Result<std::string> NvmlSession::DriverVersion() const {
  char buffer[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE] = {};
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(library_->fn().nvmlSystemGetDriverVersion(buffer, sizeof buffer),
                                      "nvmlSystemGetDriverVersion"));
  return std::string(buffer);
}

Result<unsigned> NvmlSession::DeviceCount() const {
  unsigned count = 0;
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(library_->fn().nvmlDeviceGetCount_v2(&count), "nvmlDeviceGetCount_v2"));
  return count;
}

Result<DeviceInfo> NvmlSession::Device(unsigned index) const {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  DeviceInfo info;
  info.index = index;
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE] = {};
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlDeviceGetName(device, name, sizeof name), GpuContext(index, "nvmlDeviceGetName")));
  info.name = name;
  MIGSCHED_ASSIGN_OR_RETURN(info.uuid, Uuid(fn, device, "GPU " + std::to_string(index)));
  nvmlPciInfo_t pci{};
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlDeviceGetPciInfo_v3(device, &pci), GpuContext(index, "nvmlDeviceGetPciInfo_v3")));
  info.pci_bus_id = pci.busId;
  info.pci_device_id = pci.pciDeviceId;
  nvmlMemory_t memory{};
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlDeviceGetMemoryInfo(device, &memory), GpuContext(index, "nvmlDeviceGetMemoryInfo")));
  info.memory_total_mib = static_cast<int64_t>(memory.total / kMiB);
  info.memory_used_mib = static_cast<int64_t>(memory.used / kMiB);
  unsigned current = 0;
  unsigned pending = 0;
  const nvmlReturn_t mig = fn.nvmlDeviceGetMigMode(device, &current, &pending);
  if (mig != NVML_ERROR_NOT_SUPPORTED) {
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(mig, GpuContext(index, "nvmlDeviceGetMigMode")));
    info.mig = MigMode{.current = current == NVML_DEVICE_MIG_ENABLE,
                       .pending = pending == NVML_DEVICE_MIG_ENABLE};
  }
  Result<const geometry::GpuModel*> model = catalog_.Find(geometry::FormatPciDeviceId(info.pci_device_id));
  if (!model.has_value()) model = catalog_.Find(info.name);
  if (model.has_value()) info.model = *model;
  return info;
}

Result<const geometry::GpuModel*> NvmlSession::Model(unsigned index) const {
  DeviceInfo device;
  MIGSCHED_ASSIGN_OR_RETURN(device, Device(index));
  if (device.model == nullptr) {
    return NotFoundError("GPU " + std::to_string(index) + " (" + device.name + ", PCI id " +
                         geometry::FormatPciDeviceId(device.pci_device_id) +
                         ") is not in the GPU catalog; known: " + catalog_.ModelNames());
  }
  return device.model;
}

Result<MigMode> NvmlSession::SetMigMode(unsigned index, bool enabled) {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  nvmlReturn_t activation = NVML_SUCCESS;
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
      fn.nvmlDeviceSetMigMode(device, enabled ? NVML_DEVICE_MIG_ENABLE : NVML_DEVICE_MIG_DISABLE,
                              &activation),
      GpuContext(index, enabled ? "nvmlDeviceSetMigMode(enable)" : "nvmlDeviceSetMigMode(disable)")));
  unsigned current = 0;
  unsigned pending = 0;
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(fn.nvmlDeviceGetMigMode(device, &current, &pending),
                                      GpuContext(index, "nvmlDeviceGetMigMode")));
  return MigMode{.current = current == NVML_DEVICE_MIG_ENABLE,
                 .pending = pending == NVML_DEVICE_MIG_ENABLE};
}

Result<std::vector<GiProfileInfo>> NvmlSession::GiProfiles(unsigned index) const {
  const NvmlFunctions& fn = library_->fn();
  ProbedDevice probe;
  MIGSCHED_ASSIGN_OR_RETURN(probe, ProbeDevice(*this, fn, index));
  const nvmlDevice_t device = probe.device;
  const DeviceInfo& info = probe.info;
  const std::vector<DeviceGiProfile>& probed = probe.profiles;
  std::vector<GiProfileInfo> profiles;
  for (const DeviceGiProfile& p : probed) {
    GiProfileInfo out{.profile = CatalogProfileIndex(info.model, p.info.id),
                      .nvml_enum = p.nvml_enum,
                      .id = p.info.id,
                      .slice_count = p.info.sliceCount,
                      .instance_count = p.info.instanceCount,
                      .remaining_count = 0,
                      .multiprocessor_count = p.info.multiprocessorCount,
                      .memory_mib = static_cast<int64_t>(p.info.memorySizeMB),
                      .placements = {}};
    // With MIG mode off the driver still describes the profiles (nvidia-smi mig
    // -lgip does too), but nothing can be created until the mode is on.
    if (info.mig && info.mig->current) {
      MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
          fn.nvmlDeviceGetGpuInstanceRemainingCapacity(device, p.info.id, &out.remaining_count),
          GpuContext(index, "nvmlDeviceGetGpuInstanceRemainingCapacity(" + std::to_string(p.info.id) + ")")));
    }
    MIGSCHED_ASSIGN_OR_RETURN(out.placements, PlacementsById(fn, device, index, p.info.id));
    profiles.push_back(std::move(out));
  }
  return profiles;
}

Result<std::vector<geometry::Placement>> NvmlSession::PossiblePlacements(
    unsigned index, const geometry::GiProfile& profile) const {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  return PlacementsById(fn, device, index, static_cast<unsigned>(profile.id));
}

Result<std::vector<GpuInstanceInfo>> NvmlSession::GpuInstances(unsigned index) const {
  const NvmlFunctions& fn = library_->fn();
  ProbedDevice probe;
  MIGSCHED_ASSIGN_OR_RETURN(probe, ProbeDevice(*this, fn, index));
  const nvmlDevice_t device = probe.device;
  const DeviceInfo& info = probe.info;
  const std::vector<DeviceGiProfile>& probed = probe.profiles;
  std::map<MigDeviceKey, nvmlDevice_t> mig_devices;
  MIGSCHED_ASSIGN_OR_RETURN(mig_devices, MigDevices(fn, device, index));

  std::vector<GpuInstanceInfo> instances;
  for (const DeviceGiProfile& p : probed) {
    std::vector<nvmlGpuInstance_t> handles(std::max(p.info.instanceCount, 1u));
    unsigned count = 0;
    MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
        fn.nvmlDeviceGetGpuInstances(device, p.info.id, handles.data(), &count),
        GpuContext(index, "nvmlDeviceGetGpuInstances(" + std::to_string(p.info.id) + ")")));
    for (unsigned i = 0; i < count && i < handles.size(); ++i) {
      nvmlGpuInstanceInfo_t raw{};
      MIGSCHED_RETURN_IF_ERROR(
          NvmlStatus(fn.nvmlGpuInstanceGetInfo(handles[i], &raw), GpuContext(index, "nvmlGpuInstanceGetInfo")));
      GpuInstanceInfo gi{.id = raw.id,
                         .profile_id = raw.profileId,
                         .profile = CatalogProfileIndex(info.model, raw.profileId),
                         .placement = ToPlacement(raw.placement.start, raw.placement.size),
                         .compute_instances = {}};
      const std::string context = GpuContext(index, "GPU instance " + std::to_string(raw.id));
      std::vector<std::pair<ComputeInstanceInfo, nvmlComputeInstance_t>> cis;
      MIGSCHED_ASSIGN_OR_RETURN(cis, ComputeInstances(fn, handles[i], context));
      for (auto& [ci, handle] : cis) {
        const auto mig = mig_devices.find(MigDeviceKey{gi.id, ci.id});
        if (mig != mig_devices.end()) {
          MIGSCHED_ASSIGN_OR_RETURN(ci.uuid, Uuid(fn, mig->second, context));
        }
        gi.compute_instances.push_back(std::move(ci));
      }
      instances.push_back(std::move(gi));
    }
  }
  std::sort(instances.begin(), instances.end(), [](const GpuInstanceInfo& a, const GpuInstanceInfo& b) {
    return a.placement.start < b.placement.start;
  });
  return instances;
}

Result<GpuInstanceInfo> NvmlSession::CreateGpuInstance(unsigned index, const geometry::GiProfile& profile,
                                                       int start) {
  const NvmlFunctions& fn = library_->fn();
  const geometry::GpuModel* model = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(model, Model(index));
  const std::string label = profile.name + "@" + std::to_string(start);
  const int catalog_index = CatalogProfileIndex(model, static_cast<unsigned>(profile.id));
  if (catalog_index < 0 || model->profiles[static_cast<size_t>(catalog_index)].name != profile.name) {
    return InvalidArgumentError("GPU " + std::to_string(index) + " (" + model->name +
                                ") has no profile '" + profile.name + "'; it has " +
                                model->ProfileNames());
  }
  if (start < 0) return InvalidArgumentError(GpuContext(index, label) + ": negative start");
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  // The catalog's profile id must be what the driver reports for this enum.
  nvmlGpuInstanceProfileInfo_t info{};
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
      fn.nvmlDeviceGetGpuInstanceProfileInfo(device, static_cast<unsigned>(profile.nvml_enum), &info),
      GpuContext(index, "nvmlDeviceGetGpuInstanceProfileInfo(" + profile.name + ")")));
  if (info.id != static_cast<unsigned>(profile.id)) {
    return FailedPreconditionError(GpuContext(index, profile.name) + ": the catalog says profile id " +
                                   std::to_string(profile.id) + ", the driver reports " +
                                   std::to_string(info.id) + "; fix the catalog entry for " + model->name);
  }
  const nvmlGpuInstancePlacement_t placement{static_cast<unsigned>(start),
                                             static_cast<unsigned>(profile.memory_slices)};
  nvmlGpuInstance_t gi = nullptr;
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlDeviceCreateGpuInstanceWithPlacement(device, info.id, &placement, &gi),
                 GpuContext(index, "nvmlDeviceCreateGpuInstanceWithPlacement(" + label + ")")));
  nvmlGpuInstanceInfo_t raw{};
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlGpuInstanceGetInfo(gi, &raw), GpuContext(index, "nvmlGpuInstanceGetInfo")));
  return GpuInstanceInfo{.id = raw.id,
                         .profile_id = raw.profileId,
                         .profile = CatalogProfileIndex(model, raw.profileId),
                         .placement = ToPlacement(raw.placement.start, raw.placement.size),
                         .compute_instances = {}};
}

Status NvmlSession::DestroyGpuInstance(unsigned index, unsigned gi_id) {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  nvmlGpuInstance_t gi = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gi, GiById(fn, device, index, gi_id));
  return NvmlStatus(fn.nvmlGpuInstanceDestroy(gi),
                    GpuContext(index, "nvmlGpuInstanceDestroy(GPU instance " + std::to_string(gi_id) + ")"));
}

Result<ComputeInstanceInfo> NvmlSession::CreateComputeInstance(unsigned index, unsigned gi_id,
                                                               const geometry::CiProfile& profile) {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  nvmlGpuInstance_t gi = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gi, GiById(fn, device, index, gi_id));
  const std::string context = GpuContext(index, "GPU instance " + std::to_string(gi_id));
  nvmlComputeInstanceProfileInfo_t info{};
  MIGSCHED_RETURN_IF_ERROR(NvmlStatus(
      fn.nvmlGpuInstanceGetComputeInstanceProfileInfo(gi, static_cast<unsigned>(profile.id),
                                                      NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, &info),
      context + ": nvmlGpuInstanceGetComputeInstanceProfileInfo(" + std::to_string(profile.id) + ")"));
  nvmlComputeInstance_t ci = nullptr;
  MIGSCHED_RETURN_IF_ERROR(
      NvmlStatus(fn.nvmlGpuInstanceCreateComputeInstance(gi, info.id, &ci),
                 context + ": nvmlGpuInstanceCreateComputeInstance(" + std::to_string(info.id) + ")"));
  ComputeInstanceInfo created;
  MIGSCHED_ASSIGN_OR_RETURN(created, CiInfo(fn, ci, context));
  std::map<MigDeviceKey, nvmlDevice_t> mig_devices;
  MIGSCHED_ASSIGN_OR_RETURN(mig_devices, MigDevices(fn, device, index));
  const auto mig = mig_devices.find(MigDeviceKey{gi_id, created.id});
  if (mig != mig_devices.end()) {
    MIGSCHED_ASSIGN_OR_RETURN(created.uuid, Uuid(fn, mig->second, context));
  }
  return created;
}

Status NvmlSession::DestroyComputeInstance(unsigned index, unsigned gi_id, unsigned ci_id) {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  nvmlGpuInstance_t gi = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gi, GiById(fn, device, index, gi_id));
  const std::string context = GpuContext(index, "GPU instance " + std::to_string(gi_id));
  std::vector<std::pair<ComputeInstanceInfo, nvmlComputeInstance_t>> cis;
  MIGSCHED_ASSIGN_OR_RETURN(cis, ComputeInstances(fn, gi, context));
  for (const auto& [ci, handle] : cis) {
    if (ci.id == ci_id) {
      return NvmlStatus(fn.nvmlComputeInstanceDestroy(handle),
                        context + ": nvmlComputeInstanceDestroy(compute instance " + std::to_string(ci_id) + ")");
    }
  }
  return NotFoundError(context + " has no compute instance " + std::to_string(ci_id));
}

Result<std::vector<ProcessInfo>> NvmlSession::Processes(unsigned index, unsigned gi_id) const {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  // A GPU instance without compute instances has no MIG device and so no
  // processes, but it must exist.
  const Result<nvmlGpuInstance_t> gi = GiById(fn, device, index, gi_id);
  if (!gi.has_value()) return gi.error();
  std::map<MigDeviceKey, nvmlDevice_t> mig_devices;
  MIGSCHED_ASSIGN_OR_RETURN(mig_devices, MigDevices(fn, device, index));
  std::vector<ProcessInfo> processes;
  for (const auto& [key, mig] : mig_devices) {
    if (key.gi != gi_id) continue;
    std::vector<ProcessInfo> found;
    MIGSCHED_ASSIGN_OR_RETURN(
        found, RunningProcesses(fn, mig, GpuContext(index, "MIG device " + std::to_string(key.gi) + "/" +
                                                               std::to_string(key.ci))));
    for (ProcessInfo& p : found) {
      // Drivers report the ids of the MIG device queried; fill them if not.
      p.gpu_instance_id = key.gi;
      p.compute_instance_id = key.ci;
      processes.push_back(p);
    }
  }
  return processes;
}

Result<std::vector<ProcessInfo>> NvmlSession::GpuProcesses(unsigned index) const {
  const NvmlFunctions& fn = library_->fn();
  nvmlDevice_t device = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(device, Handle(fn, index));
  return RunningProcesses(fn, device, GpuContext(index, "the whole GPU"));
}

}  // namespace migsched::nvml
