// ControlPlane: the live scheduler service behind `migsched serve`.
//
// HTTP handlers (many threads) hand commands to ONE scheduler thread, which
// applies every command waiting at that moment to the core (sched::Scheduler,
// the same class the simulator drives) and to the in-memory tables, writes
// all their changes to the store in ONE transaction (group commit), and only
// then answers each caller: an acknowledged change is durable, and many
// concurrent requests share one fsync. If the store cannot commit, the
// process stops (a reply would otherwise claim a change the disk lacks); a
// restart rebuilds everything from the store (Scheduler::Restore).
//
// The fleet is what the node agents report: a node's first inventory adds its
// GPUs (their existing instances become idle instances). Each node has a
// desired layout with a generation, computed from the scheduler's instances;
// its agent long-polls it, applies it, and reports the result. A job is
// `starting` once placed and `running` when its node's agent reports its
// instance (with the MIG device UUID). A node whose agent stops reporting is
// cordoned: no new work, its running jobs stay.
//
// Every time here (`now`, waiting_since, updated_at, last_seen, event and
// history times) is milliseconds since the Unix epoch, the core's unit; the
// API's JSON shows them in seconds (api_json.cc).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "daemon/inventory.h"
#include "daemon/job_spec.h"
#include "daemon/metrics_text.h"
#include "daemon/service_metrics.h"
#include "daemon/store.h"
#include "geometry/catalog.h"
#include "sched/scheduler.h"

namespace migsched::daemon {

enum class JobPhase { kQueued, kStarting, kRunning, kFinished, kFailed };
std::string_view JobPhaseName(JobPhase phase);
std::optional<JobPhase> ParseJobPhase(std::string_view name);

// A job as the API shows it.
struct JobInfo {
  sched::JobId id = 0;
  std::string name, tenant;
  int priority = 0;
  std::string kind;
  JobPhase phase = JobPhase::kQueued;
  std::string node;  // "" while queued
  int gpu = -1;      // GPU index on its node
  std::string profile;  // MIG profile, "whole" for whole GPUs, "" while queued
  int start = -1;
  int gpus = 0;      // whole-GPU gang size
  std::string mig_uuid;
  std::string reason;
  std::int64_t waiting_since = 0;
  std::int64_t updated_at = 0;
};

// The tenant of the jobs that hold instances for something outside migsched
// (ReportExternalHolds).
inline constexpr std::string_view kExternalHoldTenant = "external";

// What ReportExternalHolds made of a node's report.
struct ExternalHolds {
  struct Held {
    std::string mig_uuid;
    JobInfo job;  // the job that holds it: an external hold, or a job of migsched's own
  };
  std::vector<Held> held;             // every reported instance the node has
  std::vector<std::string> unknown;   // reported UUIDs of no instance on the node
  std::vector<JobInfo> released;      // external holds the report no longer lists
};

struct SubmitOutcome {
  enum class Kind { kCreated, kReplayed, kConflict } kind = Kind::kCreated;
  JobInfo job;
};

// An event for SSE subscribers and the dashboard: type job|repartition|agent|node.
struct ServiceEvent {
  std::int64_t seq = 0;
  std::int64_t at = 0;
  std::string type;
  std::string json;  // the data line
  std::string text;  // one line for people
};

struct ControlPlaneOptions {
  sched::Options scheduler;              // policy, reconfiguration delay
  std::chrono::milliseconds tick{250};   // health checks (repartitions complete at their ready_at)
  std::chrono::seconds agent_timeout{15};  // no report for this long: node lost, cordoned
  std::size_t max_batch = 4096;          // commands per transaction
  // Milliseconds (the core's unit); default: the system clock's since the Unix epoch.
  std::function<std::int64_t()> clock = {};
  // After every batch, check the state's invariants (CheckInvariants) and
  // stop the process on a violation: for tests and canaries.
  bool check_invariants = false;
};

// The fleet as the API shows it.
struct FleetView {
  struct Instance {
    std::string profile;
    int start = 0;
    int size = 0;
    std::uint64_t job = 0;
    bool busy = false;
    std::string mig_uuid;
    bool exists = false;  // the agent reports it
    int gi_id = -1;       // NVML ids of the reported GPU and compute instance; -1 until it exists
    int ci_id = -1;
  };
  struct Gpu {
    int index = 0;
    std::string uuid;  // as the agent reports it; "" before its first report
    std::string model;
    bool mig_enabled = true;
    int memory_slices = 0, held_slices = 0, idle_slices = 0, free_slices = 0, stranded_slices = 0;
    std::uint64_t whole_job = 0;
    std::vector<Instance> instances;
  };
  struct Node {
    std::string name;
    bool healthy = true;
    bool cordoned = false;
    std::int64_t last_seen = 0;
    std::int64_t generation = 0, applied_generation = 0;
    std::string apply_error;
    std::vector<Gpu> gpus;
  };
  std::vector<Node> nodes;
  sched::FleetUsage totals;
  std::size_t starting = 0;
};

class ControlPlane {
 public:
  // Opens nothing itself: `store` is open; its contents rebuild the state.
  static Result<std::unique_ptr<ControlPlane>> Start(const geometry::Catalog& catalog,
                                                     std::unique_ptr<Store> store,
                                                     ControlPlaneOptions options);
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Each returns once the change is durable.
  Result<SubmitOutcome> Submit(JobSpec spec);
  Result<JobInfo> Cancel(sched::JobId id);  // NotFound; finished jobs stay finished
  // A node agent's report; the node's desired layout comes back.
  Result<DesiredLayout> ReportInventory(NodeInventory inventory);
  // The MIG instances (by MIG device UUID) that something outside migsched
  // uses on `node` now (Kubernetes pods, as the node's device plugin learns
  // from kubelet): the complete list, replacing the last report. An idle
  // instance listed gets a job of tenant kExternalHoldTenant pinned to it, so
  // no repartition destroys it; an instance a job already holds stays so; an
  // external hold whose instance is no longer listed is released (queued
  // jobs may then take its slices). NotFound for a node no agent reported.
  Result<ExternalHolds> ReportExternalHolds(const std::string& node, const std::vector<std::string>& mig_uuids);

  // Reads (see the latest applied state).
  std::optional<JobInfo> Job(sched::JobId id) const;
  std::vector<JobInfo> Jobs(std::optional<JobPhase> phase, std::size_t limit) const;
  FleetView Fleet() const;
  fleet::Fleet SchedulerFleet() const;  // with job names, for SVGs and `fleet export`
  // Waits until the node's generation passes `after` or `wait` ends.
  Result<DesiredLayout> WaitDesired(const std::string& node, std::int64_t after,
                                    std::chrono::milliseconds wait) const;
  // Events after `seq` (at most `limit`), waiting up to `wait` for one.
  std::vector<ServiceEvent> EventsAfter(std::int64_t seq, std::size_t limit,
                                        std::chrono::milliseconds wait) const;
  std::int64_t LastEventSeq() const;

  struct HistorySample {
    std::int64_t t = 0;
    std::int64_t memory_slices = 0, held_slices = 0, idle_slices = 0, stranded_slices = 0;
    std::size_t queued = 0;
  };
  std::vector<HistorySample> History() const;
  const std::string& policy() const { return options_.scheduler.policy; }
  std::int64_t started_at() const { return started_at_; }
  std::int64_t Now() const { return options_.clock(); }

  // Prometheus families of the scheduler's state (per GPU, per profile, queue).
  void WriteMetrics(MetricsText& out) const;
  ServiceMetrics& metrics() { return metrics_; }
  const ServiceMetrics& metrics() const { return metrics_; }

  Status Backup(const std::string& path);

  // The invariants the scheduler's property tests check, on the live state:
  // every desired layout is valid for its model; every placed job's
  // instances are in its GPU's desired layout, held by it, and every held
  // instance belongs to an active job; the core's queue and running counts
  // match the jobs' states. The first violation, named.
  Status CheckInvariants() const;

 private:
  struct LiveJob;
  struct LiveNode;
  struct Batch;
  ControlPlane(const geometry::Catalog& catalog, std::unique_ptr<Store> store, ControlPlaneOptions options);

  // Submit and Cancel on the scheduler thread (in a batch).
  Result<SubmitOutcome> SubmitLocked(JobSpec spec, std::optional<sched::Request::Pin> pinned);
  Result<JobInfo> CancelLocked(LiveJob& job);
  // An external hold on the idle instance at `where` (a GPU of `node`).
  Result<JobInfo> HoldExternally(const LiveNode& node, const sched::Placement& where, const std::string& mig_uuid);
  sched::JobId HolderOf(const sched::Placement& where) const;  // the job holding a busy instance

  Status Load();
  Status RebuildScheduler(std::vector<fleet::FleetGpu> extra_gpus);
  void Run();
  // Runs `apply` on the scheduler thread in the next batch; returns once
  // the batch is durable.
  Status Execute(std::function<void()> apply);

  Status CheckInvariantsLocked() const;
  void Commit(std::size_t commands);  // the batch's store transaction; stops the process on failure
  // On the scheduler thread, under state_mutex_:
  void ApplyDecisions(const std::vector<sched::Decision>& decisions, std::int64_t now);
  void MarkGpuChanged(int fleet_gpu);
  static std::size_t PositionOnNode(const LiveNode& node, int fleet_gpu);  // index into fleet_gpus/desired
  std::vector<const LiveNode*> NodesInJoinOrder() const;
  void SetPhase(LiveJob& job, JobPhase phase);  // keeps the index in step
  void Index(const LiveJob& job);
  void Unindex(const LiveJob& job);
  std::size_t CountIn(JobPhase phase) const;
  void Hold(const LiveJob& job);    // gpu_jobs_ learns where the job is
  void Unhold(const LiveJob& job);
  void SettleChangedGpus();
  void UpdateRunning(LiveNode& node, std::int64_t now);
  void CompleteRepartitions(std::int64_t now);  // those whose ready_at <= now start
  void Tick(std::int64_t now);
  void AddEvent(std::int64_t now, std::string type, std::string text, std::string json);
  JobInfo InfoOf(const LiveJob& job) const;
  DesiredLayout DesiredOf(const LiveNode& node) const;
  void StoreJob(const LiveJob& job);
  void StoreNode(const LiveNode& node);

  const geometry::Catalog& catalog_;
  std::unique_ptr<Store> store_;
  ControlPlaneOptions options_;
  std::int64_t started_at_ = 0;
  ServiceMetrics metrics_;

  // The command queue (handlers -> scheduler thread).
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<std::shared_ptr<Batch>> batches_;  // open batches, oldest first
  bool stopping_ = false;

  // The state: written by the scheduler thread, read by handlers.
  mutable std::shared_mutex state_mutex_;
  mutable std::condition_variable_any changed_cv_;  // generations and events
  std::optional<sched::Scheduler> scheduler_;
  std::unordered_map<sched::JobId, std::unique_ptr<LiveJob>> jobs_;
  std::unordered_map<std::string, sched::JobId> job_by_key_;  // tenant \0 name
  std::array<std::set<sched::JobId>, 5> by_phase_;  // active jobs' ids by JobPhase
  std::array<std::size_t, 2> ended_count_{};         // finished, failed
  std::map<std::string, std::unique_ptr<LiveNode>> nodes_;
  std::vector<std::pair<LiveNode*, int>> gpu_owner_;  // fleet GPU -> (node, index on node)
  std::vector<const geometry::GpuModel*> gpu_model_;  // fleet GPU -> model
  std::vector<std::vector<sched::JobId>> gpu_jobs_;  // fleet GPU -> jobs holding part of it
  std::int64_t last_now_ = 0;
  sched::JobId next_job_id_ = 1;
  std::uint64_t next_queue_seq_ = 1;
  std::int64_t next_event_seq_ = 1;
  std::deque<ServiceEvent> recent_events_;
  std::deque<HistorySample> history_;
  std::int64_t last_sample_ = 0;

  // Pending writes of the batch being applied.
  StoreBatch batch_;
  std::vector<sched::JobId> dirty_jobs_;
  std::vector<int> changed_gpus_;

  std::thread thread_;
};

}  // namespace migsched::daemon
