#include "slurm/slurm_jobs.h"

#include <algorithm>
#include <charconv>

namespace migsched::slurm {
namespace {

constexpr std::string_view kBindingPrefix = "migsched:";

// "Key=Value" fields split at spaces; a piece without '=' belongs to the value
// before it (Command= and Comment= may hold spaces).
std::map<std::string, std::string, std::less<>> Fields(std::string_view line) {
  std::map<std::string, std::string, std::less<>> out;
  std::string* last = nullptr;
  std::size_t pos = 0;
  while (pos < line.size()) {
    const std::size_t end = std::min(line.find(' ', pos), line.size());
    const std::string_view piece = line.substr(pos, end - pos);
    pos = end + 1;
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      if (last != nullptr) *last += " " + std::string(piece);
      continue;
    }
    last = &out[std::string(piece.substr(0, eq))];
    *last = std::string(piece.substr(eq + 1));
  }
  return out;
}

void ReadBinding(std::string_view comment, SlurmJob& job) {
  if (!comment.starts_with(kBindingPrefix)) return;
  comment.remove_prefix(kBindingPrefix.size());
  const std::size_t colon = comment.find(':');
  if (colon == std::string_view::npos) return;
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(comment.data(), comment.data() + colon, id);
  if (ec != std::errc() || ptr != comment.data() + colon) return;
  job.bound_job = id;
  job.bound_uuid = std::string(comment.substr(colon + 1));
}

}  // namespace

Result<std::vector<SlurmJob>> ParseScontrolJobs(std::string_view text) {
  std::vector<SlurmJob> jobs;
  std::size_t pos = 0;
  int line_number = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    auto fields = Fields(line);
    const auto id = fields.find("JobId");
    if (id == fields.end()) continue;
    SlurmJob job;
    job.id = id->second;
    const auto state = fields.find("JobState");
    if (state == fields.end()) {
      return InvalidArgumentError("scontrol show job, line " + std::to_string(line_number) + ": job " + job.id +
                                  " has no JobState");
    }
    if (state->second == "PENDING") {
      job.state = SlurmJob::State::kPending;
    } else if (state->second == "RUNNING" || state->second == "CONFIGURING") {
      job.state = SlurmJob::State::kRunning;
    }
    if (const auto tres = fields.find("TresPerNode"); tres != fields.end()) {
      for (MigGres& gres : ParseMigGres(tres->second)) {
        job.type = std::move(gres.type);
        job.count = gres.count;
      }
    }
    if (const auto nodes = fields.find("NodeList"); nodes != fields.end() && nodes->second != "(null)") {
      job.node = nodes->second;
    }
    if (const auto submit = fields.find("SubmitTime"); submit != fields.end()) job.submit_time = submit->second;
    if (const auto comment = fields.find("AdminComment"); comment != fields.end()) ReadBinding(comment->second, job);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

std::string BindingComment(std::int64_t migsched_job, std::string_view uuid) {
  return std::string(kBindingPrefix) + std::to_string(migsched_job) + ":" + std::string(uuid);
}

std::vector<MigGres> ParseMigGres(std::string_view list) {
  std::vector<MigGres> out;
  while (!list.empty()) {
    const std::size_t comma = std::min(list.find(','), list.size());
    std::string_view item = list.substr(0, comma);
    list = comma < list.size() ? list.substr(comma + 1) : std::string_view();
    item = item.substr(0, std::min(item.find('('), item.size()));  // "(S:0)": sockets
    for (const std::string_view prefix : {"gres:", "gres/"}) {
      if (item.starts_with(prefix)) item.remove_prefix(prefix.size());
    }
    if (!item.starts_with(kGresName) || item.size() <= kGresName.size() || item[kGresName.size()] != ':') continue;
    item.remove_prefix(kGresName.size() + 1);
    MigGres gres{.type = std::string(item), .count = 1};
    if (const std::size_t colon = item.rfind(':'); colon != std::string_view::npos) {
      const std::string_view digits = item.substr(colon + 1);
      int count = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
      if (ec == std::errc() && ptr == digits.data() + digits.size()) gres = {std::string(item.substr(0, colon)), count};
    }
    out.push_back(std::move(gres));
  }
  return out;
}

std::map<std::string, std::string, std::less<>> ParseScontrolNodeGres(std::string_view text) {
  std::map<std::string, std::string, std::less<>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    auto fields = Fields(text.substr(pos, end - pos));
    pos = end + 1;
    const auto name = fields.find("NodeName");
    if (name == fields.end()) continue;
    const auto gres = fields.find("Gres");
    out[name->second] = gres == fields.end() || gres->second == "(null)" ? "" : gres->second;
  }
  return out;
}

}  // namespace migsched::slurm
