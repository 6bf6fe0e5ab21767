// Pushes to the grid (model sync, per-minute power, callbacks) against a fake grid on loopback.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sim_test_util.hpp"
#include "test_grid.hpp"
#include "vgi/sim/sim_clock.hpp"

namespace vgi::sim::test {
namespace {

using namespace std::chrono_literals;
using proto::BeijingMinute;

struct PushHarness {
  explicit PushHarness(int page_size = 3) : grid(fake_clock) {
    SimOptions o = SmallOptions(2, 7, 4);
    o.grid_base_url = grid.base_url();
    o.grid_ca_file = grid.ca_file();
    o.page_size = page_size;
    o.push_timeout = 20s;
    h = std::make_unique<SimHarness>(o, vgi::testing::BeijingTime(2024, 4, 9, 8, 58), false);
    fake_clock.Set(h->clock.Now());
    for (const auto& peer : h->sim->Peers()) {
      EXPECT_TRUE(h->sim->SetGridKeys(peer.operator_id, grid.AddOperator(peer.operator_id)).ok());
    }
  }
  // One Tick at the current minute, then at each following minute up to `minute`.
  void TickTo(const char* minute) {
    EXPECT_TRUE(h->sim->Tick().ok());
    while (h->clock.Now() < proto::ToSystemTime(At(minute))) {
      h->clock.Advance(1min);
      fake_clock.Set(h->clock.Now());
      EXPECT_TRUE(h->sim->Tick().ok());
    }
  }
  std::string op(std::size_t i = 0) const { return h->op(i); }

  vgi::testing::FakeClock fake_clock;  // the grid's (kept equal to the simulator's)
  FakeGrid grid;
  std::unique_ptr<SimHarness> h;
};

// Every point received for `op`, by station and minute (a resend would count twice).
std::map<std::pair<std::string, std::int64_t>, int> Points(const FakeGrid::Received& r) {
  std::map<std::pair<std::string, std::int64_t>, int> out;
  for (const auto& batch : r.power) {
    for (const auto& s : batch.stations) {
      for (const auto& p : s.points) ++out[{s.station_code, p.point.minutes}];
    }
  }
  return out;
}

TEST(Push, ModelSyncIsPagedAtStartAndDailyAt0900) {
  PushHarness p;
  p.TickTo("2024-04-09 08:58");
  const auto r = p.grid.Of(p.op());
  ASSERT_EQ(r.pages.size(), 3u) << "7 stations, 3 per page";
  std::vector<proto::Station> synced;
  for (std::size_t i = 0; i < r.pages.size(); ++i) {
    EXPECT_EQ(r.pages[i].total_count, 7);
    EXPECT_EQ(r.pages[i].page_count, 3);
    EXPECT_EQ(r.pages[i].page_no, static_cast<std::int64_t>(i + 1));
    synced.insert(synced.end(), r.pages[i].stations.begin(), r.pages[i].stations.end());
  }
  EXPECT_EQ(synced, p.h->sim->Stations(p.op()));
  EXPECT_EQ(r.tokens, 1);
  OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_TRUE(stats.model_synced);
  EXPECT_EQ(stats.model_synced_at, p.h->clock.Now());
  EXPECT_EQ(stats.model_pages_sent, 3u);

  p.TickTo("2024-04-09 08:59");
  EXPECT_EQ(p.grid.Of(p.op()).pages.size(), 3u) << "no sync at 08:59";
  p.TickTo("2024-04-09 09:00");
  EXPECT_EQ(p.grid.Of(p.op()).pages.size(), 6u) << "the daily sync at 09:00";
  EXPECT_EQ(p.h->sim->Stats(p.op()).model_syncs, 2u);
  EXPECT_EQ(p.grid.Of(p.op(1)).pages.size(), 6u) << "every operator syncs its own model";
}

TEST(Push, OnePointPerStationEveryMinuteWithItsBounds) {
  PushHarness p;
  p.TickTo("2024-04-09 09:05");
  const auto r = p.grid.Of(p.op());
  ASSERT_EQ(r.power.size(), 8u) << "08:58 .. 09:05";
  for (std::size_t i = 0; i < r.power.size(); ++i) {
    const BeijingMinute minute{At("2024-04-09 08:58").minutes + static_cast<std::int64_t>(i)};
    ASSERT_EQ(r.power[i].stations.size(), 7u);
    for (const auto& s : r.power[i].stations) {
      ASSERT_EQ(s.points.size(), 1u);
      EXPECT_EQ(s.points[0].point, minute);
      auto sample = p.h->sim->StationSample(p.op(), s.station_code, minute);
      ASSERT_TRUE(sample.ok()) << sample.status();
      EXPECT_EQ(s.points[0].power, sample->power) << "what was reported is what was simulated";
      EXPECT_EQ(s.adjust_top_power, sample->top);
      EXPECT_EQ(s.adjust_bottom_power, sample->bottom);
      EXPECT_LE(s.adjust_bottom_power, *s.points[0].power);
      EXPECT_LE(*s.points[0].power, s.adjust_top_power);
    }
  }
  const OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_EQ(stats.power_pushes_ok, 8u);
  EXPECT_EQ(stats.points_sent, 56u);
  EXPECT_EQ(stats.backlog_points, 0u);
  EXPECT_EQ(stats.minute, At("2024-04-09 09:05"));
}

TEST(Push, DropsTheAskedShareOfPoints) {
  PushHarness p;
  Faults f;
  f.drop_points = 0.5;
  ASSERT_TRUE(p.h->sim->SetFaults(p.op(), f).ok());
  p.TickTo("2024-04-09 09:17");  // 20 minutes x 7 stations
  const auto points = Points(p.grid.Of(p.op()));
  const OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_EQ(points.size() + stats.points_dropped, 140u);
  EXPECT_EQ(stats.points_sent, points.size());
  EXPECT_GT(stats.points_dropped, 35u);
  EXPECT_LT(stats.points_dropped, 105u);
  for (const auto& [key, count] : points) EXPECT_EQ(count, 1) << key.first << " sent twice";
  EXPECT_EQ(Points(p.grid.Of(p.op(1))).size(), 140u) << "the other operator drops nothing";
}

TEST(Push, LatePointsArriveTheAskedMinutesLater) {
  PushHarness p;
  Faults f;
  f.late = 3min;
  ASSERT_TRUE(p.h->sim->SetFaults(p.op(), f).ok());
  p.TickTo("2024-04-09 09:00");
  EXPECT_TRUE(p.grid.Of(p.op()).power.empty()) << "08:58's points go at 09:01";
  p.TickTo("2024-04-09 09:03");
  const auto r = p.grid.Of(p.op());
  ASSERT_EQ(r.power.size(), 3u);
  for (std::size_t i = 0; i < r.power.size(); ++i) {
    EXPECT_EQ(r.power[i].stations[0].points.size(), 1u);
    EXPECT_EQ(r.power[i].stations[0].points[0].point.minutes, At("2024-04-09 08:58").minutes + static_cast<std::int64_t>(i));
  }
  EXPECT_EQ(p.h->sim->Stats(p.op()).backlog_points, 21u) << "3 minutes x 7 stations wait";
}

TEST(Push, AnOfflineOperatorStopsPushingAndCatchesUpWhenBack) {
  PushHarness p;
  Faults f;
  f.offline_until = proto::ToSystemTime(At("2024-04-09 09:03"));
  ASSERT_TRUE(p.h->sim->SetFaults(p.op(), f).ok());
  p.TickTo("2024-04-09 09:02");
  FakeGrid::Received r = p.grid.Of(p.op());
  EXPECT_EQ(r.tokens, 0);
  EXPECT_TRUE(r.pages.empty());
  EXPECT_TRUE(r.power.empty());
  EXPECT_FALSE(p.h->sim->Stats(p.op()).online);
  EXPECT_EQ(p.h->sim->Stats(p.op()).backlog_points, 35u);
  EXPECT_FALSE(p.grid.Of(p.op(1)).power.empty()) << "the other operator pushes on";

  p.TickTo("2024-04-09 09:03");
  r = p.grid.Of(p.op());
  EXPECT_EQ(r.pages.size(), 3u);
  ASSERT_EQ(r.power.size(), 1u);
  EXPECT_EQ(r.power[0].stations[0].points.size(), 6u) << "08:58 .. 09:03 in one push";
  EXPECT_EQ(Points(r).size(), 42u);
  EXPECT_TRUE(p.h->sim->Stats(p.op()).online);
}

TEST(Push, AFailedPushIsRetriedNextMinuteWithTheMissedPoints) {
  PushHarness p;
  p.TickTo("2024-04-09 08:58");
  p.grid.ret = 500;
  p.TickTo("2024-04-09 08:59");
  OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_EQ(stats.power_pushes_failed, 1u);
  EXPECT_EQ(stats.backlog_points, 7u);
  EXPECT_EQ(stats.last_error, "send_station_power_1440: refused: Ret 500: simulated grid failure");
  p.grid.ret = 0;
  p.TickTo("2024-04-09 09:00");
  const auto r = p.grid.Of(p.op());
  ASSERT_EQ(r.power.size(), 2u) << "08:58 alone, then 08:59 and 09:00 together";
  for (const auto& s : r.power[1].stations) {
    ASSERT_EQ(s.points.size(), 2u);
    EXPECT_EQ(s.points[0].point, At("2024-04-09 08:59"));
    EXPECT_EQ(s.points[1].point, At("2024-04-09 09:00"));
  }
  EXPECT_EQ(Points(r).size(), 21u);
  EXPECT_EQ(r.pages.size(), 6u) << "the 09:00 sync went first";
  stats = p.h->sim->Stats(p.op());
  EXPECT_EQ(stats.backlog_points, 0u);
  EXPECT_EQ(stats.power_pushes_ok, 2u);
}

TEST(Push, AFailedSyncHoldsBackThePowerOfThatMinute) {
  PushHarness p;
  p.grid.ret = 500;
  p.TickTo("2024-04-09 08:59");
  OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_FALSE(stats.model_synced);
  EXPECT_EQ(stats.model_page_failures, 2u);
  EXPECT_EQ(stats.last_error, "send_station_info page 1: refused: Ret 500: simulated grid failure");
  EXPECT_EQ(stats.backlog_points, 14u);
  p.grid.ret = 0;
  p.TickTo("2024-04-09 09:00");
  EXPECT_TRUE(p.h->sim->Stats(p.op()).model_synced);
  EXPECT_EQ(Points(p.grid.Of(p.op())).size(), 21u);
}

TEST(Push, AGridAnsweringHttp500IsAFailedPush) {
  PushHarness p;
  p.grid.http_status = 500;
  p.TickTo("2024-04-09 08:58");
  const OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_FALSE(stats.model_synced);
  EXPECT_EQ(stats.model_page_failures, 1u);
  EXPECT_NE(stats.last_error.find("HTTP 500"), std::string::npos) << stats.last_error;
  p.grid.http_status = 200;
  p.TickTo("2024-04-09 08:59");
  EXPECT_TRUE(p.h->sim->Stats(p.op()).model_synced);
  EXPECT_EQ(Points(p.grid.Of(p.op())).size(), 14u);
}

TEST(Push, CallbacksFollowThePolicy) {
  PushHarness p;
  p.TickTo("2024-04-09 08:58");
  ASSERT_TRUE(p.h->sim
                  ->SubmitInstruction(p.op(), Task("T1", "R1", proto::RegulationType::kPeakShaving,
                                                   proto::RangeType::kOperator, {p.op()}, 10, "2024-04-09 09:10",
                                                   "2024-04-09 09:20"))
                  .ok());
  ASSERT_TRUE(p.h->sim->SetPolicy(p.op(1), Policy{Policy::Decision::kPartial, 0.6, {}}).ok());
  ASSERT_TRUE(p.h->sim
                  ->SubmitInstruction(p.op(1), Task("T2", "R2", proto::RegulationType::kValleyFilling,
                                                    proto::RangeType::kOperator, {p.op(1)}, 50, "2024-04-09 09:10",
                                                    "2024-04-09 09:20"))
                  .ok());
  ASSERT_TRUE(p.h->sim->Tick().ok());  // same minute: callbacks go out without waiting for the next
  auto r = p.grid.Of(p.op());
  ASSERT_EQ(r.overviews.size(), 1u);
  EXPECT_EQ(r.overviews[0], (proto::InstructionFeedback{"T1", "R1", proto::Feedback::kAccept}));
  const auto r1 = p.grid.Of(p.op(1));
  ASSERT_EQ(r1.checks.size(), 1u);
  EXPECT_EQ(r1.checks[0].regulation_id, "R2");
  EXPECT_EQ(r1.checks[0].targets[0].target_power, proto::Kilowatts::FromInt(30));
  EXPECT_TRUE(r1.overviews.empty());

  ASSERT_TRUE(p.h->sim->SetPolicy(p.op(), Policy{Policy::Decision::kReject, 0.6, 2min}).ok());
  ASSERT_TRUE(p.h->sim
                  ->SubmitInstruction(p.op(), Task("T3", "R3", proto::RegulationType::kPeakShaving,
                                                   proto::RangeType::kOperator, {p.op()}, 10, "2024-04-09 09:10",
                                                   "2024-04-09 09:20"))
                  .ok());
  p.grid.ret = 500;  // the first try fails; the callback is retried the next minute
  p.TickTo("2024-04-09 09:00");
  EXPECT_EQ(p.grid.Of(p.op()).overviews.size(), 1u);
  p.grid.ret = 0;
  p.TickTo("2024-04-09 09:01");
  r = p.grid.Of(p.op());
  ASSERT_EQ(r.overviews.size(), 2u);
  EXPECT_EQ(r.overviews[1], (proto::InstructionFeedback{"T3", "R3", proto::Feedback::kReject}));
  const OperatorStats stats = p.h->sim->Stats(p.op());
  EXPECT_EQ(stats.callbacks_sent, 2u);
  EXPECT_GE(stats.callbacks_failed, 1u);
}

TEST(Push, TheDriverThreadPushesEveryMinuteAndCatchesUp) {
  PushHarness p;
  ASSERT_TRUE(p.h->sim->Start().ok());
  EXPECT_EQ(p.h->sim->Tick().code(), StatusCode::kConflict);
  ASSERT_TRUE(p.grid.WaitFor([&] { return Points(p.grid.Of(p.op())).size() == 7; }));
  for (int i = 0; i < 3; ++i) {
    p.h->clock.Advance(1min);
    p.fake_clock.Set(p.h->clock.Now());
    ASSERT_TRUE(p.grid.WaitFor([&] { return Points(p.grid.Of(p.op())).size() == 7u * (i + 2); }));
  }
  p.h->clock.Advance(5min);  // behind by five minutes: caught up minute by minute
  p.fake_clock.Set(p.h->clock.Now());
  ASSERT_TRUE(p.grid.WaitFor([&] {
    return Points(p.grid.Of(p.op())).size() == 7u * 9 && Points(p.grid.Of(p.op(1))).size() == 7u * 9;
  }));
  p.h->sim->Stop();
  const auto r = p.grid.Of(p.op());
  EXPECT_EQ(r.power.size(), 9u) << "one push per minute";
  std::set<std::int64_t> minutes;
  for (const auto& [key, count] : Points(r)) {
    EXPECT_EQ(count, 1);
    minutes.insert(key.second);
  }
  EXPECT_EQ(minutes.size(), 9u);
  EXPECT_EQ(*minutes.begin(), At("2024-04-09 08:58").minutes);
  EXPECT_EQ(*minutes.rbegin(), At("2024-04-09 09:06").minutes);
  EXPECT_TRUE(p.h->sim->Tick().ok()) << "stopped: Tick is allowed again";
}

TEST(Push, RunsOnAScaledClock) {
  auto clock = ScaledClock::Create(vgi::testing::BeijingTime(2024, 4, 9, 8, 58), 600);
  ASSERT_TRUE(clock.ok());
  FakeGrid grid(**clock);
  SimOptions o = SmallOptions(1, 5, 3);
  o.grid_base_url = grid.base_url();
  o.grid_ca_file = grid.ca_file();
  auto sim = Simulator::Create(o, **clock);
  ASSERT_TRUE(sim.ok()) << sim.status();
  const std::string op = (*sim)->Peers()[0].operator_id;
  ASSERT_TRUE((*sim)->SetGridKeys(op, grid.AddOperator(op)).ok());
  ASSERT_TRUE((*sim)->Start().ok());
  // Ten simulated minutes a second: wait for five minutes of points (at most 30 s).
  ASSERT_TRUE(grid.WaitFor([&] { return Points(grid.Of(op)).size() >= 25; }));
  (*sim)->Stop();
  for (const auto& [key, count] : Points(grid.Of(op))) EXPECT_EQ(count, 1);
  EXPECT_TRUE((*sim)->Stats(op).model_synced);
}

}  // namespace
}  // namespace vgi::sim::test
