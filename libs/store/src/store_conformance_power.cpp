// The store conformance suite, continued (see store_conformance.cpp): the group-committed
// writes (power, replay keys, feedback) and instructions.
#include <atomic>
#include <cstdio>
#include <thread>

#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT
using namespace std::chrono_literals;

// ---- power ------------------------------------------------------------------------------------

TEST_P(StoreConformance, PointsSpanningTwoDaysLandInTwoStationDays) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 23:58", 1250), Point("2024-04-09 23:59", 1300),
                                                             Point("2024-04-10 00:00", 1400), Point("2024-04-10 00:01", -50)},
                                                   30000, 100)})));
  VGI_ASSERT_OK_AND_ASSIGN(auto d9, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  VGI_ASSERT_OK_AND_ASSIGN(auto d10, h.store().GetStationDay(kOp, "STA1", Day("2024-04-10")));
  ASSERT_TRUE(d9.has_value());
  ASSERT_TRUE(d10.has_value());

  StationDay want9;
  want9.operator_id = kOp;
  want9.station_code = "STA1";
  want9.day = Day("2024-04-09");
  want9.centi_kw[1438] = 1250;
  want9.centi_kw[1439] = 1300;
  want9.present.set(1438);
  want9.present.set(1439);
  want9.adjust_top_power = Kilowatts::FromUnits(30000);
  want9.adjust_bottom_power = Kilowatts::FromUnits(100);
  want9.updated_at = h.now();
  EXPECT_EQ(*d9, want9);

  StationDay want10 = want9;
  want10.day = Day("2024-04-10");
  want10.centi_kw.assign(kMinutesPerDay, 0);
  want10.present.reset();
  want10.centi_kw[0] = 1400;
  want10.centi_kw[1] = -50;
  want10.present.set(0);
  want10.present.set(1);
  EXPECT_EQ(*d10, want10);

  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().GetStationDay(kOp, "STA1", Day("2024-04-11")));
  EXPECT_FALSE(none.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(none, h.store().GetStationDay(kOp, "STA2", Day("2024-04-09")));
  EXPECT_FALSE(none.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(none, h.store().GetStationDay("999999999", "STA1", Day("2024-04-09")));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreConformance, ALaterPointOverwritesItsMinuteAndNullMeansMissing) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 500), Point("2024-04-09 10:01", 600),
                                                             Point("2024-04-09 10:02", std::nullopt)})})));
  h.clock().Advance(1min);
  // 10:00 resent with another value, 10:01 resent as null (missing now), 10:02 filled late.
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 700), Point("2024-04-09 10:01", std::nullopt),
                                                             Point("2024-04-09 10:02", 800)})})));
  VGI_ASSERT_OK_AND_ASSIGN(auto d, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->centi_kw[600], 700);
  EXPECT_TRUE(d->present.test(600));
  EXPECT_EQ(d->centi_kw[601], 0);
  EXPECT_FALSE(d->present.test(601));
  EXPECT_EQ(d->centi_kw[602], 800);
  EXPECT_TRUE(d->present.test(602));
  EXPECT_EQ(d->present.count(), 2u);
  EXPECT_EQ(d->updated_at, h.now());
}

TEST_P(StoreConformance, SamplePowerRecordsEveryPointAndItsNulls) {
  VGI_OPEN(h);
  PowerUpdate u{kOp, vgi::testing::SampleStationPower(3, kMinutesPerDay)};
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({u})));
  VGI_ASSERT_OK_AND_ASSIGN(auto d, h.store().GetStationDay(kOp, "STA3", Day("2024-04-09")));
  ASSERT_TRUE(d.has_value());
  for (int m = 0; m < kMinutesPerDay; ++m) {
    const auto& p = u.power.points[static_cast<std::size_t>(m)];
    ASSERT_EQ(d->present.test(static_cast<std::size_t>(m)), p.power.has_value()) << m;
    ASSERT_EQ(d->centi_kw[static_cast<std::size_t>(m)], p.power ? p.power->units() : 0) << m;
  }
  EXPECT_EQ(d->present.count(), static_cast<std::size_t>(kMinutesPerDay - kMinutesPerDay / 7));
}

TEST_P(StoreConformance, AdjustPowersAreTheLatestReceived) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 1)}, 5000, 100)})));
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:01", 2)}, 7000, -300)})));
  VGI_ASSERT_OK_AND_ASSIGN(auto d, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->adjust_top_power, Kilowatts::FromUnits(7000));
  EXPECT_EQ(d->adjust_bottom_power, Kilowatts::FromUnits(-300));
  EXPECT_EQ(d->present.count(), 2u);
}

TEST_P(StoreConformance, AnUpdateWithoutPointsRecordsItsAdjustPowersToday) {
  VGI_OPEN(h);
  h.clock().Set(BeijingTime(2024, 4, 9, 12, 30));
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {}, 4200, 10)})));
  VGI_ASSERT_OK_AND_ASSIGN(auto d, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->adjust_top_power, Kilowatts::FromUnits(4200));
  EXPECT_EQ(d->adjust_bottom_power, Kilowatts::FromUnits(10));
  EXPECT_EQ(d->present.count(), 0u);
}

TEST_P(StoreConformance, CommitIsAllOrNothing) {
  VGI_OPEN(h);
  WriteBatch bad;
  bad.request_keys.push_back(RequestKey{kOp, "20240409100000", "0001", h.now() + 5min});
  bad.power.push_back(Power("STA1", {Point("2024-04-09 10:00", 500)}));
  bad.power.push_back(Power("STA2", {Point("2024-04-09 10:00", 600), Point("2024-04-09 10:01", 3'000'000'000LL)}));
  bad.feedback.push_back(Overview("R1", proto::Feedback::kAccept, h.now()));
  EXPECT_TRUE(HasStatus(h.store().Commit(bad), StatusCode::kInvalid,
                        "power[1] (station STA2) powerPointList[1].power: 30000000.00 kW does not fit a slot"));
  VGI_ASSERT_OK_AND_ASSIGN(auto keys, h.store().LoadRequestKeys());
  EXPECT_TRUE(keys.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto d, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  EXPECT_FALSE(d.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(auto fb, h.store().ListFeedback(kOp, "R1"));
  EXPECT_TRUE(fb.empty());

  // A feedback record of the wrong shape, last in the batch, also undoes everything before it.
  WriteBatch bad_feedback;
  bad_feedback.request_keys = bad.request_keys;
  bad_feedback.power.push_back(bad.power[0]);
  FeedbackRecord wrong = Overview("R1", proto::Feedback::kAccept, h.now());
  wrong.status.reset();
  bad_feedback.feedback.push_back(Overview("R1", proto::Feedback::kAccept, h.now()));
  bad_feedback.feedback.push_back(wrong);
  EXPECT_TRUE(HasStatus(h.store().Commit(bad_feedback), StatusCode::kInvalid,
                        "feedback[1]: an overview (callback_task_overview) carries a status and no adjustment"));
  VGI_ASSERT_OK_AND_ASSIGN(keys, h.store().LoadRequestKeys());
  EXPECT_TRUE(keys.empty());
  VGI_ASSERT_OK_AND_ASSIGN(d, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  EXPECT_FALSE(d.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(fb, h.store().ListFeedback(kOp, "R1"));
  EXPECT_TRUE(fb.empty());

  // The good parts alone commit.
  bad_feedback.feedback.pop_back();
  VGI_ASSERT_OK(h.store().Commit(bad_feedback));
  VGI_ASSERT_OK_AND_ASSIGN(keys, h.store().LoadRequestKeys());
  EXPECT_EQ(keys.size(), 1u);
  VGI_ASSERT_OK_AND_ASSIGN(d, h.store().GetStationDay(kOp, "STA1", Day("2024-04-09")));
  EXPECT_TRUE(d.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(fb, h.store().ListFeedback(kOp, "R1"));
  EXPECT_EQ(fb.size(), 1u);
}

TEST_P(StoreConformance, ConcurrentCommitsAndReadsSeeEveryCommittedUpdate) {
  VGI_OPEN(h);
  constexpr int kThreads = 4;
  constexpr int kCommits = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        const std::string station = "STA" + std::to_string(t);
        const proto::BeijingMinute m{At("2024-04-09 00:00").minutes + i};
        PowerUpdate u = Power(station, {});
        u.power.points.push_back(proto::PowerPoint{m, Kilowatts::FromUnits(t * 1000 + i)});
        if (!h.store().Commit(PowerBatch({u})).ok()) ++failures;
        auto d = h.store().GetStationDay(kOp, station, Day("2024-04-09"));
        // Read-your-writes: a committed minute is visible to the next read.
        if (!d.ok() || !d->has_value() || !(*d)->present.test(static_cast<std::size_t>(i))) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    VGI_ASSERT_OK_AND_ASSIGN(auto d, h.store().GetStationDay(kOp, "STA" + std::to_string(t), Day("2024-04-09")));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->present.count(), static_cast<std::size_t>(kCommits));
    for (int i = 0; i < kCommits; ++i) EXPECT_EQ(d->centi_kw[static_cast<std::size_t>(i)], t * 1000 + i);
  }
}

// ---- replay keys ------------------------------------------------------------------------------

TEST_P(StoreConformance, RequestKeysLoadOnlyUnexpiredAndPurgeCountsTheRest) {
  VGI_OPEN(h);
  const SystemTime t0 = h.now();
  WriteBatch b;
  b.request_keys = {RequestKey{"BBBBBBBBB", "20240409100000", "0001", t0 + 10s},
                    RequestKey{"AAAAAAAAA", "20240409100000", "0002", t0 + 20s},
                    RequestKey{"AAAAAAAAA", "20240409100000", "0001", t0 - 1s},
                    RequestKey{"AAAAAAAAA", "20240409095959", "0001", t0}};
  VGI_ASSERT_OK(h.store().Commit(b));
  // Present already: ignored, the first forget_after stays.
  WriteBatch again;
  again.request_keys = {RequestKey{"BBBBBBBBB", "20240409100000", "0001", t0 + 1h}};
  VGI_ASSERT_OK(h.store().Commit(again));

  VGI_ASSERT_OK_AND_ASSIGN(auto keys, h.store().LoadRequestKeys());
  EXPECT_EQ(keys, (std::vector<RequestKey>{b.request_keys[1], b.request_keys[0]}));

  h.clock().Advance(15s);
  VGI_ASSERT_OK_AND_ASSIGN(keys, h.store().LoadRequestKeys());
  EXPECT_EQ(keys, std::vector<RequestKey>{b.request_keys[1]});
  VGI_ASSERT_OK_AND_ASSIGN(std::int64_t purged, h.store().PurgeRequestKeys());
  EXPECT_EQ(purged, 3);
  VGI_ASSERT_OK_AND_ASSIGN(purged, h.store().PurgeRequestKeys());
  EXPECT_EQ(purged, 0);
  VGI_ASSERT_OK_AND_ASSIGN(keys, h.store().LoadRequestKeys());
  EXPECT_EQ(keys, std::vector<RequestKey>{b.request_keys[1]});
}

TEST_P(StoreConformance, PurgeRequestKeysDeletesEveryExpiredKeyHoweverMany) {
  VGI_OPEN(h);
  const SystemTime t0 = h.now();
  // More than one purge chunk (the SQLite store deletes 1 000 per transaction).
  WriteBatch b;
  for (int i = 0; i < 2500; ++i) {
    char seq[8];
    std::snprintf(seq, sizeof seq, "%04d", i);
    b.request_keys.push_back(RequestKey{"AAAAAAAAA", "20240409101000", seq, t0 + std::chrono::milliseconds(i)});
  }
  const RequestKey live{"BBBBBBBBB", "20240409100000", "0001", t0 + 1h};
  b.request_keys.push_back(live);
  VGI_ASSERT_OK(h.store().Commit(b));
  h.clock().Advance(10s);
  VGI_ASSERT_OK_AND_ASSIGN(std::int64_t purged, h.store().PurgeRequestKeys());
  EXPECT_EQ(purged, 2500);
  VGI_ASSERT_OK_AND_ASSIGN(auto keys, h.store().LoadRequestKeys());
  EXPECT_EQ(keys, std::vector<RequestKey>{live});
}

// ---- instructions and feedback ----------------------------------------------------------------

TEST_P(StoreConformance, InstructionsPutReplaceAndGet) {
  VGI_OPEN(h);
  InstructionRow row;
  row.operator_id = kOp;
  row.instruction = vgi::testing::SampleInstruction();
  row.instruction.range_type = proto::RangeType::kStation;
  row.instruction.adjust_ids = {"STA1"};
  row.instruction.credit_code = vgi::testing::kSampleCreditCode;
  row.sent_at = h.now();
  VGI_ASSERT_OK(h.store().PutInstruction(row));
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetInstruction(kOp, row.instruction.regulation_id));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, row);

  InstructionRow changed = row;
  changed.instruction.synchro_type = proto::SynchroType::kCancel;
  changed.instruction.targets.pop_back();
  changed.sent_at = h.now() + 1h;
  VGI_ASSERT_OK(h.store().PutInstruction(changed));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetInstruction(kOp, row.instruction.regulation_id));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, changed);

  VGI_ASSERT_OK_AND_ASSIGN(auto missing, h.store().GetInstruction("999999999", row.instruction.regulation_id));
  EXPECT_FALSE(missing.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(missing, h.store().GetInstruction(kOp, "no-such-regulation"));
  EXPECT_FALSE(missing.has_value());
}

TEST_P(StoreConformance, WhatWouldNotReadBackIsRefusedOnWrite) {
  VGI_OPEN(h);
  InstructionRow row{kOp, vgi::testing::SampleInstruction(), h.now()};
  row.instruction.range_type = proto::RangeType::kStation;  // needs one adjustID and a credit code
  EXPECT_TRUE(HasStatus(h.store().PutInstruction(row), StatusCode::kInvalid,
                        "instruction FHTK-105-20200419: adjustIDList: must hold exactly one ID when rangeType is 4"));
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetInstruction(kOp, row.instruction.regulation_id));
  EXPECT_FALSE(got.has_value());

  WriteBatch b;
  b.request_keys = {RequestKey{kOp, "20240409100000", "0001", h.now() + 5min}};
  b.feedback = {Check("R1", h.now())};
  b.feedback[0].adjustment->adjust_ids = {"STA1", "STA2"};
  EXPECT_TRUE(HasStatus(h.store().Commit(b), StatusCode::kInvalid, "feedback R1 adjustment: adjustIDList"));
  VGI_ASSERT_OK_AND_ASSIGN(auto keys, h.store().LoadRequestKeys());
  EXPECT_TRUE(keys.empty());
}

TEST_P(StoreConformance, FeedbackListsBothKindsByReceivedAtThenInsertion) {
  VGI_OPEN(h);
  const SystemTime t1 = h.now();
  const SystemTime t2 = t1 + 1min;
  WriteBatch first;
  first.feedback = {Overview("R1", proto::Feedback::kAccept, t2), Check("R1", t1), Overview("R2", proto::Feedback::kReject, t1)};
  VGI_ASSERT_OK(h.store().Commit(first));
  WriteBatch second;
  second.feedback = {Overview("R1", proto::Feedback::kReject, t1)};
  VGI_ASSERT_OK(h.store().Commit(second));

  VGI_ASSERT_OK_AND_ASSIGN(auto r1, h.store().ListFeedback(kOp, "R1"));
  EXPECT_EQ(r1, (std::vector<FeedbackRecord>{first.feedback[1], second.feedback[0], first.feedback[0]}));
  VGI_ASSERT_OK_AND_ASSIGN(auto r2, h.store().ListFeedback(kOp, "R2"));
  EXPECT_EQ(r2, std::vector<FeedbackRecord>{first.feedback[2]});
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ListFeedback("999999999", "R1"));
  EXPECT_TRUE(none.empty());
}

// ---- station-days -----------------------------------------------------------------------------------

TEST_P(StoreConformance, ListStationDaysReturnsTheOperatorsStationsForThatDayByCode) {
  VGI_OPEN(h);
  PowerUpdate other = Power("STA1", {Point("2024-04-09 10:00", 999)});
  other.operator_id = kOp2;
  VGI_ASSERT_OK(h.store().Commit(PowerBatch(
      {Power("STA2", {Point("2024-04-09 10:00", 200)}, 5000, 10), Power("STA10", {Point("2024-04-09 11:30", 300)}),
       Power("STA1", {Point("2024-04-09 23:59", 100), Point("2024-04-10 00:00", 150)}), other})));
  VGI_ASSERT_OK_AND_ASSIGN(auto days, h.store().ListStationDays(kOp, Day("2024-04-09")));
  ASSERT_EQ(days.size(), 3u);
  const std::vector<std::string> codes = {"STA1", "STA10", "STA2"};
  for (std::size_t i = 0; i < codes.size(); ++i) {
    VGI_ASSERT_OK_AND_ASSIGN(auto one, h.store().GetStationDay(kOp, codes[i], Day("2024-04-09")));
    ASSERT_TRUE(one.has_value()) << codes[i];
    EXPECT_EQ(days[i], *one) << codes[i];
  }
  EXPECT_EQ(days[2].centi_kw[600], 200);
  EXPECT_TRUE(days[2].present[600]);
  EXPECT_EQ(days[2].adjust_top_power, Kilowatts::FromUnits(5000));
  EXPECT_EQ(days[0].centi_kw[1439], 100);

  VGI_ASSERT_OK_AND_ASSIGN(days, h.store().ListStationDays(kOp, Day("2024-04-10")));
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].station_code, "STA1");
  EXPECT_EQ(days[0].day, Day("2024-04-10"));
  EXPECT_EQ(days[0].centi_kw[0], 150);
  VGI_ASSERT_OK_AND_ASSIGN(days, h.store().ListStationDays(kOp2, Day("2024-04-09")));
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].operator_id, kOp2);
  EXPECT_EQ(days[0].centi_kw[600], 999);
  VGI_ASSERT_OK_AND_ASSIGN(days, h.store().ListStationDays(kOp, Day("2024-04-08")));
  EXPECT_TRUE(days.empty());
}

// ---- latest readings and the station index ---------------------------------------------------------

TEST_P(StoreConformance, LatestPowerKeepsEachStationsLatestValuedMinute) {
  VGI_OPEN(h);
  // In one batch: STA1's two updates (the later carries the later minute), a null after the
  // latest value, and STA2 spanning midnight.
  VGI_ASSERT_OK(h.store().Commit(PowerBatch(
      {Power("STA1", {Point("2024-04-09 10:00", 100), Point("2024-04-09 10:01", 110), Point("2024-04-09 10:02", std::nullopt)}, 5000, 10),
       Power("STA2", {Point("2024-04-09 23:59", 200), Point("2024-04-10 00:00", 210)}, 6000, 20)})));
  VGI_ASSERT_OK_AND_ASSIGN(auto latest, h.store().ListLatestPower(kOp));
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0], (LatestPower{kOp, "STA1", At("2024-04-09 10:01"), Kilowatts::FromUnits(110),
                                    Kilowatts::FromUnits(5000), Kilowatts::FromUnits(10)}));
  EXPECT_EQ(latest[1], (LatestPower{kOp, "STA2", At("2024-04-10 00:00"), Kilowatts::FromUnits(210),
                                    Kilowatts::FromUnits(6000), Kilowatts::FromUnits(20)}));

  // Late data (an earlier minute) leaves it; the same minute again replaces it (later writes win);
  // an update of nulls only leaves it; two updates of one station in one batch: the later minute.
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 09:00", 999)}, 7000, 30)})));
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:05", std::nullopt)}, 7000, 30)})));
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA2", {Point("2024-04-10 00:00", 220)}, 6100, 21),
                                             Power("STA2", {Point("2024-04-09 23:00", 1)}, 1, 1)})));
  VGI_ASSERT_OK_AND_ASSIGN(latest, h.store().ListLatestPower(kOp));
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].at, At("2024-04-09 10:01"));
  EXPECT_EQ(latest[0].power, Kilowatts::FromUnits(110));
  EXPECT_EQ(latest[0].adjust_top_power, Kilowatts::FromUnits(5000));
  EXPECT_EQ(latest[1], (LatestPower{kOp, "STA2", At("2024-04-10 00:00"), Kilowatts::FromUnits(220),
                                    Kilowatts::FromUnits(6100), Kilowatts::FromUnits(21)}));

  // A later minute moves it with the new bounds; a failed batch changes nothing.
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:30", 130)}, 8000, 40)})));
  PowerUpdate bad = Power("STA1", {Point("2024-04-09 11:00", std::int64_t{1} << 40)});
  EXPECT_EQ(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:45", 1)}), bad})).code(), StatusCode::kInvalid);
  // Other operators' stations: by operator, or all ordered by operator then station.
  PowerUpdate other = Power("STA0", {Point("2024-04-09 10:00", 5)});
  other.operator_id = kOp2;
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({other})));
  if (GetParam().reopen) VGI_ASSERT_OK(h.Reopen());  // durable like the slots
  VGI_ASSERT_OK_AND_ASSIGN(latest, h.store().ListLatestPower(kOp));
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0], (LatestPower{kOp, "STA1", At("2024-04-09 10:30"), Kilowatts::FromUnits(130),
                                    Kilowatts::FromUnits(8000), Kilowatts::FromUnits(40)}));
  VGI_ASSERT_OK_AND_ASSIGN(latest, h.store().ListLatestPower(""));
  ASSERT_EQ(latest.size(), 3u);
  EXPECT_EQ(latest[0].operator_id, kOp);
  EXPECT_EQ(latest[1].station_code, "STA2");
  EXPECT_EQ(latest[2].operator_id, kOp2);
  VGI_ASSERT_OK_AND_ASSIGN(latest, h.store().ListLatestPower("NOBODY000"));
  EXPECT_TRUE(latest.empty());
}

TEST_P(StoreConformance, StationIndexListsActiveStationsWithTheirAreaWithoutTheModel) {
  VGI_OPEN(h);
  proto::Station a = SampleStation(1, 2);
  proto::Station b = SampleStation(2, 1);
  b.area_code = "440305";
  proto::Station c = SampleStation(10, 1);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({c, a, b})).status());
  VGI_ASSERT_OK_AND_ASSIGN(auto index, h.store().ListStationIndex(kOp));
  EXPECT_EQ(index, (std::vector<StationIndexEntry>{{"STA1", "120101"}, {"STA10", "120101"}, {"STA2", "440305"}}));
  // A snapshot without STA10 retires it: the index lists active stations only.
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({a, b})).status());
  VGI_ASSERT_OK_AND_ASSIGN(index, h.store().ListStationIndex(kOp));
  EXPECT_EQ(index, (std::vector<StationIndexEntry>{{"STA1", "120101"}, {"STA2", "440305"}}));
  VGI_ASSERT_OK_AND_ASSIGN(index, h.store().ListStationIndex(kOp2));
  EXPECT_TRUE(index.empty());
}

}  // namespace
}  // namespace vgi::store
