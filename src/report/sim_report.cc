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
// Line styles by series, so that policies whose lines lie on top of each
// other stay visible: the later, thinner ones are dashed or dotted over the
// earlier, wider ones.
struct LineStyle {
  std::string_view dash;  // stroke-dasharray; "" = solid
  double width = 1.5;
};
constexpr std::array<LineStyle, 5> kStyles = {LineStyle{"", 3.5}, LineStyle{"8,4", 2.5}, LineStyle{"2,3", 2.0},
                                             LineStyle{"10,3,2,3", 1.5}, LineStyle{"", 1.0}};

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

// A number as people read it: thousands grouped, never an exponent
// (22122.4 -> "22,122"; 0.25 -> "0.25"; 12.5 -> "12.5").
std::string Plain(double value) {
  char text[64];
  if (std::fabs(value) >= 100) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.2f", value);
    std::string trimmed = text;  // 12.50 -> 12.5, 3.00 -> 3
    while (trimmed.ends_with('0')) trimmed.pop_back();
    if (trimmed.ends_with('.')) trimmed.pop_back();
    return trimmed == "-0" ? "0" : trimmed;
  }
  std::string digits = text;
  const size_t first = digits[0] == '-' ? 1 : 0;
  for (size_t at = digits.size(); at > first + 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
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

struct Chart {
  std::string title = {}, x_label = {}, y_label = {};
  std::string what = {};  // one line under the title: what the plot shows
  bool steps = false;
  std::vector<Reference> references = {};
  // The y-axis ends at the data's nice ceiling, but never above y_cap (> 0;
  // e.g. the fleet's GPUs): references above it are listed, not drawn.
  double y_cap = 0;
  // A zoomed panel: only x in [x_from, x_to] (x_to > x_from), and a y-axis
  // from a nice floor under the data shown.
  double x_from = 0, x_to = 0;
};

// The points of `series` with x in [from, to], plus the step value entering the window.
std::vector<Series> Window(const std::vector<Series>& series, double from, double to) {
  std::vector<Series> out;
  for (const Series& s : series) {
    Series w{s.name, {}};
    for (const Point& p : s.points) {
      if (p.x < from) {
        w.points.assign(1, Point{from, p.y});
      } else if (p.x <= to) {
        w.points.push_back(p);
      }
    }
    if (!w.points.empty()) w.points.push_back(Point{to, w.points.back().y});
    out.push_back(std::move(w));
  }
  return out;
}

// A line chart as an inline <svg> (step lines when `chart.steps`), with
// dashed reference lines after the series, under its "what this shows" line.
std::string LineChart(const Chart& chart, const std::vector<Series>& all_series) {
  constexpr double kWidth = 720, kHeight = 300, kLeft = 64, kRight = 170, kTop = 30, kBottom = 44;
  const bool zoom = chart.x_to > chart.x_from;
  const std::vector<Series> series = zoom ? Window(all_series, chart.x_from, chart.x_to) : all_series;
  const std::string_view title = chart.title, x_label = chart.x_label, y_label = chart.y_label;
  const bool steps = chart.steps;
  double x_max = 0, y_max = 0, y_low = 0;
  bool first = true;
  for (const Series& s : series) {
    for (const Point& p : s.points) {
      x_max = std::max(x_max, p.x);
      y_max = std::max(y_max, p.y);
      y_low = first ? p.y : std::min(y_low, p.y);
      first = false;
    }
  }
  std::vector<Reference> references;
  std::vector<Reference> above;  // beyond the y-axis cap: in the legend only
  for (const Reference& r : chart.references) {
    (chart.y_cap > 0 && r.y > chart.y_cap ? above : references).push_back(r);
  }
  for (const Reference& r : references) y_max = std::max(y_max, r.y);
  const double x_min = zoom ? chart.x_from : 0;
  x_max = zoom ? chart.x_to : (x_max > 0 ? NiceCeiling(x_max) : 1);
  y_max = y_max > 0 ? NiceCeiling(y_max) : 1;
  if (chart.y_cap > 0) y_max = std::min(y_max, chart.y_cap);
  // A zoomed panel starts its y-axis at a round number under the data, so
  // that small differences between policies fill the panel.
  double y_min = 0;
  if (zoom && y_low > 0 && y_max > y_low) {
    const double step = NiceCeiling((y_max - y_low) / 4);
    y_min = std::floor(y_low / step) * step;
  }
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const auto sx = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * plot_w; };
  const auto sy = [&](double y) { return kTop + plot_h - (std::min(y, y_max) - y_min) / (y_max - y_min) * plot_h; };
  std::string svg = "<p class=\"what\">" + EscapeXml(chart.what) + "</p>\n";
  svg += "<svg class=\"plot\" width=\"" + Number(kWidth) + "\" height=\"" + Number(kHeight) +
                    "\" viewBox=\"0 0 " + Number(kWidth) + " " + Number(kHeight) + "\" role=\"img\">\n";
  svg += "<title>" + EscapeXml(title) + "</title>\n";
  svg += "<text x=\"" + Number(kLeft) + "\" y=\"18\" class=\"t\">" + EscapeXml(title) + "</text>\n";
  svg += "<rect x=\"" + Number(kLeft) + "\" y=\"" + Number(kTop) + "\" width=\"" + Number(plot_w) +
         "\" height=\"" + Number(plot_h) + "\" class=\"frame\"/>\n";
  for (int i = 0; i <= 4; ++i) {
    const double x = x_min + (x_max - x_min) * i / 4, y = y_min + (y_max - y_min) * i / 4;
    svg += "<text x=\"" + Number(sx(x)) + "\" y=\"" + Number(kTop + plot_h + 16) +
           "\" class=\"tick\" text-anchor=\"middle\">" + Plain(x) + "</text>\n";
    svg += "<text x=\"" + Number(kLeft - 6) + "\" y=\"" + Number(sy(y) + 4) +
           "\" class=\"tick\" text-anchor=\"end\">" + Plain(y) + "</text>\n";
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
    const LineStyle& style = kStyles[i % kStyles.size()];
    const std::string stroke = "stroke=\"" + std::string(colour) + "\" stroke-width=\"" + Number(style.width) + "\"" +
                               (style.dash.empty() ? "" : " stroke-dasharray=\"" + std::string(style.dash) + "\"");
    svg += "<path d=\"" + path + "\" fill=\"none\" " + stroke + " data-policy=\"" + EscapeXml(series[i].name) +
           "\"/>\n";
    const double legend_y = kTop + 14 + 18 * static_cast<double>(i);
    svg += "<line x1=\"" + Number(kWidth - kRight + 12) + "\" x2=\"" + Number(kWidth - kRight + 32) +
           "\" y1=\"" + Number(legend_y - 4) + "\" y2=\"" + Number(legend_y - 4) + "\" " + stroke + "/>\n";
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
  for (size_t i = 0; i < above.size(); ++i) {
    const double legend_y = kTop + 14 + 18 * static_cast<double>(series.size() + references.size() + i);
    svg += "<text x=\"" + Number(kWidth - kRight + 12) + "\" y=\"" + Number(legend_y) + "\" class=\"tick\">" +
           EscapeXml(above[i].name) + " " + Plain(above[i].y) + " (above the axis)</text>\n";
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
      "<th>queue p50 (s)</th><th>queue p99 (s)</th><th>reconfigurations</th><th>reconfiguration paid (s)</th>"
      "<th>jobs that waited for it</th><th>their wait (s)</th><th>busy disrupted</th>"
      "<th>stranded slices (mean)</th>";
  const bool fill = input.mode == "fill";
  if (fill) html += "<th>first rejection (arrival)</th>";
  if (input.show_latency) html += "<th>decision p50 / p99 (µs)</th>";
  html += "</tr>\n";
  for (const sim::PolicyRun& run : input.runs) {
    const sim::PolicyResult& r = run.result;
    // Fill: counted over the arrivals up to 100% of capacity, the same for
    // every policy (each run goes on until it is full, a different length).
    const int64_t placed = fill ? r.placed_at_capacity : r.placed;
    const int64_t unplaced = fill ? r.arrivals_at_capacity - r.placed_at_capacity : r.unplaced;
    html += "<tr><td>" + EscapeXml(r.policy) + "</td><td>" + EscapeXml(r.isolation) + "</td><td>" +
            Plain(r.gpus_used_peak) + "</td><td>" + Fixed(100 * r.allocation_rate, 2) + "%</td><td>" +
            Fixed(100 * r.utilization_mean, 1) + "%</td><td>" + Fixed(100 * r.slice_utilization_mean, 1) +
            "%</td><td>" + Plain(static_cast<double>(placed)) + "</td><td>" + Plain(static_cast<double>(unplaced)) +
            "</td><td>" + Plain(r.queue_delay_p50_s) + "</td><td>" + Plain(r.queue_delay_p99_s) + "</td><td>" +
            Plain(static_cast<double>(r.reconfigurations)) + "</td><td>" +
            Plain(static_cast<double>(r.reconfiguration_ms) / 1000.0) + "</td><td>" +
            Plain(static_cast<double>(r.reconfiguration_waited_jobs)) + "</td><td>" +
            Plain(static_cast<double>(r.reconfiguration_wait_ms) / 1000.0) + "</td><td>" +
            std::to_string(r.busy_disrupted) + "</td><td>" + Fixed(r.stranded_slices_mean, 1) + "</td>";
    if (fill) html += "<td>" + std::to_string(r.first_rejection) + "</td>";
    if (input.show_latency) {
      html += "<td>" + Fixed(run.latency.p50_us, 2) + " / " + Fixed(run.latency.p99_us, 2) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</table>\n";
  if (fill && !input.runs.empty()) {
    html += "<p>Placed and unplaced count the " + Plain(static_cast<double>(input.runs.front().result.arrivals_at_capacity)) +
            " arrivals up to 100% of the fleet's capacity, the same arrivals for every policy.</p>\n";
  }
  return html;
}

// Per policy and service: replica-time wanted and served, time short of
// replicas, scale-up to start. Empty without services.
std::string ServicesTable(const SimReportInput& input) {
  if (input.runs.empty() || input.runs.front().result.services.empty()) return "";
  const auto secs = [](int64_t ms) { return static_cast<double>(ms) / 1000.0; };
  std::string html =
      "<h2>Services</h2>\n<p>Replicas scale with each service's request rate; the table above counts the trace's "
      "jobs only.</p>\n<table>\n<tr><th>policy</th><th>service</th><th>replicas wanted</th><th>started</th>"
      "<th>replica-hours wanted</th><th>served</th><th>under-provisioned (s)</th><th>start p50 (s)</th>"
      "<th>start p99 (s)</th></tr>\n";
  for (const sim::PolicyRun& run : input.runs) {
    for (const sim::ServiceResult& s : run.result.services) {
      html += "<tr><td>" + EscapeXml(run.result.policy) + "</td><td>" + EscapeXml(s.name) + "</td><td>" +
              Plain(static_cast<double>(s.replicas_wanted)) + "</td><td>" +
              Plain(static_cast<double>(s.replicas_started)) + "</td><td>" + Plain(secs(s.replica_ms_wanted) / 3600) +
              "</td><td>" + Fixed(100 * s.ServedFraction(), 2) + "%</td><td>" + Plain(secs(s.under_provisioned_ms)) + "</td><td>" +
              Plain(secs(s.start_delay_p50_ms)) + "</td><td>" + Plain(secs(s.start_delay_p99_ms)) + "</td></tr>\n";
    }
  }
  return html + "</table>\n";
}

// The replay's zoom window, in hours: around the highest peak of GPUs in use
// (where the policies' GPU counts part), a twentieth of the run wide.
std::pair<double, double> PeakWindow(const SimReportInput& input, double x_scale) {
  int peak = -1;
  int64_t peak_ms = 0, end_ms = 0;
  for (const sim::PolicyRun& run : input.runs) {
    end_ms = std::max(end_ms, run.result.end_ms);
    for (const sim::UsageSample& sample : run.result.samples) {
      if (sample.busy_gpus > peak) {
        peak = sample.busy_gpus;
        peak_ms = sample.t_ms;
      }
    }
  }
  const double half = static_cast<double>(end_ms) * x_scale / 40;
  const double at = static_cast<double>(peak_ms) * x_scale;
  const double end = static_cast<double>(end_ms) * x_scale;
  return {std::max(0.0, at - half), std::min(end, at + half)};
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
  html += ServicesTable(input);
  html += BoundsSummary(input.bounds);
  if (!input.notes.empty()) {
    html += "<ul>\n";
    for (const std::string& note : input.notes) html += "<li>" + EscapeXml(note) + "</li>\n";
    html += "</ul>\n";
  }
  const double fleet_gpus = input.runs.empty() ? 0 : static_cast<double>(input.runs.front().result.fleet_gpus);
  const auto busy = [](const sim::UsageSample& s) { return double{1.0} * s.busy_gpus; };
  const auto stranded = [](const sim::UsageSample& s) { return static_cast<double>(s.stranded_slices); };
  if (fill) {
    html += LineChart({.title = "Allocation ratio vs arrived demand (fill)",
                       .x_label = "arrived demand (% of fleet capacity)",
                       .y_label = "allocated / arrived (%)",
                       .what = "Each policy's share of the arrived demand it placed: the higher the line at 100%, "
                               "the less the fleet is fragmented; the dashed lines are what no policy can beat.",
                       .references = FillReferences(input.bounds)},
                      FillCurves(input));
    html += LineChart({.title = "GPUs in use vs arrivals", .x_label = "arrivals", .y_label = "GPUs in use",
                       .what = "How fast each policy spreads over the fleet as jobs arrive and never leave.",
                       .steps = true, .y_cap = fleet_gpus},
                      UsageSeries(input, 1.0, busy));
    html += LineChart({.title = "Stranded slices (fragmentation) vs arrivals", .x_label = "arrivals",
                       .y_label = "stranded memory slices",
                       .what = "Free memory slices no profile can use: capacity lost to fragmentation.",
                       .steps = true},
                      UsageSeries(input, 1.0, stranded));
  } else {
    constexpr double kHours = 1.0 / 3'600'000.0;
    const std::vector<Series> gpus = UsageSeries(input, kHours, busy);
    html += LineChart({.title = "GPUs in use over time", .x_label = "time (h)", .y_label = "GPUs in use",
                       .what = "GPUs holding at least one job; the highest point is the GPUs each policy needs. "
                               "The dashed lines are the fewest any policy could use without queueing.",
                       .steps = true, .references = ReplayReferences(input.bounds), .y_cap = fleet_gpus},
                      gpus);
    const auto [from, to] = PeakWindow(input, kHours);
    html += LineChart({.title = "GPUs in use around the peak (zoomed)", .x_label = "time (h)",
                       .y_label = "GPUs in use",
                       .what = "The same lines around the highest peak, where the GPUs each policy needs are "
                               "decided; the y-axis starts under the data so that the policies part.",
                       .steps = true, .references = ReplayReferences(input.bounds), .y_cap = fleet_gpus,
                       .x_from = from, .x_to = to},
                      gpus);
    html += LineChart({.title = "Utilisation of the GPUs in use over time", .x_label = "time (h)",
                       .y_label = "requested / capacity in use (%)",
                       .what = "How full the GPUs in use are: requested compute of the running jobs over their "
                               "GPUs' capacity (MIG rounds requests up to a profile, so it stays below 100%).",
                       .steps = true},
                      UsageSeries(input, kHours, [](const sim::UsageSample& s) {
                        return s.busy_gpus == 0
                                   ? 0.0
                                   : 100.0 * static_cast<double>(s.running_demand_milli) / (1000.0 * s.busy_gpus);
                      }));
    html += LineChart({.title = "Stranded slices (fragmentation) over time", .x_label = "time (h)",
                       .y_label = "stranded memory slices",
                       .what = "Free memory slices no profile can use: capacity lost to fragmentation.",
                       .steps = true},
                      UsageSeries(input, kHours, stranded));
    html += LineChart({.title = "Queueing delay CDF", .x_label = "delay (s)", .y_label = "fraction of placed jobs",
                       .what = "The share of jobs that started within a given wait (including the wait for their "
                               "instance to be created); further left is better.",
                       .steps = true},
                      DelayCdf(input));
  }
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace migsched::report
