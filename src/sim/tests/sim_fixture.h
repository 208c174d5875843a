// Test helpers shared by the simulator's tests: fleets from a spec, trace
// jobs by hand, prepared jobs, and a spec running every policy.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fleet/fleet.h"
#include "sim/fleet_spec.h"
#include "sim/sim_job.h"
#include "sim/simulation.h"
#include "testing/catalog_fixture.h"
#include "trace/trace.h"

namespace migsched::sim::testing {

inline fleet::Fleet Fleet(const std::string& spec) {
  return ParseFleetSpec(spec, ::migsched::testing::BuiltinCatalogForTest()).value();
}

// A job arriving at `submit_s` for `duration_s`; whole-GPU and multi-GPU jobs are training.
inline trace::TraceJob Job(int64_t submit_s, int64_t duration_s, int gpu_milli, int num_gpu = 1) {
  trace::TraceJob job;
  job.submit_ms = submit_s * 1000;
  job.duration_ms = duration_s * 1000;
  job.gpu_milli = gpu_milli;
  job.num_gpu = num_gpu;
  job.kind = num_gpu == 1 && gpu_milli < 1000 ? trace::JobKind::kInference : trace::JobKind::kTraining;
  return job;
}

inline std::vector<SimJob> Jobs(std::vector<trace::TraceJob> list, const fleet::Fleet& fleet) {
  trace::Trace trace;
  trace.jobs = std::move(list);
  trace::SortAndNumber(trace.jobs);
  return PrepareJobs(trace, fleet);
}

inline SimulationSpec AllPolicies(Mode mode) {
  SimulationSpec spec;
  spec.mode = mode;
  spec.policies = SimPolicyNames();
  return spec;
}

}  // namespace migsched::sim::testing
