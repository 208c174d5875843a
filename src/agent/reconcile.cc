#include "agent/reconcile.h"

#include <algorithm>

#include "common/strings.h"

namespace migsched::agent {
namespace {

using geometry::GpuInstance;
using geometry::GpuModel;

const geometry::GiProfile& ProfileOf(const GpuModel& model, const GpuInstance& instance) {
  return model.profiles[static_cast<size_t>(instance.profile)];
}

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

void DestroyAll(const ObservedGpu& gpu, const ObservedGpuInstance& gi, std::vector<Op>& ops) {
  for (const ObservedComputeInstance& ci : gi.compute_instances) {
    ops.push_back(Op{.kind = OpKind::kDestroyComputeInstance, .gpu = gpu.index,
                     .instance = gi.instance, .ci_profile_id = ci.profile_id, .gi_id = gi.id,
                     .ci_id = ci.id});
  }
  ops.push_back(Op{.kind = OpKind::kDestroyGpuInstance, .gpu = gpu.index, .instance = gi.instance,
                   .gi_id = gi.id});
}

Status PlanGpu(const ObservedGpu& gpu, const GpuTarget& target, const ReconcileOptions& options,
               NodePlan& plan) {
  const GpuModel& model = *gpu.model;
  const std::string name = "gpu " + std::to_string(gpu.index) + " (" + model.name + ")";
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

  std::vector<Op> destroys;
  std::vector<Op> creates;
  std::vector<bool> target_present(target.instances.size(), false);
  for (const ObservedGpuInstance& gi : gpu.instances) {
    const auto match = std::find(target.instances.begin(), target.instances.end(), gi.instance);
    if (match == target.instances.end() || !target.mig_enabled) {
      if (!gi.pids.empty() && !options.force) return BusyError(gpu, gi, "destroying");
      DestroyAll(gpu, gi, destroys);
      continue;
    }
    target_present[static_cast<size_t>(match - target.instances.begin())] = true;
    if (HoldsFullComputeInstance(model, gi)) {
      plan.kept.push_back(KeptInstance{.gpu = gpu.index, .instance = gi.instance});
      continue;
    }
    if (!gi.pids.empty() && !options.force) {
      return BusyError(gpu, gi, "replacing the compute instances of");
    }
    for (const ObservedComputeInstance& ci : gi.compute_instances) {
      destroys.push_back(Op{.kind = OpKind::kDestroyComputeInstance, .gpu = gpu.index,
                            .instance = gi.instance, .ci_profile_id = ci.profile_id,
                            .gi_id = gi.id, .ci_id = ci.id});
    }
    creates.push_back(Op{.kind = OpKind::kCreateComputeInstance, .gpu = gpu.index,
                         .instance = gi.instance,
                         .ci_profile_id = FullComputeInstance(ProfileOf(model, gi.instance))->id,
                         .gi_id = gi.id});
  }
  for (size_t i = 0; i < target.instances.size(); ++i) {
    if (target_present[i]) continue;
    const GpuInstance& instance = target.instances[i];
    creates.push_back(
        Op{.kind = OpKind::kCreateGpuInstance, .gpu = gpu.index, .instance = instance});
    creates.push_back(Op{.kind = OpKind::kCreateComputeInstance, .gpu = gpu.index,
                         .instance = instance,
                         .ci_profile_id = FullComputeInstance(ProfileOf(model, instance))->id});
  }

  plan.ops.insert(plan.ops.end(), destroys.begin(), destroys.end());
  if (gpu.mig_enabled != target.mig_enabled) {
    if (!gpu.pids.empty()) {  // even with --force: NVML refuses (IN_USE), it ends nothing
      return FailedPreconditionError(name + ": MIG mode cannot change while processes run on the GPU (pids " +
                                     PidList(gpu.pids) + "); nothing was changed");
    }
    plan.ops.push_back(
        Op{.kind = OpKind::kSetMigMode, .gpu = gpu.index, .mig_enabled = target.mig_enabled,
           .instance = {}});
  }
  plan.ops.insert(plan.ops.end(), creates.begin(), creates.end());
  return Status::Ok();
}

}  // namespace

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kSetMigMode: return "set_mig_mode";
    case OpKind::kDestroyComputeInstance: return "destroy_ci";
    case OpKind::kDestroyGpuInstance: return "destroy_gi";
    case OpKind::kCreateGpuInstance: return "create_gi";
    case OpKind::kCreateComputeInstance: return "create_ci";
  }
  return "unknown";
}

std::string DescribeOp(const GpuModel& model, const Op& op) {
  const std::string gpu = "gpu " + std::to_string(op.gpu) + ": ";
  const std::string label = geometry::InstanceLabel(model, op.instance);
  switch (op.kind) {
    case OpKind::kSetMigMode:
      return gpu + (op.mig_enabled ? "enable MIG" : "disable MIG");
    case OpKind::kDestroyComputeInstance:
      return gpu + "destroy compute instance " + std::to_string(op.ci_id) + " (profile " +
             std::to_string(op.ci_profile_id) + ") of " + label;
    case OpKind::kDestroyGpuInstance:
      return gpu + "destroy GPU instance " + label;
    case OpKind::kCreateGpuInstance:
      return gpu + "create GPU instance " + label;
    case OpKind::kCreateComputeInstance:
      return gpu + "create compute instance (profile " + std::to_string(op.ci_profile_id) +
             ") in " + label;
  }
  return gpu + "unknown op";
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
    MIGSCHED_RETURN_IF_ERROR(PlanGpu(*gpu, target, options, plan));
  }
  return plan;
}

}  // namespace migsched::agent
