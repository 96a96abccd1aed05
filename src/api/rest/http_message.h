#pragma once
// Transport-neutral HTTP request and response: the REST front end works on these, the server
// (server/http_server.cc, Boost.Beast) converts to and from the wire. Keeps Beast out of the
// REST handlers, so they are testable without sockets.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace quiver::rest {

struct HttpRequest {
  std::string method;  // "GET", "PUT", ... upper case
  std::string target;  // raw request target: path plus optional "?query"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // Set instead of `body` when the body was spooled to a file (BodyPlan::kFile). The server
  // removes the file after the handler returns; a handler may move it elsewhere first.
  std::string body_file;
  std::string remote_address;  // client IP, for logs and audit
  // Subject of the client certificate when mutual TLS verified one ("" otherwise), for audit.
  std::string client_cert_subject;

  // First header with that (lower-case) name, or nullptr.
  const std::string* Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // When set, the response body is this file's contents (streamed), not `body`.
  std::string body_file;
};

// How the server takes a request's body, decided from the request line and headers alone
// (`body` is still empty then): some requests must be refused before their body is read.
struct BodyPlan {
  enum class Kind {
    kMemory,  // read into HttpRequest::body, up to the server's limit
    kFile,    // spool into a new file in `file_dir`, up to `max_file_bytes`
    kRefuse,  // send `refusal` without reading the body, then close the connection
  };
  Kind kind = Kind::kMemory;
  std::string file_dir;
  uint64_t max_file_bytes = 0;
  HttpResponse refusal;
};

}  // namespace quiver::rest
