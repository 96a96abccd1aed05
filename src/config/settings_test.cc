#include "config/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <utility>

namespace quiver {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using Env = std::map<std::string, std::string>;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "quiver_config_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

  // Writes `text` to path()/relative (directories created) and returns the full path.
  std::string Write(const std::string& relative, const std::string& text,
                    fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) const {
    fs::path p = fs::path(path_) / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    fs::permissions(p, perms);
    return p.string();
  }

 private:
  std::string path_;
};

class SettingsTest : public ::testing::Test {
 protected:
  // Loads with config/ looked up in the (empty unless written) temp dir.
  StatusOr<Settings> Load(const std::optional<std::string>& config_path = std::nullopt,
                          const Env& env = {}) {
    warnings_.clear();
    return LoadSettingsIn(dir_.path(), config_path, env, &warnings_);
  }
  StatusOr<Settings> LoadYaml(const std::string& yaml, const Env& env = {}) {
    return Load(dir_.Write("custom.yaml", yaml), env);
  }

  TempDir dir_;
  std::vector<std::string> warnings_;
};

void ExpectSameSettings(const Settings& a, const Settings& b) {
  EXPECT_EQ(a.log_level, b.log_level);
  EXPECT_EQ(a.service.host, b.service.host);
  EXPECT_EQ(a.service.http_port, b.service.http_port);
  EXPECT_EQ(a.service.grpc_port, b.service.grpc_port);
  EXPECT_EQ(a.service.max_request_size_mb, b.service.max_request_size_mb);
  EXPECT_EQ(a.service.enable_cors, b.service.enable_cors);
  EXPECT_EQ(a.service.enable_tls, b.service.enable_tls);
  EXPECT_EQ(a.service.verify_https_client_certificate, b.service.verify_https_client_certificate);
  EXPECT_EQ(a.service.api_key, b.service.api_key);
  EXPECT_EQ(a.service.read_only_api_key, b.service.read_only_api_key);
  EXPECT_EQ(a.service.alt_api_key, b.service.alt_api_key);
  EXPECT_EQ(a.service.jwt_rbac, b.service.jwt_rbac);
  EXPECT_EQ(a.service.enable_snapshot_url_recovery, b.service.enable_snapshot_url_recovery);
  EXPECT_EQ(a.service.max_workers, b.service.max_workers);
  EXPECT_EQ(a.storage.storage_path, b.storage.storage_path);
  EXPECT_EQ(a.storage.snapshots_path, b.storage.snapshots_path);
  EXPECT_EQ(a.storage.on_disk_payload, b.storage.on_disk_payload);
  EXPECT_EQ(a.storage.optimizers.Dump(), b.storage.optimizers.Dump());
  EXPECT_EQ(a.storage.hnsw_index.Dump(), b.storage.hnsw_index.Dump());
  EXPECT_EQ(a.storage.wal.Dump(), b.storage.wal.Dump());
  EXPECT_EQ(a.storage.performance.Dump(), b.storage.performance.Dump());
  EXPECT_EQ(a.tls.cert, b.tls.cert);
  EXPECT_EQ(a.tls.key, b.tls.key);
  EXPECT_EQ(a.tls.ca_cert, b.tls.ca_cert);
  EXPECT_EQ(a.tls.cert_ttl_s, b.tls.cert_ttl_s);
  EXPECT_EQ(a.audit.enabled, b.audit.enabled);
  EXPECT_EQ(a.audit.dir, b.audit.dir);
  EXPECT_EQ(a.audit.rotation, b.audit.rotation);
  EXPECT_EQ(a.audit.max_log_files, b.audit.max_log_files);
  EXPECT_EQ(a.audit.trust_forwarded_headers, b.audit.trust_forwarded_headers);
}

TEST_F(SettingsTest, DefaultsAreQdrants) {
  auto s = Load();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT(warnings_, IsEmpty());
  EXPECT_THAT(s->loaded_files, IsEmpty());
  EXPECT_EQ(s->log_level, "INFO");
  EXPECT_EQ(s->service.host, "0.0.0.0");
  EXPECT_EQ(s->service.http_port, 6333);
  EXPECT_EQ(s->service.grpc_port, 6334);
  EXPECT_EQ(s->service.max_request_size_mb, 32u);
  EXPECT_TRUE(s->service.enable_cors);
  EXPECT_FALSE(s->service.enable_tls);
  EXPECT_FALSE(s->service.verify_https_client_certificate);
  EXPECT_EQ(s->service.api_key, "");
  EXPECT_EQ(s->service.read_only_api_key, "");
  EXPECT_EQ(s->service.alt_api_key, "");
  EXPECT_FALSE(s->service.jwt_rbac);
  EXPECT_FALSE(s->service.enable_snapshot_url_recovery);  // off by default, unlike Qdrant
  EXPECT_EQ(s->service.max_workers, 0);
  EXPECT_EQ(s->service.slow_query_secs, 1.2);
  EXPECT_EQ(s->service.metrics_prefix, "");
  EXPECT_EQ(s->storage.storage_path, "./storage");
  EXPECT_EQ(s->storage.snapshots_path, "./snapshots");
  EXPECT_TRUE(s->storage.on_disk_payload);
  EXPECT_EQ(s->storage.optimizers.Dump(),
            R"({"deleted_threshold":0.2,"vacuum_min_vector_number":1000,)"
            R"("default_segment_number":0,"max_segment_size_kb":null,)"
            R"("indexing_threshold_kb":10000,"flush_interval_sec":5,)"
            R"("max_optimization_threads":null})");
  EXPECT_EQ(s->storage.hnsw_index.Dump(),
            R"({"m":16,"ef_construct":100,"full_scan_threshold_kb":10000,)"
            R"("max_indexing_threads":0,"on_disk":false,"payload_m":null})");
  EXPECT_EQ(s->storage.wal.Dump(),
            R"({"wal_capacity_mb":32,"wal_segments_ahead":0,"wal_retain_closed":1})");
  EXPECT_EQ(s->storage.performance.Dump(),
            R"({"max_search_threads":0,"max_optimization_runtime_threads":0,)"
            R"("optimizer_cpu_budget":0,"optimizer_io_budget":0,"update_rate_limit":null,)"
            R"("incoming_shard_transfers_limit":1,"outgoing_shard_transfers_limit":1})");
  EXPECT_EQ(s->tls.cert, "./tls/cert.pem");
  EXPECT_EQ(s->tls.key, "./tls/key.pem");
  EXPECT_EQ(s->tls.ca_cert, "./tls/cacert.pem");
  EXPECT_EQ(s->tls.cert_ttl_s, 3600);
  EXPECT_FALSE(s->audit.enabled);
  EXPECT_EQ(s->audit.dir, "./storage/audit");
  EXPECT_EQ(s->audit.rotation, "daily");
  EXPECT_EQ(s->audit.max_log_files, 7);
  EXPECT_FALSE(s->audit.trust_forwarded_headers);
}

// config/config.yaml of this repository spells out the built-in defaults, and loads cleanly.
TEST_F(SettingsTest, ShippedConfigMatchesBuiltInDefaults) {
  fs::path repo = fs::path(__FILE__).parent_path().parent_path().parent_path();
  ASSERT_TRUE(fs::exists(repo / "config" / "config.yaml")) << repo;
  std::vector<std::string> warnings;
  auto shipped = LoadSettingsIn(repo.string(), std::nullopt, {}, &warnings);
  ASSERT_TRUE(shipped.ok()) << shipped.status().message();
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_THAT(shipped->loaded_files, ElementsAre((repo / "config" / "config.yaml").string()));
  auto built_in = Load();
  ASSERT_TRUE(built_in.ok());
  ExpectSameSettings(*shipped, *built_in);
}

TEST_F(SettingsTest, FileOverridesDefaultsKeyByKey) {
  auto s = LoadYaml(R"(
log_level: debug
service:
  http_port: 9999
  host: 127.0.0.1
storage:
  storage_path: /data/quiver
  optimizers:
    default_segment_number: 2
  hnsw_index:
    m: 32
    on_disk: true
  wal: {wal_capacity_mb: "64"}
audit:
  enabled: true
  rotation: hourly
)");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT(warnings_, IsEmpty());
  EXPECT_EQ(s->log_level, "DEBUG");
  EXPECT_EQ(s->service.http_port, 9999);
  EXPECT_EQ(s->service.host, "127.0.0.1");
  EXPECT_EQ(s->service.grpc_port, 6334);  // untouched keys keep their defaults
  EXPECT_EQ(s->storage.storage_path, "/data/quiver");
  EXPECT_EQ(s->storage.snapshots_path, "./snapshots");
  EXPECT_EQ(s->storage.optimizers.Find("default_segment_number")->as_int(), 2);
  EXPECT_EQ(s->storage.optimizers.Find("deleted_threshold")->as_double(), 0.2);
  EXPECT_EQ(s->storage.hnsw_index.Find("m")->as_int(), 32);
  EXPECT_EQ(s->storage.hnsw_index.Find("on_disk")->as_bool(), true);
  EXPECT_EQ(s->storage.wal.Find("wal_capacity_mb")->as_int(), 64);  // "64" reads as a number
  EXPECT_TRUE(s->audit.enabled);
  EXPECT_EQ(s->audit.rotation, "hourly");
}

TEST_F(SettingsTest, LayersApplyInQdrantsOrder) {
  dir_.Write("config/config.yaml",
             "service: {http_port: 1001, grpc_port: 1002, host: a}\n"
             "storage: {storage_path: from-config}\n");
  dir_.Write("config/development.yaml", "service: {grpc_port: 2002, host: b}\n");
  dir_.Write("config/production.yml", "service: {grpc_port: 3002}\n");
  dir_.Write("config/local.yaml", "service: {host: c, max_workers: 3}\n");
  std::string custom =
      dir_.Write("custom.yaml", "service: {max_workers: 4, max_request_size_mb: 5}\n");

  auto s = Load(custom, {{"QDRANT__SERVICE__MAX_REQUEST_SIZE_MB", "6"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.http_port, 1001);          // config/config.yaml
  EXPECT_EQ(s->service.grpc_port, 2002);          // config/development.yaml (RUN_MODE unset)
  EXPECT_EQ(s->service.host, "c");                // config/local.yaml
  EXPECT_EQ(s->service.max_workers, 4);           // --config-path
  EXPECT_EQ(s->service.max_request_size_mb, 6u);  // environment
  EXPECT_EQ(s->storage.storage_path, "from-config");
  EXPECT_EQ(s->loaded_files.size(), 4u);

  s = Load(std::nullopt, {{"RUN_MODE", "production"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.grpc_port, 3002);  // config/production.yml replaces development
  EXPECT_EQ(s->service.host, "c");
  EXPECT_THAT(s->loaded_files, Contains(HasSubstr("production.yml")));
}

TEST_F(SettingsTest, EnvironmentOverridesFile) {
  std::string custom = dir_.Write("custom.yaml", "service: {http_port: 9999, enable_tls: false}\n");
  auto s = Load(custom, {{"QDRANT__SERVICE__HTTP_PORT", "7000"},
                         {"QDRANT__SERVICE__ENABLE_TLS", "yes"},
                         {"QDRANT__service__Api_Key", "secret-from-env"},
                         {"qdrant__storage__optimizers__indexing_threshold", "500"},
                         {"QDRANT__STORAGE__HNSW_INDEX__ON_DISK", "TRUE"},
                         {"QDRANT__LOG_LEVEL", "warn"},
                         {"QDRANT_SERVICE__HTTP_PORT", "1"},  // one underscore: not ours
                         {"PATH", "/usr/bin"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT(warnings_, IsEmpty());
  EXPECT_EQ(s->service.http_port, 7000);
  EXPECT_TRUE(s->service.enable_tls);
  EXPECT_EQ(s->service.api_key, "secret-from-env");
  // Qdrant's alias `indexing_threshold` lands on the config.yaml name.
  EXPECT_EQ(s->storage.optimizers.Find("indexing_threshold_kb")->as_int(), 500);
  EXPECT_EQ(s->storage.optimizers.Find("indexing_threshold"), nullptr);
  EXPECT_TRUE(s->storage.hnsw_index.Find("on_disk")->as_bool());
  EXPECT_EQ(s->log_level, "WARN");
}

TEST_F(SettingsTest, BooleanSpellings) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, bool>>{{"true", true},
                                                                                {"True", true},
                                                                                {"yes", true},
                                                                                {"on", true},
                                                                                {"1", true},
                                                                                {"false", false},
                                                                                {"FALSE", false},
                                                                                {"no", false},
                                                                                {"off", false},
                                                                                {"0", false}}) {
    auto s = Load(std::nullopt, {{"QDRANT__SERVICE__ENABLE_CORS", text}});
    ASSERT_TRUE(s.ok()) << text << ": " << s.status().message();
    EXPECT_EQ(s->service.enable_cors, expected) << text;
  }
}

TEST_F(SettingsTest, NullGrpcPortDisablesGrpc) {
  auto s = LoadYaml("service:\n  grpc_port: null\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.grpc_port, 0);

  s = Load(std::nullopt, {{"QDRANT__SERVICE__GRPC_PORT", "null"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.grpc_port, 0);

  // A later layer turns it back on.
  s = LoadYaml("service:\n  grpc_port: ~\n", {{"QDRANT__SERVICE__GRPC_PORT", "6400"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.grpc_port, 6400);
}

TEST_F(SettingsTest, SlowQuerySecsAndMetricsPrefix) {
  auto s = LoadYaml("service:\n  slow_query_secs: 0.25\n  metrics_prefix: qd_1\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.slow_query_secs, 0.25);
  EXPECT_EQ(s->service.metrics_prefix, "qd_1");
  // null keeps Qdrant's defaults; the environment overrides a file.
  s = LoadYaml("service:\n  slow_query_secs: null\n  metrics_prefix: null\n",
               {{"QDRANT__SERVICE__SLOW_QUERY_SECS", "0"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.slow_query_secs, 0.0);
  EXPECT_EQ(s->service.metrics_prefix, "");
  s = LoadYaml("service:\n  slow_query_secs: ~\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.slow_query_secs, 1.2);
}

// A section whose keys are all commented out is null in YAML: it changes nothing.
TEST_F(SettingsTest, EmptySectionKeepsDefaults) {
  auto s = LoadYaml("service:\n  # http_port: 1\naudit:\ntls:\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.http_port, 6333);
  EXPECT_EQ(s->tls.cert_ttl_s, 3600);
}

TEST_F(SettingsTest, NullCertTtlDisablesReload) {
  auto s = LoadYaml("tls:\n  cert_ttl: null\n  ca_cert: null\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->tls.cert_ttl_s, 0);
  EXPECT_EQ(s->tls.ca_cert, "");
}

struct BadCase {
  std::string yaml;
  std::string message;
};

TEST_F(SettingsTest, BadValuesNameTheKey) {
  const std::vector<BadCase> cases = {
      {"service: {http_port: abc}",
       "service.http_port: expected an integer between 1 and 65535, got 'abc'"},
      {"service: {http_port: -1}", "service.http_port: expected an integer between 1 and 65535"},
      {"service: {http_port: 65536}", "got '65536'"},
      {"service: {http_port: 0}", "service.http_port"},
      {"service: {http_port: 80.5}", "service.http_port"},
      {"service: {http_port: null}",
       "service.http_port: expected an integer between 1 and 65535, got null"},
      {"service: {grpc_port: 70000}",
       "service.grpc_port: expected an integer between 0 and 65535 or null, got '70000'"},
      {"service: {max_request_size_mb: 0}", "service.max_request_size_mb"},
      {"service: {max_workers: -2}", "service.max_workers: expected an integer of at least 0"},
      {"service: {slow_query_secs: slow}",
       "service.slow_query_secs: expected a number of at least 0 or null, got 'slow'"},
      {"service: {slow_query_secs: -1}", "service.slow_query_secs"},
      {"service: {metrics_prefix: qd-}",
       "service.metrics_prefix: Metrics prefix must be of all alphanumeric characters"},
      {"service: {enable_cors: maybe}",
       "service.enable_cors: expected a boolean (true or false), got 'maybe'"},
      {"service: {host: ''}", "service.host: expected a non-empty string"},
      {"service: {host: [a, b]}", "service.host: expected a string, got a list"},
      {"service: {api_key: {a: 1}}", "service.api_key: expected a string, got a mapping"},
      {"service: 5", "service: expected a mapping, got '5'"},
      {"log_level: loud", "log_level: expected a log level"},
      {"logger: {log_level: verbose}", "logger.log_level: expected a log level"},
      {"storage: {storage_path: ''}", "storage.storage_path: expected a non-empty string"},
      {"storage: {wal: {wal_capacity_mb: lots}}",
       "storage.wal.wal_capacity_mb: expected a non-negative integer, got 'lots'"},
      {"storage: {optimizers: {deleted_threshold: high}}",
       "storage.optimizers.deleted_threshold: expected a number, got 'high'"},
      {"storage: {hnsw_index: {m: -4}}", "storage.hnsw_index.m: expected a non-negative integer"},
      {"storage: {performance: {update_rate_limit: fast}}",
       "storage.performance.update_rate_limit: expected a non-negative integer or null"},
      {"storage: {on_disk_payload: 2}", "storage.on_disk_payload"},
      {"tls: {cert_ttl: 0}", "tls.cert_ttl: expected an integer of at least 1 or null, got '0'"},
      {"audit: {rotation: weekly}", "audit.rotation: expected daily or hourly, got 'weekly'"},
      {"audit: {max_log_files: 0}", "audit.max_log_files"},
  };
  for (const BadCase& c : cases) {
    auto s = LoadYaml(c.yaml + "\n");
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.yaml;
    EXPECT_THAT(s.status().message(), HasSubstr(c.message)) << c.yaml;
  }
}

TEST_F(SettingsTest, BadValueSaysWhereItWasSet) {
  auto s = Load(std::nullopt, {{"QDRANT__SERVICE__HTTP_PORT", "abc"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "service.http_port: expected an integer between 1 and 65535, got 'abc' "
            "(from environment variable QDRANT__SERVICE__HTTP_PORT)");

  s = LoadYaml("service:\n  host: h\n  http_port: abc\n");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("custom.yaml:3)"));
}

TEST_F(SettingsTest, MalformedYamlIsAnError) {
  auto s = LoadYaml("service:\n  http_port: [1, 2\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), AllOf(HasSubstr("custom.yaml"), HasSubstr("invalid YAML")));

  s = LoadYaml("- just\n- a list\n");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("top level must be a mapping"));
}

TEST_F(SettingsTest, UnknownKeysWarn) {
  auto s = LoadYaml(R"(
colour: blue
service:
  http_port: 7000
  foo: 1
storage:
  optimizers:
    deleted_treshold: 0.5
)",
                    {{"QDRANT__SERVICE__BAZ", "1"}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.http_port, 7000);
  EXPECT_THAT(warnings_,
              UnorderedElementsAre(
                  HasSubstr("unknown configuration key: colour (from "),
                  HasSubstr("unknown configuration key: service.foo (from "),
                  HasSubstr("unknown configuration key: service.baz (from environment "
                            "variable QDRANT__SERVICE__BAZ)"),
                  HasSubstr("unknown configuration key: storage.optimizers.deleted_treshold")));
  EXPECT_EQ(s->storage.optimizers.Find("deleted_treshold"), nullptr);
}

// Keys Qdrant knows but Quiver ignores load without a word.
TEST_F(SettingsTest, QdrantOnlyKeysDoNotWarn) {
  auto s = LoadYaml(R"(
telemetry_disabled: true
logger:
  format: json
  on_disk: {enabled: true, log_file: /tmp/q.log}
feature_flags: {all: true, some_future_flag: true}
cluster:
  enabled: false
  p2p: {port: 6335, enable_tls: false}
  consensus: {tick_period_ms: 100, compact_wal_entries: 128}
storage:
  temp_path: null
  node_type: Normal
  update_concurrency: null
  snapshots_config: {snapshots_storage: local}
  shard_transfer_method: null
  handle_collection_load_errors: true
  collection:
    replication_factor: 1
    vectors: {on_disk: null}
    strict_mode: {enabled: false}
  max_collections: null
  performance: {async_scorer: false, max_concurrent_segment_loads: 8}
  optimizers: {memmap_threshold_kb: 20000, prevent_unoptimized: true}
  hnsw_index: {memory: cached, inline_storage: false}
service:
  metrics_prefix: qdrant_
  hardware_reporting: true
  enforce_internal_auth: false
  static_content_dir: ./static
gpu: {indexing: false}
inference: {address: "http://localhost:2114"}
debugger: {pyroscope: null}
audit: {log_api: true}
)");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT(warnings_, IsEmpty());
  EXPECT_EQ(s->storage.performance.Find("async_scorer")->as_bool(), false);
  EXPECT_EQ(s->storage.hnsw_index.Find("memory")->as_string(), "cached");
}

TEST_F(SettingsTest, AliasAndCanonicalNameInOneFile) {
  auto s = LoadYaml(
      "storage:\n  optimizers:\n    indexing_threshold: 1\n"
      "    indexing_threshold_kb: 2\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->storage.optimizers.Find("indexing_threshold_kb")->as_int(), 2);
  EXPECT_THAT(warnings_,
              ElementsAre(HasSubstr("storage.optimizers.indexing_threshold is ignored")));
}

TEST_F(SettingsTest, MissingConfigPathIsAnError) {
  std::string missing = dir_.path() + "/nope.yaml";
  auto s = Load(missing);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(s.status().message(), HasSubstr(missing));
}

TEST_F(SettingsTest, ConfigPathMayOmitTheExtension) {
  dir_.Write("custom.yaml", "service: {http_port: 7100}\n");
  auto s = Load(dir_.path() + "/custom");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.http_port, 7100);
}

TEST_F(SettingsTest, LogLevelDirectives) {
  auto s = LoadYaml("log_level: 'debug, hyper=warn'\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->log_level, "DEBUG");
  EXPECT_THAT(warnings_, ElementsAre(HasSubstr("hyper=warn")));

  // logger.log_level takes priority, as in Qdrant.
  s = LoadYaml("log_level: debug\nlogger:\n  log_level: error\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->log_level, "ERROR");
}

TEST_F(SettingsTest, EmptyApiKeyCountsAsUnset) {
  auto s = Load(std::nullopt, {{"QDRANT__SERVICE__API_KEY", ""}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.api_key, "");
  EXPECT_THAT(warnings_, ElementsAre(HasSubstr("service.api_key is set but empty")));
}

TEST_F(SettingsTest, ApiKeysInline) {
  auto s = LoadYaml("service:\n  api_key: 12345\n  read_only_api_key: ro\n  alt_api_key: alt\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.api_key, "12345");  // a number in YAML is still a key
  EXPECT_EQ(s->service.read_only_api_key, "ro");
  EXPECT_EQ(s->service.alt_api_key, "alt");
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(SettingsTest, KeyFilesAreRead) {
  std::string key = dir_.Write("keys/api", "s3cret-key \n\n");
  std::string ro = dir_.Write("keys/ro", "read-only");
  std::string alt = dir_.Write("keys/alt", "alt-key\r\n");
  auto s = LoadYaml("service:\n  api_key_file: " + key + "\n  read_only_api_key_file: " + ro +
                    "\n  alt_api_key_file: " + alt + "\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_THAT(warnings_, IsEmpty());
  EXPECT_EQ(s->service.api_key, "s3cret-key");
  EXPECT_EQ(s->service.read_only_api_key, "read-only");
  EXPECT_EQ(s->service.alt_api_key, "alt-key");
  EXPECT_EQ(s->service.api_key_file, key);
  EXPECT_EQ(s->service.read_only_api_key_file, ro);
  EXPECT_EQ(s->service.alt_api_key_file, alt);
}

TEST_F(SettingsTest, KeyFileReadableByOthersWarns) {
  std::string key = dir_.Write("keys/api", "k",
                               fs::perms::owner_read | fs::perms::owner_write |
                                   fs::perms::group_read | fs::perms::others_read);
  auto s = Load(std::nullopt, {{"QDRANT__SERVICE__API_KEY_FILE", key}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.api_key, "k");
  EXPECT_THAT(warnings_, ElementsAre(AllOf(HasSubstr("service.api_key_file"),
                                           HasSubstr("readable by group or others"))));
}

TEST_F(SettingsTest, KeyFileProblemsAreErrors) {
  std::string missing = dir_.path() + "/keys/none";
  auto s = Load(std::nullopt, {{"QDRANT__SERVICE__READ_ONLY_API_KEY_FILE", missing}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              AllOf(HasSubstr("service.read_only_api_key_file"), HasSubstr(missing)));

  s = Load(std::nullopt, {{"QDRANT__SERVICE__API_KEY_FILE", dir_.path()}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("not a regular file"));

  std::string key = dir_.Write("keys/api", "k");
  s = LoadYaml("service: {api_key: inline, api_key_file: " + key + "}\n");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("both set"));
}

TEST_F(SettingsTest, EmptyKeyFileCountsAsUnset) {
  std::string key = dir_.Write("keys/api", " \n");
  auto s = Load(std::nullopt, {{"QDRANT__SERVICE__API_KEY_FILE", key}});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->service.api_key, "");
  EXPECT_THAT(warnings_, ElementsAre(HasSubstr("treated as unset")));
}

TEST_F(SettingsTest, JwtRbacWarnings) {
  auto s = LoadYaml("service: {jwt_rbac: true}\n");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->service.jwt_rbac);
  EXPECT_THAT(warnings_, ElementsAre(HasSubstr("JWT RBAC stays off")));

  s = LoadYaml("service: {jwt_rbac: true, api_key: short}\n");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(warnings_, ElementsAre(HasSubstr("at least 32 bytes")));

  s = LoadYaml("service: {jwt_rbac: true, api_key: " + std::string(32, 'k') + "}\n");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(warnings_, IsEmpty());
}

TEST_F(SettingsTest, TlsNeedsItsFiles) {
  auto s = LoadYaml("service: {enable_tls: true}\ntls: {cert: null}\n");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("tls.cert and tls.key are required"));

  s = LoadYaml("service: {verify_https_client_certificate: true}\ntls: {ca_cert: null}\n");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("tls.ca_cert is required"));
}

TEST(ProcessEnvironmentTest, SeesTheProcessEnvironment) {
  ASSERT_EQ(setenv("QUIVER_CONFIG_TEST_VAR", "a=b", 1), 0);
  auto env = ProcessEnvironment();
  EXPECT_EQ(env["QUIVER_CONFIG_TEST_VAR"], "a=b");
  unsetenv("QUIVER_CONFIG_TEST_VAR");
}

}  // namespace
}  // namespace quiver
