#include "vgi/base/random.hpp"

#include <gtest/gtest.h>

#include <set>

#include "vgi/base/clock.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"

namespace vgi {
namespace {

TEST(Random, SystemSourceFillsAndDiffers) {
  std::array<std::uint8_t, 32> a{};
  std::array<std::uint8_t, 32> b{};
  RandomSource::System().Fill(a);
  RandomSource::System().Fill(b);
  EXPECT_NE(a, b);
}

TEST(Random, RandomStringUsesOnlyTheAlphabet) {
  const std::string s = RandomString(RandomSource::System(), 500, "AB");
  EXPECT_EQ(s.size(), 500u);
  EXPECT_EQ(s.find_first_not_of("AB"), std::string::npos);
  EXPECT_NE(s.find('A'), std::string::npos);
  EXPECT_NE(s.find('B'), std::string::npos);
}

TEST(Random, FakeRandomIsReproducible) {
  testing::FakeRandom a(3);
  testing::FakeRandom b(3);
  testing::FakeRandom c(4);
  EXPECT_EQ(RandomString(a, 20, "0123456789"), RandomString(b, 20, "0123456789"));
  EXPECT_NE(RandomString(a, 20, "0123456789"), RandomString(c, 20, "0123456789"));
}

TEST(Clock, FakeClockMovesOnlyWhenTold) {
  testing::FakeClock clock(testing::BeijingTime(2026, 11, 23, 8, 0, 0));
  const SystemTime t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(std::chrono::seconds(90));
  EXPECT_EQ(clock.Now() - t0, std::chrono::seconds(90));
  // 08:00 Beijing is midnight UTC.
  EXPECT_EQ(std::chrono::system_clock::to_time_t(t0) % 86400, 0);
  const auto real = Clock::System().Now();
  EXPECT_GT(real, testing::BeijingTime(2024, 1, 1));
}

}  // namespace
}  // namespace vgi
