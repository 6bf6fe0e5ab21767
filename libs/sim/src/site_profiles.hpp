#pragma once
// Private: what each kind of site looks like (its §6.1 fields, rated powers) and how it loads
// the grid (arrivals by hour, energy per session, dwell, how hard vehicles charge).

#include <array>
#include <span>

#include "vgi/proto/station.hpp"
#include "vgi/sim/fleet.hpp"

namespace vgi::sim {

// How a session's departure is chosen.
enum class DwellRule {
  kDuration,     // dwell drawn from [dwell_min_h, dwell_max_h]
  kDepartAt,     // arrivals in the "long stay" hours leave at depart_hour (+ jitter) the next time
                 // it comes; other arrivals stay [dwell_min_h, dwell_max_h]
  kAlwaysThere,  // no vehicles: storage and heating units are always connected
};

struct SiteProfile {
  SiteKind kind;
  const char* label;  // for station names
  // §6.1 fields.
  proto::StationType station_type;
  proto::EquipmentType equipment_type;
  proto::StakeType stake_type;
  bool is_public;
  std::array<proto::Construction, 2> constructions;
  std::span<const int> rated_kw;  // choices for a stake's rated power
  const char* stake_model;
  double mix_weight;      // share in the standard mix
  double stake_factor;    // stakes relative to the fleet average
  double adjustable;      // share of stakes that take part in regulation
  bool bidirectional;     // may discharge (V2G, storage): stake bounds go to -rated
  // Load.
  std::array<double, 24> arrivals;  // relative arrival weights by Beijing hour
  double sessions_per_stake_day;
  double energy_min_kwh, energy_max_kwh;
  double long_energy_min_kwh, long_energy_max_kwh;  // sessions in long-stay hours (kDepartAt)
  DwellRule dwell;
  double dwell_min_h, dwell_max_h;
  std::array<bool, 24> long_stay;  // arrival hours that stay until depart_hour (kDepartAt)
  double depart_hour, depart_jitter_h;
  // A vehicle can take up to rated * [accept_min, accept_max]; without regulation it draws
  // `natural` of that (managed charging keeps some headroom for valley filling).
  double accept_min, accept_max;
  double natural;
};

const SiteProfile& ProfileOf(SiteKind kind);

// Electric heating's share of rated power by hour (winter day: high at night, low at midday).
double HeatingShare(int hour);
// Storage's schedule share of rated power by hour: + charges (night valley), - discharges (peaks).
double StorageShare(int hour);

}  // namespace vgi::sim
