#include "vgi/proto/stamp.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "vgi/testing/fake_clock.hpp"

namespace vgi::proto {
namespace {

using testing::BeijingTime;
using testing::FakeClock;

TEST(StampGenerator, CountsUpWithinASecondAndRestartsEachSecond) {
  FakeClock clock(BeijingTime(2026, 11, 23, 9, 0, 0) + std::chrono::milliseconds(100));
  StampGenerator gen(clock);
  auto a = gen.Next();
  EXPECT_EQ(a.timestamp, "20261123090000");
  EXPECT_EQ(a.seq, "0001");
  EXPECT_EQ(gen.Next().seq, "0002");
  clock.Advance(std::chrono::milliseconds(800));
  EXPECT_EQ(gen.Next().seq, "0003");  // still the same second
  clock.Advance(std::chrono::milliseconds(100));
  auto b = gen.Next();
  EXPECT_EQ(b.timestamp, "20261123090001");
  EXPECT_EQ(b.seq, "0001");
}

TEST(StampGenerator, PastNineThousandNineHundredNinetyNineMovesToTheNextSecond) {
  FakeClock clock(BeijingTime(2026, 11, 23, 9, 0, 0));
  StampGenerator gen(clock);
  for (int i = 1; i <= 9999; ++i) {
    auto s = gen.Next();
    ASSERT_EQ(s.timestamp, "20261123090000");
    ASSERT_EQ(std::stoi(s.seq), i);
  }
  auto next = gen.Next();
  EXPECT_EQ(next.timestamp, "20261123090001");  // ahead of the clock, never a repeat
  EXPECT_EQ(next.seq, "0001");
  EXPECT_EQ(gen.Next().seq, "0002");
  // When the clock reaches that second, counting continues instead of restarting at 0001.
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ(gen.Next().seq, "0003");
}

TEST(StampGenerator, ClockSteppingBackNeverRepeatsAPair) {
  FakeClock clock(BeijingTime(2026, 11, 23, 9, 0, 10));
  StampGenerator gen(clock);
  auto first = gen.Next();
  clock.Advance(-std::chrono::seconds(5));
  auto second = gen.Next();
  EXPECT_EQ(second.timestamp, first.timestamp);
  EXPECT_EQ(second.seq, "0002");
}

TEST(StampGenerator, NodesSharingAnOperatorIdTakeDisjointSeqs) {
  FakeClock clock(BeijingTime(2026, 11, 23, 9, 0, 0));
  StampGenerator node0(clock, 0, 3);
  StampGenerator node2(clock, 2, 3);
  EXPECT_EQ(node0.Next().seq, "0001");
  EXPECT_EQ(node0.Next().seq, "0004");
  EXPECT_EQ(node2.Next().seq, "0003");
  EXPECT_EQ(node2.Next().seq, "0006");
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    for (auto* g : {&node0, &node2}) {
      auto s = g->Next();
      ASSERT_TRUE(seen.insert(s.timestamp + s.seq).second) << s.timestamp << " " << s.seq;
    }
  }
}

TEST(StampGenerator, ThreadsNeverShareAPair) {
  FakeClock clock(BeijingTime(2026, 11, 23, 9, 0, 0));
  StampGenerator gen(clock);
  constexpr int kThreads = 4;
  constexpr int kEach = 6000;  // 24 000 in one second: spills into the following seconds
  std::vector<std::vector<Stamp>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(gen.Next());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : got) {
    for (const auto& s : v) all.insert(s.timestamp + "/" + s.seq);
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(*all.rbegin(), "20261123090002/4002");
}

}  // namespace
}  // namespace vgi::proto
