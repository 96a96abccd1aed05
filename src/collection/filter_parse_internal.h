#pragma once
// Shared by the two halves of ParseFilter (filter_parse.cc: filters and conditions;
// filter_parse_field.cc: field conditions). Not part of the module's interface.

#include <cstddef>
#include <string>
#include <string_view>

#include "collection/filter.h"

namespace quiver::filter_parse_internal {

// "where.field" (or "field" when where is empty), and "where[i]": places named in messages.
std::string Join(const std::string& where, std::string_view field);
std::string At(const std::string& where, size_t i);
// kInvalidArgument "<where>: <message>".
Status Bad(const std::string& where, const std::string& message);
// The member, or nullptr when absent or null (serde reads null as None for Option fields).
const Json* Opt(const Json& object, std::string_view name);
StatusOr<PayloadPath> ParsePath(const Json& j, const std::string& where);
StatusOr<uint64_t> ParseCount(const Json& j, const std::string& where);

// Reads the members of a field condition into *fc. REQUIRES: j is an object whose `key` member
// is a string.
Status ParseFieldBody(const Json& j, const std::string& where, FieldCondition* fc);

}  // namespace quiver::filter_parse_internal
