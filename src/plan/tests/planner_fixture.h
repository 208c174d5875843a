// Test helpers for the planner's tests: workloads and fleets in a line,
// a plan from them, and the invariants every plan keeps.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/fleet.h"
#include "plan/planner.h"
#include "testing/catalog_fixture.h"

namespace migsched::plan {

inline Workload Make(std::string name, int replicas, int64_t memory_mib) {
  Workload w;
  w.name = std::move(name);
  w.replicas = replicas;
  w.memory_mib = memory_mib;
  return w;
}

inline fleet::Fleet Homogeneous(const geometry::GpuModel& model, int count, std::string node = "n") {
  fleet::Fleet f;
  for (int i = 0; i < count; ++i) {
    fleet::FleetGpu gpu;
    gpu.node = node;
    gpu.index = i;
    gpu.model = &model;
    f.gpus.push_back(std::move(gpu));
  }
  return f;
}

// A workload that right-sizes to exactly `profile`: its memory and compute.
inline Workload Exactly(const geometry::GpuModel& model, std::string_view profile, int replicas,
                 std::string name) {
  const geometry::GiProfile& p = model.profiles[static_cast<size_t>(testing::Profile(model, profile))];
  Workload w = Make(std::move(name), replicas, p.memory_mib);
  w.min_compute_slices = p.compute_slices;
  return w;
}

inline Result<PlanResult> Plan(fleet::Fleet fleet, std::vector<Workload> workloads,
                        PlanOptions options = {}) {
  PlanRequest request;
  request.current = std::move(fleet);
  request.workloads = std::move(workloads);
  return PlanFleet(testing::BuiltinCatalogForTest(), request, options);
}

// The invariants every plan keeps: valid layouts, owners known, replicas
// conserved (placed + unplaced == requested).
inline void ExpectSound(const PlanResult& plan, const std::map<std::string, int>& requested) {
  std::map<std::string, int> placed;
  int used = 0;
  for (const fleet::FleetGpu& gpu : plan.target.gpus) {
    const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, fleet::LayoutOf(gpu));
    EXPECT_TRUE(verdict.valid) << gpu.node << " gpu " << gpu.index << ": " << verdict.reason;
    bool in_use = false;
    if (!gpu.mig_enabled) {
      EXPECT_TRUE(gpu.instances.empty());
      if (!gpu.whole_gpu_workload.empty()) ++placed[gpu.whole_gpu_workload];
      in_use = !gpu.whole_gpu_workload.empty() || gpu.whole_gpu_busy;
    }
    for (const fleet::FleetInstance& i : gpu.instances) {
      if (!i.workload.empty()) ++placed[i.workload];
      in_use = in_use || !i.workload.empty() || i.busy;
    }
    used += in_use ? 1 : 0;
  }
  EXPECT_EQ(used, plan.gpus_used);
  std::map<std::string, int> unplaced;
  for (const Unplaced& u : plan.unplaced) unplaced[u.workload] += u.replicas;
  for (const auto& [name, count] : requested) {
    EXPECT_EQ(placed[name] + unplaced[name], count) << name;
  }
  EXPECT_GE(plan.gpus_used + 1e-9, plan.lower_bound);
}

}  // namespace migsched::plan
