// The control plane's live records of jobs and nodes (ControlPlane::LiveJob,
// LiveNode): private to its implementation files (control_plane.cc,
// control_plane_holds.cc), which the scheduler thread runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/control_plane.h"
#include "daemon/inventory.h"
#include "daemon/job_spec.h"

namespace migsched::daemon {

struct ControlPlane::LiveJob {
  sched::JobId id = 0;
  std::string tenant, name, spec_json;
  JobSpec spec;  // parsed (options point into the catalog)
  JobPhase phase = JobPhase::kQueued;
  std::vector<sched::Placement> where;
  std::vector<bool> preset;  // per placement: a preset instance (goes back to idle on release)
  std::string reason, mig_uuid;
  std::uint64_t queue_seq = 0;
  std::int64_t waiting_since = 0, ready_at = 0, updated_at = 0;
  std::int64_t needs_generation = 0;  // starting: the node generation that holds its instance
};

struct ControlPlane::LiveNode {
  std::string name;
  std::int64_t position = 0;
  std::vector<int> fleet_gpus;  // by index on the node
  std::vector<DesiredGpu> desired;
  std::int64_t generation = 0;
  std::int64_t last_seen = 0;
  bool healthy = true;
  bool cordoned = false;
  NodeInventory inventory;
  std::string inventory_json;  // as stored: written again with each generation, serialised once
  bool bumped = false;  // generation raised in this batch
  std::chrono::steady_clock::time_point bumped_at{};
};

}  // namespace migsched::daemon
