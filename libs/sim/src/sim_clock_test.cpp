#include "vgi/sim/sim_clock.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "vgi/testing/fake_clock.hpp"

namespace vgi::sim {
namespace {

using namespace std::chrono_literals;
using vgi::testing::BeijingTime;
using vgi::testing::FakeClock;

TEST(ScaledClock, RunsFactorTimesFasterThanRealTime) {
  FakeClock real;
  const SystemTime start = BeijingTime(2024, 4, 9, 8, 0);
  auto clock = ScaledClock::Create(start, 60, &real);
  ASSERT_TRUE(clock.ok()) << clock.status();
  EXPECT_EQ((*clock)->Now(), start);
  real.Advance(1s);
  EXPECT_EQ((*clock)->Now(), start + 1min);
  real.Advance(500ms);
  EXPECT_EQ((*clock)->Now(), start + 90s);
}

TEST(ScaledClock, FactorOneIsRealTime) {
  FakeClock real;
  const SystemTime start = BeijingTime(2024, 4, 9);
  auto clock = ScaledClock::Create(start, 1, &real);
  ASSERT_TRUE(clock.ok());
  real.Advance(37s);
  EXPECT_EQ((*clock)->Now(), start + 37s);
}

TEST(ScaledClock, SetFactorContinuesFromTheCurrentTime) {
  FakeClock real;
  const SystemTime start = BeijingTime(2024, 4, 9);
  auto clock = ScaledClock::Create(start, 60, &real);
  ASSERT_TRUE(clock.ok());
  real.Advance(2s);  // 2 simulated minutes
  ASSERT_TRUE((*clock)->SetFactor(600).ok());
  EXPECT_EQ((*clock)->Now(), start + 2min);
  real.Advance(1s);  // 10 more
  EXPECT_EQ((*clock)->Now(), start + 12min);
  EXPECT_EQ((*clock)->factor(), 600);
}

TEST(ScaledClock, RefusesAFactorThatIsNotPositive) {
  for (double factor : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
    auto clock = ScaledClock::Create(SystemTime{}, factor);
    ASSERT_FALSE(clock.ok());
    EXPECT_EQ(clock.status().code(), StatusCode::kInvalid);
    EXPECT_NE(clock.status().message().find("time factor"), std::string::npos);
  }
}

TEST(ScaledClock, SteadyClockNeverGoesBack) {
  auto clock = ScaledClock::Create(BeijingTime(2024, 4, 9), 1000);
  ASSERT_TRUE(clock.ok());
  SystemTime last = (*clock)->Now();
  for (int i = 0; i < 1000; ++i) {
    const SystemTime now = (*clock)->Now();
    EXPECT_GE(now, last);
    last = now;
  }
}

}  // namespace
}  // namespace vgi::sim
