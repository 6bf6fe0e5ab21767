#pragma once
// Private to the memory store: station power (store.hpp's "power" section) — each station-day's
// packed slots and present mask, each station's latest reading, and the reads over them. Not
// thread-safe by itself: MemoryStore calls it holding its one mutex.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "record_codec.hpp"
#include "vgi/store/store.hpp"

namespace vgi::store::memory {

class PowerTables {
 public:
  // Files one checked update's slices (record::SliceByDay) under their days and keeps the
  // station's latest reading (LatestPower's rules).
  void Apply(const PowerUpdate& u, const std::vector<record::DaySlice>& slices, SystemTime now);

  std::optional<StationDay> GetStationDay(std::string_view operator_id, std::string_view station_code,
                                          proto::BeijingDate day) const;
  std::vector<StationDay> ListStationDays(std::string_view operator_id, proto::BeijingDate day) const;
  std::vector<StationDay> ListStationHistory(std::string_view operator_id, std::string_view station_code,
                                             proto::BeijingDate from, proto::BeijingDate to) const;
  std::vector<StationDay> ListStationDaysOn(std::string_view operator_id, std::string_view station_code,
                                            std::span<const proto::BeijingDate> sorted_days) const;
  // Summed at every read: the fake keeps no sums to bring up to date.
  std::vector<OperatorDay> ListOperatorDays(std::string_view operator_id, proto::BeijingDate from,
                                            proto::BeijingDate to) const;
  std::vector<LatestPower> ListLatestPower(std::string_view operator_id) const;

 private:
  struct DayState {
    std::string slots = record::EmptySlots();
    std::string present = record::EmptyPresent();
    proto::Kilowatts top;
    proto::Kilowatts bottom;
    SystemTime updated_at{};
  };
  using DayKey = std::tuple<std::string, std::string, std::int32_t>;  // operator, station, yyyymmdd

  static StationDay Unpack(std::string_view operator_id, std::string_view station_code, proto::BeijingDate day,
                           const DayState& d);

  std::map<DayKey, DayState> days_;
  std::map<std::pair<std::string, std::string>, LatestPower> latest_;  // (operator, station)
};

}  // namespace vgi::store::memory
