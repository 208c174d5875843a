// What every fuzz target shares: the input as text, the built-in catalog, and
// the oracle for a refused input. A reader may accept or refuse any bytes, but
// a refusal must be a clear error: a message that names the input (its source
// name, or "$" for request bodies read by JSON path) and stays short (values
// are quoted up to ~80 bytes, common/strings.h). Anything else aborts, so
// libFuzzer records the input like a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/status.h"
#include "geometry/catalog.h"
#include "io/catalog_loader.h"

namespace migsched::fuzz {

// Longer than any message quoting a few ~80-byte values with their paths.
inline constexpr std::size_t kMaxErrorBytes = 1024;

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline const geometry::Catalog& Catalog() {
  static const geometry::Catalog catalog = io::BuiltinCatalog().value();
  return catalog;
}

[[noreturn]] inline void Fail(const char* what, const std::string& message) {
  std::fprintf(stderr, "fuzz oracle: %s\n  message (%zu bytes): %.2000s\n", what, message.size(),
               message.c_str());
  std::abort();
}

inline void CheckRefusal(const std::string& message, std::string_view names) {
  if (message.empty()) Fail("an error without a message", message);
  if (message.find(names) == std::string::npos) Fail("the error does not name the input", message);
  if (message.size() > kMaxErrorBytes) Fail("the error is too long", message);
}

inline void CheckRefusal(const Status& status, std::string_view names) {
  if (status.ok()) Fail("an error status that is OK", "");
  CheckRefusal(status.message(), names);
}

}  // namespace migsched::fuzz

// libFuzzer calls this once before the first input: the built-in catalog is
// parsed here, so its cost is not charged to the first input's -timeout.
// (Each fuzz target is one translation unit that includes this header.)
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  static_cast<void>(migsched::fuzz::Catalog());
  return 0;
}
