// quiver: the server binary. Loads settings, opens storage, serves REST until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "api/rest/rest_api.h"
#include "config/settings.h"
#include "server/http_server.h"
#include "server/signals.h"
#include "service/catalog.h"

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
  return d;
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

int Serve(const std::optional<std::string>& config_path) {
  std::vector<std::string> warnings;
  auto settings = LoadSettings(config_path, ProcessEnvironment(), &warnings);
  if (!settings.ok()) {
    std::cerr << "quiver: configuration error: " << settings.status().message() << "\n";
    return 2;
  }
  spdlog::set_level(LogLevel(settings->log_level));
  // Refuse, rather than silently serve unprotected, what this build cannot enforce yet.
  if (settings->service.enable_tls) {
    std::cerr << "quiver: service.enable_tls is set, but this build does not serve TLS yet\n";
    return 2;
  }
  if (!settings->service.api_key.empty() || !settings->service.read_only_api_key.empty() ||
      !settings->service.alt_api_key.empty() || settings->service.jwt_rbac) {
    std::cerr << "quiver: API keys are configured, but this build does not enforce access "
                 "control yet; refusing to start unprotected\n";
    return 2;
  }
  for (const std::string& w : warnings) spdlog::warn("{}", w);
  for (const std::string& f : settings->loaded_files) spdlog::info("configuration loaded from {}", f);
  if (!IsLoopback(settings->service.host)) {
    spdlog::warn("No API key is configured and the server listens on {}: anyone who can reach "
                 "it has full access.", settings->service.host);
  }

  // Signals are blocked before any thread starts, so that every thread inherits the mask and
  // WaitForShutdownSignal() is the one place that receives them.
  server::BlockShutdownSignals();

  auto catalog = Catalog::Open(settings->storage.storage_path, DefaultsFrom(*settings));
  if (!catalog.ok()) {
    spdlog::error("cannot open storage: {}", catalog.status().message());
    return 1;
  }
  rest::RestApi api(catalog->get(), rest::ServiceInfo{QUIVER_VERSION, QUIVER_COMMIT});

  server::HttpServerOptions options;
  options.host = settings->service.host;
  options.port = settings->service.http_port;
  options.max_body_bytes = settings->service.max_request_size_mb * 1024 * 1024;
  options.threads = settings->service.max_workers > 0
                        ? settings->service.max_workers
                        : std::max(2u, std::thread::hardware_concurrency());
  options.error_log = [](std::string_view m) { spdlog::error("http: {}", m); };
  server::HttpServer http(options, [&api](rest::HttpRequest& r) { return api.Handle(r); });
  Status started = http.Start();
  if (!started.ok()) {
    spdlog::error("cannot start the REST server: {}", started.message());
    return 1;
  }
  spdlog::info("Quiver {} serving REST on {}:{}", QUIVER_VERSION, options.host, http.port());

  int signal = server::WaitForShutdownSignal();
  spdlog::info("signal {} received: shutting down", signal);
  http.Stop();
  Status flushed = (*catalog)->Flush();
  if (!flushed.ok()) spdlog::error("flush on shutdown failed: {}", flushed.message());
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace quiver

int main(int argc, char** argv) {
  CLI::App app{"Quiver: a Qdrant-compatible vector database"};
  std::string config_path;
  app.add_option("--config-path", config_path, "configuration file (YAML), over config/config.yaml");
  CLI11_PARSE(app, argc, argv);
  return quiver::Serve(config_path.empty() ? std::nullopt : std::optional<std::string>(config_path));
}
