// The fake NVML library's exported C entry points (libmigsched-fake-nvml.so).
//
// Each call takes the library lock, re-reads the state file (so separate
// processes see one machine), applies scripted failures, runs the call against
// FakeMachine, and after a successful mutating call writes the state back
// atomically (and, when asked, kills the process right after). Handles are
// small objects owned by this library and keyed by GPU index and instance
// serial number, so a handle to a destroyed instance is detected
// (NVML_ERROR_INVALID_ARGUMENT) rather than silently reused.
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "io/catalog_loader.h"
#include "nvml/fake/fake_machine.h"
#include "nvml/fake/fake_state.h"
#include "nvml/nvml_api.h"
#include "nvml/nvml_return_codes.h"

struct nvmlDevice_st {
  unsigned gpu = 0;
  bool mig = false;        // a MIG device (one compute instance)
  uint64_t ci_serial = 0;  // its compute instance, when mig
};
struct nvmlGpuInstance_st {
  unsigned gpu = 0;
  uint64_t serial = 0;
};
struct nvmlComputeInstance_st {
  unsigned gpu = 0;
  uint64_t gi_serial = 0;
  uint64_t serial = 0;
};

namespace {

using migsched::Result;
using migsched::Status;
using migsched::geometry::Catalog;
using migsched::nvml::fake::FakeComputeInstance;
using migsched::nvml::fake::FakeGpu;
using migsched::nvml::fake::FakeGpuInstance;
using migsched::nvml::fake::FakeMachine;
using migsched::nvml::fake::FakeProcess;
using migsched::nvml::fake::FakeState;

void Complain(const std::string& message) {
  std::fprintf(stderr, "migsched fake NVML: %s\n", message.c_str());
}

const Catalog* LoadedCatalog() {
  static const Result<Catalog> catalog = migsched::io::BuiltinCatalog();
  if (!catalog.has_value()) {
    Complain("cannot load the built-in GPU catalog: " + catalog.error().message());
    return nullptr;
  }
  return &*catalog;
}

// Handles live as long as the library; they are few (one per GPU, instance
// and MIG device ever seen) and looked up by key.
class Handles {
 public:
  nvmlDevice_t Device(unsigned gpu) { return Intern(devices_, {gpu, false, 0}, {gpu, 0}); }
  nvmlDevice_t MigDevice(unsigned gpu, uint64_t ci_serial) {
    return Intern(devices_, {gpu, true, ci_serial}, {gpu, ci_serial + 1});
  }
  nvmlGpuInstance_t Gi(unsigned gpu, uint64_t serial) { return Intern(gis_, {gpu, serial}, {gpu, serial}); }
  nvmlComputeInstance_t Ci(unsigned gpu, uint64_t gi_serial, uint64_t serial) {
    return Intern(cis_, {gpu, gi_serial, serial}, {gpu, serial});
  }
  bool Known(const void* handle) const { return known_.contains(handle); }

 private:
  using Key = std::pair<unsigned, uint64_t>;
  template <typename T>
  T* Intern(std::map<Key, std::unique_ptr<T>>& table, T value, Key key) {
    std::unique_ptr<T>& slot = table[key];
    if (!slot) {
      slot = std::make_unique<T>(value);
      known_.insert(slot.get());
    }
    return slot.get();
  }

  std::map<Key, std::unique_ptr<nvmlDevice_st>> devices_;
  std::map<Key, std::unique_ptr<nvmlGpuInstance_st>> gis_;
  std::map<Key, std::unique_ptr<nvmlComputeInstance_st>> cis_;
  std::set<const void*> known_;
};

// Identifies one version of the state file: every write renames a new file
// into place, so a changed file has a new inode (and mtime).
struct FileVersion {
  ino_t inode = 0;
  int64_t mtime_ns = 0;
  off_t size = 0;
  friend bool operator==(const FileVersion&, const FileVersion&) = default;
};

std::optional<FileVersion> VersionOf(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return std::nullopt;
  return FileVersion{info.st_ino, int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec,
                     info.st_size};
}

struct Library {
  std::mutex mutex;
  int init_count = 0;
  std::string state_path;
  std::optional<FakeMachine> machine;       // the state as of `loaded_version`
  std::optional<FileVersion> loaded_version;  // empty: reload on the next call
  Handles handles;
};

Library& Lib() {
  static Library library;
  return library;
}

// Re-reads the state file unless it is the version already loaded, so other
// processes' changes are seen on the next call without parsing on every call.
nvmlReturn_t LoadState(Library& lib) {
  const std::optional<FileVersion> version = VersionOf(lib.state_path);
  if (version && lib.machine && version == lib.loaded_version) return NVML_SUCCESS;
  lib.loaded_version.reset();
  const Catalog* catalog = LoadedCatalog();
  if (catalog == nullptr) return NVML_ERROR_UNKNOWN;
  Result<FakeState> state = migsched::nvml::fake::ReadFakeState(lib.state_path, *catalog);
  if (!state.has_value()) {
    Complain(state.error().message());
    return NVML_ERROR_UNKNOWN;
  }
  Result<FakeMachine> machine = FakeMachine::Create(*catalog, std::move(state).value());
  if (!machine.has_value()) {
    Complain(lib.state_path + ": " + machine.error().message());
    return NVML_ERROR_UNKNOWN;
  }
  lib.machine.emplace(std::move(machine).value());
  lib.loaded_version = version;
  return NVML_SUCCESS;
}

nvmlReturn_t SaveState(Library& lib) {
  const Status saved =
      migsched::nvml::fake::WriteFakeStateAtomically(lib.machine->state(), lib.state_path);
  if (!saved.ok()) {
    Complain(saved.message());
    lib.loaded_version.reset();  // memory and file differ now: reload next time
    return NVML_ERROR_UNKNOWN;
  }
  lib.loaded_version = VersionOf(lib.state_path);
  return NVML_SUCCESS;
}

// Counts down the scripted failures for `call`; the one reaching zero fires
// (and is removed). The countdown is persisted so it spans processes.
std::optional<nvmlReturn_t> TakeInjectedFailure(Library& lib, const char* call) {
  auto& failures = lib.machine->mutable_state().failures;
  bool matched = false;
  std::optional<nvmlReturn_t> fired;
  for (auto it = failures.begin(); it != failures.end();) {
    if (it->call != call) {
      ++it;
      continue;
    }
    matched = true;
    if (--it->nth == 0 && !fired) {
      fired = it->error;
      it = failures.erase(it);
    } else {
      ++it;
    }
  }
  if (matched && SaveState(lib) != NVML_SUCCESS) return NVML_ERROR_UNKNOWN;
  return fired;
}

enum class Kind { kQuery, kMutation };

// Runs one NVML call against the freshly loaded state.
template <typename Body>
nvmlReturn_t Call(const char* name, Kind kind, Body&& body) {
  Library& lib = Lib();
  std::lock_guard<std::mutex> lock(lib.mutex);
  if (lib.init_count == 0) return NVML_ERROR_UNINITIALIZED;
  if (const nvmlReturn_t loaded = LoadState(lib); loaded != NVML_SUCCESS) return loaded;
  if (const std::optional<nvmlReturn_t> injected = TakeInjectedFailure(lib, name)) return *injected;
  const nvmlReturn_t result = body(lib, *lib.machine);
  if (kind == Kind::kMutation && result == NVML_SUCCESS) {
    FakeState& state = lib.machine->mutable_state();
    ++state.mutations;
    bool kill = false;
    if (state.kill_after_mutations && --*state.kill_after_mutations == 0) {
      state.kill_after_mutations.reset();
      kill = true;
    }
    if (const nvmlReturn_t saved = SaveState(lib); saved != NVML_SUCCESS) return saved;
    if (kill) std::raise(SIGKILL);  // a crash right after the change reached the "hardware"
  }
  return result;
}

// A parent (non-MIG) device handle's GPU index, if the handle is valid.
std::optional<unsigned> ParentGpu(const Library& lib, const FakeMachine& machine, nvmlDevice_t device) {
  if (device == nullptr || !lib.handles.Known(device) || device->mig) return std::nullopt;
  if (device->gpu >= machine.state().gpus.size()) return std::nullopt;
  return device->gpu;
}

struct MigDeviceRef {
  unsigned gpu = 0;
  const FakeGpuInstance* gi = nullptr;
  const FakeComputeInstance* ci = nullptr;
};

std::optional<MigDeviceRef> MigDevice(const Library& lib, const FakeMachine& machine, nvmlDevice_t device) {
  if (device == nullptr || !lib.handles.Known(device) || !device->mig) return std::nullopt;
  if (device->gpu >= machine.state().gpus.size()) return std::nullopt;
  for (const FakeGpuInstance& gi : machine.state().gpus[device->gpu].gpu_instances) {
    for (const FakeComputeInstance& ci : gi.compute_instances) {
      if (ci.serial == device->ci_serial) return MigDeviceRef{device->gpu, &gi, &ci};
    }
  }
  return std::nullopt;  // the compute instance was destroyed
}

FakeGpuInstance* ResolveGi(const Library& lib, FakeMachine& machine, nvmlGpuInstance_t handle) {
  if (handle == nullptr || !lib.handles.Known(handle)) return nullptr;
  if (handle->gpu >= machine.state().gpus.size()) return nullptr;
  for (FakeGpuInstance& gi : machine.mutable_state().gpus[handle->gpu].gpu_instances) {
    if (gi.serial == handle->serial) return &gi;
  }
  return nullptr;
}

struct CiRef {
  FakeGpuInstance* gi = nullptr;
  FakeComputeInstance* ci = nullptr;
};

std::optional<CiRef> ResolveCi(const Library& lib, FakeMachine& machine, nvmlComputeInstance_t handle) {
  if (handle == nullptr || !lib.handles.Known(handle)) return std::nullopt;
  if (handle->gpu >= machine.state().gpus.size()) return std::nullopt;
  for (FakeGpuInstance& gi : machine.mutable_state().gpus[handle->gpu].gpu_instances) {
    if (gi.serial != handle->gi_serial) continue;
    for (FakeComputeInstance& ci : gi.compute_instances) {
      if (ci.serial == handle->serial) return CiRef{&gi, &ci};
    }
  }
  return std::nullopt;
}

nvmlReturn_t CopyString(const std::string& text, char* buffer, unsigned length) {
  if (buffer == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  if (text.size() + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  std::memcpy(buffer, text.c_str(), text.size() + 1);
  return NVML_SUCCESS;
}

constexpr unsigned long long kMiB = 1024ull * 1024ull;

// Compute instances of a GPU in MIG-device order: by GI id, then CI id.
std::vector<std::pair<const FakeGpuInstance*, const FakeComputeInstance*>> MigDevicesOf(const FakeGpu& gpu) {
  std::vector<std::pair<const FakeGpuInstance*, const FakeComputeInstance*>> out;
  for (const FakeGpuInstance& gi : gpu.gpu_instances) {
    for (const FakeComputeInstance& ci : gi.compute_instances) out.emplace_back(&gi, &ci);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first->id, a.second->id) < std::tie(b.first->id, b.second->id);
  });
  return out;
}

}  // namespace

extern "C" {

nvmlReturn_t nvmlInit_v2(void) {
  Library& lib = Lib();
  std::lock_guard<std::mutex> lock(lib.mutex);
  const char* path = std::getenv(migsched::nvml::fake::kStateEnv);
  if (path == nullptr || *path == '\0') {
    Complain(std::string(migsched::nvml::fake::kStateEnv) +
             " is not set: point it at a state file made by `migsched fake-nvml init`");
    return NVML_ERROR_DRIVER_NOT_LOADED;
  }
  lib.state_path = path;
  if (const nvmlReturn_t loaded = LoadState(lib); loaded != NVML_SUCCESS) return loaded;
  if (const std::optional<nvmlReturn_t> injected = TakeInjectedFailure(lib, "nvmlInit_v2")) return *injected;
  ++lib.init_count;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  // Needs no state file: shutting down always works once initialised.
  Library& lib = Lib();
  std::lock_guard<std::mutex> lock(lib.mutex);
  if (lib.init_count == 0) return NVML_ERROR_UNINITIALIZED;
  --lib.init_count;
  return NVML_SUCCESS;
}

const char* nvmlErrorString(nvmlReturn_t result) {
  // The names are string literals, so the view is NUL-terminated.
  return migsched::nvml::ReturnCodeName(result).data();
}

nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  return Call("nvmlSystemGetDriverVersion", Kind::kQuery, [&](Library&, FakeMachine& m) {
    return CopyString(m.state().driver_version, version, length);
  });
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* deviceCount) {
  return Call("nvmlDeviceGetCount_v2", Kind::kQuery, [&](Library&, FakeMachine& m) {
    if (deviceCount == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *deviceCount = static_cast<unsigned>(m.state().gpus.size());
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  return Call("nvmlDeviceGetHandleByIndex_v2", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (device == nullptr || index >= m.state().gpus.size()) return NVML_ERROR_INVALID_ARGUMENT;
    *device = lib.handles.Device(index);
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  return Call("nvmlDeviceGetName", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (const std::optional<unsigned> gpu = ParentGpu(lib, m, device)) {
      return CopyString(m.Model(*gpu).product_names.empty() ? m.Model(*gpu).name
                                                            : m.Model(*gpu).product_names.front(),
                        name, length);
    }
    if (const std::optional<MigDeviceRef> mig = MigDevice(lib, m, device)) {
      const auto& model = m.Model(mig->gpu);
      const std::string parent = model.product_names.empty() ? model.name : model.product_names.front();
      return CopyString(parent + " MIG " + m.GiProfile(mig->gpu, *mig->gi).name, name, length);
    }
    return NVML_ERROR_INVALID_ARGUMENT;
  });
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
  return Call("nvmlDeviceGetUUID", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (const std::optional<unsigned> gpu = ParentGpu(lib, m, device)) {
      return CopyString(m.state().gpus[*gpu].uuid, uuid, length);
    }
    if (const std::optional<MigDeviceRef> mig = MigDevice(lib, m, device)) {
      return CopyString(mig->ci->uuid, uuid, length);
    }
    return NVML_ERROR_INVALID_ARGUMENT;
  });
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t* pci) {
  return Call("nvmlDeviceGetPciInfo_v3", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || pci == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *pci = nvmlPciInfo_t{};
    const FakeGpu& fake = m.state().gpus[*gpu];
    std::snprintf(pci->busId, sizeof pci->busId, "%s", fake.pci_bus_id.c_str());
    std::snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%s", fake.pci_bus_id.substr(4).c_str());
    unsigned domain = 0, bus = 0, dev = 0;
    if (std::sscanf(fake.pci_bus_id.c_str(), "%x:%x:%x", &domain, &bus, &dev) == 3) {
      pci->domain = domain;
      pci->bus = bus;
      pci->device = dev;
    }
    const auto& ids = m.Model(*gpu).pci_device_ids;
    pci->pciDeviceId = ids.empty() ? 0u : ids.front();
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  return Call("nvmlDeviceGetMemoryInfo", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (memory == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned long long total = 0;
    unsigned long long used = 0;
    if (const std::optional<unsigned> gpu = ParentGpu(lib, m, device)) {
      total = static_cast<unsigned long long>(m.Model(*gpu).memory_mib) * kMiB;
      for (const FakeProcess& p : m.state().gpus[*gpu].processes) {
        used += static_cast<unsigned long long>(p.used_memory_mib) * kMiB;
      }
    } else if (const std::optional<MigDeviceRef> mig = MigDevice(lib, m, device)) {
      total = static_cast<unsigned long long>(m.GiProfile(mig->gpu, *mig->gi).memory_mib) * kMiB;
      for (const FakeProcess& p : m.state().gpus[mig->gpu].processes) {
        if (p.gpu_instance == mig->gi->id) used += static_cast<unsigned long long>(p.used_memory_mib) * kMiB;
      }
    } else {
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    used = std::min(used, total);
    *memory = nvmlMemory_t{total, total - used, used};
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int* currentMode, unsigned int* pendingMode) {
  return Call("nvmlDeviceGetMigMode", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || currentMode == nullptr || pendingMode == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const FakeGpu& fake = m.state().gpus[*gpu];
    *currentMode = fake.mig_enabled ? NVML_DEVICE_MIG_ENABLE : NVML_DEVICE_MIG_DISABLE;
    *pendingMode = fake.mig_pending ? NVML_DEVICE_MIG_ENABLE : NVML_DEVICE_MIG_DISABLE;
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceSetMigMode(nvmlDevice_t device, unsigned int mode, nvmlReturn_t* activationStatus) {
  return Call("nvmlDeviceSetMigMode", Kind::kMutation, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || activationStatus == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const nvmlReturn_t result = m.SetMigMode(*gpu, mode);
    *activationStatus = result;
    return result;
  });
}

nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(nvmlDevice_t device, unsigned int profile,
                                                 nvmlGpuInstanceProfileInfo_t* info) {
  return Call("nvmlDeviceGetGpuInstanceProfileInfo", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || info == nullptr || profile >= NVML_GPU_INSTANCE_PROFILE_COUNT) return NVML_ERROR_INVALID_ARGUMENT;
    const migsched::geometry::GiProfile* p = m.ProfileByEnum(*gpu, profile);
    if (p == nullptr) return NVML_ERROR_NOT_SUPPORTED;
    auto count = [](const std::optional<int>& v) { return static_cast<unsigned>(v.value_or(0)); };
    *info = nvmlGpuInstanceProfileInfo_t{
        .id = static_cast<unsigned>(p->id),
        .isP2pSupported = 0,
        .sliceCount = static_cast<unsigned>(p->compute_slices),
        .instanceCount = static_cast<unsigned>(p->max_count),
        .multiprocessorCount = count(p->sm_count),
        .copyEngineCount = count(p->copy_engines),
        .decoderCount = count(p->media.dec),
        .encoderCount = count(p->media.enc),
        .jpegCount = count(p->media.jpg),
        .ofaCount = count(p->media.ofa),
        .memorySizeMB = static_cast<unsigned long long>(p->memory_mib)};
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetGpuInstancePossiblePlacements_v2(nvmlDevice_t device, unsigned int profileId,
                                                           nvmlGpuInstancePlacement_t* placements,
                                                           unsigned int* count) {
  return Call("nvmlDeviceGetGpuInstancePossiblePlacements_v2", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || count == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const migsched::geometry::GiProfile* p = m.ProfileById(*gpu, profileId);
    if (p == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const auto needed = static_cast<unsigned>(p->starts.size());
    if (placements == nullptr) {
      *count = needed;
      return NVML_SUCCESS;
    }
    if (*count < needed) {
      *count = needed;
      return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned i = 0; i < needed; ++i) {
      placements[i] = nvmlGpuInstancePlacement_t{static_cast<unsigned>(p->starts[i]),
                                                 static_cast<unsigned>(p->memory_slices)};
    }
    *count = needed;
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetGpuInstanceRemainingCapacity(nvmlDevice_t device, unsigned int profileId,
                                                       unsigned int* count) {
  return Call("nvmlDeviceGetGpuInstanceRemainingCapacity", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || count == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (!m.state().gpus[*gpu].mig_enabled) return NVML_ERROR_NOT_SUPPORTED;
    const migsched::geometry::GiProfile* p = m.ProfileById(*gpu, profileId);
    if (p == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *count = m.RemainingCapacity(*gpu, *p);
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceCreateGpuInstanceWithPlacement(nvmlDevice_t device, unsigned int profileId,
                                                      const nvmlGpuInstancePlacement_t* placement,
                                                      nvmlGpuInstance_t* gpuInstance) {
  return Call("nvmlDeviceCreateGpuInstanceWithPlacement", Kind::kMutation, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || placement == nullptr || gpuInstance == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const migsched::nvml::fake::Created created =
        m.CreateGpuInstance(*gpu, profileId, placement->start, placement->size);
    if (created.code != NVML_SUCCESS) return created.code;
    *gpuInstance = lib.handles.Gi(*gpu, m.FindGi(*gpu, created.id)->serial);
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetGpuInstances(nvmlDevice_t device, unsigned int profileId,
                                       nvmlGpuInstance_t* gpuInstances, unsigned int* count) {
  return Call("nvmlDeviceGetGpuInstances", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || gpuInstances == nullptr || count == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (!m.state().gpus[*gpu].mig_enabled) return NVML_ERROR_NOT_SUPPORTED;
    if (m.ProfileById(*gpu, profileId) == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned n = 0;
    for (const FakeGpuInstance& gi : m.state().gpus[*gpu].gpu_instances) {
      if (gi.profile_id == profileId) gpuInstances[n++] = lib.handles.Gi(*gpu, gi.serial);
    }
    *count = n;
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetGpuInstanceById(nvmlDevice_t device, unsigned int id, nvmlGpuInstance_t* gpuInstance) {
  return Call("nvmlDeviceGetGpuInstanceById", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || gpuInstance == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (!m.state().gpus[*gpu].mig_enabled) return NVML_ERROR_NOT_SUPPORTED;
    const FakeGpuInstance* gi = m.FindGi(*gpu, id);
    if (gi == nullptr) return NVML_ERROR_NOT_FOUND;
    *gpuInstance = lib.handles.Gi(*gpu, gi->serial);
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlGpuInstanceGetInfo(nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t* info) {
  return Call("nvmlGpuInstanceGetInfo", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const FakeGpuInstance* gi = ResolveGi(lib, m, gpuInstance);
    if (gi == nullptr || info == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const unsigned gpu = gpuInstance->gpu;
    *info = nvmlGpuInstanceInfo_t{
        .device = lib.handles.Device(gpu),
        .id = gi->id,
        .profileId = gi->profile_id,
        .placement = {static_cast<unsigned>(gi->start),
                      static_cast<unsigned>(m.GiProfile(gpu, *gi).memory_slices)}};
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlGpuInstanceDestroy(nvmlGpuInstance_t gpuInstance) {
  return Call("nvmlGpuInstanceDestroy", Kind::kMutation, [&](Library& lib, FakeMachine& m) {
    const FakeGpuInstance* gi = ResolveGi(lib, m, gpuInstance);
    if (gi == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    return m.DestroyGpuInstance(gpuInstance->gpu, gi->id);
  });
}

nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfo(nvmlGpuInstance_t gpuInstance, unsigned int profile,
                                                          unsigned int engProfile,
                                                          nvmlComputeInstanceProfileInfo_t* info) {
  return Call("nvmlGpuInstanceGetComputeInstanceProfileInfo", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const FakeGpuInstance* gi = ResolveGi(lib, m, gpuInstance);
    if (gi == nullptr || info == nullptr || profile >= NVML_COMPUTE_INSTANCE_PROFILE_COUNT) {
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (engProfile != NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED) return NVML_ERROR_NOT_SUPPORTED;
    const migsched::geometry::GiProfile& gi_profile = m.GiProfile(gpuInstance->gpu, *gi);
    const migsched::geometry::CiProfile* ci = m.CiProfileById(gpuInstance->gpu, *gi, profile);
    if (ci == nullptr) return NVML_ERROR_NOT_SUPPORTED;
    auto count = [](const std::optional<int>& v) { return static_cast<unsigned>(v.value_or(0)); };
    const unsigned sms = count(gi_profile.sm_count) * static_cast<unsigned>(ci->compute_slices) /
                         static_cast<unsigned>(gi_profile.compute_slices);
    *info = nvmlComputeInstanceProfileInfo_t{
        .id = static_cast<unsigned>(ci->id),
        .sliceCount = static_cast<unsigned>(ci->compute_slices),
        .instanceCount = static_cast<unsigned>(ci->max_count),
        .multiprocessorCount = sms,
        .sharedCopyEngineCount = count(gi_profile.copy_engines),
        .sharedDecoderCount = count(gi_profile.media.dec),
        .sharedEncoderCount = count(gi_profile.media.enc),
        .sharedJpegCount = count(gi_profile.media.jpg),
        .sharedOfaCount = count(gi_profile.media.ofa)};
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlGpuInstanceCreateComputeInstance(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                                  nvmlComputeInstance_t* computeInstance) {
  return Call("nvmlGpuInstanceCreateComputeInstance", Kind::kMutation, [&](Library& lib, FakeMachine& m) {
    const FakeGpuInstance* gi = ResolveGi(lib, m, gpuInstance);
    if (gi == nullptr || computeInstance == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const unsigned gpu = gpuInstance->gpu;
    const unsigned gi_id = gi->id;
    const migsched::nvml::fake::Created created = m.CreateComputeInstance(gpu, gi_id, profileId);
    if (created.code != NVML_SUCCESS) return created.code;
    const FakeGpuInstance* updated = m.FindGi(gpu, gi_id);
    for (const FakeComputeInstance& ci : updated->compute_instances) {
      if (ci.id == created.id) *computeInstance = lib.handles.Ci(gpu, updated->serial, ci.serial);
    }
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlGpuInstanceGetComputeInstances(nvmlGpuInstance_t gpuInstance, unsigned int profileId,
                                                nvmlComputeInstance_t* computeInstances, unsigned int* count) {
  return Call("nvmlGpuInstanceGetComputeInstances", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const FakeGpuInstance* gi = ResolveGi(lib, m, gpuInstance);
    if (gi == nullptr || computeInstances == nullptr || count == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (m.CiProfileById(gpuInstance->gpu, *gi, profileId) == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned n = 0;
    for (const FakeComputeInstance& ci : gi->compute_instances) {
      if (ci.profile_id == profileId) computeInstances[n++] = lib.handles.Ci(gpuInstance->gpu, gi->serial, ci.serial);
    }
    *count = n;
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlComputeInstanceGetInfo_v2(nvmlComputeInstance_t computeInstance, nvmlComputeInstanceInfo_t* info) {
  return Call("nvmlComputeInstanceGetInfo_v2", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<CiRef> ref = ResolveCi(lib, m, computeInstance);
    if (!ref || info == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *info = nvmlComputeInstanceInfo_t{
        .device = lib.handles.Device(computeInstance->gpu),
        .gpuInstance = lib.handles.Gi(computeInstance->gpu, ref->gi->serial),
        .id = ref->ci->id,
        .profileId = ref->ci->profile_id,
        .placement = {static_cast<unsigned>(ref->ci->start), static_cast<unsigned>(ref->ci->size)}};
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlComputeInstanceDestroy(nvmlComputeInstance_t computeInstance) {
  return Call("nvmlComputeInstanceDestroy", Kind::kMutation, [&](Library& lib, FakeMachine& m) {
    const std::optional<CiRef> ref = ResolveCi(lib, m, computeInstance);
    if (!ref) return NVML_ERROR_INVALID_ARGUMENT;
    return m.DestroyComputeInstance(computeInstance->gpu, ref->gi->id, ref->ci->id);
  });
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int* count) {
  return Call("nvmlDeviceGetMaxMigDeviceCount", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || count == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    // One MIG device per compute instance; at most one per compute slice.
    *count = static_cast<unsigned>(m.Model(*gpu).compute_slices);
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t* migDevice) {
  return Call("nvmlDeviceGetMigDeviceHandleByIndex", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    const std::optional<unsigned> gpu = ParentGpu(lib, m, device);
    if (!gpu || migDevice == nullptr || index >= static_cast<unsigned>(m.Model(*gpu).compute_slices)) {
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (!m.state().gpus[*gpu].mig_enabled) return NVML_ERROR_NOT_SUPPORTED;
    const auto devices = MigDevicesOf(m.state().gpus[*gpu]);
    if (index >= devices.size()) return NVML_ERROR_NOT_FOUND;
    *migDevice = lib.handles.MigDevice(*gpu, devices[index].second->serial);
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int* id) {
  return Call("nvmlDeviceGetGpuInstanceId", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (id == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (ParentGpu(lib, m, device)) return NVML_ERROR_NOT_SUPPORTED;  // not a MIG device
    const std::optional<MigDeviceRef> mig = MigDevice(lib, m, device);
    if (!mig) return NVML_ERROR_INVALID_ARGUMENT;
    *id = mig->gi->id;
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int* id) {
  return Call("nvmlDeviceGetComputeInstanceId", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (id == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (ParentGpu(lib, m, device)) return NVML_ERROR_NOT_SUPPORTED;
    const std::optional<MigDeviceRef> mig = MigDevice(lib, m, device);
    if (!mig) return NVML_ERROR_INVALID_ARGUMENT;
    *id = mig->ci->id;
    return NVML_SUCCESS;
  });
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int* infoCount,
                                                     nvmlProcessInfo_t* infos) {
  return Call("nvmlDeviceGetComputeRunningProcesses_v3", Kind::kQuery, [&](Library& lib, FakeMachine& m) {
    if (infoCount == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    std::vector<FakeProcess> found;
    if (const std::optional<unsigned> gpu = ParentGpu(lib, m, device)) {
      found = m.state().gpus[*gpu].processes;
    } else if (const std::optional<MigDeviceRef> mig = MigDevice(lib, m, device)) {
      for (const FakeProcess& p : m.state().gpus[mig->gpu].processes) {
        if (p.gpu_instance == mig->gi->id && p.compute_instance == mig->ci->id) found.push_back(p);
      }
    } else {
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    const auto needed = static_cast<unsigned>(found.size());
    if (needed == 0) {
      *infoCount = 0;
      return NVML_SUCCESS;
    }
    if (infos == nullptr || *infoCount < needed) {
      *infoCount = needed;
      return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned i = 0; i < needed; ++i) {
      infos[i] = nvmlProcessInfo_t{.pid = found[i].pid,
                                   .usedGpuMemory = static_cast<unsigned long long>(found[i].used_memory_mib) * kMiB,
                                   .gpuInstanceId = found[i].gpu_instance,
                                   .computeInstanceId = found[i].compute_instance};
    }
    *infoCount = needed;
    return NVML_SUCCESS;
  });
}

}  // extern "C"
