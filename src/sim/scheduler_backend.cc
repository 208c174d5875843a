#include "sim/scheduler_backend.h"

namespace migsched::sim {

std::string_view IsolationName(Isolation isolation) {
  switch (isolation) {
    case Isolation::kMig:
      return "mig";
    case Isolation::kWholeGpu:
      return "whole-gpu";
    case Isolation::kNone:
      return "none";
  }
  return "unknown";
}

Result<std::unique_ptr<Backend>> SchedulerBackend::Create(std::string name,
                                                          const geometry::Catalog& catalog,
                                                          fleet::Fleet fleet, sched::Options options,
                                                          bool whole_gpu_requests) {
  // Static layouts send released instances back to idle; the whole-GPU baseline holds none.
  const bool destroys_on_release = !whole_gpu_requests &&
                                   options.reconfiguration != sched::Reconfiguration::kNone &&
                                   options.release == sched::ReleaseMode::kDestroy;
  Result<sched::Scheduler> scheduler = sched::Scheduler::Create(catalog, std::move(fleet), std::move(options));
  if (!scheduler.has_value()) return scheduler.error();
  return std::unique_ptr<Backend>(new SchedulerBackend(std::move(name), std::move(scheduler).value(),
                                                       whole_gpu_requests, destroys_on_release));
}

Result<std::vector<sched::Decision>> SchedulerBackend::Submit(const SimRequest& request, sched::Time now) {
  if (!whole_gpu_requests_ || request.request.whole_gpus > 0) return scheduler_.Submit(request.request, now);
  sched::Request whole = request.request;
  whole.whole_gpus = request.num_gpu;
  whole.options.clear();
  return scheduler_.Submit(whole, now);
}

}  // namespace migsched::sim
