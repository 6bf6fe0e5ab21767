#include "vgi/sim/fleet.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "rng.hpp"
#include "site_profiles.hpp"
#include "vgi/proto/keys.hpp"

namespace vgi::sim {

using proto::BeijingDate;
using proto::Degrees;
using proto::Kilowatts;

namespace {

constexpr std::array<SiteKind, 8> kAllKinds = {SiteKind::kPublicDc,   SiteKind::kResidentialAc, SiteKind::kBusDepot,
                                               SiteKind::kLogistics,  SiteKind::kBatterySwap,   SiteKind::kV2g,
                                               SiteKind::kStorage,    SiteKind::kElectricHeating};
constexpr std::array<std::string_view, 8> kKindNames = {"public_dc",    "residential_ac", "bus_depot", "logistics",
                                                        "battery_swap", "v2g",            "storage",   "electric_heating"};

struct District {
  const char* code;  // GB/T 2260
  const char* name;
};

struct City {
  const char* name;
  double longitude, latitude;  // centre, GCJ-02
  std::span<const District> districts;
};

constexpr District kNanjing[] = {{"320102", "Xuanwu"},   {"320104", "Qinhuai"}, {"320105", "Jianye"},
                                 {"320106", "Gulou"},    {"320111", "Pukou"},   {"320113", "Qixia"},
                                 {"320114", "Yuhuatai"}, {"320115", "Jiangning"}};
constexpr District kSuzhou[] = {{"320505", "Huqiu"}, {"320506", "Wuzhong"}, {"320507", "Xiangcheng"},
                                {"320508", "Gusu"},  {"320509", "Wujiang"}};
constexpr District kShanghai[] = {{"310101", "Huangpu"}, {"310104", "Xuhui"},   {"310105", "Changning"},
                                  {"310106", "Jing'an"}, {"310107", "Putuo"},   {"310110", "Yangpu"},
                                  {"310112", "Minhang"}, {"310115", "Pudong"}};
constexpr District kBeijing[] = {{"110101", "Dongcheng"}, {"110102", "Xicheng"}, {"110105", "Chaoyang"},
                                 {"110106", "Fengtai"},   {"110108", "Haidian"}, {"110114", "Changping"}};
constexpr District kHangzhou[] = {{"330102", "Shangcheng"}, {"330105", "Gongshu"}, {"330106", "Xihu"},
                                  {"330108", "Binjiang"},   {"330110", "Yuhang"}};
constexpr District kShenzhen[] = {{"440303", "Luohu"}, {"440304", "Futian"}, {"440305", "Nanshan"},
                                  {"440306", "Bao'an"}, {"440307", "Longgang"}};

const std::array<City, 6> kCities = {{{"Nanjing", 118.796877, 32.060255, kNanjing},
                                      {"Suzhou", 120.585316, 31.298886, kSuzhou},
                                      {"Shanghai", 121.473701, 31.230416, kShanghai},
                                      {"Beijing", 116.407526, 39.904030, kBeijing},
                                      {"Hangzhou", 120.155070, 30.274084, kHangzhou},
                                      {"Shenzhen", 114.057868, 22.543099, kShenzhen}}};

// `value` in decimal, left-padded with zeros to `width` digits.
std::string Padded(int value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
  return digits;
}

Degrees Coordinate(double value) { return Degrees::FromUnits(static_cast<std::int64_t>(std::llround(value * 1e6))); }
Kilowatts Kw(double value) { return Kilowatts::FromUnits(static_cast<std::int64_t>(std::llround(value * 100))); }

// A date in 2021..2023 (installation dates).
BeijingDate SomeDate(Rng& rng) {
  static const BeijingDate kFirst = proto::ParseDate("2021-01-01").value_or(BeijingDate{});
  return BeijingDate{kFirst.days + rng.UniformInt(0, 1094)};
}

SiteKind DrawKind(Rng& rng, std::span<const SiteKind> kinds) {
  double total = 0;
  for (SiteKind k : kinds) total += ProfileOf(k).mix_weight;
  double pick = rng.Uniform() * total;
  for (SiteKind k : kinds) {
    pick -= ProfileOf(k).mix_weight;
    if (pick < 0) return k;
  }
  return kinds.back();
}

// The average stake_factor of the mix, so stakes_per_station is the fleet's average.
double MeanStakeFactor(std::span<const SiteKind> kinds) {
  double weight = 0, sum = 0;
  for (SiteKind k : kinds) {
    weight += ProfileOf(k).mix_weight;
    sum += ProfileOf(k).mix_weight * ProfileOf(k).stake_factor;
  }
  return sum / weight;
}

proto::Stake MakeStake(const SiteProfile& p, const proto::Station& station, int index, Rng& rng) {
  proto::Stake s;
  s.code = station.code + "-" + Padded(index + 1, 2);
  s.name = std::string(p.label) + " unit " + std::to_string(index + 1);
  s.operating_state = proto::OperatingState::kInService;
  s.debug_status = proto::DebugStatus::kPassed;
  s.put_date = station.put_date.value_or(BeijingDate{});
  s.production_date = BeijingDate{s.put_date.days - rng.UniformInt(30, 200)};
  s.is_public = station.is_public;
  s.is_adjust = rng.Bernoulli(p.adjustable);
  s.type = p.stake_type;
  s.model = p.stake_model;
  s.longitude = Degrees::FromUnits(station.longitude.units() + rng.UniformInt(-50, 50));
  s.latitude = Degrees::FromUnits(station.latitude.units() + rng.UniformInt(-50, 50));
  const int rated = p.rated_kw[static_cast<std::size_t>(rng.UniformInt(0, static_cast<int>(p.rated_kw.size()) - 1))];
  s.rated_power = Kilowatts::FromInt(rated);
  const bool dc = p.stake_type != proto::StakeType::kAc;
  s.rated_voltage = proto::Volts::FromInt(dc ? 750 : 220);
  s.rated_ampere = proto::Amperes::FromUnits(std::llround(rated * 1000.0 / (dc ? 750 : 220) * 10));
  // The adjustable range: what regulation may move the stake within (none when not adjustable).
  if (s.is_adjust) {
    s.top_power = s.rated_power;
    s.bottom_power = p.bidirectional                          ? -s.rated_power
                     : p.kind == SiteKind::kElectricHeating ? Kw(rated * 0.2)
                                                              : Kilowatts::FromInt(0);
  } else {
    s.top_power = Kilowatts::FromInt(0);
    s.bottom_power = Kilowatts::FromInt(0);
  }
  return s;
}

proto::Station MakeStation(const OperatorFleet& op, int index, SiteKind kind, const City& city, Rng& rng,
                           double stakes_scale) {
  const SiteProfile& p = ProfileOf(kind);
  const District& district =
      city.districts[static_cast<std::size_t>(rng.UniformInt(0, static_cast<int>(city.districts.size()) - 1))];
  proto::Station s;
  s.code = op.operator_id + "S" + Padded(index + 1, 4);
  s.operator_id = op.operator_id;
  s.credit_code = op.credit_code;
  s.name = std::string(city.name) + " " + p.label + " " + Padded(index + 1, 4);
  s.depositor_nos = {"32" + Padded(static_cast<int>(rng.Next() % 100000000), 8)};
  s.electric_meter_nos = {"M" + s.code};
  s.country_code = "CN";
  s.area_code = district.code;
  s.address = std::string(district.name) + " District, " + city.name + ", No. " + std::to_string(rng.UniformInt(1, 999)) +
              " " + p.label + " Road";
  s.type = p.station_type;
  s.equipment_type = p.equipment_type;
  s.is_public = p.is_public;
  s.state = proto::StationState::kInService;
  s.longitude = Coordinate(city.longitude + rng.Uniform(-0.15, 0.15));
  s.latitude = Coordinate(city.latitude + rng.Uniform(-0.12, 0.12));
  s.construction = p.constructions[static_cast<std::size_t>(rng.UniformInt(0, 1))];
  s.put_date = SomeDate(rng);
  const double mean = std::max(1.0, p.stake_factor * stakes_scale);
  const int stakes = std::max(1, static_cast<int>(std::lround(mean * rng.Uniform(0.5, 1.5))));
  for (int i = 0; i < stakes; ++i) s.stakes.push_back(MakeStake(p, s, i, rng));
  return s;
}

}  // namespace

std::string_view SiteKindName(SiteKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

std::optional<SiteKind> ParseSiteKind(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return kAllKinds[i];
  }
  return std::nullopt;
}

std::span<const SiteKind> AllSiteKinds() { return kAllKinds; }

std::size_t OperatorFleet::stake_count() const {
  std::size_t n = 0;
  for (const auto& s : stations) n += s.stakes.size();
  return n;
}

Status ValidateFleetOptions(const FleetOptions& o) {
  if (o.operators < 1 || o.operators > 999) return Status::Invalid("operators: must be 1..999");
  if (o.stations_per_operator < 1 || o.stations_per_operator > 100000) {
    return Status::Invalid("stations_per_operator: must be 1..100000");
  }
  if (o.stakes_per_station < 1 || o.stakes_per_station > 1000) {
    return Status::Invalid("stakes_per_station: must be 1..1000 (an average)");
  }
  const bool prefix_ok = o.operator_prefix.size() <= 6 &&
                         std::all_of(o.operator_prefix.begin(), o.operator_prefix.end(),
                                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); });
  if (!prefix_ok) {
    return Status::Invalid("operator_prefix: \"" + o.operator_prefix +
                           "\" must be at most 6 characters of 0-9 and A-Z (IDs are padded with digits to 9)");
  }
  return Status::Ok();
}

Result<std::vector<OperatorFleet>> BuildFleet(const FleetOptions& options) {
  VGI_RETURN_IF_ERROR(ValidateFleetOptions(options));
  const std::span<const SiteKind> kinds =
      options.kinds.empty() ? std::span<const SiteKind>(kAllKinds) : std::span<const SiteKind>(options.kinds);
  const double stakes_scale = options.stakes_per_station / MeanStakeFactor(kinds);
  std::vector<OperatorFleet> fleet;
  fleet.reserve(static_cast<std::size_t>(options.operators));
  for (int o = 0; o < options.operators; ++o) {
    Rng rng(MixSeed(options.seed, 1000 + static_cast<std::uint64_t>(o)));
    OperatorFleet op;
    op.operator_id = options.operator_prefix +
                     Padded(o + 1, 9 - static_cast<int>(options.operator_prefix.size()));
    op.name = "SimCharge Operator " + std::to_string(o + 1);
    op.credit_code = "91" + Padded(320100 + o % 100, 6) + op.operator_id + "X";
    const City& home = kCities[static_cast<std::size_t>(o) % kCities.size()];
    for (int i = 0; i < options.stations_per_operator; ++i) {
      const City& city = rng.Bernoulli(0.75)
                             ? home
                             : kCities[static_cast<std::size_t>(rng.UniformInt(0, static_cast<int>(kCities.size()) - 1))];
      const SiteKind kind = DrawKind(rng, kinds);
      op.stations.push_back(MakeStation(op, i, kind, city, rng, stakes_scale));
      op.kinds.push_back(kind);
      const std::string& area = op.stations.back().area_code;
      std::string market = "M";
      market += area.substr(0, 4);
      std::string transformer_area = "T";
      transformer_area += area;
      transformer_area += "-0";
      transformer_area += static_cast<char>('1' + i % 4);
      op.markets.push_back(std::move(market));
      op.transformer_areas.push_back(std::move(transformer_area));
    }
    fleet.push_back(std::move(op));
  }
  return fleet;
}

}  // namespace vgi::sim
