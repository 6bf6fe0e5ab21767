// `vgi bench --scenario measure`: the engine's measurement step with the store (issue 5: "a
// day's baseline and response for 30 000 stations <= 5 s"). The fleet of `--scenario decompose`
// (bench_fleet.hpp: --operators x --stations, --history-days past days and today's power up to
// now) is measured by engine::Regulator with its default baseline (high 5 of 10 similar days
// over 60 days, with the RRMSE back-test) on an engine clock the bench moves: each case's demand
// is made for a 60-minute window earlier today (the cases one after the other), decomposed, accepted by every operator
// (their callback_task_overview written as the server would), started, watched, and measured by
// one Tick 6 minutes after the window's end — that Tick is timed (every instruction's baseline
// with its back-test, response, deviation and settlement, and the store reads they need). Cases:
// scope all (one operator-wide instruction per operator: its history is the store's operator-day
// sums), scope areas 1201 (one instruction per station in the area: each reads its station's
// history), every station on its own (scope: the fleet's four provinces) and the fleet's four
// markets (one instruction per operator measured on its stations' histories). The engine's first tick of the day, which sums the past days the measurement reads,
// is timed apart (first_tick_ms). With --data-dir holding a fleet from an earlier run of the same
// size, the model and history are reused and only today's power is loaded again.
#include <algorithm>
#include <cstdio>
#include <mutex>

#include "bench_fleet.hpp"
#include "bench_internal.hpp"
#include "commands.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::app::bench {
namespace {

using namespace std::chrono_literals;

// The engine's clock, set by the bench (the store keeps the real one for its own times).
class StepClock final : public Clock {
 public:
  explicit StepClock(SystemTime t) : t_(t) {}
  [[nodiscard]] SystemTime Now() const override {
    std::lock_guard lock(mu_);
    return t_;
  }
  void Set(SystemTime t) {
    std::lock_guard lock(mu_);
    t_ = t;
  }

 private:
  mutable std::mutex mu_;
  SystemTime t_;
};

SystemTime TimeOf(proto::BeijingMinute m) { return proto::ToSystemTime(m); }

// Every operator accepts every instruction of the demand waiting in the outbox (its send_task is
// left pending: the engine takes answers from the callbacks, which the server would have stored).
Result<int> AcceptAll(store::Store& store, const Clock& clock, const std::string& task_id) {
  store::OutboxFilter f;
  f.state = store::OutboxState::kPending;
  f.limit = 1'000'000;
  VGI_ASSIGN_OR_RETURN(const auto pending, store.ListOutbox(f));
  store::WriteBatch batch;
  int accepted = 0;
  for (const auto& c : pending) {
    if (c.interface != proto::Interface::kSendTask || c.task_id != task_id) continue;
    batch.feedback.push_back(store::FeedbackRecord{c.operator_id, c.task_id, c.regulation_id,
                                                   store::FeedbackKind::kOverview, proto::Feedback::kAccept,
                                                   std::nullopt, clock.Now()});
    ++accepted;
    if (batch.feedback.size() == 2000) {
      VGI_RETURN_IF_ERROR(store.Commit(batch));
      batch = store::WriteBatch{};
    }
  }
  if (!batch.empty()) VGI_RETURN_IF_ERROR(store.Commit(batch));
  return accepted;
}

constexpr std::size_t kCases = 4;
// The first case is created this many minutes before now (its window starts 130 per case earlier,
// after an hour for the negotiation).
constexpr int kFirstCreated = 590;

struct CaseResult {
  int instructions = 0;
  int measured = 0;
  double start_tick_ms = 0;    // the window's first minute: every instruction's live reference
  double measure_tick_ms = 0;  // the measurement
  std::string note;            // the last instruction's note (why it was not measured, if so)
};

Result<CaseResult> RunCase(engine::Regulator& regulator, store::Store& store, StepClock& clock,
                           const std::string& name, const engine::DemandScope& scope, std::int64_t stations,
                           proto::BeijingMinute window_start, bool quiet) {
  CaseResult r;
  const proto::BeijingMinute window_end{window_start.minutes + 59};
  clock.Set(TimeOf(proto::BeijingMinute{window_start.minutes - 60}));
  engine::DemandSpec spec;
  spec.task_id = "MEASURE-" + proto::FormatTimeStamp(Clock::System().Now()) + "-" + name;
  spec.type = proto::RegulationType::kPeakShaving;
  spec.scope = scope;
  spec.windows = {{proto::Kilowatts::FromInt(std::max<std::int64_t>(1, stations * 20)), window_start, window_end}};
  spec.created_by = "bench";
  VGI_RETURN_IF_ERROR(regulator.CreateDemand(spec).status());
  VGI_ASSIGN_OR_RETURN(const engine::TickStats sent, regulator.Tick());
  if (sent.demands_dispatched != 1) {
    VGI_ASSIGN_OR_RETURN(const auto view, regulator.GetDemand(spec.task_id));
    return Status::Internal(name + ": the demand was not dispatched: " +
                            (view.events.empty() ? std::string("no event") : view.events.back()));
  }
  r.instructions = sent.instructions_sent;
  clock.Set(TimeOf(proto::BeijingMinute{window_start.minutes - 50}));
  VGI_ASSIGN_OR_RETURN(const int accepted, AcceptAll(store, clock, spec.task_id));
  if (!quiet) std::fprintf(stderr, "  %s: %d instructions sent, %d accepted\n", name.c_str(), r.instructions, accepted);
  VGI_RETURN_IF_ERROR(regulator.Tick().status());

  clock.Set(TimeOf(window_start));
  auto t0 = SteadyClock::now();
  VGI_RETURN_IF_ERROR(regulator.Tick().status());
  r.start_tick_ms = MsSince(t0);
  clock.Set(TimeOf(proto::BeijingMinute{window_end.minutes + 1}));
  VGI_RETURN_IF_ERROR(regulator.Tick().status());  // the watch up to the window's end

  clock.Set(TimeOf(proto::BeijingMinute{window_end.minutes + 6}));  // + the 5 minutes for late data
  t0 = SteadyClock::now();
  VGI_ASSIGN_OR_RETURN(const engine::TickStats measured, regulator.Tick());
  r.measure_tick_ms = MsSince(t0);
  r.measured = measured.measured;
  VGI_ASSIGN_OR_RETURN(const auto view, regulator.GetDemand(spec.task_id));
  if (!view.instructions.empty()) r.note = view.instructions.back().note;
  // Refused measurements are retried every 10 minutes: out of the next case's Ticks (untimed).
  if (r.measured < r.instructions) VGI_RETURN_IF_ERROR(regulator.CancelDemand(spec.task_id, "bench").status());
  return r;
}

}  // namespace

int RunMeasureBench(const Options& o) {
  auto fleet = FleetStore::Open(o, "vgi-bench-measure");
  if (!fleet.ok()) {
    std::fprintf(stderr, "vgi bench measure: %s\n", fleet.status().ToString().c_str());
    return kExitFailed;
  }
  store::Store& store = (*fleet)->store();
  FleetLoader loader(store, o);
  const int operators = loader.operators();
  const int per_op = loader.per_op();
  const auto load0 = SteadyClock::now();
  auto peers = store.ListPeers();
  const bool reuse = !o.data_dir.empty() && peers.ok() && static_cast<int>(peers->size()) == operators;
  if (Status st = reuse ? loader.RunToday() : loader.Run(); !st.ok()) {
    std::fprintf(stderr, "\nvgi bench measure: loading: %s\n", st.ToString().c_str());
    return kExitFailed;
  }
  const double load_s = MsSince(load0) / 1000;
  // The cases one after the other on the engine clock (it never goes back): on today, windows
  // starting 520, 390, 260 and 130 minutes ago; on a past day, at 11:40, 13:50, 16:00 and 18:10.
  // Each is created an hour before it starts and measured 6 minutes after it ends.
  proto::BeijingMinute now = proto::ToBeijingMinute(Clock::System().Now());
  const proto::BeijingDate today = proto::DateOf(now);
  if (!o.event_day.empty()) {
    const auto day = proto::ParseDate(o.event_day);
    if (!day || *day > today || day->days < today.days - o.history_days) {
      std::fprintf(stderr, "vgi bench measure: --event-day %s: use yyyy-MM-dd, today or one of the %d history days\n",
                   o.event_day.c_str(), o.history_days);
      return kExitUsage;
    }
    if (*day < today) now = proto::BeijingMinute{proto::StartOf(*day).minutes + 20 * 60 + 20};
  }
  if (proto::MinuteOfDay(now) < kFirstCreated) {
    std::fprintf(stderr, "vgi bench measure: the windows must lie within today: run it after 09:50 Beijing\n");
    return kExitUsage;
  }

  engine::RegulatorConfig rc;
  rc.forecast_days = 0;  // potential from the latest readings: this bench times measurement
  rc.check_baseline_accuracy = !o.no_accuracy_check;
  StepClock clock(TimeOf(proto::BeijingMinute{now.minutes - kFirstCreated}));
  engine::Regulator regulator(store, clock, rc, nullptr);
  if (reuse) {
    // An earlier run's demands would be worked on by every Tick of this one: cancel them first.
    store::DemandFilter open;
    open.states = {store::DemandState::kDraft, store::DemandState::kDispatched};
    auto left = regulator.ListDemands(open);
    if (!left.ok()) {
      std::fprintf(stderr, "vgi bench measure: %s\n", left.status().ToString().c_str());
      return kExitFailed;
    }
    for (const auto& d : *left) {
      if (Status st = regulator.CancelDemand(d.spec.task_id, "bench: an earlier run's demand").status(); !st.ok()) {
        std::fprintf(stderr, "vgi bench measure: cancelling %s: %s\n", d.spec.task_id.c_str(), st.ToString().c_str());
        return kExitFailed;
      }
    }
  }
  const double rss_before_mb = MaxRssMb();
  const auto w0 = SteadyClock::now();
  auto warm = regulator.Tick();
  const double warm_ms = MsSince(w0);
  if (!warm.ok()) {
    std::fprintf(stderr, "vgi bench measure: the first tick: %s\n", warm.status().ToString().c_str());
    return kExitFailed;
  }
  std::printf(
      "vgi bench measure: %d operators x %d stations (%lld), %d history day(s)%s, store %s, loaded in %.1f s; "
      "baseline %s over %d days, accuracy check %s; 60-minute windows on %s (%s)\n",
      operators, per_op, static_cast<long long>(loader.Total()), o.history_days, reuse ? " (reused)" : "",
      store.backend().data(), load_s, engine::BaselineName(rc.baseline).c_str(), rc.baseline.lookback_days,
      rc.check_baseline_accuracy ? "on" : "off", proto::FormatDate(proto::DateOf(now)).c_str(),
      engine::KindOf(proto::DateOf(now), {}) == engine::DayKind::kWeekday ? "a weekday" : "a weekend day");
  std::printf("summary scenario=measure case=first-tick store=%s history_warmed=%d first_tick_ms=%.1f "
              "max_rss_before_mb=%.0f max_rss_after_mb=%.0f\n",
              store.backend().data(), warm->history_warmed, warm_ms, rss_before_mb, MaxRssMb());
  std::fflush(stdout);

  struct Case {
    std::string name;
    engine::DemandScope scope;
    std::int64_t stations;
  };
  const std::vector<Case> cases = {
      {"all", {engine::ScopeKind::kAll, {}}, loader.Total()},
      {std::string("areas-") + kAreaPrefix, {engine::ScopeKind::kAreas, {kAreaPrefix}}, loader.InPrefix()},
      // Every station on its own: the fleet's four provinces (bench_fleet.hpp kAreas).
      {"areas-all", {engine::ScopeKind::kAreas, {"11", "12", "31", "44"}}, loader.Total()},
      // The fleet's four markets: one instruction per operator naming all its stations, each
      // measured on its stations' own histories.
      {"markets-all", {engine::ScopeKind::kMarkets, loader.Markets()}, loader.Total()},
  };
  static_assert(kCases * 130 + 70 == kFirstCreated);
  if (cases.size() != kCases) return kExitFailed;
  int exit_code = kExitOk;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const proto::BeijingMinute window_start{now.minutes - 130 * static_cast<std::int64_t>(cases.size() - i)};
    auto r = RunCase(regulator, store, clock, c.name, c.scope, c.stations, window_start, o.quiet);
    if (!r.ok()) {
      std::fprintf(stderr, "vgi bench measure %s: %s\n", c.name.c_str(), r.status().ToString().c_str());
      exit_code = kExitFailed;
      continue;
    }
    std::printf(
        "summary scenario=measure case=%s store=%s operators=%d stations=%lld in_scope=%lld history_days=%d "
        "event_day=%s instructions=%d measured=%d start_tick_ms=%.1f measure_tick_ms=%.1f max_rss_mb=%.0f\n",
        c.name.c_str(), store.backend().data(), operators, static_cast<long long>(loader.Total()),
        static_cast<long long>(c.stations), o.history_days, proto::FormatDate(proto::DateOf(now)).c_str(),
        r->instructions, r->measured, r->start_tick_ms,
        r->measure_tick_ms, MaxRssMb());
    if (r->measured != r->instructions) {
      std::printf("  NOTE %s: %d of %d instruction(s) measured; the last one says: %s\n", c.name.c_str(), r->measured,
                  r->instructions, r->note.c_str());
    }
    std::fflush(stdout);
  }
  return exit_code;
}

}  // namespace vgi::app::bench
