#include "io/services_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using migsched::testing::HasError;
using migsched::testing::IsOk;

Result<std::vector<sim::ServiceSpec>> Parse(const std::string& text) {
  return ParseServices(text, "svc.yaml", "tests/data/services");
}

// One service with the given extra lines (after name), rate inline.
std::string One(const std::string& lines) {
  return "services:\n  - name: chat\n" + lines;
}
constexpr char kGood[] =
    "    gpu_milli: 250\n    replica_rps: 40\n    min_replicas: 1\n    max_replicas: 6\n    end_s: 100\n";
constexpr char kRate[] = "    rate:\n      - {t_s: 0, rps: 30}\n      - {t_s: 50, rps: 200.5}\n";

TEST(ServicesReaderTest, ReadsTheSampleWithItsRateCsvAndRepeat) {
  const Result<std::vector<sim::ServiceSpec>> services = ReadServicesFile("tests/data/services/chat.yaml");
  ASSERT_THAT(services, IsOk());
  ASSERT_EQ(services->size(), 2u);
  const sim::ServiceSpec& chat = (*services)[0];
  EXPECT_EQ(chat.name, "chat");
  EXPECT_EQ(chat.replica.gpu_milli, 250);
  EXPECT_EQ(chat.replica.priority, 10);
  EXPECT_EQ(chat.replica_milli_rps, 40'000);
  EXPECT_EQ(chat.min_replicas, 1);
  EXPECT_EQ(chat.max_replicas, 6);
  EXPECT_EQ(chat.end_ms, 7'200'000);
  EXPECT_EQ(chat.period_ms, 0);
  EXPECT_EQ(chat.rate, (std::vector<sim::RatePoint>{
                           {0, 30'000}, {1'800'000, 200'000}, {3'600'000, 90'000}, {5'400'000, 30'000}}));
  const sim::ServiceSpec& embed = (*services)[1];
  EXPECT_EQ(embed.replica.profile, "1g.10gb");
  EXPECT_EQ(embed.replica.gpu_milli, 142);
  EXPECT_EQ(embed.period_ms, 3'600'000);
  EXPECT_EQ(embed.rate, (std::vector<sim::RatePoint>{{0, 0}, {600'000, 350'000}, {1'200'000, 120'000}}));
}

TEST(ServicesReaderTest, MemoryAloneAsksForTheLeastCompute) {
  const Result<std::vector<sim::ServiceSpec>> services = Parse(One(
      "    memory_mib: 18000\n    replica_rps: 1\n    min_replicas: 0\n    max_replicas: 1\n    end_s: 10\n" +
      std::string(kRate).substr(0, std::string(kRate).find("      - {t_s: 50"))));
  ASSERT_THAT(services, IsOk());
  EXPECT_EQ(services->front().replica.gpu_milli, 1);
  EXPECT_EQ(services->front().replica.gpu_memory_mib, 18000);
}

TEST(ServicesReaderTest, ErrorsNameFileLineAndKey) {
  const auto refused = [](const std::string& text, const std::string& message) {
    EXPECT_THAT(Parse(text), HasError(StatusCode::kInvalidArgument, message)) << text;
  };
  refused("services: []\n", "svc.yaml:1: 'services' must be a non-empty list");
  refused("service:\n  - name: x\n", "svc.yaml:1: unknown key 'service'");
  refused(One("    gpu_milli: 250\n    replica_rps: 0\n"),
          "svc.yaml:4: 'replica_rps' must be a number from 0.001 to 1e+09");
  refused(One("    replica_rps: 4\n"), "svc.yaml:2: a replica needs gpu_milli, memory_mib or profile (service 'chat')");
  refused(One("    profile: huge\n"), "svc.yaml:3: 'huge' is not a standard MIG profile name");
  refused(One("    profile: 3g.40gb\n    gpu_milli: 10\n"), "give profile, or gpu_milli and/or memory_mib, not both");
  refused(One("    gpu_milli: 1001\n"), "svc.yaml:3: 'gpu_milli' must be from 1 to 1000");
  refused(One(std::string(kGood) + "    rate:\n      - {t_s: 0, rps: 30}\n      - {t_s: 0, rps: 2}\n"),
          "svc.yaml:10: t_s must be after the previous point's (service 'chat')");
  refused(One(std::string(kGood) + "    rate:\n      - {t_s: 0, rps: -1}\n"),
          "svc.yaml:9: 'rps' must be a number from 0 to 1e+09");
  refused(One(std::string(kGood) + "    rate:\n      - {t_s: 0, rpm: 1}\n"), "svc.yaml:9: unknown key 'rpm'");
  refused(One(std::string(kGood)), "give the request rate as 'rate' (a list) or 'rate_csv' (a file)");
  refused(One(std::string(kGood) + kRate + "    rate_csv: embed_rate.csv\n"), "one of them");
  refused(One("    gpu_milli: 250\n    replica_rps: 40\n    min_replicas: 3\n    max_replicas: 2\n"),
          "svc.yaml:6: max_replicas must be at least 1 and at least min_replicas");
  refused(One("    gpu_milli: 250\n    replica_rps: 40\n    min_replicas: 0\n    max_replicas: 2\n    end_s: 0\n" +
              std::string(kRate)),
          "svc.yaml:7: end_s must be after the first rate point");
  refused(One(std::string(kGood) + "    repeat_s: 50\n" + kRate), "svc.yaml:8: the rate series is longer than repeat_s");
  refused(One(std::string(kGood) + kRate) + "  - name: chat\n" + kGood + kRate, "svc.yaml:11: service 'chat' is given twice");
  refused(One(std::string(kGood) + "    rate_csv: bad_rate.csv\n"),
          "tests/data/services/bad_rate.csv:4: t_s and rps must be numbers");
}

TEST(ServicesReaderTest, AMissingFileIsNotFound) {
  EXPECT_THAT(ReadServicesFile("tests/data/services/absent.yaml"), HasError(StatusCode::kNotFound, "absent.yaml"));
  EXPECT_THAT(Parse(One(std::string(kGood) + "    rate_csv: absent.csv\n")),
              HasError(StatusCode::kNotFound, "absent.csv"));
}

}  // namespace
}  // namespace migsched::io
