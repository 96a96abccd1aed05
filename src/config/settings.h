#pragma once
// Settings: Quiver's configuration, loaded the way Qdrant loads its own, from the same files,
// keys and environment variables, so a Qdrant deployment's config carries over unchanged.
//
// Layers, each merged over the previous one (mappings key by key, other values replaced):
//   1. built-in defaults (the values of config/config.yaml);
//   2. config/config.yaml, then config/{RUN_MODE}.yaml (RUN_MODE defaults to "development"), then
//      config/local.yaml, each only if present, relative to the working directory; a name is
//      tried with the extension .yaml, then .yml, as Qdrant's loader does;
//   3. the file given with --config-path, which must exist;
//   4. environment variables QDRANT__SECTION__KEY (levels separated by "__", names matched
//      case-insensitively), e.g. QDRANT__SERVICE__HTTP_PORT=7000.
// Values are read leniently as Qdrant does: `6333` and "6333" are the same port; booleans are
// true/false, yes/no, on/off, 1/0 in any case; `null` (or an empty or "null" environment value)
// unsets an optional key such as grpc_port.
//
// Keys: every key Qdrant knows is accepted, including those Quiver does not implement (cluster,
// telemetry_disabled, gpu, ...), which are ignored without a word. A key Qdrant does not know
// gets a warning, not an error. Relative paths stay relative to the working directory.
//
// Thread safety: LoadSettings touches no global state except the files it reads.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace quiver {

struct TlsSettings {
  std::string cert;       // tls.cert: server certificate chain (PEM)
  std::string key;        // tls.key: server private key (PEM)
  std::string ca_cert;    // tls.ca_cert: CA for client certificates; empty when null
  int cert_ttl_s = 3600;  // tls.cert_ttl: reload period in seconds; 0 when null (no reload)
};

struct ServiceSettings {
  std::string host = "0.0.0.0";
  int http_port = 6333;
  int grpc_port = 6334;  // 0: gRPC disabled (`grpc_port: null`, or 0)
  size_t max_request_size_mb = 32;
  bool enable_cors = true;
  bool enable_tls = false;
  bool verify_https_client_certificate = false;
  // Keys in effect, whether written inline or read from the *_file keys; empty means unset.
  std::string api_key, read_only_api_key, alt_api_key;
  // The key files as configured (Quiver's addition; Qdrant has only the inline keys).
  std::string api_key_file, read_only_api_key_file, alt_api_key_file;
  bool jwt_rbac = false;
  // Off by default, unlike Qdrant: a URL to fetch is a server-side request forgery risk.
  bool enable_snapshot_url_recovery = false;
  int max_workers = 0;                       // 0 (or null): one per available core, as Qdrant
  // A filtered read slower than this raises UNINDEXED_FIELD issues (null: Qdrant's 1.2 s).
  double slow_query_secs = 1.2;
  // Put before every metric name of GET /metrics: letters, digits and '_' (Qdrant's rule).
  std::string metrics_prefix;
};

struct StorageSettings {
  std::string storage_path = "./storage";
  std::string snapshots_path = "./snapshots";
  bool on_disk_payload = true;
  // Collection defaults Qdrant keeps under storage, as Json objects with Qdrant's key names and
  // defaults filled in; aliases are normalised to the names of config.yaml (`indexing_threshold`
  // arrives as `indexing_threshold_kb`). Types are checked here; ranges are the collection
  // layer's business. An optional key left unset is absent or null, as Qdrant has it.
  Json optimizers;   // storage.optimizers
  Json hnsw_index;   // storage.hnsw_index
  Json wal;          // storage.wal
  Json performance;  // storage.performance
};

struct AuditSettings {
  bool enabled = false;
  std::string dir = "./storage/audit";
  std::string rotation = "daily";  // "daily" or "hourly"
  int max_log_files = 7;
  bool trust_forwarded_headers = false;
};

struct Settings {
  // TRACE, DEBUG, INFO, WARN, ERROR or OFF: the global level of `log_level` (or of
  // `logger.log_level`, which takes priority as in Qdrant).
  std::string log_level = "INFO";
  ServiceSettings service;
  StorageSettings storage;
  TlsSettings tls;
  AuditSettings audit;
  // The configuration files merged, in order (for the start-up log).
  std::vector<std::string> loaded_files;
};

// Loads settings from the layers described at the top of this file. `env` stands for the process
// environment (RUN_MODE and QDRANT__* are read from it), so tests control it.
//
// Appends to *warnings (when not null) one line per: unknown key ("unknown configuration key:
// service.foo (from config/config.yaml:12)"), api key set but empty (treated as unset), key file
// readable by group or others, JWT RBAC without a usable key or with a key under 32 bytes,
// per-target log directives (ignored).
//
// Errors:
//   kNotFound: `config_path` names no file.
//   kInvalidArgument: malformed YAML; a value of the wrong type or out of range, naming the key,
//     the problem and where it was set ("service.http_port: expected an integer between 1 and
//     65535, got 'abc' (from environment variable QDRANT__SERVICE__HTTP_PORT)"); a key file that
//     cannot be read; both service.api_key and service.api_key_file set; TLS enabled without
//     tls.cert and tls.key; client certificate verification without tls.ca_cert.
StatusOr<Settings> LoadSettings(const std::optional<std::string>& config_path,
                                const std::map<std::string, std::string>& env,
                                std::vector<std::string>* warnings);

// As LoadSettings, with the config/ directory looked up under `base_dir` instead of the working
// directory (for tests). `config_path` and the paths inside the settings are not rebased.
StatusOr<Settings> LoadSettingsIn(const std::string& base_dir,
                                  const std::optional<std::string>& config_path,
                                  const std::map<std::string, std::string>& env,
                                  std::vector<std::string>* warnings);

// Helper for main(): the process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

// A log filter as Qdrant takes it (`log_level`, `POST /logger`): comma-separated directives, each
// a level (TRACE, DEBUG, INFO, WARN, ERROR, OFF; any case) or `target=level`. The last bare level
// is the global one.
struct LogFilter {
  std::optional<std::string> global_level;     // upper case; nullopt when none is given
  std::vector<std::string> target_directives;  // `target=level` ones, as written (not supported)
};
// kInvalidArgument naming the first text that is not a level.
StatusOr<LogFilter> ParseLogFilter(std::string_view filter);

}  // namespace quiver
