#include "server/http_download.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <optional>

namespace quiver::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct ParsedUrl {
  bool tls = false;
  std::string host, port, target;
};

std::optional<ParsedUrl> Parse(const std::string& url) {
  ParsedUrl out;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.tls ? "443" : "80";
  }
  if (!out.host.empty() && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

template <class Stream>
Status Fetch(Stream& stream, const ParsedUrl& url, const std::string& path, uint64_t max_bytes,
             std::chrono::seconds timeout) {
  beast::error_code ec;
  http::request<http::empty_body> request{http::verb::get, url.target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "quiver");
  beast::get_lowest_layer(stream).expires_after(timeout);
  http::write(stream, request, ec);
  if (ec) return Status(StatusCode::kUnavailable, "cannot send the snapshot request: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::file_body> parser;
  parser.body_limit(max_bytes);
  parser.get().body().open(path.c_str(), beast::file_mode::write, ec);
  if (ec) return Internal("cannot create " + path + ": " + ec.message());
  http::read(stream, buffer, parser, ec);
  parser.get().body().close();
  if (ec) return InvalidArgument("Bad request: cannot download the snapshot: " + ec.message());
  unsigned status = parser.get().result_int();
  if (status != 200) {
    return InvalidArgument("Bad request: downloading the snapshot answered HTTP " +
                           std::to_string(status));
  }
  return Status::Ok();
}

}  // namespace

Status DownloadUrl(const std::string& url, const std::string& path, uint64_t max_bytes,
                   std::chrono::seconds timeout) {
  std::optional<ParsedUrl> parsed = Parse(url);
  if (!parsed) return InvalidArgument("Bad request: cannot use snapshot URL " + url);
  asio::io_context io;
  beast::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(parsed->host, parsed->port, ec);
  if (ec) return Status(StatusCode::kUnavailable, "cannot resolve " + parsed->host + ": " + ec.message());
  try {
    if (!parsed->tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      stream.connect(endpoints, ec);
      if (ec) return Status(StatusCode::kUnavailable, "cannot connect to " + parsed->host + ": " + ec.message());
      return Fetch(stream, *parsed, path, max_bytes, timeout);
    }
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, context);
    SSL_set_tlsext_host_name(stream.native_handle(), parsed->host.c_str());
    SSL_set1_host(stream.native_handle(), parsed->host.c_str());
    beast::get_lowest_layer(stream).expires_after(timeout);
    beast::get_lowest_layer(stream).connect(endpoints, ec);
    if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return Status(StatusCode::kUnavailable, "cannot connect to " + parsed->host + ": " + ec.message());
    return Fetch(stream, *parsed, path, max_bytes, timeout);
  } catch (const std::exception& e) {  // Asio throws only on resource exhaustion here
    return Internal(std::string("snapshot download failed: ") + e.what());
  }
}

}  // namespace quiver::server
