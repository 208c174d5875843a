// NvmlLibrary: NVML loaded with dlopen, its entry points resolved with dlsym,
// and NVML's return codes turned into Status values with clear messages.
//
// No build-time NVIDIA dependency: the same binary runs on machines without a
// GPU and says so ("NVML not found: ... no NVIDIA driver on this machine?").
// Tests point MIGSCHED_NVML_LIBRARY at the fake library (src/nvml/fake/).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "nvml/nvml_api.h"
#include "nvml/nvml_return_codes.h"

namespace migsched::nvml {

inline constexpr const char* kLibraryEnv = "MIGSCHED_NVML_LIBRARY";
inline constexpr const char* kDefaultLibrary = "libnvidia-ml.so.1";

// The library path to load: $MIGSCHED_NVML_LIBRARY when set and non-empty,
// else libnvidia-ml.so.1.
std::string LibraryPathFromEnvironment();

// Pointers to every entry point in MIGSCHED_NVML_FUNCTIONS, named like the
// symbols (functions.nvmlInit_v2()).
struct NvmlFunctions {
#define MIGSCHED_NVML_POINTER(name, ret, params) ret(*name) params = nullptr;
  MIGSCHED_NVML_FUNCTIONS(MIGSCHED_NVML_POINTER)
#undef MIGSCHED_NVML_POINTER
};

class NvmlLibrary {
 public:
  // dlopen + dlsym of every entry point; does not call nvmlInit.
  // kUnavailable: "NVML not found: cannot load '<path>' (<dlerror>); no NVIDIA
  // driver on this machine?", or "<path> lacks NVML symbol 'nvmlX'".
  static Result<std::unique_ptr<NvmlLibrary>> Load(const std::string& path);

  ~NvmlLibrary();  // dlclose
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  const NvmlFunctions& fn() const { return functions_; }
  const std::string& path() const { return path_; }

 private:
  NvmlLibrary(void* handle, std::string path, NvmlFunctions functions)
      : handle_(handle), path_(std::move(path)), functions_(functions) {}

  void* handle_;
  std::string path_;
  NvmlFunctions functions_;
};

}  // namespace migsched::nvml
