// The SLURM adapter of `migsched serve --slurm`: a thread that, every
// interval, reads SLURM's jobs and nodes with the installed `scontrol`,
// decides one dynamic_mig.h reconciliation step against the control plane's
// reservations, and carries it out — reservations submitted to or cancelled
// in the control plane (the core places them, repartitioning idle slices;
// the node agents create the devices), bindings written into the jobs'
// AdminComment, and the nodes' `mig` GRES counts set with
// `scontrol update NodeName=.. Gres=..`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string>
#include <thread>

#include "common/status.h"
#include "daemon/control_plane.h"
#include "engines/slurm_type_table.h"
#include "geometry/catalog.h"

namespace migsched::slurm {

struct SlurmAdapterOptions {
  std::chrono::milliseconds interval{250};
  std::string scontrol = "scontrol";  // found on PATH; SLURM_CONF from the environment
};

class SlurmAdapter {
 public:
  // Checks that slurmctld answers (`scontrol ping`), then starts the thread.
  // Problems (an unknown type, a failed scontrol) go to `log`, once each.
  static Result<std::unique_ptr<SlurmAdapter>> Start(daemon::ControlPlane& plane, const geometry::Catalog& catalog,
                                                     SlurmAdapterOptions options, std::ostream& log);
  ~SlurmAdapter();
  SlurmAdapter(const SlurmAdapter&) = delete;
  SlurmAdapter& operator=(const SlurmAdapter&) = delete;

 private:
  SlurmAdapter(daemon::ControlPlane& plane, const geometry::Catalog& catalog, SlurmAdapterOptions options,
               std::ostream& log);
  void Run();
  Status Step();
  void Report(const std::string& problem);

  daemon::ControlPlane& plane_;
  const geometry::Catalog& catalog_;
  engines::SlurmTypeTable types_;
  SlurmAdapterOptions options_;
  std::ostream& log_;
  std::set<std::int64_t> surplus_;
  std::set<std::string> reported_, reported_now_;

  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace migsched::slurm
