// When and in which order jobs arrive, shared by the engine and the bounds
// (src/sim/bounds.h) so that a bound is computed on exactly the arrivals the
// policies saw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "sim/sim_job.h"

namespace migsched::sim {

// Replay: the job's submit time divided by `compress`, rounded to the
// millisecond (run times are not compressed).
int64_t ReplayArrivalMs(const SimJob& job, double compress);

// Fill: the jobs in trace order, then drawn with replacement by a generator
// seeded with `seed`. Next() returns the index of the next arriving job.
class FillArrivals {
 public:
  FillArrivals(size_t jobs, uint64_t seed) : jobs_(jobs), rng_(seed) {}
  size_t Next();

 private:
  size_t jobs_;
  size_t next_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace migsched::sim
