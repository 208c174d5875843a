#include "mig_parted/config_reader.h"

#include <algorithm>

#include "common/names.h"
#include "common/strings.h"
#include "geometry/gpu_model.h"
#include "io/text_file.h"
#include "io/yaml_reader.h"

namespace migsched::mig_parted {
namespace {

using io::YamlReader;

Result<std::vector<uint32_t>> ParseDeviceFilter(const YamlReader& reader, const YAML::Node& node) {
  std::vector<YAML::Node> items;
  if (node.IsScalar()) {
    items.push_back(node);
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) items.push_back(item);
  } else {
    return reader.Error(node, "'device-filter' must be a PCI id or a list of them");
  }
  std::vector<uint32_t> ids;
  for (const YAML::Node& item : items) {
    if (!item.IsScalar()) return reader.Error(item, "'device-filter' entries must be PCI ids");
    Result<uint32_t> id = geometry::ParsePciDeviceId(item.Scalar());
    if (!id.has_value()) return reader.Error(item, id.error().message());
    ids.push_back(*id);
  }
  return ids;
}

Result<std::optional<std::vector<int>>> ParseDevices(const YamlReader& reader,
                                                     const YAML::Node& entry) {
  Result<YAML::Node> node = reader.Required(entry, "devices");
  if (!node.has_value()) return node.error();
  if (node->IsScalar() && node->Scalar() == "all") return std::optional<std::vector<int>>();
  if (!node->IsSequence()) {
    return reader.Error(*node, "'devices' must be 'all' or a list of GPU indices");
  }
  std::vector<int> indices;
  for (const YAML::Node& item : *node) {
    Result<int64_t> index = reader.AsInteger(item, "'devices' entries");
    if (!index.has_value()) return index.error();
    if (*index < 0 || *index > 1023) {
      return reader.Error(item, "GPU index " + std::to_string(*index) + " is out of range");
    }
    if (std::find(indices.begin(), indices.end(), *index) != indices.end()) {
      return reader.Error(item, "GPU index " + std::to_string(*index) + " is listed twice");
    }
    indices.push_back(static_cast<int>(*index));
  }
  return std::optional<std::vector<int>>(std::move(indices));
}

Result<std::vector<std::pair<std::string, int>>> ParseMigDevices(const YamlReader& reader,
                                                                 const YAML::Node& entry) {
  std::vector<std::pair<std::string, int>> counts;
  const YAML::Node node = entry["mig-devices"];
  if (!node || node.IsNull()) return counts;
  if (!node.IsMap()) return reader.Error(node, "'mig-devices' must map profile names to counts");
  for (const auto& item : node) {
    const std::string profile = item.first.Scalar();
    for (const auto& [seen, count] : counts) {
      if (seen == profile) return reader.Error(item.first, "profile '" + profile + "' listed twice");
    }
    Result<int> count = reader.Count(node, profile);
    if (!count.has_value()) return count.error();
    counts.emplace_back(profile, *count);
  }
  return counts;
}

Result<Entry> ParseEntry(const YamlReader& reader, const YAML::Node& node) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(
      node, "a mig-configs entry", {"device-filter", "devices", "mig-enabled", "mig-devices"}));
  Entry entry;
  entry.where = reader.Where(node);
  if (const YAML::Node filter = node["device-filter"]; filter && !filter.IsNull()) {
    MIGSCHED_ASSIGN_OR_RETURN(entry.device_filter, ParseDeviceFilter(reader, filter));
  }
  MIGSCHED_ASSIGN_OR_RETURN(entry.devices, ParseDevices(reader, node));
  if (Result<YAML::Node> flag = reader.Required(node, "mig-enabled"); !flag.has_value()) {
    return flag.error();
  }
  MIGSCHED_ASSIGN_OR_RETURN(entry.mig_enabled, reader.OptionalBool(node, "mig-enabled", false));
  MIGSCHED_ASSIGN_OR_RETURN(entry.mig_devices, ParseMigDevices(reader, node));
  if (!entry.mig_enabled) {
    for (const auto& [profile, count] : entry.mig_devices) {
      if (count > 0) {
        return reader.Error(node["mig-devices"],
                            "'mig-devices' asks for " + profile + " but 'mig-enabled' is false");
      }
    }
  }
  return entry;
}

Status ParseConfigs(const YamlReader& reader, const YAML::Node& root, File& file) {
  MIGSCHED_RETURN_IF_ERROR(reader.ExpectKeys(root, "a mig-parted file", {"version", "mig-configs"}));
  Result<std::string> version = reader.String(root, "version");
  if (!version.has_value()) return version.error();
  if (*version != "v1") {
    return reader.Error(root["version"], "unsupported version " + Quote(*version) + " (known: v1)");
  }
  Result<YAML::Node> configs = reader.Required(root, "mig-configs");
  if (!configs.has_value()) return configs.error();
  if (!configs->IsMap()) return reader.Error(*configs, "'mig-configs' must map names to lists");
  for (const auto& item : *configs) {
    Config config{.name = item.first.Scalar(), .where = reader.Where(item.first),
                           .entries = {}};
    MIGSCHED_RETURN_IF_ERROR(CheckHostName(config.name, "config name").WithPrefix(config.where));
    for (const Config& seen : file.configs) {
      if (seen.name == config.name) {
        return reader.Error(item.first, "config '" + config.name + "' is defined twice (first at " +
                                            seen.where + ")");
      }
    }
    if (!item.second.IsSequence()) {
      return reader.Error(item.second, "config '" + config.name + "' must be a list of entries");
    }
    for (const YAML::Node& node : item.second) {
      Result<Entry> entry = ParseEntry(reader, node);
      if (!entry.has_value()) return entry.error();
      config.entries.push_back(std::move(*entry));
    }
    file.configs.push_back(std::move(config));
  }
  return Status::Ok();
}

// A ConfigMap's data values that hold a mig-parted file, parsed with the line
// numbers of the manifest: the embedded text is preceded by as many empty
// lines as come before it in the outer file.
Status ParseConfigMap(const YamlReader& reader, const YAML::Node& document, File& file) {
  const YAML::Node data = document["data"];
  if (!data || !data.IsMap()) return Status::Ok();
  for (const auto& item : data) {
    if (!item.second.IsScalar()) continue;
    const std::string& text = item.second.Scalar();
    if (text.find("mig-configs") == std::string::npos) continue;
    const int first_line = item.second.Mark().line + 1;  // the line after "key: |"
    std::string padded(static_cast<size_t>(std::max(first_line, 0)), '\n');
    padded += text;
    Result<YAML::Node> embedded = reader.Parse(padded);
    if (!embedded.has_value()) return embedded.error();
    MIGSCHED_RETURN_IF_ERROR(ParseConfigs(reader, *embedded, file));
  }
  return Status::Ok();
}

}  // namespace

Result<const Config*> File::Find(std::string_view name) const {
  std::vector<std::string> names;
  for (const Config& config : configs) {
    if (config.name == name) return &config;
    names.push_back(config.name);
  }
  return NotFoundError("no mig-parted config named '" + std::string(name) +
                       "' (the file has: " + Join(names, ", ") + ")");
}

Result<File> ParseMigPartedYaml(std::string_view text, const std::string& source) {
  const YamlReader reader(source);
  std::vector<YAML::Node> documents;
  MIGSCHED_ASSIGN_OR_RETURN(documents, reader.ParseAll(text));
  File file;
  bool hooks_only = false;
  for (const YAML::Node& document : documents) {
    if (!document.IsMap()) continue;
    if (document["mig-configs"]) {
      MIGSCHED_RETURN_IF_ERROR(ParseConfigs(reader, document, file));
    } else if (document["kind"] && document["kind"].IsScalar() &&
               document["kind"].Scalar() == "ConfigMap") {
      MIGSCHED_RETURN_IF_ERROR(ParseConfigMap(reader, document, file));
    } else if (document["hooks"]) {
      hooks_only = true;
    }
  }
  if (file.configs.empty()) {
    return InvalidArgumentError(
        source + ": no 'mig-configs' found" +
        (hooks_only ? std::string(" (this is a mig-parted hooks file, not a MIG config)") : ""));
  }
  return file;
}

Result<File> ReadMigPartedFile(const std::string& path) {
  std::string text;
  MIGSCHED_ASSIGN_OR_RETURN(text, io::ReadTextFile(path, "mig-parted config"));
  return ParseMigPartedYaml(text, path);
}

}  // namespace migsched::mig_parted
