// The trace model: jobs as a cluster trace records them (arrival, run time,
// fractional GPU request), independent of any GPU model or scheduler. Loaders
// (alibaba2023.h) and the synthetic generator (synthetic.h) produce a Trace;
// the simulator maps its jobs to MIG requests.
//
// Times are integer milliseconds from the trace's origin; a fractional GPU is
// `gpu_milli` thousandths of one GPU's compute.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace migsched::trace {

enum class JobKind {
  kInference,  // shares a GPU: one GPU, gpu_milli < 1000
  kTraining,   // whole GPUs: gpu_milli == 1000, possibly a gang of num_gpu
};
std::string_view JobKindName(JobKind kind);

struct TraceJob {
  int64_t id = 0;           // position in the trace (0-based), stable across runs
  std::string name;         // the trace's own name for the job, for reports
  int64_t submit_ms = 0;    // arrival time
  int64_t duration_ms = 0;  // run time once started (>= 0)
  int gpu_milli = 0;        // per GPU, 1..1000
  int num_gpu = 1;          // >= 1; more than one means a gang of whole GPUs
  int64_t gpu_memory_mib = 0;  // 0: unknown, taken as gpu_milli's share of the GPU
  // A named MIG profile ("3g.40gb"): the job runs on exactly that profile, on
  // the models that have it; "" = mapped from gpu_milli / memory (generic traces).
  std::string profile;
  JobKind kind = JobKind::kInference;
  int source_line = 0;      // 1-based line in the source file; 0 when generated
  int priority = 0;         // higher runs first (generic traces)
  std::string tenant;       // "" = none (generic traces)

  // GPU demand in thousandths of a GPU: gpu_milli * num_gpu.
  int64_t DemandMilli() const { return int64_t{gpu_milli} * num_gpu; }
};

// A row the loader could not use, kept so that nothing is lost silently.
struct RowIssue {
  int line = 0;        // 1-based line in the file
  std::string reason;  // e.g. "negative deletion_time -5"
};

struct Trace {
  std::string source;            // file name or generator spec
  std::vector<TraceJob> jobs;    // ordered by (submit_ms, source order); ids follow that order
  std::vector<RowIssue> bad_rows;
  int64_t cpu_only_rows = 0;     // well-formed rows that ask for no GPU (not GPU jobs)
};

// Orders jobs by (submit_ms, id) and renumbers ids 0..n-1 in that order.
void SortAndNumber(std::vector<TraceJob>& jobs);

}  // namespace migsched::trace
