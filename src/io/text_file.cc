#include "io/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace migsched::io {
namespace {

// "cannot <verb> [<what> ]'<path>': <reason>"
std::string Cannot(std::string_view verb, const std::string& path, std::string_view what,
                   const std::string& reason) {
  return "cannot " + std::string(verb) + " " + (what.empty() ? std::string() : std::string(what) + " ") +
         "'" + path + "': " + reason;
}

std::string LastError() { return errno != 0 ? std::strerror(errno) : "unknown error"; }

}  // namespace

Result<std::string> ReadTextFile(const std::string& path, std::string_view what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return NotFoundError(Cannot("read", path, what, "it is a directory"));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(Cannot("read", path, what, LastError()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return NotFoundError(Cannot("read", path, what, "read error"));
  return text.str();
}

Status WriteTextFile(const std::string& path, std::string_view text, std::string_view what) {
  return WriteTextFileWith(
      path, [text](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); },
      what);
}

Status WriteTextFileWith(const std::string& path, const std::function<void(std::ostream&)>& write,
                         std::string_view what) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return UnavailableError(Cannot("write", path, what,
                                     "cannot create directory '" + parent.string() + "': " + error.message()));
    }
  }
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return UnavailableError(Cannot("write", path, what, LastError()));
  write(out);
  out.close();
  if (!out) return UnavailableError(Cannot("write", path, what, LastError()));
  return Status::Ok();
}

}  // namespace migsched::io
