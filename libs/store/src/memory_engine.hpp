#pragma once
// Private to the memory store: the regulation engine's tables and the leases (store.hpp's
// "regulation engine" and "leases" sections). Not thread-safe by itself: MemoryStore calls it
// holding its one mutex, so an ApplyEngineWrite's rows and commands become visible together.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "vgi/store/store.hpp"

namespace vgi::store::memory {

class EngineTables {
 public:
  // The demand's compare-and-set, checked without writing (Conflict as engine_record.hpp words
  // it); ApplyChecked then writes everything. Split so the caller can check the demand, then
  // write the commands and these rows under one lock: all or nothing.
  Status CheckDemand(const DemandRow& demand) const;
  // Writes a checked write's demand, regulations and settlements; returns the demand's stored
  // version (0 without a demand).
  std::int64_t ApplyChecked(const EngineWrite& write);

  std::optional<DemandRow> GetDemand(std::string_view task_id) const;
  std::vector<DemandRow> ListDemands(const DemandFilter& filter) const;
  std::vector<RegulationRow> ListRegulations(const RegulationFilter& filter) const;
  std::vector<SettlementRow> ListSettlements(const SettlementFilter& filter) const;

  bool AcquireLease(std::string_view name, std::string_view holder, SystemTime now, std::chrono::milliseconds ttl);
  void ReleaseLease(std::string_view name, std::string_view holder);

 private:
  using Key2 = std::pair<std::string, std::string>;
  struct Lease {
    std::string holder;
    SystemTime until{};
  };

  std::map<std::string, DemandRow, std::less<>> demands_;  // by task_id
  std::map<Key2, RegulationRow> regulations_;              // by (operator_id, regulation_id)
  std::map<Key2, SettlementRow> settlements_;
  std::map<std::string, Lease, std::less<>> leases_;  // by name
};

}  // namespace vgi::store::memory
