#include "agent/apply_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace migsched::agent {
namespace {

Status LockError(const std::string& what, const std::string& path) {
  return UnavailableError("apply lock " + path + ": " + what + ": " + std::strerror(errno));
}

// The pid the holder wrote, or "unknown" (it may not have written it yet).
std::string HolderPid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

int Flock(int fd, int operation) {
  int rc = 0;
  do rc = ::flock(fd, operation);
  while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

Result<ApplyLock> ApplyLock::Acquire(const std::string& journal_path, LockWait wait,
                                     const std::function<void(std::string_view)>& waiting) {
  const std::string path = PathFor(journal_path);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code error;
  if (!dir.empty()) std::filesystem::create_directories(dir, error);
  if (error) {
    return UnavailableError("apply lock " + path + ": cannot create its directory: " + error.message());
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return LockError("cannot open", path);
  ApplyLock lock(fd);
  if (Flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return LockError("cannot lock", path);
    const std::string holder = "another apply is running on this node (pid " + HolderPid(fd) +
                               ", holding " + path + ")";
    if (wait == LockWait::kFail) {
      return FailedPreconditionError(holder + "; nothing was changed (wait for it, or pass --wait)");
    }
    if (waiting) waiting(holder + "; waiting for it to finish");
    if (Flock(fd, LOCK_EX) != 0) return LockError("cannot lock", path);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return LockError("cannot write the holder's pid", path);
  }
  return lock;
}

ApplyLock& ApplyLock::operator=(ApplyLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

ApplyLock::~ApplyLock() {
  if (fd_ < 0) return;
  (void)::ftruncate(fd_, 0);  // no stale pid for the next refused apply to name
  ::close(fd_);               // closing the last descriptor releases the flock
}

}  // namespace migsched::agent
