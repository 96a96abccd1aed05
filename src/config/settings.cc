#include "config/settings.h"

#include "common/text.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

#include "config/config_schema.h"
#include "config/config_tree.h"

extern char** environ;

namespace quiver {
namespace {

namespace fs = std::filesystem;
using config_internal::ConfigNode;

constexpr int64_t kIntMax = std::numeric_limits<int>::max();
// A 32-byte key is what HS256 wants (Qdrant warns below this too).
constexpr size_t kJwtRecommendedKeyBytes = 32;


void Warn(std::vector<std::string>* warnings, std::string line) {
  if (warnings != nullptr) warnings->push_back(std::move(line));
}

// Typed, validated reads from the merged tree. Absent keys leave the output unchanged (the
// built-in layer provides every default, so absence only happens for optional keys).
class Reader {
 public:
  explicit Reader(const ConfigNode& root) : root_(root) {}

  const ConfigNode* Find(std::string_view path) const {
    return config_internal::FindPath(root_, path);
  }

  static Status Bad(std::string_view path, const ConfigNode& node, std::string_view expected) {
    return InvalidArgument(std::string(path) + ": expected " + std::string(expected) + ", got " +
                           config_internal::Describe(node) + config_internal::OriginSuffix(node));
  }

  // REQUIRES: the key is not nullable (null is an error).
  Status Bool(std::string_view path, bool* out) const {
    const ConfigNode* node = Find(path);
    if (node == nullptr) return Status::Ok();
    std::optional<bool> b;
    if (node->is_scalar()) b = config_internal::ParseBool(node->text);
    if (!b) return Bad(path, *node, "a boolean (true or false)");
    *out = *b;
    return Status::Ok();
  }

  // An integer in [lo, hi]. A null value yields `null_value`, or an error when there is none.
  Status Int(std::string_view path, int64_t lo, int64_t hi, std::optional<int64_t> null_value,
             int64_t* out) const {
    const ConfigNode* node = Find(path);
    if (node == nullptr) return Status::Ok();
    if (null_value &&
        (node->is_null() || (node->is_scalar() && config_internal::IsNullText(node->text)))) {
      *out = *null_value;
      return Status::Ok();
    }
    std::optional<int64_t> i;
    if (node->is_scalar()) i = config_internal::ParseInt(node->text);
    if (!i || *i < lo || *i > hi) {
      std::string expected =
          hi >= kIntMax ? "an integer of at least " + std::to_string(lo)
                        : "an integer between " + std::to_string(lo) + " and " + std::to_string(hi);
      if (null_value) expected += " or null";
      return Bad(path, *node, expected);
    }
    *out = *i;
    return Status::Ok();
  }

  template <typename T>
  Status IntInto(std::string_view path, int64_t lo, int64_t hi, std::optional<int64_t> null_value,
                 T* out) const {
    int64_t value = static_cast<int64_t>(*out);
    QUIVER_RETURN_IF_ERROR(Int(path, lo, hi, null_value, &value));
    *out = static_cast<T>(value);
    return Status::Ok();
  }

  // A finite number of at least 0; left alone when absent or null.
  Status NonNegativeNumber(std::string_view path, double* out) const {
    const ConfigNode* node = Find(path);
    if (node == nullptr || node->is_null() ||
        (node->is_scalar() && config_internal::IsNullText(node->text))) {
      return Status::Ok();
    }
    std::optional<double> d;
    if (node->is_scalar()) d = config_internal::ParseDouble(node->text);
    if (!d || !std::isfinite(*d) || *d < 0) {
      return Bad(path, *node, "a number of at least 0 or null");
    }
    *out = *d;
    return Status::Ok();
  }

  // A string; std::nullopt when absent, or null and `nullable`. Null otherwise is an error.
  StatusOr<std::optional<std::string>> String(std::string_view path, bool nullable) const {
    const ConfigNode* node = Find(path);
    if (node == nullptr) return std::optional<std::string>();
    if (node->is_null() && nullable) return std::optional<std::string>();
    if (!node->is_scalar()) return Bad(path, *node, "a string");
    return std::optional<std::string>(node->text);
  }

  // A non-empty string (paths, host names).
  Status NonEmptyString(std::string_view path, std::string* out) const {
    QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> s, String(path, false));
    if (!s) return Status::Ok();
    if (s->empty()) return Bad(path, *Find(path), "a non-empty string");
    *out = std::move(*s);
    return Status::Ok();
  }

  // A string that may be null; null reads as "".
  Status OptionalString(std::string_view path, std::string* out) const {
    QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> s, String(path, true));
    *out = s.value_or("");
    return Status::Ok();
  }

 private:
  const ConfigNode& root_;
};

// Qdrant's log_level is a tracing filter: "INFO", or "info,hyper=warn". Quiver keeps the global
// level; per-target directives are validated, then ignored with a warning.
Status ReadLogLevel(const Reader& r, Settings* s, std::vector<std::string>* warnings) {
  std::string key = "log_level";
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> spec, r.String(key, true));
  // As in Qdrant, logger.log_level takes priority over the top-level key.
  if (const ConfigNode* n = r.Find("logger.log_level"); n != nullptr && !n->is_null()) {
    key = "logger.log_level";
    QUIVER_ASSIGN_OR_RETURN(spec, r.String(key, true));
  }
  if (!spec) return Status::Ok();
  auto filter = ParseLogFilter(*spec);
  if (!filter.ok()) {
    return Reader::Bad(key, *r.Find(key), "a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF)");
  }
  if (filter->global_level) s->log_level = *filter->global_level;
  for (const std::string& directive : filter->target_directives) {
    Warn(warnings, key + ": per-target directive '" + directive + "' is not supported and is ignored");
  }
  return Status::Ok();
}

// Reads a key file: its content less trailing whitespace.
Status ReadKeyFile(const std::string& key_name, const std::string& path, std::string* key,
                   std::vector<std::string>* warnings) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return InvalidArgument(key_name + ": cannot read '" + path +
                           "': " + (ec ? ec.message() : "no such file"));
  }
  if (!fs::is_regular_file(st)) {
    return InvalidArgument(key_name + ": cannot read '" + path + "': not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument(key_name + ": cannot read '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  *key = std::move(text);
  if ((st.permissions() & (fs::perms::group_read | fs::perms::others_read)) != fs::perms::none) {
    Warn(warnings,
         key_name + ": '" + path + "' is readable by group or others; restrict it with chmod 600");
  }
  return Status::Ok();
}

// One of the three keys: inline (`service.<name>`) or from a file (`service.<name>_file`).
Status ReadApiKey(const Reader& r, const std::string& name, std::string* key, std::string* file,
                  std::vector<std::string>* warnings) {
  const std::string key_path = "service." + name;
  const std::string file_path = key_path + "_file";
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> inline_key, r.String(key_path, true));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> key_file, r.String(file_path, true));
  if (key_file && key_file->empty()) key_file.reset();
  if (inline_key && !inline_key->empty() && key_file) {
    return InvalidArgument(key_path + " and " + file_path + " are both set; keep only one");
  }
  if (key_file) {
    *file = *key_file;
    QUIVER_RETURN_IF_ERROR(ReadKeyFile(file_path, *key_file, key, warnings));
  } else if (inline_key) {
    *key = std::move(*inline_key);
  } else {
    return Status::Ok();
  }
  if (key->empty()) {
    Warn(warnings,
         (key_file ? file_path + " names an empty file" : key_path + " is set but empty") +
             "; the key is treated as unset, which may leave the server open");
  }
  return Status::Ok();
}

Status ReadService(const Reader& r, ServiceSettings* s, std::vector<std::string>* warnings) {
  QUIVER_RETURN_IF_ERROR(r.NonEmptyString("service.host", &s->host));
  QUIVER_RETURN_IF_ERROR(r.IntInto("service.http_port", 1, 65535, std::nullopt, &s->http_port));
  // 0 and null both turn gRPC off (Qdrant: `grpc_port: null`).
  QUIVER_RETURN_IF_ERROR(r.IntInto("service.grpc_port", 0, 65535, 0, &s->grpc_port));
  // At most 1 TiB, so that the byte count cannot overflow.
  QUIVER_RETURN_IF_ERROR(
      r.IntInto("service.max_request_size_mb", 1, 1 << 20, std::nullopt, &s->max_request_size_mb));
  QUIVER_RETURN_IF_ERROR(r.IntInto("service.max_workers", 0, kIntMax, 0, &s->max_workers));
  QUIVER_RETURN_IF_ERROR(r.Bool("service.enable_cors", &s->enable_cors));
  QUIVER_RETURN_IF_ERROR(r.Bool("service.enable_tls", &s->enable_tls));
  QUIVER_RETURN_IF_ERROR(
      r.Bool("service.verify_https_client_certificate", &s->verify_https_client_certificate));
  QUIVER_RETURN_IF_ERROR(
      r.Bool("service.enable_snapshot_url_recovery", &s->enable_snapshot_url_recovery));
  if (const ConfigNode* n = r.Find("service.jwt_rbac"); n != nullptr && !n->is_null()) {
    QUIVER_RETURN_IF_ERROR(r.Bool("service.jwt_rbac", &s->jwt_rbac));
  }
  QUIVER_RETURN_IF_ERROR(r.NonNegativeNumber("service.slow_query_secs", &s->slow_query_secs));
  QUIVER_RETURN_IF_ERROR(r.OptionalString("service.metrics_prefix", &s->metrics_prefix));
  for (char c : s->metrics_prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return InvalidArgument("service.metrics_prefix: Metrics prefix must be of all alphanumeric "
                             "characters, with an exception for '_'" +
                             config_internal::OriginSuffix(*r.Find("service.metrics_prefix")));
    }
  }
  QUIVER_RETURN_IF_ERROR(ReadApiKey(r, "api_key", &s->api_key, &s->api_key_file, warnings));
  QUIVER_RETURN_IF_ERROR(
      ReadApiKey(r, "alt_api_key", &s->alt_api_key, &s->alt_api_key_file, warnings));
  QUIVER_RETURN_IF_ERROR(ReadApiKey(r, "read_only_api_key", &s->read_only_api_key,
                                    &s->read_only_api_key_file, warnings));
  if (s->jwt_rbac) {
    if (s->api_key.empty() && s->alt_api_key.empty()) {
      Warn(warnings,
           "service.jwt_rbac is enabled but neither service.api_key nor "
           "service.alt_api_key is set; JWT RBAC stays off");
    } else if ((!s->api_key.empty() && s->api_key.size() < kJwtRecommendedKeyBytes) ||
               (!s->alt_api_key.empty() && s->alt_api_key.size() < kJwtRecommendedKeyBytes)) {
      Warn(warnings, "service.jwt_rbac is enabled; an api key of at least " +
                         std::to_string(kJwtRecommendedKeyBytes) +
                         " bytes is highly recommended as the JWT signing secret");
    }
  }
  return Status::Ok();
}

Status ReadStorage(const Reader& r, const ConfigNode& root, StorageSettings* s) {
  QUIVER_RETURN_IF_ERROR(r.NonEmptyString("storage.storage_path", &s->storage_path));
  QUIVER_RETURN_IF_ERROR(r.NonEmptyString("storage.snapshots_path", &s->snapshots_path));
  QUIVER_RETURN_IF_ERROR(r.Bool("storage.on_disk_payload", &s->on_disk_payload));
  QUIVER_ASSIGN_OR_RETURN(s->optimizers,
                          config_internal::SectionToJson(root, "storage.optimizers"));
  QUIVER_ASSIGN_OR_RETURN(s->hnsw_index,
                          config_internal::SectionToJson(root, "storage.hnsw_index"));
  QUIVER_ASSIGN_OR_RETURN(s->wal, config_internal::SectionToJson(root, "storage.wal"));
  QUIVER_ASSIGN_OR_RETURN(s->performance,
                          config_internal::SectionToJson(root, "storage.performance"));
  return Status::Ok();
}

Status ReadTls(const Reader& r, const ServiceSettings& service, TlsSettings* s) {
  QUIVER_RETURN_IF_ERROR(r.OptionalString("tls.cert", &s->cert));
  QUIVER_RETURN_IF_ERROR(r.OptionalString("tls.key", &s->key));
  QUIVER_RETURN_IF_ERROR(r.OptionalString("tls.ca_cert", &s->ca_cert));
  // Null turns reloading off; 0 is refused as Qdrant's validation does.
  QUIVER_RETURN_IF_ERROR(r.IntInto("tls.cert_ttl", 1, kIntMax, 0, &s->cert_ttl_s));
  if (service.enable_tls && (s->cert.empty() || s->key.empty())) {
    return InvalidArgument("tls.cert and tls.key are required when service.enable_tls is true");
  }
  if (service.verify_https_client_certificate && s->ca_cert.empty()) {
    return InvalidArgument(
        "tls.ca_cert is required when service.verify_https_client_certificate is true");
  }
  return Status::Ok();
}

Status ReadAudit(const Reader& r, AuditSettings* s) {
  QUIVER_RETURN_IF_ERROR(r.Bool("audit.enabled", &s->enabled));
  QUIVER_RETURN_IF_ERROR(r.NonEmptyString("audit.dir", &s->dir));
  QUIVER_RETURN_IF_ERROR(r.NonEmptyString("audit.rotation", &s->rotation));
  if (s->rotation != "daily" && s->rotation != "hourly") {
    return Reader::Bad("audit.rotation", *r.Find("audit.rotation"), "daily or hourly");
  }
  QUIVER_RETURN_IF_ERROR(
      r.IntInto("audit.max_log_files", 1, kIntMax, std::nullopt, &s->max_log_files));
  QUIVER_RETURN_IF_ERROR(r.Bool("audit.trust_forwarded_headers", &s->trust_forwarded_headers));
  return Status::Ok();
}

// The first of `stem` (when `exact` is set), `stem`.yaml and `stem`.yml that is a file.
std::optional<std::string> FindConfigFile(const std::string& stem, bool exact) {
  std::vector<std::string> candidates;
  if (exact) candidates.push_back(stem);
  candidates.push_back(stem + ".yaml");
  candidates.push_back(stem + ".yml");
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return c;
  }
  return std::nullopt;
}

}  // namespace

StatusOr<Settings> LoadSettingsIn(const std::string& base_dir,
                                  const std::optional<std::string>& config_path,
                                  const std::map<std::string, std::string>& env,
                                  std::vector<std::string>* warnings) {
  std::string run_mode = "development";
  if (auto it = env.find("RUN_MODE"); it != env.end() && !it->second.empty()) {
    run_mode = it->second;
  }
  const std::string config_dir =
      base_dir.empty() || base_dir == "." ? "config/" : (fs::path(base_dir) / "config/").string();
  std::vector<std::string> files;
  for (const std::string& name : {std::string("config"), run_mode, std::string("local")}) {
    if (auto file = FindConfigFile(config_dir + name, false)) files.push_back(*file);
  }
  if (config_path) {
    auto file = FindConfigFile(*config_path, true);
    if (!file) return NotFound("config file via --config-path is not found: " + *config_path);
    files.push_back(*file);
  }

  Settings settings;
  ConfigNode merged = config_internal::BuiltInDefaults();
  for (const std::string& file : files) {
    QUIVER_ASSIGN_OR_RETURN(ConfigNode layer, config_internal::LoadYamlFile(file));
    config_internal::CanonicalizeAliases(&layer, warnings);
    config_internal::MergeInto(&merged, layer);
    settings.loaded_files.push_back(file);
  }
  ConfigNode env_layer = config_internal::EnvironmentLayer(env, warnings);
  config_internal::CanonicalizeAliases(&env_layer, warnings);
  config_internal::MergeInto(&merged, env_layer);
  QUIVER_RETURN_IF_ERROR(config_internal::CheckKeys(merged, warnings));

  Reader r(merged);
  QUIVER_RETURN_IF_ERROR(ReadLogLevel(r, &settings, warnings));
  QUIVER_RETURN_IF_ERROR(ReadService(r, &settings.service, warnings));
  QUIVER_RETURN_IF_ERROR(ReadStorage(r, merged, &settings.storage));
  QUIVER_RETURN_IF_ERROR(ReadTls(r, settings.service, &settings.tls));
  QUIVER_RETURN_IF_ERROR(ReadAudit(r, &settings.audit));
  return settings;
}

StatusOr<Settings> LoadSettings(const std::optional<std::string>& config_path,
                                const std::map<std::string, std::string>& env,
                                std::vector<std::string>* warnings) {
  return LoadSettingsIn("", config_path, env, warnings);
}

StatusOr<LogFilter> ParseLogFilter(std::string_view filter) {
  static constexpr std::string_view kLevels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"};
  LogFilter out;
  std::string_view rest = filter;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view directive = TrimSpace(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (directive.empty()) continue;
    size_t eq = directive.find('=');
    std::string_view level_text =
        TrimSpace(eq == std::string_view::npos ? directive : directive.substr(eq + 1));
    std::string level = AsciiUpper(level_text);
    if (std::find(std::begin(kLevels), std::end(kLevels), level) == std::end(kLevels)) {
      return InvalidArgument("unknown log level \"" + std::string(level_text) +
                             "\", expected TRACE, DEBUG, INFO, WARN, ERROR or OFF");
    }
    if (eq == std::string_view::npos) {
      out.global_level = level;
    } else {
      out.target_directives.emplace_back(directive);
    }
  }
  return out;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view kv(*entry);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace quiver
