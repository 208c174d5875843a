#include "nvml/nvml_library.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <utility>

namespace migsched::nvml {

std::string LibraryPathFromEnvironment() {
  const char* path = std::getenv(kLibraryEnv);
  return (path != nullptr && *path != '\0') ? std::string(path) : std::string(kDefaultLibrary);
}

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::Load(const std::string& path) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return UnavailableError("NVML not found: cannot load '" + path + "' (" +
                            (why != nullptr ? why : "unknown dlopen error") +
                            "); no NVIDIA driver on this machine? (set " + kLibraryEnv +
                            " to use another NVML library)");
  }
  NvmlFunctions functions;
  std::string missing;
  // dlsym returns void*; POSIX guarantees it converts to a function pointer.
#define MIGSCHED_NVML_RESOLVE(name, ret, params)                                    \
  if (missing.empty()) {                                                            \
    void* symbol = dlsym(handle, #name);                                            \
    if (symbol == nullptr) missing = #name;                                         \
    functions.name = reinterpret_cast<ret(*) params>(reinterpret_cast<uintptr_t>(symbol)); \
  }
  MIGSCHED_NVML_FUNCTIONS(MIGSCHED_NVML_RESOLVE)
#undef MIGSCHED_NVML_RESOLVE
  if (!missing.empty()) {
    dlclose(handle);
    return UnavailableError("'" + path + "' lacks NVML symbol '" + missing +
                            "' (driver too old, or not an NVML library)");
  }
  return std::unique_ptr<NvmlLibrary>(new NvmlLibrary(handle, path, functions));
}

NvmlLibrary::~NvmlLibrary() { dlclose(handle_); }

}  // namespace migsched::nvml
