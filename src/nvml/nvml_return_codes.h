// NVML return codes as names, meanings and migsched Status values. Shared by
// the dlopen backend and the fake library (which parses error names from its
// state file).
#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "nvml/nvml_api.h"

namespace migsched::nvml {

// "NVML_ERROR_IN_USE".
std::string_view ReturnCodeName(nvmlReturn_t code);
// What the code means for a MIG caller, e.g. "the instance is in use: destroy
// its compute instances and stop its processes first".
std::string_view ReturnCodeMeaning(nvmlReturn_t code);

// The Status for an NVML return code: OK for NVML_SUCCESS, else
// "<context>: NVML_ERROR_X (<meaning>)" with the code:
//   INVALID_ARGUMENT -> kInvalidArgument; NOT_FOUND -> kNotFound;
//   INSUFFICIENT_RESOURCES -> kResourceExhausted;
//   IN_USE, NOT_SUPPORTED, NO_PERMISSION, RESET_REQUIRED, INVALID_STATE,
//   ALREADY_INITIALIZED, UNINITIALIZED -> kFailedPrecondition;
//   DRIVER_NOT_LOADED, LIBRARY_NOT_FOUND, FUNCTION_NOT_FOUND, GPU_IS_LOST,
//   GPU_NOT_FOUND, LIB_RM_VERSION_MISMATCH, TIMEOUT, NOT_READY -> kUnavailable;
//   anything else (UNKNOWN, MEMORY, ...) -> kInternal.
Status NvmlStatus(nvmlReturn_t code, std::string_view context);

// The code named `name` ("NVML_ERROR_UNKNOWN"); nullopt for an unknown name.
std::optional<nvmlReturn_t> ParseReturnCode(std::string_view name);

}  // namespace migsched::nvml
