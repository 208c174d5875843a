// The fake NVML's state file: the simulated GPUs, their GPU and compute
// instances, fake running processes, and scripted failures and crashes.
//
// One JSON file (named by MIGSCHED_FAKE_NVML_STATE) is the whole machine, so
// separate processes (the CLI, tests, a killed and restarted agent) see the
// same GPUs. The fake library reads it on every NVML call and rewrites it
// atomically after every change. Format: docs/fake-nvml.md. Shared by the fake
// library and `migsched fake-nvml init`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/catalog.h"
#include "nvml/nvml_api.h"

namespace migsched::nvml::fake {

inline constexpr const char* kStateEnv = "MIGSCHED_FAKE_NVML_STATE";
// Marks a process that runs on the whole GPU, outside any MIG instance.
inline constexpr unsigned kNoInstance = 0xFFFFFFFFu;

struct FakeComputeInstance {
  unsigned id = 0;
  unsigned profile_id = 0;  // CI profile id (= catalog CiProfile::id)
  int start = 0;            // compute slices within the GPU instance
  int size = 0;
  uint64_t serial = 0;      // unique per state file; makes stale handles detectable
  std::string uuid;         // "MIG-..."
};

struct FakeGpuInstance {
  unsigned id = 0;
  unsigned profile_id = 0;  // GI profile id (= catalog GiProfile::id)
  int start = 0;            // memory slices
  uint64_t serial = 0;
  std::vector<FakeComputeInstance> compute_instances;
};

struct FakeProcess {
  unsigned pid = 0;
  unsigned gpu_instance = kNoInstance;
  unsigned compute_instance = kNoInstance;
  int64_t used_memory_mib = 0;
};

struct FakeGpu {
  std::string model;  // catalog short name
  std::string uuid;
  std::string pci_bus_id;  // "00000000:07:00.0"
  bool mig_enabled = true;
  bool mig_pending = true;
  std::vector<FakeGpuInstance> gpu_instances;
  std::vector<FakeProcess> processes;
};

// "Fail the nth call of `call` from now with `error`", once.
struct FailureInjection {
  std::string call;  // exported symbol name, e.g. "nvmlDeviceCreateGpuInstanceWithPlacement"
  int nth = 1;       // counts down on every call of `call`; fires when it reaches 0
  nvmlReturn_t error = NVML_ERROR_UNKNOWN;
};

struct FakeState {
  std::string driver_version = "580.00.00-fake";
  std::vector<FakeGpu> gpus;
  std::vector<FailureInjection> failures;
  // SIGKILL the calling process right after this many further successful
  // mutating calls have been persisted; cleared when it fires.
  std::optional<int> kill_after_mutations;
  int64_t mutations = 0;    // successful mutating calls so far
  uint64_t next_serial = 1;
};

// Parses and checks the JSON text: types, required keys, unknown keys, error
// names, and that every model is in `catalog`. Errors name `source` and the
// item ("state.json: gpus[1].gpu_instances[0]: unknown key 'strat'"). Layout
// rules are checked by the fake library when it loads the state.
Result<FakeState> ParseFakeState(std::string_view text, const std::string& source,
                                 const geometry::Catalog& catalog);
std::string SerializeFakeState(const FakeState& state);

// NotFound when the file cannot be read.
Result<FakeState> ReadFakeState(const std::string& path, const geometry::Catalog& catalog);
// Writes a temporary file beside `path`, fsyncs it, renames it over `path`
// and fsyncs the directory: readers see the old or the new state, never half.
Status WriteFakeStateAtomically(const FakeState& state, const std::string& path);

// A new machine: `gpus` as (model name, count) in order, MIG mode on, no
// instances. Models are found in the catalog by any of their names; NotFound
// lists the known ones. UUIDs and PCI bus ids are deterministic.
Result<FakeState> NewFakeState(const geometry::Catalog& catalog,
                               const std::vector<std::pair<std::string, int>>& gpus);

// "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" / "MIG-..." from a seed string.
std::string FakeUuid(std::string_view prefix, std::string_view seed);

}  // namespace migsched::nvml::fake
