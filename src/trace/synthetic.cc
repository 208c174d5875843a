#include "trace/synthetic.h"

#include <array>
#include <charconv>
#include <cmath>
#include <random>

#include "common/strings.h"
#include "trace/csv_table.h"

namespace migsched::trace {
namespace {

constexpr int64_t kMaxJobs = 10'000'000;
constexpr int64_t kMibPerGib = 1024;
constexpr double kMinRate = 1e-6, kMaxRate = 1e6;
constexpr double kMinDuration = 1e-3, kMaxDuration = 1e9;

struct MixEntry {
  int percent;
  int gpu_milli;
  int64_t gpu_memory_mib;  // 0: proportional to gpu_milli
  int num_gpu;
};

constexpr std::array<MixEntry, 7> kInferenceMix = {{
    {30, 100, 0, 1},
    {25, 250, 0, 1},
    {10, 140, 18 * kMibPerGib, 1},
    {15, 420, 0, 1},
    {10, 480, 0, 1},
    {7, 1000, 0, 1},
    {3, 1000, 0, 2},
}};

// Uniform in [0, 1) from the top 53 bits.
double Uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Exponential with the given mean, by inverse transform.
double Exponential(std::mt19937_64& rng, double mean) { return -mean * std::log1p(-Uniform(rng)); }

const MixEntry& PickSize(std::mt19937_64& rng) {
  const int draw = static_cast<int>(rng() % 100);
  int cumulative = 0;
  for (const MixEntry& entry : kInferenceMix) {
    cumulative += entry.percent;
    if (draw < cumulative) return entry;
  }
  return kInferenceMix.back();
}

Result<double> ParsePositive(std::string_view key, std::string_view text) {
  double value = 0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || ptr != text.data() + text.size() ||
      !std::isfinite(value) || value <= 0) {
    return InvalidArgumentError("synthetic trace: " + std::string(key) + "=" + Quote(text) +
                                " is not a positive number");
  }
  return value;
}

}  // namespace

Result<Trace> GenerateSynthetic(const SyntheticOptions& options) {
  if (options.jobs < 1 || options.jobs > kMaxJobs) {
    return InvalidArgumentError("synthetic trace: jobs=" + std::to_string(options.jobs) +
                                " outside 1..10000000");
  }
  // Bounds keep every time far inside int64 milliseconds.
  if (!(options.rate_per_s >= kMinRate && options.rate_per_s <= kMaxRate)) {
    return InvalidArgumentError("synthetic trace: rate must be within 1e-6..1e6 arrivals per second");
  }
  if (!(options.mean_duration_s >= kMinDuration && options.mean_duration_s <= kMaxDuration)) {
    return InvalidArgumentError("synthetic trace: duration must be within 0.001..1e9 seconds");
  }
  std::mt19937_64 rng(options.seed);
  Trace trace;
  trace.source = "synthetic:jobs=" + std::to_string(options.jobs);
  trace.jobs.reserve(static_cast<size_t>(options.jobs));
  double now_s = 0;
  for (int64_t i = 0; i < options.jobs; ++i) {
    now_s += Exponential(rng, 1.0 / options.rate_per_s);
    const MixEntry& size = PickSize(rng);
    TraceJob job;
    job.id = i;
    job.name = "synthetic-" + std::to_string(i);
    job.submit_ms = std::llround(now_s * 1000.0);
    // At least a second: a zero-length job tells nothing about packing.
    job.duration_ms = std::max<int64_t>(1000, std::llround(Exponential(rng, options.mean_duration_s) * 1000.0));
    job.gpu_milli = size.gpu_milli;
    job.num_gpu = size.num_gpu;
    job.gpu_memory_mib = size.gpu_memory_mib;
    job.kind = (size.num_gpu == 1 && size.gpu_milli < 1000) ? JobKind::kInference : JobKind::kTraining;
    trace.jobs.push_back(std::move(job));
  }
  return trace;
}

Result<SyntheticOptions> ParseSyntheticSpec(std::string_view spec, SyntheticOptions defaults) {
  SyntheticOptions options = defaults;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return InvalidArgumentError("synthetic trace: " + Quote(item) + " is not KEY=VALUE");
    }
    const std::string_view key = item.substr(0, equals);
    const std::string_view value = item.substr(equals + 1);
    if (key == "jobs") {
      const std::optional<int64_t> jobs = ParseInt64(value);
      if (!jobs) {
        return InvalidArgumentError("synthetic trace: jobs=" + Quote(value) + " is not an integer");
      }
      options.jobs = *jobs;
    } else if (key == "rate") {
      MIGSCHED_ASSIGN_OR_RETURN(options.rate_per_s, ParsePositive(key, value));
    } else if (key == "duration") {
      MIGSCHED_ASSIGN_OR_RETURN(options.mean_duration_s, ParsePositive(key, value));
    } else {
      return InvalidArgumentError("synthetic trace: unknown key " + Quote(key) +
                                  " (known: jobs, rate, duration)");
    }
  }
  return options;
}

}  // namespace migsched::trace
