#include "nvml/fake/fake_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "common/fnv1a.h"
#include "common/strings.h"
#include "io/json_object_reader.h"
#include "io/text_file.h"
#include "nvml/nvml_return_codes.h"

namespace migsched::nvml::fake {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

using io::JsonObjectReader;

constexpr int64_t kMaxId = std::numeric_limits<unsigned>::max();

// id, profile_id, start and serial: the fields GPU and compute instances share.
template <typename Instance>
Status ReadInstanceFields(const JsonObjectReader& r, Instance& instance) {
  int64_t n = 0;
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("id", 0, kMaxId - 1));
  instance.id = static_cast<unsigned>(n);
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("profile_id", 0, kMaxId));
  instance.profile_id = static_cast<unsigned>(n);
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("start", 0, 64));
  instance.start = static_cast<int>(n);
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("serial", 0, std::numeric_limits<int64_t>::max()));
  instance.serial = static_cast<uint64_t>(n);
  return Status::Ok();
}

Result<FakeComputeInstance> ParseCi(const json& j, const std::string& path) {
  JsonObjectReader r(j, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"id", "profile_id", "start", "size", "serial", "uuid"}));
  FakeComputeInstance ci;
  MIGSCHED_RETURN_IF_ERROR(ReadInstanceFields(r, ci));
  int64_t n = 0;
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("size", 1, 64));
  ci.size = static_cast<int>(n);
  MIGSCHED_ASSIGN_OR_RETURN(ci.uuid, r.String("uuid"));
  return ci;
}

Result<FakeGpuInstance> ParseGi(const json& j, const std::string& path) {
  JsonObjectReader r(j, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"id", "profile_id", "start", "serial", "compute_instances"}));
  FakeGpuInstance gi;
  MIGSCHED_RETURN_IF_ERROR(ReadInstanceFields(r, gi));
  const json* cis = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(cis, r.Array("compute_instances"));
  for (size_t i = 0; i < cis->size(); ++i) {
    FakeComputeInstance ci;
    MIGSCHED_ASSIGN_OR_RETURN(
        ci, ParseCi((*cis)[i], r.ItemPath("compute_instances", i)));
    gi.compute_instances.push_back(std::move(ci));
  }
  return gi;
}

Result<FakeProcess> ParseProcess(const json& j, const std::string& path) {
  JsonObjectReader r(j, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"pid", "gpu_instance", "compute_instance", "used_memory_mib"}));
  FakeProcess p;
  int64_t n = 0;
  MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("pid", 1, kMaxId));
  p.pid = static_cast<unsigned>(n);
  // Both or neither: a process runs on one compute instance, or on the whole GPU.
  if (r.Has("gpu_instance") != r.Has("compute_instance")) {
    return r.Error("", "give both gpu_instance and compute_instance, or neither (whole GPU)");
  }
  if (r.Has("gpu_instance")) {
    MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("gpu_instance", 0, kMaxId - 1));
    p.gpu_instance = static_cast<unsigned>(n);
    MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("compute_instance", 0, kMaxId - 1));
    p.compute_instance = static_cast<unsigned>(n);
  }
  p.used_memory_mib = 0;
  if (r.Has("used_memory_mib")) {
    MIGSCHED_ASSIGN_OR_RETURN(p.used_memory_mib, r.Integer("used_memory_mib", 0, int64_t{1} << 40));
  }
  return p;
}

Result<FakeGpu> ParseGpu(const json& j, const std::string& path, const geometry::Catalog& catalog) {
  JsonObjectReader r(j, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys(
      {"model", "uuid", "pci_bus_id", "mig_enabled", "mig_pending", "gpu_instances", "processes"}));
  FakeGpu gpu;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.model, r.String("model"));
  const Result<const geometry::GpuModel*> model = catalog.Find(gpu.model);
  if (!model.has_value()) return model.error().WithPrefix(r.Path("model"));
  gpu.model = (*model)->name;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.uuid, r.String("uuid"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.pci_bus_id, r.String("pci_bus_id"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_enabled, r.Bool("mig_enabled"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.mig_pending, r.Bool("mig_pending"));
  const json* gis = nullptr;
  MIGSCHED_ASSIGN_OR_RETURN(gis, r.Array("gpu_instances"));
  for (size_t i = 0; i < gis->size(); ++i) {
    FakeGpuInstance gi;
    MIGSCHED_ASSIGN_OR_RETURN(gi, ParseGi((*gis)[i], r.ItemPath("gpu_instances", i)));
    gpu.gpu_instances.push_back(std::move(gi));
  }
  if (r.Has("processes")) {
    const json* processes = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(processes, r.Array("processes"));
    for (size_t i = 0; i < processes->size(); ++i) {
      FakeProcess p;
      MIGSCHED_ASSIGN_OR_RETURN(
          p, ParseProcess((*processes)[i], r.ItemPath("processes", i)));
      gpu.processes.push_back(p);
    }
  }
  return gpu;
}

Result<FailureInjection> ParseFailure(const json& j, const std::string& path) {
  JsonObjectReader r(j, path);
  MIGSCHED_RETURN_IF_ERROR(r.CheckKeys({"call", "nth", "error"}));
  FailureInjection f;
  MIGSCHED_ASSIGN_OR_RETURN(f.call, r.String("call"));
  bool known_call = false;
#define MIGSCHED_FAKE_KNOWN_CALL(name, ret, params) known_call = known_call || f.call == #name;
  MIGSCHED_NVML_FUNCTIONS(MIGSCHED_FAKE_KNOWN_CALL)
#undef MIGSCHED_FAKE_KNOWN_CALL
  if (!known_call || f.call == "nvmlShutdown" || f.call == "nvmlErrorString") {
    return r.Error("call", Quote(f.call) + " is not an NVML call the fake can fail (nvmlShutdown and "
                           "nvmlErrorString always succeed)");
  }
  int64_t nth = 1;
  if (r.Has("nth")) MIGSCHED_ASSIGN_OR_RETURN(nth, r.Integer("nth", 1, 1'000'000));
  f.nth = static_cast<int>(nth);
  std::string error;
  MIGSCHED_ASSIGN_OR_RETURN(error, r.String("error"));
  const std::optional<nvmlReturn_t> code = ParseReturnCode(error);
  if (!code || *code == NVML_SUCCESS) {
    return r.Error("error", Quote(error) + " is not an NVML error name (e.g. NVML_ERROR_UNKNOWN)");
  }
  f.error = *code;
  return f;
}

ordered_json FailureJson(const FailureInjection& f) {
  return ordered_json{{"call", f.call}, {"nth", f.nth}, {"error", std::string(ReturnCodeName(f.error))}};
}

// GPU and MIG device UUIDs name one device each across the machine: NVML's
// lookups by UUID (and the agent's inventory) would pick one of two silently.
// PCI bus ids likewise name one GPU each.
Status CheckUniqueIds(const FakeState& state) {
  // id -> the JSON path that holds it, one map per kind of id.
  std::map<std::string, std::string> uuids;
  std::map<std::string, std::string> bus_ids;
  auto claim = [](std::map<std::string, std::string>& owner, const std::string& id,
                  const std::string& path) -> Status {
    const auto [it, inserted] = owner.emplace(id, path);
    if (inserted) return Status::Ok();
    return InvalidArgumentError(path + ": " + Quote(id) + " is already used by " + it->second);
  };
  for (size_t g = 0; g < state.gpus.size(); ++g) {
    const FakeGpu& gpu = state.gpus[g];
    const std::string gpu_path = "gpus[" + std::to_string(g) + "]";
    MIGSCHED_RETURN_IF_ERROR(claim(uuids, gpu.uuid, gpu_path + ".uuid"));
    MIGSCHED_RETURN_IF_ERROR(claim(bus_ids, gpu.pci_bus_id, gpu_path + ".pci_bus_id"));
    for (size_t i = 0; i < gpu.gpu_instances.size(); ++i) {
      const auto& cis = gpu.gpu_instances[i].compute_instances;
      for (size_t c = 0; c < cis.size(); ++c) {
        MIGSCHED_RETURN_IF_ERROR(claim(uuids, cis[c].uuid,
                                       gpu_path + ".gpu_instances[" + std::to_string(i) +
                                           "].compute_instances[" + std::to_string(c) + "].uuid"));
      }
    }
  }
  return Status::Ok();
}

Status ErrnoError(const std::string& what, const std::string& path) {
  return UnavailableError("cannot " + what + " '" + path + "': " + std::strerror(errno));
}

}  // namespace

Result<FakeState> ParseFakeState(std::string_view text, const std::string& source,
                                 const geometry::Catalog& catalog) {
  json root;
  MIGSCHED_ASSIGN_OR_RETURN(root, io::ParseJson(text, source));
  const JsonObjectReader r(root, "");
  FakeState state;
  auto parse = [&]() -> Status {
    MIGSCHED_RETURN_IF_ERROR(r.CheckKeys(
        {"driver_version", "gpus", "fail", "kill_after_mutations", "mutations", "next_serial"}));
    if (r.Has("driver_version")) MIGSCHED_ASSIGN_OR_RETURN(state.driver_version, r.String("driver_version"));
    const json* gpus = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(gpus, r.Array("gpus"));
    for (size_t i = 0; i < gpus->size(); ++i) {
      FakeGpu gpu;
      MIGSCHED_ASSIGN_OR_RETURN(gpu, ParseGpu((*gpus)[i], r.ItemPath("gpus", i), catalog));
      state.gpus.push_back(std::move(gpu));
    }
    MIGSCHED_RETURN_IF_ERROR(CheckUniqueIds(state));
    if (r.Has("fail")) {
      const json& fail = root["fail"];
      // One injection or a list of them.
      if (fail.is_object()) {
        FailureInjection f;
        MIGSCHED_ASSIGN_OR_RETURN(f, ParseFailure(fail, "fail"));
        state.failures.push_back(std::move(f));
      } else if (fail.is_array()) {
        for (size_t i = 0; i < fail.size(); ++i) {
          FailureInjection f;
          MIGSCHED_ASSIGN_OR_RETURN(f, ParseFailure(fail[i], r.ItemPath("fail", i)));
          state.failures.push_back(std::move(f));
        }
      } else {
        return r.Error("fail", "must be an object or a list of objects");
      }
    }
    if (r.Has("kill_after_mutations")) {
      int64_t n = 0;
      MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("kill_after_mutations", 1, 1'000'000));
      state.kill_after_mutations = static_cast<int>(n);
    }
    if (r.Has("mutations")) {
      MIGSCHED_ASSIGN_OR_RETURN(state.mutations,
                                r.Integer("mutations", 0, std::numeric_limits<int64_t>::max()));
    }
    if (r.Has("next_serial")) {
      int64_t n = 0;
      MIGSCHED_ASSIGN_OR_RETURN(n, r.Integer("next_serial", 1, std::numeric_limits<int64_t>::max()));
      state.next_serial = static_cast<uint64_t>(n);
    }
    return Status::Ok();
  };
  const Status status = parse();
  if (!status.ok()) return status.WithPrefix(source);
  return state;
}

std::string SerializeFakeState(const FakeState& state) {
  ordered_json gpus = ordered_json::array();
  for (const FakeGpu& gpu : state.gpus) {
    ordered_json gis = ordered_json::array();
    for (const FakeGpuInstance& gi : gpu.gpu_instances) {
      ordered_json cis = ordered_json::array();
      for (const FakeComputeInstance& ci : gi.compute_instances) {
        cis.push_back({{"id", ci.id}, {"profile_id", ci.profile_id}, {"start", ci.start},
                       {"size", ci.size}, {"serial", ci.serial}, {"uuid", ci.uuid}});
      }
      gis.push_back({{"id", gi.id}, {"profile_id", gi.profile_id}, {"start", gi.start},
                     {"serial", gi.serial}, {"compute_instances", cis}});
    }
    ordered_json processes = ordered_json::array();
    for (const FakeProcess& p : gpu.processes) {
      ordered_json j{{"pid", p.pid}};
      if (p.gpu_instance != kNoInstance) {
        j["gpu_instance"] = p.gpu_instance;
        j["compute_instance"] = p.compute_instance;
      }
      j["used_memory_mib"] = p.used_memory_mib;
      processes.push_back(std::move(j));
    }
    gpus.push_back({{"model", gpu.model}, {"uuid", gpu.uuid}, {"pci_bus_id", gpu.pci_bus_id},
                    {"mig_enabled", gpu.mig_enabled}, {"mig_pending", gpu.mig_pending},
                    {"gpu_instances", gis}, {"processes", processes}});
  }
  ordered_json root{{"driver_version", state.driver_version}, {"gpus", gpus}};
  if (!state.failures.empty()) {
    ordered_json fail = ordered_json::array();
    for (const FailureInjection& f : state.failures) fail.push_back(FailureJson(f));
    root["fail"] = fail;
  }
  if (state.kill_after_mutations) root["kill_after_mutations"] = *state.kill_after_mutations;
  root["mutations"] = state.mutations;
  root["next_serial"] = state.next_serial;
  return root.dump(2) + "\n";
}

Result<FakeState> ReadFakeState(const std::string& path, const geometry::Catalog& catalog) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, io::ReadTextFile(path, "fake NVML state"));
  return ParseFakeState(text, path, catalog);
}

Status WriteFakeStateAtomically(const FakeState& state, const std::string& path) {
  const std::string text = SerializeFakeState(state);
  const std::string temp = path + ".tmp." + std::to_string(getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("create", temp);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const Status error = ErrnoError("write", temp);
      close(fd);
      unlink(temp.c_str());
      return error;
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    const Status error = ErrnoError("fsync", temp);
    close(fd);
    unlink(temp.c_str());
    return error;
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const Status error = ErrnoError("rename onto", path);
    unlink(temp.c_str());
    return error;
  }
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return Status::Ok();
}

std::string FakeUuid(std::string_view prefix, std::string_view seed) {
  // Two FNV-1a hashes give 128 deterministic bits.
  const uint64_t hi = Fnv1a64(seed);
  const uint64_t lo = Fnv1a64(seed, 0x84222325cbf29ce4ull);
  char text[64];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xFFFF),
                static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return std::string(prefix) + "-" + text;
}

Result<FakeState> NewFakeState(const geometry::Catalog& catalog,
                               const std::vector<std::pair<std::string, int>>& gpus) {
  FakeState state;
  for (const auto& [name, count] : gpus) {
    const geometry::GpuModel* model = nullptr;
    MIGSCHED_ASSIGN_OR_RETURN(model, catalog.Find(name));
    if (count < 1 || count > 64) {
      return InvalidArgumentError("GPU count for " + name + " must be between 1 and 64, not " +
                                  std::to_string(count));
    }
    for (int i = 0; i < count; ++i) {
      const size_t index = state.gpus.size();
      if (index >= 64) return InvalidArgumentError("at most 64 fake GPUs per machine");
      char bus_id[32];
      std::snprintf(bus_id, sizeof bus_id, "00000000:%02X:00.0", static_cast<unsigned>(0x10 + index));
      state.gpus.push_back(FakeGpu{
          .model = model->name,
          .uuid = FakeUuid("GPU", "migsched-fake/" + model->name + "/" + std::to_string(index)),
          .pci_bus_id = bus_id,
          .mig_enabled = true,
          .mig_pending = true,
          .gpu_instances = {},
          .processes = {}});
    }
  }
  return state;
}

}  // namespace migsched::nvml::fake
