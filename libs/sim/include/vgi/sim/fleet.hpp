#pragma once
// The simulated fleet: operators x stations x stakes, generated from a seed.
//
// Every station is one of eight kinds of site (SiteKind), each mapped onto the seed's §6.1 fields
// (stationType, equipmentType, stake type, public or not, construction site) with its own rated
// powers and share of adjustable stakes. Area codes are real GB/T 2260 district codes of six cities
// (each operator has a home city; about a quarter of its stations lie elsewhere), so scoping by
// area has something to find. Every Station passes the protocol codec's validation.
//
// IDs: operators "<prefix>000001", ... (9 characters of [0-9A-Z]); credit codes carry the
// OperatorID at characters 9-17 as the protocol says; station codes "<OperatorID>S0001", stake
// codes "<station code>-01" (unique within the operator).
//
// Same options -> the same fleet, byte for byte.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/proto/station.hpp"

namespace vgi::sim {

enum class SiteKind : int {
  kPublicDc,         // public fast charging (DC 60-160 kW), midday peak
  kResidentialAc,    // residential compound (AC 7 kW), evening peak, overnight
  kBusDepot,         // bus depot (DC 150 kW), night charging
  kLogistics,        // logistics fleet yard (DC 60-120 kW)
  kBatterySwap,      // battery swap station (charging racks, DC 40-60 kW)
  kV2g,              // workplace V2G (bidirectional DC 20-60 kW), may discharge
  kStorage,          // battery storage (100-500 kW), charges at night, discharges at peaks
  kElectricHeating,  // electric (thermal storage) heating (50-300 kW)
};

// "public_dc", "residential_ac", "bus_depot", "logistics", "battery_swap", "v2g", "storage",
// "electric_heating".
std::string_view SiteKindName(SiteKind kind);
std::optional<SiteKind> ParseSiteKind(std::string_view name);
std::span<const SiteKind> AllSiteKinds();

struct FleetOptions {
  std::uint64_t seed = 1;
  int operators = 5;               // 1..999
  int stations_per_operator = 60;  // 1..100000
  int stakes_per_station = 10;     // average over the fleet's mix, 1..1000
  // The kinds to draw from; empty = the standard mix (public DC most common, storage rarest).
  std::vector<SiteKind> kinds;
  // OperatorIDs are this prefix padded with digits to 9 characters ("SIM000001").
  std::string operator_prefix = "SIM";
};

// Invalid naming the option and its range.
Status ValidateFleetOptions(const FleetOptions& options);

// One simulated operator platform and its stations.
struct OperatorFleet {
  std::string operator_id;  // 9 characters of [0-9A-Z]
  std::string name;
  std::string credit_code;  // 18 characters; characters 9-17 are operator_id
  std::vector<proto::Station> stations;
  std::vector<SiteKind> kinds;  // parallel to stations
  // Where the grid's topology places each station (parallel to stations): the market of its city,
  // "M" + the first 4 digits of its area code ("M3201"), and one of four transformer areas (台区) of
  // its district, "T" + area code + "-" + 01..04 ("T320102-03"), shared with other operators'
  // stations there. The simulated platform acts on market and transformer-area instructions with
  // it; `vgi sim --write-topology` writes it for the grid to import.
  std::vector<std::string> markets;
  std::vector<std::string> transformer_areas;
  [[nodiscard]] std::size_t stake_count() const;
};

Result<std::vector<OperatorFleet>> BuildFleet(const FleetOptions& options);

}  // namespace vgi::sim
