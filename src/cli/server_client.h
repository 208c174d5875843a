// How CLI commands talk to a running `migsched serve`: the --server and
// --token-file options (defaults from $MIGSCHED_SERVER, $MIGSCHED_TOKEN_FILE)
// and one authenticated JSON request.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace CLI {
class App;
}

namespace migsched::cli {

struct ServerArgs {
  std::string server;
  std::string token_file;
};

// Adds --server and --token-file to `command`, filling `args` with their
// defaults now and the user's values when parsed.
void AddServerOptions(CLI::App* command, ServerArgs& args);

// One request ("GET", "POST" with a JSON `body`, "DELETE"); the parsed JSON
// body of a 2xx answer. Errors: the token file's; InvalidArgument for a bad
// URL or a 4xx (NotFound for 404) with the server's message; Unavailable when
// the server cannot be reached, answers 5xx or malformed JSON.
Result<nlohmann::json> CallServer(const ServerArgs& args, const std::string& method, const std::string& path,
                                  const std::string& body = "");

}  // namespace migsched::cli
