// Strict reading of JSON documents that people write or edit (plan.json, the
// fake NVML's state file): a parse that reports where the syntax breaks, and
// typed access to one object at a time where every key must be known and
// every error names its path ("$.gpus[0].instances[1].start: must be between
// 0 and 64"). Callers add the file name with Status::WithPrefix.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::io {

// The one JSON parse of every reader: no library exception escapes.
// InvalidArgument "<source>:<line>: malformed JSON at byte N: ..." (N just
// past the offending token) on a syntax error or a number beyond a double
// ("1e400"); "<source>:<line>: JSON nested deeper than 256 levels (at byte
// N)". A leading UTF-8 BOM is skipped. A `source` that is a JSON path ("$",
// for a request body) is not given a line.
Result<nlohmann::json> ParseJson(std::string_view text, const std::string& source);

class JsonObjectReader {
 public:
  // `path` names `object` in errors; "" is the top level.
  JsonObjectReader(const nlohmann::json& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  // The value must be an object whose keys are all in `known`.
  Status CheckKeys(std::initializer_list<std::string_view> known) const;

  bool Has(const std::string& key) const { return object_.is_object() && object_.contains(key); }
  std::string Path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  // The path of element `index` of the array under `key`.
  std::string ItemPath(const std::string& key, std::size_t index) const {
    return Path(key) + "[" + std::to_string(index) + "]";
  }

  // Required values of one type; missing or mistyped -> InvalidArgument.
  Result<std::string> String(const std::string& key) const;
  Result<bool> Bool(const std::string& key) const;
  Result<std::int64_t> Integer(const std::string& key, std::int64_t min, std::int64_t max) const;
  Result<double> NonNegative(const std::string& key) const;
  Result<const nlohmann::json*> Array(const std::string& key) const;

  // "<path>.<key>: <message>"; an empty key names the object itself.
  Status Error(const std::string& key, const std::string& message,
               StatusCode code = StatusCode::kInvalidArgument) const;

 private:
  Result<const nlohmann::json*> Required(const std::string& key) const;

  const nlohmann::json& object_;
  std::string path_;
};

}  // namespace migsched::io
