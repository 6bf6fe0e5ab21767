// The memory store's station model (memory_model.hpp).
#include "memory_model.hpp"

#include <utility>

#include "record_codec.hpp"

namespace vgi::store::memory {

std::vector<ModelTables::StagedStation> ModelTables::Stage(const Sealer& sealer, std::string_view operator_id,
                                                           const proto::StationInfoPage& page) {
  const std::string op(operator_id);
  std::vector<StagedStation> staged;
  staged.reserve(page.stations.size());
  for (const proto::Station& st : page.stations) {
    StagedStation s{st.code, record::SealStation(sealer, op, st), {}};
    s.stake_codes.reserve(st.stakes.size());
    for (const proto::Stake& k : st.stakes) s.stake_codes.push_back(k.code);
    staged.push_back(std::move(s));
  }
  return staged;
}

Result<PageReceipt> ModelTables::PutPage(std::string_view operator_id, const proto::StationInfoPage& page,
                                         std::vector<StagedStation> staged, SystemTime now) {
  Expire(now);
  const std::string op(operator_id);
  auto it = syncs_.find(op);
  if (it != syncs_.end() && (it->second.total_count != page.total_count || it->second.page_count != page.page_count)) {
    syncs_.erase(it);
    it = syncs_.end();
  }
  if (it == syncs_.end()) {
    it = syncs_.emplace(op, Sync{page.total_count, page.page_count, now, {}}).first;
  }
  Sync& sync = it->second;
  sync.pages[page.page_no] = std::move(staged);

  PageReceipt receipt;
  receipt.pages_received = static_cast<std::int64_t>(sync.pages.size());
  receipt.page_count = sync.page_count;
  if (receipt.pages_received < receipt.page_count) return receipt;

  Status st = Apply(op, sync, now, receipt);
  syncs_.erase(op);  // applied or refused: either way the sync is over
  if (!st.ok()) return st;
  receipt.applied = true;
  return receipt;
}

Result<std::optional<StationRecord>> ModelTables::GetStation(std::string_view operator_id,
                                                             std::string_view station_code) {
  auto ops = stations_.find(std::string(operator_id));
  if (ops == stations_.end()) return std::optional<StationRecord>();
  auto it = ops->second.find(std::string(station_code));
  if (it == ops->second.end()) return std::optional<StationRecord>();
  auto retired = RetiredStakes(ops->first, &it->first);
  VGI_ASSIGN_OR_RETURN(StationRecord rec, Record(ops->first, it->first, it->second, retired));
  return std::optional<StationRecord>(std::move(rec));
}

Result<std::vector<StationRecord>> ModelTables::ListStations(std::string_view operator_id, bool include_retired) {
  std::vector<StationRecord> out;
  auto ops = stations_.find(std::string(operator_id));
  if (ops == stations_.end()) return out;
  auto retired = RetiredStakes(ops->first, nullptr);
  for (const auto& [code, state] : ops->second) {
    if (state.retired && !include_retired) continue;
    VGI_ASSIGN_OR_RETURN(StationRecord rec, Record(ops->first, code, state, retired));
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::vector<StationIndexEntry>> ModelTables::ListStationIndex(std::string_view operator_id) {
  std::vector<StationIndexEntry> out;
  auto it = stations_.find(std::string(operator_id));
  if (it == stations_.end()) return out;
  for (const auto& [code, st] : it->second) {
    if (st.retired) continue;
    // The memory store keeps only the sealed model (it is for tests: unsealing is fine).
    VGI_ASSIGN_OR_RETURN(proto::Station station, record::OpenStation(*options_.sealer, it->first, code, st.sealed));
    out.push_back(StationIndexEntry{code, station.area_code});
  }
  return out;
}

std::int64_t ModelTables::Expire(SystemTime now) {
  return static_cast<std::int64_t>(
      std::erase_if(syncs_, [&](const auto& kv) { return now - kv.second.started_at > options_.sync_ttl; }));
}

Status ModelTables::Apply(const std::string& op, const Sync& sync, SystemTime now, PageReceipt& receipt) {
  std::int64_t held = 0;
  for (const auto& [no, stations] : sync.pages) held += static_cast<std::int64_t>(stations.size());
  if (held != sync.total_count) return record::TotalCountMismatch(sync.total_count, held);

  // Code -> the pages it is on (in page order); the smallest duplicated code is reported, as
  // the SQL backends do.
  std::map<std::string, std::vector<std::int64_t>> station_pages;
  std::map<std::string, std::vector<std::int64_t>> stake_pages;
  std::map<std::string, std::string> stake_station;  // snapshot: stake code -> station code
  for (const auto& [no, stations] : sync.pages) {
    for (const StagedStation& s : stations) {
      station_pages[s.code].push_back(no);
      for (const std::string& k : s.stake_codes) {
        stake_pages[k].push_back(no);
        stake_station[k] = s.code;
      }
    }
  }
  for (const auto& [code, pages] : station_pages) {
    if (pages.size() > 1) return record::DuplicateStation(code, pages.front(), pages.back());
  }
  for (const auto& [code, pages] : stake_pages) {
    if (pages.size() > 1) return record::DuplicateStake(code, pages.front(), pages.back());
  }

  auto& stations = stations_[op];
  auto& stakes = stakes_[op];
  // Build the new station states first (opening old blobs can fail); commit them after.
  std::map<std::string, std::vector<std::string>> keep;  // station code -> retired stake codes it keeps
  for (const auto& [code, st] : stakes) {
    if (!stake_station.contains(code) && station_pages.contains(st.station_code)) {
      keep[st.station_code].push_back(code);
    }
  }
  std::vector<std::pair<std::string, std::string>> sealed;  // station code, blob
  for (const auto& [no, page] : sync.pages) {
    for (const StagedStation& s : page) {
      auto k = keep.find(s.code);
      auto old = stations.find(s.code);
      if (k == keep.end() || old == stations.end()) {
        sealed.emplace_back(s.code, s.sealed);
        continue;
      }
      VGI_ASSIGN_OR_RETURN(proto::Station previous,
                           record::OpenStation(*options_.sealer, op, s.code, old->second.sealed));
      VGI_ASSIGN_OR_RETURN(proto::Station fresh, record::OpenStation(*options_.sealer, op, s.code, s.sealed));
      record::KeepRetiredStakes(previous, k->second, fresh);
      sealed.emplace_back(s.code, record::SealStation(*options_.sealer, op, fresh));
    }
  }

  for (auto& [code, st] : stations) {
    if (!st.retired && !station_pages.contains(code)) {
      st.retired = true;
      st.retired_at = now;
      ++receipt.stations_retired;
    }
  }
  for (auto& [code, st] : stakes) {
    if (!st.retired && !stake_station.contains(code)) {
      st.retired = true;
      st.retired_at = now;
      ++receipt.stakes_retired;
    }
  }
  for (auto& [code, blob] : sealed) {
    stations[code] = StationState{std::move(blob), false, std::nullopt, now};
  }
  for (const auto& [code, station_code] : stake_station) {
    stakes[code] = StakeState{station_code, false, std::nullopt};
  }
  receipt.stations_applied = static_cast<std::int64_t>(station_pages.size());
  receipt.stakes_applied = static_cast<std::int64_t>(stake_station.size());
  return Status::Ok();
}

std::map<std::string, std::vector<std::string>> ModelTables::RetiredStakes(const std::string& op,
                                                                           const std::string* only_station) {
  std::map<std::string, std::vector<std::string>> out;
  auto stakes = stakes_.find(op);
  if (stakes == stakes_.end()) return out;
  for (const auto& [stake_code, st] : stakes->second) {  // ordered by code
    if (st.retired && (only_station == nullptr || st.station_code == *only_station)) {
      out[st.station_code].push_back(stake_code);
    }
  }
  return out;
}

Result<StationRecord> ModelTables::Record(const std::string& op, const std::string& code, const StationState& state,
                                          std::map<std::string, std::vector<std::string>>& retired_stakes) {
  StationRecord rec;
  rec.operator_id = op;
  VGI_ASSIGN_OR_RETURN(rec.station, record::OpenStation(*options_.sealer, op, code, state.sealed));
  rec.retired = state.retired;
  rec.retired_at = state.retired_at;
  rec.updated_at = state.updated_at;
  auto it = retired_stakes.find(code);
  if (it != retired_stakes.end()) rec.retired_stake_codes = std::move(it->second);
  return rec;
}

}  // namespace vgi::store::memory
