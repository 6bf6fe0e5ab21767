// `vgi potential`: how far the stations can move their load now, from the store the config names
// (issue 5, "Demand and potential"): every enabled peer's stations and today's station-days, the
// latest reading of each (engine::LatestReading) summed by operator or by area
// (engine::SummarizePotential), or per minute of today as CSV (engine::PotentialByTime). Read only.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "vgi/engine/demand.hpp"
#include "vgi/engine/potential.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"

namespace vgi::app {
namespace {

struct PotentialArgs {
  std::string config;
  std::string by = "operator";
  int area_digits = 4;
  std::string type;  // "" = rows by key
  int max_age = 0;   // 0 = the config's engine.reading_max_age_minutes
  bool curve = false;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "vgi potential: %s\n", what.c_str());
  return kExitFailed;
}

std::string Kw(std::int64_t centi_kw) {
  return proto::Kilowatts::FromUnits(centi_kw).ToString();
}

// Everything the views need from the store: readings, areas and today's station-days of the
// enabled peers.
struct Fleet {
  std::vector<engine::StationReading> readings;
  std::vector<engine::AreaOf> areas;
  std::vector<store::StationDay> days;
};

Result<Fleet> ReadFleet(store::Store& store, proto::BeijingMinute now, int max_age) {
  Fleet f;
  VGI_ASSIGN_OR_RETURN(const auto peers, store.ListPeers());
  for (const auto& peer : peers) {
    if (!peer.enabled) continue;
    VGI_ASSIGN_OR_RETURN(const auto stations, store.ListStations(peer.operator_id, false));
    for (const auto& rec : stations) f.areas.push_back({peer.operator_id, rec.station.code, rec.station.area_code});
    VGI_ASSIGN_OR_RETURN(auto days, store.ListStationDays(peer.operator_id, proto::DateOf(now)));
    for (auto& d : days) {
      if (auto r = engine::LatestReading(d, now, max_age)) f.readings.push_back(std::move(*r));
      f.days.push_back(std::move(d));
    }
  }
  return f;
}

void PrintRow(const engine::PotentialTotals& t, const std::string& key) {
  std::printf("%-12s %9zu %14s %14s %14s\n", key.c_str(), t.stations, t.load.ToString().c_str(),
              t.down.ToString().c_str(), t.up.ToString().c_str());
}

int RunPotential(const PotentialArgs& a) {
  auto config = server::LoadConfig(a.config);
  if (!config.ok()) return Fail(config.status().ToString());
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
  if (!db.ok()) return Fail(db.status().ToString());
  const int max_age = a.max_age > 0 ? a.max_age : server::ToRegulatorConfig(*config).reading_max_age_minutes;
  const proto::BeijingMinute now = proto::ToBeijingMinute(Clock::System().Now());
  auto fleet = ReadFleet(*db->store, now, max_age);
  if (!fleet.ok()) return Fail(fleet.status().ToString());

  if (a.curve) {
    const proto::BeijingDate today = proto::DateOf(now);
    const engine::PotentialCurve c = engine::PotentialByTime(today, fleet->days);
    std::printf("minute,load_kw,down_kw,up_kw,stations\n");
    const proto::BeijingMinute start = proto::StartOf(today);
    for (int m = 0; m <= proto::MinuteOfDay(now); ++m) {
      const auto i = static_cast<std::size_t>(m);
      std::printf("%s,%s,%s,%s,%d\n", proto::FormatMinute(proto::BeijingMinute{start.minutes + m}).c_str(),
                  Kw(c.load[i]).c_str(), Kw(c.down[i]).c_str(), Kw(c.up[i]).c_str(), c.stations_present[i]);
    }
    return kExitOk;
  }

  engine::PotentialSummary s = engine::SummarizePotential(fleet->readings, fleet->areas, a.area_digits);
  std::vector<engine::PotentialTotals>& rows = a.by == "area" ? s.by_area : s.by_operator;
  if (!a.type.empty()) {
    const bool peak = engine::ParseRegulationType(a.type) == proto::RegulationType::kPeakShaving;
    std::stable_sort(rows.begin(), rows.end(),
                     [peak](const auto& x, const auto& y) { return peak ? x.down > y.down : x.up > y.up; });
  }
  const std::string grouping =
      a.by == "area" ? "by area (" + std::to_string(a.area_digits) + " digits)" : std::string("by operator");
  std::printf("potential at %s Beijing time: readings up to %d min old, %zu of %zu stations reporting, %s\n",
              proto::FormatMinute(now).c_str(), max_age, s.total.stations, fleet->areas.size(), grouping.c_str());
  std::printf("%-12s %9s %14s %14s %14s\n", a.by == "area" ? "AREA" : "OPERATOR", "STATIONS", "LOAD kW", "DOWN kW",
              "UP kW");
  for (const auto& row : rows) PrintRow(row, row.key);
  PrintRow(s.total, "total");
  return kExitOk;
}

}  // namespace

void RegisterPotential(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("potential",
                                 "Show the stations' regulation potential now (by operator or area), or "
                                 "today's by minute");
  auto a = std::make_shared<PotentialArgs>();
  cmd->add_option("--config,-c", a->config, "The grid's YAML (its store is read)")->required();
  cmd->add_option("--by", a->by, "Group by operator or area")
      ->check(CLI::IsMember({"operator", "area"}))
      ->capture_default_str();
  cmd->add_option("--area-digits", a->area_digits, "--by area: area code prefix length (2 province, 4 city, 6 county)")
      ->check(CLI::IsMember({2, 4, 6}))
      ->capture_default_str();
  cmd->add_option("--type", a->type,
                  "Order rows by this potential, largest first: peak (down) or valley (up); "
                  "default: by key")
      ->check(CLI::IsMember({"peak", "valley"}));
  cmd->add_option("--max-age", a->max_age,
                  "Minutes a reading stays live (default: the config's engine reading_max_age_minutes, 15)")
      ->check(CLI::Range(1, 1440));
  cmd->add_flag("--curve", a->curve,
                "Today per minute up to now as CSV: minute, load, down, up (kW), stations reporting");
  cmd->footer(
      "Down-potential (peak shaving) = load - adjustBottomPower, up-potential (valley filling) = "
      "adjustTopPower - load, per station from its latest reading of today; stations of disabled peers and "
      "stations without a live reading are left out.\n"
      "Example: vgi potential -c vgi.yaml --by area --area-digits 4 --type peak");
  cmd->callback([a, exit_code] { *exit_code = RunPotential(*a); });
}

}  // namespace vgi::app
