#pragma once
// StationPower and PowerPoint (seed 6.3, 6.4) and the send_station_power_1440 Data (seed 7.2).

#include <optional>
#include <string>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"

namespace vgi::proto {

struct PowerPoint {
  BeijingMinute point;
  // nullopt when the peer sent null (or left power out): the seed counts it as 0 kW, and the
  // grid records it as missing for the data-quality figure.
  std::optional<Kilowatts> power;
  friend bool operator==(const PowerPoint&, const PowerPoint&) = default;
};

struct StationPower {
  std::string station_code;
  std::string credit_code;  // sensitive
  Kilowatts adjust_top_power;
  Kilowatts adjust_bottom_power;
  std::vector<PowerPoint> points;  // powerPointList, at most 1440
  friend bool operator==(const StationPower&, const StationPower&) = default;
};

// send_station_power_1440 Data.
struct StationPowerBatch {
  std::vector<StationPower> stations;  // stationPowerList
  friend bool operator==(const StationPowerBatch&, const StationPowerBatch&) = default;
};

inline constexpr std::size_t kMaxPowerPoints = 1440;
inline constexpr std::size_t kMaxStationPowers = 20000;

}  // namespace vgi::proto
