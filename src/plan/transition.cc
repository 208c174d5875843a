#include "plan/transition.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "geometry/gpu_state.h"
#include "geometry/layout.h"
#include "geometry/layout_diff.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuInstance;
using geometry::GpuModel;
using geometry::MigOpKind;

std::string GpuName(const FleetGpu& gpu) {
  return gpu.node + " gpu " + std::to_string(gpu.index);
}

std::string Label(const FleetGpu& gpu, const GpuInstance& instance) {
  return geometry::InstanceLabel(*gpu.model, instance);
}

Status CheckValidLayout(const FleetGpu& gpu, std::string_view which) {
  if (!gpu.mig_enabled) return Status::Ok();
  for (const FleetInstance& i : gpu.instances) {
    if (i.instance.profile < 0 ||
        static_cast<size_t>(i.instance.profile) >= gpu.model->profiles.size()) {
      return InvalidArgumentError(GpuName(gpu) + ": " + std::string(which) +
                                  " layout has a profile index out of range");
    }
  }
  const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
  if (!verdict.valid) {
    return InvalidArgumentError(GpuName(gpu) + ": " + std::string(which) +
                                " layout is invalid: " + verdict.reason);
  }
  return Status::Ok();
}

Status CheckSameGpus(const fleet::Fleet& current, const fleet::Fleet& target) {
  if (current.gpus.size() != target.gpus.size()) {
    return InvalidArgumentError("current fleet has " + std::to_string(current.gpus.size()) +
                                " GPUs but the target has " + std::to_string(target.gpus.size()));
  }
  for (size_t i = 0; i < current.gpus.size(); ++i) {
    const FleetGpu& c = current.gpus[i];
    const FleetGpu& t = target.gpus[i];
    if (c.node != t.node || c.index != t.index || c.model != t.model || c.model == nullptr) {
      return InvalidArgumentError("GPU #" + std::to_string(i) + " differs: current " + GpuName(c) +
                                  (c.model ? " (" + c.model->name + ")" : std::string()) +
                                  ", target " + GpuName(t) +
                                  (t.model ? " (" + t.model->name + ")" : std::string()));
    }
  }
  return Status::Ok();
}

const FleetInstance& Find(const std::vector<FleetInstance>& list, const GpuInstance& instance) {
  return *std::find_if(list.begin(), list.end(),
                       [&](const FleetInstance& i) { return i.instance == instance; });
}

// Safety: nothing busy may be destroyed, moved or given to someone else.
Status CheckBusyKept(const FleetGpu& current, const FleetGpu& target, const geometry::LayoutDiff& diff) {
  if (!current.mig_enabled && current.whole_gpu_busy &&
      (diff.changes_mig_mode || target.whole_gpu_workload != current.whole_gpu_workload)) {
    return FailedPreconditionError(GpuName(current) + " is busy with '" +
                                   current.whole_gpu_workload +
                                   "' as a whole GPU; the target would repartition or reassign it");
  }
  for (const GpuInstance& gone : diff.destroyed) {
    const FleetInstance& busy = Find(current.instances, gone);
    if (!busy.busy) continue;
    return FailedPreconditionError(GpuName(current) + ": busy instance " + Label(current, gone) +
                                   " ('" + busy.workload + "') would be destroyed by the target layout");
  }
  for (const GpuInstance& kept : diff.kept) {
    const FleetInstance& busy = Find(current.instances, kept);
    const FleetInstance& owner = Find(target.instances, kept);
    if (!busy.busy || owner.workload == busy.workload) continue;
    return FailedPreconditionError(GpuName(current) + ": busy instance " + Label(current, kept) +
                                   " runs '" + busy.workload + "' but the target gives it to '" +
                                   owner.workload + "'");
  }
  return Status::Ok();
}

geometry::MigLayout MigLayoutOf(const FleetGpu& gpu) {
  return geometry::MigLayout{.mig_enabled = gpu.mig_enabled, .instances = fleet::LayoutOf(gpu)};
}

TransitionOp Op(const FleetGpu& gpu, const geometry::MigOp& op) {
  const bool mode_op = geometry::IsMigModeOp(op.kind);
  return TransitionOp{.node = gpu.node,
                      .gpu = gpu.index,
                      .kind = op.kind,
                      .profile = mode_op ? -1 : op.instance.profile,
                      .start = mode_op ? 0 : op.instance.placement.start};
}

// Per GPU during ApplyOperations: which instances still hold a compute instance.
struct GpuProgress {
  std::set<int> starts_with_ci;
};

// Applies one op; on failure the message says why, and the caller adds which
// op it was (built only then: describing every op would cost a fleet search).
Status ApplyOne(FleetGpu& gpu, GpuProgress& progress, const TransitionOp& op) {
  auto fail = [](const std::string& why) { return FailedPreconditionError(why); };
  const bool mode_op = geometry::IsMigModeOp(op.kind);
  if (!mode_op) {
    if (!gpu.mig_enabled) return fail("MIG mode is disabled");
    if (op.profile < 0 || static_cast<size_t>(op.profile) >= gpu.model->profiles.size()) {
      return fail("profile index " + std::to_string(op.profile) + " out of range");
    }
  }
  const GpuInstance instance{op.profile, mode_op ? geometry::Placement{}
                                                 : gpu.model->profiles[static_cast<size_t>(
                                                                           op.profile)]
                                                       .PlacementAt(op.start)};
  const auto found = std::find_if(gpu.instances.begin(), gpu.instances.end(),
                                  [&](const FleetInstance& i) { return i.instance == instance; });
  const bool present = found != gpu.instances.end();
  const bool has_ci = progress.starts_with_ci.count(op.start) > 0;
  switch (op.kind) {
    case MigOpKind::kEnableMig:
      if (gpu.mig_enabled) return fail("MIG mode is already enabled");
      if (gpu.whole_gpu_busy) return fail("the whole GPU is busy");
      gpu.mig_enabled = true;
      gpu.whole_gpu_workload.clear();
      return Status::Ok();
    case MigOpKind::kDisableMig:
      if (!gpu.mig_enabled) return fail("MIG mode is already disabled");
      if (!gpu.instances.empty()) return fail("GPU instances remain");
      gpu.mig_enabled = false;
      return Status::Ok();
    case MigOpKind::kDestroyCi:
      if (!present || !has_ci) return fail("no compute instance there");
      if (found->busy) return fail("the instance is busy");
      progress.starts_with_ci.erase(op.start);
      return Status::Ok();
    case MigOpKind::kDestroyGi:
      if (!present) return fail("no such GPU instance");
      if (found->busy) return fail("the instance is busy");
      if (has_ci) return fail("its compute instance still exists");
      gpu.instances.erase(found);
      return Status::Ok();
    case MigOpKind::kCreateGi: {
      std::vector<GpuInstance> next = fleet::LayoutOf(gpu);
      next.push_back(instance);
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, next);
      if (!verdict.valid) return fail(verdict.reason);
      gpu.instances.push_back(FleetInstance{.instance = instance, .workload = "", .busy = false});
      return Status::Ok();
    }
    case MigOpKind::kCreateCi:
      if (!present) return fail("no GPU instance there");
      if (has_ci) return fail("a compute instance already exists");
      progress.starts_with_ci.insert(op.start);
      return Status::Ok();
  }
  return InternalError("unknown op kind");
}

}  // namespace

Result<TransitionPlan> PlanTransition(const fleet::Fleet& current, const fleet::Fleet& target) {
  MIGSCHED_RETURN_IF_ERROR(CheckSameGpus(current, target));
  TransitionPlan plan;
  for (size_t i = 0; i < current.gpus.size(); ++i) {
    const FleetGpu& c = current.gpus[i];
    const FleetGpu& t = target.gpus[i];
    MIGSCHED_RETURN_IF_ERROR(CheckValidLayout(c, "current"));
    MIGSCHED_RETURN_IF_ERROR(CheckValidLayout(t, "target"));
    const geometry::LayoutDiff diff = geometry::DiffLayouts(*c.model, MigLayoutOf(c), MigLayoutOf(t));
    MIGSCHED_RETURN_IF_ERROR(CheckBusyKept(c, t, diff));
    if (diff.ops.empty()) continue;
    ++plan.gpus_changed;
    for (const geometry::MigOp& op : diff.ops) plan.operations.push_back(Op(c, op));
  }
  // Belt and braces: replay the plan through the checker, so a plan that the
  // hardware would refuse never leaves this function.
  Result<fleet::Fleet> reached = ApplyOperations(current, plan.operations);
  if (!reached.has_value()) return InternalError("transition plan fails: " + reached.error().message());
  return plan;
}

Result<fleet::Fleet> ApplyOperations(const fleet::Fleet& fleet,
                                     const std::vector<TransitionOp>& operations) {
  fleet::Fleet out = fleet;
  std::map<std::pair<std::string, int>, size_t> where;
  std::vector<GpuProgress> progress(out.gpus.size());
  for (size_t i = 0; i < out.gpus.size(); ++i) {
    where[{out.gpus[i].node, out.gpus[i].index}] = i;
    for (const FleetInstance& instance : out.gpus[i].instances) {
      progress[i].starts_with_ci.insert(instance.instance.placement.start);
    }
  }
  for (size_t n = 0; n < operations.size(); ++n) {
    const TransitionOp& op = operations[n];
    const auto it = where.find({op.node, op.gpu});
    if (it == where.end()) {
      return NotFoundError("operation " + std::to_string(n) + ": no GPU " + op.node + " gpu " +
                           std::to_string(op.gpu) + " in the fleet");
    }
    const Status applied = ApplyOne(out.gpus[it->second], progress[it->second], op);
    if (!applied.ok()) {
      return applied.WithPrefix("operation " + std::to_string(n) + " (" + DescribeOp(out, op) + ")");
    }
  }
  for (size_t i = 0; i < out.gpus.size(); ++i) {
    for (const FleetInstance& instance : out.gpus[i].instances) {
      if (progress[i].starts_with_ci.count(instance.instance.placement.start) == 0) {
        return FailedPreconditionError(GpuName(out.gpus[i]) + ": GPU instance " +
                                       Label(out.gpus[i], instance.instance) +
                                       " is left without a compute instance");
      }
    }
  }
  return out;
}

std::string DescribeOp(const fleet::Fleet& fleet, const TransitionOp& op) {
  const std::string gpu_name = op.node + " gpu " + std::to_string(op.gpu) + ": ";
  const std::string kind(geometry::MigOpKindName(op.kind));
  if (geometry::IsMigModeOp(op.kind)) return gpu_name + kind;
  const auto gpu = std::find_if(fleet.gpus.begin(), fleet.gpus.end(), [&](const FleetGpu& g) {
    return g.node == op.node && g.index == op.gpu;
  });
  const bool known = gpu != fleet.gpus.end() && gpu->model != nullptr && op.profile >= 0 &&
                     static_cast<size_t>(op.profile) < gpu->model->profiles.size();
  if (!known) {
    return gpu_name + kind + " profile#" + std::to_string(op.profile) + "@" + std::to_string(op.start);
  }
  const GpuModel& model = *gpu->model;
  const GpuInstance instance{op.profile,
                             model.profiles[static_cast<size_t>(op.profile)].PlacementAt(op.start)};
  return gpu_name + geometry::DescribeMigOp(model, geometry::MigOp{.kind = op.kind, .instance = instance});
}

}  // namespace migsched::plan
