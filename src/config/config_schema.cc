#include "config/config_schema.h"

#include <map>

namespace quiver::config_internal {
namespace {

using K = ValueKind;

// Every key of Qdrant's Settings (src/settings.rs and the structs it nests), plus Quiver's own
// service.*_api_key_file. Sections come before their keys; keys with a default are listed in the
// order of Qdrant's config/config.yaml, which is the order of the Json trees handed to the
// collection layer. Keys Quiver does not read are kAny: no type check, no default.
constexpr KeySpec kKeys[] = {
    {"log_level", K::kString, true, "INFO"},
    {"logger", K::kSection},
    {"logger.log_level", K::kAny},
    {"logger.span_events", K::kAny},
    {"logger.format", K::kAny},
    {"logger.color", K::kAny},
    {"logger.on_disk", K::kSection},
    {"logger.on_disk.enabled", K::kAny},
    {"logger.on_disk.log_file", K::kAny},
    {"logger.on_disk.log_level", K::kAny},
    {"logger.on_disk.format", K::kAny},
    {"logger.on_disk.span_events", K::kAny},
    {"logger.on_disk.buffer_size_bytes", K::kAny},

    {"storage", K::kSection},
    {"storage.storage_path", K::kString, false, "./storage"},
    {"storage.snapshots_path", K::kString, false, "./snapshots"},
    {"storage.snapshots_config", K::kSection},
    {"storage.snapshots_config.snapshots_storage", K::kAny},
    {"storage.snapshots_config.s3_config", K::kAny},
    {"storage.temp_path", K::kAny},
    {"storage.on_disk_payload", K::kBool, false, "true"},
    {"storage.payload", K::kAny},
    {"storage.low_memory_mode", K::kAny},
    {"storage.update_concurrency", K::kAny},
    {"storage.wal", K::kSection},
    {"storage.wal.wal_capacity_mb", K::kUInt, false, "32"},
    {"storage.wal.wal_segments_ahead", K::kUInt, false, "0"},
    {"storage.wal.wal_retain_closed", K::kUInt, false, "1"},
    {"storage.node_type", K::kAny},
    {"storage.performance", K::kSection},
    {"storage.performance.max_search_threads", K::kUInt, false, "0"},
    {"storage.performance.max_optimization_runtime_threads", K::kUInt, false, "0"},
    {"storage.performance.optimizer_cpu_budget", K::kInt, false, "0"},
    {"storage.performance.optimizer_io_budget", K::kUInt, false, "0"},
    {"storage.performance.update_rate_limit", K::kUInt, true, "~"},
    {"storage.performance.search_timeout_sec", K::kUInt, true},
    {"storage.performance.incoming_shard_transfers_limit", K::kUInt, true, "1"},
    {"storage.performance.outgoing_shard_transfers_limit", K::kUInt, true, "1"},
    {"storage.performance.async_scorer", K::kBool, true},
    {"storage.performance.io_uring", K::kString, true},
    {"storage.performance.max_concurrent_collection_loads", K::kUInt, true},
    {"storage.performance.max_concurrent_shard_loads", K::kUInt, true},
    {"storage.performance.max_concurrent_segment_loads", K::kUInt, true},
    {"storage.optimizers", K::kSection},
    {"storage.optimizers.deleted_threshold", K::kFloat, false, "0.2"},
    {"storage.optimizers.vacuum_min_vector_number", K::kUInt, false, "1000"},
    {"storage.optimizers.default_segment_number", K::kUInt, false, "0"},
    {"storage.optimizers.max_segment_size_kb", K::kUInt, true, "~"},
    {"storage.optimizers.max_segment_size", K::kUInt, true, nullptr, "max_segment_size_kb"},
    {"storage.optimizers.memmap_threshold_kb", K::kUInt, true},
    {"storage.optimizers.memmap_threshold", K::kUInt, true, nullptr, "memmap_threshold_kb"},
    {"storage.optimizers.indexing_threshold_kb", K::kUInt, true, "10000"},
    {"storage.optimizers.indexing_threshold", K::kUInt, true, nullptr, "indexing_threshold_kb"},
    {"storage.optimizers.flush_interval_sec", K::kUInt, false, "5"},
    {"storage.optimizers.max_optimization_threads", K::kUInt, true, "~"},
    {"storage.optimizers.prevent_unoptimized", K::kBool, true},
    {"storage.optimizers_overwrite", K::kAny},
    {"storage.hnsw_index", K::kSection},
    {"storage.hnsw_index.m", K::kUInt, false, "16"},
    {"storage.hnsw_index.ef_construct", K::kUInt, false, "100"},
    {"storage.hnsw_index.full_scan_threshold_kb", K::kUInt, false, "10000"},
    {"storage.hnsw_index.full_scan_threshold", K::kUInt, false, nullptr, "full_scan_threshold_kb"},
    {"storage.hnsw_index.max_indexing_threads", K::kUInt, false, "0"},
    {"storage.hnsw_index.on_disk", K::kBool, true, "false"},
    {"storage.hnsw_index.memory", K::kString, true},
    {"storage.hnsw_index.payload_m", K::kUInt, true, "~"},
    {"storage.hnsw_index.inline_storage", K::kBool, true},
    {"storage.hnsw_global_config", K::kSection},
    {"storage.hnsw_global_config.healing_threshold", K::kAny},
    {"storage.mmap_advice", K::kAny},
    {"storage.update_queue_size", K::kAny},
    {"storage.handle_collection_load_errors", K::kAny},
    {"storage.recovery_mode", K::kAny},
    {"storage.shard_transfer_method", K::kAny},
    {"storage.collection", K::kAny},
    {"storage.max_collections", K::kAny},
    {"storage.quotas", K::kAny},

    {"service", K::kSection},
    {"service.max_request_size_mb", K::kUInt, false, "32"},
    {"service.max_workers", K::kUInt, true, "0"},
    {"service.host", K::kString, false, "0.0.0.0"},
    {"service.http_port", K::kUInt, false, "6333"},
    {"service.grpc_port", K::kUInt, true, "6334"},
    {"service.metrics_port", K::kAny},
    {"service.http_keep_alive_timeout_sec", K::kAny},
    {"service.http_client_request_timeout_sec", K::kAny},
    {"service.http_client_disconnect_timeout_sec", K::kAny},
    {"service.enable_cors", K::kBool, false, "true"},
    {"service.enable_tls", K::kBool, false, "false"},
    {"service.verify_https_client_certificate", K::kBool, false, "false"},
    {"service.api_key", K::kString, true},
    {"service.alt_api_key", K::kString, true},
    {"service.read_only_api_key", K::kString, true},
    {"service.api_key_file", K::kString, true},            // Quiver
    {"service.alt_api_key_file", K::kString, true},        // Quiver
    {"service.read_only_api_key_file", K::kString, true},  // Quiver
    {"service.jwt_rbac", K::kBool, true},
    {"service.enforce_internal_auth", K::kAny},
    {"service.hide_jwt_dashboard", K::kAny},
    {"service.static_content_dir", K::kAny},
    {"service.enable_static_content", K::kAny},
    {"service.slow_query_secs", K::kFloat, true},
    {"service.hardware_reporting", K::kAny},
    {"service.metrics_prefix", K::kString, true},
    {"service.enable_snapshot_url_recovery", K::kBool, false, "false"},

    {"cluster", K::kSection},
    {"cluster.enabled", K::kAny},
    {"cluster.peer_id", K::kAny},
    {"cluster.grpc_timeout_ms", K::kAny},
    {"cluster.connection_timeout_ms", K::kAny},
    {"cluster.p2p", K::kSection},
    {"cluster.p2p.port", K::kAny},
    {"cluster.p2p.connection_pool_size", K::kAny},
    {"cluster.p2p.enable_tls", K::kAny},
    {"cluster.consensus", K::kSection},
    {"cluster.consensus.max_message_queue_size", K::kAny},
    {"cluster.consensus.tick_period_ms", K::kAny},
    {"cluster.consensus.bootstrap_timeout_sec", K::kAny},
    {"cluster.consensus.message_timeout_ticks", K::kAny},
    {"cluster.consensus.compact_wal_entries", K::kAny},
    {"cluster.resharding_enabled", K::kAny},

    {"telemetry_disabled", K::kAny},

    {"tls", K::kSection},
    {"tls.cert", K::kString, false, "./tls/cert.pem"},
    {"tls.key", K::kString, false, "./tls/key.pem"},
    {"tls.ca_cert", K::kString, true, "./tls/cacert.pem"},
    {"tls.cert_ttl", K::kUInt, true, "3600"},

    {"debugger", K::kSection},
    {"debugger.pyroscope", K::kAny},
    {"inference", K::kSection},
    {"inference.address", K::kAny},
    {"inference.timeout", K::kAny},
    {"inference.token", K::kAny},
    {"gpu", K::kSection},
    {"gpu.indexing", K::kAny},
    {"gpu.force_half_precision", K::kAny},
    {"gpu.groups_count", K::kAny},
    {"gpu.device_filter", K::kAny},
    {"gpu.devices", K::kAny},
    {"gpu.parallel_indexes", K::kAny},
    {"gpu.allow_integrated", K::kAny},
    {"gpu.allow_emulated", K::kAny},
    {"feature_flags", K::kAny},  // flags come and go between Qdrant releases

    {"audit", K::kSection},
    {"audit.enabled", K::kBool, false, "false"},
    {"audit.dir", K::kString, false, "./storage/audit"},
    {"audit.rotation", K::kString, false, "daily"},
    {"audit.max_log_files", K::kUInt, false, "7"},
    {"audit.trust_forwarded_headers", K::kBool, false, "false"},
    {"audit.log_api", K::kAny},
};

const std::map<std::string_view, const KeySpec*>& Index() {
  static const auto* index = [] {
    auto* m = new std::map<std::string_view, const KeySpec*>();
    for (const KeySpec& spec : kKeys) m->emplace(spec.path, &spec);
    return m;
  }();
  return *index;
}

std::string Join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  std::string out(prefix);
  out += '.';
  out += key;
  return out;
}

void CanonicalizeIn(ConfigNode* node, const std::string& path, std::vector<std::string>* warnings) {
  if (!node->is_map()) return;
  for (size_t i = 0; i < node->map.size();) {
    auto& [key, child] = node->map[i];
    std::string child_path = Join(path, key);
    const KeySpec* spec = FindKeySpec(child_path);
    if (spec != nullptr && !spec->alias_of.empty()) {
      if (node->Find(spec->alias_of) != nullptr) {
        if (warnings != nullptr) {
          warnings->push_back(child_path + " is ignored: " + Join(path, spec->alias_of) +
                              " is set too" + OriginSuffix(child));
        }
        node->map.erase(node->map.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      key = std::string(spec->alias_of);
    } else if (spec != nullptr && spec->kind == ValueKind::kSection) {
      CanonicalizeIn(&child, child_path, warnings);
    }
    ++i;
  }
}

Status CheckIn(const ConfigNode& node, const std::string& path,
               std::vector<std::string>* warnings) {
  for (const auto& [key, child] : node.map) {
    std::string child_path = Join(path, key);
    const KeySpec* spec = FindKeySpec(child_path);
    if (spec == nullptr) {
      if (warnings != nullptr) {
        warnings->push_back("unknown configuration key: " + child_path + OriginSuffix(child));
      }
      continue;
    }
    if (spec->kind != ValueKind::kSection || child.is_null()) continue;
    if (!child.is_map()) {
      return InvalidArgument(child_path + ": expected a mapping, got " + Describe(child) +
                             OriginSuffix(child));
    }
    QUIVER_RETURN_IF_ERROR(CheckIn(child, child_path, warnings));
  }
  return Status::Ok();
}

// A value of a key Quiver does not type: YAML 1.2 core-schema inference.
Json UntypedToJson(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::kNull:
      return Json();
    case ConfigNode::Kind::kList: {
      Json out = Json::MakeArray();
      for (const ConfigNode& item : node.list) out.Push(UntypedToJson(item));
      return out;
    }
    case ConfigNode::Kind::kMap: {
      Json out = Json::MakeObject();
      for (const auto& [key, child] : node.map) out.Set(key, UntypedToJson(child));
      return out;
    }
    case ConfigNode::Kind::kScalar:
      break;
  }
  if (node.text == "true" || node.text == "false") return Json(node.text == "true");
  if (IsNullText(node.text) && !node.text.empty()) return Json();
  if (auto i = ParseInt(node.text)) return Json(*i);
  if (auto d = ParseDouble(node.text)) return Json(*d);
  return Json(node.text);
}

const char* Expected(ValueKind kind) {
  switch (kind) {
    case ValueKind::kBool:
      return "a boolean (true or false)";
    case ValueKind::kInt:
      return "an integer";
    case ValueKind::kUInt:
      return "a non-negative integer";
    case ValueKind::kFloat:
      return "a number";
    case ValueKind::kString:
      return "a string";
    case ValueKind::kSection:
      return "a mapping";
    case ValueKind::kAny:
      break;
  }
  return "a value";
}

StatusOr<Json> ValueToJson(const ConfigNode& node, const KeySpec& spec, const std::string& path);

StatusOr<Json> MapToJson(const ConfigNode& node, const std::string& path) {
  Json out = Json::MakeObject();
  for (const auto& [key, child] : node.map) {
    std::string child_path = Join(path, key);
    const KeySpec* spec = FindKeySpec(child_path);
    if (spec == nullptr) continue;
    QUIVER_ASSIGN_OR_RETURN(Json value, ValueToJson(child, *spec, child_path));
    out.Set(key, std::move(value));
  }
  return out;
}

StatusOr<Json> ValueToJson(const ConfigNode& node, const KeySpec& spec, const std::string& path) {
  if (spec.kind == ValueKind::kAny) return UntypedToJson(node);
  if (spec.kind == ValueKind::kSection) {
    if (node.is_null()) return Json::MakeObject();
    if (node.is_map()) return MapToJson(node, path);
  } else if (node.is_null() || (node.is_scalar() && spec.nullable && IsNullText(node.text))) {
    if (spec.nullable) return Json();
  } else if (node.is_scalar()) {
    switch (spec.kind) {
      case ValueKind::kBool:
        if (auto b = ParseBool(node.text)) return Json(*b);
        break;
      case ValueKind::kInt:
        if (auto i = ParseInt(node.text)) return Json(*i);
        break;
      case ValueKind::kUInt:
        if (auto i = ParseInt(node.text); i && *i >= 0) return Json(*i);
        break;
      case ValueKind::kFloat:
        if (auto d = ParseDouble(node.text)) return Json(*d);
        break;
      case ValueKind::kString:
        return Json(node.text);
      default:
        break;
    }
  }
  return InvalidArgument(path + ": expected " + Expected(spec.kind) +
                         (spec.nullable ? " or null" : "") + ", got " + Describe(node) +
                         OriginSuffix(node));
}

}  // namespace

const KeySpec* FindKeySpec(std::string_view path) {
  const auto& index = Index();
  auto it = index.find(path);
  return it == index.end() ? nullptr : it->second;
}

ConfigNode BuiltInDefaults() {
  static constexpr const char* kOrigin = "built-in defaults";
  ConfigNode root;
  root.kind = ConfigNode::Kind::kMap;
  root.origin = kOrigin;
  for (const KeySpec& spec : kKeys) {
    if (spec.default_text == nullptr) continue;
    ConfigNode* node = &root;
    std::string_view rest = spec.path;
    for (size_t dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
      node = &node->GetOrAdd(rest.substr(0, dot));
      node->origin = kOrigin;
      rest.remove_prefix(dot + 1);
    }
    ConfigNode& leaf = node->GetOrAdd(rest);
    if (std::string_view(spec.default_text) == "~") {
      leaf.origin = kOrigin;
    } else {
      leaf = ConfigNode::Scalar(spec.default_text, kOrigin);
    }
  }
  return root;
}

void CanonicalizeAliases(ConfigNode* layer, std::vector<std::string>* warnings) {
  CanonicalizeIn(layer, "", warnings);
}

Status CheckKeys(const ConfigNode& root, std::vector<std::string>* warnings) {
  return CheckIn(root, "", warnings);
}

StatusOr<Json> SectionToJson(const ConfigNode& root, std::string_view path) {
  const KeySpec* spec = FindKeySpec(path);
  if (spec == nullptr || spec->kind != ValueKind::kSection) {
    return Internal("not a configuration section: " + std::string(path));
  }
  const ConfigNode* node = FindPath(root, path);
  if (node == nullptr) return Json::MakeObject();
  return ValueToJson(*node, *spec, std::string(path));
}

}  // namespace quiver::config_internal
