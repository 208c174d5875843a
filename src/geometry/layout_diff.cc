#include "geometry/layout_diff.h"

#include <algorithm>

namespace migsched::geometry {
namespace {

bool Contains(std::span<const GpuInstance> list, const GpuInstance& instance) {
  return std::find(list.begin(), list.end(), instance) != list.end();
}

// Largest first (memory slices, then compute), then by start; the profile
// breaks the last tie so that the order is total.
std::vector<GpuInstance> Canonical(const GpuModel& model, std::vector<GpuInstance> instances) {
  std::sort(instances.begin(), instances.end(), [&](const GpuInstance& a, const GpuInstance& b) {
    const GiProfile& pa = model.profiles[static_cast<size_t>(a.profile)];
    const GiProfile& pb = model.profiles[static_cast<size_t>(b.profile)];
    if (pa.memory_slices != pb.memory_slices) return pa.memory_slices > pb.memory_slices;
    if (pa.compute_slices != pb.compute_slices) return pa.compute_slices > pb.compute_slices;
    if (a.placement.start != b.placement.start) return a.placement.start < b.placement.start;
    return a.profile < b.profile;
  });
  return instances;
}

}  // namespace

LayoutDiff DiffLayouts(const GpuModel& model, const MigLayout& current, const MigLayout& target,
                       std::span<const GpuInstance> replace_compute) {
  const std::vector<GpuInstance> none;
  const std::vector<GpuInstance>& have = current.mig_enabled ? current.instances : none;
  const std::vector<GpuInstance>& want = target.mig_enabled ? target.instances : none;
  LayoutDiff diff;
  diff.changes_mig_mode = current.mig_enabled != target.mig_enabled;
  for (const GpuInstance& instance : have) {
    if (Contains(want, instance) && !Contains(replace_compute, instance)) diff.kept.push_back(instance);
  }
  for (const GpuInstance& instance : Canonical(model, have)) {
    if (Contains(diff.kept, instance)) continue;
    diff.ops.push_back(MigOp{.kind = MigOpKind::kDestroyCi, .instance = instance});
    if (Contains(want, instance)) {
      diff.compute_replaced.push_back(instance);
      continue;
    }
    diff.ops.push_back(MigOp{.kind = MigOpKind::kDestroyGi, .instance = instance});
    diff.destroyed.push_back(instance);
  }
  if (diff.changes_mig_mode) {
    diff.ops.push_back(MigOp{.kind = target.mig_enabled ? MigOpKind::kEnableMig : MigOpKind::kDisableMig,
                             .instance = {}});
  }
  for (const GpuInstance& instance : Canonical(model, want)) {
    if (Contains(diff.kept, instance)) continue;
    if (!Contains(have, instance)) {
      diff.ops.push_back(MigOp{.kind = MigOpKind::kCreateGi, .instance = instance});
    }
    diff.ops.push_back(MigOp{.kind = MigOpKind::kCreateCi, .instance = instance});
  }
  return diff;
}

}  // namespace migsched::geometry
