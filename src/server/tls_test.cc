#include "server/tls.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace quiver::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL, SSL_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

// ---------------------------------------------------------------------------------------------
// Certificates made in memory.

PkeyPtr RsaKey() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})); }
PkeyPtr EcKey() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

struct Identity {
  PkeyPtr key;
  X509Ptr cert;
};

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key` with subject CN=cn[,O=org], signed by `issuer` (self-signed when null).
Identity Issue(PkeyPtr key, const std::string& cn, const Identity* issuer, bool ca, long serial,
               const std::string& org = "", long valid_s = 86400) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_s);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!org.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* issuer_cert = issuer ? issuer->cert.get() : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert));
  X509_set_pubkey(cert.get(), key.get());
  AddExtension(cert.get(), issuer_cert, NID_basic_constraints,
               ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (!ca) {
    AddExtension(cert.get(), issuer_cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  }
  EVP_PKEY* signer = issuer ? issuer->key.get() : key.get();
  EXPECT_GT(X509_sign(cert.get(), signer, EVP_sha256()), 0);
  return Identity{std::move(key), std::move(cert)};
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string CertPem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

enum class KeyFormat { kPkcs8, kTraditional /* PKCS#1 for RSA, SEC1 for EC */, kEncrypted };

std::string KeyPem(EVP_PKEY* key, KeyFormat format) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  switch (format) {
    case KeyFormat::kPkcs8:
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case KeyFormat::kTraditional:
      PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case KeyFormat::kEncrypted: {
      static char passphrase[] = "secret";
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), passphrase, 6, nullptr,
                                    nullptr);
      break;
    }
  }
  return BioText(bio.get());
}

// ---------------------------------------------------------------------------------------------
// In-memory handshakes: a client SSL and a server SSL joined by a BIO pair.

struct Handshake {
  bool ok = false;
  std::string server_error;  // OpenSSL's reasons, as the server saw them
  std::string subject;       // PeerCertificateSubject on the server side
  long server_serial = -1;   // serial of the leaf the client received
  int chain_length = 0;      // certificates the server sent
  std::string version, cipher;
};

std::string Errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    out += reason ? reason : "?";
    out += ";";
  }
  return out;
}

Handshake Shake(boost::asio::ssl::context& server_ctx, SSL_CTX* client_ctx) {
  Handshake result;
  ERR_clear_error();
  SslPtr server(SSL_new(server_ctx.native_handle()));
  SslPtr client(SSL_new(client_ctx));
  BIO* server_bio = nullptr;
  BIO* client_bio = nullptr;
  BIO_new_bio_pair(&server_bio, 0, &client_bio, 0);
  SSL_set_bio(server.get(), server_bio, server_bio);
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_accept_state(server.get());
  SSL_set_connect_state(client.get());
  bool server_done = false, client_done = false, failed = false;
  for (int round = 0; round < 64 && !(server_done && client_done) && !failed; ++round) {
    if (!client_done) {
      int rc = SSL_do_handshake(client.get());
      int err = SSL_get_error(client.get(), rc);
      if (rc == 1) {
        client_done = true;
      } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        failed = true;
      }
    }
    if (!server_done) {
      int rs = SSL_do_handshake(server.get());
      int err = SSL_get_error(server.get(), rs);
      if (rs == 1) {
        server_done = true;
      } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        failed = true;
        result.server_error = Errors();
      }
    }
  }
  ERR_clear_error();
  result.ok = server_done && client_done && !failed;
  if (X509* leaf = SSL_get0_peer_certificate(client.get())) {
    result.server_serial = ASN1_INTEGER_get(X509_get0_serialNumber(leaf));
  }
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(client.get())) {
    result.chain_length = sk_X509_num(chain);
  }
  if (result.ok) {
    result.subject = PeerCertificateSubject(server.get());
    result.version = SSL_get_version(server.get());
    result.cipher = SSL_get_cipher_name(server.get());
  }
  return result;
}

// A client that verifies the server against `trust` (when given) and presents `identity`.
SslCtxPtr Client(const Identity* trust, const Identity* identity = nullptr, int max_version = 0,
                 const char* tls12_ciphers = nullptr) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_security_level(ctx.get(), 0);  // let the client offer what the server must refuse
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  if (max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  if (tls12_ciphers != nullptr) SSL_CTX_set_cipher_list(ctx.get(), tls12_ciphers);
  if (trust != nullptr) {
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), trust->cert.get());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  if (identity != nullptr) {
    SSL_CTX_use_certificate(ctx.get(), identity->cert.get());
    SSL_CTX_use_PrivateKey(ctx.get(), identity->key.get());
  }
  return ctx;
}

// ---------------------------------------------------------------------------------------------

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/quiver-tls-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ca_ = Issue(EcKey(), "Test CA", nullptr, true, 1);
    other_ca_ = Issue(EcKey(), "Other CA", nullptr, true, 1);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(Path(name), std::ios::binary | std::ios::trunc) << text;
  }
  // Writes server.crt / server.key for a fresh leaf signed by the CA.
  Identity WriteServer(long serial, PkeyPtr key = nullptr, KeyFormat format = KeyFormat::kPkcs8) {
    if (!key) key = EcKey();
    Identity leaf = Issue(std::move(key), "localhost", &ca_, false, serial);
    Write("server.crt", CertPem(leaf.cert.get()));
    Write("server.key", KeyPem(leaf.key.get(), format));
    return leaf;
  }
  TlsOptions Options(int ttl_s = 3600) const {
    TlsOptions o;
    o.cert_path = Path("server.crt");
    o.key_path = Path("server.key");
    o.cert_ttl_s = ttl_s;
    return o;
  }
  StatusOr<std::shared_ptr<TlsContextProvider>> Make(TlsOptions options) {
    return TlsContextProvider::Create(
        std::move(options),
        [this](std::string_view m) {
          std::lock_guard lock(logs_mu_);
          logs_.emplace_back(m);
        },
        [this] { return now_s_.load(); });
  }

  fs::path dir_;
  Identity ca_, other_ca_;
  std::mutex logs_mu_;
  std::vector<std::string> logs_;  // guarded by logs_mu_ (read by the tests when quiet)
  std::atomic<int64_t> now_s_{1000};
};

// ---- key formats and chains

struct KeyCase {
  const char* name;
  bool rsa;
  KeyFormat format;
};

class TlsKeyFormatTest : public TlsTest, public ::testing::WithParamInterface<KeyCase> {};

TEST_P(TlsKeyFormatTest, ServesWithKeyFormat) {
  const KeyCase& c = GetParam();
  WriteServer(7, c.rsa ? RsaKey() : EcKey(), c.format);
  std::ifstream in(Path("server.key"));
  std::string first_line;
  std::getline(in, first_line);
  const char* expected = c.format == KeyFormat::kPkcs8 ? "-----BEGIN PRIVATE KEY-----"
                         : c.rsa                       ? "-----BEGIN RSA PRIVATE KEY-----"
                                                       : "-----BEGIN EC PRIVATE KEY-----";
  EXPECT_EQ(first_line, expected);
  auto provider = Make(Options());
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  auto client = Client(&ca_);
  Handshake h = Shake(*(*provider)->Current(), client.get());
  EXPECT_TRUE(h.ok) << h.server_error;
  EXPECT_EQ(h.server_serial, 7);
  EXPECT_EQ(h.version, "TLSv1.3");
}

INSTANTIATE_TEST_SUITE_P(Formats, TlsKeyFormatTest,
                         ::testing::Values(KeyCase{"RsaPkcs8", true, KeyFormat::kPkcs8},
                                           KeyCase{"RsaPkcs1", true, KeyFormat::kTraditional},
                                           KeyCase{"EcPkcs8", false, KeyFormat::kPkcs8},
                                           KeyCase{"EcSec1", false, KeyFormat::kTraditional}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(TlsTest, SecOneKeyAfterEcParametersBlock) {
  // `openssl ecparam -genkey` writes an "EC PARAMETERS" block before the key.
  Identity leaf = Issue(EcKey(), "localhost", &ca_, false, 3);
  Write("server.crt", CertPem(leaf.cert.get()));
  Write("server.key",
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" +
            KeyPem(leaf.key.get(), KeyFormat::kTraditional));
  auto provider = Make(Options());
  ASSERT_TRUE(provider.ok()) << provider.status().message();
}

TEST_F(TlsTest, SendsIntermediatesOfTheChain) {
  Identity intermediate = Issue(EcKey(), "Intermediate CA", &ca_, true, 2);
  Identity leaf = Issue(EcKey(), "localhost", &intermediate, false, 9);
  Write("server.crt", CertPem(leaf.cert.get()) + CertPem(intermediate.cert.get()));
  Write("server.key", KeyPem(leaf.key.get(), KeyFormat::kPkcs8));
  auto provider = Make(Options());
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  auto client = Client(&ca_);  // trusts the root only: needs the intermediate from the server
  Handshake h = Shake(*(*provider)->Current(), client.get());
  EXPECT_TRUE(h.ok) << h.server_error;
  EXPECT_EQ(h.chain_length, 2);
  EXPECT_EQ(h.server_serial, 9);
}

// ---- protocol policy

TEST_F(TlsTest, RefusesTls11AndOlder) {
  WriteServer(1);
  auto provider = Make(Options());
  ASSERT_TRUE(provider.ok());
  for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    auto client = Client(nullptr, nullptr, version, "DEFAULT:@SECLEVEL=0");
    Handshake h = Shake(*(*provider)->Current(), client.get());
    EXPECT_FALSE(h.ok) << version;
    EXPECT_THAT(h.server_error, HasSubstr("unsupported protocol"));
  }
}

TEST_F(TlsTest, Tls12OnlyWithEcdheAndAead) {
  for (bool rsa : {false, true}) {
    WriteServer(1, rsa ? RsaKey() : EcKey());
    auto provider = Make(Options());
    ASSERT_TRUE(provider.ok());
    const std::string sig = rsa ? "RSA" : "ECDSA";
    for (std::string good :
         {"ECDHE-" + sig + "-AES128-GCM-SHA256", "ECDHE-" + sig + "-AES256-GCM-SHA384",
          "ECDHE-" + sig + "-CHACHA20-POLY1305"}) {
      auto client = Client(&ca_, nullptr, TLS1_2_VERSION, good.c_str());
      Handshake h = Shake(*(*provider)->Current(), client.get());
      EXPECT_TRUE(h.ok) << good << ": " << h.server_error;
      EXPECT_EQ(h.version, "TLSv1.2");
      EXPECT_EQ(h.cipher, good);
    }
    // CBC, SHA-1 MACs, static RSA key exchange, finite-field DHE, export/NULL: all refused.
    for (const char* bad :
         {"ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA256",
          "ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256", "AES256-SHA",
          "DHE-RSA-AES128-GCM-SHA256", "DES-CBC3-SHA", "NULL-SHA256"}) {
      auto client = Client(nullptr, nullptr, TLS1_2_VERSION, bad);
      Handshake h = Shake(*(*provider)->Current(), client.get());
      EXPECT_FALSE(h.ok) << bad << " was accepted";
    }
  }
}

TEST_F(TlsTest, NoCompressionNoRenegotiation) {
  WriteServer(1);
  auto provider = Make(Options());
  ASSERT_TRUE(provider.ok());
  uint64_t options = SSL_CTX_get_options((*provider)->Current()->native_handle());
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_FALSE(options & SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  EXPECT_FALSE(options & SSL_OP_LEGACY_SERVER_CONNECT);
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*provider)->Current()->native_handle()), TLS1_2_VERSION);
}

// ---- mutual TLS

class MutualTlsTest : public TlsTest {
 protected:
  void SetUp() override {
    TlsTest::SetUp();
    WriteServer(1);
    Write("ca.crt", CertPem(ca_.cert.get()));
    TlsOptions options = Options();
    options.verify_client = true;
    options.ca_cert_path = Path("ca.crt");
    auto provider = Make(options);
    ASSERT_TRUE(provider.ok()) << provider.status().message();
    provider_ = *provider;
  }
  std::shared_ptr<TlsContextProvider> provider_;
};

TEST_F(MutualTlsTest, ClientWithoutCertificateFails) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto client = Client(&ca_, nullptr, version);
    Handshake h = Shake(*provider_->Current(), client.get());
    EXPECT_FALSE(h.ok);
    EXPECT_THAT(h.server_error, HasSubstr("certificate"));
  }
}

TEST_F(MutualTlsTest, ClientCertificateOfAnotherCaFails) {
  Identity mallory = Issue(EcKey(), "mallory", &other_ca_, false, 5, "Example");
  Identity self_signed = Issue(EcKey(), "alice", nullptr, false, 5, "Example");
  for (const Identity* who : {&mallory, &self_signed}) {
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
      auto client = Client(&ca_, who, version);
      Handshake h = Shake(*provider_->Current(), client.get());
      EXPECT_FALSE(h.ok);
      EXPECT_THAT(h.server_error, HasSubstr("certificate verify failed"));
    }
  }
}

TEST_F(MutualTlsTest, ExpiredClientCertificateFails) {
  Identity old = Issue(EcKey(), "alice", &ca_, false, 5, "Example", -30);
  auto client = Client(&ca_, &old);
  EXPECT_FALSE(Shake(*provider_->Current(), client.get()).ok);
}

TEST_F(MutualTlsTest, ClientCertificateOfTheCaIsAcceptedAndNamed) {
  Identity alice = Issue(RsaKey(), "alice", &ca_, false, 5, "Example");
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto client = Client(&ca_, &alice, version);
    Handshake h = Shake(*provider_->Current(), client.get());
    EXPECT_TRUE(h.ok) << h.server_error;
    EXPECT_EQ(h.subject, "CN=alice,O=Example");
  }
}

TEST_F(MutualTlsTest, SubjectEscapesSpecialsAndKeepsUtf8) {
  Identity odd = Issue(EcKey(), "Jos\xc3\xa9, \"the\" admin\n", &ca_, false, 5, "A+B");
  auto client = Client(&ca_, &odd);
  Handshake h = Shake(*provider_->Current(), client.get());
  ASSERT_TRUE(h.ok) << h.server_error;
  EXPECT_EQ(h.subject, "CN=Jos\xc3\xa9\\, \\\"the\\\" admin\\0A,O=A\\+B");
}

TEST_F(TlsTest, NoSubjectWithoutClientVerification) {
  WriteServer(1);
  auto provider = Make(Options());
  ASSERT_TRUE(provider.ok());
  Identity alice = Issue(EcKey(), "alice", &ca_, false, 5, "Example");
  auto client = Client(&ca_, &alice);
  Handshake h = Shake(*(*provider)->Current(), client.get());
  EXPECT_TRUE(h.ok);
  EXPECT_EQ(h.subject, "");
  EXPECT_EQ(PeerCertificateSubject(nullptr), "");
}

// ---- errors at start-up

TEST_F(TlsTest, MissingFilesAreNamed) {
  auto missing_cert = Make(Options());
  ASSERT_FALSE(missing_cert.ok());
  EXPECT_EQ(missing_cert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing_cert.status().message(), HasSubstr("tls.cert file '" + Path("server.crt")));
  EXPECT_THAT(missing_cert.status().message(), HasSubstr("No such file"));

  Write("server.crt", CertPem(ca_.cert.get()));
  auto missing_key = Make(Options());
  ASSERT_FALSE(missing_key.ok());
  EXPECT_THAT(missing_key.status().message(), HasSubstr("tls.key file '" + Path("server.key")));

  WriteServer(1);
  TlsOptions options = Options();
  options.verify_client = true;
  auto no_ca = Make(options);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_THAT(no_ca.status().message(), HasSubstr("requires tls.ca_cert"));
  options.ca_cert_path = Path("nope.crt");
  auto missing_ca = Make(options);
  ASSERT_FALSE(missing_ca.ok());
  EXPECT_THAT(missing_ca.status().message(), HasSubstr("tls.ca_cert file '" + Path("nope.crt")));
}

TEST_F(TlsTest, BadFilesSayWhyWithOpenSslsReason) {
  WriteServer(1);
  Write("server.crt", "not a certificate\n");
  auto garbage = Make(Options());
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(garbage.status().message(), HasSubstr("tls.cert file '" + Path("server.crt")));
  EXPECT_THAT(garbage.status().message(), HasSubstr("no start line"));

  // A truncated certificate.
  Identity leaf = WriteServer(1);
  std::string pem = CertPem(leaf.cert.get());
  Write("server.crt", pem.substr(0, pem.size() / 2) + "\n-----END CERTIFICATE-----\n");
  EXPECT_FALSE(Make(Options()).ok());

  // A key of another certificate, of the same type and of another type.
  WriteServer(1);
  Write("server.key", KeyPem(EcKey().get(), KeyFormat::kPkcs8));
  auto mismatch = Make(Options());
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(mismatch.status().message(), HasSubstr("does not match"));
  EXPECT_THAT(mismatch.status().message(), HasSubstr("key values mismatch"));
  Write("server.key", KeyPem(RsaKey().get(), KeyFormat::kPkcs8));
  auto other_type = Make(Options());
  ASSERT_FALSE(other_type.ok());
  EXPECT_THAT(other_type.status().message(), HasSubstr("does not match"));

  // An encrypted key: refused, without prompting on the terminal.
  Identity encrypted = WriteServer(1);
  Write("server.key", KeyPem(encrypted.key.get(), KeyFormat::kEncrypted));
  auto locked = Make(Options());
  ASSERT_FALSE(locked.ok());
  EXPECT_THAT(locked.status().message(), HasSubstr("encrypted private keys are not supported"));

  // A certificate where the key should be.
  Write("server.key", CertPem(encrypted.cert.get()));
  auto cert_as_key = Make(Options());
  ASSERT_FALSE(cert_as_key.ok());
  EXPECT_THAT(cert_as_key.status().message(), HasSubstr("no usable private key"));

  // A CA file without certificates.
  WriteServer(1);
  Write("ca.crt", "");
  TlsOptions options = Options();
  options.verify_client = true;
  options.ca_cert_path = Path("ca.crt");
  auto empty_ca = Make(options);
  ASSERT_FALSE(empty_ca.ok());
  EXPECT_THAT(empty_ca.status().message(), HasSubstr("no CA certificate"));
  EXPECT_TRUE(logs_.empty());  // start-up errors are returned, not logged
}

// ---- reload

TEST_F(TlsTest, ReloadsChangedFilesAfterTheTtl) {
  WriteServer(1);
  auto provider = Make(Options(10));
  ASSERT_TRUE(provider.ok());
  auto first = (*provider)->Current();
  WriteServer(2);
  now_s_ += 9;
  EXPECT_EQ((*provider)->Current(), first) << "reloaded before the ttl";
  now_s_ += 1;
  auto second = (*provider)->Current();
  ASSERT_NE(second, first);
  EXPECT_EQ((*provider)->Current(), second);
  auto client = Client(&ca_);
  EXPECT_EQ(Shake(*second, client.get()).server_serial, 2);
  // A connection that started with the old context still has it, and it still works.
  EXPECT_EQ(Shake(*first, client.get()).server_serial, 1);
  EXPECT_TRUE(logs_.empty());
}

TEST_F(TlsTest, UnchangedFilesKeepTheContext) {
  WriteServer(1);
  auto provider = Make(Options(10));
  ASSERT_TRUE(provider.ok());
  auto first = (*provider)->Current();
  now_s_ += 100;
  EXPECT_EQ((*provider)->Current(), first);
}

TEST_F(TlsTest, TtlZeroNeverReloads) {
  WriteServer(1);
  auto provider = Make(Options(0));
  ASSERT_TRUE(provider.ok());
  auto first = (*provider)->Current();
  WriteServer(2);
  now_s_ += 1'000'000'000;
  EXPECT_EQ((*provider)->Current(), first);
}

TEST_F(TlsTest, BrokenNewFilesKeepThePreviousContextAndAreLoggedOncePerAttempt) {
  WriteServer(1);
  auto provider = Make(Options(10));
  ASSERT_TRUE(provider.ok());
  auto first = (*provider)->Current();

  Write("server.crt", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
  now_s_ += 10;
  EXPECT_EQ((*provider)->Current(), first);
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_THAT(logs_[0], HasSubstr("keeping the previous certificate"));
  EXPECT_THAT(logs_[0], HasSubstr(Path("server.crt")));
  for (int i = 0; i < 5; ++i) EXPECT_EQ((*provider)->Current(), first);
  now_s_ += 9;
  EXPECT_EQ((*provider)->Current(), first);
  EXPECT_EQ(logs_.size(), 1u) << "retried before the ttl";

  // Halfway through a rotation: new certificate, old key.
  Identity next = Issue(EcKey(), "localhost", &ca_, false, 3);
  Write("server.crt", CertPem(next.cert.get()));
  now_s_ += 1;
  EXPECT_EQ((*provider)->Current(), first);
  ASSERT_EQ(logs_.size(), 2u);
  EXPECT_THAT(logs_[1], HasSubstr("does not match"));

  // A removed key file.
  fs::remove(Path("server.key"));
  now_s_ += 10;
  EXPECT_EQ((*provider)->Current(), first);
  ASSERT_EQ(logs_.size(), 3u);
  EXPECT_THAT(logs_[2], HasSubstr("No such file"));

  // The rotation completes.
  Write("server.key", KeyPem(next.key.get(), KeyFormat::kTraditional));
  now_s_ += 10;
  auto fixed = (*provider)->Current();
  ASSERT_NE(fixed, first);
  auto client = Client(&ca_);
  EXPECT_EQ(Shake(*fixed, client.get()).server_serial, 3);
  EXPECT_EQ(logs_.size(), 3u);
}

TEST_F(TlsTest, ReloadsTheClientCaToo) {
  WriteServer(1);
  Write("ca.crt", CertPem(ca_.cert.get()));
  TlsOptions options = Options(10);
  options.verify_client = true;
  options.ca_cert_path = Path("ca.crt");
  auto provider = Make(options);
  ASSERT_TRUE(provider.ok());
  Identity bob = Issue(EcKey(), "bob", &other_ca_, false, 8);
  auto client = Client(&ca_, &bob);
  EXPECT_FALSE(Shake(*(*provider)->Current(), client.get()).ok);
  Write("ca.crt", CertPem(ca_.cert.get()) + CertPem(other_ca_.cert.get()));
  now_s_ += 10;
  Handshake h = Shake(*(*provider)->Current(), client.get());
  EXPECT_TRUE(h.ok) << h.server_error;
  EXPECT_EQ(h.subject, "CN=bob");
}

TEST_F(TlsTest, ConcurrentCallersDuringReloads) {
  WriteServer(1);
  auto provider = Make(Options(1));
  ASSERT_TRUE(provider.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> nulls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop) {
        if (!(*provider)->Current()) ++nulls;
        ++now_s_;
      }
    });
  }
  for (int serial = 2; serial < 12; ++serial) {
    WriteServer(serial);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(nulls, 0);
  // Files caught half-written were logged and skipped; the final ones are picked up.
  now_s_ += 10;
  auto client = Client(&ca_);
  EXPECT_EQ(Shake(*(*provider)->Current(), client.get()).server_serial, 11);
}

}  // namespace
}  // namespace quiver::server
