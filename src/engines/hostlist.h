// Slurm hostlist compression: the node-name form slurm.conf and scontrol use,
// e.g. {"node1", ..., "node664"} -> "node[1-664]". Pure.
#pragma once

#include <string>
#include <vector>

namespace migsched::engines {

// Compresses node names into one hostlist expression. A name splits into a
// prefix and its trailing decimal digits; names with the same prefix and a
// compatible number width share one bracket of ascending, comma-separated
// ranges: {"gpu-a01", "gpu-a03", "gpu-a02", "gpu-a07"} -> "gpu-a[01-03,07]".
//  - Zero padding is kept: a number written with a leading zero ("07") only
//    joins numbers of its width; an unpadded number joins a padded group of
//    its own width ("gpu-a10" with "gpu-a09") and otherwise the unpadded group
//    of its prefix, whatever its width ("node[9-10]").
//  - A lone number gets no bracket ("node7"); a name without trailing digits
//    stays as it is ("login").
//  - Groups are comma-joined, ordered by prefix, then by number; input order
//    does not matter and duplicates are dropped. No input gives "".
std::string CompressHostlist(const std::vector<std::string>& names);

}  // namespace migsched::engines
