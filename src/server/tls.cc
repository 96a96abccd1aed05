#include "server/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <utility>

namespace quiver::server {

namespace ssl = boost::asio::ssl;

namespace {

// A certificate, key or CA file larger than this is not PEM material (a device, a log file).
constexpr long kMaxPemFileBytes = 1 << 20;

// TLS 1.2 suites: forward secrecy (ECDHE) and an AEAD, server order. TLS 1.3 keeps OpenSSL's
// default suites, which are all AEAD (AES-GCM, ChaCha20-Poly1305).
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Session resumption with client certificates needs a session id context (OpenSSL refuses to
// resume a verified session without one).
constexpr unsigned char kSessionIdContext[] = "quiver";

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;

// Refuses to decrypt: the server cannot ask anyone for a passphrase (OpenSSL's default callback
// would prompt on the terminal).
int NoPassphrase(char*, int, int, void*) { return -1; }

// Empties this thread's OpenSSL error queue into one line: "reason (library); reason (library)".
std::string TakeOpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    const char* library = ERR_lib_error_string(e);
    std::string one = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(e));
    if (library != nullptr) one += std::string(" (") + library + ")";
    if (out.find(one) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += one;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// True, and the queue cleared, when the last error is the PEM reader finding no further block:
// the normal end of a bundle.
bool AtEndOfPem() {
  unsigned long e = ERR_peek_last_error();
  if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    return true;
  }
  return false;
}

std::string Describe(std::string_view key, const std::string& path) {
  return std::string(key) + " file '" + path + "'";
}

StatusOr<std::string> ReadPemFile(std::string_view key, const std::string& path) {
  if (path.empty()) return InvalidArgument(std::string(key) + " is not set");
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return InvalidArgument("cannot read " + Describe(key, path) + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[16384];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    text.append(buffer, n);
    if (text.size() > static_cast<size_t>(kMaxPemFileBytes)) break;
  }
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) {
    return InvalidArgument("cannot read " + Describe(key, path) + ": " + std::strerror(error));
  }
  if (text.size() > static_cast<size_t>(kMaxPemFileBytes)) {
    return InvalidArgument(Describe(key, path) + " is larger than " +
                           std::to_string(kMaxPemFileBytes) + " bytes: not a PEM file");
  }
  return text;
}

BioPtr MemoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// The bytes of the files a context is built from. The key's bytes are wiped when it goes.
struct Material {
  Material() = default;
  Material(Material&&) = default;
  Material& operator=(Material&&) = default;
  ~Material() { OPENSSL_cleanse(key.data(), key.size()); }
  std::string cert, key, ca;
};

StatusOr<Material> ReadMaterial(const TlsOptions& options) {
  Material m;
  auto cert = ReadPemFile("tls.cert", options.cert_path);
  if (!cert.ok()) return cert.status();
  m.cert = std::move(cert).value();
  auto key = ReadPemFile("tls.key", options.key_path);
  if (!key.ok()) return key.status();
  m.key = std::move(key).value();
  if (options.verify_client) {
    auto ca = ReadPemFile("tls.ca_cert", options.ca_cert_path);
    if (!ca.ok()) return ca.status();
    m.ca = std::move(ca).value();
  }
  return m;
}

// SHA-256 of the three files (length-prefixed), to tell whether a reload changes anything; ""
// when it cannot be computed (then every reload rebuilds). Holds no secret.
std::string DigestOf(const Material& m) {
  std::string framed;
  for (const std::string* part : {&m.cert, &m.key, &m.ca}) {
    framed += std::to_string(part->size()) + ":";
    framed += *part;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool ok =
      EVP_Digest(framed.data(), framed.size(), digest, &length, EVP_sha256(), nullptr) == 1;
  OPENSSL_cleanse(framed.data(), framed.size());
  if (!ok) {
    ERR_clear_error();
    return "";
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// The leaf certificate and its chain (SSL_CTX_use_certificate_chain_file, from memory).
Status UseCertificateChain(SSL_CTX* ctx, const std::string& pem, const std::string& path) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr leaf(bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!leaf) {
    return InvalidArgument("no certificate in " + Describe("tls.cert", path) + ": " +
                           TakeOpenSslErrors());
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    return InvalidArgument("unusable certificate in " + Describe("tls.cert", path) + ": " +
                           TakeOpenSslErrors());
  }
  for (;;) {
    X509Ptr next(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!next) break;
    if (SSL_CTX_add0_chain_cert(ctx, next.get()) != 1) {
      return InvalidArgument("unusable chain certificate in " + Describe("tls.cert", path) + ": " +
                             TakeOpenSslErrors());
    }
    next.release();  // add0: the context owns it now
  }
  if (!AtEndOfPem()) {
    return InvalidArgument("malformed certificate chain in " + Describe("tls.cert", path) + ": " +
                           TakeOpenSslErrors());
  }
  return Status::Ok();
}

Status UsePrivateKey(SSL_CTX* ctx, const std::string& pem, const TlsOptions& options) {
  BioPtr bio = MemoryBio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!key) {
    std::string reason = pem.find("ENCRYPTED") != std::string::npos
                             ? "encrypted private keys are not supported"
                             : TakeOpenSslErrors();
    ERR_clear_error();
    return InvalidArgument("no usable private key (PKCS#8, PKCS#1 or SEC1 PEM) in " +
                           Describe("tls.key", options.key_path) + ": " + reason);
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgument(Describe("tls.key", options.key_path) + " does not match the " +
                           "certificate of " + Describe("tls.cert", options.cert_path) + ": " +
                           TakeOpenSslErrors());
  }
  return Status::Ok();
}

// Every certificate of the CA bundle becomes a trust anchor for client certificates (an
// intermediate too: partial chains are accepted, as with rustls in Qdrant), and is named to
// clients in the CertificateRequest so that they can pick the right certificate.
Status UseClientCa(SSL_CTX* ctx, const std::string& pem, const std::string& path) {
  BioPtr bio = MemoryBio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  if (!bio || store == nullptr || names == nullptr) {
    sk_X509_NAME_free(names);
    return InvalidArgument("cannot load " + Describe("tls.ca_cert", path) + ": " +
                           TakeOpenSslErrors());
  }
  int count = 0;
  for (;;) {
    X509Ptr ca(PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!ca) break;
    X509_NAME* name = X509_NAME_dup(X509_get_subject_name(ca.get()));
    if (X509_STORE_add_cert(store, ca.get()) != 1 || name == nullptr ||
        sk_X509_NAME_push(names, name) == 0) {
      X509_NAME_free(name);
      sk_X509_NAME_pop_free(names, X509_NAME_free);
      return InvalidArgument("unusable certificate in " + Describe("tls.ca_cert", path) + ": " +
                             TakeOpenSslErrors());
    }
    ++count;
  }
  if (!AtEndOfPem() || count == 0) {
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    return InvalidArgument("no CA certificate in " + Describe("tls.ca_cert", path) + ": " +
                           TakeOpenSslErrors());
  }
  SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return Status::Ok();
}

StatusOr<std::shared_ptr<ssl::context>> BuildContext(const TlsOptions& options,
                                                     const Material& material) {
  ERR_clear_error();  // so that the reasons reported are this build's
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Internal("cannot create a TLS context: " + TakeOpenSslErrors());
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx.get(), kTls12Ciphers) != 1 ||
      SSL_CTX_set_session_id_context(ctx.get(), kSessionIdContext, sizeof kSessionIdContext - 1) !=
          1) {
    return Internal("cannot configure the TLS context: " + TakeOpenSslErrors());
  }
  SSL_CTX_set_options(
      ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_clear_options(ctx.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);  // off already; stays off
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);  // idle keep-alive connections

  QUIVER_RETURN_IF_ERROR(UseCertificateChain(ctx.get(), material.cert, options.cert_path));
  QUIVER_RETURN_IF_ERROR(UsePrivateKey(ctx.get(), material.key, options));
  if (options.verify_client) {
    QUIVER_RETURN_IF_ERROR(UseClientCa(ctx.get(), material.ca, options.ca_cert_path));
  }
  try {
    auto context = std::make_shared<ssl::context>(ctx.get());
    ctx.release();  // the asio context owns it now
    return context;
  } catch (const std::exception& e) {
    return Internal(std::string("cannot create a TLS context: ") + e.what());
  }
}

}  // namespace

int64_t SteadyClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TlsContextProvider::TlsContextProvider(TlsOptions options,
                                       std::function<void(std::string_view)> log,
                                       std::function<int64_t()> clock_s)
    : options_(std::move(options)), log_(std::move(log)), clock_s_(std::move(clock_s)) {}

TlsContextProvider::~TlsContextProvider() = default;

StatusOr<std::shared_ptr<TlsContextProvider>> TlsContextProvider::Create(
    TlsOptions options, std::function<void(std::string_view)> log,
    std::function<int64_t()> clock_s) {
  if (options.verify_client && options.ca_cert_path.empty()) {
    return InvalidArgument(
        "service.verify_https_client_certificate requires tls.ca_cert (the CA that signs client "
        "certificates)");
  }
  if (!clock_s) clock_s = SteadyClockSeconds;
  auto material = ReadMaterial(options);
  if (!material.ok()) return material.status();
  auto context = BuildContext(options, *material);
  if (!context.ok()) return context.status();
  std::shared_ptr<TlsContextProvider> provider(
      new TlsContextProvider(std::move(options), std::move(log), std::move(clock_s)));
  provider->current_ = std::move(context).value();
  provider->current_digest_ = DigestOf(*material);
  provider->next_reload_s_ = provider->clock_s_() + provider->options_.cert_ttl_s;
  return provider;
}

std::shared_ptr<ssl::context> TlsContextProvider::Current() {
  if (options_.cert_ttl_s > 0) {
    const int64_t now = clock_s_();
    bool reload = false;
    {
      std::lock_guard lock(mu_);
      if (!reloading_ && now >= next_reload_s_) {
        reloading_ = true;  // this thread reloads; the others keep using current_ meanwhile
        next_reload_s_ = now + options_.cert_ttl_s;
        reload = true;
      }
    }
    if (reload) Reload();
  }
  std::lock_guard lock(mu_);
  return current_;
}

void TlsContextProvider::Reload() {
  std::string failure;
  std::shared_ptr<ssl::context> fresh;
  std::string digest;
  try {
    auto material = ReadMaterial(options_);
    if (material.ok()) {
      digest = DigestOf(*material);
      bool unchanged;
      {
        std::lock_guard lock(mu_);
        unchanged = !digest.empty() && digest == current_digest_;
      }
      if (!unchanged) {
        auto context = BuildContext(options_, *material);
        if (context.ok()) {
          fresh = std::move(context).value();
        } else {
          failure = context.status().message();
        }
      }
    } else {
      failure = material.status().message();
    }
  } catch (const std::exception& e) {  // bad_alloc: keep serving with what we have
    failure = e.what();
  }
  {
    std::lock_guard lock(mu_);
    reloading_ = false;
    if (fresh) {
      current_ = std::move(fresh);
      current_digest_ = std::move(digest);
    }
  }
  if (!failure.empty() && log_) {
    try {
      log_("TLS certificate reload failed, keeping the previous certificate in service: " +
           failure);
    } catch (...) {  // a failing logger must not fail the connection
    }
  }
}

std::string PeerCertificateSubject(SSL* ssl) {
  if (ssl == nullptr || (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) == 0 ||
      SSL_get_verify_result(ssl) != X509_V_OK) {
    return "";
  }
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  // RFC 2253 (most specific first, specials escaped), but UTF-8 kept instead of \XX-escaped.
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(peer), 0, flags) < 0) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : "";
}

}  // namespace quiver::server
