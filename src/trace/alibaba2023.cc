#include "trace/alibaba2023.h"

#include <optional>

#include "common/strings.h"
#include "io/text_file.h"
#include "trace/csv_table.h"

namespace migsched::trace {
namespace {

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kMaxGpusPerPod = 8;
// Larger times would overflow once converted to milliseconds and compressed;
// no real trace spans 290 million years.
constexpr int64_t kMaxSeconds = int64_t{1} << 40;

struct PodColumns {
  enum : size_t { kName, kNumGpu, kGpuMilli, kCreation, kDeletion, kScheduled };
};

// The integer in `field`, or a reason naming the column.
std::optional<int64_t> ReadTime(std::string_view field, std::string_view column,
                                std::string& reason) {
  const std::optional<int64_t> value = ParseInt64(field);
  if (!value) {
    reason = field.empty() ? "missing " + std::string(column)
                           : std::string(column) + " " + Quote(field) + " is not an integer";
    return std::nullopt;
  }
  if (*value < 0 || *value > kMaxSeconds) {
    reason = (*value < 0 ? "negative " : "absurd ") + std::string(column) + " " +
             std::to_string(*value);
    return std::nullopt;
  }
  return value;
}

// The job of one pod row; nullopt with `reason` set for a bad row, nullopt
// with an empty reason for a CPU-only pod.
std::optional<TraceJob> PodToJob(const std::vector<std::string_view>& fields, std::string& reason) {
  const std::optional<int64_t> num_gpu = ParseInt64(fields[PodColumns::kNumGpu]);
  const std::optional<int64_t> gpu_milli = ParseInt64(fields[PodColumns::kGpuMilli]);
  if (!num_gpu) {
    reason = "num_gpu " + Quote(fields[PodColumns::kNumGpu]) + " is not an integer";
    return std::nullopt;
  }
  if (!gpu_milli) {
    reason = "gpu_milli " + Quote(fields[PodColumns::kGpuMilli]) + " is not an integer";
    return std::nullopt;
  }
  if (*num_gpu < 0 || *num_gpu > kMaxGpusPerPod) {
    reason = "num_gpu " + std::to_string(*num_gpu) + " outside 0..8";
    return std::nullopt;
  }
  if (*num_gpu == 0) {
    if (*gpu_milli != 0) reason = "gpu_milli " + std::to_string(*gpu_milli) + " with num_gpu 0";
    return std::nullopt;
  }
  if (*gpu_milli < 1 || *gpu_milli > 1000) {
    reason = "gpu_milli " + std::to_string(*gpu_milli) + " outside 1..1000";
    return std::nullopt;
  }
  if (*num_gpu > 1 && *gpu_milli != 1000) {
    reason = "a gang of " + std::to_string(*num_gpu) + " GPUs asks for a fraction (gpu_milli " +
             std::to_string(*gpu_milli) + ")";
    return std::nullopt;
  }
  const std::optional<int64_t> creation = ReadTime(fields[PodColumns::kCreation], "creation_time", reason);
  if (!creation) return std::nullopt;
  const std::optional<int64_t> deletion = ReadTime(fields[PodColumns::kDeletion], "deletion_time", reason);
  if (!deletion) return std::nullopt;
  int64_t start = *creation;
  if (!fields[PodColumns::kScheduled].empty()) {
    const std::optional<int64_t> scheduled =
        ReadTime(fields[PodColumns::kScheduled], "scheduled_time", reason);
    if (!scheduled) return std::nullopt;
    if (*scheduled < *creation) {
      reason = "scheduled_time " + std::to_string(*scheduled) + " before creation_time " +
               std::to_string(*creation);
      return std::nullopt;
    }
    start = *scheduled;
  }
  if (*deletion < start) {
    reason = "deletion_time " + std::to_string(*deletion) + " before start " + std::to_string(start);
    return std::nullopt;
  }
  TraceJob job;
  job.name = std::string(fields[PodColumns::kName]);
  job.submit_ms = *creation * kMillisPerSecond;
  job.duration_ms = (*deletion - start) * kMillisPerSecond;
  job.gpu_milli = static_cast<int>(*gpu_milli);
  job.num_gpu = static_cast<int>(*num_gpu);
  job.kind = (job.num_gpu == 1 && job.gpu_milli < 1000) ? JobKind::kInference : JobKind::kTraining;
  return job;
}

}  // namespace

Result<Trace> ParseAlibabaPods(std::string_view text, const std::string& source) {
  Result<CsvTable> table =
      CsvTable::Open(text, source,
                     {"name", "num_gpu", "gpu_milli", "creation_time", "deletion_time", "scheduled_time"});
  if (!table.has_value()) return table.error();
  Trace trace;
  trace.source = source;
  table->ForEachRow(
      [&](int line, const std::vector<std::string_view>& fields) {
        std::string reason;
        std::optional<TraceJob> job = PodToJob(fields, reason);
        if (job) {
          job->source_line = line;
          trace.jobs.push_back(std::move(*job));
        } else if (!reason.empty()) {
          trace.bad_rows.push_back(RowIssue{line, std::move(reason)});
        } else {
          ++trace.cpu_only_rows;
        }
      },
      [&](int line, std::string reason) { trace.bad_rows.push_back(RowIssue{line, std::move(reason)}); });
  SortAndNumber(trace.jobs);
  return trace;
}

Result<Trace> LoadAlibabaPods(const std::string& path) {
  Result<std::string> text = io::ReadTextFile(path);
  if (!text.has_value()) return text.error();
  return ParseAlibabaPods(*text, path);
}

int64_t NodeList::TotalGpus() const {
  int64_t total = 0;
  for (const TraceNode& node : nodes) total += node.gpus;
  return total;
}

Result<NodeList> ParseAlibabaNodes(std::string_view text, const std::string& source) {
  Result<CsvTable> table = CsvTable::Open(text, source, {"sn", "gpu", "model"});
  if (!table.has_value()) return table.error();
  NodeList list;
  table->ForEachRow(
      [&](int line, const std::vector<std::string_view>& fields) {
        const std::optional<int64_t> gpus = ParseInt64(fields[1]);
        if (fields[0].empty()) {
          list.bad_rows.push_back(RowIssue{line, "missing sn"});
        } else if (!gpus || *gpus < 0 || *gpus > 64) {
          list.bad_rows.push_back(RowIssue{line, "gpu " + Quote(fields[1]) + " is not a GPU count 0..64"});
        } else if (*gpus == 0) {
          ++list.gpu_less_rows;
        } else {
          list.nodes.push_back(TraceNode{std::string(fields[0]), static_cast<int>(*gpus),
                                         std::string(fields[2]), line});
        }
      },
      [&](int line, std::string reason) { list.bad_rows.push_back(RowIssue{line, std::move(reason)}); });
  return list;
}

Result<NodeList> LoadAlibabaNodes(const std::string& path) {
  Result<std::string> text = io::ReadTextFile(path);
  if (!text.has_value()) return text.error();
  return ParseAlibabaNodes(*text, path);
}

std::string NodeListBeside(const std::string& pod_list_path) {
  const size_t slash = pod_list_path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : pod_list_path.substr(0, slash);
  return dir + "/openb_node_list_gpu_node.csv";
}

}  // namespace migsched::trace
