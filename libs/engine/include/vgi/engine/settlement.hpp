#pragma once
// Settlement of delivered response (issue 5, "Settlement"): per operator, per instruction, per
// settlement period (an hour, a window — whatever periods the caller cuts), with the market's
// rules as configuration; the exchange_inviteplan_push Data for an instruction; statements per
// operator per day and per month; the dividend pass-through split.
//
// Pure functions: no I/O, no clock, no store; thread-safe; results owned by the caller.
// Money and energy are exact decimals (Yuan, KilowattHours, YuanPerKwh); ratios as doubles only
// in fields meant for people.
//
// Rounding: every money line (a payment, a penalty, a dividend share) is computed exactly and
// rounded to the cent half away from zero on its own; totals are sums of rounded lines, so
// a statement adds up to the cent with the points pushed to the operator.
//
// Response-ratio bands, ratio = delivered / target energy of the period, compared exactly:
//   ratio <  lower (default 50 %)                → nothing paid ("below")
//   lower <= ratio <= upper (default 120 %)      → paid on delivered energy ("paid")
//   ratio >  upper                               → paid as if ratio == upper ("capped")
// i.e. exactly 50 % is paid and exactly 120 % is paid on actual (both edges inclusive in the
// paid band). The capped energy is target × upper, rounded to 0.01 kWh half away from zero.

#include <optional>
#include <string>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/settlement.hpp"
#include "vgi/proto/task.hpp"

namespace vgi::engine {

struct ResponseBands {
  int lower_bp = 5000;   // 50 %: below this nothing is paid
  int upper_bp = 12000;  // 120 %: above this pay is capped at this ratio
};

// Shortfall penalty: when delivered < target × threshold, the operator pays
// price × (target × threshold − delivered). By default only on forced (isForce) instructions.
struct PenaltyRule {
  proto::YuanPerKwh price;
  int threshold_bp = 5000;
  bool forced_only = true;
};

struct SettlementRules {
  proto::YuanPerKwh price;  // default price of a period; a period may bring its own
  ResponseBands bands;
  std::optional<PenaltyRule> penalty;
};

// The measured outcome of one settlement period. start/end follow AdjustTarget: end is the
// period's last minute (inclusive).
struct PeriodDelivery {
  proto::BeijingMinute start;
  proto::BeijingMinute end;
  proto::KilowattHours target_energy;     // > 0: the target kW over the period
  proto::KilowattHours delivered_energy;  // baseline − actual (or actual − baseline); may be < 0
  std::optional<proto::YuanPerKwh> price;  // overrides SettlementRules::price
};

// Energy of a constant power over `minutes`: kW × minutes / 60, rounded to 0.01 kWh half away
// from zero (e.g. a 240-minute window target of 100.00 kW is 400.00 kWh).
proto::KilowattHours EnergyOf(proto::Kilowatts power, std::int64_t minutes);

enum class Band { kBelow, kPaid, kCapped };

struct PeriodSettlement {
  proto::BeijingMinute start;
  proto::BeijingMinute end;
  proto::KilowattHours target_energy;
  proto::KilowattHours delivered_energy;
  proto::KilowattHours paid_energy;  // 0, delivered, or target × upper
  proto::YuanPerKwh price;
  Band band = Band::kBelow;
  double ratio_percent = 0;          // delivered / target × 100, for people
  proto::Yuan payment;               // paid_energy × price, to the cent
  proto::Yuan penalty;               // >= 0, to the cent; subtracted from the payment
  proto::Yuan earnings;              // payment − penalty (may be negative)
};

// Invalid when target_energy <= 0, end < start, a price is negative, or the bands/penalty are
// out of range (0 <= lower <= upper, threshold >= 0).
Result<PeriodSettlement> SettlePeriod(const SettlementRules& rules, bool is_force,
                                      const PeriodDelivery& period);

struct InstructionDelivery {
  std::string operator_id;
  std::string task_id;
  std::string regulation_id;
  proto::RegulationType type = proto::RegulationType::kPeakShaving;
  bool is_force = false;
  std::vector<PeriodDelivery> periods;  // in time order, not overlapping
};

struct InstructionSettlement {
  std::string operator_id;
  std::string task_id;
  std::string regulation_id;
  proto::RegulationType type = proto::RegulationType::kPeakShaving;
  std::vector<PeriodSettlement> periods;
  proto::Yuan earnings;  // Σ period earnings
};

// Invalid as SettlePeriod (prefixed with the period's index), and when periods is empty, more
// than proto::kMaxSettlementPoints, out of time order or overlapping.
Result<InstructionSettlement> SettleInstruction(const SettlementRules& rules,
                                                const InstructionDelivery& delivery);

// exchange_inviteplan_push Data: one point per period with earnings, price, start, end and the
// delivered energy (the measured response; earnings / price show what was paid for).
proto::SettlementPush ToSettlementPush(const InstructionSettlement& settlement);

// Sums per operator and calendar day (of each period's start, Beijing) or month.
struct Statement {
  std::string operator_id;
  std::string period;  // "yyyy-MM-dd" (daily) or "yyyy-MM" (monthly)
  std::size_t instructions = 0;  // distinct regulation IDs with a period in it
  std::size_t periods = 0;
  proto::KilowattHours target_energy;
  proto::KilowattHours delivered_energy;
  proto::KilowattHours paid_energy;
  proto::Yuan payments;
  proto::Yuan penalties;
  proto::Yuan earnings;  // payments − penalties
  friend bool operator==(const Statement&, const Statement&) = default;
};

// Sorted by operator ID, then period.
std::vector<Statement> DailyStatements(const std::vector<InstructionSettlement>& settlements);
std::vector<Statement> MonthlyStatements(const std::vector<InstructionSettlement>& settlements);

// Dividend pass-through: how a dividend (e.g. the price gain a market trade brought) is shared.
//   agency     = agency_fee × energy (capped at the dividend), to the cent
//   aggregator = dividend × aggregator_bp / 10000, to the cent (share of the whole dividend)
//   operator   = (dividend − agency − aggregator) × operator_bp / 10000, to the cent
//   end users  = the rest, so the four add up to the dividend exactly.
struct DividendSplit {
  proto::YuanPerKwh agency_fee;  // the retail company's (售电公司) fee per kWh
  int aggregator_bp = 0;         // of the whole dividend
  int operator_bp = 0;           // of what remains after agency and aggregator
};

struct DividendShares {
  proto::Yuan agency;
  proto::Yuan aggregator;
  proto::Yuan operator_share;
  proto::Yuan end_users;
  friend bool operator==(const DividendShares&, const DividendShares&) = default;
};

// Seed 004 line 659 (湖南 2021 EV charging consumption trade): 1 元/MWh agency fee
// (0.0010 元/kWh), aggregator 15 % of the dividend, then operator 40 % / end users 60 %.
// The seed's worked example ("35 元/MWh 和 50 元/MWh" on a 100 元/MWh spread) does not add up
// with its own 1 + 15 (1 + 15 + 35 + 50 = 101); the preset follows the stated percentages, which
// give 1 / 15 / 33.6 / 50.4 元/MWh.
DividendSplit HunanEvCharging2021();

// Invalid when dividend < 0, energy < 0, agency_fee < 0, or a share is outside 0..10000.
Result<DividendShares> SplitDividend(const DividendSplit& split, proto::Yuan dividend,
                                     proto::KilowattHours energy);

}  // namespace vgi::engine
