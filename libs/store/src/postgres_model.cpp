// The station model in PostgreSQL (send_station_info): pages staged in station_sync_stations
// and station_sync_stakes, the complete snapshot checked and applied with set-based statements
// in one transaction.
//
// Each page's stations are sealed before the transaction (the expensive part) and staged with
// the plain columns, so the snapshot checks (count, duplicate station and stake codes) and the
// upserts run inside the database without moving 30 000 stations back and forth. Only stations
// that keep retired stakes (a stake absent from the whole snapshot, its station present) are
// opened, merged with record::KeepRetiredStakes and sealed again.
#include "postgres_store_impl.hpp"
#include "record_codec.hpp"

namespace vgi::store {
namespace {

using record::TruncateTime;

Status NoSealer() {
  return Status::Internal("store: StoreOptions.sealer is not set; open the store with the master key's Sealer");
}

// Transaction advisory lock (class, key) serialising one operator's sync.
constexpr const char* kLockSync = "SELECT pg_advisory_xact_lock(1986487041, hashtext($1))";

// Drops every sync started before `cutoff`; returns how many.
Result<std::int64_t> ExpireBefore(pg::Connection& c, SystemTime cutoff) {
  VGI_ASSIGN_OR_RETURN(
      pg::Rows r,
      c.Prepared("vgi_expire_syncs",
                 "WITH gone AS (DELETE FROM station_syncs WHERE started_at < $1 RETURNING operator_id), "
                 "p AS (DELETE FROM station_sync_pages x USING gone WHERE x.operator_id = gone.operator_id), "
                 "s AS (DELETE FROM station_sync_stations x USING gone WHERE x.operator_id = gone.operator_id), "
                 "k AS (DELETE FROM station_sync_stakes x USING gone WHERE x.operator_id = gone.operator_id) "
                 "SELECT count(*) FROM gone",
                 pg::Params().Time(cutoff)));
  return r.Int64(0, 0);
}

Status DropSync(pg::Connection& c, const std::string& op) {
  return c.Prepared("vgi_drop_sync",
                    "WITH p AS (DELETE FROM station_sync_pages WHERE operator_id = $1), "
                    "s AS (DELETE FROM station_sync_stations WHERE operator_id = $1), "
                    "k AS (DELETE FROM station_sync_stakes WHERE operator_id = $1) "
                    "DELETE FROM station_syncs WHERE operator_id = $1",
                    pg::Params().Text(op))
      .status();
}

// $1 operator, $2 page, then one array per staged column (vgi_stage_stations).
pg::Params StationParams(const Sealer& sealer, const std::string& op, const proto::StationInfoPage& page) {
  pg::ArrayBuilder code(pg::kTextOid), area(pg::kTextOid), type(pg::kInt2Oid), eq(pg::kInt2Oid),
      state(pg::kInt2Oid), pub(pg::kBoolOid), sealed(pg::kByteaOid);
  for (const proto::Station& st : page.stations) {
    code.Add(st.code);
    area.Add(st.area_code);
    type.AddInt16(static_cast<std::int16_t>(st.type));
    eq.AddInt16(static_cast<std::int16_t>(st.equipment_type));
    state.AddInt16(static_cast<std::int16_t>(st.state));
    pub.AddBool(st.is_public);
    sealed.Add(record::SealStation(sealer, op, st));
  }
  pg::Params p;
  p.Text(op)
      .Int64(page.page_no)
      .Array(pg::kTextArrayOid, code)
      .Array(pg::kTextArrayOid, area)
      .Array(pg::kInt2ArrayOid, type)
      .Array(pg::kInt2ArrayOid, eq)
      .Array(pg::kInt2ArrayOid, state)
      .Array(pg::kBoolArrayOid, pub)
      .Array(pg::kByteaArrayOid, sealed);
  return p;
}

// $1 operator, $2 page, then one array per staged column (vgi_stage_stakes).
pg::Params StakeParams(const std::string& op, const proto::StationInfoPage& page) {
  pg::ArrayBuilder code(pg::kTextOid), station(pg::kTextOid), type(pg::kInt2Oid), ops(pg::kInt2Oid),
      pub(pg::kBoolOid), adj(pg::kBoolOid), rated(pg::kInt8Oid), top(pg::kInt8Oid), bottom(pg::kInt8Oid);
  for (const proto::Station& st : page.stations) {
    for (const proto::Stake& k : st.stakes) {
      code.Add(k.code);
      station.Add(st.code);
      type.AddInt16(static_cast<std::int16_t>(k.type));
      ops.AddInt16(static_cast<std::int16_t>(k.operating_state));
      pub.AddBool(k.is_public);
      adj.AddBool(k.is_adjust);
      rated.AddInt64(k.rated_power.units());
      top.AddInt64(k.top_power.units());
      bottom.AddInt64(k.bottom_power.units());
    }
  }
  pg::Params p;
  p.Text(op)
      .Int64(page.page_no)
      .Array(pg::kTextArrayOid, code)
      .Array(pg::kTextArrayOid, station)
      .Array(pg::kInt2ArrayOid, type)
      .Array(pg::kInt2ArrayOid, ops)
      .Array(pg::kBoolArrayOid, pub)
      .Array(pg::kBoolArrayOid, adj)
      .Array(pg::kInt8ArrayOid, rated)
      .Array(pg::kInt8ArrayOid, top)
      .Array(pg::kInt8ArrayOid, bottom);
  return p;
}

constexpr const char* kRecordColumns =
    "SELECT s.station_code, s.sealed, s.retired, s.retired_at, s.updated_at, "
    "ARRAY(SELECT k.stake_code FROM stakes k WHERE k.operator_id = s.operator_id "
    "AND k.station_code = s.station_code AND k.retired ORDER BY k.stake_code) FROM stations s ";

}  // namespace

Result<PageReceipt> PostgresStore::PutStationPage(std::string_view operator_id, const proto::StationInfoPage& page) {
  if (options_.sealer == nullptr) return NoSealer();
  VGI_RETURN_IF_ERROR(record::CheckPage(operator_id, page));
  const std::string op(operator_id);

  // Seal outside the transaction: it is the expensive part, and a retry reuses it.
  pg::Params stations = StationParams(*options_.sealer, op, page);
  pg::Params stakes = StakeParams(op, page);
  bool stakes_empty = true;
  for (const proto::Station& st : page.stations) stakes_empty = stakes_empty && st.stakes.empty();

  PageReceipt receipt;
  Status refusal;
  Status s = pool_->Transaction([&](pg::Connection& c) -> Status {
    receipt = PageReceipt{};
    refusal = Status::Ok();
    const SystemTime now = TruncateTime(options_.clock->Now());
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_lock_sync", kLockSync, pg::Params().Text(op)).status());
    VGI_RETURN_IF_ERROR(ExpireBefore(c, now - options_.sync_ttl).status());

    VGI_ASSIGN_OR_RETURN(pg::Rows open, c.Prepared("vgi_get_sync",
                                                   "SELECT total_count, page_count FROM station_syncs "
                                                   "WHERE operator_id = $1",
                                                   pg::Params().Text(op)));
    bool start = open.size() == 0;
    if (!start) {
      VGI_ASSIGN_OR_RETURN(std::int64_t total, open.Int64(0, 0));
      VGI_ASSIGN_OR_RETURN(std::int64_t pages, open.Int64(0, 1));
      if (total != page.total_count || pages != page.page_count) {  // a new sync replaces the open one
        VGI_RETURN_IF_ERROR(DropSync(c, op));
        start = true;
      }
    }
    if (start) {
      VGI_RETURN_IF_ERROR(c.Prepared("vgi_start_sync",
                                     "INSERT INTO station_syncs (operator_id, total_count, page_count, started_at) "
                                     "VALUES ($1, $2, $3, $4)",
                                     pg::Params().Text(op).Int64(page.total_count).Int64(page.page_count).Time(now))
                              .status());
    }
    // A page number already held is replaced.
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_unstage_page",
                                   "WITH s AS (DELETE FROM station_sync_stations WHERE operator_id = $1 AND page_no = $2) "
                                   "DELETE FROM station_sync_stakes WHERE operator_id = $1 AND page_no = $2",
                                   pg::Params().Text(op).Int64(page.page_no))
                            .status());
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_stage_stations",
                                   "INSERT INTO station_sync_stations (operator_id, page_no, position, station_code, "
                                   "area_code, type, equipment_type, state, is_public, sealed) "
                                   "SELECT $1, $2, n, code, area, type, eq, state, pub, sealed "
                                   "FROM unnest($3::text[], $4::text[], $5::int2[], $6::int2[], $7::int2[], $8::bool[], "
                                   "$9::bytea[]) WITH ORDINALITY AS s(code, area, type, eq, state, pub, sealed, n)",
                                   stations)
                            .status());
    if (!stakes_empty) {
      VGI_RETURN_IF_ERROR(c.Prepared("vgi_stage_stakes",
                                     "INSERT INTO station_sync_stakes (operator_id, page_no, position, stake_code, "
                                     "station_code, type, operating_state, is_public, is_adjust, rated_power, top_power, "
                                     "bottom_power) "
                                     "SELECT $1, $2, n, code, st, type, ops, pub, adj, rated, top, bottom "
                                     "FROM unnest($3::text[], $4::text[], $5::int2[], $6::int2[], $7::bool[], $8::bool[], "
                                     "$9::int8[], $10::int8[], $11::int8[]) "
                                     "WITH ORDINALITY AS k(code, st, type, ops, pub, adj, rated, top, bottom, n)",
                                     stakes)
                              .status());
    }
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_hold_page",
                                   "INSERT INTO station_sync_pages (operator_id, page_no, received_at) VALUES ($1, $2, $3) "
                                   "ON CONFLICT (operator_id, page_no) DO UPDATE SET received_at = excluded.received_at",
                                   pg::Params().Text(op).Int64(page.page_no).Time(now))
                            .status());
    VGI_ASSIGN_OR_RETURN(pg::Rows held, c.Prepared("vgi_count_pages",
                                                   "SELECT count(*) FROM station_sync_pages WHERE operator_id = $1",
                                                   pg::Params().Text(op)));
    VGI_ASSIGN_OR_RETURN(receipt.pages_received, held.Int64(0, 0));
    receipt.page_count = page.page_count;
    if (receipt.pages_received < receipt.page_count) return Status::Ok();

    // Complete: applied or refused, the sync is over either way (and that is committed).
    VGI_RETURN_IF_ERROR(ApplySync(c, op, page.total_count, now, receipt, refusal));
    return DropSync(c, op);
  });
  if (!s.ok()) return s;
  if (!refusal.ok()) return refusal;
  return receipt;
}

Status PostgresStore::ApplySync(pg::Connection& c, const std::string& op, const std::int64_t total_count,
                                SystemTime now, PageReceipt& receipt, Status& refusal) {
  const pg::Params by_op = pg::Params().Text(op);
  VGI_ASSIGN_OR_RETURN(pg::Rows count, c.Prepared("vgi_sync_count",
                                                  "SELECT count(*) FROM station_sync_stations WHERE operator_id = $1",
                                                  by_op));
  VGI_ASSIGN_OR_RETURN(std::int64_t held, count.Int64(0, 0));
  if (held != total_count) {
    refusal = record::TotalCountMismatch(total_count, held);
    return Status::Ok();
  }
  // The staging tables are filled and emptied by every sync, so their statistics are always
  // stale; fresh ones keep the joins below on hash plans instead of a nested loop over 300 000
  // stakes that the planner believes to be a handful.
  VGI_RETURN_IF_ERROR(c.Run("ANALYZE station_sync_stations, station_sync_stakes"));
  // The smallest duplicated code is reported, with the first and last page it is on.
  VGI_ASSIGN_OR_RETURN(pg::Rows dup_station,
                       c.Prepared("vgi_sync_dup_station",
                                  "SELECT station_code, min(page_no), max(page_no) FROM station_sync_stations "
                                  "WHERE operator_id = $1 GROUP BY station_code HAVING count(*) > 1 "
                                  "ORDER BY station_code LIMIT 1",
                                  by_op));
  if (dup_station.size() > 0) {
    VGI_ASSIGN_OR_RETURN(std::string_view code, dup_station.Bytes(0, 0));
    VGI_ASSIGN_OR_RETURN(std::int64_t a, dup_station.Int64(0, 1));
    VGI_ASSIGN_OR_RETURN(std::int64_t b, dup_station.Int64(0, 2));
    refusal = record::DuplicateStation(code, a, b);
    return Status::Ok();
  }
  VGI_ASSIGN_OR_RETURN(pg::Rows dup_stake,
                       c.Prepared("vgi_sync_dup_stake",
                                  "SELECT stake_code, min(page_no), max(page_no) FROM station_sync_stakes "
                                  "WHERE operator_id = $1 GROUP BY stake_code HAVING count(*) > 1 "
                                  "ORDER BY stake_code LIMIT 1",
                                  by_op));
  if (dup_stake.size() > 0) {
    VGI_ASSIGN_OR_RETURN(std::string_view code, dup_stake.Bytes(0, 0));
    VGI_ASSIGN_OR_RETURN(std::int64_t a, dup_stake.Int64(0, 1));
    VGI_ASSIGN_OR_RETURN(std::int64_t b, dup_stake.Int64(0, 2));
    refusal = record::DuplicateStake(code, a, b);
    return Status::Ok();
  }

  // Stations that keep retired stakes: a stake the operator had under a station of the snapshot
  // that is absent from the whole snapshot (already retired ones included).
  VGI_ASSIGN_OR_RETURN(
      pg::Rows keep,
      c.Prepared("vgi_sync_keep",
                 "SELECT x.station_code, g.sealed, o.sealed, x.codes FROM "
                 "(SELECT t.station_code, array_agg(t.stake_code ORDER BY t.stake_code) AS codes FROM stakes t "
                 " WHERE t.operator_id = $1 AND NOT EXISTS (SELECT 1 FROM station_sync_stakes k "
                 "                                         WHERE k.operator_id = $1 AND k.stake_code = t.stake_code) "
                 " GROUP BY t.station_code) x "
                 "JOIN station_sync_stations g ON g.operator_id = $1 AND g.station_code = x.station_code "
                 "JOIN stations o ON o.operator_id = $1 AND o.station_code = x.station_code",
                 by_op));
  if (keep.size() > 0) {
    pg::ArrayBuilder codes(pg::kTextOid), sealed(pg::kByteaOid);
    for (int i = 0; i < keep.size(); ++i) {
      VGI_ASSIGN_OR_RETURN(std::string_view code, keep.Bytes(i, 0));
      VGI_ASSIGN_OR_RETURN(std::string_view fresh_sealed, keep.Bytes(i, 1));
      VGI_ASSIGN_OR_RETURN(std::string_view old_sealed, keep.Bytes(i, 2));
      VGI_ASSIGN_OR_RETURN(std::vector<std::string> retired, keep.TextArray(i, 3));
      VGI_ASSIGN_OR_RETURN(proto::Station previous, record::OpenStation(*options_.sealer, op, code, old_sealed));
      VGI_ASSIGN_OR_RETURN(proto::Station fresh, record::OpenStation(*options_.sealer, op, code, fresh_sealed));
      record::KeepRetiredStakes(previous, retired, fresh);
      codes.Add(code);
      sealed.Add(record::SealStation(*options_.sealer, op, fresh));
    }
    VGI_RETURN_IF_ERROR(c.Exec("UPDATE station_sync_stations x SET sealed = u.sealed "
                               "FROM unnest($2::text[], $3::bytea[]) AS u(code, sealed) "
                               "WHERE x.operator_id = $1 AND x.station_code = u.code",
                               pg::Params().Text(op).Array(pg::kTextArrayOid, codes).Array(pg::kByteaArrayOid, sealed))
                            .status());
  }

  VGI_ASSIGN_OR_RETURN(pg::Rows seq_row, c.Exec("SELECT nextval('station_sync_seq')"));
  VGI_ASSIGN_OR_RETURN(std::int64_t seq, seq_row.Int64(0, 0));
  const pg::Params apply = pg::Params().Text(op).Time(now).Int64(seq);
  // The operator's sync lock serialises every writer of its station and stake rows, so plain
  // UPDATE ... FROM and INSERT ... WHERE NOT EXISTS do (set-wise joins; no per-row speculative
  // insertion as ON CONFLICT would do), in no particular order.
  // Every station row is written: its updated_at says which snapshot carried it last.
  VGI_ASSIGN_OR_RETURN(
      pg::Rows updated,
      c.Prepared("vgi_sync_update_stations",
                 "UPDATE stations t SET area_code = g.area_code, type = g.type, equipment_type = g.equipment_type, "
                 "state = g.state, is_public = g.is_public, retired = false, retired_at = NULL, updated_at = $2, "
                 "sealed = g.sealed, sync_seq = $3 FROM station_sync_stations g "
                 "WHERE t.operator_id = $1 AND g.operator_id = $1 AND t.station_code = g.station_code",
                 apply));
  VGI_ASSIGN_OR_RETURN(
      pg::Rows inserted,
      c.Prepared("vgi_sync_insert_stations",
                 "INSERT INTO stations (operator_id, station_code, area_code, type, equipment_type, state, is_public, "
                 "retired, retired_at, updated_at, sealed, sync_seq) "
                 "SELECT operator_id, station_code, area_code, type, equipment_type, state, is_public, false, NULL, $2, "
                 "sealed, $3 FROM station_sync_stations g WHERE g.operator_id = $1 AND NOT EXISTS "
                 "(SELECT 1 FROM stations t WHERE t.operator_id = $1 AND t.station_code = g.station_code)",
                 apply));
  receipt.stations_applied = updated.affected() + inserted.affected();
  // A stake row is written only when the snapshot changed it: the daily re-sync of an unchanged
  // model costs reads, not 300 000 row versions and their index entries.
  const pg::Params stake_params = pg::Params().Text(op).Time(now);
  VGI_RETURN_IF_ERROR(
      c.Prepared("vgi_sync_update_stakes",
                 "UPDATE stakes t SET station_code = k.station_code, type = k.type, "
                 "operating_state = k.operating_state, is_public = k.is_public, is_adjust = k.is_adjust, "
                 "rated_power = k.rated_power, top_power = k.top_power, bottom_power = k.bottom_power, "
                 "retired = false, retired_at = NULL, updated_at = $2 FROM station_sync_stakes k "
                 "WHERE t.operator_id = $1 AND k.operator_id = $1 AND t.stake_code = k.stake_code "
                 "AND (t.retired OR (t.station_code, t.type, t.operating_state, t.is_public, t.is_adjust, "
                 "t.rated_power, t.top_power, t.bottom_power) IS DISTINCT FROM (k.station_code, k.type, "
                 "k.operating_state, k.is_public, k.is_adjust, k.rated_power, k.top_power, k.bottom_power))",
                 stake_params)
          .status());
  VGI_RETURN_IF_ERROR(
      c.Prepared("vgi_sync_insert_stakes",
                 "INSERT INTO stakes (operator_id, stake_code, station_code, type, operating_state, is_public, "
                 "is_adjust, rated_power, top_power, bottom_power, retired, retired_at, updated_at) "
                 "SELECT operator_id, stake_code, station_code, type, operating_state, is_public, is_adjust, "
                 "rated_power, top_power, bottom_power, false, NULL, $2 FROM station_sync_stakes k "
                 "WHERE k.operator_id = $1 AND NOT EXISTS "
                 "(SELECT 1 FROM stakes t WHERE t.operator_id = $1 AND t.stake_code = k.stake_code)",
                 stake_params)
          .status());
  VGI_ASSIGN_OR_RETURN(pg::Rows stakes, c.Prepared("vgi_sync_count_stakes",
                                                   "SELECT count(*) FROM station_sync_stakes WHERE operator_id = $1",
                                                   by_op));
  VGI_ASSIGN_OR_RETURN(receipt.stakes_applied, stakes.Int64(0, 0));
  // What the snapshot did not carry is retired (kept, with retired_at).
  VGI_ASSIGN_OR_RETURN(pg::Rows gone_stations,
                       c.Prepared("vgi_sync_retire_stations",
                                  "UPDATE stations SET retired = true, retired_at = $2 "
                                  "WHERE operator_id = $1 AND sync_seq <> $3 AND NOT retired",
                                  apply));
  receipt.stations_retired = gone_stations.affected();
  VGI_ASSIGN_OR_RETURN(pg::Rows gone_stakes,
                       c.Prepared("vgi_sync_retire_stakes",
                                  "UPDATE stakes t SET retired = true, retired_at = $2, updated_at = $2 "
                                  "WHERE t.operator_id = $1 AND NOT t.retired AND NOT EXISTS "
                                  "(SELECT 1 FROM station_sync_stakes k WHERE k.operator_id = $1 "
                                  "AND k.stake_code = t.stake_code)",
                                  pg::Params().Text(op).Time(now)));
  receipt.stakes_retired = gone_stakes.affected();
  receipt.applied = true;
  return Status::Ok();
}

Result<std::int64_t> PostgresStore::ExpireSyncs() {
  std::int64_t dropped = 0;
  VGI_RETURN_IF_ERROR(pool_->Transaction([&](pg::Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(dropped, ExpireBefore(c, options_.clock->Now() - options_.sync_ttl));
    return Status::Ok();
  }));
  return dropped;
}

Result<std::vector<StationRecord>> PostgresStore::ReadStations(pg::Connection& c, std::string_view operator_id,
                                                               const std::string* station_code, bool include_retired) {
  Result<pg::Rows> rows =
      station_code != nullptr
          ? c.Prepared("vgi_get_station",
                       std::string(kRecordColumns) + "WHERE s.operator_id = $1 AND s.station_code = $2",
                       pg::Params().Text(operator_id).Text(*station_code))
          : c.Prepared("vgi_list_stations",
                       std::string(kRecordColumns) +
                           "WHERE s.operator_id = $1 AND ($2 OR NOT s.retired) ORDER BY s.station_code",
                       pg::Params().Text(operator_id).Bool(include_retired));
  if (!rows.ok()) return rows.status();
  const pg::Rows& r = *rows;
  std::vector<StationRecord> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    StationRecord rec;
    rec.operator_id = operator_id;
    VGI_ASSIGN_OR_RETURN(std::string_view code, r.Bytes(i, 0));
    VGI_ASSIGN_OR_RETURN(std::string_view sealed, r.Bytes(i, 1));
    VGI_ASSIGN_OR_RETURN(rec.station, record::OpenStation(*options_.sealer, operator_id, code, sealed));
    VGI_ASSIGN_OR_RETURN(rec.retired, r.Bool(i, 2));
    VGI_ASSIGN_OR_RETURN(rec.retired_at, r.OptTime(i, 3));
    VGI_ASSIGN_OR_RETURN(rec.updated_at, r.Time(i, 4));
    VGI_ASSIGN_OR_RETURN(rec.retired_stake_codes, r.TextArray(i, 5));
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::optional<StationRecord>> PostgresStore::GetStation(std::string_view operator_id,
                                                               std::string_view station_code) {
  if (options_.sealer == nullptr) return NoSealer();
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  const std::string code(station_code);
  VGI_ASSIGN_OR_RETURN(std::vector<StationRecord> found, ReadStations(*c, operator_id, &code, true));
  if (found.empty()) return std::optional<StationRecord>();
  return std::optional<StationRecord>(std::move(found.front()));
}

Result<std::vector<StationRecord>> PostgresStore::ListStations(std::string_view operator_id, bool include_retired) {
  if (options_.sealer == nullptr) return NoSealer();
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return ReadStations(*c, operator_id, nullptr, include_retired);
}

Result<std::vector<StationIndexEntry>> PostgresStore::ListStationIndex(std::string_view operator_id) {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_list_station_index",
                                               "SELECT station_code, area_code FROM stations "
                                               "WHERE operator_id = $1 AND NOT retired ORDER BY station_code",
                                               pg::Params().Text(operator_id)));
  std::vector<StationIndexEntry> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(std::string_view code, r.Bytes(i, 0));
    VGI_ASSIGN_OR_RETURN(std::string_view area, r.Bytes(i, 1));
    out.push_back(StationIndexEntry{std::string(code), std::string(area)});
  }
  return out;
}

}  // namespace vgi::store
