#include "io/catalog_loader.h"

#include "common/names.h"
#include "common/strings.h"
#include "io/builtin_catalog_data.h"
#include "io/text_file.h"
#include "io/yaml_reader.h"

namespace migsched::io {
namespace {

using geometry::CiProfile;
using geometry::Evidence;
using geometry::GiProfile;
using geometry::GpuModel;

constexpr std::string_view kSchema = "migsched.catalog/1";
constexpr int64_t kMaxBoardPowerW = 100000;
constexpr double kMaxPricePerGpuHour = 1e6;

Result<Evidence> ParseEvidence(const YamlReader& reader, const YAML::Node& map) {
  Result<std::string> text = reader.String(map, "evidence");
  if (!text.has_value()) return text.error();
  if (*text == "captured") return Evidence::kCaptured;
  if (*text == "equivalent") return Evidence::kEquivalent;
  if (*text == "inferred") return Evidence::kInferred;
  return reader.Error(map["evidence"], "evidence must be captured, equivalent or inferred, not " +
                                           Quote(*text));
}

// The research grades of docs/catalog.md; `migsched gpus` prints them as given.
Status CheckConfidence(const YamlReader& reader, const YAML::Node& value, const std::string& text) {
  static constexpr std::string_view kGrades[] = {"high", "medium-high", "medium", "medium-low",
                                                 "low-medium", "low"};
  for (std::string_view grade : kGrades) {
    if (text == grade) return Status::Ok();
  }
  return reader.Error(value, "confidence must be high, medium-high, medium, medium-low, low-medium or "
                             "low, not " + Quote(text));
}

Result<CiProfile> ParseCiProfile(const YamlReader& reader, const YAML::Node& node) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(node, "compute instance",
                                             {"compute_slices", "id", "max_count", "inferred"}));
  CiProfile ci;
  MIGSCHED_ASSIGN_OR_RETURN(ci.compute_slices, reader.Count(node, "compute_slices"));
  MIGSCHED_ASSIGN_OR_RETURN(ci.id, reader.Count(node, "id"));
  MIGSCHED_ASSIGN_OR_RETURN(ci.max_count, reader.Count(node, "max_count"));
  MIGSCHED_ASSIGN_OR_RETURN(ci.inferred, reader.OptionalBool(node, "inferred", false));
  return ci;
}

Result<std::optional<int>> OptionalCount(const YamlReader& reader, const YAML::Node& map,
                                         std::string_view key) {
  const YAML::Node node = map[std::string(key)];
  if (!node || node.IsNull()) return std::optional<int>();  // "sm_count: ~" means unknown
  Result<int> value = reader.Count(map, key);
  if (!value.has_value()) return value.error();
  return std::optional<int>(*value);
}

Result<GiProfile> ParseProfile(const YamlReader& reader, const GpuModel& gpu,
                               const YAML::Node& node) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(
      node, "profile",
      {"name", "id", "nvml_enum", "compute_slices", "memory_slices", "memory_mib",
       "memory_estimated", "max_count", "sm_count", "copy_engines", "media", "starts", "evidence",
       "compute_instances"}));
  GiProfile profile;
  MIGSCHED_ASSIGN_OR_RETURN(profile.name, reader.String(node, "name"));
  const Result<geometry::MigProfileName> parsed = geometry::MigProfileName::Parse(profile.name);
  if (!parsed.has_value()) return reader.Error(node, parsed.error().message());
  profile.media_variant = parsed->variant;
  MIGSCHED_ASSIGN_OR_RETURN(profile.id, reader.Count(node, "id"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.nvml_enum, reader.Count(node, "nvml_enum"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.compute_slices, reader.Count(node, "compute_slices"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.memory_slices, reader.Count(node, "memory_slices"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.memory_mib, reader.Integer(node, "memory_mib"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.memory_estimated, reader.OptionalBool(node, "memory_estimated", false));
  MIGSCHED_ASSIGN_OR_RETURN(profile.max_count, reader.Count(node, "max_count"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.sm_count, OptionalCount(reader, node, "sm_count"));
  MIGSCHED_ASSIGN_OR_RETURN(profile.copy_engines, OptionalCount(reader, node, "copy_engines"));
  if (const YAML::Node media = node["media"]; media) {
    MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(media, "media", {"dec", "enc", "jpg", "ofa"}));
    MIGSCHED_ASSIGN_OR_RETURN(profile.media.dec, OptionalCount(reader, media, "dec"));
    MIGSCHED_ASSIGN_OR_RETURN(profile.media.enc, OptionalCount(reader, media, "enc"));
    MIGSCHED_ASSIGN_OR_RETURN(profile.media.jpg, OptionalCount(reader, media, "jpg"));
    MIGSCHED_ASSIGN_OR_RETURN(profile.media.ofa, OptionalCount(reader, media, "ofa"));
  }
  std::vector<int64_t> starts;
  MIGSCHED_ASSIGN_OR_RETURN(starts, reader.IntegerList(node, "starts"));
  for (int64_t start : starts) {
    if (start < 0 || start >= geometry::kMaxMemorySlices) {
      return reader.Error(node["starts"], "gpu '" + gpu.name + "' profile '" + profile.name +
                                              "': start " + std::to_string(start) + " outside 0.." +
                                              std::to_string(geometry::kMaxMemorySlices - 1));
    }
    profile.starts.push_back(static_cast<int>(start));
  }
  MIGSCHED_ASSIGN_OR_RETURN(profile.evidence, ParseEvidence(reader, node));
  if (const YAML::Node cis = node["compute_instances"]; cis) {
    if (!cis.IsSequence()) return reader.Error(cis, "'compute_instances' must be a list");
    for (const YAML::Node& ci : cis) {
      CiProfile parsed_ci;
      MIGSCHED_ASSIGN_OR_RETURN(parsed_ci, ParseCiProfile(reader, ci));
      profile.compute_instances.push_back(parsed_ci);
    }
  }
  MIGSCHED_RETURN_IF_ERROR(geometry::ValidateGiProfile(gpu, profile)
                               .WithPrefix(reader.Where(node) + ": gpu '" + gpu.name +
                                           "' profile '" + profile.name + "'"));
  return profile;
}

struct PowerAndPrice {
  int board_power_w = 0;
  std::string board_power_source;
  std::optional<double> price_per_gpu_hour;
};

// board_power_w (watts, 1..100000) needs board_power_source, which names
// where the figure is published; price_per_gpu_hour is empty (~) or >= 0.
Result<PowerAndPrice> ParsePowerAndPrice(const YamlReader& reader, const YAML::Node& node,
                                         const std::string& gpu_name) {
  PowerAndPrice figures;
  std::optional<int64_t> watts;
  MIGSCHED_ASSIGN_OR_RETURN(watts, reader.OptionalInteger(node, "board_power_w"));
  if (watts && (*watts < 1 || *watts > kMaxBoardPowerW)) {
    return reader.Error(node["board_power_w"], "gpu '" + gpu_name + "': board_power_w must be 1.." +
                                                   std::to_string(kMaxBoardPowerW) + " watts");
  }
  const YAML::Node source = node["board_power_source"];
  if (source) {
    MIGSCHED_ASSIGN_OR_RETURN(figures.board_power_source, reader.String(node, "board_power_source"));
    if (Status s = CheckDisplayName(figures.board_power_source, "board_power_source"); !s.ok()) {
      return reader.Error(source, s.message());
    }
  }
  if (watts.has_value() != source.IsDefined()) {
    return reader.Error(node, "gpu '" + gpu_name + "': board_power_w and board_power_source go together "
                              "(a power figure names where it is published)");
  }
  figures.board_power_w = static_cast<int>(watts.value_or(0));
  MIGSCHED_ASSIGN_OR_RETURN(figures.price_per_gpu_hour,
                            reader.OptionalNumber(node, "price_per_gpu_hour", 0, kMaxPricePerGpuHour));
  return figures;
}

Result<GpuModel> ParseGpu(const YamlReader& reader, const YAML::Node& node) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(
      node, "gpu",
      {"name", "aliases", "product_names", "pci_device_ids", "architecture", "confidence",
       "evidence_note", "compute_slices", "memory_slices", "memory_mib", "memory_estimated",
       "max_instances", "board_power_w", "board_power_source", "price_per_gpu_hour", "profiles"}));
  GpuModel gpu;
  MIGSCHED_ASSIGN_OR_RETURN(gpu.name, reader.String(node, "name"));
  if (Status s = CheckHostName(gpu.name, "GPU model"); !s.ok()) return reader.Error(node["name"], s.message());
  MIGSCHED_ASSIGN_OR_RETURN(gpu.aliases, reader.StringList(node, "aliases"));
  for (const std::string& alias : gpu.aliases) {
    if (Status s = CheckHostName(alias, "alias"); !s.ok()) return reader.Error(node["aliases"], s.message());
  }
  MIGSCHED_ASSIGN_OR_RETURN(gpu.product_names, reader.StringList(node, "product_names"));
  for (const std::string& product : gpu.product_names) {
    if (Status s = CheckDisplayName(product, "product name"); !s.ok()) {
      return reader.Error(node["product_names"], s.message());
    }
  }
  std::vector<std::string> pci_ids;
  MIGSCHED_ASSIGN_OR_RETURN(pci_ids, reader.StringList(node, "pci_device_ids"));
  for (const std::string& text : pci_ids) {
    const Result<uint32_t> id = geometry::ParsePciDeviceId(text);
    if (!id.has_value()) return reader.Error(node["pci_device_ids"], id.error().message());
    gpu.pci_device_ids.push_back(*id);
  }
  MIGSCHED_ASSIGN_OR_RETURN(gpu.architecture, reader.String(node, "architecture"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.confidence, reader.String(node, "confidence"));
  MIGSCHED_RETURN_IF_ERROR(CheckConfidence(reader, node["confidence"], gpu.confidence));
  if (node["evidence_note"]) MIGSCHED_ASSIGN_OR_RETURN(gpu.evidence_note, reader.String(node, "evidence_note"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.compute_slices, reader.Count(node, "compute_slices"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.memory_slices, reader.Count(node, "memory_slices"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.memory_mib, reader.Integer(node, "memory_mib"));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.memory_estimated, reader.OptionalBool(node, "memory_estimated", false));
  MIGSCHED_ASSIGN_OR_RETURN(gpu.max_instances, reader.Count(node, "max_instances"));
  PowerAndPrice figures;
  MIGSCHED_ASSIGN_OR_RETURN(figures, ParsePowerAndPrice(reader, node, gpu.name));
  gpu.board_power_w = figures.board_power_w;
  gpu.board_power_source = std::move(figures.board_power_source);
  gpu.price_per_gpu_hour = figures.price_per_gpu_hour;
  // GPU-level fields first, so profile checks can rely on them.
  if (gpu.compute_slices < 1 || gpu.memory_slices < 1 ||
      gpu.memory_slices > geometry::kMaxMemorySlices) {
    return reader.Error(node, "gpu '" + gpu.name + "': compute_slices must be >= 1 and "
                              "memory_slices 1.." + std::to_string(geometry::kMaxMemorySlices));
  }
  Result<YAML::Node> profiles = reader.Required(node, "profiles");
  if (!profiles.has_value()) return profiles.error();
  if (!profiles->IsSequence()) return reader.Error(*profiles, "'profiles' must be a list");
  for (const YAML::Node& item : *profiles) {
    GiProfile profile;
    MIGSCHED_ASSIGN_OR_RETURN(profile, ParseProfile(reader, gpu, item));
    for (const GiProfile& earlier : gpu.profiles) {
      if (earlier.name == profile.name) {
        return reader.Error(item, "gpu '" + gpu.name + "': duplicate profile '" + profile.name + "'");
      }
      if (earlier.id == profile.id) {
        return reader.Error(item, "gpu '" + gpu.name + "': profiles '" + earlier.name + "' and '" +
                                      profile.name + "' share id " + std::to_string(profile.id));
      }
    }
    gpu.profiles.push_back(std::move(profile));
  }
  MIGSCHED_RETURN_IF_ERROR(geometry::ValidateGpuModel(gpu).WithPrefix(
      reader.Where(node) + ": gpu '" + gpu.name + "'"));
  return gpu;
}

}  // namespace

Result<std::vector<GpuModel>> ParseCatalogYaml(std::string_view text, const std::string& source) {
  const YamlReader reader(source);
  const Result<YAML::Node> root = reader.Parse(text);
  if (!root.has_value()) return root.error();
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(*root, "catalog", {"schema", "gpus"}));
  const Result<std::string> schema = reader.String(*root, "schema");
  if (!schema.has_value()) return schema.error();
  if (*schema != kSchema) {
    return reader.Error((*root)["schema"], "unsupported schema " + Quote(*schema) + " (expected " +
                                               std::string(kSchema) + ")");
  }
  const Result<YAML::Node> gpus = reader.Required(*root, "gpus");
  if (!gpus.has_value()) return gpus.error();
  if (!gpus->IsSequence()) return reader.Error(*gpus, "'gpus' must be a list");
  std::vector<GpuModel> models;
  for (const YAML::Node& node : *gpus) {
    Result<GpuModel> gpu = ParseGpu(reader, node);
    if (!gpu.has_value()) return gpu.error();
    models.push_back(std::move(*gpu));
  }
  return models;
}

Result<geometry::Catalog> BuiltinCatalog() {
  Result<std::vector<GpuModel>> models = ParseCatalogYaml(kBuiltinCatalogYaml, "<built-in catalog>");
  if (!models.has_value()) return models.error();
  return geometry::Catalog::Create(std::move(*models));
}

Result<geometry::Catalog> LoadCatalog(std::span<const std::string> extra_files) {
  Result<geometry::Catalog> catalog = BuiltinCatalog();
  for (const std::string& path : extra_files) {
    if (!catalog.has_value()) return catalog;
    const Result<std::string> text = ReadTextFile(path, "catalog file");
    if (!text.has_value()) return text.error();
    Result<std::vector<GpuModel>> extra = ParseCatalogYaml(*text, path);
    if (!extra.has_value()) return extra.error();
    catalog = catalog->Merge(std::move(*extra));
    if (!catalog.has_value()) return catalog.error().WithPrefix(path);
  }
  return catalog;
}

}  // namespace migsched::io
