#include "sim/time_slicing_backend.h"

#include <algorithm>

namespace migsched::sim {

TimeSlicingBackend::TimeSlicingBackend(const fleet::Fleet& fleet)
    : used_milli_(fleet.gpus.size(), 0) {
  for (size_t i = 0; i < fleet.gpus.size(); ++i) {
    memory_slices_.push_back(fleet.gpus[i].model->memory_slices);
    slice_total_ += fleet.gpus[i].model->memory_slices;
    by_used_.emplace(0, static_cast<int>(i));
  }
}

void TimeSlicingBackend::SetUsed(int gpu, int used_milli) {
  int& used = used_milli_[static_cast<size_t>(gpu)];
  by_used_.erase({used, gpu});
  busy_gpus_ += (used_milli > 0) - (used > 0);
  used_total_milli_ += used_milli - used;
  used = used_milli;
  by_used_.emplace(used, gpu);
}

std::optional<sched::Placed> TimeSlicingBackend::TryPlace(sched::JobId id, Job& job) {
  const SimRequest& request = job.request;
  if (request.num_gpu > 1 || request.gpu_milli >= 1000) {
    // Whole GPUs: the lowest-numbered empty ones.
    std::vector<int> empty;
    for (auto it = by_used_.begin(); it != by_used_.end() && it->first == 0 &&
                                      static_cast<int>(empty.size()) < request.num_gpu;
         ++it) {
      empty.push_back(it->second);
    }
    if (static_cast<int>(empty.size()) < request.num_gpu) return std::nullopt;
    job.gpus = empty;
  } else {
    // Best fit: the fullest GPU with room; among equals the lowest index.
    const int room_needed_below = 1000 - request.gpu_milli;
    auto it = by_used_.upper_bound({room_needed_below, static_cast<int>(used_milli_.size())});
    if (it == by_used_.begin()) return std::nullopt;
    --it;
    const int fullest = it->first;
    it = by_used_.lower_bound({fullest, 0});
    job.gpus = {it->second};
  }
  sched::Placed placed{id, {}};
  for (int gpu : job.gpus) {
    SetUsed(gpu, used_milli_[static_cast<size_t>(gpu)] + std::min(request.gpu_milli, 1000));
    placed.where.push_back(sched::Placement{gpu, sched::kWholeGpu, 0});
  }
  return placed;
}

Result<std::vector<sched::Decision>> TimeSlicingBackend::Submit(const SimRequest& request, sched::Time) {
  const sched::JobId id = request.request.id;
  if (jobs_.contains(id)) return InvalidArgumentError("duplicate job id " + std::to_string(id));
  if (request.num_gpu > static_cast<int>(used_milli_.size())) {
    return std::vector<sched::Decision>{sched::Infeasible{id, "gang larger than the fleet"}};
  }
  Job& job = jobs_[id];
  job.request = request;
  if (std::optional<sched::Placed> placed = TryPlace(id, job)) return std::vector<sched::Decision>{*placed};
  queue_.push_back(id);
  return std::vector<sched::Decision>{sched::Wait{id, "no GPU has enough free compute"}};
}

Result<std::vector<sched::Decision>> TimeSlicingBackend::Release(sched::JobId id, sched::Time) {
  auto found = jobs_.find(id);
  if (found == jobs_.end()) return NotFoundError("unknown job " + std::to_string(id));
  const Job& job = found->second;
  for (int gpu : job.gpus) {
    SetUsed(gpu, used_milli_[static_cast<size_t>(gpu)] - std::min(job.request.gpu_milli, 1000));
  }
  if (job.gpus.empty()) queue_.erase(std::find(queue_.begin(), queue_.end(), id));
  jobs_.erase(found);
  std::vector<sched::Decision> decisions;
  std::vector<sched::JobId> still_waiting;
  for (sched::JobId waiting : queue_) {
    if (std::optional<sched::Placed> placed = TryPlace(waiting, jobs_.at(waiting))) {
      decisions.push_back(*placed);
    } else {
      still_waiting.push_back(waiting);
    }
  }
  queue_ = std::move(still_waiting);
  return decisions;
}

sched::FleetUsage TimeSlicingBackend::Totals() const {
  sched::FleetUsage usage;
  usage.memory_slices = slice_total_;
  // Slices in use, as the compute share of each GPU's slices.
  usage.held_slices = slice_total_ == 0 || used_milli_.empty()
                          ? 0
                          : used_total_milli_ * slice_total_ / (1000 * static_cast<int64_t>(used_milli_.size()));
  usage.busy_gpus = busy_gpus_;
  usage.queued = queue_.size();
  usage.running = jobs_.size() - queue_.size();
  return usage;
}

}  // namespace migsched::sim
