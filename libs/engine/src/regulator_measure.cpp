// The Regulator's execution stage: start, the live shortfall watch, measurement against the
// baseline after the last window, settlement and its push.
#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "regulator_impl.hpp"
#include "vgi/engine/outbox_commands.hpp"
#include "vgi/engine/response.hpp"

namespace vgi::engine {
namespace {

constexpr std::chrono::minutes kMeasureRetry{10};
// From this many instructions to measure in one step on, they are measured on several threads.
constexpr std::size_t kParallelMeasurements = 64;
// A bound on the calendar days read for similar-day history (the config's lookback_days, 60 by
// default: a weekend event needs ten weekend days for high 5 of 10 and its five back-test days).
constexpr int kMaxHistoryDays = 120;

// The operator's measured stations summed over one day; a minute counts as present only when
// every station that reported that day has it.
struct Aggregate {
  proto::BeijingDate day;
  std::vector<std::int32_t> centi_kw = std::vector<std::int32_t>(kSlotsPerDay, 0);
  PresentBits present;
  bool any = false;
};

Aggregate FromSums(const store::OperatorDay& sums) {
  Aggregate a;
  a.day = sums.day;
  a.any = sums.stations > 0;
  for (int m = 0; m < kSlotsPerDay; ++m) {
    const auto i = static_cast<std::size_t>(m);
    // A slot holds ±21 474 836 kW: an operator's sum never nears it; saturate rather than wrap.
    a.centi_kw[i] = static_cast<std::int32_t>(std::clamp<std::int64_t>(sums.load[i], std::numeric_limits<std::int32_t>::min(),
                                                                        std::numeric_limits<std::int32_t>::max()));
    if (a.any && sums.present[i] == sums.stations) a.present.set(i);
  }
  return a;
}

// The instruction's stations summed over one day (a station instruction names one: a copy).
Aggregate FromStations(proto::BeijingDate day, std::vector<store::StationDay>& days) {
  Aggregate a;
  a.day = day;
  a.any = !days.empty();
  if (days.size() == 1) {
    a.centi_kw = std::move(days.front().centi_kw);
    a.present = days.front().present;
    return a;
  }
  std::vector<std::int64_t> sum(kSlotsPerDay, 0);
  a.present.set();
  for (const auto& sd : days) {
    for (int m = 0; m < kSlotsPerDay; ++m) sum[m] += sd.centi_kw[m];
    a.present &= sd.present;
  }
  if (!a.any) a.present.reset();
  for (int m = 0; m < kSlotsPerDay; ++m) {
    a.centi_kw[m] = static_cast<std::int32_t>(std::clamp<std::int64_t>(sum[m], std::numeric_limits<std::int32_t>::min(),
                                                                       std::numeric_limits<std::int32_t>::max()));
  }
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

// The instruction's aggregated days, loaded once per step, and the days it had settled events
// (never baseline history). An operator-wide instruction reads the store's operator-day sums
// (one row per day, whatever the station count); one naming its stations reads those stations'
// history (one range read each), never the operator's other stations.
class History {
 public:
  // `d`'s per-operator cache of event days (Loaded::event_days) is shared with the step's other
  // instructions, also across threads (it is locked).
  History(store::Store& store, const Reg& r, Loaded& d) : store_(store), r_(r), event_days_(d.event_days), mu_(*d.event_days_mu) {}

  // Loads [from, to] in one read per source; days already loaded are kept.
  Status Load(proto::BeijingDate from, proto::BeijingDate to) {
    bool all = true;
    for (std::int32_t d = from.days; d <= to.days && all; ++d) all = cache_.contains(d);
    if (all) return Status::Ok();
    const std::string& op = r_.row.operator_id;
    std::map<std::int32_t, Aggregate> loaded;
    if (r_.doc.stations.empty()) {
      auto days = store_.ListOperatorDays(op, from, to);
      if (!days.ok()) return days.status();
      for (const auto& d : *days) loaded.emplace(d.day.days, FromSums(d));
    } else {
      std::map<std::int32_t, std::vector<store::StationDay>> by_day;
      for (const auto& station : std::set<std::string>(r_.doc.stations.begin(), r_.doc.stations.end())) {
        auto history = store_.ListStationHistory(op, station, from, to);
        if (!history.ok()) return history.status();
        for (auto& d : *history) by_day[d.day.days].push_back(std::move(d));
      }
      for (auto& [day, days] : by_day) loaded.emplace(day, FromStations(proto::BeijingDate{day}, days));
    }
    for (std::int32_t d = from.days; d <= to.days; ++d) {
      if (cache_.contains(d)) continue;
      auto it = loaded.find(d);
      Aggregate a = it == loaded.end() ? Aggregate{} : std::move(it->second);
      a.day = proto::BeijingDate{d};
      cache_.emplace(d, std::move(a));
    }
    return Status::Ok();
  }

  // Loads exactly `days` (ascending) not loaded yet: a station instruction reads only those
  // station-days (a weekend baseline's weekend days, not the weeks between); an operator-wide
  // one the sums of their span (one small row a day).
  Status LoadDays(const std::vector<std::int32_t>& days) {
    std::vector<proto::BeijingDate> missing;
    for (const std::int32_t d : days) {
      if (!cache_.contains(d)) missing.push_back(proto::BeijingDate{d});
    }
    if (missing.empty()) return Status::Ok();
    if (r_.doc.stations.empty()) return Load(missing.front(), missing.back());
    std::map<std::int32_t, std::vector<store::StationDay>> by_day;
    for (const auto& station : std::set<std::string>(r_.doc.stations.begin(), r_.doc.stations.end())) {
      auto found = store_.ListStationDaysOn(r_.row.operator_id, station, missing);
      if (!found.ok()) return found.status();
      for (auto& d : *found) by_day[d.day.days].push_back(std::move(d));
    }
    for (const proto::BeijingDate d : missing) {
      auto it = by_day.find(d.days);
      Aggregate a = it == by_day.end() ? Aggregate{} : FromStations(d, it->second);
      a.day = d;
      cache_.emplace(d.days, std::move(a));
    }
    return Status::Ok();
  }

  Result<const Aggregate*> Day(proto::BeijingDate day) {
    if (!cache_.contains(day.days)) VGI_RETURN_IF_ERROR(Load(day, day));
    return &cache_.at(day.days);
  }

  // The operator's settled days within the history a window on `day` can read (an operator with
  // years of settlements reads a few months of them), once per step and day for all its
  // instructions.
  Result<const std::set<std::int32_t>*> EventDays(proto::BeijingDate day) {
    const proto::BeijingDate from{day.days - kMaxHistoryDays - 1};
    const std::string key = r_.row.operator_id + "/" + std::to_string(from.days);
    std::lock_guard lock(mu_);  // entries are never erased: the pointer returned stays valid
    auto it = event_days_.find(key);
    if (it == event_days_.end()) {
      store::SettlementFilter sf;
      sf.operator_id = r_.row.operator_id;
      sf.from_day = from;
      auto settled = store_.ListSettlements(sf);
      if (!settled.ok()) return settled.status();
      it = event_days_.emplace(key, std::set<std::int32_t>{}).first;
      for (const auto& s : *settled) it->second.insert(s.day.days);
    }
    return &it->second;
  }

 private:
  store::Store& store_;
  const Reg& r_;
  std::map<std::int32_t, Aggregate> cache_;
  std::map<std::string, std::set<std::int32_t>>& event_days_;
  std::mutex& mu_;
};

struct WindowBaseline {
  Baseline baseline;
  std::string text;  // method and accuracy, for people
};

// The configured baseline of one accepted window, with its RRMSE back-test when `checked`.
Result<WindowBaseline> BaselineOf(const RegulatorConfig& cfg, History& history, const proto::AdjustTarget& w,
                                  bool checked) {
  const auto day = proto::DateOf(w.start_time);
  const int lookback = cfg.baseline.method == BaselineMethod::kSameDay
                           ? 0
                           : std::min(cfg.baseline.lookback_days, kMaxHistoryDays);
  std::vector<DayCurve> days;
  if (lookback == 0) {
    VGI_RETURN_IF_ERROR(history.Load(day, day));
  } else {
    auto events = history.EventDays(day);
    if (!events.ok()) return events.status();
    // The baseline and its back-test use only the `need` most recent eligible days (same day
    // kind, no event): read back to where those lie (a weekday event about three weeks, not the
    // whole lookback), and the whole lookback only when some of them have no data.
    const DayKind kind = KindOf(day, {});
    const int need = (cfg.baseline.method == BaselineMethod::kXOfY ? cfg.baseline.y : cfg.baseline.average_days) +
                     (checked ? cfg.baseline.backtest_days : 0);
    auto eligible = [&](std::int32_t d) { return KindOf(proto::BeijingDate{d}, {}) == kind && !(*events)->contains(d); };
    int first_k = lookback;
    for (int k = 1, found = 0; k <= lookback; ++k) {
      if (eligible(day.days - k) && ++found == need) {
        first_k = k;
        break;
      }
    }
    // Only eligible days are read and given: the baseline skips the others anyway.
    auto collect = [&](int to_k) -> Status {
      std::vector<std::int32_t> wanted;
      for (int k = to_k; k >= 1; --k) {
        if (eligible(day.days - k)) wanted.push_back(day.days - k);
      }
      wanted.push_back(day.days);
      VGI_RETURN_IF_ERROR(history.LoadDays(wanted));
      days.clear();
      int with_data = 0;
      for (int k = 1; k <= to_k; ++k) {
        if (!eligible(day.days - k)) continue;
        auto past = history.Day(proto::BeijingDate{day.days - k});
        if (!past.ok()) return past.status();
        if (!(*past)->any) continue;
        ++with_data;
        days.push_back(DayCurve{(*past)->day, (*past)->centi_kw, &(*past)->present, false});
      }
      if (with_data < need && to_k < lookback) return Status::Refused("more history needed");
      return Status::Ok();
    };
    if (Status s = collect(first_k); !s.ok()) {
      if (s.code() != StatusCode::kRefused) return s;
      VGI_RETURN_IF_ERROR(collect(lookback));
    }
  }
  auto today = history.Day(day);
  if (!today.ok()) return today.status();
  BaselineRequest req{DayCurve{day, (*today)->centi_kw, &(*today)->present, true}, DayWindowOf(w), days, {}};
  WindowBaseline out;
  if (checked) {
    auto c = ComputeCheckedBaseline(cfg.baseline, req);
    if (!c.ok()) return c.status();
    out.baseline = std::move(c->baseline);
    char buf[64];
    std::snprintf(buf, sizeof buf, " (RRMSE %.1f %% on %d days)", c->accuracy.rrmse_percent, c->accuracy.days);
    out.text = BaselineName(cfg.baseline) + buf;
  } else {
    auto b = ComputeBaseline(cfg.baseline, req);
    if (!b.ok()) return b.status();
    out.baseline = std::move(*b);
    out.text = BaselineName(cfg.baseline) + " (accuracy check off)";
  }
  return out;
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
  History history(impl.store, r, d);
  const auto windows = Active(r.doc.accepted);
  for (std::size_t wi = 0; wi < windows.size(); ++wi) {
    const auto& w = windows[wi];
    if (w.start_time > last_complete || w.end_time.minutes <= r.doc.checked_through) continue;
    const auto day = proto::DateOf(w.start_time);
    if (r.doc.live_reference.size() <= wi) {
      // The reference, once per window: the configured baseline (no back-test: the live watch
      // only raises alarms), else the average of the hours before the window.
      std::vector<std::int32_t> reference;
      auto b = BaselineOf(cfg, history, w, false);
      if (b.ok()) {
        reference = std::move(b->baseline.centi_kw);
      } else {
        BaselineConfig same_day = cfg.baseline;
        same_day.method = BaselineMethod::kSameDay;
        same_day.use_after = false;
        RegulatorConfig fallback = cfg;
        fallback.baseline = same_day;
        auto s = BaselineOf(fallback, history, w, false);
        if (!s.ok()) return Status::Ok();  // nothing to judge by yet (no data before the window)
        reference = std::move(s->baseline.centi_kw);
      }
      r.doc.live_reference.resize(wi + 1);
      r.doc.live_reference[wi] = std::move(reference);
      r.dirty = true;
    }
    auto agg = history.Day(day);
    if (!agg.ok()) return agg.status();
    const auto& reference = r.doc.live_reference[wi];
    const std::int64_t target = w.target_power.units();
    std::int64_t m = std::max(r.doc.checked_through + 1, w.start_time.minutes);
    const std::int64_t through = std::min(last_complete.minutes, w.end_time.minutes);
    for (; m <= through; ++m) {
      const int slot = static_cast<int>(m - proto::StartOf(day).minutes);
      // A minute not reported yet is judged once it is 3 minutes old (then it counts as missing).
      if (!(*agg)->present.test(slot) && m > now.minutes - 3) break;
      const std::int64_t actual = (*agg)->centi_kw[slot];
      const std::int64_t base = reference[static_cast<std::size_t>(m - w.start_time.minutes)];
      const std::int64_t response = !(*agg)->present.test(slot)                          ? 0
                                    : DirectionOf(r.doc.type) == Direction::kPeakShaving ? base - actual
                                                                                         : actual - base;
      if (response * 100 < static_cast<std::int64_t>(cfg.shortfall_share_percent) * target) {
        if (++r.doc.below_run >= cfg.shortfall_minutes && !r.doc.shortfall_alarmed) {
          r.doc.shortfall_alarmed = true;
          const std::string detail = r.row.operator_id + " " + r.row.regulation_id + ": below " +
                                     std::to_string(cfg.shortfall_share_percent) + " % of its " +
                                     w.target_power.ToString() + " kW target for " + std::to_string(r.doc.below_run) +
                                     " minutes up to " + proto::FormatMinute(proto::BeijingMinute{m}) + " (response " +
                                     proto::Kilowatts::FromUnits(response).ToString() + " kW" +
                                     ((*agg)->present.test(slot) ? "" : ", no data") + ")";
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

// What measuring one instruction found (Compute, on any thread), applied to it by Apply.
struct Measurement {
  std::vector<InstructionView::Measured> measured;
  std::string baseline_text;
  InstructionSettlement settlement;
  store::EngineWrite::Command push;
};

// Baseline, response and settlement of one instruction after its last window: reads the store,
// changes nothing (instructions of one step are measured on several threads).
Result<Measurement> ComputeMeasurement(Regulator::Impl& impl, Loaded& d, const Reg& r) {
  const auto& cfg = impl.config;
  const std::string& op = r.row.operator_id;
  const auto windows = Active(r.doc.accepted);
  History history(impl.store, r, d);
  InstructionDelivery delivery{op, r.row.task_id, r.row.regulation_id, r.doc.type, r.doc.is_force, {}};
  std::vector<InstructionView::Measured> measured;
  std::string baseline_text;
  for (const auto& w : windows) {
    const auto day = proto::DateOf(w.start_time);
    auto today = history.Day(day);
    if (!today.ok()) return today.status();
    auto b = BaselineOf(cfg, history, w, cfg.check_baseline_accuracy);
    if (!b.ok()) return b.status();
    Baseline& baseline = b->baseline;
    baseline_text = b->text;
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
  return Measurement{std::move(measured), std::move(baseline_text), std::move(*settlement), std::move(*push)};
}

void ApplyMeasurement(Regulator::Impl& impl, Loaded& d, StepOut& out, Reg& r, Measurement m) {
  const std::string& op = r.row.operator_id;
  const SystemTime now = impl.Now();
  out.commands.push_back(std::move(m.push));
  out.settlements.push_back(store::SettlementRow{op, r.row.regulation_id, r.row.task_id,
                                                 proto::DateOf(Active(r.doc.accepted).front().start_time),
                                                 doc::Encode(m.settlement), now});
  r.doc.measured = std::move(m.measured);
  r.doc.baseline = m.baseline_text;
  r.doc.earnings = m.settlement.earnings;
  r.doc.push_enqueued = true;
  std::string summary;
  for (const auto& m : r.doc.measured) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f %%", m.completion_percent);
    summary += (summary.empty() ? "" : ", ") + proto::FormatMinute(m.window.start_time).substr(11) + " " + buf;
  }
  r.Set(RegulationState::kEvaluated, "measured (" + summary + ") against " + r.doc.baseline + "; earnings " +
                                         m.settlement.earnings.ToString() + " yuan; settlement pushed");
  ++out.stats.measured;
  impl.Event(d, op + " " + r.row.regulation_id + ": " + r.doc.note);
}

// Measures the instructions d.regs[i] for i in `todo`: many (a station scope) on a few threads
// (store reads and baselines are independent per instruction; the store is thread-safe), then
// applies the results in instruction order. A refused measurement is retried in 10 minutes.
Status MeasureAll(Regulator::Impl& impl, Loaded& d, StepOut& out, const std::vector<std::size_t>& todo,
                  proto::BeijingMinute now) {
  std::vector<std::optional<Result<Measurement>>> results(todo.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < todo.size();) results[i] = ComputeMeasurement(impl, d, d.regs[todo[i]]);
  };
  const unsigned threads = todo.size() < kParallelMeasurements ? 1U : std::clamp(std::thread::hardware_concurrency(), 1U, 4U);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (std::size_t i = 0; i < todo.size(); ++i) {
    Reg& r = d.regs[todo[i]];
    Result<Measurement>& m = *results[i];
    if (m.ok()) {
      ApplyMeasurement(impl, d, out, r, std::move(*m));
      continue;
    }
    const Status& s = m.status();
    if (s.code() != StatusCode::kRefused && s.code() != StatusCode::kInvalid) return s;
    r.doc.measure_retry_at = now.minutes + kMeasureRetry.count();
    r.Set(RegulationState::kCompleted, "not measured yet: " + s.message());
    impl.Event(d, r.row.operator_id + " " + r.row.regulation_id + ": " + r.doc.note + " (retried in 10 minutes)");
    out.alarms.push_back(impl.Alarm("measurement.refused", r.row.operator_id + "/" + r.row.regulation_id,
                                    store::AlarmLevel::kMajor, "instruction cannot be measured",
                                    r.row.operator_id + " " + r.row.regulation_id + ": " + s.message() +
                                        " (retried every 10 minutes)"));
  }
  return Status::Ok();
}

}  // namespace

Result<int> Regulator::Impl::WarmHistory() {
  const proto::BeijingDate today = proto::DateOf(NowMinute());
  std::lock_guard lock(history_mu);  // one warm-up at a time; later callers find it done
  if (history_warmed_on == today) return 0;
  const int lookback = config.baseline.method == BaselineMethod::kSameDay
                           ? 0
                           : std::min(config.baseline.lookback_days, kMaxHistoryDays);
  int warmed = 0;
  if (lookback > 0) {
    auto peers = store.ListPeers();
    if (!peers.ok()) return peers.status();
    for (const auto& peer : *peers) {
      if (!peer.enabled) continue;
      auto days = store.ListOperatorDays(peer.operator_id, proto::BeijingDate{today.days - lookback},
                                         proto::BeijingDate{today.days - 1});
      if (!days.ok()) return days.status();
      ++warmed;
    }
  }
  history_warmed_on = today;
  return warmed;
}

Status Regulator::Impl::Execute(Loaded& d, StepOut& out) {
  const proto::BeijingMinute now = NowMinute();
  std::vector<std::size_t> to_measure;
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
      to_measure.push_back(static_cast<std::size_t>(&r - d.regs.data()));
      continue;  // measured below, with the step's others
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
          r.Set(RegulationState::kSettled,
                "settled: " + (r.doc.earnings ? r.doc.earnings->ToString() : std::string("0.00")) +
                    " yuan pushed and acknowledged");
          ++out.stats.settled;
          Event(d, r.row.operator_id + " " + r.row.regulation_id + ": " + r.doc.note);
        } else if (c.state != store::OutboxState::kPending) {
          r.doc.push_enqueued = false;  // alarmed once; a person re-sends it (vgi outbox shows it)
          r.Set(RegulationState::kEvaluated,
                "settlement push not acknowledged: " + (c.last_error.empty() ? c.msg : c.last_error));
          out.alarms.push_back(Alarm(
              "settlement.push_failed", r.row.operator_id + "/" + r.row.regulation_id, store::AlarmLevel::kMajor,
              "settlement not acknowledged",
              r.row.operator_id + " " + r.row.regulation_id + ": " +
                  (c.last_error.empty() ? "Ret " + std::to_string(c.ret.value_or(-1)) + " " + c.msg : c.last_error)));
        }
      }
    }
  }
  return MeasureAll(*this, d, out, to_measure, now);
}

Result<std::vector<ExecutionTrace>> Regulator::Execution(std::string_view task_id) {
  auto d = impl_->Load(task_id);
  if (!d.ok()) return d.status();
  const proto::BeijingMinute last_complete{impl_->NowMinute().minutes - 1};
  std::vector<ExecutionTrace> out;
  for (const Reg& r : d->regs) {
    const RegulationState s = r.state();
    if (s != RegulationState::kAccepted && s != RegulationState::kPartial && s != RegulationState::kExecuting &&
        s != RegulationState::kCompleted && s != RegulationState::kEvaluated && s != RegulationState::kSettled) {
      continue;
    }
    History history(impl_->store, r, *d);
    const auto windows = Active(r.doc.accepted);
    for (std::size_t wi = 0; wi < windows.size(); ++wi) {
      const auto& w = windows[wi];
      ExecutionTrace t{r.row.operator_id, r.row.regulation_id, s, w, {}, {}};
      const bool referenced = r.doc.live_reference.size() > wi;
      if (referenced) t.reference = "the live watch's reference (taken at the window's start)";
      const auto day = proto::DateOf(w.start_time);
      auto agg = history.Day(day);
      if (!agg.ok()) return agg.status();
      const std::int64_t through = std::min(last_complete.minutes, w.end_time.minutes);
      for (std::int64_t m = w.start_time.minutes; m <= through; ++m) {
        ExecutionTrace::Minute minute{proto::BeijingMinute{m}, {}, {}, {}};
        const int slot = static_cast<int>(m - proto::StartOf(day).minutes);
        if ((*agg)->present.test(static_cast<std::size_t>(slot))) {
          minute.actual = proto::Kilowatts::FromUnits((*agg)->centi_kw[static_cast<std::size_t>(slot)]);
        }
        const auto i = static_cast<std::size_t>(m - w.start_time.minutes);
        if (referenced && i < r.doc.live_reference[wi].size()) {
          minute.baseline = proto::Kilowatts::FromUnits(r.doc.live_reference[wi][i]);
          if (minute.actual) {
            const std::int64_t base = minute.baseline->units(), actual = minute.actual->units();
            minute.response = proto::Kilowatts::FromUnits(
                DirectionOf(r.doc.type) == Direction::kPeakShaving ? base - actual : actual - base);
          }
        }
        t.minutes.push_back(minute);
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace vgi::engine
