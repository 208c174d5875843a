// The part of NVIDIA's NVML C API that migsched uses, declared by us from the
// public facts of NVML's documentation (type layouts, constants, versioned
// symbol names). Only what is used is declared.
//
// migsched never links NVML: nvml_library.cc resolves these symbols with
// dlopen/dlsym at run time, and the fake library (src/nvml/fake/) defines them.
// The layouts must match the driver's ABI exactly; change nothing here without
// checking NVIDIA's nvml.h for the same driver branch.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// Opaque handles. The driver owns the pointed-to objects; the fake defines them.
typedef struct nvmlDevice_st* nvmlDevice_t;
typedef struct nvmlGpuInstance_st* nvmlGpuInstance_t;
typedef struct nvmlComputeInstance_st* nvmlComputeInstance_t;

typedef enum nvmlReturn_enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4,
  NVML_ERROR_ALREADY_INITIALIZED = 5,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_INSUFFICIENT_POWER = 8,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_TIMEOUT = 10,
  NVML_ERROR_IRQ_ISSUE = 11,
  NVML_ERROR_LIBRARY_NOT_FOUND = 12,
  NVML_ERROR_FUNCTION_NOT_FOUND = 13,
  NVML_ERROR_CORRUPTED_INFOROM = 14,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_RESET_REQUIRED = 16,
  NVML_ERROR_OPERATING_SYSTEM = 17,
  NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18,
  NVML_ERROR_IN_USE = 19,
  NVML_ERROR_MEMORY = 20,
  NVML_ERROR_NO_DATA = 21,
  NVML_ERROR_VGPU_ECC_NOT_ENABLED = 22,
  NVML_ERROR_INSUFFICIENT_RESOURCES = 23,
  NVML_ERROR_FREQ_NOT_SUPPORTED = 24,
  NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
  NVML_ERROR_DEPRECATED = 26,
  NVML_ERROR_NOT_READY = 27,
  NVML_ERROR_GPU_NOT_FOUND = 28,
  NVML_ERROR_INVALID_STATE = 29,
  NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;

// Buffer sizes the documentation recommends for string queries.
#define NVML_DEVICE_UUID_V2_BUFFER_SIZE 96
#define NVML_DEVICE_NAME_V2_BUFFER_SIZE 96
#define NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE 32
#define NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE 16

// MIG mode values (nvmlDeviceGetMigMode / nvmlDeviceSetMigMode).
#define NVML_DEVICE_MIG_DISABLE 0x0
#define NVML_DEVICE_MIG_ENABLE 0x1

// GPU-instance profiles are queried by these enum values (NVML's
// NVML_GPU_INSTANCE_PROFILE_* constants, 0 = 1 slice ... 0x10 = 2 slices +me.all);
// the catalog records each profile's value as GiProfile::nvml_enum. Drivers
// answer INVALID_ARGUMENT for values they do not know.
#define NVML_GPU_INSTANCE_PROFILE_COUNT 0x11
// Compute-instance profiles likewise (NVML_COMPUTE_INSTANCE_PROFILE_*: 0 = 1
// slice ... 7 = 1 slice rev1); the catalog's CiProfile::id.
#define NVML_COMPUTE_INSTANCE_PROFILE_COUNT 0x8
#define NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED 0x0

typedef struct nvmlPciInfo_st {
  char busIdLegacy[NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;  // (device id << 16) | vendor id
  unsigned int pciSubSystemId;
  char busId[NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE];
} nvmlPciInfo_t;

typedef struct nvmlMemory_st {
  unsigned long long total;  // bytes
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

// What nvmlDeviceGetComputeRunningProcesses_v3 fills (nvmlProcessInfo_v2_t
// layout, also named nvmlProcessInfo_t in current headers).
typedef struct nvmlProcessInfo_st {
  unsigned int pid;
  unsigned long long usedGpuMemory;  // bytes
  unsigned int gpuInstanceId;        // 0xFFFFFFFF when not in MIG mode
  unsigned int computeInstanceId;
} nvmlProcessInfo_t;

typedef struct nvmlGpuInstancePlacement_st {
  unsigned int start;  // memory slices
  unsigned int size;
} nvmlGpuInstancePlacement_t;

typedef struct nvmlGpuInstanceProfileInfo_st {
  unsigned int id;  // the profile id nvidia-smi prints (-lgip "ID")
  unsigned int isP2pSupported;
  unsigned int sliceCount;
  unsigned int instanceCount;  // maximum instances of this profile
  unsigned int multiprocessorCount;
  unsigned int copyEngineCount;
  unsigned int decoderCount;
  unsigned int encoderCount;
  unsigned int jpegCount;
  unsigned int ofaCount;
  unsigned long long memorySizeMB;
} nvmlGpuInstanceProfileInfo_t;

typedef struct nvmlGpuInstanceInfo_st {
  nvmlDevice_t device;
  unsigned int id;
  unsigned int profileId;
  nvmlGpuInstancePlacement_t placement;
} nvmlGpuInstanceInfo_t;

typedef struct nvmlComputeInstancePlacement_st {
  unsigned int start;  // compute slices within the GPU instance
  unsigned int size;
} nvmlComputeInstancePlacement_t;

typedef struct nvmlComputeInstanceProfileInfo_st {
  unsigned int id;
  unsigned int sliceCount;
  unsigned int instanceCount;
  unsigned int multiprocessorCount;
  unsigned int sharedCopyEngineCount;
  unsigned int sharedDecoderCount;
  unsigned int sharedEncoderCount;
  unsigned int sharedJpegCount;
  unsigned int sharedOfaCount;
} nvmlComputeInstanceProfileInfo_t;

typedef struct nvmlComputeInstanceInfo_st {
  nvmlDevice_t device;
  nvmlGpuInstance_t gpuInstance;
  unsigned int id;
  unsigned int profileId;
  nvmlComputeInstancePlacement_t placement;
} nvmlComputeInstanceInfo_t;

// Every entry point migsched calls, by its exported (versioned) symbol name.
// X(symbol, return type, parameter list) — nvml_library.cc and the fake both
// expand this list, so a symbol cannot be declared one way and defined another.
#define MIGSCHED_NVML_FUNCTIONS(X)                                                               \
  X(nvmlInit_v2, nvmlReturn_t, (void))                                                          \
  X(nvmlShutdown, nvmlReturn_t, (void))                                                         \
  X(nvmlErrorString, const char*, (nvmlReturn_t result))                                        \
  X(nvmlSystemGetDriverVersion, nvmlReturn_t, (char* version, unsigned int length))             \
  X(nvmlDeviceGetCount_v2, nvmlReturn_t, (unsigned int* deviceCount))                           \
  X(nvmlDeviceGetHandleByIndex_v2, nvmlReturn_t, (unsigned int index, nvmlDevice_t* device))    \
  X(nvmlDeviceGetName, nvmlReturn_t, (nvmlDevice_t device, char* name, unsigned int length))    \
  X(nvmlDeviceGetUUID, nvmlReturn_t, (nvmlDevice_t device, char* uuid, unsigned int length))    \
  X(nvmlDeviceGetPciInfo_v3, nvmlReturn_t, (nvmlDevice_t device, nvmlPciInfo_t * pci))          \
  X(nvmlDeviceGetMemoryInfo, nvmlReturn_t, (nvmlDevice_t device, nvmlMemory_t * memory))        \
  X(nvmlDeviceGetMigMode, nvmlReturn_t,                                                         \
    (nvmlDevice_t device, unsigned int* currentMode, unsigned int* pendingMode))                \
  X(nvmlDeviceSetMigMode, nvmlReturn_t,                                                         \
    (nvmlDevice_t device, unsigned int mode, nvmlReturn_t* activationStatus))                   \
  X(nvmlDeviceGetGpuInstanceProfileInfo, nvmlReturn_t,                                          \
    (nvmlDevice_t device, unsigned int profile, nvmlGpuInstanceProfileInfo_t* info))            \
  X(nvmlDeviceGetGpuInstancePossiblePlacements_v2, nvmlReturn_t,                                \
    (nvmlDevice_t device, unsigned int profileId, nvmlGpuInstancePlacement_t* placements,       \
     unsigned int* count))                                                                      \
  X(nvmlDeviceGetGpuInstanceRemainingCapacity, nvmlReturn_t,                                    \
    (nvmlDevice_t device, unsigned int profileId, unsigned int* count))                         \
  X(nvmlDeviceCreateGpuInstanceWithPlacement, nvmlReturn_t,                                     \
    (nvmlDevice_t device, unsigned int profileId, const nvmlGpuInstancePlacement_t* placement,  \
     nvmlGpuInstance_t* gpuInstance))                                                           \
  X(nvmlDeviceGetGpuInstances, nvmlReturn_t,                                                    \
    (nvmlDevice_t device, unsigned int profileId, nvmlGpuInstance_t* gpuInstances,              \
     unsigned int* count))                                                                      \
  X(nvmlDeviceGetGpuInstanceById, nvmlReturn_t,                                                 \
    (nvmlDevice_t device, unsigned int id, nvmlGpuInstance_t* gpuInstance))                     \
  X(nvmlGpuInstanceGetInfo, nvmlReturn_t,                                                       \
    (nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t* info))                               \
  X(nvmlGpuInstanceDestroy, nvmlReturn_t, (nvmlGpuInstance_t gpuInstance))                      \
  X(nvmlGpuInstanceGetComputeInstanceProfileInfo, nvmlReturn_t,                                 \
    (nvmlGpuInstance_t gpuInstance, unsigned int profile, unsigned int engProfile,              \
     nvmlComputeInstanceProfileInfo_t* info))                                                   \
  X(nvmlGpuInstanceCreateComputeInstance, nvmlReturn_t,                                         \
    (nvmlGpuInstance_t gpuInstance, unsigned int profileId,                                     \
     nvmlComputeInstance_t* computeInstance))                                                   \
  X(nvmlGpuInstanceGetComputeInstances, nvmlReturn_t,                                           \
    (nvmlGpuInstance_t gpuInstance, unsigned int profileId,                                     \
     nvmlComputeInstance_t* computeInstances, unsigned int* count))                             \
  X(nvmlComputeInstanceGetInfo_v2, nvmlReturn_t,                                                \
    (nvmlComputeInstance_t computeInstance, nvmlComputeInstanceInfo_t* info))                   \
  X(nvmlComputeInstanceDestroy, nvmlReturn_t, (nvmlComputeInstance_t computeInstance))          \
  X(nvmlDeviceGetMaxMigDeviceCount, nvmlReturn_t, (nvmlDevice_t device, unsigned int* count))   \
  X(nvmlDeviceGetMigDeviceHandleByIndex, nvmlReturn_t,                                          \
    (nvmlDevice_t device, unsigned int index, nvmlDevice_t* migDevice))                         \
  X(nvmlDeviceGetGpuInstanceId, nvmlReturn_t, (nvmlDevice_t device, unsigned int* id))          \
  X(nvmlDeviceGetComputeInstanceId, nvmlReturn_t, (nvmlDevice_t device, unsigned int* id))      \
  X(nvmlDeviceGetComputeRunningProcesses_v3, nvmlReturn_t,                                      \
    (nvmlDevice_t device, unsigned int* infoCount, nvmlProcessInfo_t* infos))

#define MIGSCHED_NVML_DECLARE(name, ret, params) ret name params;
MIGSCHED_NVML_FUNCTIONS(MIGSCHED_NVML_DECLARE)
#undef MIGSCHED_NVML_DECLARE

#ifdef __cplusplus
}  // extern "C"
#endif
