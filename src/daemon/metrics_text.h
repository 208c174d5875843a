// MetricsText: writes the Prometheus text exposition format 0.0.4 (what
// /metrics serves, Content-Type kMetricsContentType). Samples may be added in
// any order and in pieces; each family is written once, in the order it was
// first added, with its # HELP and # TYPE lines and then its samples in the
// order they were added. Label values and help text are escaped; values are
// spelled as Prometheus parses them (integers without an exponent, other
// floats in the shortest form that reads back to the same double, +Inf,
// -Inf, NaN).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/histogram.h"

namespace migsched::daemon {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

// A family's identity; meant as a constant next to the code that fills it:
//   constexpr MetricFamily kJobsQueued{"migsched_jobs_queued", MetricType::kGauge, "Jobs waiting."};
// Counter names end in _total, as Prometheus' linter (promtool) wants.
struct MetricFamily {
  std::string_view name;
  MetricType type;
  std::string_view help;
};

struct Label {
  std::string name;
  std::string value;
};
using Labels = std::vector<Label>;

class MetricsText {
 public:
  // A counter or gauge sample. Names that break Prometheus' rules (metric
  // [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]* and not "__..."),
  // a family added again with another type or help, and a histogram family
  // here are programmer's bugs (CHECK).
  void Add(const MetricFamily& family, const Labels& labels, double value);
  void Add(const MetricFamily& family, const Labels& labels, uint64_t value);
  void Add(const MetricFamily& family, const Labels& labels, int64_t value);
  void Add(const MetricFamily& family, const Labels& labels, int value) {
    Add(family, labels, static_cast<int64_t>(value));
  }

  // A histogram: <name>_bucket{...,le="..."} (cumulative, ending in +Inf),
  // <name>_sum, <name>_count. `labels` may not use "le".
  void AddHistogram(const MetricFamily& family, const Labels& labels, const HistogramSnapshot& histogram);

  // The exposition, ending in a newline (empty when nothing was added).
  std::string Text() const;

 private:
  struct FamilyText {
    std::string name;
    MetricType type;
    std::string help;
    std::string samples;  // "name{labels} value\n" lines
  };
  FamilyText& FamilyFor(const MetricFamily& family);
  void AddSample(const MetricFamily& family, const Labels& labels, std::string_view value);

  std::vector<FamilyText> families_;
  std::map<std::string, size_t, std::less<>> index_;
};

// How a sample value or an le bound is spelled: "3", "-0.25", "1e+300",
// "+Inf", "-Inf", "NaN". Integral values below 2^53 are written as integers.
std::string FormatMetricValue(double value);

// A label value with backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);

// Help text with backslash and newline escaped.
std::string EscapeHelp(std::string_view help);

}  // namespace migsched::daemon
