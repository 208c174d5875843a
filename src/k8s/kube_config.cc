#include "k8s/kube_config.h"

#include <array>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "io/text_file.h"
#include "io/yaml_reader.h"

namespace migsched::k8s {
namespace {

// A path in a kubeconfig is relative to the kubeconfig's directory.
std::string Resolve(const std::string& kubeconfig, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(kubeconfig).parent_path() / p).string();
}

// The entry of `list` (clusters, users or contexts) named `name`, or an error.
Result<YAML::Node> Named(const io::YamlReader& reader, const YAML::Node& root, std::string_view list,
                         const std::string& name) {
  Result<YAML::Node> entries = reader.Required(root, list);
  if (!entries.has_value()) return entries.error();
  if (!entries->IsSequence()) return reader.Error(*entries, std::string(list) + " must be a list");
  for (const YAML::Node& entry : *entries) {
    if (!entry.IsMap()) return reader.Error(entry, std::string(list) + " entries must be maps");
    Result<std::string> entry_name = reader.String(entry, "name");
    if (!entry_name.has_value()) return entry_name.error();
    if (*entry_name != name) continue;
    const std::string_view key = list.substr(0, list.size() - 1);  // "clusters" -> "cluster"
    Result<YAML::Node> body = reader.Required(entry, key);
    if (!body.has_value()) return body.error();
    if (!body->IsMap()) return reader.Error(*body, std::string(key) + " '" + name + "' must be a map");
    return *body;
  }
  return reader.Error(*entries, "no " + std::string(list.substr(0, list.size() - 1)) + " named '" + name + "'");
}

// A credential given inline as base64 (`<key>-data`) or as a file (`<key>`).
Result<std::string> Material(const io::YamlReader& reader, const YAML::Node& map, const std::string& key,
                             const std::string& kubeconfig) {
  if (map[key + "-data"]) {
    Result<std::string> data = reader.String(map, key + "-data");
    if (!data.has_value()) return data.error();
    Result<std::string> decoded = DecodeBase64(*data, reader.Where(map[key + "-data"]) + ": " + key + "-data");
    if (!decoded.has_value()) return decoded.error();
    return decoded;
  }
  if (map[key]) {
    Result<std::string> path = reader.String(map, key);
    if (!path.has_value()) return path.error();
    return io::ReadTextFile(Resolve(kubeconfig, *path), key);
  }
  return std::string();
}

std::string TrimNewlines(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

Result<std::string> DecodeBase64(std::string_view text, std::string_view what) {
  std::array<int, 256> value{};
  value.fill(-1);
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) value[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  std::string out;
  unsigned bits = 0;
  int count = 0;
  bool padded = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padded = true;
      continue;
    }
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0 || padded) return InvalidArgumentError(std::string(what) + ": not base64");
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

Result<KubeConfig> LoadKubeconfig(const std::string& path) {
  Result<std::string> text = io::ReadTextFile(path, "kubeconfig");
  if (!text.has_value()) return text.error();
  const io::YamlReader reader(path);
  Result<YAML::Node> root = reader.Parse(*text);
  if (!root.has_value()) return root.error();
  if (!root->IsMap()) return InvalidArgumentError(path + ": a kubeconfig must be a map");
  Result<std::string> current = reader.String(*root, "current-context");
  if (!current.has_value()) return current.error();
  Result<YAML::Node> context = Named(reader, *root, "contexts", *current);
  if (!context.has_value()) return context.error();
  Result<std::string> cluster_name = reader.String(*context, "cluster");
  if (!cluster_name.has_value()) return cluster_name.error();
  Result<YAML::Node> cluster = Named(reader, *root, "clusters", *cluster_name);
  if (!cluster.has_value()) return cluster.error();

  KubeConfig config;
  Result<std::string> server = reader.String(*cluster, "server");
  if (!server.has_value()) return server.error();
  config.server = TrimNewlines(*server);
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    return reader.Error((*cluster)["server"], "server must be an http:// or https:// URL, not '" + *server + "'");
  }
  Result<bool> insecure = reader.OptionalBool(*cluster, "insecure-skip-tls-verify", false);
  if (!insecure.has_value()) return insecure.error();
  config.insecure_skip_tls_verify = *insecure;
  Result<std::string> ca = Material(reader, *cluster, "certificate-authority", path);
  if (!ca.has_value()) return ca.error();
  config.ca_pem = *ca;

  if (!(*context)["user"]) return config;  // anonymous
  Result<std::string> user_name = reader.String(*context, "user");
  if (!user_name.has_value()) return user_name.error();
  Result<YAML::Node> user = Named(reader, *root, "users", *user_name);
  if (!user.has_value()) return user.error();
  for (const char* plugin : {"exec", "auth-provider"}) {
    if ((*user)[plugin]) {
      return reader.Error((*user)[plugin], std::string("user '") + *user_name + "' uses " + plugin +
                                               ", which migsched does not run: give a token or a client certificate");
    }
  }
  if ((*user)["token"]) {
    Result<std::string> token = reader.String(*user, "token");
    if (!token.has_value()) return token.error();
    config.token = *token;
  } else if ((*user)["tokenFile"]) {
    Result<std::string> token_file = reader.String(*user, "tokenFile");
    if (!token_file.has_value()) return token_file.error();
    Result<std::string> token = io::ReadTextFile(Resolve(path, *token_file), "tokenFile");
    if (!token.has_value()) return token.error();
    config.token = TrimNewlines(*token);
  }
  Result<std::string> cert = Material(reader, *user, "client-certificate", path);
  if (!cert.has_value()) return cert.error();
  Result<std::string> key = Material(reader, *user, "client-key", path);
  if (!key.has_value()) return key.error();
  if (cert->empty() != key->empty()) {
    return reader.Error(*user, "user '" + *user_name + "' needs both client-certificate and client-key");
  }
  config.client_cert_pem = *cert;
  config.client_key_pem = *key;
  return config;
}

Result<KubeConfig> InClusterConfig(std::string_view root) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return FailedPreconditionError(
        "not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST/PORT unset): give --kubeconfig or --server");
  }
  const std::string dir(root);
  Result<std::string> token = io::ReadTextFile(dir + "/token", "service account token");
  if (!token.has_value()) return token.error();
  Result<std::string> ca = io::ReadTextFile(dir + "/ca.crt", "service account CA");
  if (!ca.has_value()) return ca.error();
  const std::string h(host);
  // An IPv6 service address needs brackets in a URL.
  const std::string authority = h.find(':') == std::string::npos ? h : "[" + h + "]";
  KubeConfig config;
  config.server = "https://" + authority + ":" + port;
  config.ca_pem = *ca;
  config.token = TrimNewlines(*token);
  return config;
}

}  // namespace migsched::k8s
