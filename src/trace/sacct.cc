#include "trace/sacct.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "common/strings.h"
#include "trace/generic.h"
#include "trace/iso_time.h"

namespace migsched::trace {
namespace {

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

struct Gpus {
  int whole = 0;
  std::string profile;  // a MIG device instead of whole GPUs
  int mig_devices = 0;
};

// The GPUs of an AllocTRES value ("cpu=8,gres/gpu=2,mem=64G"); nullopt with
// `reason` when a gres/gpu count is not an integer.
std::optional<Gpus> ParseTres(std::string_view tres, std::string& reason) {
  Gpus gpus;
  for (const std::string_view item : SplitOn(tres, ',')) {
    if (!item.starts_with("gres/gpu")) continue;
    const size_t equals = item.find('=');
    const std::optional<int64_t> count =
        equals == std::string_view::npos ? std::nullopt : ParseInt64(item.substr(equals + 1));
    if (!count || *count < 0 || *count > 1024) {
      reason = "AllocTRES " + Quote(item) + " has no GPU count";
      return std::nullopt;
    }
    const std::string_view key = item.substr(0, equals);
    if (key == "gres/gpu") {
      gpus.whole = static_cast<int>(*count);
    } else if (key.starts_with("gres/gpu:")) {
      const std::string profile = MigProfileOfType(key.substr(9));
      if (profile.empty()) continue;  // a GPU model type: counted in gres/gpu
      gpus.profile = profile;
      gpus.mig_devices += static_cast<int>(*count);
    }
  }
  return gpus;
}

}  // namespace

std::string MigProfileOfType(std::string_view type) {
  const size_t underscore = type.rfind('_');
  const std::string_view tail = underscore == std::string_view::npos ? type : type.substr(underscore + 1);
  return ProfileDemandMilli(tail) ? std::string(tail) : "";
}

void StartAtZero(Trace& trace) {
  if (!trace.jobs.empty()) {
    int64_t origin = trace.jobs.front().submit_ms;
    for (const TraceJob& job : trace.jobs) origin = std::min(origin, job.submit_ms);
    for (TraceJob& job : trace.jobs) job.submit_ms -= origin;
  }
  SortAndNumber(trace.jobs);
}

void SetRequestedGpus(TraceJob& job, const std::string& mig_profile, int whole_gpus) {
  if (!mig_profile.empty()) {
    job.profile = mig_profile;
    job.gpu_milli = ProfileDemandMilli(job.profile).value_or(1000);
    job.kind = job.gpu_milli < 1000 ? JobKind::kInference : JobKind::kTraining;
  } else {
    job.num_gpu = whole_gpus;
    job.gpu_milli = 1000;
    job.kind = JobKind::kTraining;
  }
}

Result<Trace> ParseSacct(std::string_view bytes, const std::string& source) {
  const std::string_view text = StripUtf8Bom(bytes);
  std::vector<std::string_view> lines = SplitOn(text, '\n');
  if (lines.empty() || lines.front().empty()) return InvalidArgumentError(source + ":1: empty; expected a sacct header line");
  for (std::string_view& line : lines) {
    if (line.ends_with('\r')) line.remove_suffix(1);
  }
  const std::vector<std::string_view> header = SplitOn(lines.front(), '|');
  const auto column = [&](std::string_view name) -> std::optional<size_t> {
    const auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? std::nullopt : std::optional<size_t>(it - header.begin());
  };
  std::vector<size_t> required;
  for (const std::string_view name : {"JobID", "Submit", "Start", "End", "AllocTRES"}) {
    const std::optional<size_t> at = column(name);
    if (!at) {
      return InvalidArgumentError(source + ":1: missing column '" + std::string(name) +
                                  "' (sacct --parsable2 --format=JobID,JobName,Account,Submit,Start,End,AllocTRES)");
    }
    required.push_back(*at);
  }
  const std::optional<size_t> name_at = column("JobName"), account_at = column("Account"),
                              user_at = column("User"), priority_at = column("Priority");
  Trace trace;
  trace.source = source;
  for (size_t i = 1; i < lines.size(); ++i) {
    const int line = static_cast<int>(i + 1);
    if (lines[i].empty()) continue;
    const std::vector<std::string_view> f = SplitOn(lines[i], '|');
    const auto bad = [&](std::string reason) { trace.bad_rows.push_back(RowIssue{line, std::move(reason)}); };
    if (f.size() != header.size()) {
      bad(std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
      continue;
    }
    const std::string_view id = f[required[0]];
    if (id.find('.') != std::string_view::npos) continue;  // a job step
    std::string reason;
    const std::optional<Gpus> gpus = ParseTres(f[required[4]], reason);
    if (!gpus) {
      bad(reason);
      continue;
    }
    if (gpus->whole == 0 && gpus->mig_devices == 0) {
      if (!f[required[4]].empty()) ++trace.cpu_only_rows;
      else bad("no AllocTRES: never allocated");
      continue;
    }
    const std::optional<int64_t> submit = ParseIsoSeconds(f[required[1]]);
    const std::optional<int64_t> start = ParseIsoSeconds(f[required[2]]);
    const std::optional<int64_t> end = ParseIsoSeconds(f[required[3]]);
    if (!submit) {
      bad("Submit " + Quote(f[required[1]]) + " is not a time (2024-03-01T12:00:05)");
    } else if (!start) {
      bad("never started (Start " + Quote(f[required[2]]) + ")");
    } else if (!end) {
      bad("still running or no end (End " + Quote(f[required[3]]) + ")");
    } else if (*start < *submit || *end < *start) {
      bad("times out of order: Submit <= Start <= End does not hold");
    } else if (gpus->whole > 64) {
      bad("asks for " + std::to_string(gpus->whole) + " GPUs (at most 64)");
    } else if (gpus->mig_devices > 1 || (gpus->mig_devices == 1 && gpus->whole > 1)) {
      bad("asks for " + std::to_string(std::max(gpus->mig_devices, gpus->whole)) +
          " MIG devices; a trace row is one instance");
    } else {
      TraceJob job;
      job.name = std::string(name_at ? f[*name_at] : id);
      job.submit_ms = *submit * 1000;
      job.duration_ms = (*end - *start) * 1000;
      job.source_line = line;
      job.tenant = std::string(account_at && !f[*account_at].empty() ? f[*account_at]
                               : user_at                             ? f[*user_at]
                                                                     : "");
      if (priority_at) job.priority = static_cast<int>(std::clamp<int64_t>(ParseInt64(f[*priority_at]).value_or(0),
                                                                           -1'000'000, 1'000'000));
      SetRequestedGpus(job, gpus->mig_devices == 1 ? gpus->profile : "", gpus->whole);
      trace.jobs.push_back(std::move(job));
    }
  }
  StartAtZero(trace);
  return trace;
}

}  // namespace migsched::trace
