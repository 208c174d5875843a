#include "engines/container_devices.h"

namespace migsched::engines {

ContainerDeviceArgs ContainerArgsForMig(std::string_view mig_uuid) {
  const std::string uuid(mig_uuid);
  return {.docker = "--gpus '\"device=" + uuid + "\"'", .cdi = "--device nvidia.com/gpu=" + uuid};
}

}  // namespace migsched::engines
