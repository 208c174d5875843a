// The web dashboard: one self-contained HTML page (inline CSS and script, no
// external files) that serve answers GET / with, without a token. The page
// reads the read-only endpoints GET /ui/state (JSON), GET /ui/fleet.svg and
// GET /ui/events (server-sent events) on the same origin; see
// dashboard/dashboard.html for the fields it uses. The page is
// src/daemon/dashboard/dashboard.html, compiled into the binary.
#pragma once

#include <string_view>

namespace migsched::daemon {

// The page, UTF-8; serve it as "text/html; charset=utf-8".
std::string_view DashboardHtml();

}  // namespace migsched::daemon
