#include "vgi/console/session_token.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "vgi/testing/fake_random.hpp"

namespace vgi::console {
namespace {

// Yields 0, 1, 2, ... so the token's bytes are known.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_ = 0;
};

class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::uint8_t byte) : byte_(byte) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = byte_;
  }

 private:
  std::uint8_t byte_;
};

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

TEST(SessionTokenTest, KnownBytes) {
  FixedRandom zeros(0x00);
  EXPECT_EQ(NewToken(zeros), std::string(43, 'A'));
  // 0xFF..: every 6-bit group is 63 ('_'); the last group holds 4 one bits and 2 padding zeros:
  // 111100 = 60 = '8'.
  FixedRandom ones(0xFF);
  EXPECT_EQ(NewToken(ones), std::string(42, '_') + "8");

  // Bytes 0..31 against OpenSSL's standard base64, made URL-safe and unpadded.
  CountingRandom counting;
  std::array<unsigned char, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i);
  std::array<unsigned char, 64> b64{};
  const int n = EVP_EncodeBlock(b64.data(), bytes.data(), static_cast<int>(bytes.size()));
  std::string expected(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
  ASSERT_EQ(expected.size(), 44u);
  ASSERT_EQ(expected.back(), '=');
  expected.pop_back();
  for (char& c : expected) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  EXPECT_EQ(NewToken(counting), expected);
  EXPECT_EQ(expected, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
}

TEST(SessionTokenTest, LengthAlphabetAndDistinct) {
  vgi::testing::FakeRandom fake(7);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string token = NewToken(i % 2 == 0 ? static_cast<RandomSource&>(fake) : RandomSource::System());
    ASSERT_EQ(token.size(), 43u) << token;
    for (char c : token) ASSERT_TRUE(IsBase64Url(c)) << token;
    EXPECT_TRUE(seen.insert(token).second) << token;
  }
}

TEST(SessionTokenTest, DigestIsLowerHexSha256) {
  EXPECT_EQ(TokenDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenDigest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  FixedRandom zeros(0);
  const std::string token = NewToken(zeros);
  const std::string digest = TokenDigest(token);
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_EQ(digest.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(digest, TokenDigest(token.substr(1)));
}

TEST(SessionTokenTest, SameToken) {
  EXPECT_TRUE(SameToken("", ""));
  EXPECT_TRUE(SameToken("abc", "abc"));
  EXPECT_FALSE(SameToken("abc", "abd"));
  EXPECT_FALSE(SameToken("abc", "Abc"));
  EXPECT_FALSE(SameToken("abc", "abcd"));
  EXPECT_FALSE(SameToken("abcd", "abc"));
  EXPECT_FALSE(SameToken("", "a"));
  // Embedded NULs are compared too.
  EXPECT_FALSE(SameToken(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  EXPECT_TRUE(SameToken(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace vgi::console
