// The strict JSON object reader shared by plan.json and the fake NVML state:
// every error names the path, and nothing out of range slips through.
#include "io/json_object_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "testing/status_matchers.h"

namespace migsched::io {
namespace {

using ::migsched::testing::HasError;
using nlohmann::json;

TEST(JsonObjectReaderTest, ReadsTypedValues) {
  const json doc = json::parse(R"({"name": "a", "on": true, "n": 7, "x": 0.5, "list": [1, 2]})");
  const JsonObjectReader r(doc, "$");
  ASSERT_TRUE(r.CheckKeys({"name", "on", "n", "x", "list"}).ok());
  EXPECT_EQ(r.String("name").value(), "a");
  EXPECT_TRUE(r.Bool("on").value());
  EXPECT_EQ(r.Integer("n", 0, 10).value(), 7);
  EXPECT_DOUBLE_EQ(r.NonNegative("x").value(), 0.5);
  EXPECT_EQ(r.Array("list").value()->size(), 2u);
  EXPECT_EQ(r.ItemPath("list", 1), "$.list[1]");
}

TEST(JsonObjectReaderTest, ErrorsNameThePath) {
  const json doc = json::parse(R"({"n": "seven", "list": {}, "neg": -1, "colour": 1})");
  const JsonObjectReader r(doc, "$.gpus[2]");
  EXPECT_THAT(r.CheckKeys({"n", "list", "neg"}),
              HasError(StatusCode::kInvalidArgument, "$.gpus[2]: unknown key 'colour'; expected keys: n, list, neg"));
  EXPECT_THAT(r.String("missing"), HasError(StatusCode::kInvalidArgument, "$.gpus[2].missing: is required"));
  EXPECT_THAT(r.Integer("n", 0, 10), HasError(StatusCode::kInvalidArgument, "$.gpus[2].n: must be an integer"));
  EXPECT_THAT(r.Array("list"), HasError(StatusCode::kInvalidArgument, "$.gpus[2].list: must be a list"));
  EXPECT_THAT(r.NonNegative("neg"), HasError(StatusCode::kInvalidArgument, "$.gpus[2].neg: must be a number >= 0"));
  EXPECT_THAT(JsonObjectReader(json::array(), "").CheckKeys({}),
              HasError(StatusCode::kInvalidArgument, "top level: must be an object"));
}

TEST(JsonObjectReaderTest, IntegersOutsideTheRangeAreErrorsEvenAboveInt64) {
  json doc;
  doc["big"] = std::numeric_limits<std::uint64_t>::max();
  doc["low"] = -5;
  const JsonObjectReader r(doc, "$");
  EXPECT_THAT(r.Integer("big", 0, 100), HasError(StatusCode::kInvalidArgument, "$.big: must be between 0 and 100"));
  EXPECT_THAT(r.Integer("low", 0, 100), HasError(StatusCode::kInvalidArgument, "$.low: must be between 0 and 100"));
}

TEST(JsonObjectReaderTest, ParseReportsTheByteOfASyntaxError) {
  EXPECT_THAT(ParseJson("{\"a\": ", "f.json"), HasError(StatusCode::kInvalidArgument, "f.json: malformed JSON at byte"));
  EXPECT_TRUE(ParseJson("{\"a\": 1}", "f.json").has_value());
  // A number beyond a double is an error, not an escaping exception (found by request_fuzz_test).
  EXPECT_THAT(ParseJson("{\"a\": 1e400}", "f.json"), HasError(StatusCode::kInvalidArgument, "f.json: unreadable JSON"));
}

}  // namespace
}  // namespace migsched::io
