#include "cli/server_client.h"

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>

#include "daemon/token.h"

namespace migsched::cli {
namespace {

using nlohmann::json;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

void AddServerOptions(CLI::App* command, ServerArgs& args) {
  args.server = EnvOr("MIGSCHED_SERVER", "http://127.0.0.1:8470");
  args.token_file = EnvOr("MIGSCHED_TOKEN_FILE", "./migsched-state/token");
  command->add_option("--server", args.server, "server URL ($MIGSCHED_SERVER)")->capture_default_str();
  command->add_option("--token-file", args.token_file, "bearer token file ($MIGSCHED_TOKEN_FILE)")
      ->capture_default_str();
}

Result<json> CallServer(const ServerArgs& args, const std::string& method, const std::string& path,
                        const std::string& body) {
  Result<std::string> token = daemon::ReadTokenFile(args.token_file);
  if (!token.has_value()) return token.error();
  httplib::Client client(args.server);
  if (!client.is_valid()) return InvalidArgumentError("--server '" + args.server + "' is not a valid URL");
  client.set_bearer_token_auth(*token);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(30));
  client.set_tcp_nodelay(true);  // a POST's body must not wait 40 ms for a delayed ACK (agent_loop.cc)
  httplib::Result res = method == "POST"     ? client.Post(path, body, "application/json")
                        : method == "PUT"    ? client.Put(path, body, "application/json")
                        : method == "DELETE" ? client.Delete(path)
                                             : client.Get(path);
  if (!res) return UnavailableError("cannot reach " + args.server + ": " + httplib::to_string(res.error()));
  json parsed = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status < 200 || res->status >= 300) {
    std::string message = parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()
                              ? parsed["error"].get<std::string>()
                              : res->body;
    if (parsed.is_object() && parsed.contains("field") && parsed["field"].is_string()) {
      message = parsed["field"].get<std::string>() + ": " + message;
    }
    const StatusCode code = res->status == 404 ? StatusCode::kNotFound
                            : res->status < 500 ? StatusCode::kInvalidArgument
                                                : StatusCode::kUnavailable;
    return Status(code, "server answered " + std::to_string(res->status) + ": " + message);
  }
  if (parsed.is_discarded()) return UnavailableError("server answered with malformed JSON");
  return parsed;
}

}  // namespace migsched::cli
