// The SQLite store's station model sync (store.hpp PutStationPage).
//
// A page is staged as one sealed row (its stations in the binary station-list encoding), so
// staging is one small insert. When the last page arrives the snapshot is compared, in memory,
// with what the operator has: only stations and stakes that are new, changed, coming back or
// going away are written. A daily re-sync of an unchanged model writes almost nothing; the
// first sync writes each station once (~0.9 KB for 10 stakes) and each stake once.
#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"

namespace vgi::store::sqlite {

namespace {

using record::FromMicros;

constexpr std::string_view kOp = "PutStationPage";

struct OldStation {
  bool retired = false;
  std::string sealed;
};

struct OldStake {
  std::string station_code;
  int type = 0;
  int operating_state = 0;
  bool is_public = false;
  bool is_adjust = false;
  std::int64_t rated_power = 0;
  std::int64_t top_power = 0;
  std::int64_t bottom_power = 0;
  bool retired = false;
};

bool SameStake(const OldStake& old, const std::string& station_code, const proto::Stake& k) {
  return !old.retired && old.station_code == station_code && old.type == static_cast<int>(k.type) &&
         old.operating_state == static_cast<int>(k.operating_state) && old.is_public == k.is_public &&
         old.is_adjust == k.is_adjust && old.rated_power == k.rated_power.units() &&
         old.top_power == k.top_power.units() && old.bottom_power == k.bottom_power.units();
}

// Where a code was seen across the sync's pages.
struct Seen {
  std::int64_t first_page = 0;
  std::int64_t last_page = 0;
  int count = 0;
};

void Note(std::unordered_map<std::string_view, Seen>& seen, std::string_view code, std::int64_t page) {
  Seen& s = seen[code];
  if (s.count++ == 0) s.first_page = page;
  s.last_page = page;
}

// The smallest duplicated code (as the other backends report it), if any.
const std::pair<const std::string_view, Seen>* FirstDuplicate(const std::unordered_map<std::string_view, Seen>& seen) {
  const std::pair<const std::string_view, Seen>* first = nullptr;
  for (const auto& entry : seen) {
    if (entry.second.count > 1 && (first == nullptr || entry.first < first->first)) first = &entry;
  }
  return first;
}

}  // namespace

Status SqliteStore::DropSync(Connection& c, std::string_view operator_id) {
  for (const char* sql : {"DELETE FROM sync_page WHERE operator_id=?", "DELETE FROM sync_session WHERE operator_id=?"}) {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql, "drop sync"));
    VGI_RETURN_IF_ERROR(s.Text(1, operator_id).Run());
  }
  return Status::Ok();
}

Result<std::int64_t> SqliteStore::ExpireLocked(Connection& c, std::int64_t now) {
  const std::int64_t cutoff =
      now - std::chrono::duration_cast<std::chrono::microseconds>(options_.sync_ttl).count();
  std::vector<std::string> expired;
  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT operator_id FROM sync_session WHERE started_at < ?", "ExpireSyncs"));
    s.Int(1, cutoff);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) break;
      expired.emplace_back(s.ColText(0));
    }
  }
  for (const std::string& op : expired) VGI_RETURN_IF_ERROR(DropSync(c, op));
  return static_cast<std::int64_t>(expired.size());
}

Result<std::int64_t> SqliteStore::ExpireSyncs() {
  std::lock_guard lock(write_mu_);
  std::int64_t dropped = 0;
  VGI_RETURN_IF_ERROR(WriteTx("ExpireSyncs", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(dropped, ExpireLocked(c, NowMicros()));
    return Status::Ok();
  }));
  return dropped;
}

Result<PageReceipt> SqliteStore::PutStationPage(std::string_view operator_id, const proto::StationInfoPage& page) {
  VGI_RETURN_IF_ERROR(record::CheckPage(operator_id, page));
  const std::string op(operator_id);
  // Encode and seal outside the writer's lock.
  const std::string sealed = options_.sealer->Seal(record::EncodeStationList(page.stations),
                                                   record::SyncPageContext(op, page.page_no));

  std::lock_guard lock(write_mu_);
  const std::int64_t now = NowMicros();
  const std::int64_t ttl = std::chrono::duration_cast<std::chrono::microseconds>(options_.sync_ttl).count();
  PageReceipt receipt;
  bool refused = false;  // the complete sync failed its checks: drop it after the rollback
  Status st = WriteTx(kOp, [&](Connection& c) -> Status {
    // The open sync: dropped when expired or when this page belongs to another one.
    bool held = false;
    bool open = false;
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT total_count, page_count, started_at FROM sync_session"
                                             " WHERE operator_id=?",
                                             kOp));
      VGI_ASSIGN_OR_RETURN(held, s.Text(1, op).Step());
      open = held && s.ColInt(0) == page.total_count && s.ColInt(1) == page.page_count && now - s.ColInt(2) <= ttl;
    }
    if (held && !open) VGI_RETURN_IF_ERROR(DropSync(c, op));
    if (!open) {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO sync_session(operator_id, total_count, page_count, started_at)"
                                             " VALUES(?,?,?,?)",
                                             kOp));
      VGI_RETURN_IF_ERROR(s.Text(1, op).Int(2, page.total_count).Int(3, page.page_count).Int(4, now).Run());
    }
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT OR REPLACE INTO sync_page(operator_id, page_no, station_count,"
                                             " received_at, sealed) VALUES(?,?,?,?,?)",
                                             kOp));
      s.Text(1, op).Int(2, page.page_no).Int(3, static_cast<std::int64_t>(page.stations.size())).Int(4, now);
      VGI_RETURN_IF_ERROR(s.Blob(5, sealed).Run());
    }
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT COUNT(*) FROM sync_page WHERE operator_id=?", kOp));
      VGI_RETURN_IF_ERROR(s.Text(1, op).RowOrNotFound());
      receipt.pages_received = s.ColInt(0);
      receipt.page_count = page.page_count;
    }
    if (receipt.pages_received < receipt.page_count) return Status::Ok();
    Status applied = ApplySync(c, op, now, receipt);
    if (applied.code() == StatusCode::kInvalid) refused = true;
    return applied;
  });
  if (refused) {
    // The complete sync failed its checks: it is over. Drop what the earlier pages staged.
    Status dropped = WriteTx(kOp, [&](Connection& c) { return DropSync(c, op); });
    if (!dropped.ok()) return dropped;
  }
  if (!st.ok()) return st;
  return receipt;
}

Status SqliteStore::ApplySync(Connection& c, const std::string& op, std::int64_t now, PageReceipt& receipt) {
  const Sealer& sealer = *options_.sealer;
  std::int64_t total = 0;
  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT total_count FROM sync_session WHERE operator_id=?", kOp));
    VGI_RETURN_IF_ERROR(s.Text(1, op).RowOrNotFound());
    total = s.ColInt(0);
  }

  // The snapshot, page by page. The stations' encodings point into `plain`.
  std::deque<std::string> plain;
  std::vector<std::pair<std::int64_t, record::EncodedStation>> snapshot;
  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT page_no, sealed FROM sync_page WHERE operator_id=? ORDER BY page_no", kOp));
    s.Text(1, op);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) break;
      const std::int64_t no = s.ColInt(0);
      const std::string what = "sync page " + op + "/" + std::to_string(no);
      auto opened = sealer.Open(s.ColBlob(1), record::SyncPageContext(op, no));
      if (!opened.ok()) return opened.status().WithPrefix(what);
      plain.push_back(std::move(*opened));
      VGI_ASSIGN_OR_RETURN(auto stations, record::DecodeStationList(plain.back(), what));
      for (auto& e : stations) snapshot.emplace_back(no, std::move(e));
    }
  }

  // Checks: the count, then unique station codes, then unique stake codes.
  receipt.stations_applied = static_cast<std::int64_t>(snapshot.size());
  if (receipt.stations_applied != total) return record::TotalCountMismatch(total, receipt.stations_applied);
  std::unordered_map<std::string_view, Seen> station_seen;
  std::unordered_map<std::string_view, Seen> stake_seen;
  station_seen.reserve(snapshot.size());
  std::size_t stake_count = 0;
  for (const auto& entry : snapshot) stake_count += entry.second.station.stakes.size();
  stake_seen.reserve(stake_count);
  for (const auto& [no, e] : snapshot) {
    Note(station_seen, e.station.code, no);
    for (const proto::Stake& k : e.station.stakes) Note(stake_seen, k.code, no);
  }
  if (const auto* dup = FirstDuplicate(station_seen)) {
    return record::DuplicateStation(dup->first, dup->second.first_page, dup->second.last_page);
  }
  if (const auto* dup = FirstDuplicate(stake_seen)) {
    return record::DuplicateStake(dup->first, dup->second.first_page, dup->second.last_page);
  }
  receipt.stakes_applied = static_cast<std::int64_t>(stake_seen.size());

  // What the operator has now.
  std::unordered_map<std::string, OldStation> old_stations;
  old_stations.reserve(snapshot.size());
  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT code, retired, sealed FROM station WHERE operator_id=?", kOp));
    s.Text(1, op);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) break;
      old_stations.emplace(s.ColText(0), OldStation{s.ColInt(1) != 0, std::string(s.ColBlob(2))});
    }
  }
  std::unordered_map<std::string, OldStake> old_stakes;
  old_stakes.reserve(stake_count);
  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT code, station_code, type, operating_state, is_public, is_adjust,"
                                           " rated_power, top_power, bottom_power, retired FROM stake WHERE operator_id=?",
                                           kOp));
    s.Text(1, op);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) break;
      old_stakes.emplace(s.ColText(0),
                         OldStake{std::string(s.ColText(1)), static_cast<int>(s.ColInt(2)), static_cast<int>(s.ColInt(3)),
                                  s.ColInt(4) != 0, s.ColInt(5) != 0, s.ColInt(6), s.ColInt(7), s.ColInt(8),
                                  s.ColInt(9) != 0});
    }
  }
  std::optional<std::int64_t> previous_applied;
  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT applied_at FROM model_state WHERE operator_id=?", kOp));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, op).Step());
    if (row) previous_applied = s.ColInt(0);
  }

  // Stakes absent from the whole snapshot: the active ones retire; a re-synced station keeps
  // them all (retired) in its model, after its current stakes.
  std::unordered_map<std::string_view, std::vector<std::string>> keep;
  std::vector<std::string_view> retiring_stakes;
  for (const auto& [code, old] : old_stakes) {
    if (stake_seen.contains(code)) continue;
    if (!old.retired) retiring_stakes.push_back(code);
    if (auto st = station_seen.find(old.station_code); st != station_seen.end()) keep[st->first].push_back(code);
  }

  // Stations: write the new, the changed and the returning, in key order. (The snapshot itself
  // stays in place: the maps above hold views of its codes.)
  std::vector<const record::EncodedStation*> order;
  order.reserve(snapshot.size());
  for (const auto& entry : snapshot) order.push_back(&entry.second);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return a->station.code < b->station.code; });
  for (const record::EncodedStation* entry : order) {
    const record::EncodedStation& e = *entry;
    const proto::Station& st = e.station;
    std::string_view bytes = e.bytes;
    std::string merged;
    auto old = old_stations.find(st.code);
    if (auto k = keep.find(st.code); k != keep.end() && old != old_stations.end()) {
      VGI_ASSIGN_OR_RETURN(proto::Station previous, record::OpenStation(sealer, op, st.code, old->second.sealed));
      proto::Station fresh = st;
      record::KeepRetiredStakes(previous, k->second, fresh);
      merged = record::EncodeStation(fresh);
      bytes = merged;
    }
    if (old != old_stations.end() && !old->second.retired) {
      auto before = sealer.Open(old->second.sealed, record::StationContext(op, st.code));
      if (before.ok() && *before == bytes) continue;  // unchanged: nothing to write
    }
    VGI_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("INSERT INTO station(operator_id, code, area_code, type, equipment_type, state, is_public,"
                          " retired, retired_at, updated_at, sealed) VALUES(?1,?2,?3,?4,?5,?6,?7,0,NULL,?8,?9)"
                          " ON CONFLICT(operator_id, code) DO UPDATE SET area_code=excluded.area_code,"
                          " type=excluded.type, equipment_type=excluded.equipment_type, state=excluded.state,"
                          " is_public=excluded.is_public, retired=0, retired_at=NULL, updated_at=excluded.updated_at,"
                          " sealed=excluded.sealed",
                          kOp));
    const std::string sealed = record::SealEncodedStation(sealer, op, st.code, bytes);
    s.Text(1, op).Text(2, st.code).Text(3, st.area_code).Int(4, static_cast<int>(st.type));
    s.Int(5, static_cast<int>(st.equipment_type)).Int(6, static_cast<int>(st.state)).Int(7, st.is_public ? 1 : 0);
    VGI_RETURN_IF_ERROR(s.Int(8, now).Blob(9, sealed).Run());
  }
  // Stations gone from the snapshot: retired, reporting the snapshot that last carried them.
  for (const auto& [code, old] : old_stations) {
    if (old.retired || station_seen.contains(code)) continue;
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE station SET retired=1, retired_at=?3, updated_at=COALESCE(?4, updated_at)"
                                           " WHERE operator_id=?1 AND code=?2",
                                           kOp));
    s.Text(1, op).Text(2, code).Int(3, now);
    if (previous_applied) {
      s.Int(4, *previous_applied);
    } else {
      s.Null(4);
    }
    VGI_RETURN_IF_ERROR(s.Run());
    ++receipt.stations_retired;
  }

  // Stakes: the same, against their plain columns.
  std::vector<std::pair<const proto::Stake*, const std::string*>> stakes;
  stakes.reserve(stake_seen.size());
  for (const record::EncodedStation* e : order) {
    for (const proto::Stake& k : e->station.stakes) stakes.emplace_back(&k, &e->station.code);
  }
  std::sort(stakes.begin(), stakes.end(), [](const auto& a, const auto& b) { return a.first->code < b.first->code; });
  for (const auto& [k, station_code] : stakes) {
    if (auto old = old_stakes.find(k->code); old != old_stakes.end() && SameStake(old->second, *station_code, *k)) continue;
    VGI_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("INSERT INTO stake(operator_id, code, station_code, type, operating_state, is_public,"
                          " is_adjust, rated_power, top_power, bottom_power, retired, retired_at, updated_at)"
                          " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,0,NULL,?11)"
                          " ON CONFLICT(operator_id, code) DO UPDATE SET station_code=excluded.station_code,"
                          " type=excluded.type, operating_state=excluded.operating_state,"
                          " is_public=excluded.is_public, is_adjust=excluded.is_adjust,"
                          " rated_power=excluded.rated_power, top_power=excluded.top_power,"
                          " bottom_power=excluded.bottom_power, retired=0, retired_at=NULL,"
                          " updated_at=excluded.updated_at",
                          kOp));
    s.Text(1, op).Text(2, k->code).Text(3, *station_code).Int(4, static_cast<int>(k->type));
    s.Int(5, static_cast<int>(k->operating_state)).Int(6, k->is_public ? 1 : 0).Int(7, k->is_adjust ? 1 : 0);
    s.Int(8, k->rated_power.units()).Int(9, k->top_power.units()).Int(10, k->bottom_power.units());
    VGI_RETURN_IF_ERROR(s.Int(11, now).Run());
  }
  for (const std::string_view code : retiring_stakes) {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE stake SET retired=1, retired_at=?3, updated_at=?3"
                                           " WHERE operator_id=?1 AND code=?2",
                                           kOp));
    VGI_RETURN_IF_ERROR(s.Text(1, op).Text(2, code).Int(3, now).Run());
    ++receipt.stakes_retired;
  }

  {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO model_state(operator_id, applied_at) VALUES(?,?)"
                                           " ON CONFLICT(operator_id) DO UPDATE SET applied_at=excluded.applied_at",
                                           kOp));
    VGI_RETURN_IF_ERROR(s.Text(1, op).Int(2, now).Run());
  }
  VGI_RETURN_IF_ERROR(DropSync(c, op));
  receipt.applied = true;
  return Status::Ok();
}

// ---- reading the model --------------------------------------------------------------------------

namespace {

struct StationRow {
  std::string code;
  bool retired = false;
  std::optional<SystemTime> retired_at;
  SystemTime updated_at{};
  std::string sealed;
};

// Columns: code, retired, retired_at, updated_at (as reported), sealed.
#define VGI_STATION_COLUMNS                                                                                        \
  "SELECT s.code, s.retired, s.retired_at,"                                                                        \
  " CASE WHEN s.retired = 0 AND m.applied_at IS NOT NULL THEN m.applied_at ELSE s.updated_at END, s.sealed"       \
  " FROM station s LEFT JOIN model_state m ON m.operator_id = s.operator_id"

StationRow ReadStationRow(const Stmt& s) {
  StationRow r;
  r.code = s.ColText(0);
  r.retired = s.ColInt(1) != 0;
  if (!s.IsNull(2)) r.retired_at = FromMicros(s.ColInt(2));
  r.updated_at = FromMicros(s.ColInt(3));
  r.sealed = s.ColBlob(4);
  return r;
}

}  // namespace

Result<std::optional<StationRecord>> SqliteStore::GetStation(std::string_view operator_id,
                                                             std::string_view station_code) {
  std::optional<StationRow> row;
  std::vector<std::string> retired_stakes;
  VGI_RETURN_IF_ERROR(ReadTx("GetStation", [&](Connection& c) -> Status {
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(VGI_STATION_COLUMNS " WHERE s.operator_id=? AND s.code=?", "GetStation"));
      VGI_ASSIGN_OR_RETURN(const bool found, s.Text(1, operator_id).Text(2, station_code).Step());
      if (!found) return Status::Ok();
      row = ReadStationRow(s);
    }
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT code FROM stake WHERE operator_id=? AND station_code=? AND retired=1"
                                           " ORDER BY code",
                                           "GetStation"));
    s.Text(1, operator_id).Text(2, station_code);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool found, s.Step());
      if (!found) return Status::Ok();
      retired_stakes.emplace_back(s.ColText(0));
    }
  }));
  if (!row) return std::optional<StationRecord>();
  StationRecord rec;
  rec.operator_id = operator_id;
  VGI_ASSIGN_OR_RETURN(rec.station, record::OpenStation(*options_.sealer, operator_id, row->code, row->sealed));
  rec.retired = row->retired;
  rec.retired_at = row->retired_at;
  rec.updated_at = row->updated_at;
  rec.retired_stake_codes = std::move(retired_stakes);
  return std::optional<StationRecord>(std::move(rec));
}

Result<std::vector<StationRecord>> SqliteStore::ListStations(std::string_view operator_id, bool include_retired) {
  std::vector<StationRow> rows;
  std::map<std::string, std::vector<std::string>> retired_stakes;
  VGI_RETURN_IF_ERROR(ReadTx("ListStations", [&](Connection& c) -> Status {
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(VGI_STATION_COLUMNS " WHERE s.operator_id=?1 AND (?2 OR s.retired=0)"
                                                                 " ORDER BY s.code",
                                             "ListStations"));
      s.Text(1, operator_id).Int(2, include_retired ? 1 : 0);
      for (;;) {
        VGI_ASSIGN_OR_RETURN(const bool found, s.Step());
        if (!found) break;
        rows.push_back(ReadStationRow(s));
      }
    }
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT station_code, code FROM stake WHERE operator_id=? AND retired=1"
                                           " ORDER BY station_code, code",
                                           "ListStations"));
    s.Text(1, operator_id);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool found, s.Step());
      if (!found) return Status::Ok();
      retired_stakes[std::string(s.ColText(0))].emplace_back(s.ColText(1));
    }
  }));
  std::vector<StationRecord> out;
  out.reserve(rows.size());
  for (StationRow& r : rows) {
    StationRecord rec;
    rec.operator_id = operator_id;
    VGI_ASSIGN_OR_RETURN(rec.station, record::OpenStation(*options_.sealer, operator_id, r.code, r.sealed));
    rec.retired = r.retired;
    rec.retired_at = r.retired_at;
    rec.updated_at = r.updated_at;
    auto it = retired_stakes.find(r.code);
    if (it != retired_stakes.end()) rec.retired_stake_codes = std::move(it->second);
    out.push_back(std::move(rec));
  }
  return out;
}

#undef VGI_STATION_COLUMNS

Result<std::vector<StationIndexEntry>> SqliteStore::ListStationIndex(std::string_view operator_id) {
  std::vector<StationIndexEntry> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListStationIndex", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT code, area_code FROM station WHERE operator_id=? AND retired=0"
                                           " ORDER BY code",
                                           "ListStationIndex"));
    s.Text(1, operator_id);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool found, s.Step());
      if (!found) return Status::Ok();
      out.push_back(StationIndexEntry{std::string(s.ColText(0)), std::string(s.ColText(1))});
    }
  }));
  return out;
}

}  // namespace vgi::store::sqlite
