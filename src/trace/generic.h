// The generic trace format: any cluster's history as one row per job, in CSV
// (`--trace csv:PATH`, a header line names the columns, in any order) or JSON
// Lines (`--trace jsonl:PATH`, one object per line with the same keys).
// Documented in docs/simulator.md ("Generic traces").
//
//   submit_s     required  arrival, seconds (decimals to the millisecond)
//   duration_s   run time once started, seconds; or
//   end_s        end of the run, seconds (run time = end_s - start_s, or -
//                submit_s when start_s is absent)
//   start_s      optional: when it started in the source cluster
//   num_gpu      optional, default 1; 1..64 (more than one: a gang of whole GPUs)
//   gpu_milli    thousandths of one GPU, 1..1000; and/or
//   memory_mib   GPU memory the job needs (memory alone: the least compute);
//                with neither, num_gpu whole GPUs
//   profile      a standard MIG profile name ("3g.40gb"): exactly that
//                profile, on the models that have it (instead of the three above)
//   name, kind (inference | training), priority (integer), tenant: optional
//
// Example: "name,submit_s,duration_s,gpu_milli\nbert,0,600,250\n".
// Every unusable row is a RowIssue with its line; loading never stops at one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "trace/trace.h"

namespace migsched::trace {

// InvalidArgument "<source>:1: ..." when the header lacks submit_s, both of
// duration_s/end_s, or all of gpu_milli/memory_mib/num_gpu.
Result<Trace> ParseGenericCsv(std::string_view text, const std::string& source);
// Never fails as a whole: a line that is not a JSON object, or lacks a key,
// is a bad row.
Result<Trace> ParseGenericJsonLines(std::string_view text, const std::string& source);

// The demand, in thousandths of a GPU, of a standard profile name
// "<C>g.<M>gb": C sevenths of the GPU's compute (C x 1000 / 7; the metrics'
// share, whatever the model); nullopt when `profile` is not such a name.
std::optional<int> ProfileDemandMilli(std::string_view profile);

// NotFound when the file cannot be read.
Result<Trace> LoadGenericCsv(const std::string& path);
Result<Trace> LoadGenericJsonLines(const std::string& path);

}  // namespace migsched::trace
