// Sealer: AES-256-GCM at rest, one uniform error for every way a sealed value fails to open.
#include "vgi/store/sealer.hpp"

#include <gtest/gtest.h>

namespace vgi::store {
namespace {

const Status kDoesNotOpen = Status::Internal("sealed value does not open: wrong master key or corrupted data");

Sealer Make(char fill) { return *Sealer::Create(std::string(kMasterKeyBytes, fill)); }

TEST(Sealer, RoundTripsAnyBytesWithAndWithoutContext) {
  const Sealer s = Make('k');
  const std::string binary("\x00\x01\xff\x80 text 中文", 15);
  for (const std::string& plain : {std::string(), std::string("x"), binary, std::string(100000, 'z')}) {
    for (const std::string& ctx : {std::string(), std::string("peer:123456789")}) {
      const std::string sealed = s.Seal(plain, ctx);
      // "\x01" | nonce (12) | ciphertext | tag (16)
      ASSERT_EQ(sealed.size(), 1 + 12 + plain.size() + 16);
      EXPECT_EQ(sealed[0], '\x01');
      auto opened = s.Open(sealed, ctx);
      ASSERT_TRUE(opened.ok()) << opened.status();
      EXPECT_EQ(*opened, plain);
    }
  }
}

TEST(Sealer, EachSealUsesAFreshNonce) {
  const Sealer s = Make('k');
  const std::string a = s.Seal("same plaintext", "ctx");
  const std::string b = s.Seal("same plaintext", "ctx");
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(1, 12), b.substr(1, 12));
  EXPECT_EQ(a.find("same plaintext"), std::string::npos);
}

TEST(Sealer, EveryFailureIsTheSameError) {
  const Sealer s = Make('k');
  const std::string sealed = s.Seal("credit code 911101901234567890", "station:123456789:STA1");

  EXPECT_EQ(Make('j').Open(sealed, "station:123456789:STA1").status(), kDoesNotOpen) << "wrong key";
  EXPECT_EQ(s.Open(sealed, "station:123456789:STA2").status(), kDoesNotOpen) << "wrong context";
  EXPECT_EQ(s.Open(sealed).status(), kDoesNotOpen) << "context missing";
  EXPECT_EQ(s.Open(sealed.substr(0, sealed.size() - 1), "station:123456789:STA1").status(), kDoesNotOpen) << "truncated";
  EXPECT_EQ(s.Open(sealed.substr(0, 28), "station:123456789:STA1").status(), kDoesNotOpen) << "shorter than the overhead";
  EXPECT_EQ(s.Open("", "station:123456789:STA1").status(), kDoesNotOpen) << "empty";
  for (std::size_t i = 0; i < sealed.size(); ++i) {  // version byte, nonce, ciphertext and tag alike
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x20);
    EXPECT_EQ(s.Open(tampered, "station:123456789:STA1").status(), kDoesNotOpen) << "byte " << i;
  }
  std::string extended = sealed + "x";
  EXPECT_EQ(s.Open(extended, "station:123456789:STA1").status(), kDoesNotOpen) << "extended";
}

TEST(Sealer, TheKeyMustBe32Bytes) {
  for (std::size_t n : {0, 16, 31, 33, 64}) {
    const auto r = Sealer::Create(std::string(n, 'k'));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
    EXPECT_NE(r.status().message().find("master key: must be exactly 32 bytes, got " + std::to_string(n)),
              std::string::npos)
        << r.status();
  }
  EXPECT_TRUE(Sealer::Create(std::string(32, '\0')).ok());
}

}  // namespace
}  // namespace vgi::store
