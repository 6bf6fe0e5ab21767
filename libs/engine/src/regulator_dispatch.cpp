// The Regulator's decomposition: who is in a demand's scope, their potential per window, the
// allocation, the instructions (new, change, cancel) and the re-dispatch of shortfalls.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "regulator_impl.hpp"
#include "vgi/engine/allocation.hpp"
#include "vgi/engine/outbox_commands.hpp"
#include "vgi/engine/potential.hpp"

namespace vgi::engine {
namespace {

constexpr int kMaxRedispatchRounds = 5;
constexpr int kForecastLookbackDays = 14;

proto::Kilowatts Scale(proto::Kilowatts kw, double weight) {
  return proto::Kilowatts::FromUnits(static_cast<std::int64_t>(std::floor(static_cast<double>(kw.units()) * weight)));
}

ParticipantKind KindOf(const OperatorScope& s) {
  return s.range == proto::RangeType::kStake     ? ParticipantKind::kStake
         : s.range == proto::RangeType::kStation ? ParticipantKind::kStation
                                                 : ParticipantKind::kOperator;
}

std::string WindowText(const proto::AdjustTarget& w) {
  return proto::FormatMinute(w.start_time) + "–" + proto::FormatMinute(w.end_time).substr(11);
}

MinuteWindow DayWindow(const proto::AdjustTarget& w) {
  return {proto::MinuteOfDay(w.start_time), proto::MinuteOfDay(w.end_time) + 1};
}

// Operators that refused this demand (rejected, failed) or took only part (not asked again).
std::set<std::string> Refusers(const Loaded& d) {
  std::set<std::string> out;
  for (const auto& r : d.regs) {
    if (r.doc.synchro == proto::SynchroType::kCancel) continue;
    const auto s = r.state();
    if (s == RegulationState::kRejected || s == RegulationState::kFailed || s == RegulationState::kPartial ||
        (!r.doc.accepted.empty() && r.doc.accepted != r.doc.allocated && s != RegulationState::kSuperseded)) {
      out.insert(KeyOf(r));
    }
  }
  return out;
}

// The participant's instruction in force or awaiting an answer (the newest one), if any.
Reg* LiveOf(Loaded& d, const std::string& key) {
  Reg* live = nullptr;
  for (auto& r : d.regs) {
    if (KeyOf(r) == key && r.doc.synchro != proto::SynchroType::kCancel && IsLive(r.state())) live = &r;
  }
  return live;
}

}  // namespace

std::string KeyOf(const Reg& r) {
  // One participant per operator, except station and stake scopes: one per station or stake.
  const bool single = r.doc.range == proto::RangeType::kStation || r.doc.range == proto::RangeType::kStake;
  if (!single || r.doc.adjust_ids.empty()) return r.row.operator_id;
  return r.row.operator_id + "/" + r.doc.adjust_ids.front();
}

Result<std::shared_ptr<const Regulator::Impl::ForecastSet>> Regulator::Impl::ForecastsFor(
    const std::string& operator_id, proto::BeijingDate day, proto::BeijingDate today) {
  std::lock_guard lock(forecast_mu);
  std::erase_if(forecasts, [&](const auto& e) { return e.second->made_on != today; });
  auto& slot = forecasts[{operator_id, day.days}];
  if (slot) return slot;
  // The days before today only: a partial today never counts as a similar day.
  std::map<std::string, std::vector<store::StationDay>> history;
  for (int k = 1; k <= kForecastLookbackDays; ++k) {
    auto past = store.ListStationDays(operator_id, proto::BeijingDate{today.days - k});
    if (!past.ok()) {
      forecasts.erase({operator_id, day.days});
      return past.status();
    }
    for (auto& sd : *past) history[sd.station_code].push_back(std::move(sd));
  }
  auto made = std::make_shared<ForecastSet>();
  made->made_on = today;
  for (const auto& [code, days] : history) {
    std::vector<DayCurve> curves;
    curves.reserve(days.size());
    for (const auto& past : days) curves.push_back(DayCurve{past.day, past.centi_kw, &past.present, false});
    auto f = ForecastDay(day, curves, config.forecast_days, {});
    if (f.ok()) made->by_station.emplace(code, std::move(*f));
  }
  slot = std::move(made);
  return slot;
}

Result<int> Regulator::Impl::WarmForecasts() {
  const proto::BeijingDate today = proto::DateOf(NowMinute());
  auto peers = store.ListPeers();
  if (!peers.ok()) return peers.status();
  int made = 0;
  for (const auto& peer : *peers) {
    if (!peer.enabled) continue;
    {
      std::lock_guard lock(forecast_mu);
      auto it = forecasts.find({peer.operator_id, today.days});
      if (it != forecasts.end() && it->second->made_on == today) continue;
    }
    auto set = ForecastsFor(peer.operator_id, today, today);
    if (!set.ok()) return set.status();
    ++made;
  }
  return made;
}

Result<std::vector<OperatorScope>> Regulator::Impl::Scope(const Loaded& d) {
  const DemandSpec& spec = d.doc.spec;
  const proto::BeijingMinute now = NowMinute();
  const proto::BeijingDate today = proto::DateOf(now);
  auto peers = store.ListPeers();
  if (!peers.ok()) return peers.status();
  std::set<std::string> wanted_ops;
  std::map<std::string, std::set<std::string>> wanted_codes;  // operator -> station or stake codes
  for (const auto& id : spec.scope.ids) {
    if (spec.scope.kind == ScopeKind::kOperators) wanted_ops.insert(id);
    if (spec.scope.kind == ScopeKind::kStations || spec.scope.kind == ScopeKind::kStakes) {
      const auto slash = id.find('/');
      wanted_codes[id.substr(0, slash)].insert(id.substr(slash + 1));
    }
  }
  const proto::RangeType range = RangeOf(spec.scope.kind);
  // Market and transformer-area scopes: the stations the grid topology places in them, per
  // operator, each with the scope ID that covers it.
  const bool by_topology = range == proto::RangeType::kMarket || range == proto::RangeType::kTransformerArea;
  TopologyCover covered;
  if (by_topology) {
    auto cover = CoverOf(spec.scope);
    if (!cover.ok()) return cover.status();
    covered = std::move(*cover);
  }
  // Latest readings (one small row per station): one read for all operators when the scope may
  // span them, else one per operator in scope.
  const bool wide = spec.scope.kind == ScopeKind::kAll || spec.scope.kind == ScopeKind::kAreas;
  std::map<std::string, std::vector<store::LatestPower>, std::less<>> latest_by_op;
  if (wide) {
    auto all = store.ListLatestPower("");
    if (!all.ok()) return all.status();
    for (auto& l : *all) latest_by_op[l.operator_id].push_back(std::move(l));
  }
  std::vector<OperatorScope> out;
  for (const auto& peer : *peers) {
    const std::string& op = peer.operator_id;
    if (!peer.enabled) continue;
    if (spec.scope.kind == ScopeKind::kOperators && !wanted_ops.contains(op)) continue;
    if ((spec.scope.kind == ScopeKind::kStations || spec.scope.kind == ScopeKind::kStakes) &&
        !wanted_codes.contains(op)) {
      continue;
    }
    const auto cover = covered.find(op);
    if (by_topology && cover == covered.end()) continue;
    // The stations' plain columns (no model unsealed) say who is in scope; only station and
    // stake scopes need the whole model (credit codes, stake ratings), and only when the
    // operator has a station in scope.
    auto index = store.ListStationIndex(op);
    if (!index.ok()) return index.status();
    auto in_areas = [&](const std::string& area) {
      return std::any_of(spec.scope.ids.begin(), spec.scope.ids.end(),
                         [&](const std::string& prefix) { return area.starts_with(prefix); });
    };
    bool any = false;
    for (const auto& e : *index) {
      any = any || spec.scope.kind == ScopeKind::kAll || spec.scope.kind == ScopeKind::kOperators ||
            spec.scope.kind == ScopeKind::kStakes || (spec.scope.kind == ScopeKind::kAreas && in_areas(e.area_code)) ||
            (spec.scope.kind == ScopeKind::kStations && wanted_codes[op].contains(e.station_code)) ||
            (by_topology && cover->second.contains(e.station_code));
      if (any) break;
    }
    if (!any) continue;
    // The participants: the operator, or its stations / stakes in scope, each with the station it
    // reads its power from and the share of that station's potential it covers (a stake covers
    // its share of the station's rated power: readings are per station).
    struct Unit {
      OperatorScope scope;
      std::string station;
      double weight = 1;
      bool reporting = false;  // its station has a live reading
    };
    std::vector<Unit> units;
    std::map<std::string, std::vector<std::size_t>> by_station;  // station -> units reading it
    if (range == proto::RangeType::kOperator) {
      Unit u;
      u.scope.key = op;
      u.scope.adjust_ids = {op};
      units.push_back(std::move(u));
      for (const auto& e : *index) by_station[e.station_code].push_back(0);
    } else if (by_topology) {
      // One instruction for the operator naming the markets (areas) its active stations are in,
      // measured over exactly those stations.
      Unit u;
      u.scope.key = op;
      std::set<std::string> ids;
      for (const auto& e : *index) {
        const auto it = cover->second.find(e.station_code);
        if (it == cover->second.end()) continue;
        ids.insert(it->second);
        u.scope.stations.push_back(e.station_code);
        by_station[e.station_code].push_back(0);
      }
      u.scope.adjust_ids.assign(ids.begin(), ids.end());
      units.push_back(std::move(u));
    } else {
      auto stations = store.ListStations(op, false);
      if (!stations.ok()) return stations.status();
      for (const auto& rec : *stations) {
        const auto& st = rec.station;
        auto add = [&](const std::string& code, double weight) {
          Unit u;
          u.scope.key = op + "/" + code;
          u.scope.adjust_ids = {code};
          u.scope.stations = {st.code};
          u.scope.credit_code = st.credit_code;
          u.station = st.code;
          u.weight = weight;
          by_station[st.code].push_back(units.size());
          units.push_back(std::move(u));
        };
        if (spec.scope.kind == ScopeKind::kAreas && in_areas(st.area_code)) add(st.code, 1);
        if (spec.scope.kind == ScopeKind::kStations && wanted_codes[op].contains(st.code)) add(st.code, 1);
        if (spec.scope.kind == ScopeKind::kStakes) {
          std::int64_t all = 0;
          for (const auto& stake : st.stakes) all += stake.rated_power.units();
          for (const auto& stake : st.stakes) {
            if (wanted_codes[op].contains(stake.code) && all > 0) {
              add(stake.code, static_cast<double>(stake.rated_power.units()) / static_cast<double>(all));
            }
          }
        }
      }
    }
    if (by_station.empty()) continue;
    for (auto& u : units) {
      u.scope.operator_id = op;
      u.scope.range = range;
      u.scope.potential.assign(spec.windows.size(), proto::Kilowatts{});
    }
    std::vector<store::LatestPower> own;
    if (!wide) {
      auto read = store.ListLatestPower(op);
      if (!read.ok()) return read.status();
      own = std::move(*read);
    }
    const auto found = latest_by_op.find(op);
    const std::vector<store::LatestPower>& latest = wide ? (found == latest_by_op.end() ? own : found->second) : own;
    // Per window, the forecast for its day (cached per operator and day: see ForecastsFor).
    std::vector<std::shared_ptr<const ForecastSet>> forecast_sets(spec.windows.size());
    if (config.forecast_days > 0) {
      for (std::size_t i = 0; i < spec.windows.size(); ++i) {
        auto set = ForecastsFor(op, proto::DateOf(spec.windows[i].start_time), today);
        if (!set.ok()) return set.status();
        forecast_sets[i] = std::move(*set);
      }
    }
    std::vector<int> forecasted(spec.windows.size(), 0);
    int live = 0;
    for (const auto& l : latest) {
      auto members = by_station.find(l.station_code);
      if (members == by_station.end()) continue;
      std::optional<StationReading> reading = ReadingOf(l, now, config.reading_max_age_minutes);
      if (!reading && l.at > now) {
        // The peer reported minutes ahead of our clock: the latest at or before now is in the slots.
        auto day = store.GetStationDay(op, l.station_code, today);
        if (!day.ok()) return day.status();
        if (day->has_value()) reading = LatestReading(**day, now, config.reading_max_age_minutes);
      }
      if (!reading) continue;
      ++live;
      for (std::size_t k : members->second) units[k].reporting = true;
      for (std::size_t i = 0; i < spec.windows.size(); ++i) {
        proto::Kilowatts p = PotentialFor(spec.type, *reading);
        if (forecast_sets[i]) {
          if (auto f = forecast_sets[i]->by_station.find(l.station_code); f != forecast_sets[i]->by_station.end()) {
            p = ExpectedPotential(spec.type, f->second, DayWindow(spec.windows[i]), reading->top, reading->bottom);
            ++forecasted[i];
          }
        }
        for (std::size_t k : members->second) {
          units[k].scope.potential[i] = units[k].scope.potential[i] + Scale(p, units[k].weight);
        }
      }
    }
    for (auto& u : units) {
      for (std::size_t i = 0; i < spec.windows.size(); ++i) {
        const bool whole = range == proto::RangeType::kOperator || by_topology;
        u.scope.basis.push_back(
            std::to_string(whole ? live : (u.reporting ? 1 : 0)) + " of " +
            std::to_string(whole ? by_station.size() : 1) + " stations reporting; " +
            (forecasted[i] > 0 ? std::string("similar-day forecast") : std::string("current readings")));
      }
      out.push_back(std::move(u.scope));
    }
  }
  if (by_topology && out.empty()) return NothingCovered(spec.scope, covered);
  return out;
}

Status Regulator::Impl::SendInstruction(Loaded& d, StepOut& out, const OperatorScope& scope, proto::SynchroType synchro,
                                        std::vector<proto::AdjustTarget> targets, std::vector<std::string> explanation,
                                        int round, std::string replaces) {
  const DemandSpec& spec = d.doc.spec;
  proto::Instruction in;
  in.task_id = d.row.task_id;
  in.regulation_id = NextRegulationId(d);
  in.type = spec.type;
  in.synchro_type = synchro;
  in.range_type = scope.range;
  in.is_force = spec.is_force;
  in.adjust_ids = scope.adjust_ids;
  // creditCode belongs to single-station and single-stake instructions (protocol §7.3).
  if (scope.range == proto::RangeType::kStation || scope.range == proto::RangeType::kStake) {
    in.credit_code = scope.credit_code;
  }
  in.targets = targets;
  auto command = SendTaskCommand(Now(), scope.operator_id, in);
  if (!command.ok()) return command.status();
  out.commands.push_back(std::move(*command));
  Reg r;
  r.row.operator_id = scope.operator_id;
  r.row.regulation_id = in.regulation_id;
  r.row.task_id = in.task_id;
  r.row.state = static_cast<int>(RegulationState::kSent);
  r.row.created_at = Now();
  r.doc.type = spec.type;
  r.doc.synchro = synchro;
  r.doc.range = scope.range;
  r.doc.is_force = spec.is_force;
  r.doc.adjust_ids = scope.adjust_ids;
  r.doc.allocated = std::move(targets);
  r.doc.explanation = std::move(explanation);
  r.doc.round = round;
  r.doc.replaces = std::move(replaces);
  r.doc.stations = scope.stations;
  r.doc.note = synchro == proto::SynchroType::kChange ? "change sent, replacing " + r.doc.replaces : "sent";
  r.dirty = true;
  out.new_regs.push_back(std::move(r));
  ++out.stats.instructions_sent;
  return Status::Ok();
}

namespace {

// Sends a cancel (synchroType 3) for `r` and marks it cancelled. After its last window a cancel
// is pointless (and never sent late): it is only marked.
Status CancelOne(Regulator::Impl& impl, Loaded& d, StepOut& out, Reg& r, const std::string& reason) {
  auto row = impl.store.GetInstruction(r.row.operator_id, r.row.regulation_id);
  if (!row.ok()) return row.status();
  if (*row) {
    proto::Instruction in = (*row)->instruction;
    in.synchro_type = proto::SynchroType::kCancel;
    in.regulation_id = impl.NextRegulationId(d);
    auto command = SendTaskCommand(impl.Now(), r.row.operator_id, in);
    if (command.ok()) {
      out.commands.push_back(std::move(*command));
      Reg c;
      c.row = store::RegulationRow{
          r.row.operator_id, in.regulation_id, in.task_id, static_cast<int>(RegulationState::kCancelled), "",
          impl.Now(),        impl.Now()};
      c.doc = r.doc;
      c.doc.synchro = proto::SynchroType::kCancel;
      c.doc.replaces = r.row.regulation_id;
      c.doc.note = "cancel of " + r.row.regulation_id;
      c.dirty = true;
      out.new_regs.push_back(std::move(c));
    }
  }
  r.Set(RegulationState::kCancelled, reason);
  return Status::Ok();
}

}  // namespace

Status Regulator::Impl::CancelAll(Loaded& d, StepOut& out, const std::string& reason) {
  for (auto& r : d.regs) {
    if (r.doc.synchro == proto::SynchroType::kCancel || !IsLive(r.state())) continue;
    VGI_RETURN_IF_ERROR(CancelOne(*this, d, out, r, reason));
  }
  return Status::Ok();
}

Status Regulator::Impl::Decompose(Loaded& d, StepOut& out) {
  const DemandSpec& spec = d.doc.spec;
  const bool change = d.row.state == store::DemandState::kDispatched;
  if (spec.windows.front().start_time <= NowMinute()) {
    if (!change) {
      d.row.state = store::DemandState::kDone;
      Event(d, "not sent: its first window started before it could be decomposed");
      out.alarms.push_back(
          Alarm("demand.expired", d.row.task_id, store::AlarmLevel::kMajor, "demand expired before it was sent",
                "demand " + d.row.task_id + " reached its first window before the engine decomposed it"));
    }
    return Status::Ok();
  }
  auto scopes = Scope(d);
  if (!scopes.ok()) return scopes.status();
  const std::set<std::string> refusers = change ? Refusers(d) : std::set<std::string>{};
  std::erase_if(*scopes, [&](const OperatorScope& s) { return refusers.contains(s.key); });

  // Allocate every window over the operators by potential.
  std::map<std::string, std::vector<proto::AdjustTarget>> targets;
  std::map<std::string, std::vector<std::string>> why;
  std::string summary;
  for (std::size_t i = 0; i < spec.windows.size(); ++i) {
    const auto& w = spec.windows[i];
    AllocationRequest req;
    req.type = spec.type;
    req.target = w.target_power;
    req.reserve_margin_bp = spec.reserve_margin_bp.value_or(config.reserve_margin_bp);
    for (const auto& s : *scopes) {
      req.participants.push_back({KindOf(s), s.key, s.operator_id, s.potential[i], std::nullopt});
    }
    auto a = Allocate(req);
    if (!a.ok()) return a.status();
    for (std::size_t k = 0; k < a->items.size(); ++k) {
      const auto& item = a->items[k];
      why[item.id].push_back(WindowText(w) + ": " + ExplainText(item, a->covered) + "; " + (*scopes)[k].basis[i]);
      if (item.allocated.units() > 0) targets[item.id].push_back({item.allocated, w.start_time, w.end_time});
    }
    if (a->uncovered.units() > 0) {
      const std::string text = WindowText(w) + ": " + a->uncovered.ToString() + " kW of " + w.target_power.ToString() +
                               " kW uncovered: the operators in scope have no more usable potential";
      Event(d, text);
      out.alarms.push_back(Alarm("demand.uncovered", d.row.task_id, store::AlarmLevel::kMajor,
                                 "demand not fully covered", "demand " + d.row.task_id + " " + text));
    }
  }
  int sent = 0;
  for (const auto& s : *scopes) {
    auto t = targets.find(s.key);
    Reg* live = change ? LiveOf(d, s.key) : nullptr;
    if (t == targets.end()) {
      if (live) VGI_RETURN_IF_ERROR(CancelOne(*this, d, out, *live, "dropped by a change of the demand"));
      continue;
    }
    if (live) {
      const std::string old = live->row.regulation_id;
      VGI_RETURN_IF_ERROR(
          SendInstruction(d, out, s, proto::SynchroType::kChange, t->second, why[s.key], live->doc.round, old));
      live->Set(RegulationState::kSuperseded,
                "replaced by a change of the demand (" + out.new_regs.back().row.regulation_id + ")");
    } else {
      VGI_RETURN_IF_ERROR(SendInstruction(d, out, s, proto::SynchroType::kNew, t->second, why[s.key], 0, ""));
    }
    ++sent;
    summary += (summary.empty() ? "" : ", ") + s.key;
  }
  if (change) {
    // Live instructions of operators no longer in scope at all.
    for (auto& r : d.regs) {
      if (r.doc.synchro == proto::SynchroType::kCancel || !IsLive(r.state())) continue;
      if (!targets.contains(KeyOf(r))) {
        VGI_RETURN_IF_ERROR(CancelOne(*this, d, out, r, "dropped by a change of the demand"));
      }
    }
    Event(d, "re-decomposed after the change: instructions to " + (summary.empty() ? std::string("nobody") : summary));
    return Status::Ok();
  }
  if (sent == 0) {
    d.row.state = store::DemandState::kDone;
    Event(d, "nothing sent: no operator in scope reports usable potential");
    return Status::Ok();
  }
  d.row.state = store::DemandState::kDispatched;
  ++out.stats.demands_dispatched;
  Event(d, "decomposed over " + std::to_string(sent) + " participant(s): " + summary);
  return Status::Ok();
}

Status Regulator::Impl::Redispatch(Loaded& d, StepOut& out) {
  const DemandSpec& spec = d.doc.spec;
  const proto::BeijingMinute now = NowMinute();
  for (const auto& r : d.regs) {
    if (r.doc.synchro != proto::SynchroType::kCancel && r.state() == RegulationState::kSent) return Status::Ok();
  }
  if (!out.new_regs.empty()) return Status::Ok();
  // Shortfall per window not yet started: target − what live instructions accepted.
  std::vector<proto::Kilowatts> shortfall(spec.windows.size());
  std::map<std::string, std::vector<proto::Kilowatts>> committed;
  bool any = false;
  for (std::size_t i = 0; i < spec.windows.size(); ++i) {
    const auto& w = spec.windows[i];
    proto::Kilowatts accepted;
    for (const auto& r : d.regs) {
      if (r.doc.synchro == proto::SynchroType::kCancel || !IsLive(r.state())) continue;
      const auto a = TargetIn(r.doc.accepted, w);
      accepted = accepted + a;
      auto& c = committed[KeyOf(r)];
      c.resize(spec.windows.size());
      c[i] = c[i] + a;
    }
    if (w.start_time > now && w.target_power > accepted) {
      shortfall[i] = w.target_power - accepted;
      any = true;
    }
  }
  if (!any) return Status::Ok();
  std::string gap;
  for (std::size_t i = 0; i < spec.windows.size(); ++i) {
    if (shortfall[i].units() > 0)
      gap += (gap.empty() ? "" : ", ") + WindowText(spec.windows[i]) + " " + shortfall[i].ToString() + " kW";
  }
  auto uncovered_alarm = [&](const std::string& why) {
    if (d.doc.uncovered_alarmed) return;
    d.doc.uncovered_alarmed = true;
    Event(d, "uncovered after " + std::to_string(d.doc.rounds) + " re-dispatch round(s): " + gap + " (" + why + ")");
    out.alarms.push_back(Alarm("demand.uncovered", d.row.task_id, store::AlarmLevel::kMajor, "demand not fully covered",
                               "demand " + d.row.task_id + ": " + gap + " uncovered (" + why + ")"));
  };
  if (d.doc.rounds >= kMaxRedispatchRounds) {
    uncovered_alarm("re-dispatch rounds exhausted");
    return Status::Ok();
  }
  // Once nobody had potential left, look again at most once a minute (new readings may bring
  // some): reading every operator's stations each tick would load the store for nothing.
  if (d.doc.uncovered_alarmed && d.doc.redispatch_tried_at >= now.minutes) return Status::Ok();
  d.doc.redispatch_tried_at = now.minutes;
  d.demand_dirty = true;
  auto scopes = Scope(d);
  if (!scopes.ok()) return scopes.status();
  const std::set<std::string> refusers = Refusers(d);
  std::erase_if(*scopes, [&](const OperatorScope& s) { return refusers.contains(s.key); });
  const int margin = spec.reserve_margin_bp.value_or(config.reserve_margin_bp);
  std::map<std::string, std::vector<proto::Kilowatts>> extra;
  std::map<std::string, std::vector<std::string>> why;
  proto::Kilowatts total;
  for (std::size_t i = 0; i < spec.windows.size(); ++i) {
    if (shortfall[i].units() <= 0) continue;
    AllocationRequest req;
    req.type = spec.type;
    req.target = shortfall[i];
    req.reserve_margin_bp = margin;
    for (const auto& s : *scopes) {
      const auto usable = proto::Kilowatts::FromUnits(s.potential[i].units() * (kBasisPoints - margin) / kBasisPoints);
      const auto c = committed.contains(s.key) ? committed[s.key][i] : proto::Kilowatts{};
      const auto room = usable - c;
      req.participants.push_back(
          {KindOf(s), s.key, s.operator_id, s.potential[i], room.units() > 0 ? room : proto::Kilowatts{}});
    }
    auto a = Allocate(req);
    if (!a.ok()) return a.status();
    for (const auto& item : a->items) {
      if (item.allocated.units() <= 0) continue;
      auto& e = extra[item.id];
      e.resize(spec.windows.size());
      e[i] = item.allocated;
      why[item.id].push_back(WindowText(spec.windows[i]) + " re-dispatch: " + ExplainText(item, a->covered) +
                             ", after what it already holds");
      total = total + item.allocated;
    }
  }
  if (total.units() <= 0) {
    uncovered_alarm("no operator has usable potential left");
    return Status::Ok();
  }
  ++d.doc.rounds;
  d.doc.uncovered_alarmed = false;
  for (const auto& s : *scopes) {
    auto e = extra.find(s.key);
    if (e == extra.end()) continue;
    Reg* live = LiveOf(d, s.key);
    std::vector<proto::AdjustTarget> targets;
    for (std::size_t i = 0; i < spec.windows.size(); ++i) {
      const auto& w = spec.windows[i];
      const auto held = live ? TargetIn(live->doc.accepted, w) : proto::Kilowatts{};
      const auto kw = held + e->second[i];
      if (kw.units() > 0) targets.push_back({kw, w.start_time, w.end_time});
    }
    std::vector<std::string> explanation = live ? live->doc.explanation : std::vector<std::string>{};
    explanation.insert(explanation.end(), why[s.key].begin(), why[s.key].end());
    VGI_RETURN_IF_ERROR(SendInstruction(d, out, s, live ? proto::SynchroType::kChange : proto::SynchroType::kNew,
                                        std::move(targets), std::move(explanation), d.doc.rounds,
                                        live ? live->row.regulation_id : ""));
  }
  ++out.stats.redispatched;
  Event(d, "re-dispatch round " + std::to_string(d.doc.rounds) + ": shortfall " + gap + "; " + total.ToString() +
               " kW asked of " + std::to_string(extra.size()) + " participant(s)");
  return Status::Ok();
}

}  // namespace vgi::engine
