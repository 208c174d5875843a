// Records: the common shape of a workload or perf-table row, whether it came
// from a YAML/JSON mapping or a CSV line, so that one function validates
// each kind of row and every error names "<file>:<line>" the same way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace migsched::io {

struct RecordField {
  std::string text;                // a scalar's text; list items joined by ';' for lists
  std::vector<std::string> items;  // list items (YAML list, or CSV cell split on ';')
  int line = 0;
};

struct Record {
  std::string source;  // file name
  int line = 0;        // the row's line
  std::map<std::string, RecordField> fields;  // present, non-empty fields only

  std::string Where(std::string_view key = {}) const;  // "<source>:<line>" of a field or the row
  Status Error(std::string_view key, const std::string& message) const;
  bool Has(std::string_view key) const { return fields.count(std::string(key)) != 0; }

  Result<std::string> String(std::string_view key) const;  // required
  std::string OptionalString(std::string_view key) const;  // "" when absent
  // A finite number in [min, max]; nullopt when absent.
  Result<std::optional<double>> Number(std::string_view key, double min, double max) const;
  // An integer in [min, max]; nullopt when absent.
  Result<std::optional<int64_t>> Integer(std::string_view key, int64_t min, int64_t max) const;
};

// Records from a YAML/JSON document's list under `list_key` (each item a flat
// mapping with keys from `known`). Errors name file:line.
Result<std::vector<Record>> YamlRecords(std::string_view text, const std::string& source,
                                        std::string_view list_key, std::string_view item_name,
                                        const std::vector<std::string_view>& known);

// Records from CSV (a leading UTF-8 BOM is skipped) with a header row of
// names from `known`; '#' lines and blank lines are skipped; cells may be
// double-quoted.
Result<std::vector<Record>> CsvRecords(std::string_view text, const std::string& source,
                                       const std::vector<std::string_view>& known);

bool HasCsvExtension(const std::string& path);

}  // namespace migsched::io
