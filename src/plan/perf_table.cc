#include "plan/perf_table.h"

#include <algorithm>
#include <cctype>

namespace migsched::plan {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

const PerfEntry* PerfTable::Find(std::string_view key, std::string_view gpu_model,
                                 std::string_view profile) const {
  for (const PerfEntry& entry : entries) {
    if (SameName(entry.key, key) && SameName(entry.gpu_model, gpu_model) &&
        SameName(entry.profile, profile)) {
      return &entry;
    }
  }
  return nullptr;
}

bool PerfTable::HasKey(std::string_view key) const {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const PerfEntry& entry) { return SameName(entry.key, key); });
}

std::vector<const PerfEntry*> PerfTable::RowsFor(std::string_view key,
                                                std::string_view gpu_model) const {
  std::vector<const PerfEntry*> rows;
  for (const PerfEntry& entry : entries) {
    if (SameName(entry.key, key) && SameName(entry.gpu_model, gpu_model)) rows.push_back(&entry);
  }
  return rows;
}

}  // namespace migsched::plan
