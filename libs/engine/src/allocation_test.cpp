// Hand-computed allocation cases; every figure below is worked out in the comment beside it.
#include "vgi/engine/allocation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

namespace vgi::engine {
namespace {

using proto::Kilowatts;

Kilowatts Kw(const char* text) { return *Kilowatts::Parse(text); }

// Built by aggregate initialisation: GCC 12 -Wrestrict misfires on string = const char*.
Participant Op(const char* id, const char* potential) {
  return Participant{ParticipantKind::kOperator, id, id, Kw(potential), std::nullopt};
}

Participant Station(const char* id, const char* op, const char* potential) {
  return Participant{ParticipantKind::kStation, id, op, Kw(potential), std::nullopt};
}

AllocationRequest Request(const char* target, int margin_bp, std::vector<Participant> ps) {
  AllocationRequest r;
  r.target = Kw(target);
  r.reserve_margin_bp = margin_bp;
  r.participants = std::move(ps);
  return r;
}

std::vector<std::string> Allocated(const Allocation& a) {
  std::vector<std::string> out;
  for (const auto& item : a.items) out.push_back(item.id + "=" + item.allocated.ToString());
  return out;
}

using Strings = std::vector<std::string>;

TEST(AllocationTest, ProportionalSplit) {
  // 300 over potentials 100/200/300 (usable 90/180/270 after 10 %): 300 × p / 600.
  auto a = Allocate(Request("300", 1000, {Op("A", "100"), Op("B", "200"), Op("C", "300")}));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(Allocated(*a), (Strings{"A=50.00", "B=100.00", "C=150.00"}));
  EXPECT_EQ(a->covered, Kw("300"));
  EXPECT_EQ(a->uncovered, Kw("0"));
  EXPECT_EQ(a->items[1].explanation.usable, Kw("180"));
  EXPECT_EQ(a->items[1].explanation.cap, CapReason::kNone);
  EXPECT_NEAR(a->items[1].explanation.share_percent, 33.333333, 1e-5);
  EXPECT_EQ(ExplainText(a->items[1], a->covered),
            "B: potential 200.00 kW, usable 180.00 kW after 10.00% reserve, allocated 100.00 kW "
            "(33.33% of 300.00 kW)");
}

TEST(AllocationTest, CapsAreReSpreadOverTheOthers) {
  // 200 over 100 (limit 20) / 100 / 200: A would get 50 → capped at 20; the remaining 180 goes
  // 100:200 → 60 / 120.
  auto ps = std::vector<Participant>{Op("A", "100"), Op("B", "100"), Op("C", "200")};
  ps[0].limit = Kw("20");
  auto a = Allocate(Request("200", 0, ps));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=20.00", "B=60.00", "C=120.00"}));
  EXPECT_EQ(a->items[0].explanation.cap, CapReason::kLimit);
  EXPECT_EQ(a->items[1].explanation.cap, CapReason::kNone);
  EXPECT_EQ(ExplainText(a->items[0], a->covered),
            "A: potential 100.00 kW, usable 20.00 kW after 0.00% reserve, allocated 20.00 kW "
            "(10.00% of 200.00 kW), capped at its limit");

  // Cascade: 250 over A 100 (limit 10), B 100 (limit 40), C 200. A capped (10), then 240 over
  // B:C = 100:200 gives B 80 > 40 → capped, then C takes 200 = its usable: all capped.
  ps = {Op("A", "100"), Op("B", "100"), Op("C", "200")};
  ps[0].limit = Kw("10");
  ps[1].limit = Kw("40");
  a = Allocate(Request("250", 0, ps));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=10.00", "B=40.00", "C=200.00"}));
  EXPECT_EQ(a->items[2].explanation.cap, CapReason::kUsablePotential);
  EXPECT_EQ(a->uncovered, Kw("0"));
}

TEST(AllocationTest, EqualPotentialGetsEqualShare) {
  auto a = Allocate(Request("100", 1000, {Op("D", "50"), Op("B", "50"), Op("A", "50"),
                                          Op("C", "50")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"D=25.00", "B=25.00", "A=25.00", "C=25.00"}));
}

TEST(AllocationTest, RemainderCentsGoToLargestRemainderThenIdOrder) {
  // 1.00 kW = 100 centi-kW over three equal: 33 each, 1 left; equal remainders → smallest ID.
  auto a = Allocate(Request("1", 0, {Op("B", "10"), Op("A", "10"), Op("C", "10")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"B=0.33", "A=0.34", "C=0.33"}));

  // 5 centi-kW over three equal: 1.667 each → 1 each, 2 left → A and B.
  a = Allocate(Request("0.05", 0, {Op("C", "1"), Op("B", "1"), Op("A", "1")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"C=0.01", "B=0.02", "A=0.02"}));

  // 7 centi-kW over 3:2:1 → 3.5 / 2.333 / 1.167 → 3/2/1, the 1 left goes to the largest
  // remainder (0.5, "c") even though "a" and "b" come first in ID order.
  a = Allocate(Request("0.07", 0, {Op("a", "1"), Op("b", "2"), Op("c", "3")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"a=0.01", "b=0.02", "c=0.04"}));
  EXPECT_EQ(a->covered, Kw("0.07"));
}

TEST(AllocationTest, UncoveredRemainderWhenPotentialFallsShort) {
  auto a = Allocate(Request("100", 0, {Op("A", "50"), Op("B", "30")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=50.00", "B=30.00"}));
  EXPECT_EQ(a->covered, Kw("80"));
  EXPECT_EQ(a->uncovered, Kw("20"));
  EXPECT_EQ(a->items[0].explanation.cap, CapReason::kUsablePotential);
}

TEST(AllocationTest, ReserveMarginIsKeptBack) {
  // 10 % of 100 kept back: usable 90 each, 180 < 190 → 10.00 uncovered.
  auto a = Allocate(Request("190", 1000, {Op("A", "100"), Op("B", "100")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=90.00", "B=90.00"}));
  EXPECT_EQ(a->uncovered, Kw("10"));
  EXPECT_EQ(ExplainText(a->items[0], a->covered),
            "A: potential 100.00 kW, usable 90.00 kW after 10.00% reserve, allocated 90.00 kW "
            "(50.00% of 180.00 kW), capped at usable potential");
  // Usable is floored to the centi-kW: 33.33 × 0.85 = 28.3305 → 28.33.
  a = Allocate(Request("1000", 1500, {Op("A", "33.33")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->items[0].allocated, Kw("28.33"));
  EXPECT_EQ(a->uncovered, Kw("971.67"));
}

TEST(AllocationTest, ZeroAndNegativePotentialGetNothing) {
  auto a = Allocate(Request("50", 0, {Op("A", "0"), Op("B", "-5"), Op("C", "100")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=0.00", "B=0.00", "C=50.00"}));
  EXPECT_EQ(a->items[1].explanation.potential, Kw("0"));
  EXPECT_EQ(a->items[1].explanation.cap, CapReason::kNone);

  a = Allocate(Request("10", 0, {Op("A", "0")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->covered, Kw("0"));
  EXPECT_EQ(a->uncovered, Kw("10"));
  EXPECT_EQ(a->items[0].explanation.share_percent, 0.0);

  a = Allocate(Request("10", 0, {}));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->items.empty());
  EXPECT_EQ(a->uncovered, Kw("10"));
}

TEST(AllocationTest, OneParticipant) {
  auto a = Allocate(Request("50", 1000, {Op("A", "80")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=50.00"}));
  EXPECT_EQ(a->items[0].explanation.share_percent, 100.0);
  a = Allocate(Request("100", 1000, {Op("A", "80")}));  // usable 72
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Allocated(*a), (Strings{"A=72.00"}));
  EXPECT_EQ(a->uncovered, Kw("28"));
}

TEST(AllocationTest, RejectsInvalidRequests) {
  auto a = Allocate(Request("10", 0, {Op("A", "1"), Op("A", "2")}));
  EXPECT_EQ(a.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(a.status().message(),
            "participant id 'A': appears twice; each participant must be listed once");
  a = Allocate(Request("-1", 0, {}));
  EXPECT_EQ(a.status().message(), "target -1.00 kW: must be >= 0");
  a = Allocate(Request("1", 10001, {}));
  EXPECT_EQ(a.status().message(), "reserve margin 10001 bp: must be within 0..10000 (0 % .. 100 %)");
  a = Allocate(Request("1", 0, {Op("", "1")}));
  EXPECT_EQ(a.status().message(), "participant id: must not be empty");
}

TEST(AllocationTest, RangeTypeAndPotential) {
  EXPECT_EQ(RangeTypeFor(ParticipantKind::kOperator), proto::RangeType::kOperator);
  EXPECT_EQ(static_cast<int>(RangeTypeFor(ParticipantKind::kOperator)), 3);
  EXPECT_EQ(static_cast<int>(RangeTypeFor(ParticipantKind::kStation)), 4);
  EXPECT_EQ(static_cast<int>(RangeTypeFor(ParticipantKind::kStake)), 5);
  // current 100, bottom 30, top 150: down 70, up 50; outside the range → 0.
  EXPECT_EQ(PotentialOf(proto::RegulationType::kPeakShaving, Kw("100"), Kw("30"), Kw("150")),
            Kw("70"));
  EXPECT_EQ(PotentialOf(proto::RegulationType::kValleyFilling, Kw("100"), Kw("30"), Kw("150")),
            Kw("50"));
  EXPECT_EQ(PotentialOf(proto::RegulationType::kPeakShaving, Kw("20"), Kw("30"), Kw("150")),
            Kw("0"));
  EXPECT_EQ(PotentialOf(proto::RegulationType::kValleyFilling, Kw("160"), Kw("30"), Kw("150")),
            Kw("0"));
}

TEST(AllocationTest, GroupedFirstOverOperatorsThenOverStations) {
  // 1.01 kW: operators O1 (100+100) and O2 (200) get 50.5 each → 0.50 / 0.50, the cent left
  // goes to "O1" (equal remainders, ID order). O1's 0.51 over S1:S2 = 1:1 → 0.26 / 0.25.
  auto g = AllocateGrouped(Request("1.01", 0, {Station("S2", "O1", "100"),
                                               Station("S3", "O2", "200"),
                                               Station("S1", "O1", "100")}));
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ(Allocated(g->operators), (Strings{"O1=0.51", "O2=0.50"}));
  EXPECT_EQ(Allocated(g->members), (Strings{"S2=0.25", "S3=0.50", "S1=0.26"}));
  EXPECT_EQ(g->members.covered, Kw("1.01"));
  EXPECT_EQ(g->members.items[1].kind, ParticipantKind::kStation);
  EXPECT_EQ(g->members.items[1].operator_id, "O2");

  // An operator's cap is the sum of its stations' usable values (10 % margin): O1 18, O2 90.
  auto ps = std::vector<Participant>{Station("S1", "O1", "100"), Station("S2", "O1", "100"),
                                     Station("S3", "O2", "100")};
  ps[0].limit = Kw("9");
  ps[1].limit = Kw("9");
  g = AllocateGrouped(Request("100", 1000, ps));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(Allocated(g->operators), (Strings{"O1=18.00", "O2=82.00"}));
  EXPECT_EQ(g->operators.items[0].explanation.cap, CapReason::kLimit);
  EXPECT_EQ(Allocated(g->members), (Strings{"S1=9.00", "S2=9.00", "S3=82.00"}));

  // Members' floors can sum below the operator's own: 2 × floor(33.33 × 0.9 = 29.997) = 59.98
  // < floor(66.66 × 0.9) = 59.99. That is rounding, not a limit.
  g = AllocateGrouped(Request("100", 1000, {Station("S1", "O1", "33.33"),
                                            Station("S2", "O1", "33.33")}));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(Allocated(g->operators), (Strings{"O1=59.98"}));
  EXPECT_EQ(g->operators.items[0].explanation.cap, CapReason::kUsablePotential);
  EXPECT_EQ(g->operators.uncovered, Kw("40.02"));
  EXPECT_EQ(Allocated(g->members), (Strings{"S1=29.99", "S2=29.99"}));

  auto bad = AllocateGrouped(Request("1", 0, {Station("S1", "", "1")}));
  EXPECT_EQ(bad.status().message(), "participant 'S1' operator_id: must not be empty");
}

TEST(AllocationTest, RedispatchAfterRejectionAndPartialAcceptance) {
  // 250 over A 100, B 100, C 200, D 100 (margin 0): 50 / 50 / 100 / 50.
  auto a = Allocate(Request("250", 0, {Op("A", "100"), Op("B", "100"), Op("C", "200"),
                                       Op("D", "100")}));
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(Allocated(*a), (Strings{"A=50.00", "B=50.00", "C=100.00", "D=50.00"}));

  // A rejects (50 short), B accepts 20 of 50 (30 short), C accepts, D has not answered yet.
  std::vector<ParticipantResponse> answers{{"A", Acceptance::kRejected, {}},
                                           {"B", Acceptance::kPartial, Kw("20")},
                                           {"C", Acceptance::kFull, {}}};
  auto r = RedispatchShortfall(*a, answers);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->shortfall, Kw("80"));
  // 80 over remaining C 100, D 50: 53.333 / 26.667 → 53.33 / 26.66, the cent to D (0.67).
  EXPECT_EQ(Allocated(r->allocation), (Strings{"C=53.33", "D=26.67"}));
  EXPECT_EQ(r->allocation.uncovered, Kw("0"));

  // Offering B its remaining 80 too: 80 × (100, 50, 80) / 230 = 34.78, 17.39, 27.826 → 27.83.
  r = RedispatchShortfall(*a, answers, {.retry_partial = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Allocated(r->allocation), (Strings{"B=27.83", "C=34.78", "D=17.39"}));

  // Not enough left: 150 over 100/100 → 75 / 75; A rejects, B has 25 left → 50 uncovered.
  a = Allocate(Request("150", 0, {Op("A", "100"), Op("B", "100")}));
  ASSERT_TRUE(a.ok());
  r = RedispatchShortfall(*a, {{"A", Acceptance::kRejected, {}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->shortfall, Kw("75"));
  EXPECT_EQ(Allocated(r->allocation), (Strings{"B=25.00"}));
  EXPECT_EQ(r->allocation.uncovered, Kw("50"));

  r = RedispatchShortfall(*a, {{"B", Acceptance::kPartial, Kw("75.01")}});
  EXPECT_EQ(r.status().message(), "response for 'B' accepted 75.01 kW: must be within 0..75.00 kW");
  r = RedispatchShortfall(*a, {{"X", Acceptance::kRejected, {}}});
  EXPECT_EQ(r.status().message(), "response for 'X': not a participant of the allocation");
}

TEST(AllocationTest, InvariantsHoldOnSeededRandomInputs) {
  // Fixed-seed inputs: sums are exact, nobody exceeds its usable value, the uncapped ones are
  // within one centi-kW of their exact proportional share, and each operator's members add up
  // to the operator's allocation.
  std::uint64_t state = 42;
  auto next = [&state](std::uint64_t mod) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((state >> 33) % mod);
  };
  for (int round = 0; round < 200; ++round) {
    AllocationRequest r;
    r.reserve_margin_bp = static_cast<int>(next(3000));
    r.target = Kilowatts::FromUnits(next(200000));
    const int n = 1 + static_cast<int>(next(40));
    for (int i = 0; i < n; ++i) {
      Participant p{ParticipantKind::kStation, std::string{'S', static_cast<char>('A' + i)},
                    std::string{'O', static_cast<char>('a' + next(4))},
                    Kilowatts::FromUnits(next(20000) - 1000), std::nullopt};
      if (next(5) == 0) p.limit = Kilowatts::FromUnits(next(5000));
      r.participants.push_back(std::move(p));
    }
    auto a = Allocate(r);
    ASSERT_TRUE(a.ok()) << a.status().message();
    std::int64_t sum = 0, usable = 0;
    for (const auto& item : a->items) {
      EXPECT_GE(item.allocated.units(), 0);
      EXPECT_LE(item.allocated, item.explanation.usable);
      sum += item.allocated.units();
      usable += item.explanation.usable.units();
    }
    EXPECT_EQ(sum, std::min(r.target.units(), usable));
    EXPECT_EQ(a->covered.units(), sum);
    EXPECT_EQ(a->uncovered.units(), r.target.units() - sum);
    // Uncapped ones share one level (their total over their total potential): each is within
    // one centi-kW of level × potential.
    double given = 0, weight = 0;
    for (const auto& item : a->items) {
      if (item.explanation.cap != CapReason::kNone) continue;
      given += item.allocated.ToDouble();
      weight += item.explanation.potential.ToDouble();
    }
    for (const auto& item : a->items) {
      if (item.explanation.cap != CapReason::kNone || weight == 0) continue;
      EXPECT_NEAR(item.allocated.ToDouble(), given / weight * item.explanation.potential.ToDouble(),
                  0.0101);
    }

    auto g = AllocateGrouped(r);
    ASSERT_TRUE(g.ok()) << g.status().message();
    EXPECT_EQ(g->operators.covered, a->covered);
    for (const auto& op : g->operators.items) {
      std::int64_t members = 0;
      for (const auto& m : g->members.items) {
        if (m.operator_id == op.id) members += m.allocated.units();
      }
      EXPECT_EQ(members, op.allocated.units()) << op.id;
    }
  }
}

}  // namespace
}  // namespace vgi::engine
