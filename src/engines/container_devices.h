// Plain containers (no orchestrator): what `docker run` and `podman run` are
// given to see one MIG device, from the UUID NVML reports for it ("MIG-...").
//   docker (NVIDIA Container Toolkit runtime): --gpus '"device=MIG-<uuid>"'
//     (the inner double quotes keep docker's CSV parser from splitting it)
//   CDI (podman, docker >= 25 with CDI on): --device nvidia.com/gpu=MIG-<uuid>
//     (the names `nvidia-ctk cdi generate` writes, with --device-name-strategy=uuid)
// Pure.
#pragma once

#include <string>
#include <string_view>

namespace migsched::engines {

struct ContainerDeviceArgs {
  std::string docker;  // --gpus '"device=MIG-..."'
  std::string cdi;     // --device nvidia.com/gpu=MIG-...
};

ContainerDeviceArgs ContainerArgsForMig(std::string_view mig_uuid);

}  // namespace migsched::engines
