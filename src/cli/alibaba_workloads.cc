#include "cli/alibaba_workloads.h"

#include <charconv>
#include <map>
#include <optional>
#include <sstream>

namespace migsched::cli {
namespace {

std::vector<std::string_view> SplitRow(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t begin = 0;
  while (true) {
    const size_t end = line.find(',', begin);
    fields.push_back(line.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return fields;
    begin = end + 1;
  }
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<AlibabaWorkloads> ConvertAlibabaPods(std::string_view csv, const std::string& source,
                                            const geometry::GpuModel& model) {
  std::vector<std::string_view> lines;
  for (size_t begin = 0; begin < csv.size();) {
    size_t end = csv.find('\n', begin);
    if (end == std::string_view::npos) end = csv.size();
    std::string_view line = csv.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    begin = end + 1;
  }
  if (lines.empty()) return InvalidArgumentError(source + ":1: empty file; expected a header row");
  const std::vector<std::string_view> header = SplitRow(lines[0]);
  std::map<std::string_view, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (std::string_view needed : {"num_gpu", "gpu_milli"}) {
    if (!column.contains(needed)) {
      return InvalidArgumentError(source + ":1: missing column '" + std::string(needed) +
                                  "' (an Alibaba openb_pod_list CSV has name,cpu_milli,"
                                  "memory_mib,num_gpu,gpu_milli,...)");
    }
  }
  AlibabaWorkloads out;
  std::map<int, int> pods_by_slices;  // compute slices needed -> pods
  int multi_gpu_replicas = 0;
  for (size_t n = 1; n < lines.size(); ++n) {
    if (lines[n].empty()) continue;
    const std::string where = source + ":" + std::to_string(n + 1);
    const std::vector<std::string_view> row = SplitRow(lines[n]);
    if (row.size() < header.size()) {
      return InvalidArgumentError(where + ": " + std::to_string(row.size()) + " fields, header has " +
                                  std::to_string(header.size()));
    }
    const std::optional<int> gpus = ParseInt(row[column.at("num_gpu")]);
    const std::optional<int> milli = ParseInt(row[column.at("gpu_milli")]);
    if (!gpus || *gpus < 0 || *gpus > 1024) {
      return InvalidArgumentError(where + ": num_gpu must be an integer in [0, 1024]");
    }
    if (!milli || *milli < 0 || *milli > 1000) {
      return InvalidArgumentError(where + ": gpu_milli must be an integer in [0, 1000]");
    }
    ++out.pods;
    if (*gpus == 0) {
      ++out.cpu_only_pods;
      continue;
    }
    if (*gpus > 1) {
      multi_gpu_replicas += *gpus;
      continue;
    }
    if (*milli == 0) return InvalidArgumentError(where + ": a GPU pod with gpu_milli 0");
    ++pods_by_slices[(*milli * model.compute_slices + 999) / 1000];
  }

  std::ostringstream yaml;
  yaml << "# Derived from " << source << " (" << out.pods << " pods) by `migsched workloads\n"
       << "# from-alibaba --gpu " << model.name << "`: a pod's gpu_milli share maps to the "
       << model.compute_slices << " compute\n"
       << "# slices that cover it, ceil(gpu_milli x " << model.compute_slices
       << " / 1000); the trace has no GPU memory, so\n"
       << "# memory_gib is 1. Multi-GPU pods take whole GPUs (training). " << out.cpu_only_pods
       << " CPU-only pods left out.\n"
       << "workloads:\n";
  for (const auto& [slices, pods] : pods_by_slices) {
    const std::string name = "alibaba-" + std::to_string(slices) + "slice";
    yaml << "  - {name: " << name << ", replicas: " << pods
         << ", memory_gib: 1, min_compute_slices: " << slices << ", kind: inference}\n";
    out.workloads.emplace_back(name, pods);
  }
  if (multi_gpu_replicas > 0) {
    yaml << "  - {name: alibaba-multi-gpu, replicas: " << multi_gpu_replicas
         << ", memory_gib: 1, kind: training}\n";
    out.workloads.emplace_back("alibaba-multi-gpu", multi_gpu_replicas);
  }
  out.yaml = yaml.str();
  return out;
}

}  // namespace migsched::cli
