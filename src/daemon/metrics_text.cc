#include "daemon/metrics_text.h"

#include <charconv>
#include <cmath>

#include "common/check.h"

namespace migsched::daemon {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool ValidMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  for (char c : name) {
    if (!IsNameChar(c) && c != ':') return false;
  }
  return true;
}

bool ValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

std::string LabelText(const Labels& labels, const Label* extra) {
  if (labels.empty() && extra == nullptr) return "";
  std::string text = "{";
  auto append = [&](const Label& label) {
    MIGSCHED_CHECK(ValidLabelName(label.name));
    if (text.size() > 1) text += ',';
    text += label.name;
    text += "=\"";
    text += EscapeLabelValue(label.value);
    text += '"';
  };
  for (const Label& label : labels) append(label);
  if (extra != nullptr) append(*extra);
  return text + "}";
}

}  // namespace

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (value == std::trunc(value) && std::fabs(value) < kExactIntegers) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  MIGSCHED_CHECK(error == std::errc());
  return std::string(buffer, end);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string EscapeHelp(std::string_view help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

MetricsText::FamilyText& MetricsText::FamilyFor(const MetricFamily& family) {
  const auto it = index_.find(family.name);
  if (it != index_.end()) {
    FamilyText& known = families_[it->second];
    MIGSCHED_CHECK(known.type == family.type && known.help == family.help);
    return known;
  }
  MIGSCHED_CHECK(ValidMetricName(family.name));
  index_.emplace(std::string(family.name), families_.size());
  families_.push_back(
      FamilyText{.name = std::string(family.name), .type = family.type, .help = std::string(family.help), .samples = ""});
  return families_.back();
}

void MetricsText::AddSample(const MetricFamily& family, const Labels& labels, std::string_view value) {
  MIGSCHED_CHECK(family.type != MetricType::kHistogram);
  FamilyFor(family).samples += std::string(family.name) + LabelText(labels, nullptr) + ' ' + std::string(value) + '\n';
}

void MetricsText::Add(const MetricFamily& family, const Labels& labels, double value) {
  AddSample(family, labels, FormatMetricValue(value));
}

void MetricsText::Add(const MetricFamily& family, const Labels& labels, uint64_t value) {
  AddSample(family, labels, std::to_string(value));
}

void MetricsText::Add(const MetricFamily& family, const Labels& labels, int64_t value) {
  AddSample(family, labels, std::to_string(value));
}

void MetricsText::AddHistogram(const MetricFamily& family, const Labels& labels,
                               const HistogramSnapshot& histogram) {
  MIGSCHED_CHECK(family.type == MetricType::kHistogram);
  MIGSCHED_CHECK(histogram.counts.size() == histogram.upper_bounds.size() + 1);
  for (const Label& label : labels) MIGSCHED_CHECK(label.name != "le");
  std::string& samples = FamilyFor(family).samples;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram.counts.size(); ++i) {
    cumulative += histogram.counts[i];
    const Label le{.name = "le",
                   .value = i < histogram.upper_bounds.size() ? FormatMetricValue(histogram.upper_bounds[i]) : "+Inf"};
    samples += std::string(family.name) + "_bucket" + LabelText(labels, &le) + ' ' + std::to_string(cumulative) + '\n';
  }
  const std::string label_text = LabelText(labels, nullptr);
  samples += std::string(family.name) + "_sum" + label_text + ' ' + FormatMetricValue(histogram.sum) + '\n';
  samples += std::string(family.name) + "_count" + label_text + ' ' + std::to_string(histogram.count) + '\n';
}

std::string MetricsText::Text() const {
  std::string text;
  for (const FamilyText& f : families_) {
    text += "# HELP " + f.name + ' ' + EscapeHelp(f.help) + '\n';
    text += "# TYPE " + f.name + ' ' + std::string(TypeName(f.type)) + '\n';
    text += f.samples;
  }
  return text;
}

}  // namespace migsched::daemon
