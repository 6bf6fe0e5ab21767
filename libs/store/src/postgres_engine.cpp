// The PostgreSQL Store's regulation engine tables and leases (store.hpp). ApplyEngineWrite is one
// transaction: the demand's compare-and-set (INSERT .. ON CONFLICT DO NOTHING / UPDATE .. WHERE
// version = $n, both RETURNING the stored version), then the rows a few statements per kind: one
// INSERT .. SELECT FROM unnest(<binary array parameters>) ON CONFLICT DO UPDATE per chunk of
// regulations, settlements and instructions, and one INSERT .. SELECT per chunk of outbox commands
// (InsertCommands). A demand decomposed into thousands of instructions is a handful of statements,
// not one per row. Sealing happens before the transaction. AcquireLease is one INSERT .. ON
// CONFLICT DO UPDATE .. WHERE, so several vgi processes on one database never both hold a lease.
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <utility>

#include "engine_record.hpp"
#include "postgres_store_impl.hpp"

namespace vgi::store {
namespace {

// PostgreSQL's date range bounds an absent day filter (0001-01-01 .. 9999-12-31).
constexpr std::int32_t kMinDay = -719162;
constexpr std::int32_t kMaxDay = 2932896;

constexpr const char* kDemandColumns = "task_id, state, doc_json, version, created_at, updated_at";
constexpr const char* kRegulationColumns =
    "operator_id, regulation_id, task_id, state, doc_json, created_at, updated_at";
constexpr const char* kSettlementColumns = "operator_id, regulation_id, task_id, day, doc_json, created_at";

std::int64_t SqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

Result<DemandRow> ReadDemand(const pg::Rows& r, int i) {
  DemandRow d;
  VGI_ASSIGN_OR_RETURN(std::string_view task, r.Bytes(i, 0));
  VGI_ASSIGN_OR_RETURN(std::int64_t state, r.Int64(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view doc, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(d.version, r.Int64(i, 3));
  VGI_ASSIGN_OR_RETURN(d.created_at, r.Time(i, 4));
  VGI_ASSIGN_OR_RETURN(d.updated_at, r.Time(i, 5));
  d.task_id = task;
  d.state = static_cast<DemandState>(state);
  d.doc_json = doc;
  return d;
}

Result<RegulationRow> ReadRegulation(const pg::Rows& r, int i) {
  RegulationRow row;
  VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view regulation, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view task, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(std::int64_t state, r.Int64(i, 3));
  VGI_ASSIGN_OR_RETURN(std::string_view doc, r.Bytes(i, 4));
  VGI_ASSIGN_OR_RETURN(row.created_at, r.Time(i, 5));
  VGI_ASSIGN_OR_RETURN(row.updated_at, r.Time(i, 6));
  row.operator_id = op;
  row.regulation_id = regulation;
  row.task_id = task;
  row.state = static_cast<int>(state);
  row.doc_json = doc;
  return row;
}

Result<SettlementRow> ReadSettlement(const pg::Rows& r, int i) {
  SettlementRow row;
  VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view regulation, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view task, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(row.day.days, r.Date(i, 3));
  VGI_ASSIGN_OR_RETURN(std::string_view doc, r.Bytes(i, 4));
  VGI_ASSIGN_OR_RETURN(row.created_at, r.Time(i, 5));
  row.operator_id = op;
  row.regulation_id = regulation;
  row.task_id = task;
  row.doc_json = doc;
  return row;
}

template <class Row, class Read>
Result<std::vector<Row>> ReadAll(const pg::Rows& r, const Read& read) {
  std::vector<Row> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(Row row, read(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

// One prepared statement per combination of optional filters (names and texts with static
// storage), so each plan uses the index that fits it.
template <std::size_t N>
struct Variants {
  std::array<std::string, N> names;
  std::array<std::string, N> sql;
};

// Rows per statement: a chunk's array parameters stay a few MB.
constexpr std::size_t kChunkRows = 10'000;

using RowKey = std::pair<std::string_view, std::string_view>;  // (operator_id, regulation_id)

constexpr const char* kRegulationUpsertSql = R"sql(
INSERT INTO regulations (operator_id, regulation_id, task_id, state, doc_json, created_at, updated_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::timestamptz[],
                     $7::timestamptz[])
ON CONFLICT (operator_id, regulation_id) DO UPDATE SET task_id = excluded.task_id, state = excluded.state,
  doc_json = excluded.doc_json, updated_at = excluded.updated_at
)sql";

constexpr const char* kSettlementUpsertSql = R"sql(
INSERT INTO settlements (operator_id, regulation_id, task_id, day, doc_json, created_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[])
ON CONFLICT (operator_id, regulation_id) DO UPDATE SET task_id = excluded.task_id, day = excluded.day,
  doc_json = excluded.doc_json, created_at = excluded.created_at
)sql";

// The parameters of one statement per chunk of `count` rows; fill(first, end) makes a chunk's.
template <class Fill>
std::vector<pg::Params> Chunked(std::size_t count, const Fill& fill) {
  std::vector<pg::Params> out;
  for (std::size_t first = 0; first < count; first += kChunkRows) {
    out.push_back(fill(first, std::min(count, first + kChunkRows)));
  }
  return out;
}

// kRegulationUpsertSql's parameters. One row per key (ON CONFLICT may not touch a row twice in
// one statement), as one upsert after another would leave it: the last row's fields with the
// first one's created_at (an update keeps it). In key order (byte order, as the keys' COLLATE
// "C"), so concurrent transactions lock rows in the same order (no deadlocks).
std::vector<pg::Params> RegulationUpsertParams(const std::vector<RegulationRow>& rows) {
  std::map<RowKey, std::pair<std::size_t, std::size_t>> keys;  // -> (first, last) index
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = keys.try_emplace(RowKey{rows[i].operator_id, rows[i].regulation_id}, i, i);
    if (!inserted) it->second.second = i;
  }
  auto it = keys.begin();
  return Chunked(keys.size(), [&](std::size_t first, std::size_t end) {
    pg::ArrayBuilder op(pg::kTextOid), regulation(pg::kTextOid), task(pg::kTextOid), state(pg::kInt4Oid),
        doc(pg::kTextOid), created(pg::kTimestamptzOid), updated(pg::kTimestamptzOid);
    for (std::size_t n = first; n < end; ++n, ++it) {
      const RegulationRow& row = rows[it->second.second];
      op.Add(row.operator_id);
      regulation.Add(row.regulation_id);
      task.Add(row.task_id);
      state.AddInt32(row.state);
      doc.Add(row.doc_json);
      created.AddTime(rows[it->second.first].created_at);
      updated.AddTime(row.updated_at);
    }
    pg::Params p;
    p.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, regulation)
        .Array(pg::kTextArrayOid, task)
        .Array(pg::kInt4ArrayOid, state)
        .Array(pg::kTextArrayOid, doc)
        .Array(pg::kTimestamptzArrayOid, created)
        .Array(pg::kTimestamptzArrayOid, updated);
    return p;
  });
}

// kSettlementUpsertSql's parameters: one row per key, the last (an update replaces every field),
// in key order like the regulations.
std::vector<pg::Params> SettlementUpsertParams(const std::vector<SettlementRow>& rows) {
  std::map<RowKey, std::size_t> keys;  // -> last index
  for (std::size_t i = 0; i < rows.size(); ++i) keys[RowKey{rows[i].operator_id, rows[i].regulation_id}] = i;
  auto it = keys.begin();
  return Chunked(keys.size(), [&](std::size_t first, std::size_t end) {
    pg::ArrayBuilder op(pg::kTextOid), regulation(pg::kTextOid), task(pg::kTextOid), day(pg::kDateOid),
        doc(pg::kTextOid), created(pg::kTimestamptzOid);
    for (std::size_t n = first; n < end; ++n, ++it) {
      const SettlementRow& row = rows[it->second];
      op.Add(row.operator_id);
      regulation.Add(row.regulation_id);
      task.Add(row.task_id);
      day.AddDate(row.day.days);
      doc.Add(row.doc_json);
      created.AddTime(row.created_at);
    }
    pg::Params p;
    p.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, regulation)
        .Array(pg::kTextArrayOid, task)
        .Array(pg::kDateArrayOid, day)
        .Array(pg::kTextArrayOid, doc)
        .Array(pg::kTimestamptzArrayOid, created);
    return p;
  });
}

}  // namespace

// ---- ApplyEngineWrite ---------------------------------------------------------------------------

Result<EngineWriteResult> PostgresStore::ApplyEngineWrite(const EngineWrite& write) {
  VGI_RETURN_IF_ERROR(record::CheckEngineWrite(write));
  // Everything but the demand is prepared before the transaction, which holds its locks shorter
  // (and seals once however often it is retried).
  VGI_ASSIGN_OR_RETURN(const std::vector<SealedCommand> commands, SealCommands(write.commands));
  const std::vector<pg::Params> regulations = RegulationUpsertParams(write.regulations);
  const std::vector<pg::Params> settlements = SettlementUpsertParams(write.settlements);
  EngineWriteResult result;
  VGI_RETURN_IF_ERROR(pool_->Transaction([&](pg::Connection& c) -> Status {
    result = EngineWriteResult{};  // the body may run again after a serialization failure
    if (write.demand) {
      const DemandRow& d = *write.demand;
      // The compare-and-set first: a refusal rolls back before anything else is written.
      if (d.version == 0) {
        VGI_ASSIGN_OR_RETURN(
            pg::Rows r, c.Prepared("vgi_demand_insert",
                                   "INSERT INTO demands (task_id, state, doc_json, version, created_at, updated_at) "
                                   "VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (task_id) DO NOTHING RETURNING version",
                                   pg::Params()
                                       .Text(d.task_id)
                                       .Int16(static_cast<std::int16_t>(d.state))
                                       .Text(d.doc_json)
                                       .Time(d.created_at)
                                       .Time(d.updated_at)));
        if (r.size() == 0) return record::DemandExists(d.task_id);
        VGI_ASSIGN_OR_RETURN(result.demand_version, r.Int64(0, 0));
      } else {
        VGI_ASSIGN_OR_RETURN(
            pg::Rows r,
            c.Prepared("vgi_demand_update",
                       "UPDATE demands SET state = $3, doc_json = $4, version = version + 1, updated_at = $5 "
                       "WHERE task_id = $1 AND version = $2 RETURNING version",
                       pg::Params()
                           .Text(d.task_id)
                           .Int64(d.version)
                           .Int16(static_cast<std::int16_t>(d.state))
                           .Text(d.doc_json)
                           .Time(d.updated_at)));
        if (r.size() == 0) {
          VGI_ASSIGN_OR_RETURN(pg::Rows v,
                               c.Prepared("vgi_demand_version", "SELECT version FROM demands WHERE task_id = $1",
                                          pg::Params().Text(d.task_id)));
          std::int64_t stored = 0;
          if (v.size() > 0) {
            VGI_ASSIGN_OR_RETURN(stored, v.Int64(0, 0));
          }
          return record::DemandConflict(d.task_id, d.version, stored);
        }
        VGI_ASSIGN_OR_RETURN(result.demand_version, r.Int64(0, 0));
      }
    }
    for (const pg::Params& p : regulations) {
      VGI_RETURN_IF_ERROR(c.Prepared("vgi_engine_regulations", kRegulationUpsertSql, p).status());
    }
    for (const pg::Params& p : settlements) {
      VGI_RETURN_IF_ERROR(c.Prepared("vgi_engine_settlements", kSettlementUpsertSql, p).status());
    }
    if (!commands.empty()) {
      VGI_ASSIGN_OR_RETURN(result.outbox_ids, InsertCommands(c, commands));
    }
    return Status::Ok();
  }));
  return result;
}

// ---- reads --------------------------------------------------------------------------------------

Result<std::optional<DemandRow>> PostgresStore::GetDemand(std::string_view task_id) {
  static const std::string sql = std::string("SELECT ") + kDemandColumns + " FROM demands WHERE task_id = $1";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_get_demand", sql, pg::Params().Text(task_id)));
  if (r.size() == 0) return std::optional<DemandRow>();
  VGI_ASSIGN_OR_RETURN(DemandRow d, ReadDemand(r, 0));
  return std::optional<DemandRow>(std::move(d));
}

Result<std::vector<DemandRow>> PostgresStore::ListDemands(const DemandFilter& filter) {
  if (filter.limit == 0) return std::vector<DemandRow>();
  static const Variants<2> kSql = [] {
    Variants<2> v;
    for (std::size_t mask = 0; mask < 2; ++mask) {
      v.names[mask] = "vgi_list_demands_" + std::to_string(mask);
      v.sql[mask] = std::string("SELECT ") + kDemandColumns + " FROM demands" +
                    (mask != 0 ? " WHERE state = ANY($2)" : "") + " ORDER BY created_at DESC, task_id DESC LIMIT $1";
    }
    return v;
  }();
  const std::size_t mask = filter.states.empty() ? 0 : 1;
  pg::Params p;
  p.Int64(SqlLimit(filter.limit));
  if (mask != 0) {
    pg::ArrayBuilder states(pg::kInt2Oid);
    for (DemandState s : filter.states) states.AddInt16(static_cast<std::int16_t>(s));
    p.Array(pg::kInt2ArrayOid, states);
  }
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared(kSql.names[mask].c_str(), kSql.sql[mask], p));
  return ReadAll<DemandRow>(r, ReadDemand);
}

Result<std::vector<RegulationRow>> PostgresStore::ListRegulations(const RegulationFilter& filter) {
  if (filter.limit == 0) return std::vector<RegulationRow>();
  static const Variants<8> kSql = [] {
    Variants<8> v;
    for (std::size_t mask = 0; mask < 8; ++mask) {
      std::string where;
      int n = 1;
      auto add = [&](const std::string& term) {
        where += (where.empty() ? " WHERE " : " AND ") + term + std::to_string(++n);
      };
      if ((mask & 1) != 0) add("task_id = $");
      if ((mask & 2) != 0) add("operator_id = $");
      if ((mask & 4) != 0) add("state = ANY($");
      if ((mask & 4) != 0) where += ")";
      v.names[mask] = "vgi_list_regulations_" + std::to_string(mask);
      v.sql[mask] = std::string("SELECT ") + kRegulationColumns + " FROM regulations" + where +
                    " ORDER BY task_id, created_at, operator_id, regulation_id LIMIT $1";
    }
    return v;
  }();
  const std::size_t mask =
      (filter.task_id ? 1U : 0U) | (filter.operator_id ? 2U : 0U) | (filter.states.empty() ? 0U : 4U);
  pg::Params p;
  p.Int64(SqlLimit(filter.limit));
  if (filter.task_id) p.Text(*filter.task_id);
  if (filter.operator_id) p.Text(*filter.operator_id);
  if (!filter.states.empty()) {
    pg::ArrayBuilder states(pg::kInt4Oid);
    for (int s : filter.states) states.AddInt32(s);
    p.Array(pg::kInt4ArrayOid, states);
  }
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared(kSql.names[mask].c_str(), kSql.sql[mask], p));
  return ReadAll<RegulationRow>(r, ReadRegulation);
}

Result<std::vector<SettlementRow>> PostgresStore::ListSettlements(const SettlementFilter& filter) {
  if (filter.limit == 0) return std::vector<SettlementRow>();
  // The day range is always bound (an absent bound is the end of PostgreSQL's date range).
  static const Variants<4> kSql = [] {
    Variants<4> v;
    for (std::size_t mask = 0; mask < 4; ++mask) {
      std::string where = " WHERE day BETWEEN $2 AND $3";
      int n = 3;
      if ((mask & 1) != 0) where += " AND operator_id = $" + std::to_string(++n);
      if ((mask & 2) != 0) where += " AND task_id = $" + std::to_string(++n);
      v.names[mask] = "vgi_list_settlements_" + std::to_string(mask);
      v.sql[mask] = std::string("SELECT ") + kSettlementColumns + " FROM settlements" + where +
                    " ORDER BY operator_id, day, regulation_id LIMIT $1";
    }
    return v;
  }();
  const std::size_t mask = (filter.operator_id ? 1U : 0U) | (filter.task_id ? 2U : 0U);
  pg::Params p;
  p.Int64(SqlLimit(filter.limit))
      .Date(filter.from_day ? std::max(filter.from_day->days, kMinDay) : kMinDay)
      .Date(filter.to_day ? std::min(filter.to_day->days, kMaxDay) : kMaxDay);
  if (filter.operator_id) p.Text(*filter.operator_id);
  if (filter.task_id) p.Text(*filter.task_id);
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared(kSql.names[mask].c_str(), kSql.sql[mask], p));
  return ReadAll<SettlementRow>(r, ReadSettlement);
}

// ---- leases -------------------------------------------------------------------------------------

Result<bool> PostgresStore::AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                                         std::chrono::milliseconds ttl) {
  VGI_RETURN_IF_ERROR(record::CheckLease(name, holder));
  VGI_RETURN_IF_ERROR(record::CheckLeaseTtl(ttl));
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  // ON CONFLICT locks the existing row, so the WHERE sees its latest version: a row comes back
  // only when this holder took or renewed the lease.
  VGI_ASSIGN_OR_RETURN(
      pg::Rows r,
      c->Prepared("vgi_acquire_lease",
                  "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET "
                  "holder = excluded.holder, until = excluded.until WHERE leases.holder = excluded.holder OR "
                  "leases.until <= $4 RETURNING holder",
                  pg::Params().Text(name).Text(holder).Time(now + ttl).Time(now)));
  if (r.size() == 0) return false;
  VGI_ASSIGN_OR_RETURN(std::string_view stored, r.Bytes(0, 0));
  return stored == holder;
}

Status PostgresStore::ReleaseLease(std::string_view name, std::string_view holder) {
  VGI_RETURN_IF_ERROR(record::CheckLease(name, holder));
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return c
      ->Prepared("vgi_release_lease", "DELETE FROM leases WHERE name = $1 AND holder = $2",
                 pg::Params().Text(name).Text(holder))
      .status();
}

}  // namespace vgi::store
