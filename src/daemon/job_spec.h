// JobSpec: what a client asks `POST /v1/jobs` to run, read strictly from its
// JSON body and turned into the scheduler's Request.
//
//   {"name": "bert-1", "tenant": "ml", "priority": 5, "kind": "inference",
//    "memory_mib": 9000, "min_compute_slices": 1, "model": "H100-80GB"}
//   {"name": "sdxl", "profile": "3g.40gb"}
//   {"name": "train", "gpus": 2, "kind": "training"}
//
// Exactly one of memory_mib (right-sized to the cheapest profile on every
// model, plan::RightSize), profile (that profile name on every model that has
// it) or gpus (a gang of whole GPUs). `name` is the idempotency key within a
// tenant: the same body again is the same job.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "geometry/catalog.h"
#include "sched/request.h"

namespace migsched::daemon {

struct JobSpec {
  std::string name;
  std::string tenant;
  int priority = 0;
  sched::JobKind kind = sched::JobKind::kInference;
  std::int64_t memory_mib = 0;  // 0: not given
  std::string profile;          // "": not given
  int min_compute_slices = 0;
  int gpus = 0;                 // > 0: whole-GPU gang
  std::string model;            // "": any model
  std::vector<sched::ProfileOption> options;  // right-sized, best first
  // The body's fields in a fixed order: two bodies that mean the same job
  // have the same canonical text (the idempotency check compares it).
  std::string canonical_json;
};

// A bad body: the JSON path of the field at fault ("$.memory_mib", "$" for
// the whole body) and what is wrong with it.
struct SpecError {
  std::string field;
  std::string message;
};

// Reads a POST /v1/jobs body. Unknown keys, wrong types, out-of-range numbers,
// unknown profiles or models, and no size at all are SpecErrors.
struct ParsedSpec {
  bool ok() const { return error.message.empty(); }
  JobSpec spec;
  SpecError error;
};
ParsedSpec ParseJobSpec(std::string_view body, const geometry::Catalog& catalog);

// The spec as the scheduler's request for job `id`.
sched::Request ToRequest(const JobSpec& spec, sched::JobId id);

// "inference" | "training".
std::string_view JobKindName(sched::JobKind kind);

}  // namespace migsched::daemon
