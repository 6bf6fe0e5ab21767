// Generated stations, stakes and power for `vgi bench`: valid under every rule of the codec,
// deterministic in their index, and sized like a real operator's (10 stakes a station, every
// optional field the seed defines filled, so pages weigh what real ones weigh).
#include <cstdio>

#include "bench_internal.hpp"

namespace vgi::app::bench {

using proto::BeijingDate;
using proto::BeijingMinute;
using proto::Degrees;
using proto::Kilowatts;

std::string StationCode(const std::string& prefix, std::int64_t index) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%07lld", static_cast<long long>(index));
  return prefix + digits;
}

std::string CreditCodeFor(const std::string& operator_id) {
  // Unified social credit code: 2 characters of registration type, 6 of area, the 9-character
  // organisation code (the OperatorID) and a check character.
  return "91120101" + operator_id + "X";
}

namespace {

const BeijingDate kPutDate = *proto::ParseDate("2023-06-18");
const BeijingDate kProductionDate = *proto::ParseDate("2023-05-01");
const BeijingMinute kOpenTime = *proto::ParseMinute("2023-06-18 08:00");

proto::Stake MakeStake(const std::string& station_code, std::int64_t station, int stake) {
  proto::Stake s;
  s.code = station_code + "-" + std::to_string(stake);
  s.name = "Stake " + std::to_string(stake) + (stake % 2 == 0 ? " DC 120 kW" : " AC 7 kW");
  s.depositor_no = "3100" + std::to_string(100000 + station);
  s.electric_meter_no = "MTR" + std::to_string(station * 100 + stake);
  s.operating_state = proto::OperatingState::kInService;
  s.debug_status = proto::DebugStatus::kPassed;
  s.production_date = kProductionDate;
  s.put_date = kPutDate;
  s.is_public = true;
  s.is_adjust = stake % 4 != 3;
  s.type = stake % 2 == 0 ? proto::StakeType::kDc : proto::StakeType::kAc;
  s.model = stake % 2 == 0 ? "DC-120-A" : "AC-7-B";
  s.longitude = Degrees::FromUnits(117'200'000 + (station * 10 + stake) % 1'000'000);
  s.latitude = Degrees::FromUnits(39'080'000 + (station * 10 + stake) % 1'000'000);
  s.rated_power = stake % 2 == 0 ? Kilowatts::FromInt(120) : Kilowatts::FromUnits(700);
  s.rated_voltage = proto::Volts::FromUnits(7500);
  s.rated_ampere = proto::Amperes::FromUnits(2500);
  s.top_power = s.rated_power;
  s.bottom_power = Kilowatts::FromInt(0);
  return s;
}

}  // namespace

proto::Station MakeStation(const std::string& operator_id, const std::string& code, std::int64_t index,
                           int stakes) {
  proto::Station s;
  s.code = code;
  s.operator_id = operator_id;
  s.credit_code = CreditCodeFor(operator_id);
  s.name = "Bench charging station " + std::to_string(index);
  s.depositor_nos = {"3100" + std::to_string(100000 + index)};
  s.electric_meter_nos = {"MTR" + std::to_string(index)};
  s.country_code = "CN";
  s.area_code = "120101";
  s.address = "No. " + std::to_string(index) + " Nanjing Road, Heping District, Tianjin";
  s.type = proto::StationType::kPublic;
  s.equipment_type = proto::EquipmentType::kChargingStation;
  s.is_public = true;
  s.state = proto::StationState::kInService;
  s.open_time = kOpenTime;
  s.longitude = Degrees::FromUnits(117'200'000 + index % 1'000'000);
  s.latitude = Degrees::FromUnits(39'080'000 + index % 1'000'000);
  s.construction = proto::Construction::kOfficeBuilding;
  s.put_date = kPutDate;
  s.stakes.reserve(static_cast<std::size_t>(stakes));
  for (int i = 0; i < stakes; ++i) s.stakes.push_back(MakeStake(code, index, i));
  return s;
}

namespace {

proto::StationPower PowerHead(const std::string& credit_code, const std::string& code) {
  proto::StationPower p;
  p.station_code = code;
  p.credit_code = credit_code;
  p.adjust_top_power = Kilowatts::FromUnits(302'500);
  p.adjust_bottom_power = Kilowatts::FromUnits(1'925);
  return p;
}

// A plausible load in centi-kW: 20..270 kW, varying by station and minute.
std::int64_t LoadAt(std::int64_t station, std::int64_t minute) { return 2'000 + (station * 131 + minute * 37) % 25'000; }

}  // namespace

proto::StationPower MakeMinutePower(const std::string& credit_code, const std::string& code, std::int64_t index,
                                    BeijingMinute minute) {
  proto::StationPower p = PowerHead(credit_code, code);
  p.points.push_back({minute, Kilowatts::FromUnits(LoadAt(index, minute.minutes))});
  return p;
}

proto::StationPower MakePowerRange(const std::string& credit_code, const std::string& code, std::int64_t index,
                                   BeijingMinute first, int count) {
  proto::StationPower p = PowerHead(credit_code, code);
  p.points.reserve(static_cast<std::size_t>(count));
  for (int m = 0; m < count; ++m) {
    const BeijingMinute at{first.minutes + m};
    p.points.push_back({at, Kilowatts::FromUnits(LoadAt(index, at.minutes))});
  }
  return p;
}

proto::StationPower MakeDayPower(const std::string& credit_code, const std::string& code, std::int64_t index,
                                 BeijingDate day) {
  proto::StationPower p = PowerHead(credit_code, code);
  const BeijingMinute start = proto::StartOf(day);
  p.points.reserve(proto::kMaxPowerPoints);
  for (int m = 0; m < proto::kMinutesPerDay; ++m) {
    const BeijingMinute at{start.minutes + m};
    p.points.push_back({at, Kilowatts::FromUnits(LoadAt(index, at.minutes))});
  }
  return p;
}

}  // namespace vgi::app::bench
