// Right-sizing: for one workload on one GPU model, the cheapest way to run it.
//
// Rule (issue 3): the one request -> profile rule (plan/profile_fit.h) for a
// need of the workload's memory plus `headroom_pct` and min_compute_slices:
// among the standard profiles (no +me/-me/+gfx variants) the one with the
// fewest compute slices, then the least memory. Example on H100-80GB: 9 GiB -> 1g.10gb;
// 11 GiB -> 1g.20gb (1 slice beats 2g.20gb's 2). With a demand in requests/s
// and a perf table, every fitting profile p gets replicas n = ceil(demand /
// throughput(p)) (skipping p whose p99 exceeds max_latency_ms) and the
// cheapest n x slices(p) wins (ties: less memory, then fewer replicas).
// Training, and needs larger than the biggest profile, take whole GPUs with
// MIG disabled; a need larger than the GPU's memory does not fit the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geometry/catalog.h"
#include "geometry/gpu_model.h"
#include "plan/perf_table.h"
#include "plan/workload.h"

namespace migsched::plan {

struct RightSizingOptions {
  int headroom_pct = 0;  // extra memory on top of each workload's need, in percent
};

// How a workload runs on one model.
struct SizingChoice {
  const geometry::GpuModel* model = nullptr;
  std::optional<int> profile;  // index into model->profiles; nullopt = whole GPU, MIG disabled
  int replicas = 0;            // instances (or whole GPUs) needed on this model
  int compute_slices = 0;      // per replica (the model's total for a whole GPU)
  int memory_slices = 0;       // per replica
  std::string explanation;     // one line for --explain

  bool whole_gpu() const { return !profile.has_value(); }
};

// The verdict for one (workload, model): a choice, or why there is none.
struct SizingOutcome {
  std::optional<SizingChoice> choice;
  std::string reason;  // why it does not fit this model (not naming it); empty with a choice
};

// Why a workload does not run on a model, or (model empty) anywhere.
struct SizingRejection {
  std::string model;
  std::string reason;
  std::string ToString() const { return model.empty() ? reason : model + ": " + reason; }
};

SizingOutcome RightSize(const geometry::GpuModel& model, const Workload& workload,
                        const PerfTable* perf, const RightSizingOptions& options);

// A workload's choices on every model it may use (allowed and present in the
// catalog), in catalog order, plus the rejected models with their reasons.
struct WorkloadSizing {
  std::string workload;
  std::vector<std::string> require_labels;  // the workload's: only GPUs carrying them
  std::vector<SizingChoice> choices;
  std::vector<SizingRejection> rejections;  // {"A30-24GB", "needs 30720 MiB, more than ..."}
};

WorkloadSizing RightSizeOnModels(const std::vector<const geometry::GpuModel*>& models,
                                 const Workload& workload, const PerfTable* perf,
                                 const RightSizingOptions& options);

}  // namespace migsched::plan
