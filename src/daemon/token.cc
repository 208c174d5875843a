#include "daemon/token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace migsched::daemon {
namespace {

std::string Trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Result<std::string> RandomHex(size_t bytes) {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::string raw(bytes, '\0');
  if (!urandom.read(raw.data(), static_cast<std::streamsize>(bytes))) {
    return UnavailableError("cannot read /dev/urandom for a token");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

}  // namespace

Result<std::string> ReadTokenFile(const std::string& path) {
  struct stat info{};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return NotFoundError("token file " + path + " does not exist");
    return UnavailableError("token file " + path + ": " + std::strerror(errno));
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return InvalidArgumentError("token file " + path +
                                " is readable by others: chmod 600 it (a leaked token is no lock)");
  }
  std::ifstream in(path);
  if (!in) return UnavailableError("cannot read token file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string token = Trim(text.str());
  if (token.empty()) return InvalidArgumentError("token file " + path + " is empty");
  return token;
}

Result<std::string> LoadOrCreateTokenFile(const std::string& path) {
  Result<std::string> existing = ReadTokenFile(path);
  if (existing.has_value() || existing.error().code() != StatusCode::kNotFound) return existing;
  Result<std::string> token = RandomHex(32);
  if (!token.has_value()) return token;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return UnavailableError("cannot create token file " + path + ": " + std::strerror(errno));
  const std::string line = *token + "\n";
  const bool written = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                       fsync(fd) == 0;
  close(fd);
  if (!written) return UnavailableError("cannot write token file " + path);
  return token;
}

bool BearerMatches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() != kScheme.size() + token.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < authorization.size(); ++i) {
    const char expected = i < kScheme.size() ? kScheme[i] : token[i - kScheme.size()];
    diff |= static_cast<unsigned char>(authorization[i] ^ expected);
  }
  return diff == 0;
}

}  // namespace migsched::daemon
