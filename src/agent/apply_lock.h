// One apply at a time per node: an exclusive flock(2) on "<journal>.lock",
// taken before the journal is read and held until the apply ends. Two applies
// racing on one node would otherwise interleave their NVML operations (one
// can exit 0 while the GPUs match neither target) and share the journal's
// temporary file. The kernel drops the lock when its holder dies, so a
// kill -9 never leaves a stale lock; the holder writes its pid into the file
// so that a refused apply can say who holds it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::agent {

enum class LockWait { kFail, kWait };

class ApplyLock {
 public:
  // Takes the lock beside `journal_path` (creating its directory). While
  // another process holds it: kFail -> FailedPrecondition "another apply is
  // running on this node (pid N); ..."; kWait -> calls `waiting` with a line
  // naming the holder, then blocks until the lock is free. Unavailable when
  // the lock file cannot be created or locked.
  static Result<ApplyLock> Acquire(const std::string& journal_path, LockWait wait,
                                   const std::function<void(std::string_view)>& waiting = {});

  ApplyLock(ApplyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ApplyLock& operator=(ApplyLock&& other) noexcept;
  ApplyLock(const ApplyLock&) = delete;
  ApplyLock& operator=(const ApplyLock&) = delete;
  ~ApplyLock();

  static std::string PathFor(const std::string& journal_path) { return journal_path + ".lock"; }

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}

  int fd_ = -1;
};

}  // namespace migsched::agent
