#include "nvml/nvml_return_codes.h"

#include <string>

namespace migsched::nvml {

namespace {

// Every return code NVML documents, for name lookups in both directions.
constexpr nvmlReturn_t kAllCodes[] = {
    NVML_SUCCESS, NVML_ERROR_UNINITIALIZED, NVML_ERROR_INVALID_ARGUMENT,
    NVML_ERROR_NOT_SUPPORTED, NVML_ERROR_NO_PERMISSION, NVML_ERROR_ALREADY_INITIALIZED,
    NVML_ERROR_NOT_FOUND, NVML_ERROR_INSUFFICIENT_SIZE, NVML_ERROR_INSUFFICIENT_POWER,
    NVML_ERROR_DRIVER_NOT_LOADED, NVML_ERROR_TIMEOUT, NVML_ERROR_IRQ_ISSUE,
    NVML_ERROR_LIBRARY_NOT_FOUND, NVML_ERROR_FUNCTION_NOT_FOUND, NVML_ERROR_CORRUPTED_INFOROM,
    NVML_ERROR_GPU_IS_LOST, NVML_ERROR_RESET_REQUIRED, NVML_ERROR_OPERATING_SYSTEM,
    NVML_ERROR_LIB_RM_VERSION_MISMATCH, NVML_ERROR_IN_USE, NVML_ERROR_MEMORY,
    NVML_ERROR_NO_DATA, NVML_ERROR_VGPU_ECC_NOT_ENABLED, NVML_ERROR_INSUFFICIENT_RESOURCES,
    NVML_ERROR_FREQ_NOT_SUPPORTED, NVML_ERROR_ARGUMENT_VERSION_MISMATCH, NVML_ERROR_DEPRECATED,
    NVML_ERROR_NOT_READY, NVML_ERROR_GPU_NOT_FOUND, NVML_ERROR_INVALID_STATE, NVML_ERROR_UNKNOWN};

}  // namespace

std::string_view ReturnCodeName(nvmlReturn_t code) {
  switch (code) {
#define MIGSCHED_NVML_CODE(c) \
  case c:                     \
    return #c;
    MIGSCHED_NVML_CODE(NVML_SUCCESS)
    MIGSCHED_NVML_CODE(NVML_ERROR_UNINITIALIZED)
    MIGSCHED_NVML_CODE(NVML_ERROR_INVALID_ARGUMENT)
    MIGSCHED_NVML_CODE(NVML_ERROR_NOT_SUPPORTED)
    MIGSCHED_NVML_CODE(NVML_ERROR_NO_PERMISSION)
    MIGSCHED_NVML_CODE(NVML_ERROR_ALREADY_INITIALIZED)
    MIGSCHED_NVML_CODE(NVML_ERROR_NOT_FOUND)
    MIGSCHED_NVML_CODE(NVML_ERROR_INSUFFICIENT_SIZE)
    MIGSCHED_NVML_CODE(NVML_ERROR_INSUFFICIENT_POWER)
    MIGSCHED_NVML_CODE(NVML_ERROR_DRIVER_NOT_LOADED)
    MIGSCHED_NVML_CODE(NVML_ERROR_TIMEOUT)
    MIGSCHED_NVML_CODE(NVML_ERROR_IRQ_ISSUE)
    MIGSCHED_NVML_CODE(NVML_ERROR_LIBRARY_NOT_FOUND)
    MIGSCHED_NVML_CODE(NVML_ERROR_FUNCTION_NOT_FOUND)
    MIGSCHED_NVML_CODE(NVML_ERROR_CORRUPTED_INFOROM)
    MIGSCHED_NVML_CODE(NVML_ERROR_GPU_IS_LOST)
    MIGSCHED_NVML_CODE(NVML_ERROR_RESET_REQUIRED)
    MIGSCHED_NVML_CODE(NVML_ERROR_OPERATING_SYSTEM)
    MIGSCHED_NVML_CODE(NVML_ERROR_LIB_RM_VERSION_MISMATCH)
    MIGSCHED_NVML_CODE(NVML_ERROR_IN_USE)
    MIGSCHED_NVML_CODE(NVML_ERROR_MEMORY)
    MIGSCHED_NVML_CODE(NVML_ERROR_NO_DATA)
    MIGSCHED_NVML_CODE(NVML_ERROR_VGPU_ECC_NOT_ENABLED)
    MIGSCHED_NVML_CODE(NVML_ERROR_INSUFFICIENT_RESOURCES)
    MIGSCHED_NVML_CODE(NVML_ERROR_FREQ_NOT_SUPPORTED)
    MIGSCHED_NVML_CODE(NVML_ERROR_ARGUMENT_VERSION_MISMATCH)
    MIGSCHED_NVML_CODE(NVML_ERROR_DEPRECATED)
    MIGSCHED_NVML_CODE(NVML_ERROR_NOT_READY)
    MIGSCHED_NVML_CODE(NVML_ERROR_GPU_NOT_FOUND)
    MIGSCHED_NVML_CODE(NVML_ERROR_INVALID_STATE)
    MIGSCHED_NVML_CODE(NVML_ERROR_UNKNOWN)
#undef MIGSCHED_NVML_CODE
  }
  return "NVML_ERROR_(unrecognised code)";
}

std::string_view ReturnCodeMeaning(nvmlReturn_t code) {
  switch (code) {
    case NVML_SUCCESS: return "success";
    case NVML_ERROR_UNINITIALIZED: return "NVML was not initialised";
    case NVML_ERROR_INVALID_ARGUMENT:
      return "invalid argument: unknown device, profile, placement or instance";
    case NVML_ERROR_NOT_SUPPORTED:
      return "not supported by this GPU or in its current mode (is MIG mode enabled?)";
    case NVML_ERROR_NO_PERMISSION: return "permission denied: MIG changes need root";
    case NVML_ERROR_ALREADY_INITIALIZED: return "NVML is already initialised";
    case NVML_ERROR_NOT_FOUND: return "no such instance or object";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "a buffer passed to NVML was too small";
    case NVML_ERROR_INSUFFICIENT_POWER: return "the GPU lacks power (check its power cables)";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "the NVIDIA kernel driver is not loaded";
    case NVML_ERROR_TIMEOUT: return "the driver timed out";
    case NVML_ERROR_IRQ_ISSUE: return "the kernel detected an interrupt problem with the GPU";
    case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML could not find a library it needs";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "this driver lacks the NVML function";
    case NVML_ERROR_CORRUPTED_INFOROM: return "the GPU's infoROM is corrupted";
    case NVML_ERROR_GPU_IS_LOST: return "the GPU fell off the bus or is otherwise inaccessible";
    case NVML_ERROR_RESET_REQUIRED: return "the GPU needs a reset first";
    case NVML_ERROR_OPERATING_SYSTEM: return "the operating system refused the call";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH:
      return "the NVML library and the kernel driver versions differ (reboot after a driver update?)";
    case NVML_ERROR_IN_USE:
      return "in use: the instance has compute instances or running processes, or the GPU has "
             "instances";
    case NVML_ERROR_MEMORY: return "the driver ran out of memory";
    case NVML_ERROR_NO_DATA: return "no data";
    case NVML_ERROR_VGPU_ECC_NOT_ENABLED: return "ECC is not enabled for vGPU";
    case NVML_ERROR_INSUFFICIENT_RESOURCES:
      return "insufficient resources: the placement overlaps an instance, or the GPU has no "
             "room, instance count or media engines left for it";
    case NVML_ERROR_FREQ_NOT_SUPPORTED: return "frequency not supported";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "struct version mismatch";
    case NVML_ERROR_DEPRECATED: return "deprecated call";
    case NVML_ERROR_NOT_READY: return "the GPU is not ready";
    case NVML_ERROR_GPU_NOT_FOUND: return "no such GPU";
    case NVML_ERROR_INVALID_STATE: return "the GPU is in an invalid state";
    case NVML_ERROR_UNKNOWN: return "unknown driver error";
  }
  return "unrecognised NVML return code";
}

namespace {

StatusCode CodeFor(nvmlReturn_t code) {
  switch (code) {
    case NVML_SUCCESS: return StatusCode::kOk;
    case NVML_ERROR_INVALID_ARGUMENT: return StatusCode::kInvalidArgument;
    case NVML_ERROR_NOT_FOUND: return StatusCode::kNotFound;
    case NVML_ERROR_INSUFFICIENT_RESOURCES: return StatusCode::kResourceExhausted;
    case NVML_ERROR_IN_USE:
    case NVML_ERROR_NOT_SUPPORTED:
    case NVML_ERROR_NO_PERMISSION:
    case NVML_ERROR_RESET_REQUIRED:
    case NVML_ERROR_INVALID_STATE:
    case NVML_ERROR_ALREADY_INITIALIZED:
    case NVML_ERROR_UNINITIALIZED: return StatusCode::kFailedPrecondition;
    case NVML_ERROR_DRIVER_NOT_LOADED:
    case NVML_ERROR_LIBRARY_NOT_FOUND:
    case NVML_ERROR_FUNCTION_NOT_FOUND:
    case NVML_ERROR_GPU_IS_LOST:
    case NVML_ERROR_GPU_NOT_FOUND:
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH:
    case NVML_ERROR_TIMEOUT:
    case NVML_ERROR_NOT_READY: return StatusCode::kUnavailable;
    default: return StatusCode::kInternal;
  }
}

}  // namespace

Status NvmlStatus(nvmlReturn_t code, std::string_view context) {
  if (code == NVML_SUCCESS) return Status::Ok();
  return Status(CodeFor(code), std::string(context) + ": " + std::string(ReturnCodeName(code)) +
                                   " (" + std::string(ReturnCodeMeaning(code)) + ")");
}

std::optional<nvmlReturn_t> ParseReturnCode(std::string_view name) {
  for (nvmlReturn_t code : kAllCodes) {
    if (ReturnCodeName(code) == name) return code;
  }
  return std::nullopt;
}

}  // namespace migsched::nvml
