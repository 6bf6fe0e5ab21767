// The store conformance suite, continued (see store_conformance.cpp): an operator's days summed
// (ListOperatorDays) and one station's history (ListStationHistory).
#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT

constexpr const char* kOtherOp = "OTHER0001";

// The harness clock at noon of 2024-04-10 (Beijing): 04-09 is a past day, 04-10 today.
void AtNoonOfTheTenth(Harness& h) { h.clock().Set(BeijingTime(2024, 4, 10, 12, 0)); }

PowerUpdate OtherOperator(PowerUpdate u) {
  u.operator_id = kOtherOp;
  return u;
}

TEST_P(StoreConformance, OperatorDaysSumTheStationDaysMinuteByMinute) {
  VGI_OPEN(h);
  AtNoonOfTheTenth(h);
  // STA1: bounds 0..10 kW (top 1000 centi-kW, bottom 100); STA2: 2.5..4 kW.
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({
      Power("STA1", {Point("2024-04-09 10:00", 500), Point("2024-04-09 10:01", std::nullopt)}, 1000, 100),
      Power("STA2", {Point("2024-04-09 10:00", 300), Point("2024-04-09 10:01", 200)}, 400, 250),
      OtherOperator(Power("STA9", {Point("2024-04-09 10:00", 99999)})),
  })));
  VGI_ASSERT_OK_AND_ASSIGN(auto days, h.store().ListOperatorDays(kOp, Day("2024-04-08"), Day("2024-04-10")));
  ASSERT_EQ(days.size(), 1u);  // days without station-days are left out
  const OperatorDay& d = days[0];
  EXPECT_EQ(d.operator_id, kOp);
  EXPECT_EQ(d.day, Day("2024-04-09"));
  EXPECT_EQ(d.stations, 2);
  // 10:00: both present. load 500 + 300; down (500-100) + (300-250); up (1000-500) + (400-300).
  EXPECT_EQ(d.load[600], 800);
  EXPECT_EQ(d.present[600], 2);
  EXPECT_EQ(d.down[600], 450);
  EXPECT_EQ(d.up[600], 600);
  // 10:01: STA1 null (missing), STA2 200 below its bottom (no down potential).
  EXPECT_EQ(d.load[601], 200);
  EXPECT_EQ(d.present[601], 1);
  EXPECT_EQ(d.down[601], 0);
  EXPECT_EQ(d.up[601], 200);
  // A minute nobody reported.
  EXPECT_EQ(d.load[602], 0);
  EXPECT_EQ(d.present[602], 0);
  EXPECT_EQ(d.up[602], 0);
  // The same as summing the station-days.
  VGI_ASSERT_OK_AND_ASSIGN(auto station_days, h.store().ListStationDays(kOp, Day("2024-04-09")));
  EXPECT_EQ(d, SumStationDays(kOp, Day("2024-04-09"), station_days));

  VGI_ASSERT_OK_AND_ASSIGN(auto other, h.store().ListOperatorDays(kOtherOp, Day("2024-04-09"), Day("2024-04-09")));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].stations, 1);
  EXPECT_EQ(other[0].load[600], 99999);
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ListOperatorDays("999999999", Day("2024-04-01"), Day("2024-04-30")));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformance, OperatorDaySumsFollowEveryLaterCommitAlsoAfterAReopen) {
  VGI_OPEN(h);
  AtNoonOfTheTenth(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 500)}),
                                             Power("STA1", {Point("2024-04-10 09:00", 700)})})));
  auto read = [&](const char* day) -> OperatorDay {
    auto days = h.store().ListOperatorDays(kOp, Day(day), Day(day));
    EXPECT_TRUE(days.ok()) << days.status();
    if (!days.ok() || days->size() != 1) {
      ADD_FAILURE() << day << ": want one operator-day";
      return OperatorDay{};
    }
    return days->front();
  };
  // A past day's sums are kept by the first read; late data for it must still show.
  EXPECT_EQ(read("2024-04-09").load[600], 500);
  EXPECT_EQ(read("2024-04-09").load[600], 500);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 650)}),
                                             Power("STA2", {Point("2024-04-09 10:00", 50)})})));
  OperatorDay late = read("2024-04-09");
  EXPECT_EQ(late.load[600], 700);
  EXPECT_EQ(late.stations, 2);
  // Today changes minute by minute.
  EXPECT_EQ(read("2024-04-10").load[540], 700);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-10 09:00", std::nullopt)})})));
  OperatorDay today = read("2024-04-10");
  EXPECT_EQ(today.load[540], 0);
  EXPECT_EQ(today.present[540], 0);

  if (GetParam().reopen) VGI_ASSERT_OK(h.Reopen());
  EXPECT_EQ(read("2024-04-09"), late);
  EXPECT_EQ(read("2024-04-10"), today);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA3", {Point("2024-04-09 23:59", 10)})})));
  OperatorDay after = read("2024-04-09");
  EXPECT_EQ(after.stations, 3);
  EXPECT_EQ(after.load[1439], 10);
  EXPECT_EQ(after.load[600], 700);
}

TEST_P(StoreConformance, AFailedCommitLeavesTheOperatorDayAsItWas) {
  VGI_OPEN(h);
  AtNoonOfTheTenth(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 500)})})));
  VGI_ASSERT_OK_AND_ASSIGN(auto before, h.store().ListOperatorDays(kOp, Day("2024-04-09"), Day("2024-04-09")));
  // A feedback record of the wrong shape, after the power in the batch, undoes the power too.
  WriteBatch bad = PowerBatch({Power("STA1", {Point("2024-04-09 10:00", 900)}), Power("STA2", {Point("2024-04-09 10:00", 1)})});
  FeedbackRecord wrong = Overview("R1", proto::Feedback::kAccept, h.now());
  wrong.status.reset();
  bad.feedback.push_back(wrong);
  EXPECT_EQ(h.store().Commit(bad).code(), StatusCode::kInvalid);
  VGI_ASSERT_OK_AND_ASSIGN(auto after, h.store().ListOperatorDays(kOp, Day("2024-04-09"), Day("2024-04-09")));
  EXPECT_EQ(after, before);
}

TEST_P(StoreConformance, StationHistoryListsOneStationsDaysInOrder) {
  VGI_OPEN(h);
  AtNoonOfTheTenth(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-10 08:00", 3)}),
                                             Power("STA1", {Point("2024-04-08 08:00", 1)}),
                                             Power("STA2", {Point("2024-04-09 08:00", 7)}),
                                             Power("STA1", {Point("2024-04-09 08:00", 2)})})));
  VGI_ASSERT_OK_AND_ASSIGN(auto history, h.store().ListStationHistory(kOp, "STA1", Day("2024-04-01"), Day("2024-04-30")));
  ASSERT_EQ(history.size(), 3u);
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].day.days, Day("2024-04-08").days + static_cast<std::int32_t>(i));
    EXPECT_EQ(history[i].centi_kw[480], static_cast<std::int32_t>(i + 1));
    VGI_ASSERT_OK_AND_ASSIGN(auto one, h.store().GetStationDay(kOp, "STA1", history[i].day));
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(history[i], *one);
  }
  VGI_ASSERT_OK_AND_ASSIGN(history, h.store().ListStationHistory(kOp, "STA1", Day("2024-04-09"), Day("2024-04-09")));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].centi_kw[480], 2);
  VGI_ASSERT_OK_AND_ASSIGN(history, h.store().ListStationHistory(kOp, "NOPE", Day("2024-04-01"), Day("2024-04-30")));
  EXPECT_TRUE(history.empty());
}

TEST_P(StoreConformance, StationDaysOnListsOnlyTheGivenDaysThatExistInOrder) {
  VGI_OPEN(h);
  AtNoonOfTheTenth(h);
  VGI_ASSERT_OK(h.store().Commit(PowerBatch({Power("STA1", {Point("2024-04-08 08:00", 1)}),
                                             Power("STA1", {Point("2024-04-09 08:00", 2)}),
                                             Power("STA1", {Point("2024-04-10 08:00", 3)}),
                                             Power("STA2", {Point("2024-04-07 08:00", 9)})})));
  // Any order, a repeat, a day without data, another station's day.
  const std::vector<BeijingDate> asked = {Day("2024-04-10"), Day("2024-04-08"), Day("2024-04-07"), Day("2024-04-10")};
  VGI_ASSERT_OK_AND_ASSIGN(auto days, h.store().ListStationDaysOn(kOp, "STA1", asked));
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].day, Day("2024-04-08"));
  EXPECT_EQ(days[0].centi_kw[480], 1);
  EXPECT_EQ(days[1].day, Day("2024-04-10"));
  EXPECT_EQ(days[1].centi_kw[480], 3);
  VGI_ASSERT_OK_AND_ASSIGN(auto one, h.store().GetStationDay(kOp, "STA1", Day("2024-04-10")));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(days[1], *one);
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ListStationDaysOn(kOp, "STA1", std::vector<BeijingDate>{}));
  EXPECT_TRUE(none.empty());
  std::vector<BeijingDate> too_many;
  for (int i = 0; i <= kMaxDayRange; ++i) too_many.push_back(BeijingDate{Day("2020-01-01").days + i});
  EXPECT_TRUE(HasStatus(h.store().ListStationDaysOn(kOp, "STA1", too_many).status(), StatusCode::kInvalid,
                        "days: at most 1000 in one call, got 1001"));
}

TEST_P(StoreConformance, DayRangesBackwardsOrTooLongAreRefused) {
  VGI_OPEN(h);
  EXPECT_TRUE(HasStatus(h.store().ListOperatorDays(kOp, Day("2024-04-10"), Day("2024-04-09")).status(),
                        StatusCode::kInvalid, "to: 2024-04-09 is before from 2024-04-10"));
  EXPECT_TRUE(HasStatus(h.store().ListStationHistory(kOp, "STA1", Day("2024-04-10"), Day("2024-04-09")).status(),
                        StatusCode::kInvalid, "is before from"));
  const BeijingDate from = Day("2020-01-01");
  const BeijingDate too_far{from.days + kMaxDayRange + 1};
  EXPECT_TRUE(HasStatus(h.store().ListOperatorDays(kOp, from, too_far).status(), StatusCode::kInvalid,
                        "to: at most 1000 days after from (2020-01-01)"));
  EXPECT_TRUE(HasStatus(h.store().ListStationHistory(kOp, "STA1", from, too_far).status(), StatusCode::kInvalid,
                        "at most 1000 days"));
  VGI_ASSERT_OK_AND_ASSIGN(auto longest, h.store().ListOperatorDays(kOp, from, BeijingDate{from.days + kMaxDayRange}));
  EXPECT_TRUE(longest.empty());
}

}  // namespace
}  // namespace vgi::store
