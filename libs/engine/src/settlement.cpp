#include "vgi/engine/settlement.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace vgi::engine {
namespace {

using proto::KilowattHours;
using proto::Yuan;
using proto::YuanPerKwh;
using Wide = __int128;

// num / den rounded half away from zero; den > 0.
std::int64_t RoundDiv(Wide num, Wide den) {
  const bool negative = num < 0;
  const Wide mag = negative ? -num : num;
  const Wide q = (mag * 2 + den) / (den * 2);
  return static_cast<std::int64_t>(negative ? -q : q);
}

// Scales: energy 10^2, price 10^4, money 10^2; basis points 10^4.
constexpr Wide kEnergyTimesPriceToCents = 10000;  // 10^(2+4-2)
constexpr Wide kBp = 10000;                       // 100 % in basis points

Status CheckRules(const SettlementRules& rules) {
  if (rules.price.units() < 0) {
    return Status::Invalid("price " + rules.price.ToString() + " 元/kWh: must be >= 0");
  }
  if (rules.bands.lower_bp < 0 || rules.bands.lower_bp > rules.bands.upper_bp) {
    return Status::Invalid("response bands " + std::to_string(rules.bands.lower_bp) + ".." +
                           std::to_string(rules.bands.upper_bp) +
                           " bp: need 0 <= lower <= upper");
  }
  if (rules.penalty) {
    if (rules.penalty->price.units() < 0) {
      return Status::Invalid("penalty price " + rules.penalty->price.ToString() +
                             " 元/kWh: must be >= 0");
    }
    if (rules.penalty->threshold_bp < 0) {
      return Status::Invalid("penalty threshold " + std::to_string(rules.penalty->threshold_bp) +
                             " bp: must be >= 0");
    }
  }
  return Status::Ok();
}

Result<PeriodSettlement> SettleChecked(const SettlementRules& rules, bool is_force,
                                       const PeriodDelivery& period) {
  if (period.target_energy.units() <= 0) {
    return Status::Invalid("target energy " + period.target_energy.ToString() +
                           " kWh: must be > 0");
  }
  if (period.end < period.start) {
    return Status::Invalid("period end " + proto::FormatMinute(period.end) + ": before its start " +
                           proto::FormatMinute(period.start));
  }
  if (period.price && period.price->units() < 0) {
    return Status::Invalid("period price " + period.price->ToString() + " 元/kWh: must be >= 0");
  }
  PeriodSettlement s;
  s.start = period.start;
  s.end = period.end;
  s.target_energy = period.target_energy;
  s.delivered_energy = period.delivered_energy;
  s.price = period.price.value_or(rules.price);
  const Wide target = period.target_energy.units();
  const Wide delivered = period.delivered_energy.units();
  s.ratio_percent = 100.0 * period.delivered_energy.ToDouble() / period.target_energy.ToDouble();

  // Exact comparisons: delivered / target against bp / 10000.
  if (delivered * kBp < target * rules.bands.lower_bp || delivered <= 0) {
    s.band = Band::kBelow;
  } else if (delivered * kBp <= target * rules.bands.upper_bp) {
    s.band = Band::kPaid;
    s.paid_energy = period.delivered_energy;
  } else {
    s.band = Band::kCapped;
    s.paid_energy =
        KilowattHours::FromUnits(RoundDiv(target * rules.bands.upper_bp, kBp));
  }
  s.payment = Yuan::FromUnits(RoundDiv(static_cast<Wide>(s.paid_energy.units()) * s.price.units(),
                                       kEnergyTimesPriceToCents));

  if (rules.penalty && (is_force || !rules.penalty->forced_only)) {
    // Shortfall in 10^-2 kWh × 10^-4 (bp), kept exact until the one rounding to the cent.
    const Wide shortfall = target * rules.penalty->threshold_bp - delivered * kBp;
    if (shortfall > 0) {
      s.penalty = Yuan::FromUnits(
          RoundDiv(shortfall * rules.penalty->price.units(), kEnergyTimesPriceToCents * 10000));
    }
  }
  s.earnings = s.payment - s.penalty;
  return s;
}

struct Accumulator {
  Statement statement;
  std::set<std::string> regulations;
};

std::vector<Statement> Statements(const std::vector<InstructionSettlement>& settlements,
                                  std::size_t key_length) {
  std::map<std::pair<std::string, std::string>, Accumulator> acc;
  for (const auto& ins : settlements) {
    for (const auto& p : ins.periods) {
      std::string key = proto::FormatDate(proto::DateOf(p.start)).substr(0, key_length);
      auto& a = acc[{ins.operator_id, key}];
      auto& st = a.statement;
      if (st.operator_id.empty()) {
        st.operator_id = ins.operator_id;
        st.period = std::move(key);
      }
      a.regulations.insert(ins.regulation_id);
      st.periods += 1;
      st.target_energy = st.target_energy + p.target_energy;
      st.delivered_energy = st.delivered_energy + p.delivered_energy;
      st.paid_energy = st.paid_energy + p.paid_energy;
      st.payments = st.payments + p.payment;
      st.penalties = st.penalties + p.penalty;
      st.earnings = st.earnings + p.earnings;
    }
  }
  std::vector<Statement> out;
  out.reserve(acc.size());
  for (auto& [key, a] : acc) {
    a.statement.instructions = a.regulations.size();
    out.push_back(std::move(a.statement));
  }
  return out;
}

}  // namespace

KilowattHours EnergyOf(proto::Kilowatts power, std::int64_t minutes) {
  return KilowattHours::FromUnits(RoundDiv(static_cast<Wide>(power.units()) * minutes, 60));
}

Result<PeriodSettlement> SettlePeriod(const SettlementRules& rules, bool is_force,
                                      const PeriodDelivery& period) {
  VGI_RETURN_IF_ERROR(CheckRules(rules));
  return SettleChecked(rules, is_force, period);
}

Result<InstructionSettlement> SettleInstruction(const SettlementRules& rules,
                                                const InstructionDelivery& delivery) {
  VGI_RETURN_IF_ERROR(CheckRules(rules));
  if (delivery.periods.empty() || delivery.periods.size() > proto::kMaxSettlementPoints) {
    return Status::Invalid("instruction '" + delivery.regulation_id + "' periods: need 1.." +
                           std::to_string(proto::kMaxSettlementPoints) + ", got " +
                           std::to_string(delivery.periods.size()));
  }
  InstructionSettlement out;
  out.operator_id = delivery.operator_id;
  out.task_id = delivery.task_id;
  out.regulation_id = delivery.regulation_id;
  out.type = delivery.type;
  out.periods.reserve(delivery.periods.size());
  for (std::size_t i = 0; i < delivery.periods.size(); ++i) {
    const auto& p = delivery.periods[i];
    const std::string where =
        "instruction '" + delivery.regulation_id + "' period " + std::to_string(i);
    if (i > 0 && p.start <= delivery.periods[i - 1].end) {
      return Status::Invalid(where + " start " + proto::FormatMinute(p.start) +
                             ": must come after the previous period's end " +
                             proto::FormatMinute(delivery.periods[i - 1].end));
    }
    auto s = SettleChecked(rules, delivery.is_force, p);
    if (!s.ok()) return s.status().WithPrefix(where);
    out.earnings = out.earnings + s->earnings;
    out.periods.push_back(std::move(*s));
  }
  return out;
}

proto::SettlementPush ToSettlementPush(const InstructionSettlement& settlement) {
  proto::SettlementPush push;
  push.task_id = settlement.task_id;
  push.regulation_id = settlement.regulation_id;
  push.type = settlement.type;
  push.points.reserve(settlement.periods.size());
  for (const auto& p : settlement.periods) {
    proto::SettlementPoint point;
    point.earnings = p.earnings;
    point.price = p.price;
    point.start_time = p.start;
    point.end_time = p.end;
    point.energy = p.delivered_energy;
    push.points.push_back(point);
  }
  return push;
}

std::vector<Statement> DailyStatements(const std::vector<InstructionSettlement>& settlements) {
  return Statements(settlements, 10);  // yyyy-MM-dd
}

std::vector<Statement> MonthlyStatements(const std::vector<InstructionSettlement>& settlements) {
  return Statements(settlements, 7);  // yyyy-MM
}

DividendSplit HunanEvCharging2021() {
  DividendSplit s;
  s.agency_fee = YuanPerKwh::FromUnits(10);  // 1 元/MWh = 0.0010 元/kWh
  s.aggregator_bp = 1500;
  s.operator_bp = 4000;
  return s;
}

Result<DividendShares> SplitDividend(const DividendSplit& split, Yuan dividend,
                                     KilowattHours energy) {
  if (dividend.units() < 0) {
    return Status::Invalid("dividend " + dividend.ToString() + " 元: must be >= 0");
  }
  if (energy.units() < 0) {
    return Status::Invalid("dividend energy " + energy.ToString() + " kWh: must be >= 0");
  }
  if (split.agency_fee.units() < 0) {
    return Status::Invalid("agency fee " + split.agency_fee.ToString() + " 元/kWh: must be >= 0");
  }
  for (int bp : {split.aggregator_bp, split.operator_bp}) {
    if (bp < 0 || bp > 10000) {
      return Status::Invalid("dividend share " + std::to_string(bp) +
                             " bp: must be within 0..10000");
    }
  }
  DividendShares out;
  const std::int64_t agency =
      RoundDiv(static_cast<Wide>(split.agency_fee.units()) * energy.units(),
               kEnergyTimesPriceToCents);
  out.agency = Yuan::FromUnits(std::min(agency, dividend.units()));
  out.aggregator = Yuan::FromUnits(RoundDiv(static_cast<Wide>(dividend.units()) * split.aggregator_bp, 10000));
  if (out.agency + out.aggregator > dividend) out.aggregator = dividend - out.agency;
  const Yuan rest = dividend - out.agency - out.aggregator;
  out.operator_share = Yuan::FromUnits(RoundDiv(static_cast<Wide>(rest.units()) * split.operator_bp, 10000));
  out.end_users = rest - out.operator_share;
  return out;
}

}  // namespace vgi::engine
