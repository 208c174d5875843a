// Mutation fuzzing of every request body serve reads — POST /v1/jobs, an
// agent's inventory, a desired layout (the agent reads it): valid seeds with
// bytes flipped, cut, repeated and spliced must give a value or a clear
// error, never a crash or a hang (run under ASan+UBSan in CI). Deterministic
// seeds: a failure reproduces.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "daemon/inventory.h"
#include "daemon/job_spec.h"
#include "testing/catalog_fixture.h"

namespace migsched::daemon {
namespace {

const geometry::Catalog& Catalog() { return migsched::testing::BuiltinCatalogForTest(); }

std::string Mutate(std::string text, std::mt19937& rng) {
  static const std::string kTokens[] = {"{", "}", "[", "]", "\"", ":", ",", "-", "9223372036854775808", "1e400",
                                        "null", "true", "\\u0000", "\xff", "0", "\"profile\"", "\"gpus\""};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const std::size_t at = rng() % text.size();
    switch (rng() % 5) {
      case 0: text[at] = static_cast<char>(rng() % 256); break;
      case 1: text.erase(at, 1 + rng() % 8); break;
      case 2: text.insert(at, kTokens[rng() % std::size(kTokens)]); break;
      case 3: text.insert(at, text.substr(rng() % text.size(), rng() % 16)); break;
      default: text.resize(at); break;
    }
  }
  return text;
}

template <typename Parse>
void Fuzz(const std::vector<std::string>& seeds, int rounds, Parse parse) {
  std::mt19937 rng(20261205);
  int accepted = 0;
  for (int i = 0; i < rounds; ++i) {
    const std::string& seed = seeds[static_cast<std::size_t>(i) % seeds.size()];
    accepted += parse(Mutate(seed, rng)) ? 1 : 0;
  }
  // Some mutations keep the body valid (e.g. a changed name letter): the
  // fuzzer reaches the deep paths, not only the JSON syntax check.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, rounds);
}

TEST(RequestFuzzTest, JobBodies) {
  Fuzz({R"({"name": "bert-1", "tenant": "ml", "priority": 5, "memory_mib": 9000, "min_compute_slices": 1})",
        R"({"name": "sdxl", "profile": "3g.40gb", "model": "H100-80GB"})",
        R"({"name": "train", "gpus": 2, "kind": "training"})"},
       20000, [](const std::string& body) {
         const ParsedSpec parsed = ParseJobSpec(body, Catalog());
         if (!parsed.ok()) {
           EXPECT_FALSE(parsed.error.field.empty());
           EXPECT_EQ(parsed.error.field[0], '$');
           return false;
         }
         EXPECT_TRUE(parsed.spec.gpus > 0 || !parsed.spec.options.empty()) << body;
         const ParsedSpec again = ParseJobSpec(parsed.spec.canonical_json, Catalog());
         EXPECT_TRUE(again.ok()) << parsed.spec.canonical_json;
         return true;
       });
}

TEST(RequestFuzzTest, Inventories) {
  Fuzz({R"({"node":"n1","applied_generation":3,"apply_error":"","gpus":[{"index":0,"uuid":"GPU-1","model":"H100-80GB",)"
        R"("mig_enabled":true,"pids":[],"instances":[{"profile":"3g.40gb","start":4,"uuid":"MIG-9","pids":[42]},)"
        R"({"profile":"1g.10gb","start":0}]},{"index":1,"model":"A100-80GB","mig_enabled":false,"pids":[7]}]})"},
       20000, [](const std::string& body) {
         Result<NodeInventory> inventory = InventoryFromJson(body, Catalog());
         if (!inventory.has_value()) return false;
         Result<NodeInventory> again = InventoryFromJson(InventoryToJson(*inventory), Catalog());
         EXPECT_TRUE(again.has_value()) << body;
         return true;
       });
}

TEST(RequestFuzzTest, DesiredLayouts) {
  Fuzz({R"({"node":"n1","generation":4,"gpus":[{"index":0,"model":"H100-80GB","mig_enabled":true,)"
        R"("instances":[{"profile":"3g.40gb","start":4,"job":17},{"profile":"2g.20gb","start":0,"job":0}]}]})"},
       20000, [](const std::string& body) {
         Result<DesiredLayout> layout = DesiredFromJson(body, Catalog());
         if (!layout.has_value()) return false;
         EXPECT_FALSE(TargetsOf(*layout).empty() && !layout->gpus.empty());
         return true;
       });
}

}  // namespace
}  // namespace migsched::daemon
