// What `migsched slurm task-prolog` (slurm.conf TaskProlog=) prints for a
// task: Slurm runs it before each task and applies its "export NAME=VALUE"
// lines to the task's environment. For a job with a `mig` GRES it waits for
// the serve adapter's binding (the job's AdminComment, slurm_jobs.h) and
// exports the MIG device's UUID as CUDA_VISIBLE_DEVICES; Slurm cannot set
// it itself (count-only GRES have no device files, and Slurm 22.05 without
// NVML knows no MIG UUIDs).
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"

namespace migsched::slurm {

// The export lines for job `job_id` ("" for a job without a `mig` GRES).
// Polls `scontrol show job -o JOB` until the binding appears; Unavailable
// after `timeout` without one.
Result<std::string> TaskPrologExports(const std::string& job_id, std::chrono::milliseconds timeout,
                                      const std::string& scontrol = "scontrol");

}  // namespace migsched::slurm
