// Slurm accounting history as a trace: the output of
//   sacct --allusers --parsable2 --starttime ...
//         --format=JobID,JobName,Account,Submit,Start,End,AllocTRES
// (pipe-separated, a header line naming the columns in any order; JobID,
// Submit, Start, End and AllocTRES are required, JobName, Account, User and
// Priority used when present). A job's GPUs come from AllocTRES:
// `gres/gpu=N` is N whole GPUs; a typed `gres/gpu:<type>=1` whose type ends
// in a MIG profile name (`1g.10gb`, `a100_3g.40gb`) is that MIG profile.
// Submit is the arrival; run time = End - Start.
//
// Job steps (JobID with a dot: 123.batch, 123.0) are part of their job and
// skipped; jobs with no GPU are counted in cpu_only_rows; a job that never
// started or is still running, a malformed time or TRES is a RowIssue with
// its line. Times are seconds from the earliest submit.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "trace/trace.h"

namespace migsched::trace {

// InvalidArgument "<source>:1: ..." when the header lacks a required column.
Result<Trace> ParseSacct(std::string_view text, const std::string& source);

// The MIG profile at the end of a Slurm GPU type ("a100_1g.10gb" -> "1g.10gb"),
// or "" when the type names no profile. Shared with the Kubernetes importer.
std::string MigProfileOfType(std::string_view type);

// Shifts every job's submit time so that the earliest is 0, then orders and
// numbers them (SortAndNumber).
void StartAtZero(Trace& trace);

// Sets what an imported job asks for: one MIG device of `mig_profile` (an
// inference-sized share, unless the profile is the whole GPU), or else
// `whole_gpus` whole GPUs (training). Shared with the Kubernetes importer.
void SetRequestedGpus(TraceJob& job, const std::string& mig_profile, int whole_gpus);

}  // namespace migsched::trace
