#include "vgi/server/tls.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vgi::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
std::unique_ptr<X509, X509Free> LoadCert(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  std::unique_ptr<X509, X509Free> cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/vgi-tls-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    cert_ = dir_ + "/a/b/cert.pem";  // parents do not exist yet
    key_ = dir_ + "/a/private/key.pem";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string dir_;
  std::string cert_;
  std::string key_;
};

TEST_F(TlsTest, CreatesAPairWithAPrivateKeyFile) {
  auto created = EnsureSelfSignedCertificate(cert_, key_, "grid.example.com");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(*created);
  struct stat st {};
  ASSERT_EQ(::stat(key_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(ReadFile(key_), HasSubstr("-----BEGIN PRIVATE KEY-----"));

  auto cert = LoadCert(cert_);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "grid.example.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "other.example.com", 0, 0, nullptr), 1);
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);
  // About 825 days.
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()), X509_get0_notAfter(cert.get())), 1);
  EXPECT_EQ(days, 825);
}

TEST_F(TlsTest, LeavesAnExistingPairAlone) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_, "").ok());
  const std::string cert = ReadFile(cert_);
  const std::string key = ReadFile(key_);
  auto again = EnsureSelfSignedCertificate(cert_, key_, "");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);
  EXPECT_EQ(ReadFile(cert_), cert);
  EXPECT_EQ(ReadFile(key_), key);
}

TEST_F(TlsTest, RefusesWhenOnlyOneOfThePairExists) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_, "").ok());
  fs::remove(key_);
  auto result = EnsureSelfSignedCertificate(cert_, key_, "");
  EXPECT_EQ(result.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(result.status().message(), HasSubstr("tls key " + key_ + " is missing"));
  EXPECT_FALSE(fs::exists(key_));

  fs::remove(cert_);
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_, "").ok());
  fs::remove(cert_);
  result = EnsureSelfSignedCertificate(cert_, key_, "");
  EXPECT_EQ(result.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(result.status().message(), HasSubstr("tls certificate " + cert_ + " is missing"));
}

TEST_F(TlsTest, AnIpHostGoesIntoTheCertificateAsAnAddress) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_, "10.1.2.3").ok());
  auto cert = LoadCert(cert_);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.1.2.3", 0), 1);
}

TEST_F(TlsTest, AHostThatIsNoNameIsInvalid) {
  auto result = EnsureSelfSignedCertificate(cert_, key_, "a,DNS:evil.example");
  EXPECT_EQ(result.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(result.status().message(), HasSubstr("tls host"));
  EXPECT_FALSE(fs::exists(cert_));
  EXPECT_FALSE(fs::exists(key_));
}

TEST_F(TlsTest, ServerContextAllowsOnlyTls12AndUp) {
  ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_, "").ok());
  auto tls = TlsContext::ForServer(cert_, key_);
  ASSERT_TRUE(tls.ok()) << tls.status();
  SSL_CTX* ctx = (*tls)->native().native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  const auto options = SSL_CTX_get_options(ctx);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_FALSE(options & SSL_OP_NO_TICKET);                 // resumption by tickets
  EXPECT_FALSE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);  // intermediate: the client's order
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  std::string names;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    names += SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i));
    names += ' ';
  }
  EXPECT_THAT(names, HasSubstr("ECDHE-ECDSA-AES128-GCM-SHA256 "));
  EXPECT_THAT(names, HasSubstr("TLS_AES_256_GCM_SHA384 "));
  EXPECT_THAT(names, Not(HasSubstr("CBC")));
  EXPECT_THAT(names, Not(HasSubstr("-SHA ")));
}

TEST_F(TlsTest, ForServerNamesTheFileThatFailed) {
  auto missing = TlsContext::ForServer(dir_ + "/none.pem", key_);
  EXPECT_EQ(missing.status().code(), StatusCode::kIo);
  EXPECT_THAT(missing.status().message(), HasSubstr("tls certificate " + dir_ + "/none.pem: cannot open"));

  ASSERT_TRUE(EnsureSelfSignedCertificate(cert_, key_, "").ok());
  const std::string garbage = dir_ + "/garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";
  auto bad = TlsContext::ForServer(garbage, key_);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(bad.status().message(), HasSubstr("tls certificate " + garbage + ": no start line"));

  bad = TlsContext::ForServer(cert_, garbage);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(bad.status().message(), HasSubstr("tls key " + garbage));

  const std::string other_cert = dir_ + "/other/cert.pem";
  const std::string other_key = dir_ + "/other/key.pem";
  ASSERT_TRUE(EnsureSelfSignedCertificate(other_cert, other_key, "").ok());
  bad = TlsContext::ForServer(cert_, other_key);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(bad.status().message(), HasSubstr("does not match certificate " + cert_));
}

}  // namespace
}  // namespace vgi::server
