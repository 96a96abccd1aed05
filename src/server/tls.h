#pragma once
// TLS for the REST server: server contexts built from PEM files, reloaded from disk while the
// server runs, and the client certificate's subject for the audit log.
//
// Policy of every context built here (not configurable, on purpose):
//   - TLS 1.2 minimum; TLS 1.3 with OpenSSL's default suites (all AEAD).
//   - TLS 1.2 cipher suites: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only, server
//     preference order (no RSA key exchange, no CBC, no SHA-1 MACs, no finite-field DHE).
//   - No compression (CRIME), no renegotiation of any kind.
//   - Private keys: PEM, PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1
//     ("EC PRIVATE KEY"). Encrypted keys are refused (there is nobody to type a passphrase).
//   - verify_client: the client must present a certificate that chains to a CA of ca_cert_path,
//     or the handshake fails (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT).
//
// OpenSSL and Asio types stay in tls.cc and http_server.cc; this header only names them.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

typedef struct ssl_st SSL;  // NOLINT: the same declaration as OpenSSL's <openssl/types.h>

namespace quiver::server {

struct TlsOptions {
  std::string cert_path;       // tls.cert: PEM chain, leaf first, then intermediates
  std::string key_path;        // tls.key: PEM private key of the leaf
  std::string ca_cert_path;    // tls.ca_cert: PEM CA bundle for client certificates
  bool verify_client = false;  // service.verify_https_client_certificate; REQUIRES ca_cert_path
  int cert_ttl_s = 3600;       // tls.cert_ttl: reload period; 0 or less: never reload
};

// Seconds of std::chrono::steady_clock: the default clock of TlsContextProvider.
int64_t SteadyClockSeconds();

// Builds the server's TLS context and keeps it fresh.
//
// Reload: the files are re-read at most once per cert_ttl_s, by the first Current() call after
// the period has passed (the server calls Current() once per accepted connection, so an idle
// server reads nothing). When their bytes have not changed the context in service stays; when
// they have, a new context is built and handed out to new connections from then on, while
// connections already open keep the context they started with (shared ownership), so nothing is
// dropped. When the new files cannot be read or do not make a valid context (unreadable file,
// bad PEM, key not matching the certificate, a certificate and key caught halfway through a
// non-atomic replacement), the previous context stays in service, `log` is told once for that
// attempt (with the file and OpenSSL's reason), and the next attempt is one period later.
//
// Thread safety: Current() may be called from any number of threads. At most one of them reloads
// at a time, and it does so inline (reading three small files and parsing one key: about a
// millisecond); the others are handed the context in service meanwhile. `log` and `clock_s` are
// called on the threads that call Current().
class TlsContextProvider {
 public:
  // Builds the first context. Errors: kInvalidArgument when a file cannot be read or parsed, the
  // key does not match the certificate, or verify_client is set without ca_cert_path; the message
  // names the configuration key, the file and OpenSSL's reason. `log` may be empty (silent).
  static StatusOr<std::shared_ptr<TlsContextProvider>> Create(
      TlsOptions options, std::function<void(std::string_view)> log,
      std::function<int64_t()> clock_s = SteadyClockSeconds);

  // The context for a new connection; never null. Reloads first when the period has passed.
  std::shared_ptr<boost::asio::ssl::context> Current();

  ~TlsContextProvider();
  TlsContextProvider(const TlsContextProvider&) = delete;
  TlsContextProvider& operator=(const TlsContextProvider&) = delete;

 private:
  TlsContextProvider(TlsOptions options, std::function<void(std::string_view)> log,
                     std::function<int64_t()> clock_s);
  void Reload();

  const TlsOptions options_;
  const std::function<void(std::string_view)> log_;
  const std::function<int64_t()> clock_s_;

  std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // guarded by mu_; never null
  std::string current_digest_;                          // guarded by mu_: files of current_
  int64_t next_reload_s_ = 0;                           // guarded by mu_
  bool reloading_ = false;                              // guarded by mu_: a thread is in Reload()
};

// The subject of the client certificate that the handshake on `ssl` verified, one line in
// RFC 2253 form, most specific first ("CN=alice,O=Example"); non-ASCII UTF-8 is kept, control
// characters and RFC 2253 specials are escaped. "" when the peer presented no certificate, when
// the server did not ask for one (no verify_client), when verification did not succeed, or when
// `ssl` is null. REQUIRES: the handshake on `ssl` has completed.
std::string PeerCertificateSubject(SSL* ssl);

}  // namespace quiver::server
