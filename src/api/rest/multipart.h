#pragma once
// multipart/form-data (RFC 7578) just far enough for snapshot uploads: finds one file field in a
// body held in memory or mapped from a file, without copying it.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace quiver::rest {

struct MultipartPart {
  std::string filename;  // as the client sent it (untrusted: sanitise before use)
  size_t offset = 0;     // where the part's content starts in the body
  size_t size = 0;       // content length in bytes
};

// The part named `field` of a multipart/form-data `body` whose Content-Type header is
// `content_type`. kInvalidArgument when the type is not multipart/form-data, has no boundary,
// the body is malformed, or no part has that name.
StatusOr<MultipartPart> FindMultipartPart(std::string_view body, std::string_view content_type,
                                          std::string_view field);

}  // namespace quiver::rest
