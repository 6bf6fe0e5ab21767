#include "vgi/sim/load_model.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace vgi::sim {
namespace {

using proto::BeijingMinute;
using proto::Kilowatts;

BeijingMinute At(const char* text) { return *proto::ParseMinute(text); }

OperatorFleet FleetOf(std::vector<SiteKind> kinds, int stations, std::uint64_t seed = 3) {
  FleetOptions o;
  o.seed = seed;
  o.operators = 1;
  o.stations_per_operator = stations;
  o.stakes_per_station = 10;
  o.kinds = std::move(kinds);
  auto fleet = BuildFleet(o);
  EXPECT_TRUE(fleet.ok()) << fleet.status();
  return std::move((*fleet)[0]);
}

// Total power per minute of one simulated day from 00:00.
std::vector<double> Day(const OperatorFleet& fleet, std::uint64_t seed = 3) {
  LoadModel model(fleet, seed, At("2024-04-09 00:00"));
  std::vector<double> out;
  for (int m = 0; m < proto::kMinutesPerDay; ++m) {
    model.Step({});
    out.push_back(model.TotalAt(BeijingMinute{model.next_minute().minutes - 1})->power.ToDouble());
  }
  return out;
}

double Mean(const std::vector<double>& day, int from_hour, int to_hour) {  // [from, to)
  double sum = 0;
  for (int m = from_hour * 60; m < to_hour * 60; ++m) sum += day[static_cast<std::size_t>(m)];
  return sum / ((to_hour - from_hour) * 60);
}

TEST(LoadModel, ResidentialPeaksInTheEvening) {
  const auto day = Day(FleetOf({SiteKind::kResidentialAc}, 30));
  EXPECT_GT(Mean(day, 19, 22), 2 * Mean(day, 4, 5)) << "evening " << Mean(day, 19, 22) << " kW vs 04:00 "
                                                    << Mean(day, 4, 5) << " kW";
  EXPECT_GT(Mean(day, 19, 22), Mean(day, 10, 14));
}

TEST(LoadModel, BusDepotChargesAtNight) {
  const auto day = Day(FleetOf({SiteKind::kBusDepot}, 10));
  const double night = (Mean(day, 21, 24) * 3 + Mean(day, 0, 2) * 2) / 5;
  EXPECT_GT(night, 2 * Mean(day, 11, 14)) << "night " << night << " kW vs midday " << Mean(day, 11, 14) << " kW";
}

TEST(LoadModel, PublicFastChargingPeaksAtMidday) {
  const auto day = Day(FleetOf({SiteKind::kPublicDc}, 20));
  EXPECT_GT(Mean(day, 11, 15), 2 * Mean(day, 2, 5)) << "midday " << Mean(day, 11, 15) << " kW vs night "
                                                    << Mean(day, 2, 5) << " kW";
}

TEST(LoadModel, StorageChargesAtNightAndDischargesAtThePeak) {
  const auto day = Day(FleetOf({SiteKind::kStorage}, 5));
  EXPECT_GT(Mean(day, 1, 5), 0);
  EXPECT_LT(Mean(day, 18, 21), 0);
}

TEST(LoadModel, HeatingRunsHarderAtNight) {
  const auto day = Day(FleetOf({SiteKind::kElectricHeating}, 5));
  EXPECT_GT(Mean(day, 0, 5), 1.5 * Mean(day, 11, 15));
}

TEST(LoadModel, SameSeedSameCurvesOtherSeedOtherCurves) {
  const OperatorFleet fleet = FleetOf({}, 40);
  EXPECT_EQ(Day(fleet, 3), Day(fleet, 3));
  EXPECT_NE(Day(fleet, 3), Day(fleet, 4));
}

TEST(LoadModel, PowerStaysWithinItsBoundsAndSumsExactly) {
  const OperatorFleet fleet = FleetOf({}, 40);
  LoadModel model(fleet, 5, At("2024-04-09 00:00"));
  for (int m = 0; m < 600; ++m) {
    const auto& samples = model.Step({});
    std::int64_t total = 0;
    for (const auto& s : samples) {
      ASSERT_LE(s.bottom, s.power);
      ASSERT_LE(s.power, s.top);
      ASSERT_EQ(s.power, s.baseline);  // nothing in force
      total += s.power.units();
    }
    ASSERT_EQ(model.TotalAt(BeijingMinute{model.next_minute().minutes - 1})->power.units(), total);
  }
}

// Steps a model from `start` with `regulation` in force and checks each minute: before the window
// the power is the baseline (the unregulated twin's); inside it the power is the baseline moved by
// the target, or the bound when the room is smaller (the rebound of curtailed vehicles is made up);
// after it, a peak-shaved fleet draws at least its baseline (deferred energy), a valley-filled one
// at most. Returns the moves (0.01 kW) by minute.
std::vector<std::int64_t> RunRegulated(const OperatorFleet& fleet, const Regulation& regulation, int minutes,
                                       const char* start = "2024-04-09 09:00") {
  LoadModel model(fleet, 9, At(start));
  std::vector<std::int64_t> moves;
  const Regulation* in_force[] = {&regulation};
  for (int m = 0; m < minutes; ++m) {
    const BeijingMinute minute = model.next_minute();
    const auto& samples = model.Step(in_force);
    std::int64_t power = 0, baseline = 0, top = 0, bottom = 0;
    for (const auto& s : samples) {
      EXPECT_LE(s.bottom, s.power);
      EXPECT_LE(s.power, s.top);
      power += s.power.units();
      baseline += s.baseline.units();
      top += s.top.units();
      bottom += s.bottom.units();
    }
    const auto& window = regulation.targets.front();
    const bool inside = window.start_time <= minute && minute <= window.end_time && minute >= regulation.active_from;
    const bool peak = regulation.type == proto::RegulationType::kPeakShaving;
    if (minute < window.start_time || minute < regulation.active_from) {
      EXPECT_EQ(power, baseline) << proto::FormatMinute(minute);
    } else if (!inside) {
      if (peak) {
        EXPECT_GE(power, baseline) << proto::FormatMinute(minute);
      } else {
        EXPECT_LE(power, baseline) << proto::FormatMinute(minute);
      }
    } else if (peak) {
      EXPECT_EQ(power, std::max(bottom, baseline - window.target_power.units())) << proto::FormatMinute(minute);
    } else {
      EXPECT_EQ(power, std::min(top, baseline + window.target_power.units())) << proto::FormatMinute(minute);
    }
    moves.push_back(power - baseline);
  }
  return moves;
}

TEST(LoadModel, PeakShavingLowersByTheTargetDuringTheWindowOnly) {
  const OperatorFleet fleet = FleetOf({}, 40);
  LoadModel probe(fleet, 9, At("2024-04-09 09:00"));
  Regulation r;
  r.type = proto::RegulationType::kPeakShaving;
  r.stakes = probe.AllStakes();
  r.targets = {{Kilowatts::FromInt(100), At("2024-04-09 09:10"), At("2024-04-09 09:19")}};
  r.active_from = At("2024-04-09 09:00");
  const auto moves = RunRegulated(fleet, r, 30);
  EXPECT_EQ(moves[9], 0);
  EXPECT_EQ(moves[10], -10000) << "100 kW lower in the first minute of the window";
  EXPECT_EQ(moves[19], -10000) << "endTime is inclusive, and the rebound is made up";
  EXPECT_GT(moves[20], 0) << "after the window the curtailed vehicles take their deferred energy";
}

TEST(LoadModel, ATargetBeyondTheRoomTakesEveryStakeToItsBound) {
  const OperatorFleet fleet = FleetOf({SiteKind::kPublicDc}, 3);
  LoadModel probe(fleet, 9, At("2024-04-09 09:00"));
  Regulation r;
  r.type = proto::RegulationType::kPeakShaving;
  r.stakes = probe.AllStakes();
  r.targets = {{Kilowatts::FromInt(1'000'000), At("2024-04-09 09:00"), At("2024-04-09 09:30")}};
  r.active_from = At("2024-04-09 09:00");
  RunRegulated(fleet, r, 20);  // checks power == baseline - (baseline - bottom) == bottom
}

TEST(LoadModel, ValleyFillingRaisesWithinTheTop) {
  const OperatorFleet fleet = FleetOf({SiteKind::kBusDepot, SiteKind::kStorage, SiteKind::kV2g}, 12);
  LoadModel probe(fleet, 9, At("2024-04-09 13:00"));
  Regulation r;
  r.type = proto::RegulationType::kValleyFilling;
  r.stakes = probe.AllStakes();
  // 13:00: storage has room again after its morning discharge; commuters' V2G cars are plugged in.
  r.targets = {{Kilowatts::FromInt(50), At("2024-04-09 13:05"), At("2024-04-09 13:14")}};
  r.active_from = At("2024-04-09 13:00");
  const auto moves = RunRegulated(fleet, r, 20, "2024-04-09 13:00");
  EXPECT_EQ(moves[5], 5000);
  EXPECT_EQ(moves[14], 5000);
  EXPECT_LE(moves[15], 0) << "after the window units that took extra energy take less";
}

TEST(LoadModel, ActiveFromHoldsBackTheStartOfTheWindow) {
  const OperatorFleet fleet = FleetOf({}, 20);
  LoadModel probe(fleet, 9, At("2024-04-09 09:00"));
  Regulation r;
  r.type = proto::RegulationType::kPeakShaving;
  r.stakes = probe.AllStakes();
  r.targets = {{Kilowatts::FromInt(10), At("2024-04-09 09:00"), At("2024-04-09 09:20")}};
  r.active_from = At("2024-04-09 09:05");  // accepted at 09:05
  const auto moves = RunRegulated(fleet, r, 10);
  EXPECT_EQ(moves[4], 0);
  EXPECT_EQ(moves[5], -1000);
}

TEST(LoadModel, OnlyTheStakesInScopeMove) {
  const OperatorFleet fleet = FleetOf({SiteKind::kPublicDc}, 10);
  LoadModel model(fleet, 9, At("2024-04-09 12:00"));
  // The station with the most down room at 12:00 (from an unregulated twin).
  LoadModel twin(fleet, 9, At("2024-04-09 12:00"));
  const auto& first = twin.Step({});
  std::size_t station = 0;
  for (std::size_t s = 0; s < first.size(); ++s) {
    if ((first[s].power - first[s].bottom) > (first[station].power - first[station].bottom)) station = s;
  }
  const auto room = (first[station].power - first[station].bottom).units();
  ASSERT_GT(room, 0);
  Regulation r;
  r.type = proto::RegulationType::kPeakShaving;
  r.stakes = model.StakesOf(station);
  r.targets = {{Kilowatts::FromUnits(std::min<std::int64_t>(room, 2000)), At("2024-04-09 12:00"),
                At("2024-04-09 12:00")}};
  r.active_from = At("2024-04-09 12:00");
  const Regulation* in_force[] = {&r};
  const auto& samples = model.Step(in_force);
  for (std::size_t s = 0; s < samples.size(); ++s) {
    if (s == station) {
      EXPECT_EQ(samples[s].power, first[s].power - r.targets[0].target_power);
    } else {
      EXPECT_EQ(samples[s].power, first[s].power) << "station " << s << " is not in scope";
    }
  }
}

TEST(LoadModel, KeepsOnlyItsHistory) {
  const OperatorFleet fleet = FleetOf({}, 5);
  LoadModel model(fleet, 1, At("2024-04-09 00:00"), 10);
  for (int m = 0; m < 15; ++m) model.Step({});
  EXPECT_FALSE(model.TotalAt(At("2024-04-09 00:04")).has_value());
  EXPECT_TRUE(model.TotalAt(At("2024-04-09 00:05")).has_value());
  EXPECT_TRUE(model.TotalAt(At("2024-04-09 00:14")).has_value());
  EXPECT_FALSE(model.TotalAt(At("2024-04-09 00:15")).has_value()) << "not stepped yet";
  EXPECT_FALSE(model.StationAt(99, At("2024-04-09 00:10")).has_value());
}

TEST(SplitByRoom, ExactAndWithinEachRoom) {
  const std::vector<std::int64_t> rooms = {100, 300, 0, 600};
  EXPECT_EQ(SplitByRoom(500, rooms), (std::vector<std::int64_t>{50, 150, 0, 300}));
  EXPECT_EQ(SplitByRoom(5000, rooms), rooms);
  EXPECT_EQ(SplitByRoom(0, rooms), (std::vector<std::int64_t>{0, 0, 0, 0}));
  const auto odd = SplitByRoom(7, std::vector<std::int64_t>{1, 1, 1, 10});
  EXPECT_EQ(std::accumulate(odd.begin(), odd.end(), std::int64_t{0}), 7);
  const std::vector<std::int64_t> expected = {1, 1, 0, 5};  // 7/13 of each, largest remainders first
  EXPECT_EQ(odd, expected);
  EXPECT_EQ(SplitByRoom(3, std::vector<std::int64_t>{}), std::vector<std::int64_t>{});
}

}  // namespace
}  // namespace vgi::sim
