#include "memory_power.hpp"

namespace vgi::store::memory {

void PowerTables::Apply(const PowerUpdate& u, const std::vector<record::DaySlice>& slices, SystemTime now) {
  for (const record::DaySlice& slice : slices) {
    DayState& d = days_[DayKey{u.operator_id, u.power.station_code, record::DayNumber(slice.day)}];
    record::ApplySlice(slice, u.power.points, reinterpret_cast<std::uint8_t*>(d.slots.data()), 0,
                       reinterpret_cast<std::uint8_t*>(d.present.data()), 0);
    d.top = u.power.adjust_top_power;
    d.bottom = u.power.adjust_bottom_power;
    d.updated_at = now;
  }
  if (auto l = record::LatestOf(u)) {
    auto [it, inserted] = latest_.try_emplace({u.operator_id, u.power.station_code}, *l);
    if (!inserted && l->at >= it->second.at) it->second = std::move(*l);
  }
}

std::optional<StationDay> PowerTables::GetStationDay(std::string_view operator_id, std::string_view station_code,
                                                     proto::BeijingDate day) const {
  auto it = days_.find(DayKey{std::string(operator_id), std::string(station_code), record::DayNumber(day)});
  if (it == days_.end()) return std::nullopt;
  return Unpack(operator_id, station_code, day, it->second);
}

std::vector<StationDay> PowerTables::ListStationDays(std::string_view operator_id, proto::BeijingDate day) const {
  const std::int32_t number = record::DayNumber(day);
  std::vector<StationDay> out;
  // Keys are (operator, station, day): the operator's rows are contiguous, by station code.
  for (auto it = days_.lower_bound(DayKey{std::string(operator_id), std::string(), 0});
       it != days_.end() && std::get<0>(it->first) == operator_id; ++it) {
    if (std::get<2>(it->first) == number) out.push_back(Unpack(operator_id, std::get<1>(it->first), day, it->second));
  }
  return out;
}

std::vector<StationDay> PowerTables::ListStationHistory(std::string_view operator_id, std::string_view station_code,
                                                        proto::BeijingDate from, proto::BeijingDate to) const {
  std::vector<StationDay> out;
  for (proto::BeijingDate d = from; d <= to; d = proto::BeijingDate{d.days + 1}) {
    if (auto day = GetStationDay(operator_id, station_code, d)) out.push_back(std::move(*day));
  }
  return out;
}

std::vector<StationDay> PowerTables::ListStationDaysOn(std::string_view operator_id, std::string_view station_code,
                                                       std::span<const proto::BeijingDate> sorted_days) const {
  std::vector<StationDay> out;
  for (const proto::BeijingDate d : sorted_days) {
    if (auto day = GetStationDay(operator_id, station_code, d)) out.push_back(std::move(*day));
  }
  return out;
}

std::vector<OperatorDay> PowerTables::ListOperatorDays(std::string_view operator_id, proto::BeijingDate from,
                                                       proto::BeijingDate to) const {
  std::vector<OperatorDay> out;
  for (proto::BeijingDate d = from; d <= to; d = proto::BeijingDate{d.days + 1}) {
    const std::vector<StationDay> days = ListStationDays(operator_id, d);
    if (!days.empty()) out.push_back(SumStationDays(operator_id, d, days));
  }
  return out;
}

std::vector<LatestPower> PowerTables::ListLatestPower(std::string_view operator_id) const {
  std::vector<LatestPower> out;
  for (const auto& [key, l] : latest_) {
    if (operator_id.empty() || key.first == operator_id) out.push_back(l);
  }
  return out;
}

StationDay PowerTables::Unpack(std::string_view operator_id, std::string_view station_code, proto::BeijingDate day,
                               const DayState& d) {
  StationDay out;
  out.operator_id = operator_id;
  out.station_code = station_code;
  out.day = day;
  record::UnpackDay({reinterpret_cast<const std::uint8_t*>(d.slots.data()), d.slots.size()},
                    {reinterpret_cast<const std::uint8_t*>(d.present.data()), d.present.size()}, out);
  out.adjust_top_power = d.top;
  out.adjust_bottom_power = d.bottom;
  out.updated_at = d.updated_at;
  return out;
}

}  // namespace vgi::store::memory
