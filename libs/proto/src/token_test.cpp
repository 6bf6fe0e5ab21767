#include "vgi/proto/token.hpp"

#include <gtest/gtest.h>

#include "vgi/proto/ret.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::proto {
namespace {

using std::chrono::seconds;
using testing::FakeClock;

const TokenKey kKeyA{"a1", std::string(32, 'A')};
const TokenKey kKeyB{"b2", std::string(40, 'B')};

TokenAuthority Make(std::vector<TokenKey> keys, const Clock& clock, const TokenRevocations* rev = nullptr) {
  auto a = TokenAuthority::Create(std::move(keys), clock, rev);
  EXPECT_TRUE(a.ok()) << a.status();
  return std::move(a).value();
}

TEST(Token, BearerTokenReadsTheAuthorizationHeader) {
  EXPECT_EQ(BearerToken("Bearer abc.def"), "abc.def");
  EXPECT_EQ(BearerToken("bearer   abc"), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(Token, IssuedTokenValidatesForItsOperatorFor7200Seconds) {
  FakeClock clock;
  auto auth = Make({kKeyA}, clock);
  auto issued = auth.Issue("123456789");
  EXPECT_EQ(issued.available, seconds(7200));
  EXPECT_TRUE(issued.token.starts_with("v1.a1.123456789."));
  EXPECT_TRUE(auth.Validate(issued.token, "123456789").ok());
  clock.Advance(seconds(7199));
  EXPECT_TRUE(auth.Validate(issued.token, "123456789").ok());
  clock.Advance(seconds(1));
  const Status expired = auth.Validate(issued.token, "123456789");
  EXPECT_EQ(RetFor(expired), Ret::kAuthFailed);
  EXPECT_EQ(expired.message(), "token: expired; call query_token for a new one");
}

TEST(Token, BoundToTheOperator) {
  FakeClock clock;
  auto auth = Make({kKeyA}, clock);
  const auto t = auth.Issue("123456789").token;
  EXPECT_EQ(auth.Validate(t, "987654321").message(),
            "token: issued to operator 123456789, not to 987654321; call query_token for a new one");
}

TEST(Token, AnyNodeWithTheSameKeysValidatesIncludingAfterARestart) {
  FakeClock clock;
  const auto t = Make({kKeyA}, clock).Issue("123456789").token;
  auto other_node = Make({kKeyA}, clock);
  EXPECT_TRUE(other_node.Validate(t, "123456789").ok());
}

TEST(Token, TamperingIsDetected) {
  FakeClock clock;
  auto auth = Make({kKeyA}, clock);
  const std::string t = auth.Issue("123456789").token;
  // Stretch the expiry: the MAC no longer matches.
  auto dot = t.rfind('.');
  auto prev = t.rfind('.', dot - 1);
  std::string longer = t.substr(0, prev + 1) + "9" + t.substr(prev + 1);
  EXPECT_EQ(auth.Validate(longer, "123456789").message(), "token: signature does not match; call query_token for a new one");
  std::string flipped = t;
  flipped.back() = flipped.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(auth.Validate(flipped, "123456789").message(), "token: signature does not match; call query_token for a new one");
  for (const char* bad : {"garbage", "v1.a1.x", "v2.a1.123456789.1.2.ab", "v1.a1.123456789.1.2.3.4"}) {
    EXPECT_EQ(auth.Validate(bad, "123456789").message(), "token: malformed; call query_token for a new one") << bad;
  }
  EXPECT_EQ(auth.Validate("", "123456789").message(),
            "token: missing (send Authorization: Bearer <token>); call query_token for a new one");
  EXPECT_EQ(Make({kKeyB}, clock).Validate(t, "123456789").message(),
            "token: signed with an unknown or retired key; call query_token for a new one");
}

TEST(Token, KeyRotationKeepsOldTokensValidWhileTheOldKeyIsListed) {
  FakeClock clock;
  const auto old_token = Make({kKeyA}, clock).Issue("123456789").token;
  auto rotated = Make({kKeyB, kKeyA}, clock);
  EXPECT_TRUE(rotated.Validate(old_token, "123456789").ok());
  EXPECT_TRUE(rotated.Issue("123456789").token.starts_with("v1.b2."));
  EXPECT_FALSE(Make({kKeyB}, clock).Validate(old_token, "123456789").ok());
}

TEST(Token, RevocationPerOperator) {
  FakeClock clock;
  MemoryTokenRevocations revocations;
  auto auth = Make({kKeyA}, clock, &revocations);
  const auto t1 = auth.Issue("123456789").token;
  const auto other = auth.Issue("987654321").token;
  clock.Advance(seconds(10));
  revocations.Revoke("123456789", clock.Now());
  EXPECT_EQ(auth.Validate(t1, "123456789").message(), "token: revoked; call query_token for a new one");
  EXPECT_TRUE(auth.Validate(other, "987654321").ok());
  clock.Advance(std::chrono::milliseconds(1));
  EXPECT_TRUE(auth.Validate(auth.Issue("123456789").token, "123456789").ok());
}

TEST(Token, CreateChecksItsKeys) {
  FakeClock clock;
  EXPECT_FALSE(TokenAuthority::Create({}, clock, nullptr).ok());
  EXPECT_EQ(TokenAuthority::Create({{"A!", std::string(32, 'x')}}, clock, nullptr).status().message(),
            "token key id: must be 1 to 16 characters of 0-9 and a-z");
  EXPECT_EQ(TokenAuthority::Create({{"k", "short"}}, clock, nullptr).status().message(),
            "token key k: secret must be at least 32 bytes");
}

}  // namespace
}  // namespace vgi::proto
