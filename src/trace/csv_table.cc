#include "trace/csv_table.h"

#include <algorithm>

#include "common/strings.h"

namespace migsched::trace {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t begin = 0;
  while (true) {
    const size_t comma = line.find(',', begin);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(begin));
      return fields;
    }
    fields.push_back(line.substr(begin, comma - begin));
    begin = comma + 1;
  }
}

std::string_view StripCarriageReturn(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

Result<CsvTable> CsvTable::Open(std::string_view bytes, const std::string& source,
                                const std::vector<std::string>& required,
                                const std::vector<std::string>& optional) {
  const std::string_view text = StripUtf8Bom(bytes);
  const size_t newline = text.find('\n');
  const std::string_view header =
      StripCarriageReturn(text.substr(0, newline == std::string_view::npos ? text.size() : newline));
  if (header.empty()) return InvalidArgumentError(source + ":1: empty file, expected a header line");
  const std::vector<std::string_view> names = SplitFields(header);
  std::vector<size_t> columns;
  for (const std::string& name : required) {
    size_t found = names.size();
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) found = i;
    }
    if (found == names.size()) {
      return InvalidArgumentError(source + ":1: missing column '" + name + "'");
    }
    columns.push_back(found);
  }
  for (const std::string& name : optional) {
    const auto it = std::find(names.begin(), names.end(), name);
    columns.push_back(it == names.end() ? std::string_view::npos : static_cast<size_t>(it - names.begin()));
  }
  const size_t body = newline == std::string_view::npos ? text.size() : newline + 1;
  return CsvTable(text, body, names.size(), std::move(columns));
}

void CsvTable::ForEachRow(
    const std::function<void(int line, const std::vector<std::string_view>& fields)>& row,
    const std::function<void(int line, std::string reason)>& bad) const {
  int line_number = 1;
  size_t begin = body_start_;
  std::vector<std::string_view> chosen(columns_.size());
  while (begin < text_.size()) {
    ++line_number;
    const size_t newline = text_.find('\n', begin);
    const size_t end = newline == std::string_view::npos ? text_.size() : newline;
    const std::string_view line = StripCarriageReturn(text_.substr(begin, end - begin));
    begin = end + 1;
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = SplitFields(line);
    if (fields.size() != header_columns_) {
      bad(line_number, "expected " + std::to_string(header_columns_) + " fields, found " +
                           std::to_string(fields.size()));
      continue;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      chosen[i] = columns_[i] == std::string_view::npos ? std::string_view() : fields[columns_[i]];
    }
    row(line_number, chosen);
  }
}

}  // namespace migsched::trace
