// JsonObjectText: a flat JSON object written straight into a string, for the
// per-request paths (a job's answer, a stored row) where an nlohmann DOM per
// request cost more than the rest of the handler. The text is byte-identical
// to nlohmann's dump() of the same object (json_text_test checks), so
// clients and stored rows cannot tell the writers apart.
//
//   JsonObjectText o;
//   o.UInt("id", 7).String("name", "a\"b").Null("node");
//   o.Done()  ->  {"id":7,"name":"a\"b","node":null}
//
// Strings are escaped by io::AppendJsonString, as nlohmann escapes them, so
// callers give valid UTF-8 (names are validated ASCII; the rest came in as
// parsed JSON).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace migsched::daemon {

class JsonObjectText {
 public:
  JsonObjectText& String(std::string_view key, std::string_view value);
  JsonObjectText& Int(std::string_view key, std::int64_t value);
  JsonObjectText& UInt(std::string_view key, std::uint64_t value);
  JsonObjectText& Bool(std::string_view key, bool value);
  JsonObjectText& Null(std::string_view key);
  JsonObjectText& Raw(std::string_view key, std::string_view json);  // already JSON text
  std::string Done();  // closes the object and hands its text over (the writer is spent)

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
};

}  // namespace migsched::daemon
