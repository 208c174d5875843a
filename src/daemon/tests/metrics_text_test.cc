#include "daemon/metrics_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

namespace migsched::daemon {
namespace {

using ::testing::HasSubstr;

constexpr MetricFamily kQueued{"migsched_jobs_queued", MetricType::kGauge, "Jobs waiting for room."};
constexpr MetricFamily kSubmitted{"migsched_jobs_submitted_total", MetricType::kCounter, "Jobs submitted."};
constexpr MetricFamily kLatency{"migsched_http_request_duration_seconds", MetricType::kHistogram,
                                "Time to answer an HTTP request."};

TEST(FormatMetricValueTest, SpellsValuesAsPrometheusParsesThem) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(3), "3");
  EXPECT_EQ(FormatMetricValue(-12), "-12");
  EXPECT_EQ(FormatMetricValue(1e6), "1000000");
  EXPECT_EQ(FormatMetricValue(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(-0.25), "-0.25");
  EXPECT_EQ(FormatMetricValue(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatMetricValue(1e300), "1e+300");
  EXPECT_EQ(FormatMetricValue(2.5e-7), "2.5e-07");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(FormatMetricValueTest, FloatsReadBackToTheSameDouble) {
  for (double v : {0.1, 1.0 / 3, 123456.789, 1e-300, 6.02214076e23, 0.005}) {
    EXPECT_EQ(std::stod(FormatMetricValue(v)), v) << FormatMetricValue(v);
  }
}

TEST(EscapeTest, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)"
                             "\nd"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(EscapeHelp("say \"hi\" \\ twice\nbye"), R"(say "hi" \\ twice\nbye)");
}

TEST(MetricsTextTest, WritesCounterAndGaugeFamilies) {
  MetricsText text;
  text.Add(kQueued, {{"tenant", "ml"}}, 3);
  text.Add(kSubmitted, {}, uint64_t{18446744073709551615u});
  EXPECT_EQ(text.Text(),
            "# HELP migsched_jobs_queued Jobs waiting for room.\n"
            "# TYPE migsched_jobs_queued gauge\n"
            "migsched_jobs_queued{tenant=\"ml\"} 3\n"
            "# HELP migsched_jobs_submitted_total Jobs submitted.\n"
            "# TYPE migsched_jobs_submitted_total counter\n"
            "migsched_jobs_submitted_total 18446744073709551615\n");
}

TEST(MetricsTextTest, GroupsSamplesAddedInPiecesUnderOneFamily) {
  MetricsText text;
  text.Add(kQueued, {{"tenant", "a"}}, 1);
  text.Add(kSubmitted, {}, 7);
  text.Add(kQueued, {{"tenant", "b"}}, 0.5);
  EXPECT_EQ(text.Text(),
            "# HELP migsched_jobs_queued Jobs waiting for room.\n"
            "# TYPE migsched_jobs_queued gauge\n"
            "migsched_jobs_queued{tenant=\"a\"} 1\n"
            "migsched_jobs_queued{tenant=\"b\"} 0.5\n"
            "# HELP migsched_jobs_submitted_total Jobs submitted.\n"
            "# TYPE migsched_jobs_submitted_total counter\n"
            "migsched_jobs_submitted_total 7\n");
}

TEST(MetricsTextTest, EscapesLabelValuesAndHelp) {
  constexpr MetricFamily kOdd{"odd", MetricType::kGauge, "two\nlines \\ here"};
  MetricsText text;
  text.Add(kOdd, {{"name", "x\"y\\z\nw"}, {"node", "n1"}}, 1);
  EXPECT_EQ(text.Text(),
            "# HELP odd two\\nlines \\\\ here\n"
            "# TYPE odd gauge\n"
            "odd{name=\"x\\\"y\\\\z\\nw\",node=\"n1\"} 1\n");
}

TEST(MetricsTextTest, WritesHistogramsCumulativelyWithInf) {
  Histogram histogram({0.005, 0.1, 1});
  for (double v : {0.001, 0.05, 0.07, 3.0}) histogram.Observe(v);
  MetricsText text;
  text.AddHistogram(kLatency, {{"path", "/ui/state"}}, histogram.Snapshot());
  EXPECT_EQ(text.Text(),
            "# HELP migsched_http_request_duration_seconds Time to answer an HTTP request.\n"
            "# TYPE migsched_http_request_duration_seconds histogram\n"
            "migsched_http_request_duration_seconds_bucket{path=\"/ui/state\",le=\"0.005\"} 1\n"
            "migsched_http_request_duration_seconds_bucket{path=\"/ui/state\",le=\"0.1\"} 3\n"
            "migsched_http_request_duration_seconds_bucket{path=\"/ui/state\",le=\"1\"} 3\n"
            "migsched_http_request_duration_seconds_bucket{path=\"/ui/state\",le=\"+Inf\"} 4\n"
            "migsched_http_request_duration_seconds_sum{path=\"/ui/state\"} 3.121\n"
            "migsched_http_request_duration_seconds_count{path=\"/ui/state\"} 4\n");
}

TEST(MetricsTextTest, WritesAnEmptyUnlabelledHistogram) {
  Histogram histogram({1});
  MetricsText text;
  text.AddHistogram(kLatency, {}, histogram.Snapshot());
  EXPECT_EQ(text.Text(),
            "# HELP migsched_http_request_duration_seconds Time to answer an HTTP request.\n"
            "# TYPE migsched_http_request_duration_seconds histogram\n"
            "migsched_http_request_duration_seconds_bucket{le=\"1\"} 0\n"
            "migsched_http_request_duration_seconds_bucket{le=\"+Inf\"} 0\n"
            "migsched_http_request_duration_seconds_sum 0\n"
            "migsched_http_request_duration_seconds_count 0\n");
}

TEST(MetricsTextDeathTest, RefusesBadNamesAndConflictingFamilies) {
  MetricsText text;
  EXPECT_DEATH(text.Add({"9lives", MetricType::kGauge, "x"}, {}, 1), "CHECK failed");
  EXPECT_DEATH(text.Add(kQueued, {{"__reserved", "x"}}, 1), "CHECK failed");
  EXPECT_DEATH(text.Add(kQueued, {{"bad-name", "x"}}, 1), "CHECK failed");
  text.Add(kQueued, {}, 1);
  EXPECT_DEATH(text.Add({kQueued.name, MetricType::kCounter, kQueued.help}, {}, 1), "CHECK failed");
  EXPECT_DEATH(text.AddHistogram(kLatency, {{"le", "1"}}, Histogram({1}).Snapshot()), "CHECK failed");
}

// Runs `command` with `input` on stdin; gives its exit code and what it
// wrote to stdout and stderr together.
struct CommandRun {
  int code = -1;
  std::string output;
};

CommandRun RunWithInput(const std::string& command, const std::string& input) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("migsched-metrics-" + std::to_string(::getpid()) + ".prom");
  std::ofstream(file) << input;
  CommandRun run;
  FILE* pipe = ::popen((command + " < " + file.string() + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(file);
  return run;
}

// A /metrics page like serve's, checked by Prometheus' own linter.
TEST(MetricsTextTest, PromtoolAcceptsARealisticExposition) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not on PATH (Debian package 'prometheus'); the exposition is not linted";
  }
  constexpr MetricFamily kSlices{"migsched_memory_slices", MetricType::kGauge, "Memory slices by state."};
  constexpr MetricFamily kNodeUp{"migsched_node_healthy", MetricType::kGauge,
                                 "1 when the node's agent reported in time, else 0."};
  constexpr MetricFamily kWait{"migsched_job_wait_seconds", MetricType::kHistogram,
                               "Time from submission to start, by \"tenant\".\nSee docs\\serve.md."};
  MetricsText text;
  for (const char* state : {"held", "idle", "free", "stranded"}) text.Add(kSlices, {{"state", state}}, 32);
  text.Add(kSubmitted, {{"tenant", "ml"}}, uint64_t{120});
  text.Add(kNodeUp, {{"node", "node-a"}}, 1);
  text.Add(kSubmitted, {{"tenant", "odd \"name\"\\\n"}}, uint64_t{3});
  text.Add(kNodeUp, {{"node", "node-b"}}, 0);
  Histogram wait({0.1, 1, 10, 60, 600});
  for (double v : {0.05, 0.5, 5.0, 50.0, 500.0, 5000.0}) wait.Observe(v);
  text.AddHistogram(kWait, {{"tenant", "ml"}}, wait.Snapshot());
  text.AddHistogram(kWait, {{"tenant", "cv"}}, Histogram({0.1, 1, 10, 60, 600}).Snapshot());
  Histogram latency({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1});
  latency.Observe(0.0031);
  text.AddHistogram(kLatency, {{"path", "/ui/state"}, {"code", "200"}}, latency.Snapshot());
  text.Add(kQueued, {}, std::numeric_limits<double>::quiet_NaN());

  const CommandRun run = RunWithInput("promtool check metrics", text.Text());
  EXPECT_EQ(run.code, 0) << run.output << "\n--- exposition ---\n" << text.Text();
  EXPECT_EQ(run.output, "") << text.Text();
}

// The linter is really looking: a counter without _total is reported.
TEST(MetricsTextTest, PromtoolReportsACounterWithoutTotal) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not on PATH (Debian package 'prometheus'); the exposition is not linted";
  }
  MetricsText text;
  text.Add({"migsched_jobs_submitted", MetricType::kCounter, "Jobs submitted."}, {}, 1);
  const CommandRun run = RunWithInput("promtool check metrics", text.Text());
  EXPECT_NE(run.code, 0);
  EXPECT_THAT(run.output, HasSubstr("_total"));
}

}  // namespace
}  // namespace migsched::daemon
