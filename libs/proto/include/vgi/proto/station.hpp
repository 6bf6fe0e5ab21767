#pragma once
// Station and Stake (seed 6.1, 6.2) and the send_station_info Data (seed 7.1).
// Fields marked "sensitive" are the seed's "(加密)": stored encrypted at rest, masked in logs,
// and optionally field-encrypted on the wire (WireProfile::field_encryption).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"

namespace vgi::proto {

enum class StationType : int {  // 站类型
  kPublic = 1, kPersonal = 50, kBus = 100, kSanitation = 101, kLogistics = 102, kTaxi = 103,
  kOther = 255,
};
enum class EquipmentType : int {  // 站负荷明细类型
  kChargingStation = 1, kStorage = 2, kElectricHeating = 3, kV2g = 4, kBatterySwap = 5, kOther = 6,
};
enum class StationState : int {  // 站点状态
  kUnknown = 0, kUnderConstruction = 1, kClosed = 5, kMaintenance = 6, kInService = 50,
};
enum class Construction : int {  // 建设场所
  kResidential = 1, kPublicInstitution = 2, kEnterprise = 3, kOfficeBuilding = 4,
  kIndustrialPark = 5, kTransportHub = 6, kSportsVenue = 7, kUrbanGreen = 8,
  kBuildingCarPark = 9, kRoadside = 10, kExpresswayServiceArea = 11, kOther = 255,
};
enum class OperatingState : int {  // 设备运营状态
  kInService = 1, kPendingService = 2, kSuspended = 3, kRetired = 4,
};
enum class DebugStatus : int {  // 设备调试状态
  kPassed = 1, kPendingInspection = 2, kPendingDebug = 3,
};
enum class StakeType : int {  // 设备类型
  kDc = 1, kAc = 2, kAcDc = 3, kWireless = 4, kV2g = 5, kStorage = 6, kOther = 7,
};

struct Stake {
  std::string code;                              // 设备编号
  std::string name;                              // sensitive
  std::optional<std::string> depositor_no;       // 营销户号
  std::optional<std::string> electric_meter_no;  // 电表表号
  OperatingState operating_state{};
  std::optional<DebugStatus> debug_status;
  std::optional<BeijingDate> production_date;
  BeijingDate put_date;
  bool is_public = false;
  bool is_adjust = false;
  StakeType type{};
  std::string model;
  std::optional<Degrees> longitude;  // sensitive
  std::optional<Degrees> latitude;   // sensitive
  Kilowatts rated_power;
  std::optional<Volts> rated_voltage;
  std::optional<Amperes> rated_ampere;
  Kilowatts top_power;     // 可调节功率上限
  Kilowatts bottom_power;  // 可调节功率下限
  friend bool operator==(const Stake&, const Stake&) = default;
};

struct Station {
  std::string code;         // 充电站编号
  std::string operator_id;  // 站所属平台组织机构代码
  std::string credit_code;  // sensitive; 统一社会信用代码
  std::string name;         // sensitive
  std::vector<std::string> depositor_nos;        // depositorNoList (absent = empty)
  std::vector<std::string> electric_meter_nos;   // electricMeterNoList (absent = empty)
  std::string country_code;                      // e.g. "CN"
  std::string area_code;                         // GB/T 2260, 6 digits
  std::string address;                           // sensitive
  StationType type{};
  EquipmentType equipment_type{};
  bool is_public = false;
  StationState state{};
  std::optional<BeijingMinute> open_time;
  std::optional<BeijingMinute> close_time;
  Degrees longitude;  // sensitive
  Degrees latitude;   // sensitive
  std::optional<Construction> construction;
  std::optional<BeijingDate> put_date;
  std::vector<Stake> stakes;  // stakeList
  friend bool operator==(const Station&, const Station&) = default;
};

// send_station_info Data: one page of a full model sync.
struct StationInfoPage {
  std::int64_t total_count = 0;
  std::int64_t page_count = 0;
  std::int64_t page_no = 0;
  std::vector<Station> stations;  // stationList
  friend bool operator==(const StationInfoPage&, const StationInfoPage&) = default;
};

// Size limits (a request over them gets Ret 4003 naming the list).
inline constexpr std::size_t kMaxStationsPerPage = 5000;
inline constexpr std::size_t kMaxStakesPerStation = 5000;

}  // namespace vgi::proto
