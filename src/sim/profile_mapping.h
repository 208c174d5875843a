// How a trace's fractional GPU request becomes a MIG request.
//
// The rule: the smallest standard profile (no media-engine suffix) whose
// compute share AND memory share both cover the request. With gpu_milli = m
// and no stated memory, a profile of c of C compute slices and s of S memory
// slices covers the job when c/C >= m/1000 and s/S >= m/1000; a stated memory
// need replaces the second test by "profile MiB >= need". "Smallest" orders by
// memory slices, then compute slices. On an H100-80GB (C = 7, S = 8):
//   100 -> 1g.10gb   140 -> 1g.20gb   250 -> 2g.20gb   420 -> 3g.40gb
//   460 -> 4g.40gb (3/7 = 0.43 < 0.46)  650 -> 7g.80gb (4/7 = 0.57 < 0.65)
// A job whose profile is the whole GPU (all compute slices), and every
// multi-GPU job, runs on whole GPUs instead: a gang of num_gpu GPUs.
#pragma once

#include <optional>
#include <vector>

#include "geometry/gpu_model.h"
#include "sched/request.h"
#include "trace/trace.h"

namespace migsched::sim {

// The profile index the rule picks on `model`, or nullopt when no profile
// covers the request (e.g. more memory than the GPU has).
std::optional<int> SmallestCoveringProfile(const geometry::GpuModel& model, int gpu_milli,
                                           int64_t gpu_memory_mib);

// The scheduler request for `job` on a fleet of `models` (each distinct model
// once, in fleet order): one option per model that can host it, or whole GPUs.
// nullopt when no model of the fleet can run the job at all.
std::optional<sched::Request> RequestForJob(const trace::TraceJob& job,
                                            const std::vector<const geometry::GpuModel*>& models);

}  // namespace migsched::sim
