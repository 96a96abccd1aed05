#include "config/config_tree.h"

#include "common/text.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace quiver::config_internal {
namespace {


std::string LineOrigin(const std::string& source, const YAML::Mark& mark) {
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1);
}

// Converts a yaml-cpp node; `origin` is where the node's key (or the document) sits.
Status Convert(const YAML::Node& in, const std::string& source, std::string origin,
               ConfigNode* out) {
  out->origin = std::move(origin);
  switch (in.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out->kind = ConfigNode::Kind::kNull;
      return Status::Ok();
    case YAML::NodeType::Scalar:
      out->kind = ConfigNode::Kind::kScalar;
      out->text = in.Scalar();
      return Status::Ok();
    case YAML::NodeType::Sequence:
      out->kind = ConfigNode::Kind::kList;
      for (const YAML::Node& item : in) {
        ConfigNode child;
        QUIVER_RETURN_IF_ERROR(Convert(item, source, LineOrigin(source, item.Mark()), &child));
        out->list.push_back(std::move(child));
      }
      return Status::Ok();
    case YAML::NodeType::Map:
      out->kind = ConfigNode::Kind::kMap;
      for (const auto& member : in) {
        // Copies: the iterator's pair is a temporary proxy.
        const YAML::Node key = member.first;
        const YAML::Node value = member.second;
        std::string key_origin = LineOrigin(source, key.Mark());
        if (!key.IsScalar()) {
          return InvalidArgument(key_origin + ": a mapping key must be a plain name");
        }
        ConfigNode child;
        QUIVER_RETURN_IF_ERROR(Convert(value, source, key_origin, &child));
        // A key written twice: the later one wins, as in Qdrant.
        out->GetOrAdd(key.Scalar()) = std::move(child);
      }
      return Status::Ok();
  }
  return Internal("unexpected YAML node type");
}

}  // namespace

ConfigNode ConfigNode::Scalar(std::string text, std::string origin) {
  ConfigNode node;
  node.kind = Kind::kScalar;
  node.text = std::move(text);
  node.origin = std::move(origin);
  return node;
}

const ConfigNode* ConfigNode::Find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (const Member& m : map) {
    if (m.first == key) return &m.second;
  }
  return nullptr;
}

ConfigNode* ConfigNode::Find(std::string_view key) {
  return const_cast<ConfigNode*>(static_cast<const ConfigNode*>(this)->Find(key));
}

ConfigNode& ConfigNode::GetOrAdd(std::string_view key) {
  if (kind == Kind::kNull) kind = Kind::kMap;
  if (ConfigNode* found = Find(key)) return *found;
  map.emplace_back(std::string(key), ConfigNode{});
  return map.back().second;
}

const ConfigNode* FindPath(const ConfigNode& root, std::string_view dotted_path) {
  const ConfigNode* node = &root;
  while (node != nullptr) {
    size_t dot = dotted_path.find('.');
    node = node->Find(dotted_path.substr(0, dot));
    if (dot == std::string_view::npos) return node;
    dotted_path.remove_prefix(dot + 1);
  }
  return nullptr;
}

StatusOr<ConfigNode> ParseYaml(std::string_view text, const std::string& source_name) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source_name + ": invalid YAML at line " +
                           std::to_string(e.mark.line + 1) + ", column " +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  ConfigNode root;
  try {
    QUIVER_RETURN_IF_ERROR(Convert(doc, source_name, source_name, &root));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source_name + ": invalid YAML: " + e.msg);
  }
  if (!root.is_map() && !root.is_null()) {
    return InvalidArgument(source_name + ": the top level must be a mapping of sections, got " +
                           Describe(root));
  }
  return root;
}

StatusOr<ConfigNode> LoadYamlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument("cannot read config file " + path);
  return ParseYaml(text.str(), path);
}

ConfigNode EnvironmentLayer(const std::map<std::string, std::string>& env,
                            std::vector<std::string>* warnings) {
  static constexpr std::string_view kPrefix = "qdrant__";
  ConfigNode layer;
  for (const auto& [name, value] : env) {
    std::string key = AsciiLower(name);
    if (key.size() <= kPrefix.size() || key.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    std::vector<std::string> levels;
    std::string_view rest = std::string_view(key).substr(kPrefix.size());
    while (true) {
      size_t sep = rest.find("__");
      levels.emplace_back(rest.substr(0, sep));
      if (sep == std::string_view::npos) break;
      rest.remove_prefix(sep + 2);
    }
    std::string origin = "environment variable " + name;
    bool usable =
        std::none_of(levels.begin(), levels.end(), [](const std::string& l) { return l.empty(); });
    ConfigNode* node = &layer;
    for (size_t i = 0; usable && i + 1 < levels.size(); ++i) {
      node = &node->GetOrAdd(levels[i]);
      if (node->is_scalar()) usable = false;  // QDRANT__A=1 and QDRANT__A__B=2 together
      if (node->origin.empty()) node->origin = origin;
    }
    if (usable) {
      ConfigNode& leaf = node->GetOrAdd(levels.back());
      if (leaf.is_map()) {
        usable = false;
      } else {
        leaf = ConfigNode::Scalar(value, origin);
      }
    }
    if (!usable && warnings != nullptr) {
      warnings->push_back("ignoring environment variable " + name +
                          ": its name has an empty level or conflicts with another variable");
    }
  }
  return layer;
}

void MergeInto(ConfigNode* dst, const ConfigNode& src) {
  if (src.is_map() && dst->is_map()) {
    for (const ConfigNode::Member& m : src.map) {
      if (ConfigNode* existing = dst->Find(m.first)) {
        MergeInto(existing, m.second);
      } else {
        dst->map.push_back(m);
      }
    }
    return;
  }
  if (src.is_null() && dst->is_map()) return;
  *dst = src;
}

std::string Describe(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::kNull:
      return "null";
    case ConfigNode::Kind::kMap:
      return "a mapping";
    case ConfigNode::Kind::kList:
      return "a list";
    case ConfigNode::Kind::kScalar:
      break;
  }
  constexpr size_t kMaxShown = 64;
  if (node.text.size() <= kMaxShown) return "'" + node.text + "'";
  return "'" + node.text.substr(0, kMaxShown) + "...'";
}

std::string OriginSuffix(const ConfigNode& node) {
  return node.origin.empty() ? std::string() : " (from " + node.origin + ")";
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string t = AsciiLower(TrimSpace(text));
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  return std::nullopt;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  text = TrimSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(std::string_view text) {
  text = TrimSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool IsNullText(std::string_view text) {
  std::string t = AsciiLower(TrimSpace(text));
  return t.empty() || t == "~" || t == "null";
}

}  // namespace quiver::config_internal
