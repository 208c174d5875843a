#include "plan/transition.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "common/strings.h"
#include "geometry/gpu_state.h"
#include "geometry/layout.h"

namespace migsched::plan {
namespace {

using fleet::FleetGpu;
using fleet::FleetInstance;
using geometry::GpuInstance;
using geometry::GpuModel;

constexpr std::array<std::pair<OpKind, std::string_view>, 6> kOpNames = {{
    {OpKind::kEnableMig, "enable_mig"},
    {OpKind::kDisableMig, "disable_mig"},
    {OpKind::kDestroyCi, "destroy_ci"},
    {OpKind::kDestroyGi, "destroy_gi"},
    {OpKind::kCreateGi, "create_gi"},
    {OpKind::kCreateCi, "create_ci"},
}};

std::string GpuName(const FleetGpu& gpu) {
  return gpu.node + " gpu " + std::to_string(gpu.index);
}

std::string Label(const FleetGpu& gpu, const GpuInstance& instance) {
  return geometry::InstanceLabel(*gpu.model, instance);
}

bool SameInstance(const FleetInstance& a, const FleetInstance& b) {
  return a.instance == b.instance;
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

bool Contains(const std::vector<FleetInstance>& list, const FleetInstance& instance) {
  return std::any_of(list.begin(), list.end(),
                     [&](const FleetInstance& i) { return SameInstance(i, instance); });
}

// Safety: nothing busy may be destroyed, moved or given to someone else.
Status CheckBusyKept(const FleetGpu& current, const FleetGpu& target) {
  if (!current.mig_enabled && current.whole_gpu_busy &&
      (target.mig_enabled || target.whole_gpu_workload != current.whole_gpu_workload)) {
    return FailedPreconditionError(GpuName(current) + " is busy with '" +
                                   current.whole_gpu_workload +
                                   "' as a whole GPU; the target would repartition or reassign it");
  }
  if (!current.mig_enabled) return Status::Ok();
  for (const FleetInstance& busy : current.instances) {
    if (!busy.busy) continue;
    const auto kept = std::find_if(target.instances.begin(), target.instances.end(),
                                   [&](const FleetInstance& t) { return SameInstance(t, busy); });
    if (!target.mig_enabled || kept == target.instances.end()) {
      return FailedPreconditionError(GpuName(current) + ": busy instance " +
                                     Label(current, busy.instance) + " ('" + busy.workload +
                                     "') would be destroyed by the target layout");
    }
    if (kept->workload != busy.workload) {
      return FailedPreconditionError(GpuName(current) + ": busy instance " +
                                     Label(current, busy.instance) + " runs '" + busy.workload +
                                     "' but the target gives it to '" + kept->workload + "'");
    }
  }
  return Status::Ok();
}

// Largest first (memory slices, then compute), then by start: a canonical order.
std::vector<GpuInstance> CreationOrder(const FleetGpu& target,
                                       const std::vector<FleetInstance>& current) {
  std::vector<GpuInstance> creates;
  for (const FleetInstance& t : target.instances) {
    if (!Contains(current, t)) creates.push_back(t.instance);
  }
  const GpuModel& model = *target.model;
  std::sort(creates.begin(), creates.end(), [&](const GpuInstance& a, const GpuInstance& b) {
    const auto& pa = model.profiles[static_cast<size_t>(a.profile)];
    const auto& pb = model.profiles[static_cast<size_t>(b.profile)];
    if (pa.memory_slices != pb.memory_slices) return pa.memory_slices > pb.memory_slices;
    if (pa.compute_slices != pb.compute_slices) return pa.compute_slices > pb.compute_slices;
    return a.placement.start < b.placement.start;
  });
  return creates;
}

TransitionOp Op(const FleetGpu& gpu, OpKind kind, const GpuInstance& instance) {
  return TransitionOp{.node = gpu.node,
                      .gpu = gpu.index,
                      .kind = kind,
                      .profile = instance.profile,
                      .start = instance.placement.start};
}

TransitionOp ModeOp(const FleetGpu& gpu, OpKind kind) {
  return TransitionOp{.node = gpu.node, .gpu = gpu.index, .kind = kind, .profile = -1, .start = 0};
}

std::vector<TransitionOp> GpuOps(const FleetGpu& current, const FleetGpu& target) {
  std::vector<TransitionOp> ops;
  const std::vector<FleetInstance> none;
  const std::vector<FleetInstance>& have = current.mig_enabled ? current.instances : none;
  const std::vector<FleetInstance>& want = target.mig_enabled ? target.instances : none;
  for (const FleetInstance& c : have) {
    if (Contains(want, c)) continue;
    ops.push_back(Op(current, OpKind::kDestroyCi, c.instance));
    ops.push_back(Op(current, OpKind::kDestroyGi, c.instance));
  }
  if (current.mig_enabled && !target.mig_enabled) ops.push_back(ModeOp(current, OpKind::kDisableMig));
  if (!current.mig_enabled && target.mig_enabled) ops.push_back(ModeOp(current, OpKind::kEnableMig));
  if (target.mig_enabled) {
    for (const GpuInstance& create : CreationOrder(target, have)) {
      ops.push_back(Op(target, OpKind::kCreateGi, create));
      ops.push_back(Op(target, OpKind::kCreateCi, create));
    }
  }
  return ops;
}

// Per GPU during ApplyOperations: which instances still hold a compute instance.
struct GpuProgress {
  std::set<int> starts_with_ci;
};

// Applies one op; on failure the message says why, and the caller adds which
// op it was (built only then: describing every op would cost a fleet search).
Status ApplyOne(FleetGpu& gpu, GpuProgress& progress, const TransitionOp& op) {
  auto fail = [](const std::string& why) { return FailedPreconditionError(why); };
  const bool mode_op = op.kind == OpKind::kEnableMig || op.kind == OpKind::kDisableMig;
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
    case OpKind::kEnableMig:
      if (gpu.mig_enabled) return fail("MIG mode is already enabled");
      if (gpu.whole_gpu_busy) return fail("the whole GPU is busy");
      gpu.mig_enabled = true;
      gpu.whole_gpu_workload.clear();
      return Status::Ok();
    case OpKind::kDisableMig:
      if (!gpu.mig_enabled) return fail("MIG mode is already disabled");
      if (!gpu.instances.empty()) return fail("GPU instances remain");
      gpu.mig_enabled = false;
      return Status::Ok();
    case OpKind::kDestroyCi:
      if (!present || !has_ci) return fail("no compute instance there");
      if (found->busy) return fail("the instance is busy");
      progress.starts_with_ci.erase(op.start);
      return Status::Ok();
    case OpKind::kDestroyGi:
      if (!present) return fail("no such GPU instance");
      if (found->busy) return fail("the instance is busy");
      if (has_ci) return fail("its compute instance still exists");
      gpu.instances.erase(found);
      return Status::Ok();
    case OpKind::kCreateGi: {
      std::vector<GpuInstance> next = fleet::LayoutOf(gpu);
      next.push_back(instance);
      const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, next);
      if (!verdict.valid) return fail(verdict.reason);
      gpu.instances.push_back(FleetInstance{.instance = instance, .workload = "", .busy = false});
      return Status::Ok();
    }
    case OpKind::kCreateCi:
      if (!present) return fail("no GPU instance there");
      if (has_ci) return fail("a compute instance already exists");
      progress.starts_with_ci.insert(op.start);
      return Status::Ok();
  }
  return InternalError("unknown op kind");
}

}  // namespace

std::string_view OpKindName(OpKind kind) {
  for (const auto& [k, name] : kOpNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

Result<OpKind> ParseOpKind(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& [kind, text] : kOpNames) {
    if (text == name) return kind;
    names.emplace_back(text);
  }
  return InvalidArgumentError("unknown op '" + std::string(name) + "'; valid ops: " +
                              Join(names, ", "));
}

Result<TransitionPlan> PlanTransition(const fleet::Fleet& current, const fleet::Fleet& target) {
  MIGSCHED_RETURN_IF_ERROR(CheckSameGpus(current, target));
  TransitionPlan plan;
  for (size_t i = 0; i < current.gpus.size(); ++i) {
    const FleetGpu& c = current.gpus[i];
    const FleetGpu& t = target.gpus[i];
    MIGSCHED_RETURN_IF_ERROR(CheckValidLayout(c, "current"));
    MIGSCHED_RETURN_IF_ERROR(CheckValidLayout(t, "target"));
    MIGSCHED_RETURN_IF_ERROR(CheckBusyKept(c, t));
    std::vector<TransitionOp> ops = GpuOps(c, t);
    if (ops.empty()) continue;
    ++plan.gpus_changed;
    plan.operations.insert(plan.operations.end(), ops.begin(), ops.end());
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
  std::string text = op.node + " gpu " + std::to_string(op.gpu) + ": " +
                     std::string(OpKindName(op.kind));
  if (op.kind == OpKind::kEnableMig || op.kind == OpKind::kDisableMig) return text;
  const auto gpu = std::find_if(fleet.gpus.begin(), fleet.gpus.end(), [&](const FleetGpu& g) {
    return g.node == op.node && g.index == op.gpu;
  });
  const bool known = gpu != fleet.gpus.end() && gpu->model != nullptr && op.profile >= 0 &&
                     static_cast<size_t>(op.profile) < gpu->model->profiles.size();
  const std::string profile =
      known ? gpu->model->profiles[static_cast<size_t>(op.profile)].name
            : "profile#" + std::to_string(op.profile);
  return text + " " + profile + "@" + std::to_string(op.start);
}

}  // namespace migsched::plan
