// A minimal reader for the comma-separated tables that cluster traces ship
// (no quoting: the Alibaba files have none, and a quote is reported as a bad
// row rather than guessed at). Columns are found by header name so that a
// file with reordered or extra columns still loads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched::trace {

class CsvTable {
 public:
  // Reads the header line of `text` (after a UTF-8 BOM, if any) and finds
  // each of `required` columns, and those of `optional` that it has.
  // InvalidArgument "<source>:1: missing column 'x'" (or an empty file).
  static Result<CsvTable> Open(std::string_view text, const std::string& source,
                               const std::vector<std::string>& required,
                               const std::vector<std::string>& optional = {});

  // Calls `row(line, fields)` for every non-empty data line, with the fields
  // in the order of `required` then `optional` (an optional column the file
  // lacks gives ""); a line whose field count differs from the header's goes
  // to `bad(line, reason)` instead.
  void ForEachRow(
      const std::function<void(int line, const std::vector<std::string_view>& fields)>& row,
      const std::function<void(int line, std::string reason)>& bad) const;

  // Whether the file has the column asked for at `index` (of required then optional).
  bool Has(size_t index) const { return columns_[index] != std::string_view::npos; }

 private:
  CsvTable(std::string_view text, size_t body_start, size_t header_columns,
           std::vector<size_t> columns)
      : text_(text), body_start_(body_start), header_columns_(header_columns),
        columns_(std::move(columns)) {}

  std::string_view text_;
  size_t body_start_;
  size_t header_columns_;
  std::vector<size_t> columns_;  // index in the file of each column asked for; npos: absent
};

}  // namespace migsched::trace
