// Typed, located access to yaml-cpp nodes: every read either succeeds or
// returns an error that names "<source>:<line>" and the key, and no yaml-cpp
// exception escapes. Shared by every YAML reader in io/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched::io {

class YamlReader {
 public:
  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  // The one YAML parse of every reader: no library exception escapes.
  // Parses a whole document; syntax errors carry the line yaml-cpp reports,
  // nesting too deep for yaml-cpp names its depth and line. Parse gives the
  // first document of the stream, ParseAll all of them.
  Result<YAML::Node> Parse(std::string_view text) const;
  Result<std::vector<YAML::Node>> ParseAll(std::string_view text) const;

  // "<source>:<line>" of a node (1-based line).
  std::string Where(const YAML::Node& node) const;
  Status Error(const YAML::Node& node, const std::string& message) const;

  // Fails if `map` is not a map, has a key outside `known`, or repeats a key.
  Status ExpectKeys(const YAML::Node& map, std::string_view what,
                    std::initializer_list<std::string_view> known) const;

  Result<YAML::Node> Required(const YAML::Node& map, std::string_view key) const;
  Result<std::string> String(const YAML::Node& map, std::string_view key) const;
  Result<int64_t> Integer(const YAML::Node& map, std::string_view key) const;
  // An integer in [0, 1048576]: counts, slices, ids.
  Result<int> Count(const YAML::Node& map, std::string_view key) const;
  Result<std::optional<int64_t>> OptionalInteger(const YAML::Node& map, std::string_view key) const;
  // A number in [min, max] ("'<key>' must be a number from <min> to <max>");
  // nullopt when the key is absent or empty (~).
  Result<std::optional<double>> OptionalNumber(const YAML::Node& map, std::string_view key, double min,
                                               double max) const;
  Result<bool> OptionalBool(const YAML::Node& map, std::string_view key, bool fallback) const;
  Result<std::vector<std::string>> StringList(const YAML::Node& map, std::string_view key) const;
  Result<std::vector<int64_t>> IntegerList(const YAML::Node& map, std::string_view key) const;
  // A scalar node as an integer.
  Result<int64_t> AsInteger(const YAML::Node& node, std::string_view what) const;

 private:
  std::string source_;
};

}  // namespace migsched::io
