// `vgi bench --scenario console`: the dispatcher console's data calls with the store (issue 6:
// "every page's data call <= 1 s with 300 000 stakes loaded; a day's aggregated curve for all
// stations <= 1 s"). The fleet of `--scenario decompose` (bench_fleet.hpp: --operators x
// --stations x --stakes-per-station, today's power of every station up to now and
// --history-days past days, default 1 so yesterday exists for the 24 h data quality) plus what
// the pages show: console users, demands made through engine::Regulator (some decomposed by a
// Tick so instructions exist, two of those cancelled, the rest drafts), alarms (some
// acknowledged, one closed) and about 1000 audit rows. Then console::AdminApi over that store
// is called in-process like a browser would (POST /api/v1/login, the session cookie and CSRF
// token) and every GET a page makes is timed --repeat times, one route after the other (the
// curves also for yesterday, a whole day; the demand page also for a scope-areas demand, one
// instruction per station in scope). Every call must answer 200. The HTTP server and TLS are not
// included: Handle's wall time only.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_fleet.hpp"
#include "bench_internal.hpp"
#include "commands.hpp"
#include "vgi/base/random.hpp"
#include "vgi/console/admin_api.hpp"
#include "vgi/console/password.hpp"
#include "vgi/console/roles.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::app::bench {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "Bench-Console-2026";
constexpr int kDemands = 20;
constexpr int kDispatchedDemands = 8;  // the first ones, decomposed by one Tick
constexpr int kCancelledDemands = 2;   // of those
constexpr int kAlarms = 12;
constexpr int kAuditRows = 1000;

// ---- seeding -----------------------------------------------------------------------------------

Status PutUsers(store::Store& store) {
  using console::Role;
  const std::pair<const char*, console::RoleSet> users[] = {
      {"dispatcher1", console::ToSet({Role::kDispatcher})}, {"dispatcher2", console::ToSet({Role::kDispatcher})},
      {"viewer1", console::ToSet({Role::kViewer})},         {"sysadmin1", console::ToSet({Role::kSystemAdmin})},
      {"secadmin1", console::ToSet({Role::kSecurityAdmin})}, {"auditor1", console::ToSet({Role::kAuditor})},
  };
  for (const auto& [name, roles] : users) {
    store::UserRow u;
    u.username = name;
    u.display_name = std::string("Bench ") + name;
    // The production parameters: login costs what it costs a browser.
    VGI_ASSIGN_OR_RETURN(u.password_hash, console::HashPassword(kPassword, RandomSource::System()));
    u.roles = roles;
    u.created_at = u.updated_at = u.password_changed_at = Clock::System().Now();
    VGI_RETURN_IF_ERROR(store.PutUser(u).WithPrefix(std::string("user ") + name));
  }
  return Status::Ok();
}

// Demands of every scope kind the fleet offers; the first kDispatchedDemands are decomposed by a
// Tick (kCancelledDemands of them cancelled after), the rest stay drafts. Returns a dispatched
// scope-all demand's task_id (the "one demand" page; 1 instruction per operator) and one of scope
// areas 1201 (one instruction per station in scope: the biggest demand page), and sets
// `dispatched` to the Tick's count.
struct OneDemands {
  std::string all, areas;
};
Result<OneDemands> PutDemands(engine::Regulator& regulator, const FleetLoader& fleet, int& dispatched) {
  const std::string stamp = proto::FormatTimeStamp(Clock::System().Now());
  std::vector<std::string> ids;
  OneDemands one;
  auto create = [&](int i) -> Status {
    engine::DemandSpec spec;
    spec.task_id = "BENCH-" + stamp + "-" + std::to_string(i + 1);
    spec.type = i % 5 == 4 ? proto::RegulationType::kValleyFilling : proto::RegulationType::kPeakShaving;
    std::int64_t in_scope = fleet.Total();
    switch (i % 3) {
      case 0:
        spec.scope = {engine::ScopeKind::kAll, {}};
        break;
      case 1:
        spec.scope = {engine::ScopeKind::kOperators, {OperatorIdOf(i % fleet.operators())}};
        in_scope = fleet.per_op();
        break;
      default:
        spec.scope = {engine::ScopeKind::kAreas, {kAreaPrefix}};
        in_scope = fleet.InPrefix();
        break;
    }
    // Windows an hour apart from 1 h ahead; 5 kW a station in scope (well inside the potential).
    const auto start = proto::StartWithinOneDay(
        proto::ToBeijingMinute(Clock::System().Now() + 1h + std::chrono::minutes(30 * i)), 30);
    spec.windows = {{proto::Kilowatts::FromInt(std::max<std::int64_t>(1, in_scope * 5)), start,
                     proto::BeijingMinute{start.minutes + 29}}};
    spec.created_by = "dispatcher1";
    VGI_ASSIGN_OR_RETURN(const engine::DemandView v, regulator.CreateDemand(spec));
    ids.push_back(v.spec.task_id);
    if (one.all.empty() && spec.scope.kind == engine::ScopeKind::kAll) one.all = v.spec.task_id;
    if (one.areas.empty() && spec.scope.kind == engine::ScopeKind::kAreas) one.areas = v.spec.task_id;
    return Status::Ok();
  };
  for (int i = 0; i < std::min(kDispatchedDemands, kDemands); ++i) VGI_RETURN_IF_ERROR(create(i));
  VGI_ASSIGN_OR_RETURN(const engine::TickStats stats, regulator.Tick());
  dispatched = stats.demands_dispatched;
  // Cancel the last dispatched ones (not those of `one`, the first of their kinds).
  for (int k = 0; k < kCancelledDemands && k + 1 < static_cast<int>(ids.size()); ++k) {
    VGI_RETURN_IF_ERROR(regulator.CancelDemand(ids[ids.size() - 1 - static_cast<std::size_t>(k)], "bench").status());
  }
  for (int i = kDispatchedDemands; i < kDemands; ++i) VGI_RETURN_IF_ERROR(create(i));
  return one;
}

Status PutAlarms(store::Store& store) {
  static const char* const kTypes[] = {"outbox.dead_letter", "power.stale", "regulation.shortfall",
                                       "settlement.push_failed"};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kAlarms; ++i) {
    store::AlarmRow a;
    a.type = kTypes[i % 4];
    a.object = OperatorIdOf(i) + "/REG-" + std::to_string(i + 1);
    a.level = static_cast<store::AlarmLevel>(1 + i % 4);
    a.module = i % 2 == 0 ? "relay" : "engine";
    a.title = std::string("Bench alarm ") + a.type;
    a.detail = "raised by vgi bench --scenario console";
    a.first_at = a.last_at = Clock::System().Now() - std::chrono::minutes(kAlarms - i);
    VGI_ASSIGN_OR_RETURN(const store::AlarmRow stored, store.RaiseAlarm(a));
    ids.push_back(stored.id);
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i % 4 == 1) VGI_RETURN_IF_ERROR(store.SetAlarmState(ids[i], store::AlarmState::kAcknowledged));
    if (i == 3) VGI_RETURN_IF_ERROR(store.SetAlarmState(ids[i], store::AlarmState::kClosed));
  }
  return Status::Ok();
}

Status PutAudit(store::Store& store, const FleetLoader& fleet) {
  static const char* const kOps[] = {"login", "demand.create", "demand.change", "demand.cancel", "alarm.ack", "logout"};
  for (int i = 0; i < kAuditRows; ++i) {
    store::AuditRow r;
    r.at = Clock::System().Now() - std::chrono::seconds(kAuditRows - i);
    r.username = i % 7 == 0 ? "viewer1" : "dispatcher1";
    r.source = "10.0.0." + std::to_string(1 + i % 200);
    r.operation = kOps[i % 6];
    r.object = i % 6 == 0 || i % 6 == 5 ? "user:" + r.username : "demand:BENCH-" + std::to_string(i);
    r.result = i % 50 == 0 ? "refused: bench" : "ok";
    r.detail = "station " + StationCode(kFleetCodePrefix, i % std::max<std::int64_t>(1, fleet.Total()));
    VGI_RETURN_IF_ERROR(store.AppendAudit(r).status().WithPrefix("audit row " + std::to_string(i + 1)));
  }
  return Status::Ok();
}

// ---- the browser -------------------------------------------------------------------------------

struct Session {
  std::string cookie;  // "vgi_session=…"
  std::string csrf;
};

Result<Session> Login(console::AdminApi& api, const std::string& username) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("username");
  w.String(username.c_str());
  w.Key("password");
  w.String(kPassword);
  w.EndObject();
  console::ApiRequest req;
  req.method = "POST";
  req.path = "/api/v1/login";
  req.body = buf.GetString();
  req.remote_ip = "127.0.0.1";
  const console::ApiResponse r = api.Handle(req);
  if (r.status != 200) {
    return Status::Internal("login " + username + ": answered " + std::to_string(r.status) + ": " + r.body);
  }
  Session s;
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie") s.cookie = v.substr(0, v.find(';'));
  }
  simdjson::ondemand::parser parser;
  simdjson::padded_string body(r.body);
  simdjson::ondemand::document doc;
  std::string_view csrf;
  if (parser.iterate(body).get(doc) != simdjson::SUCCESS || doc["csrf_token"].get_string().get(csrf) != simdjson::SUCCESS) {
    return Status::Internal("login " + username + ": no csrf_token in " + r.body);
  }
  s.csrf = std::string(csrf);
  if (s.cookie.empty()) return Status::Internal("login " + username + ": no Set-Cookie");
  return s;
}

struct RouteCase {
  std::string name;  // what the summary calls it
  const Session* session;
  std::string path;
  std::string query;
};

struct RouteResult {
  std::vector<double> ms;
  std::size_t bytes = 0;
};

// Calls the route `repeat` times; Internal naming the route unless every answer is 200.
Result<RouteResult> TimeRoute(console::AdminApi& api, const RouteCase& c, int repeat) {
  RouteResult r;
  for (int i = 0; i < repeat; ++i) {
    console::ApiRequest req;
    req.method = "GET";
    req.path = c.path;
    req.query = c.query;
    req.cookie = c.session->cookie;
    req.csrf_token = c.session->csrf;  // a browser's fetch sends it on every call
    req.remote_ip = "127.0.0.1";
    const auto t0 = SteadyClock::now();
    const console::ApiResponse answer = api.Handle(req);
    r.ms.push_back(MsSince(t0));
    if (answer.status != 200) {
      return Status::Internal(c.name + " (GET " + c.path + (c.query.empty() ? "" : "?" + c.query) + "): answered " +
                              std::to_string(answer.status) + ": " + answer.body.substr(0, 300));
    }
    r.bytes = answer.body.size();
  }
  return r;
}

int Fail(const char* what, const Status& st) {
  std::fprintf(stderr, "\nvgi bench console: %s: %s\n", what, st.ToString().c_str());
  return kExitFailed;
}

}  // namespace

int RunConsoleBench(const Options& o) {
  auto fleet = FleetStore::Open(o, "vgi-bench-console");
  if (!fleet.ok()) return Fail("opening the store", fleet.status());
  store::Store& store = (*fleet)->store();
  FleetLoader loader(store, o);
  const int operators = loader.operators();
  const int per_op = loader.per_op();
  const auto load0 = SteadyClock::now();
  if (Status st = loader.Run(); !st.ok()) {
    return Fail(o.database.empty() ? "loading" : "loading (--database should name an empty database)", st);
  }
  const double load_s = MsSince(load0) / 1000;

  engine::RegulatorConfig rc;
  rc.forecast_days = o.history_days > 0 ? 5 : 0;
  engine::Regulator regulator(store, Clock::System(), rc, nullptr);
  const auto seed0 = SteadyClock::now();
  if (!o.quiet) std::fprintf(stderr, "  seeding: the first Tick (today's forecasts)\n");
  if (auto warm = regulator.Tick(); !warm.ok()) return Fail("the first tick", warm.status());
  if (!o.quiet) std::fprintf(stderr, "  seeding: users, %d demands (a Tick decomposes %d)\n", kDemands, kDispatchedDemands);
  if (Status st = PutUsers(store); !st.ok()) return Fail("users", st);
  int dispatched = 0;
  auto one_demand = PutDemands(regulator, loader, dispatched);
  if (!one_demand.ok()) return Fail("demands", one_demand.status());
  if (one_demand->all.empty() || one_demand->areas.empty()) {
    return Fail("demands", Status::Internal("no scope-all or scope-areas demand was made"));
  }
  if (!o.quiet) std::fprintf(stderr, "  seeding: %d alarms, %d audit rows\n", kAlarms, kAuditRows);
  if (Status st = PutAlarms(store); !st.ok()) return Fail("alarms", st);
  if (Status st = PutAudit(store, loader); !st.ok()) return Fail("audit", st);
  const double seed_s = MsSince(seed0) / 1000;

  console::AdminApi api(store, regulator, Clock::System(), RandomSource::System(), console::ApiConfig{}, nullptr);
  const auto login0 = SteadyClock::now();
  auto dispatcher = Login(api, "dispatcher1");
  if (!dispatcher.ok()) return Fail("login", dispatcher.status());
  const double login_ms = MsSince(login0);
  auto sysadmin = Login(api, "sysadmin1");
  if (!sysadmin.ok()) return Fail("login", sysadmin.status());
  auto auditor = Login(api, "auditor1");
  if (!auditor.ok()) return Fail("login", auditor.status());

  // A station in the middle of the fleet.
  const int mid_op = operators / 2;
  const std::string op_id = OperatorIdOf(mid_op);
  const std::string code = StationCode(kFleetCodePrefix, loader.Global(mid_op, per_op / 2));
  const Session* d = &*dispatcher;
  // Today has only the minutes up to now; yesterday (with --history-days) is a whole day.
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(Clock::System().Now()));
  const std::string yesterday = "day=" + proto::FormatDate(proto::BeijingDate{today.days - 1});
  const std::string today_text = proto::FormatDate(today);  // yyyy-MM-dd
  std::vector<RouteCase> cases = {
      {"overview", d, "/api/v1/overview", ""},
      {"overview/curve", d, "/api/v1/overview/curve", ""},
      {"overview/curve?day=yesterday", d, "/api/v1/overview/curve", yesterday},
      {"operators", d, "/api/v1/operators", ""},
      {"stations", d, "/api/v1/stations", "page=1&page_size=50"},
      {"stations?q=code", d, "/api/v1/stations", "q=" + code + "&page=1&page_size=50"},
      {"stations?operator=", d, "/api/v1/stations", "operator=" + op_id + "&page=1&page_size=50"},
      {"station", d, "/api/v1/stations/" + op_id + "/" + code, ""},
      {"station/curve", d, "/api/v1/stations/" + op_id + "/" + code + "/curve", ""},
      {"station/curve?day=yesterday", d, "/api/v1/stations/" + op_id + "/" + code + "/curve", yesterday},
      {"demands", d, "/api/v1/demands", ""},
      {"demand", d, "/api/v1/demands/" + one_demand->all, ""},
      {"demand(areas)", d, "/api/v1/demands/" + one_demand->areas, ""},
      {"settlements", d, "/api/v1/settlements", ""},
      {"statements?period=day", d, "/api/v1/statements", "period=day"},
      {"statements?period=month", d, "/api/v1/statements", "period=month"},
      {"reports?period=day", d, "/api/v1/reports", "period=day&date=" + today_text},
      {"reports?period=month", d, "/api/v1/reports", "period=month&date=" + today_text.substr(0, 7)},
      {"reports?period=year", d, "/api/v1/reports", "period=year&date=" + today_text.substr(0, 4)},
      {"alarms", d, "/api/v1/alarms", ""},
      {"users", &*sysadmin, "/api/v1/users", ""},
      {"audit", &*auditor, "/api/v1/audit", "limit=200"},
      {"audit/verify", &*auditor, "/api/v1/audit/verify", ""},
  };
  if (o.history_days < 1) {
    std::erase_if(cases, [](const RouteCase& c) { return c.name.ends_with("?day=yesterday"); });
  }
  std::printf(
      "vgi bench console: %d operators x %d stations (%lld) x %d stakes (%lld stakes), %d history day(s), store %s, "
      "loaded in %.1f s, seeded in %.1f s (%d demands, %d decomposed by a Tick, %d alarms, %d audit rows); "
      "dispatcher login %.0f ms; each route %d time(s), in-process AdminApi::Handle\n",
      operators, per_op, static_cast<long long>(loader.Total()), o.stakes_per_station,
      static_cast<long long>(loader.Total() * o.stakes_per_station), o.history_days, store.backend().data(), load_s,
      seed_s, kDemands, dispatched, kAlarms, kAuditRows, login_ms, o.repeat);
  std::fflush(stdout);
  double worst_p50 = -1;
  std::string worst;
  for (const auto& c : cases) {
    if (!o.quiet) std::fprintf(stderr, "  timing %s\n", c.name.c_str());
    auto r = TimeRoute(api, c, o.repeat);
    if (!r.ok()) return Fail("a page's call failed", r.status());
    const double p50 = Percentile(r->ms, 0.5);
    std::printf("summary scenario=console route=%s p50_ms=%.2f max_ms=%.2f first_ms=%.2f bytes=%zu\n", c.name.c_str(),
                p50, Percentile(r->ms, 1.0), r->ms.front(), r->bytes);
    std::fflush(stdout);
    if (p50 > worst_p50) {
      worst_p50 = p50;
      worst = c.name;
    }
  }
  std::printf(
      "summary scenario=console store=%s operators=%d stations=%lld stakes=%lld history_days=%d repeat=%d "
      "load_s=%.1f routes=%zu worst_route=%s worst_p50_ms=%.2f max_rss_mb=%.0f\n",
      store.backend().data(), operators, static_cast<long long>(loader.Total()),
      static_cast<long long>(loader.Total() * o.stakes_per_station), o.history_days, o.repeat, load_s, cases.size(),
      worst.c_str(), worst_p50, MaxRssMb());
  return kExitOk;
}

}  // namespace vgi::app::bench
