// FakeMachine: NVML's MIG rules applied to a FakeState, answering with the
// return codes the real driver gives. The fake library's exported C functions
// are thin wrappers over it.
//
// Rules (each rejection is the driver's documented code):
//  - GI create: MIG off -> NOT_SUPPORTED; unknown profile id, placement size
//    other than the profile's, or a start the profile does not allow ->
//    INVALID_ARGUMENT; overlap, compute slices, instance limit, per-profile
//    count, second "+me", "+me.all" exclusivity -> INSUFFICIENT_RESOURCES
//    (geometry::CheckPlace, the same rules as the layout engine).
//  - GI destroy while it has compute instances or processes -> IN_USE.
//  - CI create: profile not offered by the GI -> INVALID_ARGUMENT; count,
//    compute slices or no aligned free range -> INSUFFICIENT_RESOURCES.
//  - CI destroy while a process runs on it -> IN_USE.
//  - MIG mode change while instances exist or processes run -> IN_USE.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "geometry/catalog.h"
#include "geometry/gpu_model.h"
#include "nvml/fake/fake_state.h"
#include "nvml/nvml_api.h"

namespace migsched::nvml::fake {

struct Created {
  nvmlReturn_t code = NVML_SUCCESS;
  unsigned id = 0;  // the new instance's id when code is NVML_SUCCESS
};

class FakeMachine {
 public:
  // Checks the state against the rules (valid layouts, known profiles, unique
  // ids, processes on existing instances); errors name the GPU and instance.
  static Result<FakeMachine> Create(const geometry::Catalog& catalog, FakeState state);

  const FakeState& state() const { return state_; }
  FakeState& mutable_state() { return state_; }
  // The catalog model of GPU `gpu` (< state().gpus.size()).
  const geometry::GpuModel& Model(unsigned gpu) const;
  // The profile with NVML profile id `profile_id`, if the GPU has it.
  const geometry::GiProfile* ProfileById(unsigned gpu, unsigned profile_id) const;
  const geometry::GiProfile* ProfileByEnum(unsigned gpu, unsigned nvml_enum) const;
  FakeGpuInstance* FindGi(unsigned gpu, unsigned gi_id);
  const FakeGpuInstance* FindGi(unsigned gpu, unsigned gi_id) const;
  // The GI's catalog profile (the state is validated, so it exists).
  const geometry::GiProfile& GiProfile(unsigned gpu, const FakeGpuInstance& gi) const;
  const geometry::CiProfile* CiProfileById(unsigned gpu, const FakeGpuInstance& gi,
                                           unsigned ci_profile_id) const;

  // How many more instances of the profile fit now (greedy by start, which is
  // exact for one profile: its placements are aligned to its size).
  unsigned RemainingCapacity(unsigned gpu, const geometry::GiProfile& profile) const;

  nvmlReturn_t SetMigMode(unsigned gpu, unsigned mode);
  Created CreateGpuInstance(unsigned gpu, unsigned profile_id, unsigned start, unsigned size);
  nvmlReturn_t DestroyGpuInstance(unsigned gpu, unsigned gi_id);
  Created CreateComputeInstance(unsigned gpu, unsigned gi_id, unsigned ci_profile_id);
  nvmlReturn_t DestroyComputeInstance(unsigned gpu, unsigned gi_id, unsigned ci_id);

 private:
  FakeMachine(const geometry::Catalog& catalog, FakeState state)
      : catalog_(&catalog), state_(std::move(state)) {}

  Status Validate() const;
  bool HasProcessesOn(unsigned gpu, unsigned gi_id, std::optional<unsigned> ci_id) const;

  const geometry::Catalog* catalog_;
  FakeState state_;
};

}  // namespace migsched::nvml::fake
