#include "slurm/task_prolog.h"

#include <algorithm>
#include <thread>

#include "slurm/command_runner.h"
#include "slurm/slurm_jobs.h"

namespace migsched::slurm {

Result<std::string> TaskPrologExports(const std::string& job_id, std::chrono::milliseconds timeout,
                                      const std::string& scontrol) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  constexpr auto kPoll = std::chrono::milliseconds(100);
  while (true) {
    // Each call gets what is left of the timeout (at least a second).
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    Result<std::string> text =
        RunChecked({scontrol, "show", "job", "-o", job_id}, std::max(left, std::chrono::milliseconds(1000)));
    if (!text.has_value()) return text.error();
    Result<std::vector<SlurmJob>> jobs = ParseScontrolJobs(*text);
    if (!jobs.has_value()) return jobs.error();
    if (jobs->empty()) return NotFoundError("scontrol knows no job " + job_id);
    const SlurmJob& job = jobs->front();
    if (job.type.empty()) return std::string();
    if (!job.bound_uuid.empty()) {
      return "export CUDA_VISIBLE_DEVICES=" + job.bound_uuid + "\nexport MIGSCHED_MIG_UUID=" + job.bound_uuid + "\n";
    }
    if (std::chrono::steady_clock::now() + kPoll > deadline) {
      return UnavailableError("no MIG device was bound to job " + job_id + " within " +
                              std::to_string(timeout.count() / 1000) + " s (is migsched serve --slurm running?)");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace migsched::slurm
