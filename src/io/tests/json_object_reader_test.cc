// The strict JSON object reader shared by plan.json and the fake NVML state:
// every error names the path, and nothing out of range slips through.
#include "io/json_object_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

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

TEST(JsonObjectReaderTest, ParseReportsTheLineAndByteOfASyntaxError) {
  EXPECT_THAT(ParseJson("{\"a\":\n ", "f.json"), HasError(StatusCode::kInvalidArgument, "f.json:2: malformed JSON at byte 8"));
  EXPECT_TRUE(ParseJson("{\"a\": 1}", "f.json").has_value());
}

// Issue 16: a number beyond a double is an error with its line, not an
// escaping out_of_range exception (first found by request_fuzz_test).
TEST(JsonObjectReaderTest, NumberBeyondADoubleIsAnErrorWithItsLine) {
  EXPECT_THAT(ParseJson("{\n\"a\": 1e400}", "f.json"),
              HasError(StatusCode::kInvalidArgument, "f.json:2: malformed JSON at byte 12: [json.exception.out_of_range.406] number overflow parsing '1e400'"));
}

// Issue 16: deep nesting names the depth and the line.
TEST(JsonObjectReaderTest, DeepNestingNamesTheDepthAndLine) {
  EXPECT_THAT(ParseJson("{\"a\":\n" + std::string(10000, '[') + std::string(10000, ']') + "}", "f.json"),
              HasError(StatusCode::kInvalidArgument, "f.json:2: JSON nested deeper than 256 levels (at byte 261)"));
  EXPECT_TRUE(ParseJson(std::string(200, '[') + std::string(200, ']'), "f.json").has_value());
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseJson("[\"" + std::string(1000, '[') + "\"]", "f.json").has_value());
}

// Issue 16: a 100 MB bad token is not echoed in full.
TEST(JsonObjectReaderTest, ErrorsQuoteABoundedPartOfTheInput) {
  const Result<json> parsed = ParseJson("[" + std::string(1'000'000, 'x') + "]", "f.json");
  ASSERT_THAT(parsed, HasError(StatusCode::kInvalidArgument, "f.json:1: malformed JSON at byte 2"));
  EXPECT_LT(parsed.error().message().size(), 400u) << parsed.error().message();
}

TEST(JsonObjectReaderTest, ARequestBodyKeepsItsJsonPathAsTheSource) {
  EXPECT_THAT(ParseJson("{\n\"a\": 1e400}", "$"), HasError(StatusCode::kInvalidArgument, "$: malformed JSON at byte 12"));
}

TEST(JsonObjectReaderTest, ParseSkipsAUtf8ByteOrderMark) {
  EXPECT_TRUE(ParseJson("\xEF\xBB\xBF{\"a\": 1}", "f.json").has_value());
}

}  // namespace
}  // namespace migsched::io
