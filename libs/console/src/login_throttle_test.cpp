#include "vgi/console/login_throttle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "vgi/testing/fake_clock.hpp"

namespace vgi::console {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using vgi::testing::FakeClock;

void Fail(LoginThrottle& t, std::string_view key, int times) {
  for (int i = 0; i < times; ++i) t.Failure(key);
}

TEST(LoginThrottleTest, FiveFailuresLockFor300Seconds) {
  FakeClock clock;
  LoginThrottle throttle(clock);
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);
  Fail(throttle, "user:alice", 4);
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);
  throttle.Failure("user:alice");
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(300));
  clock.Advance(seconds(100));
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(200));
  clock.Advance(seconds(199) + milliseconds(500));
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(1));  // 0.5 s left: rounded up
  clock.Advance(milliseconds(500));
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);
  // Other keys are independent.
  EXPECT_EQ(throttle.Blocked("addr:192.0.2.7"), std::nullopt);
}

TEST(LoginThrottleTest, EachFurtherLockoutDoublesUpToTheCap) {
  FakeClock clock;
  LoginThrottle throttle(clock);
  const std::vector<seconds> expected = {seconds(300),  seconds(600),  seconds(1200),
                                         seconds(2400), seconds(3600), seconds(3600)};
  for (seconds lock : expected) {
    Fail(throttle, "user:alice", 4);
    EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);  // a fresh series of five is needed
    throttle.Failure("user:alice");
    EXPECT_EQ(throttle.Blocked("user:alice"), lock);
    clock.Advance(lock);
    EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);
  }
}

TEST(LoginThrottleTest, FailuresWhileLockedDoNotExtendTheLock) {
  FakeClock clock;
  LoginThrottle throttle(clock);
  Fail(throttle, "addr:192.0.2.7", 5);
  clock.Advance(seconds(100));
  Fail(throttle, "addr:192.0.2.7", 10);
  EXPECT_EQ(throttle.Blocked("addr:192.0.2.7"), seconds(200));
  clock.Advance(seconds(200));
  EXPECT_EQ(throttle.Blocked("addr:192.0.2.7"), std::nullopt);
  // ...and they do not count towards the next lockout either.
  Fail(throttle, "addr:192.0.2.7", 4);
  EXPECT_EQ(throttle.Blocked("addr:192.0.2.7"), std::nullopt);
}

TEST(LoginThrottleTest, SuccessClearsFailuresAndLockoutHistory) {
  FakeClock clock;
  LoginThrottle throttle(clock);
  Fail(throttle, "user:alice", 4);
  throttle.Success("user:alice");
  Fail(throttle, "user:alice", 4);
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);  // 8 failures, but not 5 in a row
  EXPECT_EQ(throttle.size(), 1u);

  throttle.Failure("user:alice");  // 5th since the success
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(300));
  clock.Advance(seconds(300));
  throttle.Success("user:alice");
  EXPECT_EQ(throttle.size(), 0u);
  Fail(throttle, "user:alice", 5);
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(300));  // not 600: the history was cleared
}

TEST(LoginThrottleTest, WindowSlides) {
  FakeClock clock;
  LoginThrottle throttle(clock);
  // Failures at t = 0, 1, 2, 3 s.
  for (int i = 0; i < 4; ++i) {
    throttle.Failure("user:alice");
    clock.Advance(seconds(1));
  }
  // t = 900 s: the failure at t = 0 is 15 min old and no longer counts; this is the 4th.
  clock.Set(clock.Now() - seconds(4) + seconds(900));
  throttle.Failure("user:alice");
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);
  // t = 901 s: t = 1 drops out as this one comes in: still 4 (2, 3, 900, 901).
  clock.Advance(seconds(1));
  throttle.Failure("user:alice");
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);
  // A second failure at t = 901 s makes 5 inside the window.
  throttle.Failure("user:alice");
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(300));
}

TEST(LoginThrottleTest, MemoryIsBoundedDroppingTheLeastRecentlyTouchedKey) {
  FakeClock clock;
  LoginThrottle throttle(clock, {.max_failures = 2, .max_keys = 2});
  throttle.Failure("addr:a");
  throttle.Failure("addr:b");
  throttle.Failure("addr:a");  // a locks and becomes the most recently touched
  EXPECT_EQ(throttle.Blocked("addr:a"), seconds(300));
  throttle.Failure("addr:c");  // b is dropped
  EXPECT_EQ(throttle.size(), 2u);
  throttle.Failure("addr:b");  // b starts again from one failure; c (not locked) goes, not a
  EXPECT_EQ(throttle.Blocked("addr:b"), std::nullopt);
  EXPECT_EQ(throttle.Blocked("addr:a"), seconds(300));
  throttle.Failure("addr:c");  // c starts again (b goes): one failure, not locked
  EXPECT_EQ(throttle.Blocked("addr:c"), std::nullopt);
  EXPECT_EQ(throttle.size(), 2u);
}

TEST(LoginThrottleTest, AFloodOfNewKeysDoesNotUnlockALockedAccount) {
  FakeClock clock;
  LoginThrottle throttle(clock, {.max_failures = 2, .max_keys = 3});
  Fail(throttle, "user:alice", 2);
  for (int i = 0; i < 100; ++i) throttle.Failure("addr:10.0.0." + std::to_string(i));
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(300));
  EXPECT_EQ(throttle.size(), 3u);
  // When every tracked key is locked, the least recently touched goes after all.
  LoginThrottle full(clock, {.max_failures = 1, .max_keys = 2});
  full.Failure("a");
  full.Failure("b");
  full.Failure("c");
  EXPECT_EQ(full.Blocked("a"), std::nullopt);
  EXPECT_EQ(full.Blocked("c"), seconds(300));
}

TEST(LoginThrottleTest, CustomConfig) {
  FakeClock clock;
  LoginThrottle throttle(
      clock, {.max_failures = 3, .window = seconds(60), .lockout = seconds(10), .max_lockout = seconds(25)});
  Fail(throttle, "k", 3);
  EXPECT_EQ(throttle.Blocked("k"), seconds(10));
  clock.Advance(seconds(10));
  Fail(throttle, "k", 3);
  EXPECT_EQ(throttle.Blocked("k"), seconds(20));
  clock.Advance(seconds(20));
  Fail(throttle, "k", 3);
  EXPECT_EQ(throttle.Blocked("k"), seconds(25));  // 40 capped
}

TEST(LoginThrottleTest, ConcurrentFailuresAreAllCounted) {
  FakeClock clock;
  LoginThrottle throttle(clock, {.max_failures = 400});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&throttle] { Fail(throttle, "user:alice", 99); });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(throttle.Blocked("user:alice"), std::nullopt);  // 396
  Fail(throttle, "user:alice", 4);
  EXPECT_EQ(throttle.Blocked("user:alice"), seconds(300));  // 400
}

}  // namespace
}  // namespace vgi::console
