// TextTable: left-aligned columns for the CLI's human output.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace migsched::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : rows_{std::move(header)} {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns separated by two spaces, trailing spaces trimmed.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace migsched::cli
