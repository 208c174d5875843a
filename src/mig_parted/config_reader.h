// Reading NVIDIA mig-parted configuration files (`version: v1`, `mig-configs`)
// so that users of mig-parted and the GPU operator can switch to migsched
// with their existing files.
//
//   version: v1
//   mig-configs:
//     all-balanced:
//       - device-filter: ["0x20B010DE", "0x20B110DE"]   # optional, PCI ids
//         devices: all                                   # or [0, 1, ...]
//         mig-enabled: true
//         mig-devices: {"1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1}
//
// Kubernetes manifests that carry such a file inside a ConfigMap (the GPU
// operator's default-mig-parted-config) are read too: each ConfigMap data
// value holding `mig-configs` is parsed with line numbers of the outer file.
// Every error names "<file>:<line>". Values only: which GPU an entry selects
// and what the profile names mean is the agent's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace migsched::mig_parted {

// One list item of a named config: which GPUs, and what they should hold.
struct Entry {
  std::string where;                    // "<file>:<line>" of the item
  std::vector<uint32_t> device_filter;  // 0xDDDDVVVV PCI ids; empty = any GPU
  std::optional<std::vector<int>> devices;  // GPU indices; nullopt = all
  bool mig_enabled = false;
  // Profile name ("1g.5gb+me") -> count, in file order. Empty when MIG is off.
  std::vector<std::pair<std::string, int>> mig_devices;
};

struct Config {
  std::string name;
  std::string where;
  std::vector<Entry> entries;
};

struct File {
  std::vector<Config> configs;  // in file order

  // NotFound lists the names the file has.
  Result<const Config*> Find(std::string_view name) const;
};

// Parses the text of a mig-parted file or a manifest embedding one. Errors:
// InvalidArgument naming "<source>:<line>" (syntax, version other than v1,
// unknown keys, bad PCI ids, negative counts, mig-devices with MIG disabled,
// duplicate config names, no mig-configs anywhere).
Result<File> ParseMigPartedYaml(std::string_view text, const std::string& source);

// Reads and parses a file; NotFound if it cannot be read.
Result<File> ReadMigPartedFile(const std::string& path);

}  // namespace migsched::mig_parted
