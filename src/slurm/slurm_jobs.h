// SLURM's jobs as the dynamic-MIG adapter needs them, read from
// `scontrol show job -o` (one job per line, "Key=Value" fields; Debian's
// Slurm 22.05 has no JSON output without its data_parser plugins). Only jobs
// that ask for GRES `mig` matter; the binding of a running job to its MIG
// device is kept in the job's AdminComment ("migsched:<job id>:<uuid>"), so
// it survives restarts of migsched and of slurmctld.
// Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched::slurm {

// The GRES name migsched manages: count-only (no File=), so its per-node counts
// can change at runtime (`scontrol update NodeName=.. Gres=..`), which Slurm
// refuses for gres/gpu with device files.
inline constexpr std::string_view kGresName = "mig";

struct SlurmJob {
  enum class State { kPending, kRunning, kOther };
  std::string id;
  State state = State::kOther;
  std::string type;   // the `mig` GRES type asked for; "" if none
  int count = 0;      // how many of it per node
  std::string node;   // where it runs ("" while pending)
  std::string submit_time;  // as Slurm prints it: with the id, unique across cluster resets
  std::optional<std::int64_t> bound_job;  // the migsched job whose device it uses
  std::string bound_uuid;
};

// Reads `scontrol show job -o`. Lines without JobId are skipped ("No jobs in
// the system"); a job line without JobState is an InvalidArgument naming it.
// A job's `mig` type and count are its TresPerNode's (the last `mig` item).
Result<std::vector<SlurmJob>> ParseScontrolJobs(std::string_view text);

// "migsched:<job>:<uuid>" and back.
std::string BindingComment(std::int64_t migsched_job, std::string_view uuid);

// The `mig` items of a GRES list: TresPerNode's "gres:mig:a100_3g.39gb:1" or a
// node's "mig:a100_3g.39gb:2(S:0)", several joined by ','; other GRES are
// skipped, a type without a count counts 1.
struct MigGres {
  std::string type;
  int count = 1;
};
std::vector<MigGres> ParseMigGres(std::string_view list);

// Each node's Gres= from `scontrol show node -o` ("" for "(null)" or none).
std::map<std::string, std::string, std::less<>> ParseScontrolNodeGres(std::string_view text);

}  // namespace migsched::slurm
