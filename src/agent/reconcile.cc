#include "agent/reconcile.h"

#include <algorithm>

#include "common/strings.h"
#include "geometry/layout_diff.h"

namespace migsched::agent {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::MigOp;
using geometry::MigOpKind;

std::string PidList(const std::vector<uint32_t>& pids) {
  std::vector<std::string> text;
  for (uint32_t pid : pids) text.push_back(std::to_string(pid));
  return Join(text, ", ");
}

Status BusyError(const ObservedGpu& gpu, const ObservedGpuInstance& gi, std::string_view what) {
  return FailedPreconditionError(
      "gpu " + std::to_string(gpu.index) + ": " + std::string(what) + " " +
      geometry::InstanceLabel(*gpu.model, gi.instance) + " (GPU instance " +
      std::to_string(gi.id) + ") would end running processes (pids " + PidList(gi.pids) +
      "); nothing was changed (use --force to allow it)");
}

// The observed GPU instance at `instance`; nullptr for one not created yet.
const ObservedGpuInstance* Find(const ObservedGpu& gpu, const GpuInstance& instance) {
  const auto found = std::find_if(gpu.instances.begin(), gpu.instances.end(),
                                  [&](const ObservedGpuInstance& gi) { return gi.instance == instance; });
  return found == gpu.instances.end() ? nullptr : &*found;
}

Status CheckTarget(const ObservedGpu& gpu, const GpuTarget& target, const std::string& name) {
  const GpuModel& model = *gpu.model;
  if (!target.mig_enabled && !target.instances.empty()) {
    return InvalidArgumentError(name + ": instances requested with MIG disabled");
  }
  for (const GpuInstance& instance : target.instances) {
    const size_t profile = static_cast<size_t>(instance.profile);
    if (instance.profile < 0 || profile >= model.profiles.size() ||
        model.profiles[profile].memory_slices != instance.placement.size) {
      return InvalidArgumentError(name + ": target instance does not belong to this model");
    }
    if (FullComputeInstance(model.profiles[profile]) == nullptr) {
      return InvalidArgumentError(name + ": the catalog lists no full compute instance for " +
                                  model.profiles[profile].name);
    }
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(model, target.instances);
  if (!verdict.valid) {
    return InvalidArgumentError(name + ": the target layout cannot exist: " + verdict.reason);
  }
  return Status::Ok();
}

// Refuses a diff that would end running processes.
Status CheckBusy(const ObservedGpu& gpu, const geometry::LayoutDiff& diff, const ReconcileOptions& options,
                 const std::string& name) {
  for (const GpuInstance& gone : diff.destroyed) {
    const ObservedGpuInstance& gi = *Find(gpu, gone);
    if (!gi.pids.empty() && !options.force) return BusyError(gpu, gi, "destroying");
  }
  for (const GpuInstance& replaced : diff.compute_replaced) {
    const ObservedGpuInstance& gi = *Find(gpu, replaced);
    if (!gi.pids.empty() && !options.force) return BusyError(gpu, gi, "replacing the compute instances of");
  }
  // Even with --force: NVML refuses a mode change while processes run (IN_USE); it ends nothing.
  if (diff.changes_mig_mode && !gpu.pids.empty()) {
    return FailedPreconditionError(name + ": MIG mode cannot change while processes run on the GPU (pids " +
                                   PidList(gpu.pids) + "); nothing was changed");
  }
  return Status::Ok();
}

// The NVML calls for one op of the diff: destroy_ci is one call per compute
// instance the GPU instance holds; destroys and create_ci in a kept GPU
// instance carry the ids NVML reported.
std::vector<Op> NvmlOps(const ObservedGpu& gpu, const MigOp& op) {
  const Op base{.kind = op.kind, .gpu = gpu.index, .instance = op.instance};
  const ObservedGpuInstance* gi = geometry::IsMigModeOp(op.kind) ? nullptr : Find(gpu, op.instance);
  switch (op.kind) {
    case MigOpKind::kEnableMig:
    case MigOpKind::kDisableMig:
    case MigOpKind::kCreateGi:
      return {base};
    case MigOpKind::kDestroyGi: {
      Op destroy = base;
      destroy.gi_id = gi->id;
      return {destroy};
    }
    case MigOpKind::kDestroyCi: {
      std::vector<Op> ops;
      for (const ObservedComputeInstance& ci : gi->compute_instances) {
        Op destroy = base;
        destroy.ci_profile_id = ci.profile_id;
        destroy.gi_id = gi->id;
        destroy.ci_id = ci.id;
        ops.push_back(destroy);
      }
      return ops;
    }
    case MigOpKind::kCreateCi: {
      Op create = base;
      create.ci_profile_id =
          FullComputeInstance(gpu.model->profiles[static_cast<size_t>(op.instance.profile)])->id;
      create.gi_id = gi == nullptr ? -1 : gi->id;
      return {create};
    }
  }
  return {};
}

Result<NodePlan> PlanGpu(const ObservedGpu& gpu, const GpuTarget& target, const ReconcileOptions& options) {
  const GpuModel& model = *gpu.model;
  const std::string name = "gpu " + std::to_string(gpu.index) + " (" + model.name + ")";
  MIGSCHED_RETURN_IF_ERROR(CheckTarget(gpu, target, name));
  geometry::MigLayout current{.mig_enabled = gpu.mig_enabled, .instances = {}};
  std::vector<GpuInstance> wrong_compute;
  for (const ObservedGpuInstance& gi : gpu.instances) {
    current.instances.push_back(gi.instance);
    if (!HoldsFullComputeInstance(model, gi)) wrong_compute.push_back(gi.instance);
  }
  const geometry::LayoutDiff diff = geometry::DiffLayouts(
      model, current, geometry::MigLayout{.mig_enabled = target.mig_enabled, .instances = target.instances},
      wrong_compute);
  MIGSCHED_RETURN_IF_ERROR(CheckBusy(gpu, diff, options, name));
  NodePlan plan;
  for (const MigOp& op : diff.ops) {
    const std::vector<Op> calls = NvmlOps(gpu, op);
    plan.ops.insert(plan.ops.end(), calls.begin(), calls.end());
  }
  for (const GpuInstance& kept : diff.kept) {
    plan.kept.push_back(KeptInstance{.gpu = gpu.index, .instance = kept});
  }
  return plan;
}

}  // namespace

std::string DescribeOp(const GpuModel& model, const Op& op) {
  const std::string text = "gpu " + std::to_string(op.gpu) + ": " +
                           geometry::DescribeMigOp(model, MigOp{.kind = op.kind, .instance = op.instance});
  switch (op.kind) {
    case MigOpKind::kDestroyCi:
      return text + " (compute instance " + std::to_string(op.ci_id) + ", ci profile " +
             std::to_string(op.ci_profile_id) + ")";
    case MigOpKind::kCreateCi:
      return text + " (ci profile " + std::to_string(op.ci_profile_id) + ")";
    default:
      return text;
  }
}

Result<NodePlan> Reconcile(const std::vector<ObservedGpu>& gpus,
                           const std::vector<GpuTarget>& targets, const ReconcileOptions& options) {
  NodePlan plan;
  for (const GpuTarget& target : targets) {
    const auto gpu = std::find_if(gpus.begin(), gpus.end(),
                                  [&](const ObservedGpu& g) { return g.index == target.index; });
    if (gpu == gpus.end()) {
      return InvalidArgumentError("the target names gpu " + std::to_string(target.index) +
                                  ", which this node does not have (" +
                                  std::to_string(gpus.size()) + " GPUs)");
    }
    Result<NodePlan> gpu_plan = PlanGpu(*gpu, target, options);
    if (!gpu_plan.has_value()) return gpu_plan.error();
    plan.ops.insert(plan.ops.end(), gpu_plan->ops.begin(), gpu_plan->ops.end());
    plan.kept.insert(plan.kept.end(), gpu_plan->kept.begin(), gpu_plan->kept.end());
  }
  return plan;
}

}  // namespace migsched::agent
