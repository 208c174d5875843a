#include "io/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace migsched::io {
namespace {

std::string CannotRead(const std::string& path, std::string_view what, const std::string& reason) {
  return "cannot read " + (what.empty() ? std::string() : std::string(what) + " ") + "'" + path +
         "': " + reason;
}

}  // namespace

Result<std::string> ReadTextFile(const std::string& path, std::string_view what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return NotFoundError(CannotRead(path, what, "it is a directory"));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(CannotRead(path, what, errno != 0 ? std::strerror(errno) : "cannot open it"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return NotFoundError(CannotRead(path, what, "read error"));
  return text.str();
}

}  // namespace migsched::io
