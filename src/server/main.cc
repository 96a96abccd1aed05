// quiver: the server binary. Loads settings, opens storage, serves REST until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <thread>

#include "api/rest/rest_api.h"
#include "audit/audit_log.h"
#include "auth/authenticator.h"
#include "auth/token.h"
#include "config/settings.h"
#include "server/http_server.h"
#include "server/signals.h"
#include "server/tls.h"
#include "service/catalog.h"
#include "service/snapshots.h"
#include "server/http_download.h"

#ifndef QUIVER_VERSION
#define QUIVER_VERSION "0.0.0"
#endif
#ifndef QUIVER_COMMIT
#define QUIVER_COMMIT "unknown"
#endif

namespace quiver {
namespace {

spdlog::level::level_enum LogLevel(const std::string& name) {
  if (name == "TRACE") return spdlog::level::trace;
  if (name == "DEBUG") return spdlog::level::debug;
  if (name == "WARN") return spdlog::level::warn;
  if (name == "ERROR") return spdlog::level::err;
  if (name == "OFF") return spdlog::level::off;
  return spdlog::level::info;
}

// Copies the settings' values of the keys a collection config has. The storage section names
// some of them with a `_kb` suffix (`indexing_threshold_kb`); collection configs drop it.
void MergeKnownKeys(Json* collection_config, const Json& storage_section) {
  if (!storage_section.is_object()) return;
  for (const auto& [key, value] : storage_section.as_object()) {
    if (value.is_null()) continue;
    std::string name = key;
    if (name.size() > 3 && name.compare(name.size() - 3, 3, "_kb") == 0) {
      name.resize(name.size() - 3);
    }
    if (collection_config->Find(name) != nullptr || name == "payload_m") {
      collection_config->Set(name, value);
    }
  }
}

CollectionDefaults DefaultsFrom(const Settings& settings) {
  CollectionDefaults d = BuiltinCollectionDefaults();
  MergeKnownKeys(&d.hnsw_config, settings.storage.hnsw_index);
  MergeKnownKeys(&d.optimizer_config, settings.storage.optimizers);
  MergeKnownKeys(&d.wal_config, settings.storage.wal);
  d.on_disk_payload = settings.storage.on_disk_payload;
  if (const Json* threads = settings.storage.performance.Find("max_search_threads");
      threads && threads->is_integer() && threads->as_int() > 0) {
    d.max_search_threads = static_cast<size_t>(threads->as_int());
  }
  return d;
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

// Command-line options of the server itself (not settings: they act once, at start-up).
struct StartOptions {
  std::string storage_snapshot;        // --storage-snapshot PATH
  std::vector<std::string> snapshots;  // --snapshot PATH:COLLECTION
  bool force_snapshot = false;         // --force-snapshot
};

// Qdrant's `--storage-snapshot PATH` (first) and `--snapshot PATH:COLLECTION`: restore before the
// server listens.
// An existing collection is kept (with a note) unless --force-snapshot. False on a failure.
bool RecoverStartupSnapshots(const StartOptions& start, Catalog* catalog, SnapshotStore* store) {
  if (!start.storage_snapshot.empty()) {
    Status restored = catalog->RestoreFullSnapshot(start.storage_snapshot, store->UploadDir(),
                                                   start.force_snapshot);
    if (!restored.ok()) {
      spdlog::error("--storage-snapshot {}: {}", start.storage_snapshot, restored.message());
      return false;
    }
    spdlog::info("collections and aliases restored from {}", start.storage_snapshot);
  }
  for (const std::string& spec : start.snapshots) {
    size_t colon = spec.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
      spdlog::error("--snapshot {}: expected PATH:COLLECTION", spec);
      return false;
    }
    std::string path = spec.substr(0, colon), collection = spec.substr(colon + 1);
    if (catalog->Exists(collection) && !start.force_snapshot) {
      spdlog::warn("--snapshot: collection {} exists; kept (use --force-snapshot to replace it)",
                   collection);
      continue;
    }
    Status restored = store->RecoverFromFile(collection, path, std::nullopt);
    if (!restored.ok()) {
      spdlog::error("--snapshot {}: {}", spec, restored.message());
      return false;
    }
    spdlog::info("collection {} restored from snapshot {}", collection, path);
  }
  return true;
}

int Serve(const std::optional<std::string>& config_path, const StartOptions& start) {
  std::vector<std::string> warnings;
  auto settings = LoadSettings(config_path, ProcessEnvironment(), &warnings);
  if (!settings.ok()) {
    std::cerr << "quiver: configuration error: " << settings.status().message() << "\n";
    return 2;
  }
  spdlog::set_level(LogLevel(settings->log_level));
  auth::Authenticator authenticator(auth::KeySettings{settings->service.api_key,
                                                      settings->service.alt_api_key,
                                                      settings->service.read_only_api_key,
                                                      settings->service.jwt_rbac});
  for (const std::string& w : warnings) spdlog::warn("{}", w);
  for (const std::string& f : settings->loaded_files) spdlog::info("configuration loaded from {}", f);
  if (authenticator.open() && !IsLoopback(settings->service.host)) {
    spdlog::warn("No API key is configured and the server listens on {}: anyone who can reach "
                 "it has full access.", settings->service.host);
  }

  // Signals are blocked before any thread starts, so that every thread inherits the mask and
  // WaitForShutdownSignal() is the one place that receives them.
  std::shared_ptr<server::TlsContextProvider> tls;
  if (settings->service.enable_tls) {
    auto provider = server::TlsContextProvider::Create(
        server::TlsOptions{settings->tls.cert, settings->tls.key, settings->tls.ca_cert,
                           settings->service.verify_https_client_certificate,
                           settings->tls.cert_ttl_s},
        [](std::string_view m) { spdlog::error("{}", m); });
    if (!provider.ok()) {
      std::cerr << "quiver: TLS configuration error: " << provider.status().message() << "\n";
      return 2;
    }
    tls = std::move(provider).value();
  }

  server::BlockShutdownSignals();

  auto catalog = Catalog::Open(settings->storage.storage_path, DefaultsFrom(*settings));
  if (!catalog.ok()) {
    spdlog::error("cannot open storage: {}", catalog.status().message());
    return 1;
  }
  std::unique_ptr<audit::AuditLog> audit_log;
  if (settings->audit.enabled) {
    audit::AuditOptions audit_options;
    audit_options.dir = settings->audit.dir;
    audit_options.hourly = settings->audit.rotation == "hourly";
    audit_options.max_log_files = settings->audit.max_log_files;
    auto opened = audit::AuditLog::Open(audit_options);
    if (!opened.ok()) {
      spdlog::error("cannot open the audit log: {}", opened.status().message());
      return 1;
    }
    audit_log = std::move(opened).value();
  }
  rest::SecurityOptions security{&authenticator, audit_log.get(),
                                 settings->audit.trust_forwarded_headers};
  SnapshotStore snapshots(catalog->get(), settings->storage.snapshots_path,
                          settings->service.enable_snapshot_url_recovery,
                          [](const std::string& url, const std::string& path) {
                            return server::DownloadUrl(url, path, uint64_t{1} << 40,
                                                       std::chrono::hours(1));
                          });
  if (!RecoverStartupSnapshots(start, catalog->get(), &snapshots)) return 1;
  rest::RestApi api(catalog->get(), rest::ServiceInfo{QUIVER_VERSION, QUIVER_COMMIT}, security,
                    settings->service.enable_cors, &snapshots);
  api.monitoring().Configure(
      rest::MonitoringOptions{settings->service.slow_query_secs, settings->service.metrics_prefix});

  server::HttpServerOptions options;
  options.host = settings->service.host;
  options.port = settings->service.http_port;
  options.max_body_bytes = settings->service.max_request_size_mb * 1024 * 1024;
  options.threads = settings->service.max_workers > 0
                        ? settings->service.max_workers
                        : std::max(2u, std::thread::hardware_concurrency());
  options.error_log = [](std::string_view m) { spdlog::error("http: {}", m); };
  if (tls) options.tls_context = [tls] { return tls->Current(); };
  options.plan_body = [&api](const rest::HttpRequest& head) { return api.PlanBody(head); };
  server::HttpServer http(options, [&api](rest::HttpRequest& r) { return api.Handle(r); });
  Status started = http.Start();
  if (!started.ok()) {
    spdlog::error("cannot start the REST server: {}", started.message());
    return 1;
  }
  spdlog::info("Quiver {} serving REST ({}) on {}:{}", QUIVER_VERSION, tls ? "https" : "http",
               options.host, http.port());

  int signal = server::WaitForShutdownSignal();
  spdlog::info("signal {} received: shutting down", signal);
  http.Stop();
  if (audit_log) audit_log->Flush();
  Status flushed = (*catalog)->Flush();
  if (!flushed.ok()) spdlog::error("flush on shutdown failed: {}", flushed.message());
  spdlog::info("stopped");
  return 0;
}

struct TokenOptions {
  std::string access;                    // "r" or "m"; empty with --collection
  std::vector<std::string> collections;  // NAME:r|rw|prw
  std::string ttl = "1h";
  std::string subject;
};

// Parses 90s / 15m / 1h / 7d (or plain seconds).
std::optional<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int64_t unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 's': unit = 1; digits.pop_back(); break;
    case 'm': unit = 60; digits.pop_back(); break;
    case 'h': unit = 3600; digits.pop_back(); break;
    case 'd': unit = 86400; digits.pop_back(); break;
    default: break;
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(digits) * unit;
}

// `quiver token`: mints an HS256 JWT with the configured api_key, so operators need no other tool.
int MintTokenCommand(const std::optional<std::string>& config_path, const TokenOptions& options) {
  std::vector<std::string> warnings;
  auto settings = LoadSettings(config_path, ProcessEnvironment(), &warnings);
  if (!settings.ok()) {
    std::cerr << "quiver: configuration error: " << settings.status().message() << "\n";
    return 2;
  }
  if (settings->service.api_key.empty()) {
    std::cerr << "quiver token: service.api_key is not configured: nothing to sign with\n";
    return 2;
  }
  if (!settings->service.jwt_rbac) {
    std::cerr << "quiver token: warning: service.jwt_rbac is off; the server will refuse this "
                 "token until it is turned on\n";
  }
  if (!options.access.empty() && !options.collections.empty()) {
    std::cerr << "quiver token: give either --access or --collection, not both\n";
    return 2;
  }
  auto ttl = ParseDuration(options.ttl);
  if (!ttl || *ttl <= 0) {
    std::cerr << "quiver token: --ttl must look like 90s, 15m, 1h or 7d\n";
    return 2;
  }
  Json claims = Json::MakeObject();
  claims.Set("exp", Json(static_cast<int64_t>(std::time(nullptr)) + *ttl));
  // Qdrant's claim name; the audit log records it.
  if (!options.subject.empty()) claims.Set("subject", Json(options.subject));
  if (!options.collections.empty()) {
    Json grants = Json::MakeArray();
    for (const std::string& c : options.collections) {
      size_t colon = c.rfind(':');
      std::string level = colon == std::string::npos ? "" : c.substr(colon + 1);
      if (colon == 0 || (level != "r" && level != "rw" && level != "prw")) {
        std::cerr << "quiver token: --collection takes NAME:r, NAME:rw or NAME:prw\n";
        return 2;
      }
      grants.Push(Json(Json::Object{{"collection", Json(c.substr(0, colon))}, {"access", Json(level)}}));
    }
    claims.Set("access", grants);
  } else if (options.access == "r" || options.access == "m") {
    claims.Set("access", Json(options.access));
  } else {
    std::cerr << "quiver token: give --access r|m or one or more --collection NAME:r|rw|prw\n";
    return 2;
  }
  auto token = auth::MintToken(settings->service.api_key, claims);
  if (!token.ok()) {
    std::cerr << "quiver token: " << token.status().message() << "\n";
    return 1;
  }
  std::cout << *token << "\n";
  return 0;
}

}  // namespace
}  // namespace quiver

int main(int argc, char** argv) {
  CLI::App app{"Quiver: a Qdrant-compatible vector database"};
  std::string config_path;
  app.add_option("--config-path", config_path, "configuration file (YAML), over config/config.yaml");
  quiver::TokenOptions token;
  CLI::App* token_cmd = app.add_subcommand("token", "mint a JWT signed with the configured api_key");
  token_cmd->add_option("--access", token.access, "global access: r (read) or m (manage)");
  token_cmd->add_option("--collection", token.collections, "NAME:r|rw|prw, repeatable");
  token_cmd->add_option("--ttl", token.ttl, "lifetime: 90s, 15m, 1h, 7d (default 1h)");
  token_cmd->add_option("--subject", token.subject, "subject recorded in the audit log");
  token_cmd->add_option("--config-path", config_path, "configuration file (YAML)");
  quiver::StartOptions start;
  app.add_option("--snapshot", start.snapshots,
                 "PATH:COLLECTION: restore the collection from a snapshot before serving (repeatable)");
  app.add_option("--storage-snapshot", start.storage_snapshot,
                 "PATH: restore every collection and alias of a full snapshot before serving");
  app.add_flag("--force-snapshot", start.force_snapshot,
               "with --snapshot / --storage-snapshot: replace collections that already exist");
  CLI11_PARSE(app, argc, argv);
  std::optional<std::string> path =
      config_path.empty() ? std::nullopt : std::optional<std::string>(config_path);
  if (*token_cmd) return quiver::MintTokenCommand(path, token);
  return quiver::Serve(path, start);
}
