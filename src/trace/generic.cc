#include "trace/generic.h"

#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "common/strings.h"
#include "io/text_file.h"
#include "trace/csv_table.h"

namespace migsched::trace {
namespace {

constexpr int64_t kMaxMillis = int64_t{1} << 50;  // 35,000 years: no overflow once compressed
constexpr int64_t kMaxGpusPerJob = 64;

const std::vector<std::string> kColumns = {"submit_s", "duration_s", "end_s",    "start_s",  "num_gpu",
                                           "gpu_milli", "memory_mib", "name", "kind", "priority",
                                           "tenant",   "profile"};
enum Column : size_t {
  kSubmit, kDuration, kEnd, kStart, kNumGpu, kGpuMilli, kMemoryMib, kName, kKind, kPriority, kTenant, kProfile
};


// "12", "12.5", "0.125" seconds -> milliseconds; nullopt for anything else
// (a sign, more than three decimals, an absurd value).
std::optional<int64_t> ParseSecondsMs(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || fraction.size() > 3 || (dot != std::string_view::npos && fraction.empty())) return std::nullopt;
  for (const char c : text) {
    if (c != '.' && (c < '0' || c > '9')) return std::nullopt;
  }
  const std::optional<int64_t> seconds = ParseInt64(whole);
  if (!seconds || *seconds > kMaxMillis / 1000) return std::nullopt;
  int64_t millis = 0;
  for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return *seconds * 1000 + millis;
}

// One job from a row's fields (by Column; "" = absent). nullopt with
// `reason` for a bad row.
std::optional<TraceJob> RowToJob(const std::vector<std::string_view>& f, std::string& reason) {
  const auto seconds = [&](Column c, const char* name) -> std::optional<int64_t> {
    const std::optional<int64_t> ms = ParseSecondsMs(f[c]);
    if (!ms) reason = std::string(name) + " " + Quote(f[c]) + " is not a time in seconds (e.g. 12 or 12.5)";
    return ms;
  };
  const auto integer = [&](Column c, const char* name, int64_t low, int64_t high) -> std::optional<int64_t> {
    const std::optional<int64_t> value = ParseInt64(f[c]);
    if (!value || *value < low || *value > high) {
      reason = std::string(name) + " " + Quote(f[c]) + " is not an integer in " + std::to_string(low) + ".." +
               std::to_string(high);
      return std::nullopt;
    }
    return value;
  };
  if (f[kSubmit].empty()) {
    reason = "missing submit_s";
    return std::nullopt;
  }
  const std::optional<int64_t> submit = seconds(kSubmit, "submit_s");
  if (!submit) return std::nullopt;
  int64_t start = *submit;
  if (!f[kStart].empty()) {
    const std::optional<int64_t> started = seconds(kStart, "start_s");
    if (!started) return std::nullopt;
    if (*started < *submit) {
      reason = "start_s before submit_s";
      return std::nullopt;
    }
    start = *started;
  }
  TraceJob job;
  job.submit_ms = *submit;
  if (!f[kDuration].empty()) {
    const std::optional<int64_t> duration = seconds(kDuration, "duration_s");
    if (!duration) return std::nullopt;
    job.duration_ms = *duration;
  } else if (!f[kEnd].empty()) {
    const std::optional<int64_t> end = seconds(kEnd, "end_s");
    if (!end) return std::nullopt;
    if (*end < start) {
      reason = "end_s before the job started";
      return std::nullopt;
    }
    job.duration_ms = *end - start;
  } else {
    reason = "missing duration_s and end_s";
    return std::nullopt;
  }
  if (!f[kNumGpu].empty()) {
    const std::optional<int64_t> gpus = integer(kNumGpu, "num_gpu", 1, kMaxGpusPerJob);
    if (!gpus) return std::nullopt;
    job.num_gpu = static_cast<int>(*gpus);
  }
  if (f[kGpuMilli].empty() && f[kMemoryMib].empty() && f[kNumGpu].empty() && f[kProfile].empty()) {
    reason = "none of gpu_milli, memory_mib, num_gpu, profile";
    return std::nullopt;
  }
  if (!f[kProfile].empty()) {
    const std::optional<int> share = ProfileDemandMilli(f[kProfile]);
    if (!share) {
      reason = "profile " + Quote(f[kProfile]) + " is not a standard MIG profile name such as 3g.40gb";
      return std::nullopt;
    }
    if (job.num_gpu > 1 || !f[kGpuMilli].empty() || !f[kMemoryMib].empty()) {
      reason = "profile with num_gpu above 1, gpu_milli or memory_mib: give one of them";
      return std::nullopt;
    }
    job.profile = std::string(f[kProfile]);
    job.gpu_milli = *share;
  }
  // A memory need alone asks for the least compute (one slice); num_gpu
  // alone asks for whole GPUs.
  if (job.profile.empty()) job.gpu_milli = f[kMemoryMib].empty() ? 1000 : 1;
  if (!f[kGpuMilli].empty()) {
    const std::optional<int64_t> milli = integer(kGpuMilli, "gpu_milli", 1, 1000);
    if (!milli) return std::nullopt;
    job.gpu_milli = static_cast<int>(*milli);
  }
  if (!f[kMemoryMib].empty()) {
    const std::optional<int64_t> mib = integer(kMemoryMib, "memory_mib", 1, int64_t{1} << 30);
    if (!mib) return std::nullopt;
    job.gpu_memory_mib = *mib;
  }
  if (job.num_gpu > 1 && job.gpu_milli != 1000 && !f[kGpuMilli].empty()) {
    reason = "a gang of " + std::to_string(job.num_gpu) + " GPUs asks for a fraction (gpu_milli " +
             std::string(f[kGpuMilli]) + ")";
    return std::nullopt;
  }
  if (job.num_gpu > 1) job.gpu_milli = 1000;
  job.kind = (job.num_gpu == 1 && job.gpu_milli < 1000) ? JobKind::kInference : JobKind::kTraining;
  if (f[kKind] == "inference" || f[kKind] == "service") {
    job.kind = JobKind::kInference;
  } else if (f[kKind] == "training" || f[kKind] == "batch") {
    job.kind = JobKind::kTraining;
  } else if (!f[kKind].empty()) {
    reason = "kind " + Quote(f[kKind]) + " is not inference, service, training or batch";
    return std::nullopt;
  }
  if (!f[kPriority].empty()) {
    const std::optional<int64_t> priority = integer(kPriority, "priority", -1'000'000, 1'000'000);
    if (!priority) return std::nullopt;
    job.priority = static_cast<int>(*priority);
  }
  job.name = std::string(f[kName]);
  job.tenant = std::string(f[kTenant]);
  return job;
}

void AddRow(Trace& trace, int line, const std::vector<std::string_view>& fields) {
  std::string reason;
  std::optional<TraceJob> job = RowToJob(fields, reason);
  if (!job) {
    trace.bad_rows.push_back(RowIssue{line, std::move(reason)});
    return;
  }
  job->source_line = line;
  trace.jobs.push_back(std::move(*job));
}

}  // namespace

std::optional<int> ProfileDemandMilli(std::string_view profile) {
  const size_t g = profile.find("g.");
  if (g == std::string_view::npos || g == 0 || !profile.ends_with("gb") || g + 4 > profile.size()) return std::nullopt;
  const std::optional<int64_t> compute = ParseInt64(profile.substr(0, g));
  const std::optional<int64_t> memory = ParseInt64(profile.substr(g + 2, profile.size() - g - 4));
  if (!compute || !memory || *compute < 1 || *compute > 7 || *memory < 1) return std::nullopt;
  return static_cast<int>(*compute * 1000 / 7);
}

Result<Trace> ParseGenericCsv(std::string_view text, const std::string& source) {
  Result<CsvTable> table = CsvTable::Open(text, source, {"submit_s"}, {kColumns.begin() + 1, kColumns.end()});
  if (!table.has_value()) return table.error();
  if (!table->Has(kDuration) && !table->Has(kEnd)) {
    return InvalidArgumentError(source + ":1: missing column 'duration_s' or 'end_s'");
  }
  if (!table->Has(kGpuMilli) && !table->Has(kMemoryMib) && !table->Has(kNumGpu) && !table->Has(kProfile)) {
    return InvalidArgumentError(source + ":1: missing column 'gpu_milli', 'memory_mib', 'num_gpu' or 'profile'");
  }
  Trace trace;
  trace.source = source;
  table->ForEachRow([&](int line, const std::vector<std::string_view>& fields) { AddRow(trace, line, fields); },
                    [&](int line, std::string reason) { trace.bad_rows.push_back(RowIssue{line, std::move(reason)}); });
  SortAndNumber(trace.jobs);
  return trace;
}

Result<Trace> ParseGenericJsonLines(std::string_view bytes, const std::string& source) {
  const std::string_view text = StripUtf8Bom(bytes);
  Trace trace;
  trace.source = source;
  int line = 0;
  for (size_t begin = 0; begin < text.size();) {
    ++line;
    const size_t newline = text.find('\n', begin);
    const size_t end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view row = text.substr(begin, end - begin);
    begin = end + 1;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (row.find_first_not_of(" \t") == std::string_view::npos) continue;
    const nlohmann::json object = nlohmann::json::parse(row, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) {
      trace.bad_rows.push_back(RowIssue{line, "not a JSON object"});
      continue;
    }
    // Numbers are read back from their text, so that both formats share one
    // set of rules (an integer where an integer is due, three decimals at most).
    std::vector<std::string> texts(kColumns.size());
    std::string bad_key;
    for (size_t c = 0; c < kColumns.size(); ++c) {
      const auto it = object.find(kColumns[c]);
      if (it == object.end() || it->is_null()) continue;
      if (it->is_string()) {
        texts[c] = it->get<std::string>();
      } else if (it->is_number_integer() || it->is_number_unsigned()) {
        texts[c] = it->dump();
      } else if (it->is_number_float()) {
        const double value = it->get<double>();
        char buffer[64];
        const auto [ptr, error] = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
        texts[c] = error == std::errc() ? std::string(buffer, ptr) : "?";
      } else {
        bad_key = kColumns[c];
        break;
      }
    }
    if (!bad_key.empty()) {
      trace.bad_rows.push_back(RowIssue{line, bad_key + " is neither a number nor a string"});
      continue;
    }
    const std::vector<std::string_view> fields(texts.begin(), texts.end());
    AddRow(trace, line, fields);
  }
  SortAndNumber(trace.jobs);
  return trace;
}

Result<Trace> LoadGenericCsv(const std::string& path) {
  Result<std::string> text = io::ReadTextFile(path);
  if (!text.has_value()) return text.error();
  return ParseGenericCsv(*text, path);
}

Result<Trace> LoadGenericJsonLines(const std::string& path) {
  Result<std::string> text = io::ReadTextFile(path);
  if (!text.has_value()) return text.error();
  return ParseGenericJsonLines(*text, path);
}

}  // namespace migsched::trace
