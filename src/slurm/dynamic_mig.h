// Dynamic MIG for SLURM, decided: one reconciliation step between SLURM's jobs
// and the MIG devices migsched holds for them.
//
// Every SLURM job that asks for `--gres=mig:<type>:1` gets a migsched job in
// tenant "slurm" (a reservation) that asks the scheduler core for an instance
// of that type; the core places it on an idle instance or repartitions idle
// slices (never an instance in use). SLURM sees, per node and type, as many
// `mig` GRES as that node has ready reservations (the agent reports the
// device), so it starts a job exactly where a device waits. Which pending job
// SLURM starts first is SLURM's choice: a running job is bound to any ready,
// unbound reservation of its type on its node (its own if there), and the
// binding is written into the job (slurm_jobs.h) for its TaskProlog; the job
// whose reservation it took adopts the starter's own. Reservations of jobs
// that are gone are released, not passed on: the core decides who gets the
// slices next. A ready one is first left out of SLURM's count and cancelled
// in the next step if still unused (SLURM may have just started a job on it).
// Pure.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "slurm/slurm_jobs.h"

namespace migsched::slurm {

// The tenant of migsched's reservations for SLURM jobs.
inline constexpr std::string_view kSlurmTenant = "slurm";

struct Reservation {
  std::int64_t id = 0;
  std::string name;
  std::string type;
  bool ready = false;  // the device exists (migsched job `running`)
  std::string node;    // "" while queued
  std::string uuid;
};

struct NodeGres {
  std::string node;
  std::vector<std::string> types;  // every type the node's GPUs can offer
  std::string current;             // Gres= as slurmctld shows it now
};

struct ReconcileInput {
  std::vector<SlurmJob> jobs;
  std::vector<Reservation> reservations;
  std::vector<NodeGres> nodes;
  std::set<std::int64_t> surplus_before;  // ready reservations found surplus by the previous step
  // Types a reservation may ask for (others are problems).
  std::set<std::string, std::less<>> known_types;
};

struct ReconcileActions {
  struct Submit {
    std::string slurm_job, type, name;
  };
  struct Bind {
    std::string slurm_job;
    std::int64_t reservation = 0;
    std::string uuid;
  };
  std::vector<Submit> submit;
  std::vector<std::int64_t> cancel;
  std::vector<Bind> bind;
  std::vector<std::pair<std::string, std::string>> set_gres;  // node, Gres=
  std::vector<std::string> problems;                          // SLURM jobs migsched cannot serve
  std::set<std::int64_t> surplus;                             // for the next step's surplus_before
};

ReconcileActions Reconcile(const ReconcileInput& input);

// The reservation's name for a SLURM job, "slurm/<id>/<submit time>/<type>"
// ("<submit time>.<attempt>" after the first): unique although ids restart
// when a cluster's state is cleared, and it keeps the type of a reservation
// not placed yet.
std::string ReservationName(const SlurmJob& job, int attempt = 1);
// The job a reservation's name belongs to: "slurm/<id>/<submit time>".
std::string OwnerKey(std::string_view name);

// "mig:a100_1g.10gb:2,mig:a100_4g.39gb:0": every type with its count.
std::string GresOf(const std::vector<std::string>& types, const std::vector<int>& counts);
// Whether two Gres= strings give every `mig` type the same count (absent = 0).
bool SameMigCounts(std::string_view a, std::string_view b);

}  // namespace migsched::slurm
