#pragma once
// Fetches an http:// or https:// URL into a file, for snapshot recovery from a URL (only reached
// when service.enable_snapshot_url_recovery is on). One GET, no redirects followed, HTTPS peers
// verified against the system's CA store, at most `max_bytes`, `timeout` for the whole transfer.
// Beast stays in src/server/.

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace quiver::server {

// kInvalidArgument for a URL it cannot use or an answer other than 200 (the message says which),
// kUnavailable when the host cannot be reached.
Status DownloadUrl(const std::string& url, const std::string& path, uint64_t max_bytes,
                   std::chrono::seconds timeout);

}  // namespace quiver::server
