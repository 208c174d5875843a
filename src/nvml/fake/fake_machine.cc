#include "nvml/fake/fake_machine.h"

#include <algorithm>
#include <bit>
#include <set>
#include <vector>

#include "geometry/gpu_state.h"
#include "geometry/layout.h"

namespace migsched::nvml::fake {
namespace {

std::string GpuLabel(unsigned gpu) { return "gpus[" + std::to_string(gpu) + "]"; }

// CIs start at multiples of their size rounded up to a power of two (1c
// anywhere, 2c at 0/2/4, 3c and 4c at 0/4), as nvidia-smi mig -lcipp shows.
int CiAlignment(int size) { return static_cast<int>(std::bit_ceil(static_cast<unsigned>(size))); }

bool RangesOverlap(int a_start, int a_size, int b_start, int b_size) {
  return a_start < b_start + b_size && b_start < a_start + a_size;
}

}  // namespace

Result<FakeMachine> FakeMachine::Create(const geometry::Catalog& catalog, FakeState state) {
  for (const FakeGpu& gpu : state.gpus) {
    if (!catalog.Find(gpu.model).has_value()) {
      return InvalidArgumentError("unknown GPU model '" + gpu.model + "'");
    }
  }
  FakeMachine machine(catalog, std::move(state));
  MIGSCHED_RETURN_IF_ERROR(machine.Validate());
  return machine;
}

const geometry::GpuModel& FakeMachine::Model(unsigned gpu) const {
  return **catalog_->Find(state_.gpus[gpu].model);
}

const geometry::GiProfile* FakeMachine::ProfileById(unsigned gpu, unsigned profile_id) const {
  for (const geometry::GiProfile& p : Model(gpu).profiles) {
    if (static_cast<unsigned>(p.id) == profile_id) return &p;
  }
  return nullptr;
}

const geometry::GiProfile* FakeMachine::ProfileByEnum(unsigned gpu, unsigned nvml_enum) const {
  for (const geometry::GiProfile& p : Model(gpu).profiles) {
    if (static_cast<unsigned>(p.nvml_enum) == nvml_enum) return &p;
  }
  return nullptr;
}

FakeGpuInstance* FakeMachine::FindGi(unsigned gpu, unsigned gi_id) {
  for (FakeGpuInstance& gi : state_.gpus[gpu].gpu_instances) {
    if (gi.id == gi_id) return &gi;
  }
  return nullptr;
}

const FakeGpuInstance* FakeMachine::FindGi(unsigned gpu, unsigned gi_id) const {
  for (const FakeGpuInstance& gi : state_.gpus[gpu].gpu_instances) {
    if (gi.id == gi_id) return &gi;
  }
  return nullptr;
}

const geometry::GiProfile& FakeMachine::GiProfile(unsigned gpu, const FakeGpuInstance& gi) const {
  return *ProfileById(gpu, gi.profile_id);
}

const geometry::CiProfile* FakeMachine::CiProfileById(unsigned gpu, const FakeGpuInstance& gi,
                                                      unsigned ci_profile_id) const {
  for (const geometry::CiProfile& ci : GiProfile(gpu, gi).compute_instances) {
    if (static_cast<unsigned>(ci.id) == ci_profile_id) return &ci;
  }
  return nullptr;
}

namespace {

// The geometry layout of a fake GPU (profiles as indices into the model).
std::vector<geometry::GpuInstance> LayoutOf(const geometry::GpuModel& model, const FakeGpu& gpu) {
  std::vector<geometry::GpuInstance> layout;
  for (const FakeGpuInstance& gi : gpu.gpu_instances) {
    for (size_t p = 0; p < model.profiles.size(); ++p) {
      if (static_cast<unsigned>(model.profiles[p].id) == gi.profile_id) {
        layout.push_back(geometry::GpuInstance{static_cast<int>(p), model.profiles[p].PlacementAt(gi.start)});
      }
    }
  }
  return layout;
}

geometry::GpuState StateOf(const geometry::GpuModel& model, const FakeGpu& gpu) {
  geometry::GpuState state;
  for (const geometry::GpuInstance& i : LayoutOf(model, gpu)) {
    state = geometry::AfterPlace(model.profiles[static_cast<size_t>(i.profile)], state, i.placement.start);
  }
  return state;
}

int CountOfProfile(const FakeGpu& gpu, unsigned profile_id) {
  return static_cast<int>(std::count_if(gpu.gpu_instances.begin(), gpu.gpu_instances.end(),
                                        [&](const FakeGpuInstance& gi) { return gi.profile_id == profile_id; }));
}

}  // namespace

Status FakeMachine::Validate() const {
  for (unsigned g = 0; g < state_.gpus.size(); ++g) {
    const FakeGpu& gpu = state_.gpus[g];
    const geometry::GpuModel& model = Model(g);
    if (!gpu.mig_enabled && !gpu.gpu_instances.empty()) {
      return InvalidArgumentError(GpuLabel(g) + ": GPU instances while MIG mode is off");
    }
    std::set<unsigned> gi_ids;
    for (size_t i = 0; i < gpu.gpu_instances.size(); ++i) {
      const FakeGpuInstance& gi = gpu.gpu_instances[i];
      const std::string where = GpuLabel(g) + ".gpu_instances[" + std::to_string(i) + "]";
      const geometry::GiProfile* profile = ProfileById(g, gi.profile_id);
      if (profile == nullptr) {
        return InvalidArgumentError(where + ": " + model.name + " has no profile id " +
                                    std::to_string(gi.profile_id));
      }
      if (!gi_ids.insert(gi.id).second) {
        return InvalidArgumentError(where + ": duplicate GPU instance id " + std::to_string(gi.id));
      }
      if (CountOfProfile(gpu, gi.profile_id) > profile->max_count) {
        return InvalidArgumentError(where + ": more " + profile->name + " instances than " +
                                    std::to_string(profile->max_count));
      }
      std::set<unsigned> ci_ids;
      int compute_used = 0;
      for (size_t c = 0; c < gi.compute_instances.size(); ++c) {
        const FakeComputeInstance& ci = gi.compute_instances[c];
        const std::string ci_where = where + ".compute_instances[" + std::to_string(c) + "]";
        const geometry::CiProfile* ci_profile = CiProfileById(g, gi, ci.profile_id);
        if (ci_profile == nullptr) {
          return InvalidArgumentError(ci_where + ": " + profile->name + " offers no CI profile id " +
                                      std::to_string(ci.profile_id));
        }
        if (ci.size != ci_profile->compute_slices || ci.start % CiAlignment(ci.size) != 0 ||
            ci.start + ci.size > profile->compute_slices) {
          return InvalidArgumentError(ci_where + ": placement " + std::to_string(ci.start) + ":" +
                                      std::to_string(ci.size) + " is not valid in a " + profile->name);
        }
        for (size_t d = 0; d < c; ++d) {
          const FakeComputeInstance& other = gi.compute_instances[d];
          if (RangesOverlap(ci.start, ci.size, other.start, other.size)) {
            return InvalidArgumentError(ci_where + ": overlaps compute instance " + std::to_string(other.id));
          }
        }
        const auto same_profile =
            std::count_if(gi.compute_instances.begin(), gi.compute_instances.end(),
                          [&](const FakeComputeInstance& other) { return other.profile_id == ci.profile_id; });
        if (same_profile > ci_profile->max_count) {
          return InvalidArgumentError(ci_where + ": more than " + std::to_string(ci_profile->max_count) +
                                      " compute instances of profile " + std::to_string(ci.profile_id));
        }
        if (!ci_ids.insert(ci.id).second) {
          return InvalidArgumentError(ci_where + ": duplicate compute instance id " + std::to_string(ci.id));
        }
        compute_used += ci.size;
      }
      if (compute_used > profile->compute_slices) {
        return InvalidArgumentError(where + ": compute instances use more than " +
                                    std::to_string(profile->compute_slices) + " compute slices");
      }
    }
    const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, LayoutOf(model, gpu));
    if (!verdict.valid) {
      return InvalidArgumentError(GpuLabel(g) + ": invalid " + model.name + " layout: " + verdict.reason);
    }
    for (size_t p = 0; p < gpu.processes.size(); ++p) {
      const FakeProcess& process = gpu.processes[p];
      if (process.gpu_instance == kNoInstance) {
        if (gpu.mig_enabled) {
          return InvalidArgumentError(GpuLabel(g) + ".processes[" + std::to_string(p) +
                                      "]: a whole-GPU process on a GPU in MIG mode");
        }
        continue;
      }
      const FakeGpuInstance* gi = FindGi(g, process.gpu_instance);
      const bool ci_exists =
          gi != nullptr && std::any_of(gi->compute_instances.begin(), gi->compute_instances.end(),
                                       [&](const FakeComputeInstance& ci) { return ci.id == process.compute_instance; });
      if (!ci_exists) {
        return InvalidArgumentError(GpuLabel(g) + ".processes[" + std::to_string(p) + "]: no compute instance " +
                                    std::to_string(process.gpu_instance) + "/" +
                                    std::to_string(process.compute_instance) + " to run on");
      }
    }
  }
  return Status::Ok();
}

bool FakeMachine::HasProcessesOn(unsigned gpu, unsigned gi_id, std::optional<unsigned> ci_id) const {
  return std::any_of(state_.gpus[gpu].processes.begin(), state_.gpus[gpu].processes.end(),
                     [&](const FakeProcess& p) {
                       return p.gpu_instance == gi_id && (!ci_id || p.compute_instance == *ci_id);
                     });
}

unsigned FakeMachine::RemainingCapacity(unsigned gpu, const geometry::GiProfile& profile) const {
  const geometry::GpuModel& model = Model(gpu);
  const FakeGpu& fake_gpu = state_.gpus[gpu];
  geometry::GpuState state = StateOf(model, fake_gpu);
  int count = CountOfProfile(fake_gpu, static_cast<unsigned>(profile.id));
  unsigned remaining = 0;
  for (int start : profile.starts) {
    if (count >= profile.max_count) break;
    if (geometry::CheckPlace(model, profile, state, start) == geometry::PlaceCheck::kFits) {
      state = geometry::AfterPlace(profile, state, start);
      ++count;
      ++remaining;
    }
  }
  return remaining;
}

nvmlReturn_t FakeMachine::SetMigMode(unsigned gpu, unsigned mode) {
  if (mode != NVML_DEVICE_MIG_DISABLE && mode != NVML_DEVICE_MIG_ENABLE) return NVML_ERROR_INVALID_ARGUMENT;
  FakeGpu& fake_gpu = state_.gpus[gpu];
  if (!fake_gpu.gpu_instances.empty() || !fake_gpu.processes.empty()) return NVML_ERROR_IN_USE;
  // No client holds the GPU, so the driver resets it and the mode applies at once.
  fake_gpu.mig_enabled = mode == NVML_DEVICE_MIG_ENABLE;
  fake_gpu.mig_pending = fake_gpu.mig_enabled;
  return NVML_SUCCESS;
}

Created FakeMachine::CreateGpuInstance(unsigned gpu, unsigned profile_id, unsigned start, unsigned size) {
  FakeGpu& fake_gpu = state_.gpus[gpu];
  if (!fake_gpu.mig_enabled) return {NVML_ERROR_NOT_SUPPORTED};
  const geometry::GiProfile* profile = ProfileById(gpu, profile_id);
  if (profile == nullptr) return {NVML_ERROR_INVALID_ARGUMENT};
  if (size != static_cast<unsigned>(profile->memory_slices) ||
      start > static_cast<unsigned>(geometry::kMaxMemorySlices) ||
      !profile->AllowsStart(static_cast<int>(start))) {
    return {NVML_ERROR_INVALID_ARGUMENT};
  }
  const geometry::GpuModel& model = Model(gpu);
  const int first = static_cast<int>(start);
  if (CountOfProfile(fake_gpu, profile_id) >= profile->max_count ||
      geometry::CheckPlace(model, *profile, StateOf(model, fake_gpu), first) != geometry::PlaceCheck::kFits) {
    return {NVML_ERROR_INSUFFICIENT_RESOURCES};
  }
  // Ids like the driver's on power-of-two GPUs: the node of the placement in
  // the binary tree of memory slices (7g = 0, halves 1-2, quarters 3-6,
  // eighths 7-14); otherwise the lowest free id.
  std::set<unsigned> used;
  for (const FakeGpuInstance& gi : fake_gpu.gpu_instances) used.insert(gi.id);
  const auto slices = static_cast<unsigned>(model.memory_slices);
  unsigned id = 0;
  if (std::has_single_bit(slices) && std::has_single_bit(size) && start % size == 0 &&
      !used.contains(slices / size - 1 + start / size)) {
    id = slices / size - 1 + start / size;
  } else {
    while (used.contains(id)) ++id;
  }
  fake_gpu.gpu_instances.push_back(FakeGpuInstance{
      .id = id, .profile_id = profile_id, .start = first, .serial = state_.next_serial++, .compute_instances = {}});
  return {NVML_SUCCESS, id};
}

nvmlReturn_t FakeMachine::DestroyGpuInstance(unsigned gpu, unsigned gi_id) {
  const FakeGpuInstance* gi = FindGi(gpu, gi_id);
  if (gi == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  if (!gi->compute_instances.empty() || HasProcessesOn(gpu, gi_id, std::nullopt)) return NVML_ERROR_IN_USE;
  std::erase_if(state_.gpus[gpu].gpu_instances, [&](const FakeGpuInstance& g) { return g.id == gi_id; });
  return NVML_SUCCESS;
}

Created FakeMachine::CreateComputeInstance(unsigned gpu, unsigned gi_id, unsigned ci_profile_id) {
  FakeGpuInstance* gi = FindGi(gpu, gi_id);
  if (gi == nullptr) return {NVML_ERROR_INVALID_ARGUMENT};
  const geometry::CiProfile* profile = CiProfileById(gpu, *gi, ci_profile_id);
  if (profile == nullptr) return {NVML_ERROR_INVALID_ARGUMENT};
  const int gi_slices = GiProfile(gpu, *gi).compute_slices;
  const auto same_profile = std::count_if(gi->compute_instances.begin(), gi->compute_instances.end(),
                                          [&](const FakeComputeInstance& ci) { return ci.profile_id == ci_profile_id; });
  if (same_profile >= profile->max_count) return {NVML_ERROR_INSUFFICIENT_RESOURCES};
  const int size = profile->compute_slices;
  for (int start = 0; start + size <= gi_slices; start += CiAlignment(size)) {
    const bool taken = std::any_of(gi->compute_instances.begin(), gi->compute_instances.end(),
                                   [&](const FakeComputeInstance& ci) { return RangesOverlap(start, size, ci.start, ci.size); });
    if (taken) continue;
    std::set<unsigned> used;
    for (const FakeComputeInstance& ci : gi->compute_instances) used.insert(ci.id);
    unsigned id = 0;
    while (used.contains(id)) ++id;
    const uint64_t serial = state_.next_serial++;
    gi->compute_instances.push_back(FakeComputeInstance{
        .id = id,
        .profile_id = ci_profile_id,
        .start = start,
        .size = size,
        .serial = serial,
        .uuid = FakeUuid("MIG", state_.gpus[gpu].uuid + "/" + std::to_string(serial))});
    std::sort(gi->compute_instances.begin(), gi->compute_instances.end(),
              [](const FakeComputeInstance& a, const FakeComputeInstance& b) { return a.id < b.id; });
    return {NVML_SUCCESS, id};
  }
  return {NVML_ERROR_INSUFFICIENT_RESOURCES};
}

nvmlReturn_t FakeMachine::DestroyComputeInstance(unsigned gpu, unsigned gi_id, unsigned ci_id) {
  FakeGpuInstance* gi = FindGi(gpu, gi_id);
  if (gi == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  const auto it = std::find_if(gi->compute_instances.begin(), gi->compute_instances.end(),
                               [&](const FakeComputeInstance& ci) { return ci.id == ci_id; });
  if (it == gi->compute_instances.end()) return NVML_ERROR_INVALID_ARGUMENT;
  if (HasProcessesOn(gpu, gi_id, ci_id)) return NVML_ERROR_IN_USE;
  gi->compute_instances.erase(it);
  return NVML_SUCCESS;
}

}  // namespace migsched::nvml::fake
