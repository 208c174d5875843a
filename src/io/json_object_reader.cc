#include "io/json_object_reader.h"

#include <algorithm>
#include <exception>
#include <vector>

#include "common/strings.h"

namespace migsched::io {

using nlohmann::json;

namespace {

constexpr int kMaxJsonDepth = 256;

// The DOM parser, but a syntax error or a number beyond a double ("1e400",
// which nlohmann reports as out_of_range without a position) is kept with
// its byte offset instead of thrown, and nesting is limited: no document we
// read needs more than a few levels.
class LocatingParser : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit LocatingParser(json& result) : json_sax_dom_parser(result, /*allow_exceptions_=*/false) {}

  bool start_object(std::size_t n) { return Enter() && json_sax_dom_parser::start_object(n); }
  bool start_array(std::size_t n) { return Enter() && json_sax_dom_parser::start_array(n); }
  bool end_object() { --depth_; return json_sax_dom_parser::end_object(); }
  bool end_array() { --depth_; return json_sax_dom_parser::end_array(); }
  bool parse_error(std::size_t position, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    position_ = position;
    message_ = e.what();
    return false;
  }

  bool too_deep() const { return depth_ > kMaxJsonDepth; }
  std::size_t position() const { return position_; }
  const std::string& message() const { return message_; }

 private:
  bool Enter() { return ++depth_ <= kMaxJsonDepth; }

  int depth_ = 0;
  std::size_t position_ = 0;
  std::string message_;
};

// The byte where nesting first goes deeper than kMaxJsonDepth (the SAX
// interface gives no positions): brackets outside strings.
std::size_t TooDeepAt(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return text.size();
}

// "<source>:<line>" for a file; a JSON path ("$", a request body) stays as
// it is, since callers read it as the field an error concerns.
std::string Where(const std::string& source, std::string_view text, std::size_t byte) {
  if (source.starts_with('$')) return source;
  const auto end = text.begin() + static_cast<std::ptrdiff_t>(std::min(byte, text.size()));
  return source + ":" + std::to_string(1 + std::count(text.begin(), end, '\n'));
}

}  // namespace

Result<json> ParseJson(std::string_view text, const std::string& source) {
  json root;
  LocatingParser parser(root);
  try {
    if (json::sax_parse(text, &parser)) return root;
  } catch (const std::exception& e) {  // nothing the library throws may escape
    return InvalidArgumentError(source + ": unreadable JSON: " + Abbreviate(e.what()));
  }
  if (parser.too_deep()) {
    const std::size_t byte = TooDeepAt(text);
    return InvalidArgumentError(Where(source, text, byte) + ": JSON nested deeper than " +
                                std::to_string(kMaxJsonDepth) + " levels (at byte " +
                                std::to_string(byte) + ")");
  }
  return InvalidArgumentError(Where(source, text, parser.position()) + ": malformed JSON at byte " +
                              std::to_string(parser.position()) + ": " + Abbreviate(parser.message()));
}

Status JsonObjectReader::CheckKeys(std::initializer_list<std::string_view> known) const {
  if (!object_.is_object()) return Error("", "must be an object");
  for (const auto& [key, value] : object_.items()) {
    bool found = false;
    for (const std::string_view k : known) found = found || k == key;
    if (!found) {
      return Error("", "unknown key " + Quote(key) + "; expected keys: " +
                           Join(std::vector<std::string>(known.begin(), known.end()), ", "));
    }
  }
  return Status::Ok();
}

Result<const json*> JsonObjectReader::Required(const std::string& key) const {
  if (!Has(key)) return Error(key, "is required");
  return &object_.at(key);
}

Result<std::string> JsonObjectReader::String(const std::string& key) const {
  const json* value = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(value, Required(key));
  if (!value->is_string()) return Error(key, "must be a string");
  return value->get<std::string>();
}

Result<bool> JsonObjectReader::Bool(const std::string& key) const {
  const json* value = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(value, Required(key));
  if (!value->is_boolean()) return Error(key, "must be true or false");
  return value->get<bool>();
}

Result<std::int64_t> JsonObjectReader::Integer(const std::string& key, std::int64_t min,
                                               std::int64_t max) const {
  const json* value = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(value, Required(key));
  const std::string range = "must be between " + std::to_string(min) + " and " + std::to_string(max);
  if (!value->is_number_integer()) return Error(key, "must be an integer");
  // Above INT64_MAX an unsigned value would wrap when read as int64.
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    return Error(key, range);
  }
  const std::int64_t n = value->get<std::int64_t>();
  if (n < min || n > max) return Error(key, range);
  return n;
}

Result<double> JsonObjectReader::NonNegative(const std::string& key) const {
  const json* value = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(value, Required(key));
  if (!value->is_number()) return Error(key, "must be a number");
  const double d = value->get<double>();
  if (!(d >= 0)) return Error(key, "must be a number >= 0");
  return d;
}

Result<const json*> JsonObjectReader::Array(const std::string& key) const {
  const json* value = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(value, Required(key));
  if (!value->is_array()) return Error(key, "must be a list");
  return value;
}

Status JsonObjectReader::Error(const std::string& key, const std::string& message, StatusCode code) const {
  const std::string where = key.empty() ? path_ : Path(key);
  return Status(code, (where.empty() ? std::string("top level") : where) + ": " + message);
}

}  // namespace migsched::io
