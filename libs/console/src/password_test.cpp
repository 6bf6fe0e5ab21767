#include "vgi/console/password.hpp"

#include <argon2.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "vgi/testing/fake_random.hpp"

namespace vgi::console {
namespace {

using vgi::testing::FakeRandom;

// Cheap parameters for tests where the cost is not what is tested (libargon2's minimum m is 8p).
constexpr PasswordParams kCheap{.memory_kib = 64, .iterations = 1, .parallelism = 1};
constexpr std::string_view kNotPhc = "password hash: not an argon2id PHC string";

TEST(PasswordTest, DefaultParamsRoundTrip) {
  FakeRandom random(1);
  const Result<std::string> hash = HashPassword("Correct-Horse-9", random);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  // 16-byte salt = 22 unpadded base64 characters, 32-byte tag = 43.
  const std::string rest = hash->substr(std::string_view("$argon2id$v=19$m=19456,t=2,p=1$").size());
  ASSERT_EQ(rest.size(), 22u + 1u + 43u) << *hash;
  EXPECT_EQ(rest[22], '$');
  EXPECT_EQ(hash->find("Correct-Horse-9"), std::string::npos);

  const Result<bool> good = VerifyPassword("Correct-Horse-9", *hash);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(*good);
  const Result<bool> bad = VerifyPassword("Correct-Horse-8", *hash);
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_FALSE(*bad);
  EXPECT_FALSE(NeedsRehash(*hash));
}

TEST(PasswordTest, SaltComesFromRandomSoDifferentSaltsGiveDifferentHashes) {
  FakeRandom a(1), b(2), a_again(1);
  const Result<std::string> ha = HashPassword("same password", a, kCheap);
  const Result<std::string> hb = HashPassword("same password", b, kCheap);
  const Result<std::string> ha2 = HashPassword("same password", a_again, kCheap);
  ASSERT_TRUE(ha.ok() && hb.ok() && ha2.ok());
  EXPECT_NE(*ha, *hb);
  EXPECT_EQ(*ha, *ha2);  // deterministic for a given salt
  EXPECT_TRUE(ha->starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << *ha;
}

// A RandomSource that yields one fixed byte, so the salt is known.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::uint8_t byte) : byte_(byte) {}
  void Fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = byte_;
  }

 private:
  std::uint8_t byte_;
};

TEST(PasswordTest, EncodedTagIsTheRawArgon2idOutput) {
  // Salt = 16 bytes of 0x02, which is "AgICAgICAgICAgICAgICAg" in unpadded base64 (02 02 02 ->
  // 000000 100000 001000 000010 = "AgIC", five times, then the last 02 -> "Ag"). The tag must be
  // exactly argon2id over the same inputs through libargon2's raw API, base64 without padding.
  FixedRandom random(0x02);
  const Result<std::string> hash = HashPassword("password", random, kCheap);
  ASSERT_TRUE(hash.ok()) << hash.status();

  std::array<std::uint8_t, 16> salt{};
  salt.fill(0x02);
  std::array<std::uint8_t, 32> tag{};
  ASSERT_EQ(argon2id_hash_raw(1, 64, 1, "password", 8, salt.data(), salt.size(), tag.data(), tag.size()), ARGON2_OK);
  std::array<unsigned char, 64> b64{};
  const int n = EVP_EncodeBlock(b64.data(), tag.data(), static_cast<int>(tag.size()));
  std::string tag_b64(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
  ASSERT_EQ(tag_b64.back(), '=');  // 32 bytes -> 43 characters + one pad
  tag_b64.pop_back();
  EXPECT_EQ(*hash, "$argon2id$v=19$m=64,t=1,p=1$AgICAgICAgICAgICAgICAg$" + tag_b64);
}

TEST(PasswordTest, Rfc9106Argon2idVectorThroughLibargon2) {
  // RFC 9106 §5.3: password 32 x 01, salt 16 x 02, secret 8 x 03, associated data 12 x 04,
  // m = 32 KiB, t = 3, p = 4, version 0x13, 32-byte tag. Checks the library we link.
  std::array<std::uint8_t, 32> pwd{};
  pwd.fill(0x01);
  std::array<std::uint8_t, 16> salt{};
  salt.fill(0x02);
  std::array<std::uint8_t, 8> secret{};
  secret.fill(0x03);
  std::array<std::uint8_t, 12> ad{};
  ad.fill(0x04);
  std::array<std::uint8_t, 32> out{};
  argon2_context ctx{};
  ctx.out = out.data();
  ctx.outlen = out.size();
  ctx.pwd = pwd.data();
  ctx.pwdlen = pwd.size();
  ctx.salt = salt.data();
  ctx.saltlen = salt.size();
  ctx.secret = secret.data();
  ctx.secretlen = secret.size();
  ctx.ad = ad.data();
  ctx.adlen = ad.size();
  ctx.t_cost = 3;
  ctx.m_cost = 32;
  ctx.lanes = 4;
  ctx.threads = 4;
  ctx.version = ARGON2_VERSION_13;
  ctx.flags = ARGON2_DEFAULT_FLAGS;
  ASSERT_EQ(argon2_ctx(&ctx, Argon2_id), ARGON2_OK);
  const std::array<std::uint8_t, 32> expected = {0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37,
                                                 0xa3, 0x4a, 0x8b, 0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75,
                                                 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59};
  EXPECT_EQ(out, expected);
}

TEST(PasswordTest, VerifiesTheReferenceImplementationsPhcString) {
  // From phc-winner-argon2's test suite: "password", salt "somesalt", m=256, t=2, p=1.
  constexpr std::string_view kReference =
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
  const Result<bool> good = VerifyPassword("password", kReference);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(*good);
  const Result<bool> bad = VerifyPassword("Password", kReference);
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_FALSE(*bad);
}

TEST(PasswordTest, MalformedOrForeignStringsAreInvalid) {
  const std::string tag = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
  const std::vector<std::string> cases = {
      "",
      "password",
      "$argon2id$",
      // argon2i and argon2d: not argon2id
      "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$" + tag,
      "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$" + tag,
      // version 1.0 or missing
      "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$" + tag,
      "$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$" + tag,
      // parameters missing, reordered, not numbers, leading zeros
      "$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$" + tag,
      "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$" + tag,
      "$argon2id$v=19$m=x,t=2,p=1$c29tZXNhbHQ$" + tag,
      "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$" + tag,
      "$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHQ$" + tag,
      // salt or tag missing, bad characters, trailing text, padding
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
      "$argon2id$v=19$m=256,t=2,p=1$$" + tag,
      "$argon2id$v=19$m=256,t=2,p=1$c29t-XNhbHQ$" + tag,
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$" + tag + "$",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$" + tag + "=",
      // well-formed, but libargon2 refuses it: a 1-byte salt, too little memory
      "$argon2id$v=19$m=256,t=2,p=1$YQ$" + tag,
      "$argon2id$v=19$m=1,t=2,p=1$c29tZXNhbHQ$" + tag,
  };
  for (const std::string& encoded : cases) {
    const Result<bool> r = VerifyPassword("password", encoded);
    ASSERT_FALSE(r.ok()) << encoded;
    EXPECT_EQ(r.status(), Status::Invalid(std::string(kNotPhc))) << encoded;
  }
}

TEST(PasswordTest, NeedsRehashComparesEachParameter) {
  const std::string tail = "$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
  EXPECT_FALSE(NeedsRehash("$argon2id$v=19$m=19456,t=2,p=1" + tail));
  EXPECT_TRUE(NeedsRehash("$argon2id$v=19$m=4096,t=2,p=1" + tail));
  EXPECT_TRUE(NeedsRehash("$argon2id$v=19$m=19456,t=1,p=1" + tail));
  EXPECT_TRUE(
      NeedsRehash("$argon2id$v=19$m=19456,t=2,p=1" + tail, {.memory_kib = 19456, .iterations = 2, .parallelism = 2}));
  // Stronger than asked: no re-hash.
  EXPECT_FALSE(NeedsRehash("$argon2id$v=19$m=65536,t=3,p=2" + tail));
  // Cannot be parsed (or not argon2id): re-hash.
  EXPECT_TRUE(NeedsRehash("$argon2i$v=19$m=65536,t=3,p=1" + tail));
  EXPECT_TRUE(NeedsRehash("garbage"));
}

TEST(PasswordPolicyTest, AcceptsAGoodPassword) {
  EXPECT_EQ(CheckPasswordPolicy("alice", "Dispatch-2024"), Status::Ok());
  EXPECT_EQ(CheckPasswordPolicy("alice", "abcdefg12!"), Status::Ok());  // lower, digit, other
  EXPECT_EQ(CheckPasswordPolicy("alice", "ABCDEFGhij"),
            Status::Invalid(  // upper, lower only
                "password: at least 3 of upper-case letters, lower-case letters, digits and other "
                "characters are required"));
  // Exactly 128 bytes is allowed.
  EXPECT_EQ(CheckPasswordPolicy("alice", "Aa1" + std::string(125, 'x')), Status::Ok());
}

TEST(PasswordPolicyTest, EachRuleHasItsMessage) {
  const Status too_short = Status::Invalid("password: at least 10 characters are required");
  const Status too_long = Status::Invalid("password: at most 128 bytes are allowed");
  const Status classes = Status::Invalid(
      "password: at least 3 of upper-case letters, lower-case letters, digits and other characters are "
      "required");
  const Status username = Status::Invalid("password: must not contain the username");

  EXPECT_EQ(CheckPasswordPolicy("alice", ""), too_short);
  EXPECT_EQ(CheckPasswordPolicy("alice", "Ab1!Ab1!A"), too_short);      // 9
  EXPECT_EQ(CheckPasswordPolicy("alice", "Ab1!Ab1!Ab"), Status::Ok());  // 10
  // 9 code points though 27 bytes: still too short (characters, not bytes, are counted).
  EXPECT_EQ(CheckPasswordPolicy("alice", "天津联联充电站天津"), too_short);
  // 10 code points of one class ("other"): long enough, too few classes.
  EXPECT_EQ(CheckPasswordPolicy("alice", "天津联联充电站天津联"), classes);
  EXPECT_EQ(CheckPasswordPolicy("alice", "Aa1" + std::string(126, 'x')), too_long);  // 129 bytes
  EXPECT_EQ(CheckPasswordPolicy("alice", "abcdefghijkl"), classes);
  EXPECT_EQ(CheckPasswordPolicy("alice", "abcdefgh12"), classes);
  EXPECT_EQ(CheckPasswordPolicy("alice", "1234567890!@"), classes);
  EXPECT_EQ(CheckPasswordPolicy("alice", "xxALICE-2024x"), username);  // case-insensitive
  EXPECT_EQ(CheckPasswordPolicy("alice", "alice.Zhang1"), username);
  EXPECT_EQ(CheckPasswordPolicy("bob", "Bo-b12345678"), Status::Ok());  // "bo-b" is not "bob"
  // Messages never carry the password.
  EXPECT_EQ(CheckPasswordPolicy("alice", "secretPW").message().find("secretPW"), std::string::npos);
}

TEST(UsernameTest, Rules) {
  const Status length = Status::Invalid("username: 3 to 32 characters are required");
  const Status start = Status::Invalid("username: must start with a lower-case letter a-z");
  const Status chars = Status::Invalid("username: only a-z, 0-9, '.', '_' and '-' are allowed");
  EXPECT_EQ(CheckUsername("abc"), Status::Ok());
  EXPECT_EQ(CheckUsername("zhang.wei_01-x"), Status::Ok());
  EXPECT_EQ(CheckUsername("a" + std::string(31, '9')), Status::Ok());  // 32
  EXPECT_EQ(CheckUsername(""), length);
  EXPECT_EQ(CheckUsername("ab"), length);
  EXPECT_EQ(CheckUsername("a" + std::string(32, 'b')), length);  // 33
  EXPECT_EQ(CheckUsername("1abc"), start);
  EXPECT_EQ(CheckUsername("_abc"), start);
  EXPECT_EQ(CheckUsername("Alice"), start);
  EXPECT_EQ(CheckUsername("aLice"), chars);
  EXPECT_EQ(CheckUsername("al ice"), chars);
  EXPECT_EQ(CheckUsername("al@ce"), chars);
  EXPECT_EQ(CheckUsername("a张三"), chars);
}

}  // namespace
}  // namespace vgi::console
