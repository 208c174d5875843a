#include "io/plan_input_records.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "common/strings.h"
#include "io/yaml_reader.h"

namespace migsched::io {
namespace {

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(';', begin), text.size());
    std::string item = Trim(text.substr(begin, end - begin));
    if (!item.empty()) items.push_back(std::move(item));
    begin = end + 1;
  }
  return items;
}

// Splits one CSV line; double quotes group, "" is a literal quote.
Result<std::vector<std::string>> SplitCsvLine(std::string_view line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  if (quoted) return InvalidArgumentError("unterminated quote");
  for (std::string& cell : cells) cell = Trim(cell);
  return cells;
}

std::string KnownList(const std::vector<std::string_view>& known) {
  std::vector<std::string> names(known.begin(), known.end());
  return Join(names, ", ");
}

}  // namespace

std::string Record::Where(std::string_view key) const {
  const auto it = fields.find(std::string(key));
  const int at = it == fields.end() ? line : it->second.line;
  return source + ":" + std::to_string(at);
}

Status Record::Error(std::string_view key, const std::string& message) const {
  return InvalidArgumentError(Where(key) + ": " + message);
}

Result<std::string> Record::String(std::string_view key) const {
  const auto it = fields.find(std::string(key));
  if (it == fields.end()) return Error(key, "missing required key '" + std::string(key) + "'");
  return it->second.text;
}

std::string Record::OptionalString(std::string_view key) const {
  const auto it = fields.find(std::string(key));
  return it == fields.end() ? "" : it->second.text;
}

Result<std::optional<double>> Record::Number(std::string_view key, double min, double max) const {
  const auto it = fields.find(std::string(key));
  if (it == fields.end()) return std::optional<double>();
  const std::string& text = it->second.text;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return Error(key, "'" + std::string(key) + "' must be a number, not " + Quote(text));
  }
  if (value < min || value > max) {
    std::ostringstream range;
    range << "'" << key << "' must be between " << min << " and " << max << ", not " << text;
    return Error(key, range.str());
  }
  return std::optional<double>(value);
}

Result<std::optional<int64_t>> Record::Integer(std::string_view key, int64_t min,
                                               int64_t max) const {
  const auto it = fields.find(std::string(key));
  if (it == fields.end()) return std::optional<int64_t>();
  const std::string& text = it->second.text;
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Error(key, "'" + std::string(key) + "' must be an integer, not " + Quote(text));
  }
  if (value < min || value > max) {
    return Error(key, "'" + std::string(key) + "' must be between " + std::to_string(min) +
                          " and " + std::to_string(max) + ", not " + Quote(text));
  }
  return std::optional<int64_t>(value);
}

Result<std::vector<Record>> YamlRecords(std::string_view text, const std::string& source,
                                        std::string_view list_key, std::string_view item_name,
                                        const std::vector<std::string_view>& known) {
  const YamlReader reader(source);
  const Result<YAML::Node> root = reader.Parse(text);
  if (!root.has_value()) return root.error();
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(*root, "document", {list_key, "source"}));
  const Result<YAML::Node> list = reader.Required(*root, list_key);
  if (!list.has_value()) return list.error();
  if (!list->IsSequence()) return reader.Error(*list, "'" + std::string(list_key) + "' must be a list");
  std::vector<Record> records;
  for (const YAML::Node& item : *list) {
    if (!item.IsMap()) return reader.Error(item, std::string(item_name) + " must be a mapping");
    Record record{source, item.Mark().line + 1, {}};
    for (const auto& entry : item) {
      const std::string key = entry.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return reader.Error(entry.first, "unknown key " + Quote(key) + " in " + std::string(item_name) +
                                             " (known keys: " + KnownList(known) + ")");
      }
      if (record.fields.count(key) != 0) {
        return reader.Error(entry.first, "duplicate key '" + key + "'");
      }
      RecordField field{"", {}, entry.second.Mark().line + 1};
      if (entry.second.IsSequence()) {
        for (const YAML::Node& v : entry.second) {
          if (!v.IsScalar()) return reader.Error(v, "'" + key + "' entries must be strings");
          field.items.push_back(v.Scalar());
        }
        field.text = Join(field.items, ";");
      } else if (entry.second.IsScalar()) {
        field.text = entry.second.Scalar();
        field.items = SplitList(field.text);
      } else if (entry.second.IsNull()) {
        continue;
      } else {
        return reader.Error(entry.second, "'" + key + "' must be a value or a list");
      }
      record.fields.emplace(key, std::move(field));
    }
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::vector<Record>> CsvRecords(std::string_view bytes, const std::string& source,
                                       const std::vector<std::string_view>& known) {
  const std::string_view text = StripUtf8Bom(bytes);
  std::vector<std::string> header;
  std::vector<Record> records;
  int line_number = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_number;
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = source + ":" + std::to_string(line_number);
    Result<std::vector<std::string>> cells = SplitCsvLine(line);
    if (!cells.has_value()) return cells.error().WithPrefix(where);
    if (header.empty()) {
      for (const std::string& name : *cells) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          return InvalidArgumentError(where + ": unknown column " + Quote(name) +
                                      " (known columns: " + KnownList(known) + ")");
        }
        if (std::find(header.begin(), header.end(), name) != header.end()) {
          return InvalidArgumentError(where + ": duplicate column '" + name + "'");
        }
        header.push_back(name);
      }
      continue;
    }
    if (cells->size() != header.size()) {
      return InvalidArgumentError(where + ": " + std::to_string(cells->size()) +
                                  " cells, the header has " + std::to_string(header.size()));
    }
    Record record{source, line_number, {}};
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string& cell = (*cells)[i];
      if (cell.empty()) continue;
      record.fields.emplace(header[i], RecordField{cell, SplitList(cell), line_number});
    }
    records.push_back(std::move(record));
  }
  if (header.empty()) return InvalidArgumentError(source + ": no header row");
  return records;
}

bool HasCsvExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".csv";
}

}  // namespace migsched::io
