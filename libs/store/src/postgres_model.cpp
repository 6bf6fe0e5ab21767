// The station model in PostgreSQL (send_station_info): each page staged as one row of arrays in
// station_sync_pages, the complete snapshot unnested into temporary tables, checked and applied
// with set-based statements in one transaction.
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
                 "p AS (DELETE FROM station_sync_pages x USING gone WHERE x.operator_id = gone.operator_id) "
                 "SELECT count(*) FROM gone",
                 pg::Params().Time(cutoff)));
  return r.Int64(0, 0);
}

Status DropSync(pg::Connection& c, const std::string& op) {
  return c.Prepared("vgi_drop_sync",
                    "WITH p AS (DELETE FROM station_sync_pages WHERE operator_id = $1) "
                    "DELETE FROM station_syncs WHERE operator_id = $1",
                    pg::Params().Text(op))
      .status();
}

// $1 operator, $2 page, then one array per staged column (vgi_stage_page); the caller adds $19,
// the time received.
pg::Params PageParams(const Sealer& sealer, const std::string& op, const proto::StationInfoPage& page) {
  pg::ArrayBuilder code(pg::kTextOid), area(pg::kTextOid), type(pg::kInt2Oid), eq(pg::kInt2Oid),
      state(pg::kInt2Oid), pub(pg::kBoolOid), sealed(pg::kByteaOid);
  pg::ArrayBuilder k_code(pg::kTextOid), k_station(pg::kTextOid), k_type(pg::kInt2Oid), k_ops(pg::kInt2Oid),
      k_pub(pg::kBoolOid), k_adj(pg::kBoolOid), k_rated(pg::kInt8Oid), k_top(pg::kInt8Oid), k_bottom(pg::kInt8Oid);
  for (const proto::Station& st : page.stations) {
    code.Add(st.code);
    area.Add(st.area_code);
    type.AddInt16(static_cast<std::int16_t>(st.type));
    eq.AddInt16(static_cast<std::int16_t>(st.equipment_type));
    state.AddInt16(static_cast<std::int16_t>(st.state));
    pub.AddBool(st.is_public);
    sealed.Add(record::SealStation(sealer, op, st));
    for (const proto::Stake& k : st.stakes) {
      k_code.Add(k.code);
      k_station.Add(st.code);
      k_type.AddInt16(static_cast<std::int16_t>(k.type));
      k_ops.AddInt16(static_cast<std::int16_t>(k.operating_state));
      k_pub.AddBool(k.is_public);
      k_adj.AddBool(k.is_adjust);
      k_rated.AddInt64(k.rated_power.units());
      k_top.AddInt64(k.top_power.units());
      k_bottom.AddInt64(k.bottom_power.units());
    }
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
      .Array(pg::kByteaArrayOid, sealed)
      .Array(pg::kTextArrayOid, k_code)
      .Array(pg::kTextArrayOid, k_station)
      .Array(pg::kInt2ArrayOid, k_type)
      .Array(pg::kInt2ArrayOid, k_ops)
      .Array(pg::kBoolArrayOid, k_pub)
      .Array(pg::kBoolArrayOid, k_adj)
      .Array(pg::kInt8ArrayOid, k_rated)
      .Array(pg::kInt8ArrayOid, k_top)
      .Array(pg::kInt8ArrayOid, k_bottom);
  return p;
}

// The complete snapshot as two temporary tables (dropped at commit), with fresh statistics so
// the joins below plan on their real sizes. Temporary: no WAL, no other session sees them.
constexpr const char* kSnapshotTables[] = {
    "CREATE TEMP TABLE sync_stations (page_no bigint NOT NULL, station_code text COLLATE \"C\" NOT NULL, "
    "area_code text NOT NULL, type int2 NOT NULL, equipment_type int2 NOT NULL, state int2 NOT NULL, "
    "is_public bool NOT NULL, sealed bytea NOT NULL) ON COMMIT DROP",
    "CREATE TEMP TABLE sync_stakes (page_no bigint NOT NULL, stake_code text COLLATE \"C\" NOT NULL, "
    "station_code text COLLATE \"C\" NOT NULL, type int2 NOT NULL, operating_state int2 NOT NULL, "
    "is_public bool NOT NULL, is_adjust bool NOT NULL, rated_power int8 NOT NULL, top_power int8 NOT NULL, "
    "bottom_power int8 NOT NULL) ON COMMIT DROP",
    "ALTER TABLE sync_stations ALTER COLUMN sealed SET STORAGE EXTERNAL",
};

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
  const pg::Params staged = PageParams(*options_.sealer, op, page);

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
    pg::Params stage = staged;
    stage.Time(now);
    VGI_RETURN_IF_ERROR(
        c.Prepared("vgi_stage_page",
                   "INSERT INTO station_sync_pages AS p (operator_id, page_no, station_codes, area_codes, types, "
                   "equipment_types, states, public_flags, sealed, stake_codes, stake_station_codes, stake_types, "
                   "stake_operating_states, stake_public_flags, stake_adjust_flags, stake_rated_powers, "
                   "stake_top_powers, stake_bottom_powers, received_at) "
                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) "
                   "ON CONFLICT (operator_id, page_no) DO UPDATE SET station_codes = excluded.station_codes, "
                   "area_codes = excluded.area_codes, types = excluded.types, "
                   "equipment_types = excluded.equipment_types, states = excluded.states, "
                   "public_flags = excluded.public_flags, sealed = excluded.sealed, "
                   "stake_codes = excluded.stake_codes, stake_station_codes = excluded.stake_station_codes, "
                   "stake_types = excluded.stake_types, stake_operating_states = excluded.stake_operating_states, "
                   "stake_public_flags = excluded.stake_public_flags, "
                   "stake_adjust_flags = excluded.stake_adjust_flags, "
                   "stake_rated_powers = excluded.stake_rated_powers, stake_top_powers = excluded.stake_top_powers, "
                   "stake_bottom_powers = excluded.stake_bottom_powers, received_at = excluded.received_at",
                   stage)
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
  // The snapshot's tables are this transaction's own, so the statements on them are not
  // prepared: each sync creates them anew (and a sync is applied once per operator and day).
  for (const char* sql : kSnapshotTables) VGI_RETURN_IF_ERROR(c.Run(sql));
  VGI_ASSIGN_OR_RETURN(
      pg::Rows held_stations,
      c.Exec("INSERT INTO sync_stations SELECT p.page_no, s.code, s.area, s.type, s.eq, s.state, s.pub, s.sealed "
             "FROM station_sync_pages p, unnest(p.station_codes, p.area_codes, p.types, p.equipment_types, "
             "p.states, p.public_flags, p.sealed) AS s(code, area, type, eq, state, pub, sealed) "
             "WHERE p.operator_id = $1",
             by_op));
  const std::int64_t held = held_stations.affected();
  if (held != total_count) {
    refusal = record::TotalCountMismatch(total_count, held);
    return Status::Ok();
  }
  VGI_ASSIGN_OR_RETURN(
      pg::Rows held_stakes,
      c.Exec("INSERT INTO sync_stakes SELECT p.page_no, k.code, k.st, k.type, k.ops, k.pub, k.adj, k.rated, k.top, "
             "k.bottom FROM station_sync_pages p, unnest(p.stake_codes, p.stake_station_codes, p.stake_types, "
             "p.stake_operating_states, p.stake_public_flags, p.stake_adjust_flags, p.stake_rated_powers, "
             "p.stake_top_powers, p.stake_bottom_powers) AS k(code, st, type, ops, pub, adj, rated, top, bottom) "
             "WHERE p.operator_id = $1",
             by_op));
  // Statistics keep the joins below on hash plans instead of a nested loop over 300 000 stakes
  // that the planner would believe to be a handful. Row counts and rough distinct counts are
  // all those plans need: a sample of 3 000 rows instead of the default 30 000.
  VGI_RETURN_IF_ERROR(c.Run("SET LOCAL default_statistics_target = 10"));
  VGI_RETURN_IF_ERROR(c.Run("ANALYZE sync_stations, sync_stakes"));
  // The smallest duplicated code is reported, with the first and last page it is on.
  VGI_ASSIGN_OR_RETURN(pg::Rows dup_station,
                       c.Exec("SELECT station_code, min(page_no), max(page_no) FROM sync_stations "
                              "GROUP BY station_code HAVING count(*) > 1 ORDER BY station_code LIMIT 1"));
  if (dup_station.size() > 0) {
    VGI_ASSIGN_OR_RETURN(std::string_view code, dup_station.Bytes(0, 0));
    VGI_ASSIGN_OR_RETURN(std::int64_t a, dup_station.Int64(0, 1));
    VGI_ASSIGN_OR_RETURN(std::int64_t b, dup_station.Int64(0, 2));
    refusal = record::DuplicateStation(code, a, b);
    return Status::Ok();
  }
  VGI_ASSIGN_OR_RETURN(pg::Rows dup_stake,
                       c.Exec("SELECT stake_code, min(page_no), max(page_no) FROM sync_stakes "
                              "GROUP BY stake_code HAVING count(*) > 1 ORDER BY stake_code LIMIT 1"));
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
      c.Exec("SELECT x.station_code, g.sealed, o.sealed, x.codes FROM "
             "(SELECT t.station_code, array_agg(t.stake_code ORDER BY t.stake_code) AS codes FROM stakes t "
             " WHERE t.operator_id = $1 AND NOT EXISTS (SELECT 1 FROM sync_stakes k WHERE k.stake_code = t.stake_code) "
             " GROUP BY t.station_code) x "
             "JOIN sync_stations g ON g.station_code = x.station_code "
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
    VGI_RETURN_IF_ERROR(c.Exec("UPDATE sync_stations x SET sealed = u.sealed "
                               "FROM unnest($1::text[], $2::bytea[]) AS u(code, sealed) WHERE x.station_code = u.code",
                               pg::Params().Array(pg::kTextArrayOid, codes).Array(pg::kByteaArrayOid, sealed))
                            .status());
  }

  VGI_ASSIGN_OR_RETURN(pg::Rows seq_row, c.Exec("SELECT nextval('station_sync_seq')"));
  VGI_ASSIGN_OR_RETURN(std::int64_t seq, seq_row.Int64(0, 0));
  const pg::Params apply = pg::Params().Text(op).Time(now).Int64(seq);
  // The operator's sync lock serialises every writer of its station and stake rows, so a MERGE
  // (one join of the snapshot with the operator's rows) needs no ON CONFLICT.
  // Every station row is written: its updated_at says which snapshot carried it last.
  VGI_ASSIGN_OR_RETURN(
      pg::Rows merged,
      c.Exec("MERGE INTO stations t USING sync_stations g ON t.operator_id = $1 AND t.station_code = g.station_code "
             "WHEN MATCHED THEN UPDATE SET area_code = g.area_code, type = g.type, "
             "equipment_type = g.equipment_type, state = g.state, is_public = g.is_public, retired = false, "
             "retired_at = NULL, updated_at = $2, sealed = g.sealed, sync_seq = $3 "
             "WHEN NOT MATCHED THEN INSERT (operator_id, station_code, area_code, type, equipment_type, state, "
             "is_public, retired, retired_at, updated_at, sealed, sync_seq) VALUES ($1, g.station_code, g.area_code, "
             "g.type, g.equipment_type, g.state, g.is_public, false, NULL, $2, g.sealed, $3)",
             apply));
  receipt.stations_applied = merged.affected();
  // A stake row is written only when the snapshot changed it: the daily re-sync of an unchanged
  // model costs reads, not 300 000 row versions and their index entries.
  VGI_RETURN_IF_ERROR(
      c.Exec("MERGE INTO stakes t USING sync_stakes k ON t.operator_id = $1 AND t.stake_code = k.stake_code "
             "WHEN MATCHED AND (t.retired OR (t.station_code, t.type, t.operating_state, t.is_public, t.is_adjust, "
             "t.rated_power, t.top_power, t.bottom_power) IS DISTINCT FROM (k.station_code, k.type, "
             "k.operating_state, k.is_public, k.is_adjust, k.rated_power, k.top_power, k.bottom_power)) "
             "THEN UPDATE SET station_code = k.station_code, type = k.type, operating_state = k.operating_state, "
             "is_public = k.is_public, is_adjust = k.is_adjust, rated_power = k.rated_power, "
             "top_power = k.top_power, bottom_power = k.bottom_power, retired = false, retired_at = NULL, "
             "updated_at = $2 "
             "WHEN NOT MATCHED THEN INSERT (operator_id, stake_code, station_code, type, operating_state, is_public, "
             "is_adjust, rated_power, top_power, bottom_power, retired, retired_at, updated_at) VALUES ($1, "
             "k.stake_code, k.station_code, k.type, k.operating_state, k.is_public, k.is_adjust, k.rated_power, "
             "k.top_power, k.bottom_power, false, NULL, $2)",
             pg::Params().Text(op).Time(now))
          .status());
  receipt.stakes_applied = held_stakes.affected();
  // What the snapshot did not carry is retired (kept, with retired_at).
  VGI_ASSIGN_OR_RETURN(pg::Rows gone_stations,
                       c.Prepared("vgi_sync_retire_stations",
                                  "UPDATE stations SET retired = true, retired_at = $2 "
                                  "WHERE operator_id = $1 AND sync_seq <> $3 AND NOT retired",
                                  apply));
  receipt.stations_retired = gone_stations.affected();
  VGI_ASSIGN_OR_RETURN(pg::Rows gone_stakes,
                       c.Exec("UPDATE stakes t SET retired = true, retired_at = $2, updated_at = $2 "
                              "WHERE t.operator_id = $1 AND NOT t.retired AND NOT EXISTS "
                              "(SELECT 1 FROM sync_stakes k WHERE k.stake_code = t.stake_code)",
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
