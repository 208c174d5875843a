// FNV-1a, 64 bits: a fast, deterministic, platform-independent hash of bytes
// for ids derived from names (the fake NVML's UUIDs) and for checksums that
// catch corruption (the agent's journal). Not for anything adversarial.
#pragma once

#include <cstdint>
#include <string_view>

namespace migsched {

inline constexpr std::uint64_t kFnv1a64Basis = 0xcbf29ce484222325ull;

// `basis` other than kFnv1a64Basis gives an independent second hash.
constexpr std::uint64_t Fnv1a64(std::string_view bytes, std::uint64_t basis = kFnv1a64Basis) {
  std::uint64_t h = basis;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace migsched
