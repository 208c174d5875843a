#include "io/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <sstream>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "common/strings.h"

namespace migsched::io {

Result<YAML::Node> YamlReader::Parse(std::string_view text) const {
  std::vector<YAML::Node> documents;
  MIGSCHED_ASSIGN_OR_RETURN(documents, ParseAll(text));
  return documents.empty() ? YAML::Node() : documents.front();
}

namespace {

// Sees a stream's events without building nodes; keeps where the last document began.
class DocumentStartMarks final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark last;
};

// yaml-cpp 0.7 never ends LoadAll on a ',' outside a flow collection (a
// document that is just "," or "\"a\","; found by the fleet fuzzer): its parser
// hands out empty documents forever without consuming input, growing without
// bound. Every document takes at least one character, so a first pass that
// only counts documents stops once there are more documents than characters.
Status CheckDocumentsEnd(const std::string& text, const std::string& source) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStartMarks marks;
  for (size_t documents = 0; parser.HandleNextDocument(marks);) {
    if (++documents > text.size() + 1) {
      return InvalidArgumentError(source + ":" + std::to_string(marks.last.line + 1) +
                                  ": YAML the parser cannot get past (a ',' outside [...] or {...}?)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<YAML::Node>> YamlReader::ParseAll(std::string_view text) const {
  try {
    const std::string whole(text);
    MIGSCHED_RETURN_IF_ERROR(CheckDocumentsEnd(whole, source_));
    return YAML::LoadAll(whole);
  } catch (const YAML::DeepRecursion& e) {
    return InvalidArgumentError(source_ + ":" + std::to_string(e.mark.line + 1) + ": YAML nested too deeply (" +
                                std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(source_ + ":" + std::to_string(e.mark.line + 1) + ": " + Abbreviate(e.msg));
  } catch (const std::exception& e) {  // nothing the library throws may escape
    return InvalidArgumentError(source_ + ": unreadable YAML: " + Abbreviate(e.what()));
  }
}

std::string YamlReader::Where(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return source_;
  return source_ + ":" + std::to_string(mark.line + 1);
}

Status YamlReader::Error(const YAML::Node& node, const std::string& message) const {
  return InvalidArgumentError(Where(node) + ": " + message);
}

Status YamlReader::ExpectKeys(const YAML::Node& map, std::string_view what,
                              std::initializer_list<std::string_view> known) const {
  if (!map.IsMap()) return Error(map, std::string(what) + " must be a mapping");
  std::vector<std::string> seen;  // yaml-cpp keeps duplicate keys; lookups see only the first
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return Error(entry.first, "duplicate key '" + key + "' in " + std::string(what));
    }
    seen.push_back(key);
    bool found = false;
    std::string list;
    for (std::string_view k : known) {
      found = found || k == key;
      list += (list.empty() ? "" : ", ") + std::string(k);
    }
    if (!found) {
      return Error(entry.first, "unknown key " + Quote(key) + " in " + std::string(what) +
                                    " (known keys: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<YAML::Node> YamlReader::Required(const YAML::Node& map, std::string_view key) const {
  const YAML::Node node = map[std::string(key)];
  if (!node || node.IsNull()) return Error(map, "missing required key '" + std::string(key) + "'");
  return node;
}

Result<std::string> YamlReader::String(const YAML::Node& map, std::string_view key) const {
  Result<YAML::Node> node = Required(map, key);
  if (!node.has_value()) return node.error();
  if (!node->IsScalar()) return Error(*node, "'" + std::string(key) + "' must be a string");
  return node->Scalar();
}

Result<int64_t> YamlReader::AsInteger(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) return Error(node, std::string(what) + " must be an integer");
  const std::string& text = node.Scalar();
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Error(node, std::string(what) + " must be an integer, not " + Quote(text));
  }
  return value;
}

Result<int64_t> YamlReader::Integer(const YAML::Node& map, std::string_view key) const {
  Result<YAML::Node> node = Required(map, key);
  if (!node.has_value()) return node.error();
  return AsInteger(*node, "'" + std::string(key) + "'");
}

Result<int> YamlReader::Count(const YAML::Node& map, std::string_view key) const {
  constexpr int64_t kMax = 1 << 20;
  Result<int64_t> value = Integer(map, key);
  if (!value.has_value()) return value.error();
  if (*value < 0 || *value > kMax) {
    return Error(map[std::string(key)], "'" + std::string(key) + "' must be between 0 and " +
                                            std::to_string(kMax) + ", not " + std::to_string(*value));
  }
  return static_cast<int>(*value);
}

Result<std::optional<int64_t>> YamlReader::OptionalInteger(const YAML::Node& map,
                                                           std::string_view key) const {
  const YAML::Node node = map[std::string(key)];
  if (!node || node.IsNull()) return std::optional<int64_t>();
  Result<int64_t> value = AsInteger(node, "'" + std::string(key) + "'");
  if (!value.has_value()) return value.error();
  return std::optional<int64_t>(*value);
}

Result<std::optional<double>> YamlReader::OptionalNumber(const YAML::Node& map, std::string_view key, double min,
                                                         double max) const {
  const YAML::Node node = map[std::string(key)];
  if (!node || node.IsNull()) return std::optional<double>();
  double value = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value) || value < min ||
      value > max) {
    char range[64];
    std::snprintf(range, sizeof range, "a number from %g to %g", min, max);
    return Error(node, "'" + std::string(key) + "' must be " + range);
  }
  return std::optional<double>(value);
}

Result<bool> YamlReader::OptionalBool(const YAML::Node& map, std::string_view key,
                                      bool fallback) const {
  const YAML::Node node = map[std::string(key)];
  if (!node || node.IsNull()) return fallback;
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    return node.Scalar() == "true";
  }
  return Error(node, "'" + std::string(key) + "' must be true or false");
}

Result<std::vector<std::string>> YamlReader::StringList(const YAML::Node& map,
                                                        std::string_view key) const {
  std::vector<std::string> out;
  const YAML::Node node = map[std::string(key)];
  if (!node || node.IsNull()) return out;
  if (!node.IsSequence()) return Error(node, "'" + std::string(key) + "' must be a list");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return Error(item, "'" + std::string(key) + "' entries must be strings");
    out.push_back(item.Scalar());
  }
  return out;
}

Result<std::vector<int64_t>> YamlReader::IntegerList(const YAML::Node& map,
                                                     std::string_view key) const {
  Result<YAML::Node> node = Required(map, key);
  if (!node.has_value()) return node.error();
  if (!node->IsSequence()) return Error(*node, "'" + std::string(key) + "' must be a list");
  std::vector<int64_t> out;
  for (const YAML::Node& item : *node) {
    Result<int64_t> value = AsInteger(item, "'" + std::string(key) + "' entries");
    if (!value.has_value()) return value.error();
    out.push_back(*value);
  }
  return out;
}

}  // namespace migsched::io
