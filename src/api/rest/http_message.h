#pragma once
// Transport-neutral HTTP request and response: the REST front end works on these, the server
// (server/http_server.cc, Boost.Beast) converts to and from the wire. Keeps Beast out of the
// REST handlers, so they are testable without sockets.

#include <string>
#include <utility>
#include <vector>

namespace quiver::rest {

struct HttpRequest {
  std::string method;  // "GET", "PUT", ... upper case
  std::string target;  // raw request target: path plus optional "?query"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
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
};

}  // namespace quiver::rest
