// The console API's read-only business routes (api_internal.hpp): the overview (load and
// potential now, by operator and area), the day's aggregated curve, operators with their data
// quality, and stations with their stakes and 1440-minute curves. Shapes: api/openapi.json.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "api_internal.hpp"
#include "vgi/engine/potential.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::console::api {
namespace {

constexpr int kFreshMinutes = 15;  // a reading older than this offers no potential (engine default)

std::string Key(std::string_view op, std::string_view code) {
  std::string k(op);
  k.push_back('/');
  k.append(code);
  return k;
}

proto::BeijingMinute NowMinute(const Services& s) {
  return proto::ToBeijingMinute(s.clock.Now());
}

// The `day` query parameter (default today, Beijing).
Result<proto::BeijingDate> DayParam(const Services& s, const Call& call) {
  const auto raw = call.query.Get("day");
  if (!raw || raw->empty()) return proto::DateOf(NowMinute(s));
  const auto d = proto::ParseDate(*raw);
  if (!d) return Status::Invalid("day: \"" + *raw + "\" is not a date; use yyyy-MM-dd (Beijing)");
  return *d;
}

ApiResponse Invalid(const Status& st, std::string_view field) {
  return ErrorResponse(400, st.message(), field);
}

void WriteTotals(JsonOut& out, const engine::PotentialTotals& t, const std::string* name) {
  out.StartObject().Key("key").String(t.key);
  if (name != nullptr) out.Key("name").String(*name);
  out.Key("stations").Int(static_cast<std::int64_t>(t.stations));
  out.Key("load_kw").Kw(t.load).Key("top_kw").Kw(t.top).Key("bottom_kw").Kw(t.bottom);
  out.Key("down_kw").Kw(t.down).Key("up_kw").Kw(t.up);
  out.EndObject();
}

void WriteCentiKw(JsonOut& out, std::int64_t centi) {
  out.Kw(proto::Kilowatts::FromUnits(centi));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StakeRetired(const store::StationRecord& rec, const std::string& code) {
  return std::find(rec.retired_stake_codes.begin(), rec.retired_stake_codes.end(), code) !=
         rec.retired_stake_codes.end();
}

std::int64_t CurrentStakes(const store::StationRecord& rec) {
  std::int64_t n = 0;
  for (const auto& k : rec.station.stakes) n += StakeRetired(rec, k.code) ? 0 : 1;
  return n;
}

// The StationItem fields (without the closing brace: GetStation appends its own).
void WriteStationFields(JsonOut& out, const store::StationRecord& rec, const store::LatestPower* latest,
                        bool sensitive) {
  const proto::Station& st = rec.station;
  proto::Kilowatts rated;
  for (const auto& k : st.stakes) {
    if (!StakeRetired(rec, k.code)) rated = rated + k.rated_power;
  }
  out.Key("operator_id").String(rec.operator_id).Key("station_code").String(st.code);
  out.Key("name").String(sensitive ? st.name : Mask(st.name));
  out.Key("area_code").String(st.area_code);
  out.Key("address").String(sensitive ? st.address : Mask(st.address));
  out.Key("state").Int(static_cast<int>(st.state));
  out.Key("stakes").Int(CurrentStakes(rec));
  out.Key("rated_kw").Kw(rated);
  out.Key("latest");
  if (latest == nullptr) {
    out.Null();
  } else {
    out.StartObject().Key("at").String(proto::FormatMinute(latest->at)).Key("kw").Kw(latest->power);
    out.Key("top_kw").Kw(latest->adjust_top_power).Key("bottom_kw").Kw(latest->adjust_bottom_power).EndObject();
  }
}

bool Sensitive(const Call& call) {
  return Allows(call.caller.roles, Permission::kReadSensitive);
}

}  // namespace

ApiResponse GetOverview(Services& s, Call& call) {
  auto digits = IntParam(call, "area_digits", 2, 6, "must be 2 (province), 4 (city) or 6 (county)");
  if (!digits.ok()) return Invalid(digits.status(), "area_digits");
  const int area_digits = static_cast<int>(digits->value_or(s.config.area_digits));
  if (area_digits != 2 && area_digits != 4 && area_digits != 6) {
    return ErrorResponse(400, "area_digits: must be 2 (province), 4 (city) or 6 (county)", "area_digits");
  }
  const proto::BeijingMinute now = NowMinute(s);

  auto peers = s.store.ListPeers();
  if (!peers.ok()) return StatusResponse(s, peers.status());
  // Only the active stations of enabled peers count (ListLatestPower includes retired ones).
  std::vector<engine::AreaOf> areas;
  std::unordered_set<std::string> active;
  std::vector<const store::PeerRow*> enabled;
  for (const auto& p : *peers) {
    if (!p.enabled) continue;
    enabled.push_back(&p);
    auto index = s.store.ListStationIndex(p.operator_id);
    if (!index.ok()) return StatusResponse(s, index.status());
    for (auto& e : *index) {
      active.insert(Key(p.operator_id, e.station_code));
      areas.push_back({p.operator_id, e.station_code, e.area_code});
    }
  }
  auto latest = s.store.ListLatestPower("");
  if (!latest.ok()) return StatusResponse(s, latest.status());
  std::vector<engine::StationReading> readings;
  for (const auto& l : *latest) {
    if (!active.contains(Key(l.operator_id, l.station_code))) continue;
    if (auto r = engine::ReadingOf(l, now, kFreshMinutes)) readings.push_back(std::move(*r));
  }
  const engine::PotentialSummary sum = engine::SummarizePotential(readings, areas, area_digits);

  store::DemandFilter df;
  df.states = {store::DemandState::kDraft, store::DemandState::kDispatched};
  df.limit = 1000000;
  auto demands = s.store.ListDemands(df);
  if (!demands.ok()) return StatusResponse(s, demands.status());
  store::RegulationFilter rf;
  rf.states = {static_cast<int>(engine::RegulationState::kSent), static_cast<int>(engine::RegulationState::kAccepted),
               static_cast<int>(engine::RegulationState::kPartial),
               static_cast<int>(engine::RegulationState::kExecuting)};
  rf.limit = 10000000;
  auto regulations = s.store.ListRegulations(rf);
  if (!regulations.ok()) return StatusResponse(s, regulations.status());
  auto alarms = s.store.ListAlarms(false);
  if (!alarms.ok()) return StatusResponse(s, alarms.status());
  const auto open = std::count_if(alarms->begin(), alarms->end(),
                                  [](const store::AlarmRow& a) { return a.state == store::AlarmState::kOpen; });

  JsonOut out;
  out.StartObject().Key("at").String(proto::FormatMinute(now));
  out.Key("total");
  WriteTotals(out, sum.total, nullptr);
  // Every enabled operator, those without a live reading with zeros (the console shows them).
  out.Key("by_operator").StartArray();
  for (const store::PeerRow* p : enabled) {
    engine::PotentialTotals zero;
    zero.key = p->operator_id;
    const engine::PotentialTotals* t = &zero;
    for (const auto& o : sum.by_operator) {
      if (o.key == p->operator_id) t = &o;
    }
    WriteTotals(out, *t, &p->name);
  }
  out.EndArray();
  out.Key("by_area").StartArray();
  for (const auto& a : sum.by_area) WriteTotals(out, a, nullptr);
  out.EndArray();
  out.Key("demands_active").Int(static_cast<std::int64_t>(demands->size()));
  out.Key("instructions_active").Int(static_cast<std::int64_t>(regulations->size()));
  out.Key("alarms_open").Int(open);
  out.EndObject();
  return JsonResponse(200, out.Take());
}

ApiResponse GetOverviewCurve(Services& s, Call& call) {
  auto day = DayParam(s, call);
  if (!day.ok()) return Invalid(day.status(), "day");
  auto peers = s.store.ListPeers();
  if (!peers.ok()) return StatusResponse(s, peers.status());
  // The enabled operators' operator-day sums added minute by minute: what engine::PotentialByTime
  // gives over their station-days (the store sums each operator's day the same way).
  store::OperatorDay c;
  for (const auto& p : *peers) {
    if (!p.enabled) continue;
    auto d = s.store.ListOperatorDays(p.operator_id, *day, *day);
    if (!d.ok()) return StatusResponse(s, d.status());
    for (const store::OperatorDay& od : *d) {
      const std::size_t n = c.load.size();
      if (od.day != *day || od.load.size() != n || od.down.size() != n || od.up.size() != n || od.present.size() != n) {
        continue;
      }
      for (std::size_t m = 0; m < n; ++m) {
        c.load[m] += od.load[m];
        c.down[m] += od.down[m];
        c.up[m] += od.up[m];
        c.present[m] += od.present[m];
      }
    }
  }
  JsonOut out;
  out.StartObject().Key("day").String(proto::FormatDate(*day));
  out.Key("load_kw").StartArray();
  for (auto v : c.load) WriteCentiKw(out, v);
  out.EndArray().Key("down_kw").StartArray();
  for (auto v : c.down) WriteCentiKw(out, v);
  out.EndArray().Key("up_kw").StartArray();
  for (auto v : c.up) WriteCentiKw(out, v);
  out.EndArray().Key("stations_present").StartArray();
  for (auto v : c.present) out.Int(v);
  out.EndArray().EndObject();
  return JsonResponse(200, out.Take());
}

ApiResponse GetOperators(Services& s, Call& /*call*/) {
  const proto::BeijingMinute now = NowMinute(s);
  const proto::BeijingDate today = proto::DateOf(now);
  const proto::BeijingDate yesterday{today.days - 1};
  // The last 24 h are the 1440 complete minutes before the current one: today's minutes before
  // `now` and yesterday's from the same minute of day on.
  const int cut = proto::MinuteOfDay(now);
  auto peers = s.store.ListPeers();
  if (!peers.ok()) return StatusResponse(s, peers.status());
  auto latest = s.store.ListLatestPower("");
  if (!latest.ok()) return StatusResponse(s, latest.status());
  std::unordered_set<std::string> fresh;
  for (const auto& l : *latest) {
    if (engine::ReadingOf(l, now, kFreshMinutes)) fresh.insert(Key(l.operator_id, l.station_code));
  }

  JsonOut out;
  out.StartArray();
  for (const auto& p : *peers) {
    auto stations = s.store.ListStations(p.operator_id, false);
    if (!stations.ok()) return StatusResponse(s, stations.status());
    std::unordered_set<std::string> codes;
    std::int64_t stakes = 0, reporting = 0;
    for (const auto& rec : *stations) {
      codes.insert(rec.station.code);
      stakes += CurrentStakes(rec);
      reporting += fresh.contains(Key(p.operator_id, rec.station.code)) ? 1 : 0;
    }
    // Present station-minutes from the operator-day sums. They do not name stations, so a retired
    // station's data (kept for its days) now counts too; capping at the possible count keeps the
    // figure at most 100 %.
    std::int64_t present = 0;
    const auto possible = static_cast<std::int64_t>(codes.size()) * store::kMinutesPerDay;
    if (!codes.empty()) {
      auto days = s.store.ListOperatorDays(p.operator_id, yesterday, today);
      if (!days.ok()) return StatusResponse(s, days.status());
      for (const store::OperatorDay& d : *days) {
        if (d.day != yesterday && d.day != today) continue;
        const int from = d.day == yesterday ? cut : 0;
        const int to = d.day == yesterday ? store::kMinutesPerDay : cut;
        for (int m = from; m < to && static_cast<std::size_t>(m) < d.present.size(); ++m) {
          present += d.present[static_cast<std::size_t>(m)];
        }
      }
      present = std::min(present, possible);
    }
    double quality = 0;
    if (!codes.empty()) {
      quality = std::round(static_cast<double>(present) * 1000.0 / static_cast<double>(possible)) / 10.0;
    }
    out.StartObject().Key("operator_id").String(p.operator_id).Key("name").String(p.name);
    out.Key("enabled").Bool(p.enabled).Key("stations").Int(static_cast<std::int64_t>(codes.size()));
    out.Key("stakes").Int(stakes).Key("stations_reporting").Int(reporting);
    out.Key("quality_24h_percent").Number(quality).Key("quality_ok").Bool(!codes.empty() && quality >= 95.0);
    out.EndObject();
  }
  out.EndArray();
  return JsonResponse(200, out.Take());
}

ApiResponse GetStations(Services& s, Call& call) {
  auto page = IntParam(call, "page", 1, 1000000000, "must be a page number from 1");
  if (!page.ok()) return Invalid(page.status(), "page");
  auto size = IntParam(call, "page_size", 1, 200, "must be from 1 to 200");
  if (!size.ok()) return Invalid(size.status(), "page_size");
  const std::int64_t page_no = page->value_or(1);
  const std::int64_t page_size = size->value_or(50);
  const std::string op_filter = call.query.Get("operator").value_or("");
  const std::string q = Lower(call.query.Get("q").value_or(""));
  const bool sensitive = Sensitive(call);

  auto peers = s.store.ListPeers();
  if (!peers.ok()) return StatusResponse(s, peers.status());
  std::int64_t total = 0;
  const std::int64_t first = (page_no - 1) * page_size;
  JsonOut items;
  items.StartArray();
  for (const auto& p : *peers) {  // ordered by operator, stations by code
    if (!op_filter.empty() && p.operator_id != op_filter) continue;
    auto stations = s.store.ListStations(p.operator_id, false);
    if (!stations.ok()) return StatusResponse(s, stations.status());
    std::optional<std::unordered_map<std::string, store::LatestPower>> latest;
    for (const auto& rec : *stations) {
      const auto& st = rec.station;
      // The name is searched only for those who may read it: a search would reveal it otherwise.
      if (!q.empty() && Lower(st.code).find(q) == std::string::npos && st.area_code.find(q) == std::string::npos &&
          !(sensitive && Lower(st.name).find(q) != std::string::npos)) {
        continue;
      }
      const std::int64_t n = total++;
      if (n < first || n >= first + page_size) continue;
      if (!latest) {
        auto rows = s.store.ListLatestPower(p.operator_id);
        if (!rows.ok()) return StatusResponse(s, rows.status());
        latest.emplace();
        for (auto& l : *rows) latest->emplace(l.station_code, std::move(l));
      }
      const auto it = latest->find(st.code);
      items.StartObject();
      WriteStationFields(items, rec, it == latest->end() ? nullptr : &it->second, sensitive);
      items.EndObject();
    }
  }
  items.EndArray();
  JsonOut out;
  out.StartObject().Key("total").Int(total).Key("page").Int(page_no).Key("page_size").Int(page_size);
  const std::string list = items.Take();
  out.Key("items").w().RawValue(list.data(), list.size(), rapidjson::kArrayType);
  out.EndObject();
  return JsonResponse(200, out.Take());
}

ApiResponse GetStation(Services& s, Call& call) {
  const std::string& op = call.params.at(0);
  const std::string& code = call.params.at(1);
  auto rec = s.store.GetStation(op, code);
  if (!rec.ok()) return StatusResponse(s, rec.status());
  if (!*rec) return ErrorResponse(404, "no such station " + op + "/" + code + " (see the station list)");
  auto latest = s.store.ListLatestPower(op);
  if (!latest.ok()) return StatusResponse(s, latest.status());
  const store::LatestPower* mine = nullptr;
  for (const auto& l : *latest) {
    if (l.station_code == code) mine = &l;
  }
  const bool sensitive = Sensitive(call);
  const store::StationRecord& r = **rec;
  JsonOut out;
  out.StartObject();
  WriteStationFields(out, r, mine, sensitive);
  out.Key("credit_code").String(sensitive ? r.station.credit_code : Mask(r.station.credit_code));
  out.Key("stakes_list").StartArray();
  for (const auto& k : r.station.stakes) {
    out.StartObject().Key("code").String(k.code).Key("type").Int(static_cast<int>(k.type));
    out.Key("state").Int(static_cast<int>(k.operating_state)).Key("rated_kw").Kw(k.rated_power);
    out.Key("top_kw").Kw(k.top_power).Key("bottom_kw").Kw(k.bottom_power);
    out.Key("retired").Bool(StakeRetired(r, k.code)).EndObject();
  }
  out.EndArray().EndObject();
  return JsonResponse(200, out.Take());
}

ApiResponse GetStationCurve(Services& s, Call& call) {
  const std::string& op = call.params.at(0);
  const std::string& code = call.params.at(1);
  auto day = DayParam(s, call);
  if (!day.ok()) return Invalid(day.status(), "day");
  auto d = s.store.GetStationDay(op, code, *day);
  if (!d.ok()) return StatusResponse(s, d.status());
  if (!*d) {
    return ErrorResponse(404, "no power data for station " + op + "/" + code + " on " + proto::FormatDate(*day));
  }
  const store::StationDay& sd = **d;
  JsonOut out;
  out.StartObject().Key("operator_id").String(op).Key("station_code").String(code);
  out.Key("day").String(proto::FormatDate(*day)).Key("kw").StartArray();
  for (std::size_t m = 0; m < store::kMinutesPerDay; ++m) {
    if (sd.present.test(m) && m < sd.centi_kw.size()) {
      WriteCentiKw(out, sd.centi_kw[m]);
    } else {
      out.Null();
    }
  }
  out.EndArray().Key("top_kw").Kw(sd.adjust_top_power).Key("bottom_kw").Kw(sd.adjust_bottom_power);
  out.Key("present_minutes").Int(static_cast<std::int64_t>(sd.present.count())).EndObject();
  return JsonResponse(200, out.Take());
}

}  // namespace vgi::console::api
