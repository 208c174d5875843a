#include "daemon/control_plane.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include "daemon/control_plane_live.h"
#include "daemon/json_text.h"
#include "daemon/one_shot_event.h"
#include "geometry/layout.h"

namespace migsched::daemon {
namespace {

using nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kRecentEvents = 2000;
constexpr std::size_t kHistorySamples = 720;
constexpr std::int64_t kHistoryEveryMs = 5000;  // between utilisation samples

// The core's clock: milliseconds since the Unix epoch (the store and the API
// keep wall-clock times, which survive a restart).
std::int64_t SystemMilliseconds() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Key(const std::string& tenant, const std::string& name) { return tenant + '\0' + name; }

bool Active(JobPhase phase) { return phase != JobPhase::kFinished && phase != JobPhase::kFailed; }

std::string PlacementJson(const std::vector<sched::Placement>& where, const std::vector<bool>& preset) {
  std::string out = "[";
  for (std::size_t i = 0; i < where.size(); ++i) {
    JsonObjectText item;
    item.Int("gpu", where[i].gpu).Int("profile", where[i].profile).Int("start", where[i].start);
    if (i < preset.size() && preset[i]) item.Bool("preset", true);
    if (i > 0) out += ',';
    out += item.Done();
  }
  return out + "]";
}

struct StoredPlacement {
  std::vector<sched::Placement> where;
  std::vector<bool> preset;
};

Result<StoredPlacement> PlacementFromJson(const std::string& text, std::size_t gpus) {
  StoredPlacement out;
  try {
    for (const auto& item : nlohmann::json::parse(text)) {
      sched::Placement p{.gpu = item.at("gpu").get<int>(), .profile = item.at("profile").get<int>(),
                         .start = item.at("start").get<int>()};
      if (p.gpu < 0 || static_cast<std::size_t>(p.gpu) >= gpus) return InvalidArgumentError("GPU out of range");
      out.where.push_back(p);
      out.preset.push_back(item.value("preset", false));
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(std::string("malformed placement: ") + e.what());
  }
  return out;
}

}  // namespace

std::string_view JobPhaseName(JobPhase phase) {
  switch (phase) {
    case JobPhase::kQueued: return "queued";
    case JobPhase::kStarting: return "starting";
    case JobPhase::kRunning: return "running";
    case JobPhase::kFinished: return "finished";
    case JobPhase::kFailed: return "failed";
  }
  return "failed";
}

std::optional<JobPhase> ParseJobPhase(std::string_view name) {
  for (const JobPhase phase : {JobPhase::kQueued, JobPhase::kStarting, JobPhase::kRunning,
                               JobPhase::kFinished, JobPhase::kFailed}) {
    if (JobPhaseName(phase) == name) return phase;
  }
  return std::nullopt;
}

// Commands that share one transaction. A batch is open (takes commands)
// until the scheduler thread takes it or it holds max_batch commands; its
// callers sleep on `done`, set once the batch is durable.
struct ControlPlane::Batch {
  std::vector<const std::function<void()>*> commands;  // each lives in its caller's frame until done
  OneShotEvent done;
};

ControlPlane::ControlPlane(const geometry::Catalog& catalog, std::unique_ptr<Store> store,
                           ControlPlaneOptions options)
    : catalog_(catalog), store_(std::move(store)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = SystemMilliseconds;
  started_at_ = options_.clock();
}

Result<std::unique_ptr<ControlPlane>> ControlPlane::Start(const geometry::Catalog& catalog,
                                                          std::unique_ptr<Store> store,
                                                          ControlPlaneOptions options) {
  std::unique_ptr<ControlPlane> plane(new ControlPlane(catalog, std::move(store), std::move(options)));
  MIGSCHED_RETURN_IF_ERROR(plane->Load());
  plane->thread_ = std::thread([p = plane.get()] { p->Run(); });
  return plane;
}

ControlPlane::~ControlPlane() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// ---------------------------------------------------------------- the loop

Status ControlPlane::Execute(std::function<void()> apply) {
  std::shared_ptr<Batch> batch;
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return UnavailableError("the server is stopping");
    if (batches_.empty() || batches_.back()->commands.size() >= options_.max_batch) {
      batches_.push_back(std::make_shared<Batch>());
    }
    batch = batches_.back();
    batch->commands.push_back(&apply);
  }
  queue_cv_.notify_one();
  batch->done.Wait();
  return Status::Ok();
}

void ControlPlane::Run() {
  SteadyClock::time_point next_tick = SteadyClock::now();
  // The earlier of the next tick and the next repartition's ready_at: a job
  // whose delay has passed starts then, not at the next tick.
  SteadyClock::time_point wake = next_tick;
  while (true) {
    std::shared_ptr<Batch> batch;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait_until(lock, wake, [&] { return stopping_ || !batches_.empty(); });
      if (stopping_ && batches_.empty()) return;
      if (!batches_.empty()) {
        batch = std::move(batches_.front());
        batches_.pop_front();
      }
    }
    const std::size_t commands = batch ? batch->commands.size() : 0;
    {
      std::unique_lock state(state_mutex_);
      const std::int64_t now = std::max(options_.clock(), last_now_);
      last_now_ = now;
      if (batch) {
        for (const std::function<void()>* apply : batch->commands) (*apply)();
      }
      if (SteadyClock::now() >= next_tick) {
        Tick(now);
        next_tick = SteadyClock::now() + options_.tick;
      } else if (const std::optional<std::int64_t> ready = scheduler_->NextReadyAt(); ready && *ready <= now) {
        CompleteRepartitions(now);
      }
      wake = next_tick;
      if (const std::optional<std::int64_t> ready = scheduler_->NextReadyAt()) {
        wake = std::min(wake, SteadyClock::now() + std::chrono::milliseconds(*ready - options_.clock()));
      }
      SettleChangedGpus();
      for (const sched::JobId id : dirty_jobs_) StoreJob(*jobs_.at(id));
      dirty_jobs_.clear();
      if (options_.check_invariants) {
        if (Status s = CheckInvariantsLocked(); !s.ok()) {
          std::cerr << "migsched serve: invariant violated: " << s.message() << "\n";
          std::abort();
        }
      }
      // Committed under the lock: no reader (an agent's long-poll included)
      // sees a change a crash could still take back.
      Commit(commands);
    }
    if (batch) batch->done.Set();
    changed_cv_.notify_all();
  }
}

// One transaction for the batch's changes (nothing when it changed nothing).
void ControlPlane::Commit(std::size_t commands) {
  if (batch_.jobs.empty() && batch_.nodes.empty() && batch_.gpus.empty() && batch_.events.empty()) return;
  batch_.meta = {{"last_now", std::to_string(last_now_)},
                 {"next_job_id", std::to_string(next_job_id_)},
                 {"next_queue_seq", std::to_string(next_queue_seq_)}};
  const auto commit_start = SteadyClock::now();
  if (Status s = store_->Commit(batch_); !s.ok()) {
    // Fail-stop: replies would claim changes the disk lacks. A restart
    // rebuilds from what was committed.
    std::cerr << "migsched serve: store commit failed, stopping: " << s.message() << "\n";
    std::abort();
  }
  metrics_.ObserveCommit(commands, SteadyClock::now() - commit_start);
  batch_ = StoreBatch{};
}

// ---------------------------------------------------------------- commands

Result<SubmitOutcome> ControlPlane::Submit(JobSpec spec) {
  std::optional<Result<SubmitOutcome>> result;
  MIGSCHED_RETURN_IF_ERROR(Execute([&] { result = SubmitLocked(std::move(spec), std::nullopt); }));
  return *result;
}

Result<SubmitOutcome> ControlPlane::SubmitLocked(JobSpec spec, std::optional<sched::Request::Pin> pinned) {
  const std::int64_t now = last_now_;
  if (const auto it = job_by_key_.find(Key(spec.tenant, spec.name)); it != job_by_key_.end()) {
    const LiveJob& existing = *jobs_.at(it->second);
    const auto kind = existing.spec_json == spec.canonical_json ? SubmitOutcome::Kind::kReplayed
                                                                : SubmitOutcome::Kind::kConflict;
    return SubmitOutcome{.kind = kind, .job = InfoOf(existing)};
  }
  auto job = std::make_unique<LiveJob>();
  job->id = next_job_id_;
  job->tenant = spec.tenant;
  job->name = spec.name;
  job->spec_json = spec.canonical_json;
  job->waiting_since = now;
  job->updated_at = now;
  job->queue_seq = next_queue_seq_;
  job->spec = std::move(spec);
  sched::Request request = ToRequest(job->spec, job->id);
  request.pinned = pinned;
  const auto decide_start = SteadyClock::now();
  Result<std::vector<sched::Decision>> decisions = scheduler_->Submit(request, now);
  metrics_.ObserveDecision(SteadyClock::now() - decide_start);
  if (!decisions.has_value()) return decisions.error();
  ++next_job_id_;
  ++next_queue_seq_;
  const sched::JobId id = job->id;
  job_by_key_.emplace(Key(job->tenant, job->name), id);
  Index(*job);
  jobs_.emplace(id, std::move(job));
  dirty_jobs_.push_back(id);
  ApplyDecisions(*decisions, now);  // its events say what became of the job
  return SubmitOutcome{.kind = SubmitOutcome::Kind::kCreated, .job = InfoOf(*jobs_.at(id))};
}

Result<JobInfo> ControlPlane::Cancel(sched::JobId id) {
  std::optional<Result<JobInfo>> result;
  MIGSCHED_RETURN_IF_ERROR(Execute([&] {
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) {
      result = NotFoundError("no job " + std::to_string(id));
      return;
    }
    result = CancelLocked(*it->second);
  }));
  return *result;
}

Result<JobInfo> ControlPlane::CancelLocked(LiveJob& job) {
  if (!Active(job.phase)) return InfoOf(job);
  const std::int64_t now = last_now_;
  Result<std::vector<sched::Decision>> decisions = scheduler_->Release(job.id, now);
  if (!decisions.has_value()) return decisions.error();
  const bool was_queued = job.phase == JobPhase::kQueued;
  Unhold(job);
  SetPhase(job, JobPhase::kFinished);
  job.reason = was_queued ? "cancelled while queued" : "released";
  job.updated_at = now;
  job.spec.options.clear();
  dirty_jobs_.push_back(job.id);
  AddEvent(now, "job", "job " + std::to_string(job.id) + " " + job.name + " " + job.reason,
           JsonObjectText().UInt("job", job.id).String("state", "finished").Done());
  ApplyDecisions(*decisions, now);
  return InfoOf(job);
}

Result<DesiredLayout> ControlPlane::ReportInventory(NodeInventory inventory) {
  std::optional<Result<DesiredLayout>> result;
  MIGSCHED_RETURN_IF_ERROR(Execute([&] {
    const std::int64_t now = last_now_;
    auto it = nodes_.find(inventory.node);
    if (it == nodes_.end()) {
      // A new node: its GPUs join the fleet (existing instances become idle).
      std::vector<fleet::FleetGpu> gpus;
      for (const agent::ObservedGpu& observed : inventory.gpus) {
        fleet::FleetGpu gpu{.node = inventory.node, .index = observed.index, .model = observed.model,
                            .mig_enabled = observed.mig_enabled, .whole_gpu_workload = "",
                            .whole_gpu_busy = false, .instances = {}, .labels = {}};
        for (const agent::ObservedGpuInstance& gi : observed.instances) {
          gpu.instances.push_back({.instance = gi.instance, .workload = "", .busy = false});
        }
        gpus.push_back(std::move(gpu));
      }
      auto node = std::make_unique<LiveNode>();
      node->name = inventory.node;
      node->position = static_cast<std::int64_t>(nodes_.size());
      const std::size_t first = gpu_owner_.size();
      LiveNode* raw = node.get();
      nodes_.emplace(raw->name, std::move(node));
      for (std::size_t i = 0; i < gpus.size(); ++i) {
        raw->fleet_gpus.push_back(static_cast<int>(first + i));
        raw->desired.push_back(DesiredGpu{.index = gpus[i].index, .model = gpus[i].model,
                                          .mig_enabled = gpus[i].mig_enabled, .instances = {}});
        gpu_owner_.emplace_back(raw, gpus[i].index);
        gpu_model_.push_back(gpus[i].model);
      }
      gpu_jobs_.resize(gpu_owner_.size());
      if (Status s = RebuildScheduler(std::move(gpus)); !s.ok()) {
        // Undo: the node does not join.
        gpu_owner_.resize(first);
        gpu_model_.resize(first);
        gpu_jobs_.resize(first);
        nodes_.erase(inventory.node);
        result = s;
        return;
      }
      for (const int g : raw->fleet_gpus) {
        Result<std::vector<sched::Decision>> placed = scheduler_->Uncordon(g, now);
        if (placed.has_value()) ApplyDecisions(*placed, now);
        MarkGpuChanged(g);
        const fleet::FleetGpu gpu = scheduler_->GpuSnapshot(g);
        batch_.gpus.push_back(GpuRow{.node = raw->name, .index = gpu.index, .position = g,
                                     .model = gpu.model->name, .mig_enabled = gpu.mig_enabled,
                                     .layout_json = "[]"});
      }
      AddEvent(now, "node", "node " + raw->name + " joined with " + std::to_string(raw->fleet_gpus.size()) + " GPUs",
               ordered_json{{"node", raw->name}, {"gpus", raw->fleet_gpus.size()}}.dump());
      it = nodes_.find(raw->name);
    }
    LiveNode& node = *it->second;
    if (inventory.gpus.size() != node.fleet_gpus.size()) {
      // GPUs are matched by index; one that is missing simply confirms no job.
      AddEvent(now, "agent", "node " + node.name + " reported " + std::to_string(inventory.gpus.size()) +
                                 " GPUs; it joined with " + std::to_string(node.fleet_gpus.size()),
               ordered_json{{"node", node.name}, {"gpus", inventory.gpus.size()}}.dump());
    }
    const std::int64_t previous_applied = node.inventory.applied_generation;
    node.inventory = std::move(inventory);
    if (node.inventory.applied_generation > node.generation) {
      // The agent applied a generation this store never committed (the store
      // was restored from a backup): move past it, so that what the store
      // holds is applied and no job runs on the agent's word for the old one.
      node.generation = node.inventory.applied_generation + 1;
      node.bumped_at = SteadyClock::now();
      for (const int g : node.fleet_gpus) {
        for (const sched::JobId id : gpu_jobs_[static_cast<size_t>(g)]) jobs_.at(id)->needs_generation = node.generation;
      }
      AddEvent(now, "node", "node " + node.name + ": agent was ahead of the store; generation now " +
                                std::to_string(node.generation),
               ordered_json{{"node", node.name}, {"generation", node.generation}}.dump());
    }
    node.inventory_json = InventoryToJson(node.inventory);
    node.last_seen = now;
    if (!node.healthy) {
      node.healthy = true;
      AddEvent(now, "node", "node " + node.name + " is back", ordered_json{{"node", node.name}, {"healthy", true}}.dump());
    }
    if (node.inventory.applied_generation > previous_applied &&
        node.inventory.applied_generation >= node.generation && node.bumped_at != SteadyClock::time_point{}) {
      metrics_.ObserveApply(SteadyClock::now() - node.bumped_at);
      node.bumped_at = {};
    }
    if (!node.inventory.apply_error.empty()) {
      metrics_.CountApplyFailure();
      AddEvent(now, "agent", "node " + node.name + ": apply failed: " + node.inventory.apply_error,
               ordered_json{{"node", node.name}, {"error", node.inventory.apply_error}}.dump());
    }
    UpdateRunning(node, now);
    StoreNode(node);
    result = DesiredOf(node);
  }));
  if (result->has_value()) {
    // The desired layout settles at the end of the batch: read it again.
    std::shared_lock lock(state_mutex_);
    const auto it = nodes_.find((*result)->node);
    if (it != nodes_.end()) return DesiredOf(*it->second);
  }
  return *result;
}

// ---------------------------------------------------------------- the core

// A node joined: the same scheduler with its GPUs appended (Restore keeps
// every job, the queue and the cordons).
Status ControlPlane::RebuildScheduler(std::vector<fleet::FleetGpu> extra_gpus) {
  sched::RestoreInput input;
  input.fleet = scheduler_->Snapshot();
  input.cordoned = scheduler_->Cordoned();
  // The new GPUs join cordoned; the caller uncordons them, which retries
  // the queue on them (Restore itself decides nothing).
  for (fleet::FleetGpu& gpu : extra_gpus) {
    input.cordoned.push_back(static_cast<int>(input.fleet.gpus.size()));
    input.fleet.gpus.push_back(std::move(gpu));
  }
  std::vector<const LiveJob*> active;
  for (const auto& [id, job] : jobs_) {
    if (Active(job->phase)) active.push_back(job.get());
  }
  std::sort(active.begin(), active.end(), [](const LiveJob* a, const LiveJob* b) { return a->queue_seq < b->queue_seq; });
  std::vector<sched::JobId> order = scheduler_->Queue();
  for (const LiveJob* job : active) {
    if (job->phase != JobPhase::kQueued) order.push_back(job->id);
  }
  for (const sched::JobId id : order) {
    const LiveJob& job = *jobs_.at(id);
    const std::optional<sched::JobView> view = scheduler_->Job(id);
    if (!view) return InternalError("job " + std::to_string(id) + " is not in the scheduler");
    input.jobs.push_back(sched::RestoredJob{.request = ToRequest(job.spec, id), .state = view->state,
                                            .where = view->where, .stays_idle = view->stays_idle,
                                            .waiting_since = view->waiting_since.value_or(0),
                                            .ready_at = view->ready_at.value_or(0)});
  }
  Result<sched::Scheduler> rebuilt = sched::Scheduler::Restore(catalog_, options_.scheduler, std::move(input), last_now_);
  if (!rebuilt.has_value()) return rebuilt.error();
  scheduler_.emplace(std::move(rebuilt).value());
  return Status::Ok();
}

void ControlPlane::ApplyDecisions(const std::vector<sched::Decision>& decisions, std::int64_t now) {
  for (const sched::Decision& decision : decisions) {
    const sched::JobId id = sched::DecisionJob(decision);
    LiveJob& job = *jobs_.at(id);
    dirty_jobs_.push_back(id);
    job.updated_at = now;
    // Settled at the end of the batch (the generation that holds its instance).
    job.needs_generation = std::numeric_limits<std::int64_t>::max();
    metrics_.CountDecision(decision);
    if (const auto* placed = std::get_if<sched::Placed>(&decision)) {
      SetPhase(job, JobPhase::kStarting);
      Unhold(job);
      job.where.assign(placed->where.begin(), placed->where.end());
      const std::optional<sched::JobView> view = scheduler_->Job(id);
      job.preset = view ? view->stays_idle : std::vector<bool>{};
      Hold(job);
      job.ready_at = 0;
      job.reason = "";
      const auto [node, index] = gpu_owner_[static_cast<size_t>(job.where.front().gpu)];
      AddEvent(now, "job", "job " + std::to_string(id) + " " + job.name + " placed on " + node->name + " GPU " +
                               std::to_string(index) + " " + InfoOf(job).profile,
               JsonObjectText().UInt("job", id).String("state", "starting").String("node", node->name).Int("gpu", index).Done());
    } else if (const auto* repartition = std::get_if<sched::NeedsRepartition>(&decision)) {
      const std::optional<sched::JobView> view = scheduler_->Job(id);
      SetPhase(job, JobPhase::kStarting);
      Unhold(job);
      job.where = view ? view->where : std::vector<sched::Placement>{};
      job.preset = view ? view->stays_idle : std::vector<bool>{};
      Hold(job);
      job.ready_at = std::max<std::int64_t>(repartition->ready_at, 1);
      MarkGpuChanged(repartition->gpu);
      const auto [node, index] = gpu_owner_[static_cast<size_t>(repartition->gpu)];
      job.reason = "repartitioning " + node->name + " GPU " + std::to_string(index);
      AddEvent(now, "repartition",
               "job " + std::to_string(id) + " " + job.name + ": repartition " + node->name + " GPU " +
                   std::to_string(index) + " (" + std::to_string(repartition->ops.size()) + " operations)",
               ordered_json{{"job", id}, {"node", node->name}, {"gpu", index},
                            {"operations", repartition->ops.size()}}.dump());
    } else if (const auto* wait = std::get_if<sched::Wait>(&decision)) {
      SetPhase(job, JobPhase::kQueued);
      job.reason = wait->reason;
      AddEvent(now, "job", "job " + std::to_string(id) + " " + job.name + " queued: " + wait->reason,
               JsonObjectText().UInt("job", id).String("state", "queued").String("reason", wait->reason).Done());
    } else if (const auto* infeasible = std::get_if<sched::Infeasible>(&decision)) {
      SetPhase(job, JobPhase::kFailed);
      job.reason = infeasible->reason;
      job.spec.options.clear();
      AddEvent(now, "job", "job " + std::to_string(id) + " " + job.name + " cannot run: " + infeasible->reason,
               JsonObjectText().UInt("job", id).String("state", "failed").String("reason", infeasible->reason).Done());
    }
  }
}

void ControlPlane::MarkGpuChanged(int fleet_gpu) { changed_gpus_.push_back(fleet_gpu); }

std::size_t ControlPlane::PositionOnNode(const LiveNode& node, int fleet_gpu) {
  return static_cast<std::size_t>(std::find(node.fleet_gpus.begin(), node.fleet_gpus.end(), fleet_gpu) -
                                  node.fleet_gpus.begin());
}

std::vector<const ControlPlane::LiveNode*> ControlPlane::NodesInJoinOrder() const {
  std::vector<const LiveNode*> nodes;
  for (const auto& [name, node] : nodes_) nodes.push_back(node.get());
  std::sort(nodes.begin(), nodes.end(), [](const LiveNode* a, const LiveNode* b) { return a->position < b->position; });
  return nodes;
}

void ControlPlane::SetPhase(LiveJob& job, JobPhase phase) {
  if (job.phase == phase) return;
  Unindex(job);
  job.phase = phase;
  Index(job);
}

// Active jobs are few and listed often: an id set per phase. Finished and
// failed ones are most of a long-lived store: only counted (a list of them
// walks the ids down).
void ControlPlane::Index(const LiveJob& job) {
  if (Active(job.phase)) {
    by_phase_[static_cast<size_t>(job.phase)].insert(job.id);
  } else {
    ++ended_count_[job.phase == JobPhase::kFinished ? 0 : 1];
  }
}

void ControlPlane::Unindex(const LiveJob& job) {
  if (Active(job.phase)) {
    by_phase_[static_cast<size_t>(job.phase)].erase(job.id);
  } else {
    --ended_count_[job.phase == JobPhase::kFinished ? 0 : 1];
  }
}

std::size_t ControlPlane::CountIn(JobPhase phase) const {
  if (Active(phase)) return by_phase_[static_cast<size_t>(phase)].size();
  return ended_count_[phase == JobPhase::kFinished ? 0 : 1];
}

void ControlPlane::Hold(const LiveJob& job) {
  for (const sched::Placement& p : job.where) {
    std::vector<sched::JobId>& holders = gpu_jobs_[static_cast<size_t>(p.gpu)];
    if (std::find(holders.begin(), holders.end(), job.id) == holders.end()) holders.push_back(job.id);
    MarkGpuChanged(p.gpu);
  }
}

void ControlPlane::Unhold(const LiveJob& job) {
  for (const sched::Placement& p : job.where) {
    std::vector<sched::JobId>& holders = gpu_jobs_[static_cast<size_t>(p.gpu)];
    holders.erase(std::remove(holders.begin(), holders.end(), job.id), holders.end());
    MarkGpuChanged(p.gpu);
  }
}

// After a batch: the desired layout of every GPU it touched; a node whose
// layout changed gets a new generation; jobs placed on it wait for that
// generation to be applied before they run.
void ControlPlane::SettleChangedGpus() {
  std::sort(changed_gpus_.begin(), changed_gpus_.end());
  changed_gpus_.erase(std::unique(changed_gpus_.begin(), changed_gpus_.end()), changed_gpus_.end());
  std::vector<LiveNode*> bumped;
  for (const int g : changed_gpus_) {
    LiveNode* node = gpu_owner_[static_cast<size_t>(g)].first;
    const fleet::FleetGpu gpu = scheduler_->GpuSnapshot(g);
    DesiredGpu desired{.index = gpu.index, .model = gpu.model, .mig_enabled = gpu.mig_enabled, .instances = {}};
    for (const fleet::FleetInstance& i : gpu.instances) {
      desired.instances.push_back({.profile = i.instance.profile, .start = i.instance.placement.start, .job = 0});
    }
    std::sort(desired.instances.begin(), desired.instances.end(),
              [](const DesiredInstance& a, const DesiredInstance& b) { return a.start < b.start; });
    const std::size_t position = PositionOnNode(*node, g);
    // Name the holders: the jobs whose placement is on this GPU.
    for (DesiredInstance& i : desired.instances) {
      for (const sched::JobId id : gpu_jobs_[static_cast<size_t>(g)]) {
        for (const sched::Placement& p : jobs_.at(id)->where) {
          if (p.gpu == g && p.profile == i.profile && p.start == i.start) i.job = id;
        }
      }
    }
    if (desired == node->desired[position]) continue;
    node->desired[position] = desired;
    batch_.gpus.push_back(GpuRow{.node = node->name, .index = gpu.index, .position = g,
                                 .model = gpu.model->name, .mig_enabled = gpu.mig_enabled,
                                 .layout_json = DesiredInstancesToJson(desired)});
    if (!node->bumped) {
      node->bumped = true;
      bumped.push_back(node);
    }
  }
  changed_gpus_.clear();
  for (LiveNode* node : bumped) {
    node->bumped = false;
    ++node->generation;
    node->bumped_at = SteadyClock::now();
    StoreNode(*node);
  }
  std::vector<LiveNode*> to_check;
  for (const sched::JobId id : dirty_jobs_) {
    LiveJob& job = *jobs_.at(id);
    if (job.phase != JobPhase::kStarting || job.where.empty()) continue;
    LiveNode& node = *gpu_owner_[static_cast<size_t>(job.where.front().gpu)].first;
    job.needs_generation = node.generation;
    if (std::find(to_check.begin(), to_check.end(), &node) == to_check.end()) to_check.push_back(&node);
  }
  // A job whose instance the agent already reported (an idle instance
  // reused, a repartition finished) runs without waiting for the next report.
  for (LiveNode* node : to_check) UpdateRunning(*node, last_now_);
}

// Starting jobs on `node` run once the agent has applied the generation that
// holds their instance and reports the instance (its MIG device UUID).
void ControlPlane::UpdateRunning(LiveNode& node, std::int64_t now) {
  const NodeInventory& inventory = node.inventory;
  for (const int g : node.fleet_gpus) {
    const int index = gpu_owner_[static_cast<size_t>(g)].second;
    const auto observed = std::find_if(inventory.gpus.begin(), inventory.gpus.end(),
                                       [&](const agent::ObservedGpu& o) { return o.index == index; });
    if (observed == inventory.gpus.end()) continue;
    for (const sched::JobId id : gpu_jobs_[static_cast<size_t>(g)]) {
      LiveJob& job = *jobs_.at(id);
      if (job.phase != JobPhase::kStarting || inventory.applied_generation < job.needs_generation ||
          job.ready_at > 0) {
        continue;
      }
      std::string uuid;
      bool present = true;
      for (const sched::Placement& p : job.where) {
        if (p.gpu != g) continue;
        if (p.profile == sched::kWholeGpu) {
          uuid = observed->uuid;
          continue;
        }
        const agent::ObservedGpuInstance* gi = FindObservedInstance(inventory, index, p.profile, p.start);
        if (gi == nullptr) {
          present = false;
          continue;
        }
        if (const std::string mig = MigUuidOf(*gi); !mig.empty()) uuid = mig;
      }
      // A gang runs once its first GPU's node confirms (the others' nodes
      // were handed their layouts in the same batch).
      if (!present || job.where.front().gpu != g) continue;
      SetPhase(job, JobPhase::kRunning);
      job.mig_uuid = uuid;
      job.reason = "";
      job.updated_at = now;
      dirty_jobs_.push_back(id);
      AddEvent(now, "job", "job " + std::to_string(id) + " " + job.name + " running on " + node.name +
                               (uuid.empty() ? "" : " (" + uuid + ")"),
               JsonObjectText().UInt("job", id).String("state", "running").String("mig_uuid", uuid).Done());
    }
  }
}

void ControlPlane::CompleteRepartitions(std::int64_t now) {
  std::vector<sched::Decision> decisions;
  if (scheduler_->Advance(now, decisions).ok()) ApplyDecisions(decisions, now);
}

void ControlPlane::Tick(std::int64_t now) {
  CompleteRepartitions(now);
  const std::int64_t agent_timeout_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.agent_timeout).count();
  for (auto& [name, node] : nodes_) {
    if (node->healthy && now - node->last_seen > agent_timeout_ms) {
      node->healthy = false;
      node->cordoned = true;
      for (const int g : node->fleet_gpus) (void)scheduler_->Cordon(g);
      StoreNode(*node);
      AddEvent(now, "node", "node " + name + " lost its agent: cordoned (running jobs stay)",
               ordered_json{{"node", name}, {"healthy", false}}.dump());
    } else if (node->healthy && node->cordoned) {
      node->cordoned = false;
      StoreNode(*node);
      for (const int g : node->fleet_gpus) {
        Result<std::vector<sched::Decision>> freed = scheduler_->Uncordon(g, now);
        if (freed.has_value()) ApplyDecisions(*freed, now);
      }
    }
  }
  if (now - last_sample_ >= kHistoryEveryMs) {
    last_sample_ = now;
    const sched::FleetUsage& totals = scheduler_->Totals();
    history_.push_back({.t = now, .memory_slices = totals.memory_slices, .held_slices = totals.held_slices,
                        .idle_slices = totals.idle_slices, .stranded_slices = totals.stranded_slices,
                        .queued = totals.queued});
    if (history_.size() > kHistorySamples) history_.pop_front();
  }
}

void ControlPlane::AddEvent(std::int64_t now, std::string type, std::string text, std::string json) {
  ServiceEvent event{.seq = next_event_seq_++, .at = now, .type = std::move(type), .json = std::move(json),
                     .text = std::move(text)};
  batch_.events.push_back(EventRow{.seq = event.seq, .at = now, .type = event.type, .json = event.json});
  recent_events_.push_back(std::move(event));
  if (recent_events_.size() > kRecentEvents) recent_events_.pop_front();
}

JobInfo ControlPlane::InfoOf(const LiveJob& job) const {
  JobInfo info{.id = job.id, .name = job.name, .tenant = job.tenant, .priority = job.spec.priority,
               .kind = std::string(JobKindName(job.spec.kind)), .phase = job.phase, .node = "", .gpu = -1,
               .profile = "", .start = -1, .gpus = job.spec.gpus, .mig_uuid = job.mig_uuid,
               .reason = job.reason, .waiting_since = job.waiting_since, .updated_at = job.updated_at};
  if (!Active(job.phase) && job.spec.name.empty()) {
    // A finished job loaded from the store: its request is read when asked for.
    const nlohmann::json spec = nlohmann::json::parse(job.spec_json, nullptr, /*allow_exceptions=*/false);
    if (spec.is_object()) {
      info.priority = spec.value("priority", 0);
      info.kind = spec.value("kind", "inference");
      info.gpus = spec.value("gpus", 0);
    }
  }
  if (!job.where.empty() && Active(job.phase)) {
    const sched::Placement& p = job.where.front();
    const auto [node, index] = gpu_owner_[static_cast<size_t>(p.gpu)];
    info.node = node->name;
    info.gpu = index;
    info.start = p.start;
    info.profile = p.profile == sched::kWholeGpu
                       ? "whole"
                       : gpu_model_[static_cast<size_t>(p.gpu)]->profiles[static_cast<size_t>(p.profile)].name;
  }
  return info;
}

DesiredLayout ControlPlane::DesiredOf(const LiveNode& node) const {
  return DesiredLayout{.node = node.name, .generation = node.generation, .gpus = node.desired};
}

void ControlPlane::StoreJob(const LiveJob& job) {
  batch_.jobs.push_back(JobRow{.id = job.id, .tenant = job.tenant, .name = job.name, .spec_json = job.spec_json,
                               .state = std::string(JobPhaseName(job.phase)),
                               .placement_json = PlacementJson(job.where, job.preset),
                               .queue_seq = static_cast<std::int64_t>(job.queue_seq),
                               .waiting_since = job.waiting_since, .ready_at = job.ready_at,
                               .updated_at = job.updated_at, .reason = job.reason, .mig_uuid = job.mig_uuid});
}

void ControlPlane::StoreNode(const LiveNode& node) {
  batch_.nodes.push_back(NodeRow{.name = node.name, .position = node.position, .generation = node.generation,
                                 .applied_generation = node.inventory.applied_generation,
                                 .last_seen = node.last_seen, .cordoned = node.cordoned,
                                 .inventory_json = node.inventory_json});
}

// ---------------------------------------------------------------- start-up

Status ControlPlane::Load() {
  Result<StoreContents> loaded = store_->Load();
  if (!loaded.has_value()) return loaded.error();
  StoreContents& contents = *loaded;
  const auto meta = [&](const std::string& key, std::int64_t fallback) -> std::int64_t {
    const auto it = contents.meta.find(key);
    return it == contents.meta.end() ? fallback : std::int64_t{std::stoll(it->second)};
  };
  last_now_ = std::max(meta("last_now", 0), options_.clock());
  next_job_id_ = static_cast<sched::JobId>(meta("next_job_id", 1));
  next_queue_seq_ = static_cast<std::uint64_t>(meta("next_queue_seq", 1));
  next_event_seq_ = contents.last_event_seq + 1;
  for (const NodeRow& row : contents.nodes) {
    auto node = std::make_unique<LiveNode>();
    node->name = row.name;
    node->position = row.position;
    node->generation = row.generation;
    node->last_seen = last_now_;  // agents could not report while the server was down
    node->cordoned = row.cordoned;
    node->healthy = !row.cordoned;  // a lost node stays cordoned until its agent reports
    Result<NodeInventory> inventory = InventoryFromJson(row.inventory_json, catalog_);
    if (inventory.has_value()) node->inventory = std::move(*inventory);
    node->inventory_json = row.inventory_json;
    node->inventory.node = row.name;
    node->inventory.applied_generation = row.applied_generation;
    nodes_.emplace(row.name, std::move(node));
  }
  fleet::Fleet fleet;
  for (const GpuRow& row : contents.gpus) {
    const std::string where = "store: node " + row.node + " GPU " + std::to_string(row.index);
    const auto node = nodes_.find(row.node);
    if (node == nodes_.end() || row.position != static_cast<std::int64_t>(fleet.gpus.size())) {
      return InternalError(where + ": no such node, or GPUs out of order");
    }
    Result<const geometry::GpuModel*> model = catalog_.Find(row.model);
    if (!model.has_value()) return model.error().WithPrefix(where);
    const std::string desired_text = R"({"node":"","generation":0,"gpus":[{"index":)" + std::to_string(row.index) +
                                     R"(,"model":")" + row.model + R"(","mig_enabled":)" +
                                     (row.mig_enabled ? "true" : "false") + R"(,"instances":)" + row.layout_json + "}]}";
    Result<DesiredLayout> desired = DesiredFromJson(desired_text, catalog_);
    if (!desired.has_value()) return desired.error().WithPrefix(where);
    fleet::FleetGpu gpu{.node = row.node, .index = row.index, .model = *model, .mig_enabled = row.mig_enabled,
                        .whole_gpu_workload = "", .whole_gpu_busy = false, .instances = {}, .labels = {}};
    for (const DesiredInstance& i : desired->gpus.front().instances) {
      gpu.instances.push_back({.instance = {i.profile, (*model)->profiles[static_cast<size_t>(i.profile)].PlacementAt(i.start)},
                               .workload = i.job == 0 ? "" : "job-" + std::to_string(i.job),
                               .busy = i.job != 0});
    }
    node->second->fleet_gpus.push_back(static_cast<int>(fleet.gpus.size()));
    node->second->desired.push_back(desired->gpus.front());
    gpu_owner_.emplace_back(node->second.get(), row.index);
    gpu_model_.push_back(*model);
    fleet.gpus.push_back(std::move(gpu));
  }
  gpu_jobs_.resize(gpu_owner_.size());
  std::vector<const LiveJob*> active;
  jobs_.reserve(contents.jobs.size());
  job_by_key_.reserve(contents.jobs.size());
  for (JobRow& row : contents.jobs) {
    const std::string where = "store: job " + std::to_string(row.id);
    auto job = std::make_unique<LiveJob>();
    job->id = row.id;
    job->tenant = std::move(row.tenant);
    job->name = std::move(row.name);
    job->spec_json = std::move(row.spec_json);
    const std::optional<JobPhase> phase = ParseJobPhase(row.state);
    if (!phase) return InternalError(where + ": unknown state '" + row.state + "'");
    job->phase = *phase;
    if (Active(job->phase)) {
      // Only jobs the scheduler holds need their options (a store of a
      // million finished jobs restarts without parsing each).
      ParsedSpec parsed = ParseJobSpec(job->spec_json, catalog_);
      if (!parsed.ok()) return InternalError(where + ": " + parsed.error.field + ": " + parsed.error.message);
      job->spec = std::move(parsed.spec);
    }
    Result<StoredPlacement> placement = PlacementFromJson(row.placement_json, fleet.gpus.size());
    if (!placement.has_value()) return placement.error().WithPrefix(where);
    job->where = std::move(placement->where);
    job->preset = std::move(placement->preset);
    job->queue_seq = static_cast<std::uint64_t>(row.queue_seq);
    job->waiting_since = row.waiting_since;
    job->ready_at = row.ready_at;
    job->updated_at = row.updated_at;
    job->reason = std::move(row.reason);
    job->mig_uuid = std::move(row.mig_uuid);
    if (Active(job->phase)) {
      Hold(*job);
      active.push_back(job.get());
      // Layout rows hold MIG instances only: a whole GPU's holder is its job.
      for (const sched::Placement& p : job->where) {
        if (p.profile != sched::kWholeGpu) continue;
        fleet.gpus[static_cast<size_t>(p.gpu)].whole_gpu_busy = true;
        fleet.gpus[static_cast<size_t>(p.gpu)].whole_gpu_workload = "job-" + std::to_string(job->id);
      }
    }
    job_by_key_.emplace(Key(job->tenant, job->name), job->id);
    Index(*job);
    jobs_.emplace(job->id, std::move(job));
  }
  changed_gpus_.clear();
  // Queued jobs in queue order (priority, then arrival), the others after.
  std::sort(active.begin(), active.end(), [](const LiveJob* a, const LiveJob* b) {
    const bool a_queued = a->phase == JobPhase::kQueued, b_queued = b->phase == JobPhase::kQueued;
    if (a_queued != b_queued) return a_queued;
    if (a_queued && a->spec.priority != b->spec.priority) return a->spec.priority > b->spec.priority;
    return a->queue_seq < b->queue_seq;
  });
  sched::RestoreInput input{.fleet = std::move(fleet), .jobs = {}, .cordoned = {}, .tie_order = {}};
  for (const LiveJob* job : active) {
    input.jobs.push_back(sched::RestoredJob{
        .request = ToRequest(job->spec, job->id),
        .state = job->phase == JobPhase::kQueued ? sched::JobState::kQueued
                 : job->ready_at > 0             ? sched::JobState::kRepartitioning
                                                 : sched::JobState::kRunning,
        .where = job->where,
        .stays_idle = job->preset,
        .waiting_since = job->waiting_since,
        .ready_at = job->ready_at});
  }
  for (const auto& [name, node] : nodes_) {
    if (node->cordoned) input.cordoned.insert(input.cordoned.end(), node->fleet_gpus.begin(), node->fleet_gpus.end());
  }
  std::sort(input.cordoned.begin(), input.cordoned.end());
  Result<sched::Scheduler> scheduler =
      sched::Scheduler::Restore(catalog_, options_.scheduler, std::move(input), last_now_);
  if (!scheduler.has_value()) return scheduler.error().WithPrefix("store: rebuilding the scheduler");
  scheduler_.emplace(std::move(scheduler).value());
  return Status::Ok();
}

// ---------------------------------------------------------------- reads

Status ControlPlane::CheckInvariants() const {
  std::shared_lock lock(state_mutex_);
  return CheckInvariantsLocked();
}

Status ControlPlane::CheckInvariantsLocked() const {
  std::size_t queued = 0, placed = 0;
  for (const auto& [id, job] : jobs_) {
    queued += job->phase == JobPhase::kQueued ? 1u : 0u;
    placed += job->phase == JobPhase::kStarting || job->phase == JobPhase::kRunning ? 1u : 0u;
    const std::string name = "job " + std::to_string(id);
    if (!Active(job->phase) || job->phase == JobPhase::kQueued) {
      if (!job->where.empty() && Active(job->phase)) return InternalError(name + " is queued but holds GPUs");
      continue;
    }
    if (job->where.empty()) return InternalError(name + " is placed but holds nothing");
    for (const sched::Placement& p : job->where) {
      const auto& holders = gpu_jobs_[static_cast<size_t>(p.gpu)];
      if (std::find(holders.begin(), holders.end(), id) == holders.end()) {
        return InternalError(name + " is not listed on fleet GPU " + std::to_string(p.gpu));
      }
      if (p.profile == sched::kWholeGpu) continue;
      const auto [node, index] = gpu_owner_[static_cast<size_t>(p.gpu)];
      const DesiredGpu& desired = node->desired[PositionOnNode(*node, p.gpu)];
      const bool held = std::any_of(desired.instances.begin(), desired.instances.end(), [&](const DesiredInstance& i) {
        return i.profile == p.profile && i.start == p.start && i.job == id;
      });
      if (!held) return InternalError(name + "'s instance is not in " + node->name + " GPU " + std::to_string(index) + "'s layout");
    }
  }
  for (const auto& [name, node] : nodes_) {
    for (const DesiredGpu& gpu : node->desired) {
      std::vector<geometry::GpuInstance> layout;
      for (const DesiredInstance& i : gpu.instances) {
        layout.push_back({i.profile, gpu.model->profiles[static_cast<size_t>(i.profile)].PlacementAt(i.start)});
        if (i.job == 0) continue;
        const auto job = jobs_.find(i.job);
        if (job == jobs_.end() || !Active(job->second->phase)) {
          return InternalError(name + " GPU " + std::to_string(gpu.index) + " holds an instance for job " +
                               std::to_string(i.job) + ", which is not active");
        }
      }
      if (const geometry::LayoutVerdict verdict = geometry::CheckLayout(*gpu.model, layout); !verdict.valid) {
        return InternalError(name + " GPU " + std::to_string(gpu.index) + ": invalid layout: " + verdict.reason);
      }
    }
  }
  const sched::FleetUsage& totals = scheduler_->Totals();
  if (totals.queued != queued || totals.running + totals.repartitioning != placed) {
    return InternalError("the core has " + std::to_string(totals.queued) + " queued and " +
                         std::to_string(totals.running + totals.repartitioning) + " placed jobs; the jobs say " +
                         std::to_string(queued) + " and " + std::to_string(placed));
  }
  return Status::Ok();
}

std::optional<JobInfo> ControlPlane::Job(sched::JobId id) const {
  std::shared_lock lock(state_mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return InfoOf(*it->second);
}

std::vector<JobInfo> ControlPlane::Jobs(std::optional<JobPhase> phase, std::size_t limit) const {
  std::shared_lock lock(state_mutex_);
  // The newest `limit`, oldest first: from the phase's index, or (ids are
  // given out in order, one per job) counting down from the last id.
  std::vector<const LiveJob*> newest;
  if (phase && Active(*phase)) {
    const std::set<sched::JobId>& ids = by_phase_[static_cast<size_t>(*phase)];
    for (auto it = ids.rbegin(); it != ids.rend() && newest.size() < limit; ++it) newest.push_back(jobs_.at(*it).get());
  } else {
    for (sched::JobId id = next_job_id_ - 1; id >= 1 && newest.size() < limit; --id) {
      const auto it = jobs_.find(id);
      if (it != jobs_.end() && (!phase || it->second->phase == *phase)) newest.push_back(it->second.get());
    }
  }
  std::vector<JobInfo> out;
  out.reserve(newest.size());
  for (auto it = newest.rbegin(); it != newest.rend(); ++it) out.push_back(InfoOf(**it));
  return out;
}

FleetView ControlPlane::Fleet() const {
  std::shared_lock lock(state_mutex_);
  FleetView view;
  view.totals = scheduler_->Totals();
  const std::vector<const LiveNode*> nodes = NodesInJoinOrder();
  view.starting = by_phase_[static_cast<size_t>(JobPhase::kStarting)].size();
  for (const LiveNode* node : nodes) {
    FleetView::Node out{.name = node->name, .healthy = node->healthy, .cordoned = node->cordoned,
                        .last_seen = node->last_seen, .generation = node->generation,
                        .applied_generation = node->inventory.applied_generation,
                        .apply_error = node->inventory.apply_error, .gpus = {}};
    for (std::size_t i = 0; i < node->fleet_gpus.size(); ++i) {
      const int g = node->fleet_gpus[i];
      const DesiredGpu& desired = node->desired[i];
      const sched::GpuUsage usage = scheduler_->Usage(g);
      FleetView::Gpu gpu{.index = desired.index, .uuid = "", .model = desired.model->name, .mig_enabled = desired.mig_enabled,
                         .memory_slices = usage.memory_slices, .held_slices = usage.held_slices,
                         .idle_slices = usage.idle_slices,
                         .free_slices = usage.memory_slices - usage.held_slices - usage.idle_slices,
                         .stranded_slices = usage.stranded_slices, .whole_job = 0, .instances = {}};
      for (const sched::JobId id : gpu_jobs_[static_cast<size_t>(g)]) {
        for (const sched::Placement& p : jobs_.at(id)->where) {
          if (p.gpu == g && p.profile == sched::kWholeGpu) gpu.whole_job = id;
        }
      }
      const auto observed = std::find_if(node->inventory.gpus.begin(), node->inventory.gpus.end(),
                                         [&](const agent::ObservedGpu& o) { return o.index == desired.index; });
      if (observed != node->inventory.gpus.end()) gpu.uuid = observed->uuid;
      for (const DesiredInstance& d : desired.instances) {
        const geometry::GiProfile& profile = desired.model->profiles[static_cast<size_t>(d.profile)];
        FleetView::Instance instance{.profile = profile.name, .start = d.start, .size = profile.memory_slices,
                                     .job = d.job, .busy = d.job != 0, .mig_uuid = "", .exists = false,
                                     .gi_id = -1, .ci_id = -1};
        if (const agent::ObservedGpuInstance* gi =
                FindObservedInstance(node->inventory, desired.index, d.profile, d.start)) {
          instance.exists = true;
          instance.gi_id = gi->id;
          instance.mig_uuid = MigUuidOf(*gi);
          for (const agent::ObservedComputeInstance& ci : gi->compute_instances) instance.ci_id = ci.id;
        }
        gpu.instances.push_back(std::move(instance));
      }
      out.gpus.push_back(std::move(gpu));
    }
    view.nodes.push_back(std::move(out));
  }
  return view;
}

fleet::Fleet ControlPlane::SchedulerFleet() const {
  std::shared_lock lock(state_mutex_);
  return scheduler_->Snapshot();
}

Result<DesiredLayout> ControlPlane::WaitDesired(const std::string& node, std::int64_t after,
                                               std::chrono::milliseconds wait) const {
  std::shared_lock lock(state_mutex_);
  const auto it = nodes_.find(node);
  if (it == nodes_.end()) return NotFoundError("no node '" + node + "': its agent has not reported yet");
  const LiveNode& n = *it->second;
  changed_cv_.wait_for(lock, wait, [&] { return n.generation > after; });
  return DesiredOf(n);
}

std::vector<ServiceEvent> ControlPlane::EventsAfter(std::int64_t seq, std::size_t limit,
                                                    std::chrono::milliseconds wait) const {
  std::shared_lock lock(state_mutex_);
  changed_cv_.wait_for(lock, wait, [&] { return !recent_events_.empty() && recent_events_.back().seq > seq; });
  std::vector<ServiceEvent> out;
  for (const ServiceEvent& event : recent_events_) {
    if (event.seq > seq && out.size() < limit) out.push_back(event);
  }
  return out;
}

std::int64_t ControlPlane::LastEventSeq() const {
  std::shared_lock lock(state_mutex_);
  return next_event_seq_ - 1;
}

std::vector<ControlPlane::HistorySample> ControlPlane::History() const {
  std::shared_lock lock(state_mutex_);
  return {history_.begin(), history_.end()};
}

Status ControlPlane::Backup(const std::string& path) {
  std::optional<Status> result;
  MIGSCHED_RETURN_IF_ERROR(Execute([&] { result = store_->Backup(path); }));
  return *result;
}

}  // namespace migsched::daemon

namespace migsched::daemon {
namespace {

constexpr MetricFamily kGpuSlices{"migsched_gpu_memory_slices", MetricType::kGauge,
                                  "Memory slices of each GPU, by state (held by jobs, idle instances, free, stranded)."};
constexpr MetricFamily kProfileInstances{"migsched_instances", MetricType::kGauge,
                                         "MIG instances in the desired layouts, by model, profile and whether a job holds them."};
constexpr MetricFamily kQueued{"migsched_jobs_queued", MetricType::kGauge, "Jobs waiting, by priority."};
constexpr MetricFamily kJobs{"migsched_jobs", MetricType::kGauge, "Jobs the server knows, by state."};
constexpr MetricFamily kRepartitions{"migsched_repartitions_total", MetricType::kCounter,
                                     "Repartitions started (idle instances destroyed to make room)."};
constexpr MetricFamily kInstanceChanges{"migsched_instance_changes_total", MetricType::kCounter,
                                        "MIG instances created and destroyed by the scheduler."};
constexpr MetricFamily kNodes{"migsched_nodes", MetricType::kGauge, "Nodes, by agent health."};

}  // namespace

void ControlPlane::WriteMetrics(MetricsText& out) const {
  std::shared_lock lock(state_mutex_);
  const std::vector<const LiveNode*> nodes = NodesInJoinOrder();
  std::map<std::tuple<std::string, std::string, bool>, std::int64_t> instances;
  int healthy = 0;
  for (const LiveNode* node : nodes) {
    healthy += node->healthy ? 1 : 0;
    for (std::size_t i = 0; i < node->fleet_gpus.size(); ++i) {
      const sched::GpuUsage usage = scheduler_->Usage(node->fleet_gpus[i]);
      const DesiredGpu& gpu = node->desired[i];
      const std::string index = std::to_string(gpu.index);
      const auto add = [&](const char* state, int slices) {
        out.Add(kGpuSlices, {{"node", node->name}, {"gpu", index}, {"model", gpu.model->name}, {"state", state}},
                slices);
      };
      add("held", usage.held_slices);
      add("idle", usage.idle_slices);
      add("free", usage.memory_slices - usage.held_slices - usage.idle_slices);
      add("stranded", usage.stranded_slices);
      for (const DesiredInstance& d : gpu.instances) {
        ++instances[{gpu.model->name, gpu.model->profiles[static_cast<size_t>(d.profile)].name, d.job != 0}];
      }
    }
  }
  for (const auto& [key, count] : instances) {
    out.Add(kProfileInstances,
            {{"model", std::get<0>(key)}, {"profile", std::get<1>(key)}, {"held", std::get<2>(key) ? "true" : "false"}},
            count);
  }
  std::map<int, std::int64_t> queued;
  for (const sched::JobId id : by_phase_[static_cast<size_t>(JobPhase::kQueued)]) ++queued[jobs_.at(id)->spec.priority];
  for (const auto& [priority, count] : queued) out.Add(kQueued, {{"priority", std::to_string(priority)}}, count);
  for (const JobPhase phase : {JobPhase::kQueued, JobPhase::kStarting, JobPhase::kRunning, JobPhase::kFinished,
                               JobPhase::kFailed}) {
    out.Add(kJobs, {{"state", std::string(JobPhaseName(phase))}}, CountIn(phase));
  }
  const sched::Counters& counters = scheduler_->counters();
  out.Add(kRepartitions, {}, counters.reconfigurations);
  out.Add(kInstanceChanges, {{"change", "created"}}, counters.instances_created);
  out.Add(kInstanceChanges, {{"change", "destroyed"}}, counters.instances_destroyed);
  out.Add(kNodes, {{"health", "healthy"}}, healthy);
  out.Add(kNodes, {{"health", "lost"}}, static_cast<int>(nodes.size()) - healthy);
}

}  // namespace migsched::daemon
