#include "server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/text.h"
#include "server/tls.h"

namespace quiver::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kMaxHeaderBytes = 64 * 1024;  // request line plus headers
constexpr Clock::duration kTlsHandshakeTimeout = std::chrono::seconds(10);
constexpr Clock::duration kTlsShutdownTimeout = std::chrono::seconds(2);
// After an error response on a connection whose request was not read to its end, we stop sending
// and read (discarding) for this long before closing: closing with unread bytes makes the kernel
// send a reset, which can destroy our error response before the client has read it.
constexpr Clock::duration kLingerTimeout = std::chrono::seconds(2);
constexpr Clock::duration kForceCloseWait = std::chrono::seconds(2);
constexpr Clock::duration kAcceptRetryDelay = std::chrono::milliseconds(100);
// How much of a body one read may take. Beast reads into the free space of the connection's
// buffer, which after a header is a few hundred bytes: without room a 100 KB query batch arrives
// in 512-byte reads, each an epoll round trip (a third of a batch's time was spent so).
constexpr size_t kBodyReadBytes = 64 * 1024;
// A body of known length is read straight into the request's string, up to this much per read:
// fewer wake-ups than Beast's 64 KiB steps and no copy out of the connection's buffer.
constexpr size_t kSizedBodyReadBytes = 1024 * 1024;

// Redirects an I/O error into `ec` instead of throwing from the co_await.
auto Redirect(beast::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

std::string JsonEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Qdrant's error envelope.
std::string ErrorEnvelope(std::string_view message) {
  return "{\"status\":{\"error\":\"" + JsonEscape(message) + "\"},\"time\":0.0}";
}

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

// Beast 1.74 speaks boost::string_view.
std::string_view Std(beast::string_view text) { return {text.data(), text.size()}; }


// A header the handler may add: no line breaks (response splitting), and not one that frames
// the message, which only this file decides.
bool HasLineBreak(const std::string& text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
}

bool AllowedExtraHeader(const std::string& name, const std::string& value) {
  if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
      name.find_first_of(": ") != std::string::npos) {
    return false;
  }
  std::string lower = AsciiLower(name);
  return lower != "content-length" && lower != "transfer-encoding" && lower != "connection" &&
         lower != "content-type" && lower != "date";
}

std::string RemoteAddress(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "";
  asio::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {  // "::" listens for IPv4 too
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

void RemoveFile(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);  // already moved away by the handler: nothing to do
}

// Status line and headers of a response, whatever its body type.
template <class Body>
void SetHead(const rest::HttpResponse& response, unsigned version, bool keep_alive,
             http::response<Body>* wire) {
  wire->version(version);
  wire->result(static_cast<unsigned>(response.status));
  if (!response.content_type.empty() && !HasLineBreak(response.content_type)) {
    wire->set(http::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    if (AllowedExtraHeader(name, value)) wire->insert(name, value);
  }
  wire->set(http::field::date, HttpDate());
  wire->keep_alive(keep_alive);
}

rest::HttpResponse JsonError(int status, std::string_view message) {
  rest::HttpResponse response;
  response.status = status;
  response.body = ErrorEnvelope(message);
  return response;
}

// How a connection ends: kAbort closes at once (peer gone, timeout, I/O error); kClose stops
// sending and closes; kLinger also drains what the peer still sends, for kLingerTimeout.
enum class Ending { kAbort, kClose, kLinger };

// One accepted connection, as seen by the server: what Stop() can ask of it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  // Closes the connection if it is waiting for a request; a request in flight finishes (its
  // response says `Connection: close`). Thread-safe: runs on the connection's strand.
  virtual void CloseIfIdle() = 0;
  // Closes the connection now (after the handler, if one is running). Thread-safe.
  virtual void Close() = 0;
};

}  // namespace

class HttpServerCore {
 public:
  HttpServerCore(HttpServerOptions options, RequestHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}
  ~HttpServerCore() { Stop(); }

  Status Start();
  void Stop();
  int port() const { return port_.load(); }

  // For sessions.
  const HttpServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(); }
  rest::BodyPlan PlanBody(const rest::HttpRequest& head);  // never throws
  rest::HttpResponse Handle(rest::HttpRequest& request);  // never throws
  void Log(std::string_view message) const;
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(Connection* connection);

 private:
  asio::awaitable<void> AcceptLoop();
  void StartSession(tcp::socket socket);
  void RunIoThread();
  void ForEachConnection(void (Connection::*action)());
  bool WaitForConnections(Clock::duration timeout);  // true when none is left

  const HttpServerOptions options_;
  const RequestHandler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> port_{0};

  std::mutex lifecycle_mu_;  // serializes Start() and Stop()
  bool started_ = false;     // guarded by lifecycle_mu_
  bool stopped_ = false;     // guarded by lifecycle_mu_

  std::mutex connections_mu_;
  std::condition_variable connections_empty_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // connections_mu_

  // Declared after the registry: connections still open when the io_context is destroyed
  // unregister themselves from it.
  std::unique_ptr<asio::io_context> io_context_;
  std::optional<tcp::acceptor> acceptor_;  // used on its own strand once threads run
  std::vector<std::thread> threads_;
};

namespace {

// The per-connection coroutine. Stream is beast::tcp_stream (plain) or
// beast::ssl_stream<beast::tcp_stream> (TLS); both run the same code, TLS adds a handshake and a
// close_notify. All members are used on the connection's strand only.
template <class Stream>
class Session final : public Connection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  Session(HttpServerCore& core, std::string remote_address,
          std::shared_ptr<asio::ssl::context> tls_context, StreamArgs&&... stream_args)
      : core_(core),
        remote_address_(std::move(remote_address)),
        tls_context_(std::move(tls_context)),
        stream_(std::forward<StreamArgs>(stream_args)...),
        strand_(beast::get_lowest_layer(stream_).get_executor()) {}
  ~Session() override { core_.Unregister(this); }

  const asio::any_io_executor& strand() const { return strand_; }

  // The connection's whole life. `self` keeps the session alive while the coroutine runs.
  asio::awaitable<void> Run(std::shared_ptr<Session> self);

  void CloseIfIdle() override {
    asio::post(strand_, [self = Self()] {
      if (self->idle_) self->Tcp().close();
    });
  }
  void Close() override {
    asio::post(strand_, [self = Self()] { self->Tcp().close(); });
  }

 private:
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }
  // Deadline for the next I/O operation(s) on the connection.
  void Arm(Clock::duration timeout) {
    if (timeout > Clock::duration::zero()) {
      Tcp().expires_after(timeout);
    } else {
      Tcp().expires_never();
    }
  }
  Clock::duration idle_timeout() const { return core_.options().idle_timeout; }

  asio::awaitable<Ending> Serve();
  asio::awaitable<Ending> OnReadError(const beast::error_code& ec);
  asio::awaitable<Ending> Fail(http::status status, std::string_view message);
  template <class Body>
  asio::awaitable<bool> Write(http::response<Body>& response);
  template <class Parser>
  asio::awaitable<beast::error_code> ReadBody(Parser& parser, bool expect_continue);
  asio::awaitable<beast::error_code> ReadSizedBody(uint64_t length, bool expect_continue,
                                                   std::string* body);
  asio::awaitable<beast::error_code> AnswerContinue();
  asio::awaitable<void> Finish(Ending ending);
  rest::HttpRequest HeadOf(const http::request<http::empty_body>& header) const;
  std::string SpoolPath(const std::string& dir);
  http::response<http::string_body> ToWire(rest::HttpResponse&& response, unsigned version,
                                           bool head, bool keep_alive) const;
  // A 200 response whose body is response.body_file; nullopt when the file cannot be opened.
  std::optional<http::response<http::file_body>> FileToWire(const rest::HttpResponse& response,
                                                            unsigned version, bool keep_alive) const;

  HttpServerCore& core_;
  const std::string remote_address_;
  const std::shared_ptr<asio::ssl::context> tls_context_;  // declared before stream_: outlives it
  Stream stream_;
  const asio::any_io_executor strand_;
  beast::flat_buffer buffer_;  // bytes read past the current request (pipelining) stay here
  bool idle_ = true;           // no request in progress: Stop() may close at once
  std::string client_cert_subject_;  // of the verified client certificate (mutual TLS)
  uint64_t spooled_ = 0;             // request bodies spooled to files so far (file names)
};

template <class Stream>
asio::awaitable<void> Session<Stream>::Run([[maybe_unused]] std::shared_ptr<Session> self) {
  if (core_.stopping()) co_return;
  if constexpr (kTls) {
    beast::error_code ec;
    Arm(kTlsHandshakeTimeout);
    co_await stream_.async_handshake(asio::ssl::stream_base::server, Redirect(ec));
    if (ec) co_return;
    client_cert_subject_ = PeerCertificateSubject(stream_.native_handle());
  }
  Ending ending = co_await Serve();
  co_await Finish(ending);
}

template <class Stream>
asio::awaitable<Ending> Session<Stream>::Serve() {
  const size_t max_body = core_.options().max_body_bytes;
  for (;;) {
    if (core_.stopping()) co_return Ending::kClose;
    beast::error_code ec;
    http::request_parser<http::empty_body> header_parser;
    header_parser.header_limit(kMaxHeaderBytes);
    // Content-Length is checked below, by hand, once the plan says which limit applies. Not
    // boost::none: Beast 1.74 compares `len > optional` and treats none as smaller than any length.
    header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    idle_ = true;
    Arm(idle_timeout());
    co_await http::async_read_header(stream_, buffer_, header_parser, Redirect(ec));
    idle_ = false;
    if (ec) co_return co_await OnReadError(ec);

    const auto& header = header_parser.get();
    const unsigned version = header.version();
    const bool head = header.method() == http::verb::head;
    const bool keep_alive = header.keep_alive();
    const bool expect_continue =
        version >= 11 && beast::iequals(header[http::field::expect], "100-continue");
    rest::HttpRequest request = HeadOf(header);
    rest::BodyPlan plan = core_.PlanBody(request);
    if (plan.kind == rest::BodyPlan::Kind::kRefuse) {
      auto refusal = ToWire(std::move(plan.refusal), version, head, false);
      if (!co_await Write(refusal)) co_return Ending::kAbort;
      co_return header_parser.is_done() ? Ending::kClose : Ending::kLinger;
    }
    const bool to_file = plan.kind == rest::BodyPlan::Kind::kFile;
    const uint64_t limit = to_file ? plan.max_file_bytes : max_body;
    if (auto length = header_parser.content_length(); length && *length > limit) {
      co_return co_await Fail(
          http::status::payload_too_large,
          "JSON payload (" + std::to_string(*length) +
              " bytes) is larger than allowed (limit: " + std::to_string(limit) + " bytes).");
    }
    if (to_file) {
      http::request_parser<http::file_body> parser(std::move(header_parser));
      request.body_file = SpoolPath(plan.file_dir);
      parser.get().body().open(request.body_file.c_str(), beast::file_mode::write, ec);
      if (ec) {
        core_.Log("cannot create " + request.body_file + ": " + ec.message());
        co_return co_await Fail(http::status::internal_server_error,
                                "Service internal error: cannot store the request body");
      }
      parser.body_limit(limit);
      ec = co_await ReadBody(parser, expect_continue);
      parser.get().body().close();
      if (ec) {
        RemoveFile(request.body_file);
        co_return co_await OnReadError(ec);
      }
    } else if (const auto length = header_parser.content_length();
               length && !header_parser.chunked()) {
      ec = co_await ReadSizedBody(*length, expect_continue, &request.body);
      if (ec) co_return co_await OnReadError(ec);
    } else {
      http::request_parser<http::string_body> parser(std::move(header_parser));
      parser.body_limit(limit);  // for chunked bodies, whose size is known only as they arrive
      ec = co_await ReadBody(parser, expect_continue);
      if (ec) co_return co_await OnReadError(ec);
      request.body = std::move(parser.get().body());
    }

    rest::HttpResponse response = core_.Handle(request);  // may block this thread
    if (!request.body_file.empty()) RemoveFile(request.body_file);
    const bool keep = keep_alive && !core_.stopping();
    if (!response.body_file.empty() && !head && response.status == 200) {
      if (auto file_response = FileToWire(response, version, keep)) {
        if (!co_await Write(*file_response)) co_return Ending::kAbort;
        if (!keep) co_return Ending::kClose;
        continue;
      }
      response = JsonError(404, "Not found: the file is gone");  // deleted since the handler ran
    }
    auto wire_response = ToWire(std::move(response), version, head, keep);
    if (!co_await Write(wire_response)) co_return Ending::kAbort;
    if (!wire_response.keep_alive()) co_return Ending::kClose;
  }
}

// Reads the rest of a request's body into the parser (which has its header), answering
// `Expect: 100-continue` first. The deadline restarts whenever the body makes progress.
template <class Stream>
template <class Parser>
asio::awaitable<beast::error_code> Session<Stream>::ReadBody(Parser& parser, bool expect_continue) {
  beast::error_code ec;
  if (parser.is_done()) co_return ec;
  const auto length = parser.content_length();
  buffer_.reserve(std::min<uint64_t>(length.value_or(kBodyReadBytes), kBodyReadBytes));
  if (expect_continue && (ec = co_await AnswerContinue())) co_return ec;
  while (!parser.is_done()) {
    Arm(idle_timeout());
    co_await http::async_read_some(stream_, buffer_, parser, Redirect(ec));
    if (ec) co_return ec;
  }
  co_return ec;
}

// A body with a Content-Length (checked against the limit already): the bytes read past the
// header first, then reads straight into `body`. Reading stops at the body's end, so a pipelined
// request after it stays on the wire for the next round. The deadline restarts with each read.
template <class Stream>
asio::awaitable<beast::error_code> Session<Stream>::ReadSizedBody(uint64_t length,
                                                                  bool expect_continue,
                                                                  std::string* body) {
  beast::error_code ec;
  body->clear();
  body->reserve(length);  // as Beast does: address space, no memory touched yet
  const size_t buffered = std::min<uint64_t>(length, buffer_.size());
  body->resize(buffered);
  asio::buffer_copy(asio::buffer(*body), buffer_.data(), buffered);
  buffer_.consume(buffered);
  if (body->size() < length && expect_continue && (ec = co_await AnswerContinue())) co_return ec;
  while (body->size() < length) {
    const size_t have = body->size();
    const size_t step = std::min<uint64_t>(length - have, kSizedBodyReadBytes);
    body->resize(have + step);
    Arm(idle_timeout());
    const size_t got =
        co_await stream_.async_read_some(asio::buffer(body->data() + have, step), Redirect(ec));
    body->resize(have + got);
    if (ec) co_return ec == asio::error::eof ? http::error::partial_message : ec;
  }
  co_return ec;
}

template <class Stream>
asio::awaitable<beast::error_code> Session<Stream>::AnswerContinue() {
  beast::error_code ec;
  http::response<http::empty_body> go_on{http::status::continue_, 11};
  Arm(idle_timeout());
  co_await http::async_write(stream_, go_on, Redirect(ec));
  co_return ec;
}

template <class Stream>
asio::awaitable<Ending> Session<Stream>::OnReadError(const beast::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
    co_return Ending::kAbort;  // the peer closed, between requests or inside one
  }
  if (ec == http::error::body_limit) {
    co_return co_await Fail(http::status::payload_too_large,
                            "JSON payload is larger than allowed (limit: " +
                                std::to_string(core_.options().max_body_bytes) + " bytes).");
  }
  if (ec == http::error::header_limit) {
    co_return co_await Fail(
        http::status::request_header_fields_too_large,
        "Request header fields too large: over " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    co_return co_await Fail(http::status::bad_request,
                            "Bad request: malformed HTTP: " + ec.message());
  }
  co_return Ending::kAbort;  // timeout, reset, TLS failure, closed by Stop()
}

// Answers an error the server found itself and ends the connection: what follows the bad
// request on the wire cannot be trusted to start a new one.
template <class Stream>
asio::awaitable<Ending> Session<Stream>::Fail(http::status status, std::string_view message) {
  http::response<http::string_body> response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::date, HttpDate());
  response.keep_alive(false);
  response.body() = ErrorEnvelope(message);
  response.prepare_payload();
  if (!co_await Write(response)) co_return Ending::kAbort;
  co_return Ending::kLinger;
}

template <class Stream>
template <class Body>
asio::awaitable<bool> Session<Stream>::Write(http::response<Body>& response) {
  http::response_serializer<Body> serializer(response);
  beast::error_code ec;
  while (!serializer.is_done()) {  // the deadline restarts whenever the peer takes bytes
    Arm(idle_timeout());
    co_await http::async_write_some(stream_, serializer, Redirect(ec));
    if (ec) co_return false;
  }
  co_return true;
}

template <class Stream>
asio::awaitable<void> Session<Stream>::Finish(Ending ending) {
  if (ending == Ending::kAbort) co_return;  // the destructor closes the socket
  beast::error_code ec;
  if constexpr (kTls) {
    Arm(kTlsShutdownTimeout);
    co_await stream_.async_shutdown(Redirect(ec));
  } else {
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ending == Ending::kLinger && !ec) {
      Arm(kLingerTimeout);
      std::array<char, 8192> discard;
      while (!ec) co_await Tcp().async_read_some(asio::buffer(discard), Redirect(ec));
    }
  }
}

template <class Stream>
rest::HttpRequest Session<Stream>::HeadOf(const http::request<http::empty_body>& header) const {
  rest::HttpRequest request;
  request.method = std::string(Std(header.method_string()));
  request.target = std::string(Std(header.target()));
  for (const auto& field : header) {
    request.headers.emplace_back(AsciiLower(Std(field.name_string())),
                                 std::string(Std(field.value())));
  }
  request.remote_address = remote_address_;
  request.client_cert_subject = client_cert_subject_;
  return request;
}

template <class Stream>
std::string Session<Stream>::SpoolPath(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  char name[64];
  std::snprintf(name, sizeof name, "/body-%p-%llu", static_cast<void*>(this),
                static_cast<unsigned long long>(spooled_++));
  std::string path = dir;
  path.append(name);
  return path;
}

template <class Stream>
std::optional<http::response<http::file_body>> Session<Stream>::FileToWire(
    const rest::HttpResponse& response, unsigned version, bool keep_alive) const {
  http::response<http::file_body> wire;
  beast::error_code ec;
  wire.body().open(response.body_file.c_str(), beast::file_mode::scan, ec);
  if (ec) return std::nullopt;
  SetHead(response, version, keep_alive, &wire);
  wire.prepare_payload();
  return wire;
}

template <class Stream>
http::response<http::string_body> Session<Stream>::ToWire(rest::HttpResponse&& response,
                                                          unsigned version, bool head,
                                                          bool keep_alive) const {
  if (response.status < 200 || response.status > 599) {
    core_.Log("handler returned HTTP status " + std::to_string(response.status));
    response = JsonError(500, "Service internal error: invalid response status");
  }
  http::response<http::string_body> wire;
  SetHead(response, version, keep_alive, &wire);
  if (response.status != 204 && response.status != 304) {
    wire.content_length(response.body.size());  // for HEAD too: the size a GET would get
    if (!head) wire.body() = std::move(response.body);
  }
  return wire;
}

}  // namespace

Status HttpServerCore::Start() {
  std::lock_guard lock(lifecycle_mu_);
  if (started_ || stopped_) return Internal("HttpServer::Start: already started");
  if (options_.port < 0 || options_.port > 65535) {
    return InvalidArgument("service.http_port out of range: " + std::to_string(options_.port));
  }
  const int threads = options_.threads > 0
                          ? options_.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto io_context = std::make_unique<asio::io_context>(threads);

  beast::error_code ec;
  tcp::resolver resolver(*io_context);
  auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return InvalidArgument("cannot resolve service.host '" + options_.host + "': " + ec.message());
  }
  // The first address that accepts a bind wins (a name may resolve to IPv6 and IPv4 both).
  std::string error;
  for (const auto& entry : endpoints) {
    const tcp::endpoint& endpoint = entry.endpoint();
    tcp::acceptor acceptor(asio::make_strand(*io_context));
    if (!acceptor.open(endpoint.protocol(), ec) &&
        !acceptor.set_option(asio::socket_base::reuse_address(true), ec)) {
      if (endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
        beast::error_code ignored;  // dual stack where the system allows it
        acceptor.set_option(asio::ip::v6_only(false), ignored);
      }
      if (!acceptor.bind(endpoint, ec) &&
          !acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
        port_ = acceptor.local_endpoint(ec).port();
        acceptor_.emplace(std::move(acceptor));
        break;
      }
    }
    error = ec.message();
  }
  if (!acceptor_) {
    return Status(StatusCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                                std::to_string(options_.port) + ": " + error);
  }

  io_context_ = std::move(io_context);
  asio::co_spawn(acceptor_->get_executor(), AcceptLoop(), [this](std::exception_ptr e) {
    if (e) Log("HTTP accept loop ended by an exception");
  });
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { RunIoThread(); });
  started_ = true;
  return Status::Ok();
}

void HttpServerCore::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping_ = true;  // before the posts below: a connection that misses them sees the flag
  asio::post(acceptor_->get_executor(), [this] {
    beast::error_code ignored;
    acceptor_->close(ignored);
  });
  ForEachConnection(&Connection::CloseIfIdle);
  if (!WaitForConnections(options_.shutdown_grace)) {
    ForEachConnection(&Connection::Close);
    WaitForConnections(kForceCloseWait);
  }
  io_context_->stop();
  for (std::thread& thread : threads_) thread.join();  // waits for handlers still running
  threads_.clear();
  acceptor_.reset();
  io_context_.reset();  // destroys coroutines left suspended, and with them their connections
}

asio::awaitable<void> HttpServerCore::AcceptLoop() {
  asio::steady_timer retry(acceptor_->get_executor());
  for (;;) {
    beast::error_code ec;
    // Each connection gets its own strand: its coroutine and Stop()'s posts never overlap.
    tcp::socket socket = co_await acceptor_->async_accept(
        asio::any_io_executor(asio::make_strand(*io_context_)), Redirect(ec));
    if (!acceptor_->is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      Log("HTTP accept failed: " + ec.message());
      retry.expires_after(kAcceptRetryDelay);
      co_await retry.async_wait(Redirect(ec));
      continue;
    }
    StartSession(std::move(socket));
  }
}

void HttpServerCore::StartSession(tcp::socket socket) {
  std::string remote_address = RemoteAddress(socket);
  // Answers go out at once: Nagle's algorithm would hold a response's last segment back until
  // the client acknowledges the one before, which a client with delayed ACKs holds back too.
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto launch = [this](auto session) {
    Register(session);
    asio::co_spawn(session->strand(), session->Run(session), [this](std::exception_ptr e) {
      if (e) Log("HTTP connection ended by an exception");
    });
  };
  if (!options_.tls_context) {
    launch(std::make_shared<Session<beast::tcp_stream>>(*this, std::move(remote_address), nullptr,
                                                        std::move(socket)));
    return;
  }
  std::shared_ptr<asio::ssl::context> context;
  try {
    context = options_.tls_context();
  } catch (const std::exception& e) {
    Log(std::string("TLS context unavailable: ") + e.what());
  }
  if (!context) return;  // drops the connection
  asio::ssl::context& context_ref = *context;
  launch(std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
      *this, std::move(remote_address), std::move(context), beast::tcp_stream(std::move(socket)),
      context_ref));
}

void HttpServerCore::RunIoThread() {
  for (;;) {
    try {
      io_context_->run();
      return;
    } catch (const std::exception& e) {  // last resort: keep serving
      Log(std::string("exception on an HTTP I/O thread: ") + e.what());
    } catch (...) {
      Log("unknown exception on an HTTP I/O thread");
    }
  }
}

rest::BodyPlan HttpServerCore::PlanBody(const rest::HttpRequest& head) {
  if (!options_.plan_body) return {};
  try {
    return options_.plan_body(head);
  } catch (const std::exception& e) {
    Log("body planner of " + head.method + " " + head.target + " threw: " + e.what());
    rest::BodyPlan refuse;
    refuse.kind = rest::BodyPlan::Kind::kRefuse;
    refuse.refusal = JsonError(500, std::string("Service internal error: ") + e.what());
    return refuse;
  }
}

rest::HttpResponse HttpServerCore::Handle(rest::HttpRequest& request) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    Log("handler of " + request.method + " " + request.target + " threw: " + e.what());
    return JsonError(500, std::string("Service internal error: ") + e.what());
  } catch (...) {
    Log("handler of " + request.method + " " + request.target + " threw");
    return JsonError(500, "Service internal error: unknown exception");
  }
}

void HttpServerCore::Log(std::string_view message) const {
  if (!options_.error_log) return;
  try {
    options_.error_log(message);
  } catch (...) {  // a failing logger must not take a connection down
  }
}

void HttpServerCore::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mu_);
  connections_.emplace(connection.get(), connection);
}

void HttpServerCore::Unregister(Connection* connection) {
  std::lock_guard lock(connections_mu_);
  connections_.erase(connection);
  if (connections_.empty()) connections_empty_.notify_all();
}

void HttpServerCore::ForEachConnection(void (Connection::*action)()) {
  std::vector<std::shared_ptr<Connection>> alive;
  {
    std::lock_guard lock(connections_mu_);
    for (const auto& [raw, weak] : connections_) {
      if (auto connection = weak.lock()) alive.push_back(std::move(connection));
    }
  }
  // Outside the lock: dropping the last reference here runs ~Session, which unregisters.
  for (const auto& connection : alive) ((*connection).*action)();
}

bool HttpServerCore::WaitForConnections(Clock::duration timeout) {
  std::unique_lock lock(connections_mu_);
  return connections_empty_.wait_for(lock, timeout, [this] { return connections_.empty(); });
}

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler)
    : core_(std::make_unique<HttpServerCore>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;  // ~HttpServerCore stops

Status HttpServer::Start() { return core_->Start(); }
int HttpServer::port() const { return core_->port(); }
void HttpServer::Stop() { core_->Stop(); }

}  // namespace quiver::server
