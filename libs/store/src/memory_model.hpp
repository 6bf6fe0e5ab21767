#pragma once
// Private to the memory store: the station model (store.hpp's "station model" section) — model
// syncs with their staged pages, stations and stakes with their retirement. Not thread-safe by
// itself: MemoryStore calls it holding its one mutex (Stage excepted: it only seals).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/store/store.hpp"

namespace vgi::store::memory {

class ModelTables {
 public:
  // `options` must outlive this; its sealer must be set for every call but Expire.
  explicit ModelTables(const StoreOptions& options) : options_(options) {}

  // A checked page's stations sealed (the expensive part, done before taking the lock).
  struct StagedStation {
    std::string code;
    std::string sealed;                    // record::SealStation
    std::vector<std::string> stake_codes;  // in page order
  };
  static std::vector<StagedStation> Stage(const Sealer& sealer, std::string_view operator_id,
                                          const proto::StationInfoPage& page);

  // PutStationPage's contract, with the page's stations staged.
  Result<PageReceipt> PutPage(std::string_view operator_id, const proto::StationInfoPage& page,
                              std::vector<StagedStation> staged, SystemTime now);
  std::int64_t Expire(SystemTime now);  // ExpireSyncs
  Result<std::optional<StationRecord>> GetStation(std::string_view operator_id, std::string_view station_code);
  Result<std::vector<StationRecord>> ListStations(std::string_view operator_id, bool include_retired);
  Result<std::vector<StationIndexEntry>> ListStationIndex(std::string_view operator_id);

 private:
  struct Sync {
    std::int64_t total_count = 0;
    std::int64_t page_count = 0;
    SystemTime started_at{};
    std::map<std::int64_t, std::vector<StagedStation>> pages;
  };
  struct StationState {
    std::string sealed;
    bool retired = false;
    std::optional<SystemTime> retired_at;
    SystemTime updated_at{};
  };
  struct StakeState {
    std::string station_code;
    bool retired = false;
    std::optional<SystemTime> retired_at;
  };

  // Checks the complete sync and applies it (store.hpp PutStationPage).
  Status Apply(const std::string& op, const Sync& sync, SystemTime now, PageReceipt& receipt);
  // Station code -> its retired stakes' codes, ordered by code; for one station or all (null).
  std::map<std::string, std::vector<std::string>> RetiredStakes(const std::string& op, const std::string* only_station);
  Result<StationRecord> Record(const std::string& op, const std::string& code, const StationState& state,
                               std::map<std::string, std::vector<std::string>>& retired_stakes);

  const StoreOptions& options_;
  std::map<std::string, Sync> syncs_;
  std::map<std::string, std::map<std::string, StationState>> stations_;  // operator -> code -> state
  std::map<std::string, std::map<std::string, StakeState>> stakes_;      // operator -> stake code -> state
};

}  // namespace vgi::store::memory
