#include "slurm/dynamic_mig.h"

#include <algorithm>
#include <map>

namespace migsched::slurm {
namespace {

std::map<std::string, int, std::less<>> MigCounts(std::string_view gres) {
  std::map<std::string, int, std::less<>> out;
  for (MigGres& item : ParseMigGres(gres)) {
    if (item.count > 0) out[std::move(item.type)] += item.count;
  }
  return out;
}

}  // namespace

std::string ReservationName(const SlurmJob& job, int attempt) {
  return "slurm/" + job.id + "/" + job.submit_time + (attempt > 1 ? "." + std::to_string(attempt) : "") + "/" +
         job.type;
}

std::string OwnerKey(std::string_view name) {
  const std::size_t type = name.rfind('/');
  name = name.substr(0, type == std::string_view::npos ? 0 : type);
  const std::size_t attempt = name.rfind('.');
  return std::string(attempt == std::string_view::npos || attempt < name.rfind('/') ? name : name.substr(0, attempt));
}

std::string GresOf(const std::vector<std::string>& types, const std::vector<int>& counts) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (!out.empty()) out += ',';
    out += std::string(kGresName) + ":" + types[i] + ":" + std::to_string(counts[i]);
  }
  return out;
}

bool SameMigCounts(std::string_view a, std::string_view b) { return MigCounts(a) == MigCounts(b); }

ReconcileActions Reconcile(const ReconcileInput& input) {
  ReconcileActions out;
  std::map<std::int64_t, const Reservation*> by_id;
  std::set<std::string, std::less<>> names;
  for (const Reservation& r : input.reservations) {
    by_id.emplace(r.id, &r);
    names.insert(r.name);
  }

  // Running jobs keep their binding; new ones take a ready, unbound
  // reservation of their type on their node, their own first.
  std::set<std::int64_t> bound;
  std::vector<const SlurmJob*> unbound_running;
  std::map<std::string, std::vector<const SlurmJob*>, std::less<>> pending;  // by type
  for (const SlurmJob& job : input.jobs) {
    if (job.type.empty() || job.state == SlurmJob::State::kOther) continue;
    if (!input.known_types.contains(job.type) || job.count != 1) {
      out.problems.push_back("SLURM job " + job.id + " asks for " + std::to_string(job.count) + " x " +
                             std::string(kGresName) + ":" + job.type +
                             (job.count != 1 ? ": migsched serves one MIG device per job"
                                             : ": no GPU model of the catalog offers that type"));
      continue;
    }
    if (job.state == SlurmJob::State::kPending) {
      pending[job.type].push_back(&job);
    } else if (job.bound_job && by_id.contains(*job.bound_job)) {
      bound.insert(*job.bound_job);
    } else {
      unbound_running.push_back(&job);
    }
  }
  for (const SlurmJob* job : unbound_running) {
    const Reservation* chosen = nullptr;
    for (const Reservation& r : input.reservations) {
      if (!r.ready || r.node != job->node || r.type != job->type || bound.contains(r.id)) continue;
      if (chosen == nullptr || OwnerKey(r.name) == OwnerKey(ReservationName(*job))) chosen = &r;
    }
    if (chosen == nullptr) {
      out.problems.push_back("SLURM job " + job->id + " runs on " + job->node + " with " + std::string(kGresName) +
                             ":" + job->type + " but migsched holds no free device of that type there");
      continue;
    }
    bound.insert(chosen->id);
    out.bind.push_back({job->id, chosen->id, chosen->uuid});
  }

  // Each pending job keeps its own unbound reservation; one whose own was
  // taken by another job (the swap above) adopts that job's. Reservations of
  // jobs that are gone are released — not handed to other pending jobs, so
  // that the core, not the order SLURM starts jobs in, decides who gets the
  // slices next (its priorities and backfill hold).
  std::map<std::string, std::vector<const Reservation*>, std::less<>> unbound;
  for (const Reservation& r : input.reservations) {
    if (!bound.contains(r.id)) unbound[r.type].push_back(&r);
  }
  std::set<std::string, std::less<>> running_owners;  // OwnerKey of running jobs
  for (const SlurmJob& job : input.jobs) {
    if (job.state == SlurmJob::State::kRunning) running_owners.insert(OwnerKey(ReservationName(job)));
  }
  std::set<std::int64_t> released;  // cancelled now, or surplus (SLURM's count drops first)
  const auto release = [&](const Reservation* r) {
    released.insert(r->id);
    if (r->ready && !input.surplus_before.contains(r->id)) {
      out.surplus.insert(r->id);  // SLURM may have just started a job on it; the next step sees that
    } else {
      out.cancel.push_back(r->id);
    }
  };
  std::set<std::string, std::less<>> types;
  for (const auto& [type, list] : pending) types.insert(type);
  for (const auto& [type, list] : unbound) types.insert(type);
  for (const std::string& type : types) {
    std::set<std::string, std::less<>> pending_owners;
    for (const SlurmJob* job : pending[type]) pending_owners.insert(OwnerKey(ReservationName(*job)));
    std::set<std::string, std::less<>> served;  // pending owners with their own reservation
    std::vector<const Reservation*> adoptable;
    for (const Reservation* r : unbound[type]) {
      const std::string owner = OwnerKey(r->name);
      if (pending_owners.contains(owner) && served.insert(owner).second) continue;
      if (running_owners.contains(owner)) {
        adoptable.push_back(r);
      } else {
        release(r);
      }
    }
    // Adopt ready ones first, then in submission order.
    std::stable_sort(adoptable.begin(), adoptable.end(),
                     [](const Reservation* a, const Reservation* b) { return a->ready && !b->ready; });
    std::size_t next = 0;
    for (const SlurmJob* job : pending[type]) {
      const std::string name = ReservationName(*job);
      if (served.contains(OwnerKey(name))) continue;
      if (next < adoptable.size()) {
        ++next;
        continue;
      }
      int attempt = 1;  // the job's own name may be held by another job already
      std::string unique = name;
      while (names.contains(unique)) unique = ReservationName(*job, ++attempt);
      out.submit.push_back({job->id, type, unique});
    }
    for (; next < adoptable.size(); ++next) release(adoptable[next]);
  }

  // SLURM's counts: the ready reservations on each node.
  for (const NodeGres& node : input.nodes) {
    std::vector<int> counts(node.types.size(), 0);
    for (const Reservation& r : input.reservations) {
      if (!r.ready || r.node != node.node || released.contains(r.id)) continue;
      const auto it = std::find(node.types.begin(), node.types.end(), r.type);
      if (it != node.types.end()) ++counts[static_cast<std::size_t>(it - node.types.begin())];
    }
    std::string gres = GresOf(node.types, counts);
    if (!SameMigCounts(gres, node.current)) out.set_gres.emplace_back(node.node, std::move(gres));
  }
  return out;
}

}  // namespace migsched::slurm
