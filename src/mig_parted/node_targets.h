// From a mig-parted config to per-GPU targets, and the check behind
// `migsched assert`.
//
// An entry selects a GPU when its device-filter (if any) holds the GPU's PCI
// device id and its `devices` (all, or a list) holds the GPU's index; a GPU
// selected by no entry is left alone, one selected by two entries is an error.
// mig-devices counts become explicit placements: instances the GPU already
// has are kept where they are when the rest can be placed around them (busy
// ones above all), else the whole set is placed afresh (SolvePlacement).
#pragma once

#include <string>
#include <vector>

#include "agent/node_state.h"
#include "common/status.h"
#include "mig_parted/config_reader.h"

namespace migsched::mig_parted {

// InvalidArgument naming the entry's file:line: a profile the GPU does not
// have (lists its profiles), two entries for one GPU, an index the node does
// not have. ResourceExhausted: the counts cannot fit the GPU (says why).
Result<std::vector<agent::GpuTarget>> TargetsFromMigParted(const Config& config,
                                                    const std::vector<agent::ObservedGpu>& gpus);

// One way a GPU differs from the config, with its line for people.
struct Difference {
  enum class Kind {
    kMigMode,           // has/wants: 1 = MIG enabled, 0 = disabled
    kComputeInstances,  // `instance` ("3g.20gb@4") holds `has` compute instances, wants 1 full one
    kProfileCount,      // `has` instances of `profile`, wants `wants`
  };
  int gpu = 0;
  Kind kind = Kind::kProfileCount;
  std::string profile;   // kProfileCount
  std::string instance;  // kComputeInstances
  int has = 0;
  int wants = 0;
  std::string text;  // "gpu 1: has 2 x 1g.5gb, wants 7"
};

// What differs between the GPUs and the config; empty when they match.
// Placements do not matter, as in mig-parted; each GPU instance must hold
// exactly its full compute instance. Errors as TargetsFromMigParted (except
// fitting).
Result<std::vector<Difference>> CompareWithMigParted(const Config& config,
                                                              const std::vector<agent::ObservedGpu>& gpus);

}  // namespace migsched::mig_parted
