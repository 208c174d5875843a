// SLURM configuration for MIG instances and whole GPUs: the gres.conf lines
// that bind each GRES gpu to its device files and the slurm.conf lines that
// declare each node's typed GPUs, e.g.
//   NodeName=node01 Name=gpu Type=a100_3g.39gb MultipleFiles=/dev/nvidia0,/dev/nvidia-caps/nvidia-cap21,/dev/nvidia-caps/nvidia-cap22
//   NodeName=node[01-16] Gres=gpu:a100_3g.39gb:2,gpu:a100_1g.10gb:1
// Types follow slurm_gres_type.h, files mig_device_files.h, node names are
// hostlist-compressed (hostlist.h). Both a planned fleet (`migsched plan
// --slurm`) and a live one (`migsched slurm gres`) go through these
// functions. Pure.
#pragma once

#include <string>
#include <vector>

#include "engines/slurm_gres_type.h"
#include "fleet/fleet.h"

namespace migsched::engines {

// One GRES gpu: a MIG device or a whole GPU.
struct SlurmGresDevice {
  int gpu = 0;                     // GPU index on its node
  std::string type;                // GRES type, slurm_gres_type.h
  std::string what;                // for a comment: "3g.40gb@4, GI 2 CI 0" or "whole GPU"
  std::vector<std::string> files;  // device files; empty while unknown (a planned instance)
};

struct SlurmNodeGres {
  std::string node;
  std::vector<SlurmGresDevice> devices;  // by GPU, then placement
  std::vector<std::string> notes;        // gres.conf comments, e.g. instances not created yet
};

// "gpu:a100_3g.39gb:2,gpu:a100_1g.10gb:1": each type with its count, types in
// first-seen order. Empty for no devices.
std::string GresString(const std::vector<SlurmGresDevice>& devices);

// gres.conf lines for these nodes: per device a comment and
// "NodeName=N Name=gpu Type=T MultipleFiles=F1,F2,F3" (File=F for a single
// file, neither for none), plus each node's notes as comments.
std::string WriteGresConfLines(const std::vector<SlurmNodeGres>& nodes);

// slurm.conf node lines: one "NodeName=<hostlist> Gres=<GresString>" per
// distinct Gres string, in order of first appearance; then a comment for each
// node without devices.
std::string WriteNodeGresLines(const std::vector<SlurmNodeGres>& nodes);

// The nodes of a planned fleet, in fleet order, instances in catalog profile
// order. Devices carry no files: the GI and CI ids that name them exist only
// once the driver creates the instances.
std::vector<SlurmNodeGres> SlurmNodesOfFleet(const fleet::Fleet& fleet, SlurmTypeStyle style);

struct SlurmConfig {
  std::string gres_conf;   // the whole gres.conf
  std::string slurm_conf;  // lines to merge into slurm.conf: GresTypes, TRES, NodeName=...
};

// `migsched plan --slurm`: slurm.conf lines for the planned fleet. In the
// autodetect style gres.conf is AutoDetect=nvml (slurmd finds the files and
// the same types itself); in the profile style, whose types NVML does not
// report, gres.conf says to write explicit lines with `migsched slurm gres`
// once the layout is applied.
SlurmConfig WriteSlurmConfig(const fleet::Fleet& fleet, SlurmTypeStyle style);

}  // namespace migsched::engines
