// The Regulator's execution stage: start, the live shortfall watch, measurement against the
// baseline after the last window, settlement and its push.
#include <algorithm>
#include <map>
#include <set>

#include "regulator_impl.hpp"
#include "vgi/engine/outbox_commands.hpp"
#include "vgi/engine/response.hpp"

namespace vgi::engine {
namespace {

constexpr std::chrono::minutes kMeasureRetry{10};
// Calendar days searched for similar-day history (high 5 of 10 needs 10 same-kind days).
constexpr int kMaxHistoryDays = 28;

// The operator's measured stations summed over one day; a minute counts as present only when
// every station that reported that day has it.
struct Aggregate {
  proto::BeijingDate day;
  std::vector<std::int32_t> centi_kw = std::vector<std::int32_t>(kSlotsPerDay, 0);
  PresentBits present;
  bool any = false;
};

Result<Aggregate> LoadAggregate(store::Store& store, const std::string& op, const std::vector<std::string>& stations,
                                proto::BeijingDate day) {
  auto days = store.ListStationDays(op, day);
  if (!days.ok()) return days.status();
  const std::set<std::string> only(stations.begin(), stations.end());
  Aggregate a;
  a.day = day;
  a.present.set();
  std::vector<std::int64_t> sum(kSlotsPerDay, 0);
  for (const auto& sd : *days) {
    if (!only.empty() && !only.contains(sd.station_code)) continue;
    a.any = true;
    for (int m = 0; m < kSlotsPerDay; ++m) sum[m] += sd.centi_kw[m];
    a.present &= sd.present;
  }
  if (!a.any) a.present.reset();
  for (int m = 0; m < kSlotsPerDay; ++m) a.centi_kw[m] = static_cast<std::int32_t>(sum[m]);
  return a;
}

std::vector<proto::AdjustTarget> Active(const std::vector<proto::AdjustTarget>& accepted) {
  std::vector<proto::AdjustTarget> out;
  for (const auto& t : accepted) {
    if (t.target_power.units() > 0) out.push_back(t);
  }
  return out;
}

MinuteWindow DayWindowOf(const proto::AdjustTarget& w) {
  return {proto::MinuteOfDay(w.start_time), proto::MinuteOfDay(w.end_time) + 1};
}

Direction DirectionOf(proto::RegulationType t) {
  return t == proto::RegulationType::kValleyFilling ? Direction::kValleyFilling : Direction::kPeakShaving;
}

}  // namespace

namespace {

// The live watch: minute by minute during a window, the operator's response against the average
// of its load before the window (the same-day reference: the full baseline needs the event's end);
// a run of `shortfall_minutes` below `shortfall_share_percent` of the target raises the alarm.
Status Watch(Regulator::Impl& impl, Loaded& d, StepOut& out, Reg& r, proto::BeijingMinute now) {
  const auto& cfg = impl.config;
  if (cfg.shortfall_minutes <= 0) return Status::Ok();
  const proto::BeijingMinute last_complete{now.minutes - 1};
  if (r.doc.checked_through >= last_complete.minutes) return Status::Ok();
  for (const auto& w : Active(r.doc.accepted)) {
    if (w.start_time > last_complete || w.end_time.minutes <= r.doc.checked_through) continue;
    const auto day = proto::DateOf(w.start_time);
    auto agg = LoadAggregate(impl.store, r.row.operator_id, r.doc.stations, day);
    if (!agg.ok()) return agg.status();
    const int begin = proto::MinuteOfDay(w.start_time);
    std::int64_t ref_sum = 0;
    int ref_n = 0;
    for (int m = std::max(0, begin - cfg.baseline.before_minutes); m < begin; ++m) {
      if (agg->present.test(m)) {
        ref_sum += agg->centi_kw[m];
        ++ref_n;
      }
    }
    if (ref_n == 0) continue;  // no reference: nothing to judge by
    const std::int64_t reference = RoundHalfAwayFromZero(ref_sum, ref_n);
    const std::int64_t target = w.target_power.units();
    std::int64_t m = std::max(r.doc.checked_through + 1, w.start_time.minutes);
    const std::int64_t through = std::min(last_complete.minutes, w.end_time.minutes);
    for (; m <= through; ++m) {
      const int slot = static_cast<int>(m - proto::StartOf(day).minutes);
      // A minute not reported yet is judged once it is 3 minutes old (then it counts as missing).
      if (!agg->present.test(slot) && m > now.minutes - 3) break;
      const std::int64_t actual = agg->centi_kw[slot];
      const std::int64_t response = !agg->present.test(slot) ? 0
                                    : DirectionOf(r.doc.type) == Direction::kPeakShaving ? reference - actual
                                                                                         : actual - reference;
      if (response * 100 < static_cast<std::int64_t>(cfg.shortfall_share_percent) * target) {
        if (++r.doc.below_run >= cfg.shortfall_minutes && !r.doc.shortfall_alarmed) {
          r.doc.shortfall_alarmed = true;
          const std::string detail = r.row.operator_id + " " + r.row.regulation_id + ": below " +
                                     std::to_string(cfg.shortfall_share_percent) + " % of its " + w.target_power.ToString() +
                                     " kW target for " + std::to_string(r.doc.below_run) + " minutes up to " +
                                     proto::FormatMinute(proto::BeijingMinute{m}) + " (response " +
                                     proto::Kilowatts::FromUnits(response).ToString() + " kW" +
                                     (agg->present.test(slot) ? "" : ", no data") + ")";
          out.alarms.push_back(impl.Alarm("execution.shortfall", r.row.operator_id + "/" + r.row.regulation_id,
                                          store::AlarmLevel::kWarning, "operator below its target", detail));
          impl.Event(d, detail);
        }
      } else {
        r.doc.below_run = 0;
      }
      r.doc.checked_through = m;
      r.dirty = true;
    }
  }
  return Status::Ok();
}

// Baseline, response and settlement of one instruction after its last window.
Status Measure(Regulator::Impl& impl, Loaded& d, StepOut& out, Reg& r) {
  const auto& cfg = impl.config;
  const std::string& op = r.row.operator_id;
  const auto windows = Active(r.doc.accepted);
  // Days this operator had settled events are not baseline history.
  store::SettlementFilter sf;
  sf.operator_id = op;
  auto settled = impl.store.ListSettlements(sf);
  if (!settled.ok()) return settled.status();
  std::set<std::int32_t> event_days;
  for (const auto& s : *settled) event_days.insert(s.day.days);

  std::map<std::int32_t, Aggregate> cache;
  auto day_of = [&](proto::BeijingDate day) -> Result<const Aggregate*> {
    auto it = cache.find(day.days);
    if (it == cache.end()) {
      auto a = LoadAggregate(impl.store, op, r.doc.stations, day);
      if (!a.ok()) return a.status();
      it = cache.emplace(day.days, std::move(*a)).first;
    }
    return &it->second;
  };
  InstructionDelivery delivery{op, r.row.task_id, r.row.regulation_id, r.doc.type, r.doc.is_force, {}};
  std::vector<InstructionView::Measured> measured;
  std::string baseline_text;
  for (const auto& w : windows) {
    const auto day = proto::DateOf(w.start_time);
    auto today = day_of(day);
    if (!today.ok()) return today.status();
    std::vector<DayCurve> history;
    if (cfg.baseline.method != BaselineMethod::kSameDay) {
      for (int k = 1; k <= std::min(cfg.baseline.lookback_days, kMaxHistoryDays); ++k) {
        auto past = day_of(proto::BeijingDate{day.days - k});
        if (!past.ok()) return past.status();
        if (!(*past)->any) continue;
        history.push_back(DayCurve{(*past)->day, (*past)->centi_kw, &(*past)->present, event_days.contains(day.days - k)});
      }
    }
    BaselineRequest req{DayCurve{day, (*today)->centi_kw, &(*today)->present, true}, DayWindowOf(w), history, {}};
    Baseline baseline;
    if (cfg.check_baseline_accuracy) {
      auto checked = ComputeCheckedBaseline(cfg.baseline, req);
      if (!checked.ok()) return checked.status();
      baseline = std::move(checked->baseline);
      char buf[64];
      std::snprintf(buf, sizeof buf, " (RRMSE %.1f %% on %d days)", checked->accuracy.rrmse_percent, checked->accuracy.days);
      baseline_text = BaselineName(cfg.baseline) + buf;
    } else {
      auto b = ComputeBaseline(cfg.baseline, req);
      if (!b.ok()) return b.status();
      baseline = std::move(*b);
      baseline_text = BaselineName(cfg.baseline) + " (accuracy check off)";
    }
    ResponseRequest rr;
    rr.direction = DirectionOf(r.doc.type);
    rr.window = DayWindowOf(w);
    rr.baseline = baseline.centi_kw;
    rr.actual = DayCurve{day, (*today)->centi_kw, &(*today)->present, true};
    rr.target_centi_kw = w.target_power.units();
    auto response = MeasureResponse(rr);
    if (!response.ok()) return response.status();
    std::int64_t base_sum = 0, actual_sum = 0;
    for (int m = rr.window.begin; m < rr.window.end; ++m) {
      base_sum += baseline.centi_kw[m - rr.window.begin];
      actual_sum += (*today)->centi_kw[m];
    }
    InstructionView::Measured x;
    x.window = w;
    x.completion_percent = response->completion_ratio() * 100.0;
    x.delivered = proto::KilowattHours::FromUnits(response->energy_centi_kwh());
    x.baseline_average = proto::Kilowatts::FromUnits(RoundHalfAwayFromZero(base_sum, rr.window.size()));
    x.actual_average = proto::Kilowatts::FromUnits(RoundHalfAwayFromZero(actual_sum, rr.window.size()));
    measured.push_back(x);
    delivery.periods.push_back(PeriodDelivery{w.start_time, w.end_time, EnergyOf(w.target_power, rr.window.size()),
                                              x.delivered, std::nullopt});
  }
  auto settlement = SettleInstruction(cfg.settlement, delivery);
  if (!settlement.ok()) return settlement.status();
  const SystemTime now = impl.Now();
  auto push = SettlementCommand(now, op, ToSettlementPush(*settlement), now + cfg.settlement_push_deadline);
  if (!push.ok()) return push.status();
  out.commands.push_back(std::move(*push));
  out.settlements.push_back(store::SettlementRow{op, r.row.regulation_id, r.row.task_id,
                                                 proto::DateOf(windows.front().start_time),
                                                 doc::Encode(*settlement), now});
  r.doc.measured = std::move(measured);
  r.doc.baseline = baseline_text;
  r.doc.earnings = settlement->earnings;
  r.doc.push_enqueued = true;
  std::string summary;
  for (const auto& m : r.doc.measured) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f %%", m.completion_percent);
    summary += (summary.empty() ? "" : ", ") + proto::FormatMinute(m.window.start_time).substr(11) + " " + buf;
  }
  r.Set(RegulationState::kEvaluated, "measured (" + summary + ") against " + baseline_text + "; earnings " +
                                         settlement->earnings.ToString() + " yuan; settlement pushed");
  ++out.stats.measured;
  impl.Event(d, op + " " + r.row.regulation_id + ": " + r.doc.note);
  return Status::Ok();
}

}  // namespace

Status Regulator::Impl::Execute(Loaded& d, StepOut& out) {
  const proto::BeijingMinute now = NowMinute();
  for (auto& r : d.regs) {
    if (r.doc.synchro == proto::SynchroType::kCancel) continue;
    const auto windows = Active(r.doc.accepted);
    if ((r.state() == RegulationState::kAccepted || r.state() == RegulationState::kPartial) && windows.empty()) {
      r.Set(RegulationState::kCancelled, "nothing accepted to execute");
      continue;
    }
    if ((r.state() == RegulationState::kAccepted || r.state() == RegulationState::kPartial) &&
        now >= windows.front().start_time) {
      r.Set(RegulationState::kExecuting, "executing");
      Event(d, r.row.operator_id + " " + r.row.regulation_id + ": executing");
    }
    if (r.state() == RegulationState::kExecuting) {
      VGI_RETURN_IF_ERROR(Watch(*this, d, out, r, now));
      const proto::BeijingMinute measure_at{windows.back().end_time.minutes + 1 + config.measure_delay.count()};
      if (now >= measure_at) r.Set(RegulationState::kCompleted, "completed; measuring");
    }
    if (r.state() == RegulationState::kCompleted && now.minutes >= r.doc.measure_retry_at) {
      Status s = Measure(*this, d, out, r);
      if (!s.ok()) {
        if (s.code() != StatusCode::kRefused && s.code() != StatusCode::kInvalid) return s;
        r.doc.measure_retry_at = now.minutes + kMeasureRetry.count();
        r.Set(RegulationState::kCompleted, "not measured yet: " + s.message());
        out.alarms.push_back(Alarm("measurement.refused", r.row.operator_id + "/" + r.row.regulation_id,
                                   store::AlarmLevel::kMajor, "instruction cannot be measured",
                                   r.row.operator_id + " " + r.row.regulation_id + ": " + s.message() +
                                       " (retried every 10 minutes)"));
      }
    }
    if (r.state() == RegulationState::kEvaluated && r.doc.push_enqueued) {
      store::OutboxFilter of;
      of.operator_id = r.row.operator_id;
      of.regulation_id = r.row.regulation_id;
      auto commands = store.ListOutbox(of);
      if (!commands.ok()) return commands.status();
      for (const auto& c : *commands) {
        if (c.interface != proto::Interface::kExchangeInviteplanPush) continue;
        if (c.state == store::OutboxState::kSent && c.ret == 0) {
          r.Set(RegulationState::kSettled, "settled: " + (r.doc.earnings ? r.doc.earnings->ToString() : std::string("0.00")) +
                                               " yuan pushed and acknowledged");
          ++out.stats.settled;
          Event(d, r.row.operator_id + " " + r.row.regulation_id + ": " + r.doc.note);
        } else if (c.state != store::OutboxState::kPending) {
          r.doc.push_enqueued = false;  // alarmed once; a person re-sends it (vgi outbox shows it)
          r.Set(RegulationState::kEvaluated, "settlement push not acknowledged: " +
                                                 (c.last_error.empty() ? c.msg : c.last_error));
          out.alarms.push_back(Alarm("settlement.push_failed", r.row.operator_id + "/" + r.row.regulation_id,
                                     store::AlarmLevel::kMajor, "settlement not acknowledged",
                                     r.row.operator_id + " " + r.row.regulation_id + ": " +
                                         (c.last_error.empty() ? "Ret " + std::to_string(c.ret.value_or(-1)) + " " + c.msg
                                                               : c.last_error)));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace vgi::engine
