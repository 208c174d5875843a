#include "agent/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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

Result<JournaledTarget> TargetFromJson(const json& item, const geometry::Catalog& catalog,
                                       const std::string& where) {
  const Result<const geometry::GpuModel*> model = catalog.Find(item.at("model").get<std::string>());
  if (!model.has_value()) return model.error().WithPrefix(where);
  JournaledTarget out{.model = *model,
                      .target = GpuTarget{.index = item.at("gpu").get<int>(),
                                          .mig_enabled = item.at("mig_enabled").get<bool>(),
                                          .instances = {}}};
  for (const json& instance : item.at("instances")) {
    const std::string name = instance.at("profile").get<std::string>();
    const std::optional<int> profile = (*model)->FindProfile(name);
    if (!profile) {
      return InvalidArgumentError(where + ": " + (*model)->name + " has no profile '" + name + "'");
    }
    out.target.instances.push_back(geometry::GpuInstance{
        *profile,
        (*model)->profiles[static_cast<size_t>(*profile)].PlacementAt(instance.at("start").get<int>())});
  }
  return out;
}

}  // namespace

Result<std::optional<JournalRecord>> Journal::Load(const geometry::Catalog& catalog) const {
  std::ifstream in(path_);
  if (!in) {
    if (!std::filesystem::exists(path_)) return std::optional<JournalRecord>();
    return IoError("cannot be read", path_);
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) return InvalidArgumentError(path_ + ":1: empty journal");
  JournalRecord record;
  try {
    const json header = json::parse(lines[0]);
    if (header.value("migsched_journal", 0) != 1) {
      return InvalidArgumentError(path_ + ":1: not a migsched journal (version 1)");
    }
    record.force = header.at("force").get<bool>();
    for (const json& item : header.at("targets")) {
      Result<JournaledTarget> target = TargetFromJson(item, catalog, path_ + ":1");
      if (!target.has_value()) return target.error();
      record.targets.push_back(std::move(*target));
    }
    record.ops = header.at("ops").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return InvalidArgumentError(path_ + ":1: malformed journal header: " + e.what());
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const json line = json::parse(lines[i], nullptr, /*allow_exceptions=*/false);
    if (line.is_discarded() || !line.contains("done")) {
      if (i + 1 == lines.size()) break;  // torn by a crash mid-append
      return InvalidArgumentError(path_ + ":" + std::to_string(i + 1) + ": malformed journal line");
    }
    ++record.done;
  }
  return std::optional<JournalRecord>(std::move(record));
}

Status Journal::Begin(const JournalRecord& record) const {
  std::error_code error;
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, error);
  if (error) {
    return UnavailableError("journal " + path_ + ": cannot create its directory: " + error.message());
  }
  const json header = {{"migsched_journal", 1},
                       {"force", record.force},
                       {"targets", TargetsJson(record.targets)},
                       {"ops", record.ops}};
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
