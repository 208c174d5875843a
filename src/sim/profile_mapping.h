// How a trace job becomes a scheduler request: its share of a GPU maps to a
// MIG profile by the one request -> profile rule (plan/profile_fit.h, shared
// with the planner and `workloads from-alibaba`). A job whose profile is the
// whole GPU (all compute slices), and every multi-GPU job, runs on whole GPUs
// instead: a gang of num_gpu GPUs. A job that names its profile takes that
// profile on the models that have it (the full-GPU profile: a whole GPU).
#pragma once

#include <optional>
#include <vector>

#include "geometry/gpu_model.h"
#include "sched/request.h"
#include "trace/trace.h"

namespace migsched::sim {

// The scheduler request for `job` on a fleet of `models` (each distinct model
// once, in fleet order): one option per model that can host it, or whole GPUs.
// nullopt when no model of the fleet can run the job at all.
std::optional<sched::Request> RequestForJob(const trace::TraceJob& job,
                                            const std::vector<const geometry::GpuModel*>& models);

}  // namespace migsched::sim
