// Settlement to the cent; every figure is worked out by hand in the comment beside it.
#include "vgi/engine/settlement.hpp"

#include <gtest/gtest.h>

namespace vgi::engine {
namespace {

using proto::KilowattHours;
using proto::Yuan;
using proto::YuanPerKwh;

KilowattHours Kwh(const char* t) { return *KilowattHours::Parse(t); }
Yuan Cny(const char* t) { return *Yuan::Parse(t); }
YuanPerKwh Price(const char* t) { return *YuanPerKwh::Parse(t); }
proto::BeijingMinute At(const char* t) { return *proto::ParseMinute(t); }

SettlementRules Rules(const char* price) {
  SettlementRules r;
  r.price = Price(price);
  return r;
}

PeriodDelivery Period(const char* target, const char* delivered) {
  PeriodDelivery p;
  p.start = At("2026-11-23 18:00");
  p.end = At("2026-11-23 18:59");
  p.target_energy = Kwh(target);
  p.delivered_energy = Kwh(delivered);
  return p;
}

struct BandCase {
  const char* delivered;
  Band band;
  const char* paid_energy;
  const char* payment;
};

TEST(SettlementTest, ResponseRatioBandEdges) {
  // Target 100.00 kWh at 3.0000 元/kWh; 50 % and 120 % are both inside the paid band.
  const BandCase cases[] = {
      {"49.99", Band::kBelow, "0", "0"},             // 49.99 % → nothing
      {"50.00", Band::kPaid, "50.00", "150.00"},     // exactly 50 % → paid on actual
      {"50.01", Band::kPaid, "50.01", "150.03"},
      {"119.99", Band::kPaid, "119.99", "359.97"},
      {"120.00", Band::kPaid, "120.00", "360.00"},   // exactly 120 % → paid on actual
      {"120.01", Band::kCapped, "120.00", "360.00"}, // above → paid as 120 %
      {"250.00", Band::kCapped, "120.00", "360.00"},
      {"-10.00", Band::kBelow, "0", "0"},
  };
  for (const auto& c : cases) {
    auto s = SettlePeriod(Rules("3"), false, Period("100", c.delivered));
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(s->band, c.band) << c.delivered;
    EXPECT_EQ(s->paid_energy, Kwh(c.paid_energy)) << c.delivered;
    EXPECT_EQ(s->payment, Cny(c.payment)) << c.delivered;
    EXPECT_EQ(s->earnings, Cny(c.payment)) << c.delivered;
    EXPECT_EQ(s->penalty, Cny("0")) << c.delivered;
  }
}

TEST(SettlementTest, RoundsEachLineHalfAwayFromZero) {
  // 77.77 kWh × 0.3333 = 25.920741 → 25.92.
  auto s = SettlePeriod(Rules("0.3333"), false, Period("100", "77.77"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->payment, Cny("25.92"));
  // 0.15 kWh × 0.1000 = 0.015 → 0.02 (half away from zero).
  s = SettlePeriod(Rules("0.1"), false, Period("0.20", "0.15"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->payment, Cny("0.02"));
  // Capped energy 0.05 × 120 % = 0.06 kWh; a period's own price overrides the default.
  auto p = Period("0.05", "1.00");
  p.price = Price("10");
  s = SettlePeriod(Rules("0.1"), false, p);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->paid_energy, Kwh("0.06"));
  EXPECT_EQ(s->price, Price("10"));
  EXPECT_EQ(s->payment, Cny("0.60"));
  EXPECT_NEAR(s->ratio_percent, 2000.0, 1e-9);
}

TEST(SettlementTest, ShortfallPenaltyOnForcedInstructions) {
  auto rules = Rules("3");
  rules.penalty = PenaltyRule{Price("1.5"), 8000, true};
  // 30 % delivered on a forced instruction: nothing paid; shortfall 80 − 30 = 50 kWh × 1.5.
  auto s = SettlePeriod(rules, true, Period("100", "30"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->payment, Cny("0"));
  EXPECT_EQ(s->penalty, Cny("75.00"));
  EXPECT_EQ(s->earnings, Cny("-75.00"));
  // 60 %: paid 60 × 3 = 180.00, penalty (80 − 60) × 1.5 = 30.00 → 150.00.
  s = SettlePeriod(rules, true, Period("100", "60"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->payment, Cny("180.00"));
  EXPECT_EQ(s->penalty, Cny("30.00"));
  EXPECT_EQ(s->earnings, Cny("150.00"));
  // At the threshold exactly: no penalty.
  s = SettlePeriod(rules, true, Period("100", "80"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->penalty, Cny("0"));
  // Not forced: no penalty unless the rule says so.
  s = SettlePeriod(rules, false, Period("100", "30"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->earnings, Cny("0"));
  rules.penalty->forced_only = false;
  s = SettlePeriod(rules, false, Period("100", "30"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->earnings, Cny("-75.00"));
  // The shortfall energy is not rounded first: 0.03 × 50 % = 0.015 kWh × 1.0000 → 0.02.
  rules.penalty = PenaltyRule{Price("1"), 5000, true};
  s = SettlePeriod(rules, true, Period("0.03", "0"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->penalty, Cny("0.02"));
}

TEST(SettlementTest, DividendSplitHunanPreset) {
  // Seed 004 line 659: 100 元/MWh spread on 1 000 kWh = 100.00 元. Agency 1 元/MWh → 1.00;
  // aggregator 15 % of 100 → 15.00; the 84.00 left: operator 40 % → 33.60, end users 50.40.
  auto d = SplitDividend(HunanEvCharging2021(), Cny("100"), Kwh("1000"));
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->agency, Cny("1.00"));
  EXPECT_EQ(d->aggregator, Cny("15.00"));
  EXPECT_EQ(d->operator_share, Cny("33.60"));
  EXPECT_EQ(d->end_users, Cny("50.40"));
  // Rounding: 0.05 元 with no fee: aggregator 0.0075 → 0.01; rest 0.04, operator 0.016 → 0.02,
  // end users take the remaining 0.02 so the shares add up to the dividend.
  d = SplitDividend({YuanPerKwh{}, 1500, 4000}, Cny("0.05"), Kwh("1"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (DividendShares{Cny("0"), Cny("0.01"), Cny("0.02"), Cny("0.02")}));
  // The fee cannot exceed the dividend.
  d = SplitDividend(HunanEvCharging2021(), Cny("0.50"), Kwh("1000"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (DividendShares{Cny("0.50"), Cny("0"), Cny("0"), Cny("0")}));
  d = SplitDividend(HunanEvCharging2021(), Cny("-1"), Kwh("1"));
  EXPECT_EQ(d.status().message(), "dividend -1.00 元: must be >= 0");
}

InstructionDelivery TwoPeriods() {
  InstructionDelivery d;
  d.operator_id = "O1";
  d.task_id = "T1";
  d.regulation_id = "R1";
  d.type = proto::RegulationType::kPeakShaving;
  auto p1 = Period("100", "90");  // 18:00-18:59, 90 % at 2.5000 → 225.00
  auto p2 = Period("100", "130");  // 19:00-19:59, 130 % → 120 × 3.0000 = 360.00
  p2.start = At("2026-11-23 19:00");
  p2.end = At("2026-11-23 19:59");
  p2.price = Price("3");
  d.periods = {p1, p2};
  return d;
}

TEST(SettlementTest, SettlementPushFromTwoPeriodInstruction) {
  auto s = SettleInstruction(Rules("2.5"), TwoPeriods());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->earnings, Cny("585.00"));
  const proto::SettlementPush push = ToSettlementPush(*s);
  EXPECT_EQ(push.task_id, "T1");
  EXPECT_EQ(push.regulation_id, "R1");
  EXPECT_EQ(push.type, proto::RegulationType::kPeakShaving);
  ASSERT_EQ(push.points.size(), 2u);
  EXPECT_EQ(push.points[0].earnings, Cny("225.00"));
  EXPECT_EQ(push.points[0].price, Price("2.5"));
  EXPECT_EQ(push.points[0].start_time, At("2026-11-23 18:00"));
  EXPECT_EQ(push.points[0].end_time, At("2026-11-23 18:59"));
  EXPECT_EQ(push.points[0].energy, Kwh("90"));
  EXPECT_EQ(push.points[1].earnings, Cny("360.00"));
  EXPECT_EQ(push.points[1].price, Price("3"));
  EXPECT_EQ(push.points[1].start_time, At("2026-11-23 19:00"));
  EXPECT_EQ(push.points[1].end_time, At("2026-11-23 19:59"));
  EXPECT_EQ(push.points[1].energy, Kwh("130"));
}

TEST(SettlementTest, RejectsBadPeriods) {
  auto d = TwoPeriods();
  d.periods[1].start = At("2026-11-23 18:59");
  auto s = SettleInstruction(Rules("2.5"), d);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(s.status().message(),
            "instruction 'R1' period 1 start 2026-11-23 18:59: must come after the previous "
            "period's end 2026-11-23 18:59");
  d = TwoPeriods();
  d.periods[0].target_energy = Kwh("0");
  s = SettleInstruction(Rules("2.5"), d);
  EXPECT_EQ(s.status().message(),
            "instruction 'R1' period 0: target energy 0.00 kWh: must be > 0");
  d.periods.clear();
  s = SettleInstruction(Rules("2.5"), d);
  EXPECT_EQ(s.status().message(), "instruction 'R1' periods: need 1..1440, got 0");
  auto rules = Rules("2.5");
  rules.bands = {13000, 12000};
  EXPECT_EQ(SettlePeriod(rules, false, Period("1", "1")).status().message(),
            "response bands 13000..12000 bp: need 0 <= lower <= upper");
}

TEST(SettlementTest, EnergyOfPowerOverMinutes) {
  EXPECT_EQ(EnergyOf(*proto::Kilowatts::Parse("100"), 240), Kwh("400"));
  EXPECT_EQ(EnergyOf(*proto::Kilowatts::Parse("10"), 1), Kwh("0.17"));    // 0.1667
  EXPECT_EQ(EnergyOf(*proto::Kilowatts::Parse("0.01"), 30), Kwh("0.01"));  // 0.005 → 0.01
}

TEST(SettlementTest, DailyAndMonthlyStatements) {
  auto r1 = SettleInstruction(Rules("2.5"), TwoPeriods());  // O1, 2026-11-23: 585.00
  InstructionDelivery d2;  // O1, 2026-12-01: 60 kWh × 2.5 = 150.00
  d2.operator_id = "O1";
  d2.task_id = "T2";
  d2.regulation_id = "R2";
  d2.periods = {Period("100", "60")};
  d2.periods[0].start = At("2026-12-01 00:00");
  d2.periods[0].end = At("2026-12-01 00:59");
  auto r2 = SettleInstruction(Rules("2.5"), d2);
  InstructionDelivery d3;  // O0, 2026-11-23: 50 × 2.5 = 125.00
  d3.operator_id = "O0";
  d3.task_id = "T1";
  d3.regulation_id = "R3";
  d3.periods = {Period("50", "50")};
  auto r3 = SettleInstruction(Rules("2.5"), d3);
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  const std::vector<InstructionSettlement> all{*r1, *r2, *r3};

  auto daily = DailyStatements(all);
  ASSERT_EQ(daily.size(), 3u);
  EXPECT_EQ(daily[0].operator_id, "O0");
  EXPECT_EQ(daily[0].period, "2026-11-23");
  EXPECT_EQ(daily[0].earnings, Cny("125.00"));
  EXPECT_EQ(daily[1].operator_id, "O1");
  EXPECT_EQ(daily[1].period, "2026-11-23");
  EXPECT_EQ(daily[1].instructions, 1u);
  EXPECT_EQ(daily[1].periods, 2u);
  EXPECT_EQ(daily[1].target_energy, Kwh("200"));
  EXPECT_EQ(daily[1].delivered_energy, Kwh("220"));
  EXPECT_EQ(daily[1].paid_energy, Kwh("210"));
  EXPECT_EQ(daily[1].payments, Cny("585.00"));
  EXPECT_EQ(daily[1].earnings, Cny("585.00"));
  EXPECT_EQ(daily[2].period, "2026-12-01");
  EXPECT_EQ(daily[2].earnings, Cny("150.00"));

  auto monthly = MonthlyStatements(all);
  ASSERT_EQ(monthly.size(), 3u);
  EXPECT_EQ(monthly[1].period, "2026-11");
  EXPECT_EQ(monthly[1].earnings, Cny("585.00"));
  EXPECT_EQ(monthly[2].period, "2026-12");
  EXPECT_EQ(monthly[2].earnings, Cny("150.00"));
  // Two instructions in one month are counted once each.
  auto same_month = all;
  same_month[1].periods[0].start = At("2026-11-30 23:00");
  monthly = MonthlyStatements(same_month);
  ASSERT_EQ(monthly.size(), 2u);
  EXPECT_EQ(monthly[1].instructions, 2u);
  EXPECT_EQ(monthly[1].periods, 3u);
  EXPECT_EQ(monthly[1].earnings, Cny("735.00"));
}

}  // namespace
}  // namespace vgi::engine
