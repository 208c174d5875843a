#include "sim/engine.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <tuple>
#include <variant>

#include "sim/arrivals.h"

namespace migsched::sim {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kProgressEvery = 1024;

// The scheduler reserves job id 0, so job i of the run is id i + 1 there.
sched::JobId ToSchedulerId(sched::JobId index) { return index + 1; }

enum class JobPhase { kQueued, kRepartitioning, kRunning, kDone, kUnplaced };

// Why a job never started.
enum class Unplaced { kInfeasible, kNoRoom };

struct JobRecord {
  JobPhase phase = JobPhase::kQueued;
  int64_t submit_ms = 0;
  int64_t duration_ms = 0;
  int64_t demand_milli = 0;
  std::vector<sched::Placement> where;
  int64_t repartition_since_ms = -1;  // when its NeedsRepartition came; -1: none
  int64_t ops_ms = 0;                 // its repartition ops' cost (the slowest GPU of a gang)
  int service = -1;                   // a service replica: its service's index; -1: a batch job
  int64_t want_end_ms = 0;            // a replica: when its service scales it down
  int64_t start_ms = -1;              // a replica: when it started; -1: never
};

// One busy instance, for the disruption check.
struct BusyInstance {
  int start = 0;
  int size = 0;  // memory slices; a whole GPU covers them all
  sched::JobId job = 0;
};

// Applies decisions to the jobs' records, keeps the metrics, and checks the
// invariants. Shared by both modes; the modes decide what happens next.
class Tracker {
 public:
  Tracker(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
          const EngineHooks& hooks, const ReconfigurationCost& cost)
      : fleet_(fleet), backend_(backend), hooks_(hooks), cost_(cost), busy_(fleet.gpus.size()) {
    result_.policy = backend.name();
    result_.isolation = std::string(IsolationName(backend.isolation()));
    result_.fleet_gpus = static_cast<int64_t>(fleet.gpus.size());
    records_.reserve(jobs.size());
  }

  // Registers an arrival; returns its index. `demand_milli` counts towards arrived demand.
  sched::JobId AddJob(int64_t submit_ms, int64_t duration_ms, int64_t demand_milli) {
    JobRecord record;
    record.submit_ms = submit_ms;
    record.duration_ms = duration_ms;
    record.demand_milli = demand_milli;
    records_.push_back(std::move(record));
    ++result_.jobs;
    result_.arrived_demand_milli += demand_milli;
    return records_.size() - 1;
  }

  // One ServiceResult per service, in their order, before any replica arrives.
  void AddServices(const std::vector<ServiceLoad>& services) {
    for (const ServiceLoad& load : services) result_.services.push_back(ServiceResult{.name = load.name});
  }

  // Registers a replica of services[service] (AddServices).
  sched::JobId AddReplica(size_t service, const ServiceLoad& load, const ReplicaWant& want) {
    ServiceResult& stats = result_.services[service];
    ++stats.replicas_wanted;
    stats.replica_ms_wanted += want.end_ms - want.start_ms;
    JobRecord record;
    record.submit_ms = want.start_ms;
    record.demand_milli = load.request.gpu_milli;
    record.service = static_cast<int>(service);
    record.want_end_ms = want.end_ms;
    records_.push_back(std::move(record));
    return records_.size() - 1;
  }

  void MarkUnplaced(sched::JobId job, Unplaced why) {
    records_[job].phase = JobPhase::kUnplaced;
    if (records_[job].service >= 0) return;  // a replica never started: counted by its service
    ++result_.unplaced;
    result_.infeasible += why == Unplaced::kInfeasible;
  }

  bool IsWaiting(sched::JobId job) const {
    return records_[job].phase == JobPhase::kQueued || records_[job].phase == JobPhase::kRepartitioning;
  }
  bool HasStarted(sched::JobId job) const {
    return records_[job].phase == JobPhase::kRunning || records_[job].phase == JobPhase::kDone;
  }

  // When a job that starts at start_ms leaves: after its run time, or, for a
  // replica, when its service scales it down (at once if that has passed).
  int64_t DepartureMs(sched::JobId job, int64_t start_ms) const {
    const JobRecord& record = records_[job];
    if (record.service >= 0) return std::max(start_ms, record.want_end_ms);
    return start_ms + record.duration_ms;
  }

  Result<std::vector<sched::Decision>> Submit(const SimRequest& request, int64_t now_ms) {
    const int64_t before = hooks_.clock_ns ? hooks_.clock_ns() : 0;
    Result<std::vector<sched::Decision>> decisions = backend_.Submit(request, now_ms);
    if (hooks_.clock_ns) latencies_ns_.push_back(hooks_.clock_ns() - before);
    return decisions;
  }

  // How long after the job's end its slices are free: the destroy of its
  // instances under ReleaseMode::kDestroy (paid here), else 0.
  int64_t DestroyDelayMs(sched::JobId job) {
    if (!backend_.DestroysOnRelease()) return 0;
    int64_t instances = 0;
    for (const sched::Placement& where : records_[job].where) instances += where.profile != sched::kWholeGpu;
    result_.reconfiguration_ms += instances * cost_.destroy_ms;
    return instances > 0 ? cost_.destroy_ms : 0;  // a job holds one instance per GPU
  }

  // Frees what the job held (it must be running).
  void Depart(sched::JobId job) {
    JobRecord& record = records_[job];
    for (const sched::Placement& where : record.where) {
      std::vector<BusyInstance>& on_gpu = busy_[static_cast<size_t>(where.gpu)];
      std::erase_if(on_gpu, [&](const BusyInstance& b) { return b.job == job && b.start == where.start; });
    }
    running_demand_milli_ -= record.demand_milli;
    record.phase = JobPhase::kDone;
  }

  // `started(job, start_ms)` is called for each job that starts; start_ms is
  // later than now_ms by the reconfiguration the job waits for. Returns
  // repartitions as (ready_ms, job) pairs for the caller to schedule.
  Status Apply(const std::vector<sched::Decision>& decisions, int64_t now_ms,
               const std::function<void(sched::JobId, int64_t)>& started,
               std::vector<std::pair<int64_t, sched::JobId>>& repartitions) {
    for (const sched::Decision& decision : decisions) {
      const sched::JobId id = sched::DecisionJob(decision);
      if (id == 0 || id > records_.size()) {
        return InternalError("decision about unknown job id " + std::to_string(id));
      }
      const sched::JobId job = id - 1;
      JobRecord& record = records_[job];
      if (const auto* placed = std::get_if<sched::Placed>(&decision)) {
        if (record.phase == JobPhase::kRunning || record.phase == JobPhase::kDone) {
          return InternalError("job " + std::to_string(job) + " placed twice");
        }
        record.phase = JobPhase::kRunning;
        record.where = placed->where;
        for (const sched::Placement& where : placed->where) {
          busy_[static_cast<size_t>(where.gpu)].push_back(BusyInstance{where.start, SizeOf(where), job});
        }
        running_demand_milli_ += record.demand_milli;
        const int64_t setup_ms = SetupMs(record, *placed, now_ms);
        if (record.service >= 0) {
          record.start_ms = now_ms + setup_ms;
        } else {
          ++result_.placed;
          result_.placed_demand_milli += record.demand_milli;
          result_.queue_delays_ms.push_back(now_ms + setup_ms - record.submit_ms);
        }
        started(job, now_ms + setup_ms);
      } else if (const auto* repartition = std::get_if<sched::NeedsRepartition>(&decision)) {
        CountDisruptions(*repartition);
        int64_t ops_ms = 0;
        for (const sched::InstanceOp& op : repartition->ops) {
          ops_ms += op.kind == sched::InstanceOpKind::kCreate ? cost_.create_ms : cost_.destroy_ms;
        }
        result_.reconfiguration_ms += ops_ms;
        record.ops_ms = std::max(record.ops_ms, ops_ms);
        if (record.repartition_since_ms < 0) record.repartition_since_ms = now_ms;
        record.phase = JobPhase::kRepartitioning;
        repartitions.emplace_back(repartition->ready_at, job);
      } else if (std::holds_alternative<sched::Wait>(decision)) {
        if (record.phase != JobPhase::kRunning) record.phase = JobPhase::kQueued;
      } else {
        MarkUnplaced(job, Unplaced::kInfeasible);
      }
    }
    return Status::Ok();
  }

  // Closes the interval since the last sample and records the state at `now_ms`.
  void Sample(int64_t now_ms) {
    const sched::FleetUsage usage = backend_.Totals();
    const UsageSample sample{now_ms,
                             usage.busy_gpus,
                             usage.held_slices,
                             usage.stranded_slices,
                             running_demand_milli_,
                             static_cast<int64_t>(usage.queued + usage.repartitioning)};
    Integrate(now_ms);
    result_.gpus_used_peak = std::max(result_.gpus_used_peak, sample.busy_gpus);
    result_.stranded_slices_peak = std::max(result_.stranded_slices_peak, sample.stranded_slices);
    if (!result_.samples.empty() && SameUsage(result_.samples.back(), sample)) return;
    result_.samples.push_back(sample);
    busy_slices_ = BusySlices(usage);
  }

  // Every job is placed, waiting or unplaced, exactly once; fills the totals.
  Result<PolicyRun> Finish(int64_t end_ms) {
    Integrate(end_ms);
    result_.end_ms = end_ms;
    int64_t placed = 0;
    int64_t unplaced = 0;
    for (size_t i = 0; i < records_.size(); ++i) {
      if (records_[i].service >= 0) continue;
      switch (records_[i].phase) {
        case JobPhase::kRunning:
        case JobPhase::kDone:
          ++placed;
          break;
        case JobPhase::kUnplaced:
          ++unplaced;
          break;
        case JobPhase::kQueued:
        case JobPhase::kRepartitioning:
          // Still waiting when the run ended: never placed.
          records_[i].phase = JobPhase::kUnplaced;
          ++result_.unplaced;
          ++unplaced;
          break;
      }
    }
    if (placed != result_.placed || placed + unplaced != result_.jobs) {
      return InternalError("conservation broken: " + std::to_string(result_.jobs) + " jobs, " +
                           std::to_string(placed) + " placed, " + std::to_string(unplaced) + " unplaced");
    }
    FinishServices();
    result_.reconfigurations = backend_.Reconfigurations();
    result_.busy_disrupted += backend_.BusyDisturbed();
    std::sort(result_.queue_delays_ms.begin(), result_.queue_delays_ms.end());
    result_.queue_delay_p50_s = static_cast<double>(Percentile(result_.queue_delays_ms, 50)) / 1000.0;
    result_.queue_delay_p99_s = static_cast<double>(Percentile(result_.queue_delays_ms, 99)) / 1000.0;
    if (result_.allocation_rate == 0 && result_.arrived_demand_milli > 0) {
      result_.allocation_rate = static_cast<double>(result_.placed_demand_milli) /
                                static_cast<double>(result_.arrived_demand_milli);
    }
    const double fleet_milli = static_cast<double>(result_.fleet_gpus) * 1000.0;
    if (busy_time_ > 0) {
      result_.utilization_mean = demand_over_busy_ / busy_time_;
      result_.slice_utilization_mean = slices_over_busy_ / busy_time_;
    }
    if (window_ > 0) {
      result_.fleet_utilization_mean = demand_area_ / window_ / fleet_milli;
      result_.stranded_slices_mean = stranded_area_ / window_;
    }
    PolicyRun run{std::move(result_), {}};
    std::sort(latencies_ns_.begin(), latencies_ns_.end());
    run.latency.samples = static_cast<int64_t>(latencies_ns_.size());
    run.latency.p50_us = static_cast<double>(Percentile(latencies_ns_, 50)) / 1000.0;
    run.latency.p99_us = static_cast<double>(Percentile(latencies_ns_, 99)) / 1000.0;
    return run;
  }

  PolicyResult& result() { return result_; }
  bool IsUnplaced(sched::JobId job) const { return records_[job].phase == JobPhase::kUnplaced; }

 private:
  static bool SameUsage(const UsageSample& a, const UsageSample& b) {
    return std::tie(a.busy_gpus, a.held_slices, a.stranded_slices, a.running_demand_milli, a.queued) ==
           std::tie(b.busy_gpus, b.held_slices, b.stranded_slices, b.running_demand_milli, b.queued);
  }

  // Memory slices of the GPUs in use, assuming one model's slice count
  // across the fleet's busy GPUs (exact for single-model fleets).
  int64_t BusySlices(const sched::FleetUsage& usage) const {
    if (fleet_.gpus.empty()) return 0;
    return int64_t{usage.busy_gpus} * usage.memory_slices / static_cast<int64_t>(fleet_.gpus.size());
  }

  void Integrate(int64_t now_ms) {
    if (!result_.samples.empty()) {
      const UsageSample& last = result_.samples.back();
      const double dt = static_cast<double>(now_ms - last_ms_);
      if (dt > 0) {
        window_ += dt;
        demand_area_ += dt * static_cast<double>(last.running_demand_milli);
        stranded_area_ += dt * static_cast<double>(last.stranded_slices);
        if (last.busy_gpus > 0) {
          busy_time_ += dt;
          demand_over_busy_ += dt * static_cast<double>(last.running_demand_milli) /
                               (1000.0 * static_cast<double>(last.busy_gpus));
          if (busy_slices_ > 0) {
            slices_over_busy_ += dt * static_cast<double>(last.held_slices) / static_cast<double>(busy_slices_);
          }
        }
      }
    }
    last_ms_ = now_ms;
  }

  // How long the job waits, from its placement at now_ms, for its instances
  // to exist: the create on free slices, or its repartition's ops after the
  // scheduler's own delay. Counted as reconfiguration paid and waited for.
  int64_t SetupMs(JobRecord& record, const sched::Placed& placed, int64_t now_ms) {
    const int64_t created_ms = placed.created > 0 ? cost_.create_ms : 0;  // one instance per job
    result_.reconfiguration_ms += placed.created * cost_.create_ms;
    int64_t setup_ms = created_ms + record.ops_ms;
    const int64_t waited_ms =
        setup_ms + (record.repartition_since_ms >= 0 ? now_ms - record.repartition_since_ms : 0);
    if (waited_ms > 0 && record.service < 0) {
      ++result_.reconfiguration_waited_jobs;
      result_.reconfiguration_wait_ms += waited_ms;
    }
    return setup_ms;
  }

  // Each service's served time, under-provisioned time (the union over its
  // replicas of [wanted, started or scaled down)) and start delays.
  void FinishServices() {
    std::vector<std::vector<std::pair<int64_t, int64_t>>> short_of(result_.services.size());
    std::vector<std::vector<int64_t>> delays(result_.services.size());
    for (const JobRecord& record : records_) {
      if (record.service < 0) continue;
      const auto service = static_cast<size_t>(record.service);
      const bool started = record.start_ms >= 0;
      if (started) {
        ++result_.services[service].replicas_started;
        delays[service].push_back(record.start_ms - record.submit_ms);
        result_.services[service].replica_ms_served += std::max<int64_t>(0, record.want_end_ms - record.start_ms);
      }
      const int64_t until = started ? std::min(record.start_ms, record.want_end_ms) : record.want_end_ms;
      if (until > record.submit_ms) short_of[service].emplace_back(record.submit_ms, until);
    }
    for (size_t i = 0; i < result_.services.size(); ++i) {
      ServiceResult& stats = result_.services[i];
      std::sort(short_of[i].begin(), short_of[i].end());
      int64_t covered_to = INT64_MIN;
      for (const auto& [from, to] : short_of[i]) {
        const int64_t begin = std::max(from, covered_to);
        if (to > begin) stats.under_provisioned_ms += to - begin;
        covered_to = std::max(covered_to, to);
      }
      std::sort(delays[i].begin(), delays[i].end());
      stats.start_delay_p50_ms = Percentile(delays[i], 50);
      stats.start_delay_p99_ms = Percentile(delays[i], 99);
      stats.start_delay_max_ms = delays[i].empty() ? 0 : delays[i].back();
    }
  }

  int SizeOf(const sched::Placement& where) const {
    const geometry::GpuModel& model = *fleet_.gpus[static_cast<size_t>(where.gpu)].model;
    if (where.profile == sched::kWholeGpu) return model.memory_slices;
    return model.profiles[static_cast<size_t>(where.profile)].memory_slices;
  }

  void CountDisruptions(const sched::NeedsRepartition& repartition) {
    const geometry::GpuModel& model = *fleet_.gpus[static_cast<size_t>(repartition.gpu)].model;
    for (const sched::InstanceOp& op : repartition.ops) {
      if (op.kind != sched::InstanceOpKind::kDestroy) continue;
      const geometry::Placement destroyed =
          model.profiles[static_cast<size_t>(op.profile)].PlacementAt(op.start);
      for (const BusyInstance& busy : busy_[static_cast<size_t>(repartition.gpu)]) {
        if (destroyed.Overlaps(geometry::Placement{busy.start, busy.size})) ++result_.busy_disrupted;
      }
    }
  }

  const fleet::Fleet& fleet_;
  Backend& backend_;
  const EngineHooks& hooks_;
  const ReconfigurationCost cost_;
  std::vector<JobRecord> records_;
  std::vector<std::vector<BusyInstance>> busy_;  // per GPU
  PolicyResult result_;
  std::vector<int64_t> latencies_ns_;
  int64_t running_demand_milli_ = 0;
  int64_t busy_slices_ = 0;
  int64_t last_ms_ = 0;
  double window_ = 0, busy_time_ = 0;
  double demand_area_ = 0, stranded_area_ = 0, demand_over_busy_ = 0, slices_over_busy_ = 0;
};

// Arrivals come from the sorted job list. kFreed: a departed job's instances
// are destroyed (ReconfigurationCost::destroy_ms after its departure).
// kScaleDown: a replica's service no longer wants it; withdrawn if waiting.
// Scale-downs go first at an instant, so that a departure does not start a
// replica that is no longer wanted.
enum class EventKind { kScaleDown = 0, kDeparture = 1, kFreed = 2, kReady = 3 };
using Event = std::tuple<int64_t, EventKind, sched::JobId>;

// Fill mode's utilisation is that of the full fleet at the end, not a mean
// over arrivals.
void UseFinalState(PolicyResult& result, const fleet::Fleet& fleet) {
  if (result.samples.empty()) return;
  const UsageSample& last = result.samples.back();
  const double demand = static_cast<double>(last.running_demand_milli);
  result.utilization_mean = last.busy_gpus > 0 ? demand / (1000.0 * last.busy_gpus) : 0;
  result.fleet_utilization_mean = demand / (1000.0 * static_cast<double>(result.fleet_gpus));
  result.stranded_slices_mean = static_cast<double>(last.stranded_slices);
  int64_t fleet_slices = 0;
  for (const fleet::FleetGpu& gpu : fleet.gpus) fleet_slices += gpu.model->memory_slices;
  // Slices of the busy GPUs, exact for a single-model fleet.
  const double busy_slices = static_cast<double>(fleet_slices) * last.busy_gpus /
                             static_cast<double>(std::max<int64_t>(1, result.fleet_gpus));
  result.slice_utilization_mean = busy_slices > 0 ? static_cast<double>(last.held_slices) / busy_slices : 0;
}

}  // namespace

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size()))) - 1;
  return sorted[index];
}

Result<PolicyRun> RunReplay(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
                            const ReplayOptions& options, const EngineHooks& hooks) {
  // Bounded so that compressed times stay inside int64 milliseconds.
  if (!(options.compress >= 1e-3 && options.compress <= 1e9)) {
    return InvalidArgumentError("compress must be within 0.001..1e9");
  }
  if (options.cost.create_ms < 0 || options.cost.destroy_ms < 0) {
    return InvalidArgumentError("reconfiguration costs must not be negative");
  }
  Tracker tracker(jobs, fleet, backend, hooks, options.cost);
  tracker.AddServices(options.services);
  // Every replica as (scale-up time, service, its index in the service's list).
  std::vector<std::tuple<int64_t, size_t, size_t>> replicas;
  for (size_t s = 0; s < options.services.size(); ++s) {
    const std::vector<ReplicaWant>& wants = options.services[s].replicas;
    for (size_t i = 0; i < wants.size(); ++i) replicas.emplace_back(wants[i].start_ms, s, i);
  }
  std::sort(replicas.begin(), replicas.end());
  size_t next_replica = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  std::vector<std::pair<int64_t, sched::JobId>> repartitions;
  const auto started = [&](sched::JobId job, int64_t start_ms) {
    events.emplace(tracker.DepartureMs(job, start_ms), EventKind::kDeparture, job);
  };
  const auto schedule_repartitions = [&] {
    for (const auto& [ready_ms, job] : repartitions) events.emplace(ready_ms, EventKind::kReady, job);
    repartitions.clear();
  };
  size_t next_arrival = 0;
  int64_t now_ms = 0;
  const auto arrival_ms = [&](size_t i) { return ReplayArrivalMs(jobs[i], options.compress); };
  // Progress counts two events per job, its arrival and its departure (a job
  // that never starts counts both when it ends unplaced), so that an
  // overloaded run's long drain after the last arrival shows too.
  const int64_t events_total = 2 * static_cast<int64_t>(jobs.size() + replicas.size());
  int64_t events_done = 0;
  const auto count_events = [&](int64_t n) {
    const int64_t before = events_done;
    events_done += n;
    if (hooks.progress && before / kProgressEvery != events_done / kProgressEvery) {
      hooks.progress(events_done, events_total);
    }
  };
  const auto submit = [&](const SimRequest& prepared, sched::JobId id) -> Status {
    SimRequest request = prepared;
    request.request.id = ToSchedulerId(id);
    Result<std::vector<sched::Decision>> decisions = tracker.Submit(request, now_ms);
    if (!decisions.has_value()) return decisions.error();
    MIGSCHED_RETURN_IF_ERROR(tracker.Apply(*decisions, now_ms, started, repartitions));
    schedule_repartitions();
    count_events(1);
    return Status::Ok();
  };
  while (next_arrival < jobs.size() || next_replica < replicas.size() || !events.empty()) {
    const int64_t next_event = events.empty() ? INT64_MAX : std::get<0>(events.top());
    const int64_t next_job = next_arrival < jobs.size() ? arrival_ms(next_arrival) : INT64_MAX;
    const int64_t next_scale_up = next_replica < replicas.size() ? std::get<0>(replicas[next_replica]) : INT64_MAX;
    now_ms = std::max(now_ms, std::min({next_event, next_job, next_scale_up}));
    // Everything at this instant: scale-downs, departures, then destroyed
    // instances, then finished repartitions, then arrivals: jobs, then replicas.
    while (!events.empty() && std::get<0>(events.top()) <= now_ms) {
      const auto [t, kind, job] = events.top();
      events.pop();
      if (kind == EventKind::kScaleDown) {
        if (tracker.HasStarted(job)) continue;  // its departure is scheduled
        count_events(1);
        if (!tracker.IsWaiting(job)) continue;  // infeasible: never queued
        Result<std::vector<sched::Decision>> withdrawn = backend.Release(ToSchedulerId(job), now_ms);
        if (!withdrawn.has_value()) return withdrawn.error();
        tracker.MarkUnplaced(job, Unplaced::kNoRoom);
        MIGSCHED_RETURN_IF_ERROR(tracker.Apply(*withdrawn, now_ms, started, repartitions));
        schedule_repartitions();
        continue;
      }
      if (kind == EventKind::kDeparture) {
        count_events(1);
        tracker.Depart(job);
        const int64_t destroy_ms = tracker.DestroyDelayMs(job);
        if (destroy_ms > 0) {
          events.emplace(now_ms + destroy_ms, EventKind::kFreed, job);
          continue;
        }
      }
      Result<std::vector<sched::Decision>> decisions =
          kind == EventKind::kReady ? backend.Advance(now_ms) : backend.Release(ToSchedulerId(job), now_ms);
      if (!decisions.has_value()) return decisions.error();
      MIGSCHED_RETURN_IF_ERROR(tracker.Apply(*decisions, now_ms, started, repartitions));
      schedule_repartitions();
    }
    while (next_arrival < jobs.size() && arrival_ms(next_arrival) <= now_ms) {
      const SimJob& job = jobs[next_arrival++];
      const sched::JobId id = tracker.AddJob(now_ms, job.job.duration_ms, job.job.DemandMilli());
      if (!job.request) {
        tracker.MarkUnplaced(id, Unplaced::kInfeasible);
        count_events(2);
        continue;
      }
      MIGSCHED_RETURN_IF_ERROR(submit(*job.request, id));
    }
    while (next_replica < replicas.size() && std::get<0>(replicas[next_replica]) <= now_ms) {
      const auto [start_ms, service, index] = replicas[next_replica++];
      const ServiceLoad& load = options.services[service];
      const sched::JobId id = tracker.AddReplica(service, load, load.replicas[index]);
      events.emplace(load.replicas[index].end_ms, EventKind::kScaleDown, id);
      MIGSCHED_RETURN_IF_ERROR(submit(load.request, id));
    }
    tracker.Sample(now_ms);
  }
  if (hooks.progress) hooks.progress(events_total, events_total);
  return tracker.Finish(now_ms);
}

Result<PolicyRun> RunFill(const std::vector<SimJob>& jobs, const fleet::Fleet& fleet, Backend& backend,
                          const FillOptions& options, const EngineHooks& hooks) {
  if (jobs.empty()) return InvalidArgumentError("fill mode needs at least one job");
  if (options.patience < 1 || options.max_demand_percent < 100) {
    return InvalidArgumentError("fill mode needs patience >= 1 and max_demand_percent >= 100");
  }
  if (options.cost.create_ms < 0 || options.cost.destroy_ms < 0) {
    return InvalidArgumentError("reconfiguration costs must not be negative");
  }
  Tracker tracker(jobs, fleet, backend, hooks, options.cost);
  const int64_t capacity_milli = static_cast<int64_t>(fleet.gpus.size()) * 1000;
  const int64_t max_milli = capacity_milli / 100 * options.max_demand_percent;
  FillArrivals arrivals(jobs.size(), options.seed);
  std::vector<std::pair<int64_t, sched::JobId>> repartitions;
  const auto never_leaves = [](sched::JobId, int64_t) {};
  PolicyResult& result = tracker.result();
  int64_t now_ms = 0;  // one arrival per simulated second
  int64_t rejected_in_a_row = 0;
  for (int64_t arrival = 0;; ++arrival, now_ms += kMillisPerSecond) {
    const SimJob& job = jobs[arrivals.Next()];
    const sched::JobId id = tracker.AddJob(now_ms, 0, job.job.DemandMilli());
    const int64_t placed_before = result.placed;
    if (!job.request) {
      tracker.MarkUnplaced(id, Unplaced::kInfeasible);
    } else {
      SimRequest request = *job.request;
      request.request.id = ToSchedulerId(id);
      Result<std::vector<sched::Decision>> decisions = tracker.Submit(request, now_ms);
      if (!decisions.has_value()) return decisions.error();
      MIGSCHED_RETURN_IF_ERROR(tracker.Apply(*decisions, now_ms, never_leaves, repartitions));
      // A repartition completes before the next arrival.
      while (!repartitions.empty()) {
        now_ms = std::max(now_ms, repartitions.back().first);
        repartitions.clear();
        Result<std::vector<sched::Decision>> ready = backend.Advance(now_ms);
        if (!ready.has_value()) return ready.error();
        MIGSCHED_RETURN_IF_ERROR(tracker.Apply(*ready, now_ms, never_leaves, repartitions));
      }
      if (result.placed == placed_before && !tracker.IsUnplaced(id)) {
        // Not now means never in fill mode: withdraw the job from the queue.
        Result<std::vector<sched::Decision>> withdrawn = backend.Release(ToSchedulerId(id), now_ms);
        if (!withdrawn.has_value()) return withdrawn.error();
        MIGSCHED_RETURN_IF_ERROR(tracker.Apply(*withdrawn, now_ms, never_leaves, repartitions));
        tracker.MarkUnplaced(id, Unplaced::kNoRoom);
      }
    }
    rejected_in_a_row = result.placed == placed_before ? rejected_in_a_row + 1 : 0;
    if (result.first_rejection == 0 && job.request && result.placed == placed_before) {
      result.first_rejection = arrival + 1;
    }
    result.fill_curve.push_back(FillPoint{result.arrived_demand_milli, result.placed_demand_milli});
    if (result.arrivals_at_capacity == 0 && result.arrived_demand_milli >= capacity_milli) {
      result.arrivals_at_capacity = arrival + 1;
      result.placed_at_capacity = result.placed;
      result.allocation_rate = static_cast<double>(result.placed_demand_milli) /
                               static_cast<double>(result.arrived_demand_milli);
    }
    tracker.Sample(arrival);
    if (hooks.progress && (arrival + 1) % kProgressEvery == 0) {
      hooks.progress(std::min(result.arrived_demand_milli, capacity_milli), capacity_milli);
    }
    const bool past_capacity = result.arrived_demand_milli >= capacity_milli;
    if ((past_capacity && rejected_in_a_row >= options.patience) || result.arrived_demand_milli >= max_milli) {
      Result<PolicyRun> run = tracker.Finish(arrival);
      if (run.has_value()) UseFinalState(run->result, fleet);
      return run;
    }
  }
}

}  // namespace migsched::sim
