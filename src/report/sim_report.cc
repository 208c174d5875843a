#include "report/sim_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "report/svg_writer.h"

namespace migsched::report {
namespace {

constexpr int kMaxPoints = 400;  // per series: enough for a 720-pixel-wide plot
constexpr std::array<std::string_view, 8> kColours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                                     "#ff7f0e", "#8c564b", "#17becf", "#e377c2"};

struct Point {
  double x = 0;
  double y = 0;
};
struct Series {
  std::string name;
  std::vector<Point> points;
};
// A horizontal dashed line: a bound no policy can cross.
struct Reference {
  std::string name;
  double y = 0;
};

std::string Number(double value) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.4g", value);
  return text;
}

std::string Fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

// At most kMaxPoints points, keeping each bucket's maximum so that peaks
// survive; x values are kept as they are.
std::vector<Point> Thin(const std::vector<Point>& points) {
  if (points.size() <= static_cast<size_t>(kMaxPoints)) return points;
  std::vector<Point> out;
  const size_t per_bucket = (points.size() + kMaxPoints - 1) / kMaxPoints;
  for (size_t begin = 0; begin < points.size(); begin += per_bucket) {
    const size_t end = std::min(points.size(), begin + per_bucket);
    Point peak = points[begin];
    for (size_t i = begin; i < end; ++i) peak.y = std::max(peak.y, points[i].y);
    out.push_back(peak);
  }
  out.push_back(points.back());
  return out;
}

// The smallest of 1, 2, 4, 8 or 10 times a power of ten that is >= value, so
// that quarter ticks are round numbers (e.g. 73 -> 80: ticks 0, 20, ..., 80).
double NiceCeiling(double value) {
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double m : {1.0, 2.0, 4.0, 8.0}) {
    if (m * power >= value) return m * power;
  }
  return 10.0 * power;
}

// A line chart as an inline <svg> (step lines when `steps`), with dashed
// reference lines after the series. Axes start at 0.
std::string LineChart(std::string_view title, std::string_view x_label, std::string_view y_label,
                      const std::vector<Series>& series, bool steps, const std::vector<Reference>& references = {}) {
  constexpr double kWidth = 720, kHeight = 300, kLeft = 64, kRight = 170, kTop = 30, kBottom = 44;
  double x_max = 0, y_max = 0;
  for (const Series& s : series) {
    for (const Point& p : s.points) {
      x_max = std::max(x_max, p.x);
      y_max = std::max(y_max, p.y);
    }
  }
  for (const Reference& r : references) y_max = std::max(y_max, r.y);
  x_max = x_max > 0 ? NiceCeiling(x_max) : 1;
  y_max = y_max > 0 ? NiceCeiling(y_max) : 1;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto sx = [&](double x) { return kLeft + x / x_max * plot_w; };
  const auto sy = [&](double y) { return kTop + plot_h - y / y_max * plot_h; };
  std::string svg = "<svg class=\"plot\" width=\"" + Number(kWidth) + "\" height=\"" + Number(kHeight) +
                    "\" viewBox=\"0 0 " + Number(kWidth) + " " + Number(kHeight) + "\" role=\"img\">\n";
  svg += "<title>" + EscapeXml(title) + "</title>\n";
  svg += "<text x=\"" + Number(kLeft) + "\" y=\"18\" class=\"t\">" + EscapeXml(title) + "</text>\n";
  svg += "<rect x=\"" + Number(kLeft) + "\" y=\"" + Number(kTop) + "\" width=\"" + Number(plot_w) +
         "\" height=\"" + Number(plot_h) + "\" class=\"frame\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double x = x_max * i / 4, y = y_max * i / 4;
    svg += "<text x=\"" + Number(sx(x)) + "\" y=\"" + Number(kTop + plot_h + 16) +
           "\" class=\"tick\" text-anchor=\"middle\">" + Number(x) + "</text>\n";
    svg += "<text x=\"" + Number(kLeft - 6) + "\" y=\"" + Number(sy(y) + 4) +
           "\" class=\"tick\" text-anchor=\"end\">" + Number(y) + "</text>\n";
    svg += "<line x1=\"" + Number(kLeft) + "\" x2=\"" + Number(kLeft + plot_w) + "\" y1=\"" + Number(sy(y)) +
           "\" y2=\"" + Number(sy(y)) + "\" class=\"grid\"/>\n";
  }
  svg += "<text x=\"" + Number(kLeft + plot_w / 2) + "\" y=\"" + Number(kHeight - 6) +
         "\" class=\"tick\" text-anchor=\"middle\">" + EscapeXml(x_label) + "</text>\n";
  svg += "<text x=\"12\" y=\"" + Number(kTop + plot_h / 2) + "\" class=\"tick\" text-anchor=\"middle\" "
         "transform=\"rotate(-90 12 " + Number(kTop + plot_h / 2) + ")\">" + EscapeXml(y_label) + "</text>\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const std::string_view colour = kColours[i % kColours.size()];
    std::string path;
    double previous_y = 0;
    for (const Point& p : Thin(series[i].points)) {
      if (path.empty()) {
        path = "M" + Fixed(sx(p.x), 1) + "," + Fixed(sy(p.y), 1);
      } else {
        if (steps) path += " L" + Fixed(sx(p.x), 1) + "," + Fixed(sy(previous_y), 1);
        path += " L" + Fixed(sx(p.x), 1) + "," + Fixed(sy(p.y), 1);
      }
      previous_y = p.y;
    }
    svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + std::string(colour) +
           "\" stroke-width=\"1.5\" data-policy=\"" + EscapeXml(series[i].name) + "\"/>\n";
    const double legend_y = kTop + 14 + 18 * static_cast<double>(i);
    svg += "<line x1=\"" + Number(kWidth - kRight + 12) + "\" x2=\"" + Number(kWidth - kRight + 32) +
           "\" y1=\"" + Number(legend_y - 4) + "\" y2=\"" + Number(legend_y - 4) + "\" stroke=\"" +
           std::string(colour) + "\" stroke-width=\"3\"/>\n";
    svg += "<text x=\"" + Number(kWidth - kRight + 38) + "\" y=\"" + Number(legend_y) + "\" class=\"tick\">" +
           EscapeXml(series[i].name) + "</text>\n";
  }
  for (size_t i = 0; i < references.size(); ++i) {
    const std::string y = Fixed(sy(references[i].y), 1);
    svg += "<line x1=\"" + Number(kLeft) + "\" x2=\"" + Number(kLeft + plot_w) + "\" y1=\"" + y + "\" y2=\"" + y +
           "\" stroke=\"#000\" stroke-width=\"1\" stroke-dasharray=\"5,4\" data-bound=\"" +
           EscapeXml(references[i].name) + "\"/>\n";
    const double legend_y = kTop + 14 + 18 * static_cast<double>(series.size() + i);
    svg += "<line x1=\"" + Number(kWidth - kRight + 12) + "\" x2=\"" + Number(kWidth - kRight + 32) +
           "\" y1=\"" + Number(legend_y - 4) + "\" y2=\"" + Number(legend_y - 4) +
           "\" stroke=\"#000\" stroke-width=\"1\" stroke-dasharray=\"5,4\"/>\n";
    svg += "<text x=\"" + Number(kWidth - kRight + 38) + "\" y=\"" + Number(legend_y) + "\" class=\"tick\">" +
           EscapeXml(references[i].name) + " " + Number(references[i].y) + "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

// One series per policy from its usage samples.
template <typename F>
std::vector<Series> UsageSeries(const SimReportInput& input, double x_scale, F value) {
  std::vector<Series> out;
  for (const sim::PolicyRun& run : input.runs) {
    Series s{run.result.policy, {}};
    for (const sim::UsageSample& sample : run.result.samples) {
      s.points.push_back(Point{static_cast<double>(sample.t_ms) * x_scale, value(sample)});
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Series> DelayCdf(const SimReportInput& input) {
  std::vector<Series> out;
  for (const sim::PolicyRun& run : input.runs) {
    Series s{run.result.policy, {}};
    const std::vector<int64_t>& delays = run.result.queue_delays_ms;
    for (size_t i = 0; i < delays.size(); ++i) {
      s.points.push_back(Point{static_cast<double>(delays[i]) / 1000.0,
                               static_cast<double>(i + 1) / static_cast<double>(delays.size())});
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<Series> FillCurves(const SimReportInput& input) {
  std::vector<Series> out;
  for (const sim::PolicyRun& run : input.runs) {
    Series s{run.result.policy, {}};
    const double capacity = static_cast<double>(std::max<int64_t>(1, run.result.fleet_gpus)) * 1000.0;
    for (const sim::FillPoint& p : run.result.fill_curve) {
      if (p.arrived_milli == 0) continue;
      s.points.push_back(Point{100.0 * static_cast<double>(p.arrived_milli) / capacity,
                               100.0 * static_cast<double>(p.allocated_milli) / static_cast<double>(p.arrived_milli)});
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string MetricsTable(const SimReportInput& input) {
  std::string html =
      "<table>\n<tr><th>policy</th><th>isolation</th><th>GPUs needed (peak)</th><th>allocation rate</th>"
      "<th>utilisation</th><th>slice utilisation</th><th>placed</th><th>unplaced</th>"
      "<th>queue p50 (s)</th><th>queue p99 (s)</th><th>reconfigurations</th><th>busy disrupted</th>"
      "<th>stranded slices (mean)</th>";
  const bool fill = input.mode == "fill";
  if (fill) html += "<th>first rejection (arrival)</th>";
  if (input.show_latency) html += "<th>decision p50 / p99 (µs)</th>";
  html += "</tr>\n";
  for (const sim::PolicyRun& run : input.runs) {
    const sim::PolicyResult& r = run.result;
    html += "<tr><td>" + EscapeXml(r.policy) + "</td><td>" + EscapeXml(r.isolation) + "</td><td>" +
            std::to_string(r.gpus_used_peak) + "</td><td>" + Fixed(100 * r.allocation_rate, 2) +
            "%</td><td>" + Fixed(100 * r.utilization_mean, 1) + "%</td><td>" +
            Fixed(100 * r.slice_utilization_mean, 1) + "%</td><td>" + std::to_string(r.placed) +
            "</td><td>" + std::to_string(r.unplaced) + "</td><td>" + Number(r.queue_delay_p50_s) +
            "</td><td>" + Number(r.queue_delay_p99_s) + "</td><td>" + std::to_string(r.reconfigurations) +
            "</td><td>" + std::to_string(r.busy_disrupted) + "</td><td>" + Fixed(r.stranded_slices_mean, 1) +
            "</td>";
    if (fill) html += "<td>" + std::to_string(r.first_rejection) + "</td>";
    if (input.show_latency) {
      html += "<td>" + Fixed(run.latency.p50_us, 2) + " / " + Fixed(run.latency.p99_us, 2) + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

// The bounds as dashed lines: fill on the allocation curve (percent),
// replay on GPUs in use.
std::vector<Reference> FillReferences(const sim::SimulationBounds& bounds) {
  if (!bounds.fill) return {};
  return {{"MIG bound", 100 * bounds.fill->mig_allocation_rate_max},
          {"fractional bound", 100 * bounds.fill->fractional_allocation_rate_max}};
}

std::vector<Reference> ReplayReferences(const sim::SimulationBounds& bounds) {
  if (!bounds.replay) return {};
  return {{"MIG bound", double{1.0} * bounds.replay->mig_gpus_needed_min},
          {"fractional bound", double{1.0} * bounds.replay->fractional_gpus_needed_min}};
}

std::string BoundsSummary(const sim::SimulationBounds& bounds) {
  if (bounds.fill) {
    const sim::FillBounds& b = *bounds.fill;
    return "<p>Bound: when arrived demand first reaches the fleet's capacity (" + std::to_string(b.arrivals) +
           " arrivals), no MIG policy can have placed more than <b>" + Fixed(100 * b.mig_allocation_rate_max, 2) +
           "%</b> of it (a relaxation of packing the rounded profiles' compute and memory slices); an ideal "
           "fractional packer without isolation at most " +
           Fixed(100 * b.fractional_allocation_rate_max, 2) + "%." +
           (b.mig_forced_rejection_by > 0
                ? " The first " + std::to_string(b.mig_forced_rejection_by) +
                      " arrivals cannot all be on the fleet at once, so every MIG policy has rejected a job by then."
                : std::string()) +
           "</p>\n";
  }
  if (bounds.replay) {
    const sim::ReplayBounds& b = *bounds.replay;
    return "<p>Bound: any MIG policy that starts every job on arrival needs at least <b>" +
           std::to_string(b.mig_gpus_needed_min) + " GPUs</b> at peak (the rounded profiles' concurrent compute "
           "and memory slices); an ideal fractional packer without isolation at least " +
           std::to_string(b.fractional_gpus_needed_min) + ".</p>\n";
  }
  return "";
}

}  // namespace

std::string RenderSimReport(const SimReportInput& input) {
  const bool fill = input.mode == "fill";
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>migsched simulation</title>\n<style>\n"
      "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}"
      "td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
      ".plot{display:block;margin:16px 0}.t{font-size:14px;font-weight:bold}.tick{font-size:11px}"
      ".frame{fill:none;stroke:#888}.grid{stroke:#eee}\n</style>\n</head>\n<body>\n";
  html += "<h1>migsched simulation</h1>\n<p>trace <code>" + EscapeXml(input.trace) + "</code>, mode <b>" +
          EscapeXml(input.mode) + "</b>, fleet " + EscapeXml(input.fleet) + "</p>\n";
  html += MetricsTable(input);
  html += BoundsSummary(input.bounds);
  if (!input.notes.empty()) {
    html += "<ul>\n";
    for (const std::string& note : input.notes) html += "<li>" + EscapeXml(note) + "</li>\n";
    html += "</ul>\n";
  }
  if (fill) {
    html += LineChart("Allocation ratio vs arrived demand (fill)", "arrived demand (% of fleet capacity)",
                      "allocated / arrived (%)", FillCurves(input), false, FillReferences(input.bounds));
    html += LineChart("GPUs in use vs arrivals", "arrivals", "GPUs in use",
                      UsageSeries(input, 1.0, [](const sim::UsageSample& s) { return double{1.0} * s.busy_gpus; }),
                      true);
    html += LineChart("Stranded slices (fragmentation) vs arrivals", "arrivals", "stranded memory slices",
                      UsageSeries(input, 1.0,
                                  [](const sim::UsageSample& s) { return static_cast<double>(s.stranded_slices); }),
                      true);
  } else {
    constexpr double kHours = 1.0 / 3'600'000.0;
    html += LineChart("GPUs in use over time", "time (h)", "GPUs in use",
                      UsageSeries(input, kHours, [](const sim::UsageSample& s) { return double{1.0} * s.busy_gpus; }),
                      true, ReplayReferences(input.bounds));
    html += LineChart("Utilisation of the GPUs in use over time", "time (h)", "requested / capacity in use (%)",
                      UsageSeries(input, kHours,
                                  [](const sim::UsageSample& s) {
                                    return s.busy_gpus == 0 ? 0.0
                                                            : 100.0 * static_cast<double>(s.running_demand_milli) /
                                                                  (1000.0 * s.busy_gpus);
                                  }),
                      true);
    html += LineChart("Stranded slices (fragmentation) over time", "time (h)", "stranded memory slices",
                      UsageSeries(input, kHours,
                                  [](const sim::UsageSample& s) { return static_cast<double>(s.stranded_slices); }),
                      true);
    html += LineChart("Queueing delay CDF", "delay (s)", "fraction of placed jobs", DelayCdf(input), true);
  }
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace migsched::report
