#pragma once
// The configuration keys Qdrant knows, with the built-in defaults Quiver starts from. Internal to
// src/config.
//
// One table (config_schema.cc) lists every key of Qdrant's Settings: the ones Quiver reads and the
// ones it accepts and ignores (cluster, telemetry_disabled, gpu, ...), so that a Qdrant user's
// config.yaml loads without a warning while a misspelt key still gets one. Sections whose contents
// vary between Qdrant versions (feature_flags, storage.collection, ...) are listed as opaque: any
// value is accepted and nothing inside is checked.
//
// The defaults in the table are the values of Qdrant's own config/config.yaml (its built-in
// layer) plus its code defaults for the collection-default trees; config/config.yaml of this
// repository spells out the same values, and a test keeps the two equal.

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "config/config_tree.h"

namespace quiver::config_internal {

enum class ValueKind {
  kSection,  // a mapping of known keys (null counts as empty)
  kAny,      // accepted and not checked: a key Quiver ignores, or an opaque section
  kBool,
  kInt,   // any integer
  kUInt,  // a non-negative integer
  kFloat,
  kString,
};

struct KeySpec {
  std::string_view path;  // dotted, e.g. "storage.optimizers.deleted_threshold"
  ValueKind kind;
  bool nullable = false;
  // YAML scalar text of the built-in default; "~" is null; nullptr when there is none.
  const char* default_text = nullptr;
  // For an alias Qdrant also accepts ("max_segment_size"), the canonical key name in the same
  // section ("max_segment_size_kb"); empty otherwise.
  std::string_view alias_of = {};
};

// The spec of a dotted path, or nullptr when Qdrant does not know the key.
const KeySpec* FindKeySpec(std::string_view path);

// The built-in default layer, built from the table.
ConfigNode BuiltInDefaults();

// Renames aliased keys of one layer to their canonical names before it is merged, so that
// `indexing_threshold: 5` in a file overrides the default `indexing_threshold_kb`. When a layer
// holds both spellings, the canonical one wins and a warning is appended.
void CanonicalizeAliases(ConfigNode* layer, std::vector<std::string>* warnings);

// Walks the merged tree: appends "unknown configuration key: <path> (from <origin>)" for each key
// Qdrant does not know (its children are not inspected), and fails with kInvalidArgument when a
// known section holds something other than a mapping.
Status CheckKeys(const ConfigNode& root, std::vector<std::string>* warnings);

// The section at `path` (e.g. "storage.optimizers") as a Json object, every known key converted
// to its kind (integers, floats, booleans, strings, null). Unknown keys are left out (CheckKeys
// has warned about them). Errors: kInvalidArgument naming the key whose value has the wrong type.
StatusOr<Json> SectionToJson(const ConfigNode& root, std::string_view path);

}  // namespace quiver::config_internal
