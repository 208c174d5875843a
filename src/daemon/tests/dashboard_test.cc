// The dashboard as a browser shows it: headless Chromium loads the compiled-in
// page from a fixture server that answers /ui/state, /ui/fleet.svg (a real
// RenderFleetSvg picture) and /ui/events the way serve will, and the test
// reads the DOM the page's script built.
#include "daemon/dashboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "report/fleet_svg.h"
#include "testing/catalog_fixture.h"
#include "testing/headless_chromium.h"
#include "testing/status_matchers.h"

namespace migsched::daemon {
namespace {

using ::migsched::testing::ElementById;
using ::migsched::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr std::string_view kEvilName = "<img src=x onerror=alert(1)>";

int Count(std::string_view text, std::string_view pattern) {
  int count = 0;
  for (size_t at = text.find(pattern); at != std::string_view::npos; at = text.find(pattern, at + 1)) ++count;
  return count;
}

fleet::FleetGpu MakeGpu(const std::string& node, int index, const std::string& model_name,
                        const std::vector<std::pair<std::string, std::string>>& instances) {
  fleet::FleetGpu gpu;
  gpu.node = node;
  gpu.index = index;
  gpu.model = &migsched::testing::Gpu(model_name);
  for (const auto& [spec, workload] : instances) {
    gpu.instances.push_back(fleet::FleetInstance{
        .instance = migsched::testing::Instances(*gpu.model, {spec})[0], .workload = workload, .busy = !workload.empty()});
  }
  return gpu;
}

// 16 GPUs in three layouts, running jobs 12 to 15.
std::string FleetSvg() {
  fleet::Fleet fleet;
  for (int i = 0; i < 6; ++i) {
    fleet.gpus.push_back(MakeGpu("node-a", i, "H100-80GB",
                                 {{"2g.20gb@0", "job-12"}, {"1g.10gb@2", ""}, {"3g.40gb@4", "job-13"}}));
  }
  for (int i = 6; i < 8; ++i) fleet.gpus.push_back(MakeGpu("node-a", i, "H100-80GB", {{"7g.80gb@0", "job-14"}}));
  for (int i = 0; i < 8; ++i) {
    fleet.gpus.push_back(MakeGpu("node-b", i, "A100-40GB", {{"4g.20gb@0", "job-15"}, {"1g.5gb@6", ""}}));
  }
  return report::RenderFleetSvg(fleet, {.title = "16 GPUs", .max_rows = 200});
}

// The picture with what a hostile SVG could carry: a handler and a script.
// The page must drop both (so "pwned" is nowhere in its DOM).
std::string HostileFleetSvg() {
  std::string svg = FleetSvg();
  svg.replace(svg.find("<svg "), 5, "<svg onload=\"document.title='pwned'\" ");
  svg.insert(svg.rfind("</svg>"), "<script>document.title='pwned'</script>");
  return svg;
}

// /ui/state before and after the event the fixture sends: "late-arrival"
// joins the queue in between.
std::string State(bool late) {
  json queue = json::array({
      {{"id", 17}, {"name", "bert-3"}, {"tenant", "ml"}, {"priority", 0}, {"profile", "3g.40gb"},
       {"waiting_since", 1764950050}, {"reason", "no room for 3g.40gb (H100-80GB)"}},
      {{"id", 18}, {"name", kEvilName}, {"tenant", "web\"<b>"}, {"priority", 5}, {"profile", "1g.10gb"},
       {"waiting_since", 1764950080}, {"reason", "no room"}},
  });
  if (late) {
    queue.push_back({{"id", 19}, {"name", "late-arrival"}, {"tenant", "ml"}, {"priority", 0},
                     {"profile", "1g.10gb"}, {"waiting_since", 1764950100}, {"reason", "just queued"}});
  }
  json jobs = json::array();
  for (int id = 12; id <= 15; ++id) {
    jobs.push_back({{"id", id}, {"name", id == 12 ? "llama-7b" : "job" + std::to_string(id)}, {"tenant", "ml"},
                    {"state", id == 15 ? "starting" : "running"}, {"node", id == 15 ? "node-b" : "node-a"},
                    {"gpu", 0}, {"profile", "2g.20gb"}, {"start", 0},
                    {"mig_uuid", "MIG-4c5f0a8e-1b2c-5d6e-9f00-" + std::to_string(id)}});
  }
  json history = json::array();
  for (int i = 0; i < 30; ++i) {
    history.push_back({{"t", 1764950000 + 5 * i}, {"memory_slices", 120}, {"held_slices", 40 + i},
                       {"idle_slices", 12 - i / 3}, {"stranded_slices", i % 4}, {"queued", i / 10}});
  }
  const json state = {
      {"server", {{"policy", "frag-aware"}, {"started_at", 1764950000}, {"now", 1764950100}}},
      {"totals", {{"gpus", 16}, {"memory_slices", 120}, {"held_slices", 69}, {"idle_slices", 4},
                  {"stranded_slices", 2}, {"queued", late ? 3 : 2}, {"starting", 1}, {"running", 3}}},
      {"savings", {{"gpus_saved", 9}, {"whole_gpu_allocation", 25}, {"gpus_in_use", 16}, {"kw", 6.3},
                   {"currency", "USD"}, {"money_per_month", nullptr}, {"basis", "vs whole-GPU allocation"}}},
      {"nodes", json::array({{{"name", "node-a"}, {"healthy", true}, {"cordoned", false},
                              {"last_seen", 1764950099}, {"generation", 4}, {"applied_generation", 4}, {"gpus", 8}},
                             {{"name", "node-b"}, {"healthy", false}, {"cordoned", true},
                              {"last_seen", 1764950010}, {"generation", 7}, {"applied_generation", 6}, {"gpus", 8}}})},
      {"queue", queue},
      {"jobs", jobs},
      {"history", history},
      {"events", json::array({{{"seq", 101}, {"at", 1764950090}, {"type", "job"},
                               {"text", "job 18 <b>queued</b>: no room"}},
                              {{"seq", 102}, {"at", 1764950095}, {"type", "agent"},
                               {"text", "node-b missed 3 heartbeats"}}})},
  };
  return state.dump();
}

// Serves the page and the three /ui endpoints on 127.0.0.1 until destroyed.
// The event stream sends one "job" event, only after the page has fetched
// /ui/state once, and then ends (asking for a retry after 60 s), so every
// later /ui/state fetch is the page's answer to that event.
class FixtureServer {
 public:
  FixtureServer() {
    server_.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(DashboardHtml()), "text/html; charset=utf-8");
    });
    server_.Get("/ui/state", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(State(event_sent_.load()), "application/json");
      ++state_requests_;
    });
    server_.Get("/ui/fleet.svg", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(svg_, "image/svg+xml");
    });
    server_.Get("/ui/events", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_chunked_content_provider("text/event-stream", [this](size_t, httplib::DataSink& sink) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (state_requests_.load() == 0 && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        event_sent_ = true;
        const std::string event = "retry: 60000\nevent: job\ndata: {\"seq\":103,\"id\":19}\n\n";
        sink.write(event.data(), event.size());
        sink.done();
        return true;
      });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FixtureServer() {
    server_.stop();
    thread_.join();
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  int state_requests() const { return state_requests_.load(); }

 private:
  const std::string svg_ = HostileFleetSvg();
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> state_requests_{0};
  std::atomic<bool> event_sent_{false};
};

TEST(DashboardHtmlTest, IsOneSelfContainedPage) {
  const std::string_view html = DashboardHtml();
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  for (const char* id : {"totals", "fleet", "queue", "jobs", "history", "events"}) {
    EXPECT_THAT(html, HasSubstr("id=\"" + std::string(id) + "\"")) << id;
  }
  // Nothing loaded from elsewhere, and no server data parsed as HTML.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("innerHTML")));
  EXPECT_THAT(html, Not(HasSubstr("insertAdjacentHTML")));
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!migsched::testing::FindChromium()) {
      GTEST_SKIP() << "chromium is not on PATH (Debian package 'chromium', or set MIGSCHED_CHROMIUM); "
                      "the dashboard is not rendered";
    }
  }
  FixtureServer server_;
};

TEST_F(DashboardBrowserTest, ShowsTheFleetQueueJobsAndHistoryAndFollowsEvents) {
  const Result<std::string> dom = migsched::testing::DumpDom(server_.Url());
  ASSERT_THAT(dom, IsOk());

  const std::string fleet = ElementById(*dom, "fleet");
  EXPECT_THAT(fleet, HasSubstr("<svg"));
  EXPECT_THAT(fleet, HasSubstr("class=\"gpu-row\" data-count=\"6\" data-model=\"H100-80GB\""));
  EXPECT_THAT(fleet, HasSubstr("class=\"gpu-row\" data-count=\"8\" data-model=\"A100-40GB\""));
  EXPECT_THAT(fleet, HasSubstr("data-workload=\"job-12\""));
  EXPECT_THAT(ElementById(*dom, "fleet-count"), HasSubstr("16 GPUs in 3 distinct layouts"));

  const std::string totals = ElementById(*dom, "totals");
  EXPECT_THAT(totals, HasSubstr(">16<"));     // GPUs
  EXPECT_THAT(totals, HasSubstr("57.5%"));    // 69 of 120 slices held
  EXPECT_THAT(totals, HasSubstr(">1 / 2<"));  // agents healthy
  const std::string savings = ElementById(*dom, "savings");
  EXPECT_THAT(savings, HasSubstr("GPUs saved by MIG"));
  EXPECT_THAT(savings, HasSubstr(">9<"));
  EXPECT_THAT(savings, HasSubstr("16 in use vs 25 whole · 6.3 kW · money: serve --costs FILE"));

  const std::string queue = ElementById(*dom, "queue");
  EXPECT_THAT(queue, HasSubstr(">bert-3<"));
  EXPECT_THAT(queue, HasSubstr("no room for 3g.40gb (H100-80GB)"));
  EXPECT_THAT(queue, HasSubstr(">50s<"));  // waiting since 50 s before the server's now
  // Only the refetch that the event caused can have brought this job.
  EXPECT_THAT(queue, HasSubstr(">late-arrival<"));
  EXPECT_GE(server_.state_requests(), 2);

  const std::string jobs = ElementById(*dom, "jobs");
  EXPECT_THAT(jobs, HasSubstr(">llama-7b<"));
  EXPECT_THAT(jobs, HasSubstr(">running<"));
  EXPECT_THAT(jobs, HasSubstr(">node-a/0<"));
  EXPECT_THAT(jobs, HasSubstr(">2g.20gb@0<"));

  EXPECT_EQ(Count(ElementById(*dom, "history"), "class=\"area\""), 3);
  EXPECT_THAT(ElementById(*dom, "nodes"), HasSubstr("cordoned"));
  EXPECT_THAT(ElementById(*dom, "events"), HasSubstr("node-b missed 3 heartbeats"));
}

TEST_F(DashboardBrowserTest, ShowsUserTextAsTextNeverAsMarkup) {
  const Result<std::string> dom = migsched::testing::DumpDom(server_.Url());
  ASSERT_THAT(dom, IsOk());
  EXPECT_THAT(ElementById(*dom, "queue"), HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(ElementById(*dom, "queue"), HasSubstr("web\"&lt;b&gt;"));
  EXPECT_THAT(ElementById(*dom, "events"), HasSubstr("job 18 &lt;b&gt;queued&lt;/b&gt;: no room"));
  EXPECT_THAT(*dom, Not(HasSubstr("<img")));
  EXPECT_THAT(*dom, Not(HasSubstr("<b>")));
  EXPECT_THAT(*dom, Not(HasSubstr("pwned")));
  EXPECT_THAT(*dom, HasSubstr("<title>migsched · 3 running · 3 queued</title>"));
}

// A picture of the page, for people: kept at $MIGSCHED_DASHBOARD_SCREENSHOT
// when set.
TEST_F(DashboardBrowserTest, RendersAScreenshot) {
  const char* keep = std::getenv("MIGSCHED_DASHBOARD_SCREENSHOT");
  const std::string png = keep != nullptr && *keep != '\0'
                              ? std::string(keep)
                              : (std::filesystem::temp_directory_path() /
                                 ("migsched-dashboard-" + std::to_string(::getpid()) + ".png"))
                                    .string();
  ASSERT_THAT(migsched::testing::Screenshot(server_.Url(), png), IsOk());
  std::ifstream file(png, std::ios::binary);
  std::string header(8, '\0');
  file.read(header.data(), 8);
  EXPECT_EQ(header, "\x89PNG\r\n\x1a\n");
  EXPECT_GT(std::filesystem::file_size(png), 20000u);  // a blank page is a few kB
  if (keep == nullptr || *keep == '\0') std::filesystem::remove(png);
}

}  // namespace
}  // namespace migsched::daemon
