#pragma once
// HttpServer: the HTTP/1.1 wire (Boost.Beast + Boost.Asio) around a transport-neutral handler.
//
// Each request is read off the socket, turned into a rest::HttpRequest, passed to the handler,
// and the handler's rest::HttpResponse is written back. Everything HTTP-the-protocol lives here
// (keep-alive, pipelining, size limits, timeouts, HEAD, framing); everything Qdrant lives in the
// handler. Beast and Asio stay inside http_server.cc; this header only names the TLS context type.
//
// Errors the server answers by itself, with Qdrant's error envelope
// `{"status":{"error":"..."},"time":0.0}`, then closing the connection:
//   400  malformed HTTP (bad request line, header, chunk encoding, ...)
//   413  Content-Length over max_body_bytes (answered without reading the body) or a chunked body
//        growing past it
//   431  request header block over 64 KiB
//   500  an exception escaping the handler (the connection stays usable)
//
// Threading: `threads` I/O threads run one io_context; each connection is a coroutine on its own
// strand, so connections proceed in parallel and a connection's requests are handled one after
// the other (pipelined requests are answered in order). The handler runs on the I/O thread that
// read the request: a handler that blocks occupies that thread, not the whole server.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/rest/http_message.h"
#include "common/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace quiver::server {

struct HttpServerOptions {
  std::string host = "0.0.0.0";      // an address or a name; "::" listens on IPv6 and IPv4
  int port = 6333;                   // 0 picks a free port (see HttpServer::port())
  size_t max_body_bytes = 32 << 20;  // from service.max_request_size_mb
  int threads = 0;                   // I/O threads; 0 = std::thread::hardware_concurrency()
  // A connection waiting longer than this for a request header, or making no progress for this
  // long while its body is read or its response written, is closed. Zero or less: never.
  std::chrono::seconds idle_timeout{60};
  // Stop() waits this long for requests in flight before it closes their connections.
  std::chrono::seconds shutdown_grace{10};

  // TLS seam. Empty: plain HTTP. Set: every connection is TLS, and this is called once per
  // accepted connection for the context to use (a certificate reloader swaps what it returns;
  // connections keep the context they started with). Returning nullptr or throwing drops the
  // connection. Called on I/O threads: must be thread-safe.
  std::function<std::shared_ptr<boost::asio::ssl::context>()> tls_context;

  // Told about failures no client sees the cause of: handler exceptions, accept errors, TLS
  // context failures. Empty: silent. Called on I/O threads: must be thread-safe.
  std::function<void(std::string_view message)> error_log;

  // Called once the header of a request is read, before its body: how to take the body (in
  // memory, spooled to a file, or refused at once). Empty: always in memory. Must not block for
  // long; called on I/O threads: must be thread-safe.
  std::function<rest::BodyPlan(const rest::HttpRequest& head)> plan_body;
};

// Turns one request into one response. Called concurrently from several threads; may block.
// Exceptions are caught and answered with 500, but are a bug of the handler.
using RequestHandler = std::function<rest::HttpResponse(rest::HttpRequest&)>;

class HttpServerCore;  // http_server.cc

// Thread safety: Start(), Stop() and port() may be called from any thread, but not from inside
// the handler (Stop() joins the threads that run it).
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads; connections are accepted once this returns.
  // Errors: kInvalidArgument for a host that does not resolve or a port out of range, kUnavailable
  // when no address can be bound (port taken, permission denied), kInternal when already
  // started. A failed Start() leaves nothing running and may be retried.
  Status Start();

  // The bound port (the chosen one when options.port == 0); 0 before a successful Start().
  int port() const;

  // Graceful stop: stops accepting, closes idle connections, lets requests in flight finish and
  // answers them with `Connection: close`, for at most options.shutdown_grace; then closes what is
  // left and joins the I/O threads. A handler already running is never interrupted: Stop() returns
  // after it returns. Idempotent; a no-op before Start(). The server cannot be restarted.
  void Stop();

 private:
  std::unique_ptr<HttpServerCore> core_;
};

}  // namespace quiver::server
