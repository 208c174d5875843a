#include "io/json_object_reader.h"

#include <vector>

#include "common/strings.h"

namespace migsched::io {

using nlohmann::json;

Result<json> ParseJson(std::string_view text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    return InvalidArgumentError(source + ": malformed JSON at byte " + std::to_string(e.byte) + ": " +
                                e.what());
  } catch (const json::exception& e) {
    // e.g. out_of_range 406: a number beyond a double ("1e400").
    return InvalidArgumentError(source + ": unreadable JSON: " + e.what());
  }
}

Status JsonObjectReader::CheckKeys(std::initializer_list<std::string_view> known) const {
  if (!object_.is_object()) return Error("", "must be an object");
  for (const auto& [key, value] : object_.items()) {
    bool found = false;
    for (const std::string_view k : known) found = found || k == key;
    if (!found) {
      return Error("", "unknown key '" + key + "'; expected keys: " +
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
