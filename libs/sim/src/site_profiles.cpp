#include "site_profiles.hpp"

#include <algorithm>

namespace vgi::sim {

using proto::Construction;
using proto::EquipmentType;
using proto::StakeType;
using proto::StationType;

namespace {

constexpr std::array<bool, 24> kNoLongStay{};
// Evening and night arrivals stay overnight (residential).
constexpr std::array<bool, 24> kOvernight{true, true, true, true, true,  false, false, false,
                                          false, false, false, false, false, false, false, true,
                                          true, true, true, true, true,  true,  true,  true};
// Buses returning after the evening service charge until the morning pull-out.
constexpr std::array<bool, 24> kDepotNight{true, true, true, true, false, false, false, false,
                                           false, false, false, false, false, false, false, false,
                                           false, false, true, true, true,  true,  true,  true};
// Commuters arriving in the morning stay until the evening (workplace V2G).
constexpr std::array<bool, 24> kWorkday{false, false, false, false, false, false, true,  true,
                                        true,  true,  true,  true,  true,  true,  false, false,
                                        false, false, false, false, false, false, false, false};

constexpr int kDcRated[] = {60, 80, 120, 160};
constexpr int kAcRated[] = {7};
constexpr int kDepotRated[] = {150};
constexpr int kLogisticsRated[] = {60, 90, 120};
constexpr int kSwapRated[] = {40, 60};
constexpr int kV2gRated[] = {20, 30, 60};
constexpr int kStorageRated[] = {100, 215, 250, 500};
constexpr int kHeatingRated[] = {50, 100, 200, 300};

const std::array<SiteProfile, 8> kProfiles = {{
    {SiteKind::kPublicDc, "Public DC", StationType::kPublic, EquipmentType::kChargingStation, StakeType::kDc, true,
     {Construction::kBuildingCarPark, Construction::kTransportHub}, kDcRated, "DC-FAST-G2", 0.30, 1.0, 0.7, false,
     {0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 0.9, 1.2, 1.4, 1.6, 1.9, 2.0, 1.8, 1.6, 1.5, 1.5, 1.4, 1.2, 1.0, 0.8, 0.6,
      0.4, 0.3},
     8.0, 15, 45, 15, 45, DwellRule::kDuration, 25.0 / 60, 70.0 / 60, kNoLongStay, 0, 0, 0.5, 1.0, 1.0},
    {SiteKind::kResidentialAc, "Residential AC", StationType::kPersonal, EquipmentType::kChargingStation,
     StakeType::kAc, false, {Construction::kResidential, Construction::kResidential}, kAcRated, "AC-7-HOME", 0.25,
     2.0, 0.6, false,
     {0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.2, 0.2, 0.2, 0.3, 0.4, 0.3, 0.3, 0.4, 0.6, 1.2, 2.2, 2.6, 2.2,
      1.5, 0.8, 0.3},
     0.8, 6, 20, 8, 30, DwellRule::kDepartAt, 1, 4, kOvernight, 7.5, 0.75, 0.9, 1.0, 1.0},
    {SiteKind::kBusDepot, "Bus Depot", StationType::kBus, EquipmentType::kChargingStation, StakeType::kDc, false,
     {Construction::kTransportHub, Construction::kEnterprise}, kDepotRated, "DC-150-BUS", 0.08, 1.2, 0.95, false,
     {0.3, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0.6, 0.8, 0.4, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 2.8, 2.0, 1.0},
     1.3, 30, 70, 120, 250, DwellRule::kDepartAt, 1, 2, kDepotNight, 6.0, 0.5, 1.0, 1.0, 0.6},
    {SiteKind::kLogistics, "Logistics", StationType::kLogistics, EquipmentType::kChargingStation, StakeType::kDc,
     false, {Construction::kIndustrialPark, Construction::kEnterprise}, kLogisticsRated, "DC-LOG-90", 0.10, 0.8,
     0.8, false,
     {0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.6, 0.5, 0.4, 0.4, 0.5, 0.8, 1.0, 0.8, 0.5, 0.5, 0.6, 0.8, 1.2, 1.5, 1.5, 1.2,
      0.8, 0.5},
     2.5, 30, 80, 30, 80, DwellRule::kDuration, 2, 6, kNoLongStay, 0, 0, 0.8, 1.0, 0.7},
    {SiteKind::kBatterySwap, "Battery Swap", StationType::kTaxi, EquipmentType::kBatterySwap, StakeType::kDc, true,
     {Construction::kRoadside, Construction::kTransportHub}, kSwapRated, "SWAP-RACK-60", 0.07, 1.0, 0.95, false,
     {0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.6, 1.8, 1.2, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.2, 1.6, 1.8, 1.4, 1.0, 0.8,
      0.5, 0.3},
     4.0, 40, 70, 40, 70, DwellRule::kDuration, 2, 4, kNoLongStay, 0, 0, 1.0, 1.0, 0.6},
    {SiteKind::kV2g, "V2G", StationType::kPublic, EquipmentType::kV2g, StakeType::kV2g, false,
     {Construction::kOfficeBuilding, Construction::kIndustrialPark}, kV2gRated, "V2G-BIDI-30", 0.07, 0.6, 1.0, true,
     {0, 0, 0, 0, 0, 0, 0.1, 0.8, 2.5, 2.0, 0.6, 0.2, 0.3, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0, 0, 0, 0, 0},
     0.9, 8, 20, 10, 30, DwellRule::kDepartAt, 2, 4, kWorkday, 17.5, 0.75, 1.0, 1.0, 0.7},
    {SiteKind::kStorage, "Storage", StationType::kPublic, EquipmentType::kStorage, StakeType::kStorage, false,
     {Construction::kIndustrialPark, Construction::kEnterprise}, kStorageRated, "ESS-2H", 0.06, 0.2, 1.0, true,
     {}, 0, 0, 0, 0, 0, DwellRule::kAlwaysThere, 0, 0, kNoLongStay, 0, 0, 1.0, 1.0, 1.0},
    {SiteKind::kElectricHeating, "Electric Heating", StationType::kOther, EquipmentType::kElectricHeating,
     StakeType::kOther, false, {Construction::kResidential, Construction::kPublicInstitution}, kHeatingRated,
     "HEAT-TES-100", 0.07, 0.3, 0.9, false,
     {}, 0, 0, 0, 0, 0, DwellRule::kAlwaysThere, 0, 0, kNoLongStay, 0, 0, 1.0, 1.0, 1.0},
}};

}  // namespace

const SiteProfile& ProfileOf(SiteKind kind) {
  return kProfiles[static_cast<std::size_t>(kind)];
}

double HeatingShare(int hour) {
  static constexpr std::array<double, 24> kShare = {0.85, 0.85, 0.85, 0.85, 0.85, 0.8, 0.75, 0.7,
                                                    0.55, 0.45, 0.4,  0.35, 0.3,  0.3, 0.3,  0.35,
                                                    0.45, 0.55, 0.6,  0.65, 0.7,  0.75, 0.8,  0.85};
  return kShare[static_cast<std::size_t>(std::clamp(hour, 0, 23))];
}

double StorageShare(int hour) {
  if (hour < 7) return 0.4;                                           // night valley: charge
  if ((hour >= 10 && hour < 12) || (hour >= 18 && hour < 21)) return -0.5;  // peaks: discharge
  return 0;
}

}  // namespace vgi::sim
