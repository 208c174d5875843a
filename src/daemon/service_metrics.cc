#include "daemon/service_metrics.h"

namespace migsched::daemon {
namespace {

constexpr MetricFamily kDecisions{"migsched_decisions_total", MetricType::kCounter,
                                  "Scheduler decisions, by outcome."};
constexpr MetricFamily kDecisionSeconds{"migsched_decision_seconds", MetricType::kHistogram,
                                        "Time the scheduler core took to decide one submitted job."};
constexpr MetricFamily kCommitSeconds{"migsched_store_commit_seconds", MetricType::kHistogram,
                                      "Time of one store transaction (a group commit)."};
constexpr MetricFamily kCommitBatch{"migsched_store_commit_requests", MetricType::kHistogram,
                                    "Requests acknowledged by one store transaction."};
constexpr MetricFamily kApplySeconds{"migsched_agent_apply_seconds", MetricType::kHistogram,
                                     "From a new desired layout until its node agent reports it applied."};
constexpr MetricFamily kApplyFailures{"migsched_agent_apply_failures_total", MetricType::kCounter,
                                      "Agent reports of a failed apply."};
constexpr MetricFamily kHttpRequests{"migsched_http_requests_total", MetricType::kCounter,
                                     "HTTP requests answered, by method and status code."};
constexpr MetricFamily kHttpSeconds{"migsched_http_request_seconds", MetricType::kHistogram,
                                    "Time to answer one HTTP request."};

constexpr std::array<const char*, 4> kOutcomes{"placed", "repartition", "wait", "infeasible"};

double Seconds(ServiceMetrics::Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

ServiceMetrics::ServiceMetrics()
    : decision_seconds_({1e-7, 2.5e-7, 5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 1e-4, 1e-3}),
      commit_seconds_({1e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.5}),
      commit_batch_({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096}),
      apply_seconds_({0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}),
      http_seconds_({1e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.5, 1, 5}) {}

void ServiceMetrics::CountDecision(const sched::Decision& decision) { decisions_[decision.index()].Increment(); }

void ServiceMetrics::ObserveDecision(Duration took) { decision_seconds_.Observe(Seconds(took)); }

void ServiceMetrics::ObserveCommit(std::size_t commands, Duration took) {
  commit_seconds_.Observe(Seconds(took));
  commit_batch_.Observe(static_cast<double>(commands));
}

void ServiceMetrics::ObserveApply(Duration took) { apply_seconds_.Observe(Seconds(took)); }

void ServiceMetrics::CountApplyFailure() { apply_failures_.Increment(); }

void ServiceMetrics::ObserveHttp(const std::string& method, int status, Duration took) {
  http_seconds_.Observe(Seconds(took));
  std::lock_guard lock(http_mutex_);
  ++http_requests_[{method, status}];
}

void ServiceMetrics::Write(MetricsText& out) const {
  for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
    out.Add(kDecisions, {{"outcome", kOutcomes[i]}}, decisions_[i].Value());
  }
  out.AddHistogram(kDecisionSeconds, {}, decision_seconds_.Snapshot());
  out.AddHistogram(kCommitSeconds, {}, commit_seconds_.Snapshot());
  out.AddHistogram(kCommitBatch, {}, commit_batch_.Snapshot());
  out.AddHistogram(kApplySeconds, {}, apply_seconds_.Snapshot());
  out.Add(kApplyFailures, {}, apply_failures_.Value());
  {
    std::lock_guard lock(http_mutex_);
    for (const auto& [key, count] : http_requests_) {
      out.Add(kHttpRequests, {{"method", key.first}, {"code", std::to_string(key.second)}}, count);
    }
  }
  out.AddHistogram(kHttpSeconds, {}, http_seconds_.Snapshot());
}

}  // namespace migsched::daemon
