#include "daemon/job_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/catalog_fixture.h"

namespace migsched::daemon {
namespace {

const geometry::Catalog& Catalog() { return migsched::testing::BuiltinCatalogForTest(); }

std::vector<std::string> OptionNames(const JobSpec& spec) {
  std::vector<std::string> names;
  for (const sched::ProfileOption& o : spec.options) {
    names.push_back(o.model->name + ":" + o.model->profiles[static_cast<size_t>(o.profile)].name);
  }
  return names;
}

TEST(JobSpecTest, MemoryIsRightSizedOnEveryModel) {
  const ParsedSpec parsed = ParseJobSpec(R"({"name": "bert", "memory_mib": 9000})", Catalog());
  ASSERT_TRUE(parsed.ok()) << parsed.error.message;
  EXPECT_THAT(OptionNames(parsed.spec), ::testing::Contains("H100-80GB:1g.10gb"));
  EXPECT_THAT(OptionNames(parsed.spec), ::testing::Contains("A100-80GB:1g.10gb"));
  EXPECT_THAT(OptionNames(parsed.spec), ::testing::Contains("A100-40GB:1g.10gb"));
  EXPECT_THAT(OptionNames(parsed.spec), ::testing::Contains("A30-24GB:2g.12gb"));  // its 1g.6gb is too small
}

TEST(JobSpecTest, AProfileNameMatchesEveryModelThatHasIt) {
  const ParsedSpec parsed = ParseJobSpec(R"({"name": "x", "profile": "3g.40gb", "model": "H100-80GB"})", Catalog());
  ASSERT_TRUE(parsed.ok()) << parsed.error.message;
  EXPECT_THAT(OptionNames(parsed.spec), ::testing::ElementsAre("H100-80GB:3g.40gb"));
  const ParsedSpec any = ParseJobSpec(R"({"name": "x", "profile": "3g.40gb"})", Catalog());
  ASSERT_TRUE(any.ok());
  EXPECT_THAT(OptionNames(any.spec), ::testing::IsSupersetOf({"H100-80GB:3g.40gb", "A100-80GB:3g.40gb"}));
}

TEST(JobSpecTest, TheSameMeaningHasTheSameCanonicalText) {
  const ParsedSpec a = ParseJobSpec(R"({"profile": "1g.10gb", "name": "x", "priority": 0})", Catalog());
  const ParsedSpec b = ParseJobSpec(R"({"name": "x", "profile": "1g.10gb", "tenant": ""})", Catalog());
  const ParsedSpec c = ParseJobSpec(R"({"name": "x", "profile": "1g.20gb"})", Catalog());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a.spec.canonical_json, b.spec.canonical_json);
  EXPECT_NE(a.spec.canonical_json, c.spec.canonical_json);
  // Re-reading the canonical text gives the same spec (the store keeps it).
  const ParsedSpec again = ParseJobSpec(a.spec.canonical_json, Catalog());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.spec.canonical_json, a.spec.canonical_json);
  EXPECT_EQ(OptionNames(again.spec), OptionNames(a.spec));
}

// Stores written by earlier builds hold this exact text: an idempotent replay
// compares against it byte for byte, so its form must never drift.
TEST(JobSpecTest, CanonicalTextKeepsItsStoredForm) {
  const ParsedSpec memory = ParseJobSpec(
      R"({"memory_mib": 9000, "min_compute_slices": 2, "model": "H100-80GB", "name": "a", "tenant": "t"})",
      Catalog());
  ASSERT_TRUE(memory.ok()) << memory.error.message;
  EXPECT_EQ(memory.spec.canonical_json,
            R"({"name":"a","tenant":"t","priority":0,"kind":"inference","model":"H100-80GB",)"
            R"("min_compute_slices":2,"memory_mib":9000})");
  const ParsedSpec gang = ParseJobSpec(R"({"name": "g", "gpus": 2, "kind": "training", "priority": -5})", Catalog());
  ASSERT_TRUE(gang.ok()) << gang.error.message;
  EXPECT_EQ(gang.spec.canonical_json, R"({"name":"g","tenant":"","priority":-5,"kind":"training","gpus":2})");
  const ParsedSpec profile = ParseJobSpec(R"({"name": "p", "profile": "1g.10gb"})", Catalog());
  ASSERT_TRUE(profile.ok()) << profile.error.message;
  EXPECT_EQ(profile.spec.canonical_json, R"({"name":"p","tenant":"","priority":0,"kind":"inference","profile":"1g.10gb"})");
}

TEST(JobSpecTest, WholeGpuGangs) {
  const ParsedSpec parsed = ParseJobSpec(R"({"name": "t", "gpus": 4, "kind": "training"})", Catalog());
  ASSERT_TRUE(parsed.ok()) << parsed.error.message;
  EXPECT_EQ(ToRequest(parsed.spec, 7).whole_gpus, 4);
  EXPECT_EQ(ToRequest(parsed.spec, 7).kind, sched::JobKind::kTraining);
  EXPECT_TRUE(parsed.spec.options.empty());
}

TEST(JobSpecTest, ErrorsNameTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "$"},
      {R"({"name": "a", "memory_mib": 1e400})", "$"},  // found by request_fuzz_test: threw out_of_range
      {R"({"name": "a", "memory_mib": 1, "profile": "1g.10gb"})", "$"},
      {R"({"name": "a", "memory_mib": 0})", "$.memory_mib"},
      {R"({"name": "a", "memory_mib": 1.5})", "$.memory_mib"},
      {R"({"name": "a", "memory_mib": 99999999})", "$.memory_mib"},
      {R"({"name": "a", "priority": 9223372036854775807, "gpus": 1})", "$.priority"},
      {R"({"name": "a", "kind": "batch", "gpus": 1})", "$.kind"},
      {R"({"name": "a", "kind": "training", "profile": "1g.10gb"})", "$.gpus"},
      {R"({"name": "a b", "gpus": 1})", "$.name"},
      {R"({"name": 5, "gpus": 1})", "$.name"},
      {R"({"name": "a", "gpus": 1, "tenant": 3})", "$.tenant"},
      {R"({"name": "a", "gpus": 100000})", "$.gpus"},
      {R"({"name": "a", "profile": "1g.10gb", "min_compute_slices": 2})", "$.profile"},
  };
  for (const auto& [body, field] : cases) {
    const ParsedSpec parsed = ParseJobSpec(body, Catalog());
    EXPECT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error.field, field) << body << ": " << parsed.error.message;
  }
}

}  // namespace
}  // namespace migsched::daemon
