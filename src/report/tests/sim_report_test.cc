#include "report/sim_report.h"

#include <gtest/gtest.h>

namespace migsched::report {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

sim::PolicyRun MakeRun(const std::string& policy, int64_t scale) {
  sim::PolicyRun run;
  run.result.policy = policy;
  run.result.isolation = "mig";
  run.result.fleet_gpus = 4;
  for (int64_t t = 0; t < 1000; ++t) {
    run.result.samples.push_back(sim::UsageSample{t * 1000, static_cast<int>(t % 4) + 1, t % 30, t % 3,
                                                  (t % 4) * 500 * scale, 0});
    run.result.fill_curve.push_back(sim::FillPoint{t * 10, t * 9});
  }
  run.result.queue_delays_ms = {0, 0, 1000, 5000 * scale};
  run.result.gpus_used_peak = 4;
  return run;
}

TEST(SimReportTest, ReplayReportHasOneSvgPerPlotAndNoExternalReference) {
  SimReportInput input{.trace = "synthetic:jobs=10 <&>", .mode = "replay", .fleet = "4 x H100-80GB",
                       .notes = {"2 bad rows"}, .runs = {MakeRun("first-fit", 1), MakeRun("frag-aware", 2)}, .show_latency = true,
                       .bounds = {}};
  const std::string html = RenderSimReport(input);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(html, "<svg "), 5u);  // GPUs in use, its zoom, utilisation, stranded, delay CDF
  EXPECT_EQ(Count(html, "</svg>"), 5u);
  EXPECT_EQ(Count(html, "<path "), 10u);  // one line per policy per plot
  EXPECT_EQ(Count(html, "<p class=\"what\">"), 5u);  // a "what this shows" line per plot
  EXPECT_NE(html.find("GPUs in use around the peak (zoomed)"), std::string::npos);
  // Overlapping policies stay apart: the second policy's lines are dashed.
  EXPECT_EQ(Count(html, "stroke-dasharray=\"8,4\" data-policy=\"frag-aware\""), 5u);
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("synthetic:jobs=10 &lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(html.find("Queueing delay CDF"), std::string::npos);
  EXPECT_NE(html.find("<li>2 bad rows</li>"), std::string::npos);
  EXPECT_NE(html.find("data-policy=\"frag-aware\""), std::string::npos);
  EXPECT_EQ(Count(html, "<table>"), Count(html, "</table>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_EQ(html, RenderSimReport(input));
  EXPECT_EQ(html.find("data-bound"), std::string::npos);  // no bounds given, none drawn
}

// Issue 15: the GPU axis ended at 800 on a 64-GPU fleet, and the table printed 2.212e+04 s.
TEST(SimReportTest, GpuAxesStopAtTheFleetAndTablesPrintPlainNumbers) {
  sim::PolicyRun run = MakeRun("best-fit", 1);
  run.result.queue_delay_p99_s = 22122.4;
  SimReportInput input{.trace = "t", .mode = "replay", .fleet = "f", .notes = {}, .runs = {run},
                       .show_latency = false,
                       .bounds = {.fill = std::nullopt,
                                  .replay = sim::ReplayBounds{.mig_gpus_needed_min = 449,
                                                              .mig_peak_at_ms = 0,
                                                              .fractional_gpus_needed_min = 411}}};
  const std::string html = RenderSimReport(input);
  EXPECT_NE(html.find("<td>22,122</td>"), std::string::npos);
  EXPECT_EQ(html.find("e+0"), std::string::npos);
  // The fleet has 4 GPUs: the axis ends at 4, the bounds above it are listed, not drawn.
  EXPECT_NE(html.find("text-anchor=\"end\">4</text>"), std::string::npos);
  EXPECT_EQ(html.find("text-anchor=\"end\">8</text>"), std::string::npos);
  EXPECT_EQ(html.find("data-bound"), std::string::npos);
  EXPECT_NE(html.find("MIG bound 449 (above the axis)"), std::string::npos);
}

TEST(SimReportTest, FillTableCountsTheSameArrivalsForEveryPolicy) {
  sim::PolicyRun a = MakeRun("first-fit", 1), b = MakeRun("frag-aware", 1);
  a.result.arrivals_at_capacity = b.result.arrivals_at_capacity = 1200;
  a.result.placed_at_capacity = 1100;
  b.result.placed_at_capacity = 1150;
  a.result.placed = 1500;  // each run went on to a different length
  b.result.placed = 1700;
  SimReportInput input{.trace = "t", .mode = "fill", .fleet = "f", .notes = {}, .runs = {a, b},
                       .show_latency = false, .bounds = {}};
  const std::string html = RenderSimReport(input);
  EXPECT_NE(html.find("<td>1,100</td><td>100</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>1,150</td><td>50</td>"), std::string::npos);
  EXPECT_NE(html.find("count the 1,200 arrivals up to 100% of the fleet's capacity"), std::string::npos);
}

TEST(SimReportTest, ReplayBoundsAreDashedLinesOnGpusInUseAndASentence) {
  SimReportInput input{.trace = "t", .mode = "replay", .fleet = "f", .notes = {}, .runs = {MakeRun("best-fit", 1)},
                       .show_latency = false,
                       .bounds = {.fill = std::nullopt,
                                  .replay = sim::ReplayBounds{.mig_gpus_needed_min = 3,
                                                              .mig_peak_at_ms = 0,
                                                              .fractional_gpus_needed_min = 2}}};
  const std::string html = RenderSimReport(input);
  EXPECT_EQ(Count(html, "data-bound=\"MIG bound\""), 2u);  // on the GPUs-in-use plot and its zoom
  EXPECT_EQ(Count(html, "data-bound=\"fractional bound\""), 2u);
  EXPECT_NE(html.find("MIG bound 3</text>"), std::string::npos);
  EXPECT_NE(html.find("needs at least <b>3 GPUs</b>"), std::string::npos);
  EXPECT_NE(html.find("at least 2.</p>"), std::string::npos);
}

TEST(SimReportTest, FillBoundsAreDashedLinesOnTheAllocationCurve) {
  SimReportInput input{.trace = "t", .mode = "fill", .fleet = "f", .notes = {}, .runs = {MakeRun("best-fit", 1)},
                       .show_latency = false,
                       .bounds = {.fill = sim::FillBounds{.arrivals = 12,
                                                          .arrived_demand_milli = 4000,
                                                          .mig_placed_milli_max = 3700,
                                                          .fractional_placed_milli_max = 4000,
                                                          .mig_allocation_rate_max = 0.925,
                                                          .fractional_allocation_rate_max = 1.0,
                                                          .mig_forced_rejection_by = 11},
                                  .replay = std::nullopt}};
  const std::string html = RenderSimReport(input);
  EXPECT_EQ(Count(html, "data-bound=\"MIG bound\""), 1u);
  EXPECT_NE(html.find("MIG bound 92.5</text>"), std::string::npos);
  EXPECT_NE(html.find("fractional bound 100</text>"), std::string::npos);
  EXPECT_NE(html.find("more than <b>92.50%</b>"), std::string::npos);
  EXPECT_NE(html.find("(12 arrivals)"), std::string::npos);
  EXPECT_NE(html.find("The first 11 arrivals cannot all be on the fleet"), std::string::npos);
  EXPECT_NE(html.find("<th>first rejection (arrival)</th>"), std::string::npos);
}

TEST(SimReportTest, FillReportPlotsTheAllocationCurve) {
  SimReportInput input{.trace = "t", .mode = "fill", .fleet = "f", .notes = {}, .runs = {MakeRun("best-fit", 1)},
                       .show_latency = false, .bounds = {}};
  const std::string html = RenderSimReport(input);
  EXPECT_EQ(Count(html, "<svg "), 3u);
  EXPECT_NE(html.find("Allocation ratio vs arrived demand"), std::string::npos);
  EXPECT_EQ(html.find("decision p50"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
}

}  // namespace
}  // namespace migsched::report
