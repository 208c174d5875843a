// ServiceMetrics: what serve counts and times as it runs — decisions and
// their latency, group commits, agent applies, HTTP requests — kept in
// lock-free counters and histograms, and written with the scheduler's
// state (ControlPlane::WriteMetrics) as the /metrics page.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "daemon/histogram.h"
#include "daemon/metrics_text.h"
#include "sched/decision.h"

namespace migsched::daemon {

class ServiceMetrics {
 public:
  using Duration = std::chrono::steady_clock::duration;

  ServiceMetrics();

  void CountDecision(const sched::Decision& decision);
  void ObserveDecision(Duration took);                      // one Scheduler::Submit call
  void ObserveCommit(std::size_t commands, Duration took);  // one store transaction
  void ObserveApply(Duration took);  // a new desired generation until its agent reports it applied
  void CountApplyFailure();
  void ObserveHttp(const std::string& method, int status, Duration took);

  // The service's own families.
  void Write(MetricsText& out) const;

 private:
  // Placed, NeedsRepartition, Wait, Infeasible (the variant's order).
  std::array<Counter, 4> decisions_;
  Histogram decision_seconds_;
  Histogram commit_seconds_;
  Histogram commit_batch_;
  Histogram apply_seconds_;
  Counter apply_failures_;
  Histogram http_seconds_;
  mutable std::mutex http_mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> http_requests_;  // (method, status)
};

}  // namespace migsched::daemon
