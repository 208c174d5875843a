// Headless Chromium for tests that check what a browser really makes of a
// page: the DOM after its scripts ran (--dump-dom) and screenshots. Each run
// gets its own throw-away profile directory, so tests may run side by side.
// Tests call FindChromium() first and GTEST_SKIP when it gives nothing.
//
// Virtual time only advances while no request is pending, so a page that
// holds a response open (an event stream that never ends) never finishes:
// the server under test must end its streams (serve: /ui/events streams
// with a bounded lifetime; EventSource reconnects after the retry delay).
#pragma once

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "common/status.h"

namespace migsched::testing {

// $MIGSCHED_CHROMIUM, else the first of chromium, chromium-browser,
// google-chrome on PATH; nullopt when there is none.
inline std::optional<std::string> FindChromium() {
  if (const char* chosen = std::getenv("MIGSCHED_CHROMIUM"); chosen != nullptr && *chosen != '\0') {
    return std::string(chosen);
  }
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const std::string probe = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return std::string(name);
  }
  return std::nullopt;
}

struct ChromiumOptions {
  // Virtual time the page gets to run its scripts and timers; network waits
  // do not count, so the result does not depend on the machine's speed.
  int virtual_time_budget_ms = 5000;
  int window_width = 1400;
  int window_height = 1000;
  int timeout_s = 90;  // wall clock, for the whole browser run
};

namespace internal {

inline std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Runs chromium headless on `url` with `action` ("--dump-dom" or
// "--screenshot=PATH"); gives its stdout.
inline Result<std::string> RunChromium(std::string_view url, const std::string& action, const ChromiumOptions& options) {
  const std::optional<std::string> chromium = FindChromium();
  if (!chromium) return UnavailableError("no chromium on PATH (set MIGSCHED_CHROMIUM)");
  std::string profile_template = (std::filesystem::temp_directory_path() / "migsched-chromium-XXXXXX").string();
  if (::mkdtemp(profile_template.data()) == nullptr) return InternalError("mkdtemp failed for " + profile_template);
  const std::filesystem::path profile = profile_template;
  const std::filesystem::path log = profile / "stderr.log";
  const std::string command =
      "timeout " + std::to_string(options.timeout_s) + " " + ShellQuote(*chromium) +
      " --headless --no-sandbox --disable-gpu --disable-extensions --no-first-run --no-default-browser-check"
      " --disable-background-networking --hide-scrollbars --user-data-dir=" + ShellQuote(profile.string()) +
      " --window-size=" + std::to_string(options.window_width) + "," + std::to_string(options.window_height) +
      " --virtual-time-budget=" + std::to_string(options.virtual_time_budget_ms) + " " + ShellQuote(action) + " " +
      ShellQuote(url) + " 2>" + ShellQuote(log.string());
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return InternalError("popen failed: " + command);
  char buffer[8192];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  std::ostringstream err;
  err << std::ifstream(log).rdbuf();
  std::error_code ignored;
  std::filesystem::remove_all(profile, ignored);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::string tail = err.str();
    if (tail.size() > 2000) tail = tail.substr(tail.size() - 2000);
    return UnavailableError(*chromium + " " + action + " " + std::string(url) + ": exit " + std::to_string(code) +
                            (code == 124 ? " (timed out)" : "") + "\n" + tail);
  }
  return output;
}

}  // namespace internal

// The page's DOM, serialised, after its scripts ran for the virtual time budget.
inline Result<std::string> DumpDom(std::string_view url, const ChromiumOptions& options = {}) {
  return internal::RunChromium(url, "--dump-dom", options);
}

// A PNG of the page at the window size.
inline Status Screenshot(std::string_view url, const std::string& png_path, const ChromiumOptions& options = {}) {
  const Result<std::string> run = internal::RunChromium(url, "--screenshot=" + png_path, options);
  if (!run.has_value()) return run.error();
  if (!std::filesystem::exists(png_path)) return InternalError("chromium wrote no " + png_path);
  return Status::Ok();
}

// The markup of the element with id="`id`" in serialised HTML, from its start
// tag to its matching end tag (found by counting nested elements with the
// same tag name); empty when there is none.
inline std::string ElementById(std::string_view html, std::string_view id) {
  const size_t attribute = html.find("id=\"" + std::string(id) + "\"");
  if (attribute == std::string_view::npos) return "";
  const size_t start = html.rfind('<', attribute);
  if (start == std::string_view::npos) return "";
  size_t name_end = start + 1;
  while (name_end < html.size() && html[name_end] != ' ' && html[name_end] != '>') ++name_end;
  const std::string tag(html.substr(start + 1, name_end - start - 1));
  const std::string open = "<" + tag;
  const std::string close = "</" + tag + ">";
  int depth = 0;
  size_t at = start;
  while (at < html.size()) {
    const size_t next_open = html.find(open, at);
    const size_t next_close = html.find(close, at);
    if (next_close == std::string_view::npos) return "";
    const bool opens = next_open < next_close && next_open + open.size() < html.size() &&
                       (html[next_open + open.size()] == ' ' || html[next_open + open.size()] == '>');
    if (next_open < next_close) {
      if (opens) ++depth;
      at = next_open + open.size();
      continue;
    }
    if (--depth == 0) return std::string(html.substr(start, next_close + close.size() - start));
    at = next_close + close.size();
  }
  return "";
}

}  // namespace migsched::testing
