#include "vgi/testing/samples.hpp"

#include <algorithm>

namespace vgi::testing {

using namespace proto;

namespace {
BeijingMinute At(const char* text) { return *ParseMinute(text); }
BeijingDate On(const char* text) { return *ParseDate(text); }
}  // namespace

Stake SampleStake(int station, int stake) {
  Stake s;
  s.code = "ST" + std::to_string(station) + "-" + std::to_string(stake);
  s.name = "中心站" + std::to_string(stake) + "号直流桩";
  s.depositor_no = "3100" + std::to_string(100000 + station);
  s.electric_meter_no = "MTR" + std::to_string(station * 100 + stake);
  s.operating_state = OperatingState::kInService;
  s.debug_status = DebugStatus::kPassed;
  s.production_date = On("2023-05-01");
  s.put_date = On("2023-06-18");
  s.is_public = true;
  s.is_adjust = stake % 4 != 3;
  s.type = stake % 2 == 0 ? StakeType::kDc : StakeType::kAc;
  s.model = stake % 2 == 0 ? "DC-120-A" : "AC-7-B";
  s.longitude = Degrees::FromUnits(117'200'000 + station * 10 + stake);
  s.latitude = Degrees::FromUnits(39'080'000 + station * 10 + stake);
  s.rated_power = stake % 2 == 0 ? Kilowatts::FromInt(120) : Kilowatts::FromUnits(700);
  s.rated_voltage = Volts::FromUnits(7500);
  s.rated_ampere = Amperes::FromUnits(2500);
  s.top_power = s.rated_power;
  s.bottom_power = Kilowatts::FromInt(0);
  return s;
}

Station SampleStation(int station, int stakes) {
  Station s;
  s.code = "STA" + std::to_string(station);
  s.operator_id = kSampleOperatorId;
  s.credit_code = kSampleCreditCode;
  s.name = "天津联联充电站" + std::to_string(station);
  s.depositor_nos = {"3100" + std::to_string(100000 + station)};
  s.electric_meter_nos = {"MTR" + std::to_string(station)};
  s.country_code = "CN";
  s.area_code = "120101";
  s.address = "天津市和平区南京路" + std::to_string(station) + "号";
  s.type = StationType::kPublic;
  s.equipment_type = EquipmentType::kChargingStation;
  s.is_public = true;
  s.state = StationState::kInService;
  s.open_time = At("2023-06-18 08:00");
  s.longitude = Degrees::FromUnits(117'200'000 + station);
  s.latitude = Degrees::FromUnits(39'080'000 + station);
  s.construction = Construction::kOfficeBuilding;
  s.put_date = On("2023-06-18");
  for (int i = 0; i < stakes; ++i) s.stakes.push_back(SampleStake(station, i));
  return s;
}

StationInfoPage SampleStationInfoPage(int stations, int stakes_per_station) {
  StationInfoPage p;
  p.total_count = stations;
  p.page_count = 1;
  p.page_no = 1;
  for (int i = 0; i < stations; ++i) p.stations.push_back(SampleStation(i, stakes_per_station));
  return p;
}

StationPower SampleStationPower(int station, int points) {
  StationPower s;
  s.station_code = "STA" + std::to_string(station);
  s.credit_code = kSampleCreditCode;
  s.adjust_top_power = Kilowatts::FromUnits(302'500);
  s.adjust_bottom_power = Kilowatts::FromUnits(19'25);
  const BeijingMinute start = At("2024-04-09 00:00");
  points = std::clamp(points, 0, kMinutesPerDay);
  s.points.reserve(static_cast<std::size_t>(points));
  for (int i = 0; i < points; ++i) {
    PowerPoint p;
    p.point = BeijingMinute{start.minutes + i};
    if (i % 7 != 6) p.power = Kilowatts::FromUnits(2000 + (i * 37) % 25000);
    s.points.push_back(p);
  }
  return s;
}

StationPowerBatch SampleStationPowerBatch(int stations, int points) {
  StationPowerBatch b;
  for (int i = 0; i < stations; ++i) b.stations.push_back(SampleStationPower(i, points));
  return b;
}

Instruction SampleInstruction() {
  Instruction in;
  in.task_id = "3231323331";
  in.regulation_id = "FHTK-105-20200419";
  in.type = RegulationType::kPeakShaving;
  in.synchro_type = SynchroType::kNew;
  in.range_type = RangeType::kOperator;
  in.is_force = true;
  in.adjust_ids = {"123", "234", "345", "456", "567"};
  in.targets = {
      {Kilowatts::FromUnits(3045), At("2020-04-09 12:29"), At("2020-04-10 12:29")},
      {Kilowatts::FromUnits(2556), At("2020-04-10 12:30"), At("2020-04-11 12:29")},
  };
  return in;
}

InstructionResult SampleInstructionResult() {
  InstructionResult r;
  r.instruction = SampleInstruction();
  r.status = InstructionStatus::kAccepted;
  return r;
}

InstructionFeedback SampleInstructionFeedback() {
  return InstructionFeedback{"1233321412", "FHTK-105-20200419", Feedback::kAccept};
}

InstructionAdjustment SampleInstructionAdjustment() {
  const Instruction in = SampleInstruction();
  InstructionAdjustment a;
  a.task_id = in.task_id;
  a.regulation_id = in.regulation_id;
  a.type = in.type;
  a.synchro_type = SynchroType::kChange;
  a.range_type = in.range_type;
  a.adjust_ids = in.adjust_ids;
  a.targets = in.targets;
  a.targets[0].target_power = Kilowatts::FromUnits(2000);
  return a;
}

SettlementPush SampleSettlementPush() {
  SettlementPush p;
  p.task_id = "2024096544433";
  p.regulation_id = "12e32e4rj333333";
  p.type = RegulationType::kPeakShaving;
  p.points = {
      {Yuan::FromUnits(12'345), YuanPerKwh::FromUnits(3'0000), At("2024-07-01 18:00"), At("2024-07-01 18:59"),
       KilowattHours::FromUnits(4115)},
      {Yuan::FromUnits(100), YuanPerKwh::FromUnits(1'0000), std::nullopt, std::nullopt, std::nullopt},
  };
  return p;
}

TokenRequest SampleTokenRequest() {
  return TokenRequest{kSampleOperatorId, "0123456789ABCDEF0123456789ABCDEF"};
}

TokenResponse SampleTokenResponse() {
  return TokenResponse{kSampleOperatorId, 0, "tok", 7200, "成功"};
}

}  // namespace vgi::testing
