// NvmlSession: MIG state of this machine's GPUs through NVML, in catalog terms.
//
// Opening a session loads NVML at run time (nvml_library.h: the library named
// by MIGSCHED_NVML_LIBRARY, else libnvidia-ml.so.1), calls nvmlInit_v2 and,
// when the session ends, nvmlShutdown. Every method returns a value or a
// Status whose message names the GPU, the NVML call and NVML's error, e.g.
//   "GPU 0: nvmlDeviceCreateGpuInstanceWithPlacement(3g.20gb@4):
//    NVML_ERROR_INSUFFICIENT_RESOURCES (...)".
// NVML errors map to codes as NvmlStatus (nvml_library.h) documents:
// IN_USE -> kFailedPrecondition, INSUFFICIENT_RESOURCES -> kResourceExhausted,
// INVALID_ARGUMENT -> kInvalidArgument, NOT_FOUND -> kNotFound, a missing
// library or driver -> kUnavailable.
//
// Devices are addressed by NVML index; GPU instances by their NVML GI id on
// that device, compute instances by (GI id, CI id). Profiles are the catalog's:
// a device is matched to its geometry::GpuModel by PCI device id, then by
// product name, and profiles by their NVML profile id (GiProfile::id).
// Mutating calls (SetMigMode, Create*, Destroy*) act only when called; nothing
// here changes a GPU on its own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "geometry/catalog.h"
#include "geometry/gpu_model.h"
#include "geometry/layout.h"

namespace migsched::nvml {

class NvmlLibrary;

struct MigMode {
  bool current = false;
  bool pending = false;  // differs from current until the GPU is reset (Ampere)
  friend bool operator==(const MigMode&, const MigMode&) = default;
};

struct DeviceInfo {
  unsigned index = 0;
  std::string name;            // product name, e.g. "NVIDIA A100-SXM4-40GB"
  std::string uuid;            // "GPU-..."
  std::string pci_bus_id;      // "00000000:07:00.0"
  uint32_t pci_device_id = 0;  // 0xDDDDVVVV, as mig-parted device filters write it
  int64_t memory_total_mib = 0;
  int64_t memory_used_mib = 0;
  std::optional<MigMode> mig;  // empty when the GPU does not support MIG
  // The catalog model (by PCI id, then name); nullptr when the catalog does not
  // know this GPU.
  const geometry::GpuModel* model = nullptr;
};

// One GPU-instance profile as the device reports it (nvidia-smi mig -lgip/-lgipp).
struct GiProfileInfo {
  int profile = -1;    // index into model->profiles; -1 if the catalog lacks it
  int nvml_enum = 0;   // NVML_GPU_INSTANCE_PROFILE_* value it was queried with
  unsigned id = 0;     // NVML profile id (GiProfile::id)
  unsigned slice_count = 0;
  unsigned instance_count = 0;   // maximum instances
  unsigned remaining_count = 0;  // how many more could be created now (0 while MIG mode is off)
  unsigned multiprocessor_count = 0;
  int64_t memory_mib = 0;
  std::vector<geometry::Placement> placements;  // possible placements, ascending
};

struct ComputeInstanceInfo {
  unsigned id = 0;          // CI id within its GPU instance
  unsigned profile_id = 0;  // NVML CI profile id (= catalog CiProfile::id)
  geometry::Placement placement;  // in compute slices within the GPU instance
  std::string uuid;         // the MIG device UUID ("MIG-..."); empty if NVML lists none
};

struct GpuInstanceInfo {
  unsigned id = 0;          // GI id on its device
  unsigned profile_id = 0;  // NVML profile id (= catalog GiProfile::id)
  int profile = -1;         // index into model->profiles; -1 if the catalog lacks it
  geometry::Placement placement;  // in memory slices
  std::vector<ComputeInstanceInfo> compute_instances;  // ascending CI id

  // The layout entry for geometry::CheckLayout and the agent's diff.
  geometry::GpuInstance AsLayoutEntry() const { return geometry::GpuInstance{profile, placement}; }
};

struct ProcessInfo {
  unsigned pid = 0;
  int64_t used_memory_mib = 0;
  unsigned gpu_instance_id = 0;
  unsigned compute_instance_id = 0;
};

class NvmlSession {
 public:
  // Loads NVML (MIGSCHED_NVML_LIBRARY, else libnvidia-ml.so.1) and initialises
  // it. kUnavailable with "NVML not found: ... no NVIDIA driver on this
  // machine?" when the library is absent; kUnavailable naming the symbol when
  // the library lacks one; NVML's error when nvmlInit_v2 fails. The catalog
  // must outlive the session.
  static Result<std::unique_ptr<NvmlSession>> Open(const geometry::Catalog& catalog);
  // Same, with an explicit library path (ignores the environment).
  static Result<std::unique_ptr<NvmlSession>> OpenLibrary(const std::string& path,
                                                          const geometry::Catalog& catalog);

  ~NvmlSession();  // nvmlShutdown, then unloads the library
  NvmlSession(const NvmlSession&) = delete;
  NvmlSession& operator=(const NvmlSession&) = delete;

  // The path the library was loaded from, as given to dlopen.
  const std::string& library_path() const;

  Result<std::string> DriverVersion() const;
  Result<unsigned> DeviceCount() const;
  Result<DeviceInfo> Device(unsigned index) const;

  // The catalog model of GPU `index`; kNotFound naming the GPU's product name
  // and PCI id when the catalog does not know it.
  Result<const geometry::GpuModel*> Model(unsigned index) const;

  // Requests MIG mode on or off. Returns the mode afterwards: `pending` holds
  // the request; `current` changes at once or after a GPU reset. IN_USE
  // (kFailedPrecondition) while GPU instances exist or processes run.
  Result<MigMode> SetMigMode(unsigned index, bool enabled);

  // Every GPU-instance profile the device supports, with its possible
  // placements and remaining capacity, in NVML enum order. Requires MIG mode.
  Result<std::vector<GiProfileInfo>> GiProfiles(unsigned index) const;

  // nvmlDeviceGetGpuInstancePossiblePlacements_v2 for a catalog profile.
  Result<std::vector<geometry::Placement>> PossiblePlacements(
      unsigned index, const geometry::GiProfile& profile) const;

  // Every GPU instance on the device with its compute instances, ascending by
  // placement start.
  Result<std::vector<GpuInstanceInfo>> GpuInstances(unsigned index) const;

  // Creates a GPU instance of `profile` at memory slice `start`.
  // kInvalidArgument for a start the profile does not allow; kResourceExhausted
  // when it overlaps, exceeds counts or media-engine exclusivity.
  Result<GpuInstanceInfo> CreateGpuInstance(unsigned index, const geometry::GiProfile& profile,
                                            int start);

  // kNotFound if no such GI; kFailedPrecondition (IN_USE) while it has compute
  // instances or processes.
  Status DestroyGpuInstance(unsigned index, unsigned gi_id);

  // Creates a compute instance of `profile` (a CiProfile of the GI's profile)
  // inside GPU instance `gi_id`.
  Result<ComputeInstanceInfo> CreateComputeInstance(unsigned index, unsigned gi_id,
                                                    const geometry::CiProfile& profile);

  // kFailedPrecondition (IN_USE) while a process runs on it.
  Status DestroyComputeInstance(unsigned index, unsigned gi_id, unsigned ci_id);

  // Processes running on GPU instance `gi_id` (on any of its compute
  // instances), read through the MIG device handles.
  Result<std::vector<ProcessInfo>> Processes(unsigned index, unsigned gi_id) const;

  // Processes running on GPU `index` as a whole (with MIG disabled, every
  // process on it), read through the GPU's own handle.
  Result<std::vector<ProcessInfo>> GpuProcesses(unsigned index) const;

 private:
  NvmlSession(std::unique_ptr<NvmlLibrary> library, const geometry::Catalog& catalog);

  std::unique_ptr<NvmlLibrary> library_;
  const geometry::Catalog& catalog_;
};

}  // namespace migsched::nvml
