#include "agent/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <nlohmann/json.hpp>

#include "common/fnv1a.h"
#include "common/strings.h"
#include "io/json_object_reader.h"
#include "io/text_file.h"

namespace migsched::agent {
namespace {

using nlohmann::json;

Status IoError(const std::string& what, const std::string& path) {
  return UnavailableError("journal " + path + ": " + what + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write failed", path);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return IoError("fsync failed", path);
  return Status::Ok();
}

Status SyncDirectory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open its directory", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync of its directory failed", path);
  return Status::Ok();
}

json TargetsJson(const std::vector<JournaledTarget>& targets) {
  json out = json::array();
  for (const JournaledTarget& t : targets) {
    json instances = json::array();
    for (const geometry::GpuInstance& i : t.target.instances) {
      instances.push_back({{"profile", t.model->profiles[static_cast<size_t>(i.profile)].name},
                           {"start", i.placement.start}});
    }
    out.push_back({{"gpu", t.target.index},
                   {"model", t.model->name},
                   {"mig_enabled", t.target.mig_enabled},
                   {"instances", instances}});
  }
  return out;
}

// Reads through io's one strict JSON path: every key known, every value
// typed and in range, errors naming "<path>:1: $.targets[i]...".
Result<JournaledTarget> TargetFromJson(const json& item, const std::string& path,
                                       const geometry::Catalog& catalog) {
  const io::JsonObjectReader r(item, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"gpu", "model", "mig_enabled", "instances"}));
  std::string model_name;
  MIGSCHED_ASSIGN_OR_RETURN(model_name, r.String("model"));
  const Result<const geometry::GpuModel*> model = catalog.Find(model_name);
  if (!model.has_value()) return model.error().WithPrefix(r.Path("model"));
  JournaledTarget out{.model = *model, .target = {}};
  std::int64_t index = 0;
  MIGSCHED_ASSIGN_OR_RETURN(index, r.Integer("gpu", 0, 1023));
  out.target.index = static_cast<int>(index);
  MIGSCHED_ASSIGN_OR_RETURN(out.target.mig_enabled, r.Bool("mig_enabled"));
  const json* instances = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(instances, r.Array("instances"));
  for (size_t i = 0; i < instances->size(); ++i) {
    const io::JsonObjectReader instance((*instances)[i], r.ItemPath("instances", i));
    MIGSCHED_RETURN_IF_ERROR(instance.CheckKeys({"profile", "start"}));
    std::string name;
    MIGSCHED_ASSIGN_OR_RETURN(name, instance.String("profile"));
    const std::optional<int> profile = (*model)->FindProfile(name);
    if (!profile) return instance.Error("profile", (*model)->name + " has no profile " + Quote(name));
    const geometry::GiProfile& gi = (*model)->profiles[static_cast<size_t>(*profile)];
    std::int64_t start = 0;
    MIGSCHED_ASSIGN_OR_RETURN(start, instance.Integer("start", 0, 64));
    if (!gi.AllowsStart(static_cast<int>(start))) {
      return instance.Error("start", gi.name + " cannot start at slice " + std::to_string(start));
    }
    out.target.instances.push_back(geometry::GpuInstance{*profile, gi.PlacementAt(static_cast<int>(start))});
  }
  return out;
}

// "fnv1a64:<16 hex digits>" of the header's canonical text without its
// checksum (nlohmann's dump: keys sorted, no spaces; bytes that are not UTF-8
// replaced, so any parsed header has a text).
std::string HeaderChecksum(json header) {
  header.erase("checksum");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(
                    Fnv1a64(header.dump(-1, ' ', false, json::error_handler_t::replace))));
  return std::string("fnv1a64:") + hex;
}

Result<JournalRecord> HeaderFromJson(const json& header, const geometry::Catalog& catalog) {
  if (!header.is_object() || header.value("migsched_journal", json()) != 1) {
    return InvalidArgumentError("not a migsched journal (version 1)");
  }
  const io::JsonObjectReader r(header, "$");
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"migsched_journal", "force", "targets", "ops", "checksum"}));
  JournalRecord record;
  MIGSCHED_ASSIGN_OR_RETURN(record.force, r.Bool("force"));
  const json* targets = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(targets, r.Array("targets"));
  for (size_t i = 0; i < targets->size(); ++i) {
    JournaledTarget target;
    MIGSCHED_ASSIGN_OR_RETURN(target, TargetFromJson((*targets)[i], r.ItemPath("targets", i), catalog));
    record.targets.push_back(std::move(target));
  }
  const json* ops = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(ops, r.Array("ops"));
  for (const json& op : *ops) {
    if (!op.is_string()) return r.Error("ops", "must be a list of strings");
    record.ops.push_back(op.get<std::string>());
  }
  // Last, so that a value the reader refuses is named first. A header that
  // reads but whose bytes changed (a flipped digit in a start, a GPU index)
  // would otherwise send the agent to a target nobody asked for.
  std::string checksum;
  MIGSCHED_ASSIGN_OR_RETURN(checksum, r.String("checksum"));
  if (checksum != HeaderChecksum(header)) {
    return r.Error("checksum", "does not match the journal's content (" + Quote(checksum) +
                                   "): the file was changed or corrupted after it was written");
  }
  return record;
}

}  // namespace

Result<JournalRecord> ParseJournal(std::string_view text, const std::string& source,
                                   const geometry::Catalog& catalog) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) return InvalidArgumentError(source + ":1: empty journal");
  json header;
  MIGSCHED_ASSIGN_OR_RETURN(header, io::ParseJson(lines[0], source));
  Result<JournalRecord> record = HeaderFromJson(header, catalog);
  if (!record.has_value()) return record.error().WithPrefix(source + ":1");
  for (size_t i = 1; i < lines.size(); ++i) {
    const Result<json> line = io::ParseJson(lines[i], source);
    if (!line.has_value() || !line->is_object() || !line->contains("done")) {
      if (i + 1 == lines.size()) break;  // torn by a crash mid-append
      return InvalidArgumentError(source + ":" + std::to_string(i + 1) + ": malformed journal line");
    }
    ++record->done;
  }
  return record;
}

Result<std::optional<JournalRecord>> Journal::Load(const geometry::Catalog& catalog) const {
  std::error_code error;
  if (!std::filesystem::exists(path_, error) && !error) return std::optional<JournalRecord>();
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, io::ReadTextFile(path_, "journal"));
  JournalRecord record;
  MIGSCHED_ASSIGN_OR_RETURN(record, ParseJournal(text, path_, catalog));
  return std::optional<JournalRecord>(std::move(record));
}

Status Journal::Begin(const JournalRecord& record) const {
  std::error_code error;
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, error);
  if (error) {
    return UnavailableError("journal " + path_ + ": cannot create its directory: " + error.message());
  }
  json header = {{"migsched_journal", 1},
                 {"force", record.force},
                 {"targets", TargetsJson(record.targets)},
                 {"ops", record.ops}};
  header["checksum"] = HeaderChecksum(header);
  const std::string temp = path_ + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", temp);
  const Status written = WriteAll(fd, header.dump() + "\n", temp);
  ::close(fd);
  MIGSCHED_RETURN_IF_ERROR(written);
  if (::rename(temp.c_str(), path_.c_str()) != 0) return IoError("rename failed", path_);
  return SyncDirectory(path_);
}

Status Journal::MarkDone(size_t index) const {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open for append", path_);
  const Status written = WriteAll(fd, json{{"done", index}}.dump() + "\n", path_);
  ::close(fd);
  return written;
}

Status Journal::Remove() const {
  if (::unlink(path_.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot remove", path_);
  }
  return SyncDirectory(path_);
}

}  // namespace migsched::agent
