#include "agent/nvml_node.h"

#include <algorithm>

namespace migsched::agent {
namespace {

using geometry::MigOpKind;

template <typename T>
Status StatusOf(const Result<T>& result) {
  return result.has_value() ? Status::Ok() : result.error();
}

Result<unsigned> GpuInstanceAt(const nvml::NvmlSession& session, unsigned index,
                               const geometry::GpuInstance& instance) {
  Result<std::vector<nvml::GpuInstanceInfo>> gis = session.GpuInstances(index);
  if (!gis.has_value()) return gis.error();
  for (const nvml::GpuInstanceInfo& gi : *gis) {
    if (gi.profile == instance.profile && gi.placement == instance.placement) return gi.id;
  }
  return NotFoundError("GPU " + std::to_string(index) + ": no GPU instance of that profile at slice " +
                       std::to_string(instance.placement.start));
}

Result<ObservedGpu> ObserveGpu(const nvml::NvmlSession& session, unsigned index) {
  Result<nvml::DeviceInfo> device = session.Device(index);
  if (!device.has_value()) return device.error();
  ObservedGpu gpu{.index = static_cast<int>(index), .uuid = device->uuid,
                  .pci_device_id = device->pci_device_id, .model = device->model,
                  .mig_enabled = device->mig.has_value() && device->mig->current,
                  .instances = {}, .pids = {}};
  if (gpu.model == nullptr) {
    Result<const geometry::GpuModel*> model = session.Model(index);  // the error names the GPU
    if (!model.has_value()) return model.error();
    gpu.model = *model;
  }
  if (!gpu.mig_enabled) {
    // A process on the whole GPU blocks a MIG mode change (NVML: IN_USE).
    Result<std::vector<nvml::ProcessInfo>> processes = session.GpuProcesses(index);
    if (!processes.has_value()) return processes.error();
    for (const nvml::ProcessInfo& p : *processes) gpu.pids.push_back(p.pid);
    return gpu;
  }
  Result<std::vector<nvml::GpuInstanceInfo>> gis = session.GpuInstances(index);
  if (!gis.has_value()) return gis.error();
  for (const nvml::GpuInstanceInfo& gi : *gis) {
    if (gi.profile < 0) {
      return NotFoundError("GPU " + std::to_string(index) + " (" + gpu.model->name +
                           "): GPU instance " + std::to_string(gi.id) + " has profile id " +
                           std::to_string(gi.profile_id) + ", which the catalog lacks");
    }
    ObservedGpuInstance observed{.id = static_cast<int>(gi.id), .instance = gi.AsLayoutEntry(),
                                 .compute_instances = {}, .pids = {}};
    for (const nvml::ComputeInstanceInfo& ci : gi.compute_instances) {
      observed.compute_instances.push_back(ObservedComputeInstance{
          .id = static_cast<int>(ci.id), .profile_id = static_cast<int>(ci.profile_id), .uuid = ci.uuid});
    }
    Result<std::vector<nvml::ProcessInfo>> processes = session.Processes(index, gi.id);
    if (!processes.has_value()) return processes.error();
    for (const nvml::ProcessInfo& p : *processes) observed.pids.push_back(p.pid);
    gpu.instances.push_back(std::move(observed));
  }
  return gpu;
}

}  // namespace

Result<std::vector<ObservedGpu>> ObserveNode(const nvml::NvmlSession& session) {
  Result<unsigned> count = session.DeviceCount();
  if (!count.has_value()) return count.error();
  std::vector<ObservedGpu> gpus;
  for (unsigned index = 0; index < *count; ++index) {
    Result<ObservedGpu> gpu = ObserveGpu(session, index);
    if (!gpu.has_value()) return gpu.error();
    gpus.push_back(std::move(*gpu));
  }
  return gpus;
}

Result<unsigned> NvmlExecutor::GpuInstanceFor(const Op& op) const {
  if (op.gi_id >= 0) return static_cast<unsigned>(op.gi_id);
  const auto created = created_.find({op.gpu, op.instance.placement.start});
  if (created != created_.end()) return created->second;
  return GpuInstanceAt(session_, static_cast<unsigned>(op.gpu), op.instance);
}

Status NvmlExecutor::Execute(const geometry::GpuModel& model, const Op& op) {
  const unsigned index = static_cast<unsigned>(op.gpu);
  const geometry::GiProfile& profile = model.profiles[static_cast<size_t>(op.instance.profile)];
  switch (op.kind) {
    case MigOpKind::kEnableMig:
    case MigOpKind::kDisableMig: {
      const bool enable = op.kind == MigOpKind::kEnableMig;
      Result<nvml::MigMode> mode = session_.SetMigMode(index, enable);
      if (!mode.has_value()) return mode.error();
      if (mode->current != enable) {
        return FailedPreconditionError("GPU " + std::to_string(index) +
                                       ": the MIG mode change is pending a GPU reset; reset the "
                                       "GPU (nvidia-smi -r) and run apply again");
      }
      return Status::Ok();
    }
    case MigOpKind::kDestroyCi:
      return session_.DestroyComputeInstance(index, static_cast<unsigned>(op.gi_id),
                                             static_cast<unsigned>(op.ci_id));
    case MigOpKind::kDestroyGi:
      return session_.DestroyGpuInstance(index, static_cast<unsigned>(op.gi_id));
    case MigOpKind::kCreateGi: {
      Result<nvml::GpuInstanceInfo> gi =
          session_.CreateGpuInstance(index, profile, op.instance.placement.start);
      if (!gi.has_value()) return gi.error();
      created_[{op.gpu, op.instance.placement.start}] = gi->id;
      return Status::Ok();
    }
    case MigOpKind::kCreateCi: {
      const auto ci = std::find_if(profile.compute_instances.begin(), profile.compute_instances.end(),
                                   [&](const geometry::CiProfile& c) { return c.id == op.ci_profile_id; });
      if (ci == profile.compute_instances.end()) {
        return InternalError("compute-instance profile " + std::to_string(op.ci_profile_id) +
                             " is not one of " + profile.name + "'s");
      }
      Result<unsigned> gi = GpuInstanceFor(op);
      if (!gi.has_value()) return gi.error();
      return StatusOf(session_.CreateComputeInstance(index, *gi, *ci));
    }
  }
  return InternalError("unknown op");
}

}  // namespace migsched::agent
