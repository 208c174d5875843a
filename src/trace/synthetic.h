// A seeded synthetic inference mix: Poisson arrivals, exponential run times
// and a fixed mix of request sizes typical of shared inference clusters
// (mostly small fractions, some memory-heavy small models, a few whole-GPU
// and gang training jobs). Pure: the same options give the same trace on
// every platform (std::mt19937_64 and our own inverse-transform sampling, not
// the implementation-defined std:: distributions).
//
// The mix (share, gpu_milli, GPU memory, GPUs):
//   30% 100 milli            25% 250 milli         10% 140 milli + 18 GiB
//   15% 420 milli            10% 480 milli          7% 1 whole GPU
//    3% gang of 2 whole GPUs
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "trace/trace.h"

namespace migsched::trace {

struct SyntheticOptions {
  int64_t jobs = 1000;
  double rate_per_s = 1.0;         // mean arrivals per second
  double mean_duration_s = 600.0;  // mean run time
  uint64_t seed = 1;
};

// InvalidArgument for jobs outside 1..10,000,000, a rate outside 1e-6..1e6
// per second or a mean duration outside 0.001..1e9 seconds.
Result<Trace> GenerateSynthetic(const SyntheticOptions& options);

// Parses "jobs=10000,rate=5,duration=600" (every key optional, any order) on
// top of `defaults`. InvalidArgument names an unknown key or a bad value.
Result<SyntheticOptions> ParseSyntheticSpec(std::string_view spec, SyntheticOptions defaults);

}  // namespace migsched::trace
