#include "daemon/json_text.h"

#include <charconv>

#include "io/json_string.h"

namespace migsched::daemon {

void JsonObjectText::Key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  io::AppendJsonString(out_, key);
  out_ += ':';
}

JsonObjectText& JsonObjectText::String(std::string_view key, std::string_view value) {
  Key(key);
  io::AppendJsonString(out_, value);
  return *this;
}

JsonObjectText& JsonObjectText::Int(std::string_view key, std::int64_t value) {
  Key(key);
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonObjectText& JsonObjectText::UInt(std::string_view key, std::uint64_t value) {
  Key(key);
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonObjectText& JsonObjectText::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}

JsonObjectText& JsonObjectText::Null(std::string_view key) {
  Key(key);
  out_ += "null";
  return *this;
}

JsonObjectText& JsonObjectText::Raw(std::string_view key, std::string_view json) {
  Key(key);
  out_ += json;
  return *this;
}

std::string JsonObjectText::Done() {
  out_ += '}';
  return std::move(out_);
}

}  // namespace migsched::daemon
