#include "vgi/sim/load_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rng.hpp"
#include "site_profiles.hpp"

namespace vgi::sim {

using proto::BeijingMinute;
using proto::Kilowatts;

namespace {

constexpr int kWarmUpMinutes = proto::kMinutesPerDay;
constexpr std::int64_t kUnitsPerKw = 100;  // power in 0.01 kW; energy in 0.01 kW x 1 minute
constexpr std::int64_t kUnitsPerKwh = kUnitsPerKw * 60;
constexpr double kV2gDischargeKwh = 20;  // what one V2G session gives back at most
constexpr double kStorageHours = 2;      // storage capacity = rated x 2 h
constexpr double kStorageReserve = 0.1;  // never discharged below 10 %
constexpr double kHeatingMustRun = 0.2;  // adjustable heating keeps 20 % of rated running

// `share` of a power in 0.01 kW, rounded to 0.01 kW.
std::int64_t Share(double share, std::int64_t units) {
  return static_cast<std::int64_t>(std::llround(share * static_cast<double>(units)));
}

// FNV-1a: a stable hash (std::hash may differ between standard libraries).
std::uint64_t StableHash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace

struct LoadModel::StationState {
  const SiteProfile* profile = nullptr;
  std::uint32_t begin = 0, end = 0;  // its stakes
  Rng rng;
  std::array<double, 24> lambda{};  // arrivals per minute by hour
  double heat_noise = 1.0;
};

struct LoadModel::StakeState {
  std::uint32_t station = 0;
  bool adjustable = false;
  std::int64_t rated = 0;
  // The vehicle (charging sites) or unit (storage, heating).
  bool present = false;
  std::int64_t departure = 0;     // minute it leaves
  std::int64_t need = 0;          // energy still wanted, 0.01 kW x min
  std::int64_t max_draw = 0;      // what the vehicle can take, 0.01 kW
  std::int64_t natural_draw = 0;  // what it takes unregulated
  std::int64_t discharged = 0;    // V2G: energy given back this session
  std::int64_t soc = 0, capacity = 0;  // storage
};

LoadModel::LoadModel(const OperatorFleet& fleet, std::uint64_t seed, BeijingMinute first, int history_minutes)
    : first_(first), next_(first), history_(std::max(1, history_minutes)) {
  Build(fleet, seed);
  for (std::int64_t m = first.minutes - kWarmUpMinutes; m < first.minutes; ++m) StepMinute(BeijingMinute{m}, {}, false);
  // Made after the warm-up: it warms itself up the same way and is in step from `first` on.
  twin_ = std::unique_ptr<LoadModel>(new LoadModel(fleet, seed, first, Twin{}));
}

LoadModel::LoadModel(const OperatorFleet& fleet, std::uint64_t seed, BeijingMinute first, Twin)
    : first_(first), next_(first), history_(1) {
  Build(fleet, seed);
  for (std::int64_t m = first.minutes - kWarmUpMinutes; m < first.minutes; ++m) StepMinute(BeijingMinute{m}, {}, false);
}

void LoadModel::Build(const OperatorFleet& fleet, std::uint64_t seed) {
  const std::uint64_t op_seed = MixSeed(seed, StableHash(fleet.operator_id));
  stations_.resize(fleet.stations.size());
  for (std::size_t s = 0; s < fleet.stations.size(); ++s) {
    const proto::Station& station = fleet.stations[s];
    StationState& st = stations_[s];
    st.profile = &ProfileOf(fleet.kinds[s]);
    st.rng = Rng(MixSeed(op_seed, s));
    st.begin = static_cast<std::uint32_t>(stakes_.size());
    const double weights = std::accumulate(st.profile->arrivals.begin(), st.profile->arrivals.end(), 0.0);
    for (int h = 0; h < 24; ++h) {
      st.lambda[static_cast<std::size_t>(h)] =
          weights <= 0 ? 0
                       : static_cast<double>(station.stakes.size()) * st.profile->sessions_per_stake_day *
                             st.profile->arrivals[static_cast<std::size_t>(h)] / weights / 60.0;
    }
    station_index_.emplace(station.code, s);
    for (const proto::Stake& stake : station.stakes) {
      StakeState k;
      k.station = static_cast<std::uint32_t>(s);
      k.adjustable = stake.is_adjust;
      k.rated = stake.rated_power.units();
      if (st.profile->dwell == DwellRule::kAlwaysThere) {
        k.present = true;
        k.capacity = static_cast<std::int64_t>(static_cast<double>(k.rated) * 60 * kStorageHours);
        k.soc = k.capacity / 2;
      }
      stake_index_.emplace(stake.code, static_cast<std::uint32_t>(stakes_.size()));
      stakes_.push_back(k);
    }
    st.end = static_cast<std::uint32_t>(stakes_.size());
  }
  natural_.resize(stakes_.size());
  lo_.resize(stakes_.size());
  hi_.resize(stakes_.size());
  power_.resize(stakes_.size());
  samples_.resize(stations_.size());
  ring_.resize(static_cast<std::size_t>(history_) * stations_.size());
  totals_.resize(static_cast<std::size_t>(history_));
}

LoadModel::~LoadModel() = default;

void LoadModel::Arrive(StationState& st, BeijingMinute minute, int hour) {
  const SiteProfile& p = *st.profile;
  const int arrivals = st.rng.Poisson(st.lambda[static_cast<std::size_t>(hour)]);
  for (int a = 0; a < arrivals; ++a) {
    // Every draw is made whether or not a stake is free, so the random stream (and hence who is
    // plugged in) never depends on anything but the seed.
    const bool long_stay = p.dwell == DwellRule::kDepartAt && p.long_stay[static_cast<std::size_t>(hour)];
    const double energy_kwh = long_stay ? st.rng.Uniform(p.long_energy_min_kwh, p.long_energy_max_kwh)
                                        : st.rng.Uniform(p.energy_min_kwh, p.energy_max_kwh);
    const double dwell_h = st.rng.Uniform(p.dwell_min_h, p.dwell_max_h);
    const double jitter_h = st.rng.Uniform(-p.depart_jitter_h, p.depart_jitter_h);
    const double accept = st.rng.Uniform(p.accept_min, p.accept_max);
    const double pick = st.rng.Uniform();
    std::int64_t stay = std::llround(dwell_h * 60);
    if (long_stay) {
      const std::int64_t of_day = proto::MinuteOfDay(minute);
      std::int64_t depart = std::llround((p.depart_hour + jitter_h) * 60);
      while (depart <= of_day + 30) depart += proto::kMinutesPerDay;
      stay = depart - of_day;
    }
    std::vector<std::uint32_t> free;
    for (std::uint32_t i = st.begin; i < st.end; ++i) {
      if (!stakes_[i].present) free.push_back(i);
    }
    if (free.empty()) continue;  // every stake taken: the driver goes elsewhere
    StakeState& k = stakes_[free[std::min(free.size() - 1, static_cast<std::size_t>(pick * static_cast<double>(free.size())))]];
    k.present = true;
    k.departure = minute.minutes + std::max<std::int64_t>(stay, 5);
    k.need = std::llround(energy_kwh * kUnitsPerKwh);
    k.max_draw = std::max<std::int64_t>(1, std::llround(static_cast<double>(k.rated) * accept));
    k.natural_draw = std::max<std::int64_t>(1, std::llround(static_cast<double>(k.max_draw) * p.natural));
    k.discharged = 0;
  }
}

void LoadModel::Bounds(StakeState& k, const StationState& st, int hour, std::size_t i) {
  const SiteProfile& p = *st.profile;
  std::int64_t n = 0, lo = 0, hi = 0;
  if (p.kind == SiteKind::kStorage) {
    const std::int64_t reserve = static_cast<std::int64_t>(static_cast<double>(k.capacity) * kStorageReserve);
    const std::int64_t can_charge = std::clamp<std::int64_t>(k.capacity - k.soc, 0, k.rated);
    const std::int64_t can_discharge = std::clamp<std::int64_t>(k.soc - reserve, 0, k.rated);
    const double share = StorageShare(hour);
    n = share >= 0 ? std::min(Share(share, k.rated), can_charge) : -std::min(Share(-share, k.rated), can_discharge);
    lo = k.adjustable ? -can_discharge : n;
    hi = k.adjustable ? can_charge : n;
  } else if (p.kind == SiteKind::kElectricHeating) {
    n = std::min(k.rated, Share(HeatingShare(hour) * st.heat_noise, k.rated));
    lo = k.adjustable ? std::min(n, Share(kHeatingMustRun, k.rated)) : n;
    hi = k.adjustable ? k.rated : n;
  } else if (k.present) {
    const std::int64_t give_back =
        p.bidirectional && k.adjustable
            ? std::clamp<std::int64_t>(std::llround(kV2gDischargeKwh * kUnitsPerKwh) - k.discharged, 0, k.rated)
            : 0;
    n = std::min(k.natural_draw, k.need);
    lo = k.adjustable ? -give_back : n;
    hi = k.adjustable ? std::min(k.max_draw, k.need) : n;
  }
  natural_[i] = n;
  lo_[i] = lo;
  hi_[i] = hi;
  power_[i] = n;
}

void LoadModel::Apply(const Regulation& r, BeijingMinute minute) {
  if (minute < r.active_from) return;
  const proto::AdjustTarget* window = nullptr;
  for (const auto& t : r.targets) {
    if (t.start_time <= minute && minute <= t.end_time) window = &t;
  }
  if (window == nullptr || window->target_power.units() <= 0) return;
  const bool down = r.type == proto::RegulationType::kPeakShaving;
  std::vector<std::int64_t> rooms;
  rooms.reserve(r.stakes.size());
  // What the scope draws over its counterfactual (the twin) because of earlier regulation:
  // made up on top of the target, so the scope lands at counterfactual -/+ target.
  std::int64_t rebound = 0;
  for (std::uint32_t i : r.stakes) {
    rooms.push_back(i < stakes_.size() ? std::max<std::int64_t>(0, down ? power_[i] - lo_[i] : hi_[i] - power_[i]) : 0);
    if (twin_ && i < stakes_.size()) rebound += down ? natural_[i] - twin_->natural_[i] : twin_->natural_[i] - natural_[i];
  }
  const std::int64_t amount = std::max<std::int64_t>(0, window->target_power.units() + rebound);
  const std::vector<std::int64_t> moves = SplitByRoom(amount, rooms);
  for (std::size_t j = 0; j < r.stakes.size(); ++j) {
    if (moves[j] != 0) power_[r.stakes[j]] += down ? -moves[j] : moves[j];
  }
}

void LoadModel::StepMinute(BeijingMinute minute, std::span<const Regulation* const> regulations, bool record) {
  if (twin_) twin_->StepMinute(minute, {}, false);
  const int hour = proto::MinuteOfDay(minute) / 60;
  for (StationState& st : stations_) {
    for (std::uint32_t i = st.begin; i < st.end; ++i) {
      StakeState& k = stakes_[i];
      if (k.present && st.profile->dwell != DwellRule::kAlwaysThere && minute.minutes >= k.departure) k.present = false;
    }
    if (st.profile->dwell == DwellRule::kAlwaysThere) {
      if (proto::MinuteOfDay(minute) % 15 == 0) {
        st.heat_noise = std::clamp(st.heat_noise + st.rng.Uniform(-0.04, 0.04), 0.85, 1.15);
      }
    } else {
      Arrive(st, minute, hour);
    }
    for (std::uint32_t i = st.begin; i < st.end; ++i) Bounds(stakes_[i], st, hour, i);
  }
  for (const Regulation* r : regulations) Apply(*r, minute);

  StoredTotal total{};
  for (std::size_t s = 0; s < stations_.size(); ++s) {
    Stored sum{};
    std::int64_t power = 0, baseline = 0, top = 0, bottom = 0;
    for (std::uint32_t i = stations_[s].begin; i < stations_[s].end; ++i) {
      StakeState& k = stakes_[i];
      const std::int64_t p = power_[i];
      power += p;
      baseline += twin_ ? twin_->natural_[i] : natural_[i];
      top += hi_[i];
      bottom += lo_[i];
      if (stations_[s].profile->kind == SiteKind::kStorage) {
        k.soc = std::clamp<std::int64_t>(k.soc + p, 0, k.capacity);
      } else if (k.present && stations_[s].profile->dwell != DwellRule::kAlwaysThere) {
        k.need = std::max<std::int64_t>(0, k.need - p);  // discharging (p < 0) adds to what it needs
        if (p < 0) k.discharged -= p;
      }
    }
    sum = Stored{static_cast<std::int32_t>(power), static_cast<std::int32_t>(baseline), static_cast<std::int32_t>(top),
                 static_cast<std::int32_t>(bottom)};
    total.power += power;
    total.baseline += baseline;
    total.top += top;
    total.bottom += bottom;
    samples_[s] = PowerSample{Kilowatts::FromUnits(power), Kilowatts::FromUnits(baseline), Kilowatts::FromUnits(top),
                              Kilowatts::FromUnits(bottom)};
    if (record) {
      const auto slot = static_cast<std::size_t>(minute.minutes % history_);
      ring_[slot * stations_.size() + s] = sum;
    }
  }
  if (record) totals_[static_cast<std::size_t>(minute.minutes % history_)] = total;
}

const std::vector<PowerSample>& LoadModel::Step(std::span<const Regulation* const> regulations) {
  StepMinute(next_, regulations, true);
  ++next_.minutes;
  return samples_;
}

std::optional<PowerSample> LoadModel::StationAt(std::size_t station, BeijingMinute minute) const {
  if (station >= stations_.size() || minute < first_ || minute >= next_ || next_.minutes - minute.minutes > history_) {
    return std::nullopt;
  }
  const Stored& s = ring_[static_cast<std::size_t>(minute.minutes % history_) * stations_.size() + station];
  return PowerSample{Kilowatts::FromUnits(s.power), Kilowatts::FromUnits(s.baseline), Kilowatts::FromUnits(s.top),
                     Kilowatts::FromUnits(s.bottom)};
}

std::optional<PowerSample> LoadModel::TotalAt(BeijingMinute minute) const {
  if (minute < first_ || minute >= next_ || next_.minutes - minute.minutes > history_) return std::nullopt;
  const StoredTotal& s = totals_[static_cast<std::size_t>(minute.minutes % history_)];
  return PowerSample{Kilowatts::FromUnits(s.power), Kilowatts::FromUnits(s.baseline), Kilowatts::FromUnits(s.top),
                     Kilowatts::FromUnits(s.bottom)};
}

std::optional<std::size_t> LoadModel::FindStation(std::string_view code) const {
  const auto it = station_index_.find(std::string(code));
  if (it == station_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> LoadModel::FindStake(std::string_view code) const {
  const auto it = stake_index_.find(std::string(code));
  if (it == stake_index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::uint32_t> LoadModel::StakesOf(std::size_t station) const {
  std::vector<std::uint32_t> out;
  if (station >= stations_.size()) return out;
  for (std::uint32_t i = stations_[station].begin; i < stations_[station].end; ++i) out.push_back(i);
  return out;
}

std::size_t LoadModel::station_count() const { return stations_.size(); }
std::size_t LoadModel::stake_count() const { return stakes_.size(); }

std::vector<std::uint32_t> LoadModel::AllStakes() const {
  std::vector<std::uint32_t> out(stakes_.size());
  std::iota(out.begin(), out.end(), 0u);
  return out;
}

std::vector<std::int64_t> SplitByRoom(std::int64_t amount, std::span<const std::int64_t> rooms) {
  std::vector<std::int64_t> out(rooms.size(), 0);
  std::int64_t total = 0;
  for (std::int64_t r : rooms) total += std::max<std::int64_t>(0, r);
  if (total <= 0 || amount <= 0) return out;
  const std::int64_t give = std::min(amount, total);
  if (give == total) {
    for (std::size_t i = 0; i < rooms.size(); ++i) out[i] = std::max<std::int64_t>(0, rooms[i]);
    return out;
  }
  std::int64_t given = 0;
  std::vector<std::pair<std::int64_t, std::size_t>> remainders;  // (remainder, index)
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    const auto room = static_cast<__int128>(std::max<std::int64_t>(0, rooms[i]));
    const __int128 scaled = room * give;
    out[i] = static_cast<std::int64_t>(scaled / total);
    given += out[i];
    if (const auto rem = static_cast<std::int64_t>(scaled % total); rem > 0) remainders.emplace_back(rem, i);
  }
  std::sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (std::size_t j = 0; j < remainders.size() && given < give; ++j, ++given) ++out[remainders[j].second];
  return out;
}

}  // namespace vgi::sim
