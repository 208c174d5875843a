#include "daemon/json_text.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "daemon/api_json.h"

namespace migsched::daemon {
namespace {

using nlohmann::ordered_json;

// Every byte from 0 to 0x7f, and multi-byte UTF-8 that passes through.
std::string AwkwardText() {
  std::string text;
  for (int c = 0; c < 0x80; ++c) text += static_cast<char>(c);
  return text + "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
}

TEST(JsonObjectTextTest, MatchesNlohmannDumpForEveryKindOfValue) {
  JsonObjectText text;
  text.String("s", AwkwardText())
      .String("empty", "")
      .Int("min", std::numeric_limits<std::int64_t>::min())
      .Int("neg", -1)
      .UInt("max", std::numeric_limits<std::uint64_t>::max())
      .Bool("yes", true)
      .Bool("no", false)
      .Null("nothing")
      .Raw("raw", R"([{"a":1}])")
      .String("ke\"y\n", "v");
  ordered_json dom{{"s", AwkwardText()},
                   {"empty", ""},
                   {"min", std::numeric_limits<std::int64_t>::min()},
                   {"neg", -1},
                   {"max", std::numeric_limits<std::uint64_t>::max()},
                   {"yes", true},
                   {"no", false},
                   {"nothing", nullptr},
                   {"raw", ordered_json::parse(R"([{"a":1}])")},
                   {"ke\"y\n", "v"}};
  EXPECT_EQ(text.Done(), dom.dump());
}

TEST(JsonObjectTextTest, EmptyObject) { EXPECT_EQ(JsonObjectText().Done(), "{}"); }

// The answer to POST/GET/DELETE /v1/jobs: the text writer must say what the
// DOM said, field for field, in the same order, for placed and queued jobs.
TEST(JobJsonTextTest, SameTextAsTheDomForPlacedQueuedAndWholeGpuJobs) {
  const JobInfo placed{.id = 42, .name = "train-7", .tenant = "team-a", .priority = -3, .kind = "inference",
                       .phase = JobPhase::kRunning, .node = "node-1", .gpu = 3, .profile = "1g.10gb", .start = 6,
                       .gpus = 0, .mig_uuid = "MIG-1234", .reason = "", .waiting_since = 100000, .updated_at = 105500};
  const JobInfo queued{.id = std::numeric_limits<std::uint64_t>::max(), .name = "q", .tenant = "", .priority = 0,
                       .kind = "inference", .phase = JobPhase::kQueued, .node = "", .gpu = -1, .profile = "",
                       .start = -1, .gpus = 0, .mig_uuid = "", .reason = AwkwardText(), .waiting_since = 0,
                       .updated_at = 0};
  const JobInfo whole{.id = 9, .name = "gang", .tenant = "t", .priority = 5, .kind = "training",
                      .phase = JobPhase::kStarting, .node = "n", .gpu = 0, .profile = "whole", .start = 0,
                      .gpus = 4, .mig_uuid = "", .reason = "placed", .waiting_since = 1000, .updated_at = 2000};
  for (const JobInfo& job : {placed, queued, whole}) {
    ordered_json dom{{"id", job.id},         {"name", job.name},
                     {"tenant", job.tenant}, {"priority", job.priority},
                     {"kind", job.kind},     {"state", std::string(JobPhaseName(job.phase))}};
    dom["node"] = job.node.empty() ? ordered_json(nullptr) : ordered_json(job.node);
    dom["gpu"] = job.gpu < 0 ? ordered_json(nullptr) : ordered_json(job.gpu);
    dom["profile"] = job.profile.empty() ? ordered_json(nullptr) : ordered_json(job.profile);
    dom["start"] = job.start < 0 || job.profile == "whole" ? ordered_json(nullptr) : ordered_json(job.start);
    if (job.gpus > 0) dom["gpus"] = job.gpus;
    dom["mig_uuid"] = job.mig_uuid.empty() ? ordered_json(nullptr) : ordered_json(job.mig_uuid);
    dom["reason"] = job.reason;
    dom["waiting_since"] = job.waiting_since / 1000;  // the API's times are whole seconds
    dom["updated_at"] = job.updated_at / 1000;
    EXPECT_EQ(JobJsonText(job), dom.dump()) << job.name;
    EXPECT_EQ(JobJson(job), dom) << job.name;
  }
}

}  // namespace
}  // namespace migsched::daemon
