#pragma once
// ConfigNode: one layer of configuration (a YAML file, the QDRANT__ environment variables, the
// built-in defaults) or the merge of several. Internal to src/config; nothing outside this
// directory includes it.
//
// Scalars stay text until a typed reader asks for a number or a boolean, which is how Qdrant's
// loader (config-rs) behaves: `http_port: 6333`, `http_port: "6333"` and
// QDRANT__SERVICE__HTTP_PORT=6333 all read as the same port, and `api_key: 12345` is the key
// "12345". Every node remembers where it was set (`origin`), so an error or a warning can point
// at the file line or the environment variable to fix. yaml-cpp stays inside config_tree.cc.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace quiver::config_internal {

struct ConfigNode {
  enum class Kind { kNull, kScalar, kMap, kList };
  using Member = std::pair<std::string, ConfigNode>;

  Kind kind = Kind::kNull;
  std::string text;              // kScalar: the value as written (quotes removed)
  std::vector<Member> map;       // kMap, in document order; keys are unique
  std::vector<ConfigNode> list;  // kList
  // Where this node was set: "config/config.yaml:12", "environment variable QDRANT__X",
  // "built-in defaults". Empty when unknown.
  std::string origin;

  bool is_null() const { return kind == Kind::kNull; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_map() const { return kind == Kind::kMap; }

  static ConfigNode Scalar(std::string text, std::string origin);

  // Member lookup; nullptr when absent or when this is not a mapping.
  const ConfigNode* Find(std::string_view key) const;
  ConfigNode* Find(std::string_view key);
  // The member `key`, appended as null when absent. A null node becomes an empty mapping first.
  // REQUIRES: is_map() || is_null().
  ConfigNode& GetOrAdd(std::string_view key);
};

// Follows a dotted path ("service.http_port") from `root`; nullptr when any step is missing.
const ConfigNode* FindPath(const ConfigNode& root, std::string_view dotted_path);

// Parses one YAML document. `source_name` (a file path) prefixes origins and error messages.
// An empty document is a null node. Errors: kInvalidArgument for malformed YAML, for a top level
// that is not a mapping, or for a mapping key that is not a scalar.
StatusOr<ConfigNode> ParseYaml(std::string_view text, const std::string& source_name);

// Reads and parses a YAML file. Errors: kNotFound when it cannot be opened, else as ParseYaml.
StatusOr<ConfigNode> LoadYamlFile(const std::string& path);

// The layer made of QDRANT__SECTION__KEY variables in `env`, the way Qdrant reads them: the prefix
// is matched case-insensitively, "__" separates levels, key names are lower-cased, and every value
// is a scalar (an empty value included). Other variables are ignored. A variable with an empty
// level ("QDRANT__SERVICE____X") is skipped with a warning.
ConfigNode EnvironmentLayer(const std::map<std::string, std::string>& env,
                            std::vector<std::string>* warnings);

// Merges `src` over `*dst`: mappings merge key by key (new keys are appended), a null over a
// mapping leaves the mapping as it was (a section whose keys are all commented out is empty, not
// a reset), and anything else replaces what was there.
void MergeInto(ConfigNode* dst, const ConfigNode& src);

// How a value reads in an error message: "'abc'", "null", "a mapping", "a list".
std::string Describe(const ConfigNode& node);
// " (from <origin>)", or "" when the origin is unknown.
std::string OriginSuffix(const ConfigNode& node);

// Scalar coercions. Each accepts the whole text or nothing (std::nullopt).
// Booleans: true/false, yes/no, on/off, 1/0, case-insensitive (as config-rs accepts them).
std::optional<bool> ParseBool(std::string_view text);
// Decimal integers with an optional sign; nullopt on overflow.
std::optional<int64_t> ParseInt(std::string_view text);
// Finite decimal numbers (integers included).
std::optional<double> ParseDouble(std::string_view text);
// Whether scalar text spells YAML null: "", "~", "null" in any case. Environment variables carry
// only text, so `QDRANT__SERVICE__GRPC_PORT=null` disables gRPC the way `grpc_port: null` does.
bool IsNullText(std::string_view text);

}  // namespace quiver::config_internal
