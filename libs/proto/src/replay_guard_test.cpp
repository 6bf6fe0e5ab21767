#include "vgi/proto/replay_guard.hpp"

#include <gtest/gtest.h>

#include "vgi/proto/ret.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::proto {
namespace {

using std::chrono::seconds;
using testing::FakeClock;

TEST(Freshness, WithinTheSkewEitherWay) {
  const SystemTime now = testing::BeijingTime(2026, 11, 23, 9, 0, 0);
  EXPECT_TRUE(CheckFreshness(now - seconds(300), now, seconds(300)).ok());
  EXPECT_TRUE(CheckFreshness(now + seconds(300), now, seconds(300)).ok());
  const Status late = CheckFreshness(now - seconds(301), now, seconds(300));
  EXPECT_EQ(RetFor(late), Ret::kAuthFailed);
  EXPECT_EQ(late.message(),
            "TimeStamp: 301 s behind the grid's clock, more than the allowed 300 s (sync the clock with NTP; "
            "TimeStamp is Beijing time)");
  const Status early = CheckFreshness(now + seconds(8 * 3600), now, seconds(300));
  EXPECT_NE(early.message().find("28800 s ahead of"), std::string::npos) << early;
}

TEST(MemoryReplayGuard, AdmitsOnceThenRefuses) {
  FakeClock clock;
  MemoryReplayGuard guard(clock);
  const SystemTime forget = clock.Now() + seconds(300);
  EXPECT_TRUE(guard.Admit("123456789", "20261123090000", "0001", forget).ok());
  const Status replay = guard.Admit("123456789", "20261123090000", "0001", forget);
  EXPECT_EQ(RetFor(replay), Ret::kAuthFailed);
  EXPECT_EQ(replay.message(),
            "Seq: request (OperatorID, TimeStamp, Seq) = (123456789, 20261123090000, 0001) was already received (replay)");
  // Any part differing makes a different request.
  EXPECT_TRUE(guard.Admit("123456789", "20261123090000", "0002", forget).ok());
  EXPECT_TRUE(guard.Admit("987654321", "20261123090000", "0001", forget).ok());
  EXPECT_TRUE(guard.Admit("123456789", "20261123090001", "0001", forget).ok());
  // Neighbours in the packed key (TimeStamp x 10 000 + Seq, operator by index) stay apart.
  EXPECT_TRUE(guard.Admit("123456789", "20261123085959", "9999", forget).ok());
  EXPECT_TRUE(guard.Admit("123456789", "20261123090000", "0000", forget).ok());
  EXPECT_TRUE(guard.Admit("1234567890", "20261123090000", "0001", forget).ok());
  EXPECT_EQ(guard.size(), 7u);
  EXPECT_EQ(RetFor(guard.Admit("987654321", "20261123090000", "0001", forget)), Ret::kAuthFailed);
}

TEST(MemoryReplayGuard, AKeyNotAsTheEnvelopeRequiresIsInvalidNamingTheField) {
  FakeClock clock;
  MemoryReplayGuard guard(clock);
  const SystemTime forget = clock.Now() + seconds(300);
  for (const char* timestamp : {"2026112309000000", "2026112309000", "2026112309000a", ""}) {
    const Status st = guard.Admit("123456789", timestamp, "0001", forget);
    EXPECT_EQ(st.code(), StatusCode::kInvalid) << timestamp;
    EXPECT_EQ(st.message(), "TimeStamp: must be 14 digits, yyyyMMddHHmmss") << timestamp;
  }
  for (const char* seq : {"001", "00001", "00a1", "-001"}) {
    const Status st = guard.Admit("123456789", "20261123090000", seq, forget);
    EXPECT_EQ(st.code(), StatusCode::kInvalid) << seq;
    EXPECT_EQ(st.message(), "Seq: must be 4 digits, e.g. 0001") << seq;
  }
  EXPECT_EQ(guard.size(), 0u);
}

TEST(MemoryReplayGuard, ForgetsKeysOnceTheirWindowHasPassedAFewPerAdmit) {
  FakeClock clock;
  MemoryReplayGuard guard(clock);
  for (int i = 0; i < 100; ++i) {
    char seq[16];
    std::snprintf(seq, sizeof seq, "%04d", i);
    ASSERT_TRUE(guard.Admit("123456789", "20261123090000", seq, clock.Now() + seconds(300 + i % 7)).ok());
  }
  EXPECT_EQ(guard.size(), 100u);
  clock.Advance(seconds(310));
  // Each Admit forgets at most kForgetPerAdmit expired keys, oldest first.
  static_assert(MemoryReplayGuard::kForgetPerAdmit == 64);
  EXPECT_TRUE(guard.Admit("123456789", "20261123090600", "0001", clock.Now() + seconds(300)).ok());
  EXPECT_EQ(guard.size(), 100u - 64u + 1u);
  EXPECT_TRUE(guard.Admit("123456789", "20261123090600", "0002", clock.Now() + seconds(300)).ok());
  EXPECT_EQ(guard.size(), 2u);
  // The new keys are held until their own window passes.
  EXPECT_EQ(RetFor(guard.Admit("123456789", "20261123090600", "0001", clock.Now() + seconds(300))), Ret::kAuthFailed);
}

TEST(MemoryReplayGuard, AKeyAdmittedAgainAfterExpiryIsHeldForItsNewWindow) {
  FakeClock clock;
  MemoryReplayGuard guard(clock);
  ASSERT_TRUE(guard.Admit("123456789", "20261123090000", "0001", clock.Now() + seconds(1)).ok());
  clock.Advance(seconds(2));
  // Expired: admitted again, now until +302 s (its first expiry entry comes up first and must
  // not drop it).
  ASSERT_TRUE(guard.Admit("123456789", "20261123090000", "0001", clock.Now() + seconds(300)).ok());
  clock.Advance(seconds(1));
  ASSERT_TRUE(guard.Admit("123456789", "20261123090001", "0001", clock.Now() + seconds(300)).ok());  // forgets what is due
  EXPECT_EQ(guard.size(), 2u);
  EXPECT_EQ(RetFor(guard.Admit("123456789", "20261123090000", "0001", clock.Now() + seconds(300))), Ret::kAuthFailed);
  clock.Advance(seconds(301));
  ASSERT_TRUE(guard.Admit("123456789", "20261123090002", "0001", clock.Now() + seconds(300)).ok());
  EXPECT_EQ(guard.size(), 1u);  // the first two forgotten, the third held
}

TEST(MemoryReplayGuard, ExpiredButUnpurgedKeyIsAdmittedAgain) {
  FakeClock clock;
  MemoryReplayGuard guard(clock);
  ASSERT_TRUE(guard.Admit("123456789", "20261123090000", "0001", clock.Now() + seconds(1)).ok());
  clock.Advance(std::chrono::milliseconds(1500));  // past forget_after, before the next purge
  EXPECT_TRUE(guard.Admit("123456789", "20261123090000", "0001", clock.Now() + seconds(1)).ok());
}

}  // namespace
}  // namespace vgi::proto
