#include "sim/arrivals.h"

#include <cmath>

namespace migsched::sim {

int64_t ReplayArrivalMs(const SimJob& job, double compress) {
  return static_cast<int64_t>(std::llround(static_cast<double>(job.job.submit_ms) / compress));
}

size_t FillArrivals::Next() {
  if (next_ < jobs_) return next_++;
  return static_cast<size_t>(rng_() % jobs_);
}

}  // namespace migsched::sim
