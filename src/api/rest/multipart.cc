#include "api/rest/multipart.h"

#include "common/text.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace quiver::rest {
namespace {

// The value of `name=` among the `;`-separated parameters of a header value (quotes removed).
std::optional<std::string> Parameter(std::string_view value, std::string_view name) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t semi = value.find(';', pos);
    if (semi == std::string_view::npos) semi = value.size();
    std::string_view item = TrimSpace(value.substr(pos, semi - pos));
    pos = semi + 1;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || AsciiLower(TrimSpace(item.substr(0, eq))) != name) continue;
    std::string_view v = TrimSpace(item.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
  }
  return std::nullopt;
}

Status Malformed(const std::string& why) {
  return InvalidArgument("Bad request: malformed multipart body: " + why);
}

}  // namespace

StatusOr<MultipartPart> FindMultipartPart(std::string_view body, std::string_view content_type,
                                          std::string_view field) {
  if (AsciiLower(TrimSpace(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") {
    return InvalidArgument("Bad request: Content type must be multipart/form-data");
  }
  auto boundary = Parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 200) return Malformed("no boundary");
  const std::string delimiter = "--" + *boundary;
  const std::string next_delimiter = "\r\n" + delimiter;

  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return Malformed("no boundary line");
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return Malformed("bad boundary line");
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return Malformed("unterminated part headers");
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t content = headers_end + 4;
    size_t end = body.find(next_delimiter, content);
    if (end == std::string_view::npos) return Malformed("unterminated part");

    std::optional<std::string> name, filename;
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      std::string_view line = headers.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      if (AsciiLower(TrimSpace(line.substr(0, colon))) != "content-disposition") continue;
      std::string_view value = line.substr(colon + 1);
      name = Parameter(value, "name");
      filename = Parameter(value, "filename");
    }
    if (name && *name == field) {
      return MultipartPart{filename.value_or(""), content, end - content};
    }
    pos = end + next_delimiter.size();
  }
  return InvalidArgument("Bad request: multipart field `" + std::string(field) + "` is missing");
}

}  // namespace quiver::rest
