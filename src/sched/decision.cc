#include "sched/decision.h"

namespace migsched::sched {

JobId DecisionJob(const Decision& decision) {
  return std::visit([](const auto& d) { return d.job; }, decision);
}

}  // namespace migsched::sched
