// The SQLite Store's regulation engine tables and leases (store.hpp). ApplyEngineWrite is one
// BEGIN IMMEDIATE .. COMMIT under write_mu_ (WriteTx): the demand's compare-and-set, the rows and
// the commands (Enqueue's InsertCommand) all commit or none do. AcquireLease is one
// INSERT .. ON CONFLICT DO UPDATE .. WHERE, atomic across processes through SQLite's write lock.
#include <algorithm>
#include <limits>

#include "engine_record.hpp"
#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"

namespace vgi::store::sqlite {
namespace {

using record::FromMicros;
using record::ToMicros;

constexpr const char* kDemandColumns = "task_id, state, doc_json, version, created_at, updated_at";
constexpr const char* kRegulationColumns =
    "operator_id, regulation_id, task_id, state, doc_json, created_at, updated_at";
constexpr const char* kSettlementColumns = "operator_id, regulation_id, task_id, day, doc_json, created_at";

std::int64_t SqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

DemandRow ReadDemand(const Stmt& s) {
  DemandRow d;
  d.task_id = s.ColText(0);
  d.state = static_cast<DemandState>(s.ColInt(1));
  d.doc_json = s.ColText(2);
  d.version = s.ColInt(3);
  d.created_at = FromMicros(s.ColInt(4));
  d.updated_at = FromMicros(s.ColInt(5));
  return d;
}

RegulationRow ReadRegulation(const Stmt& s) {
  RegulationRow r;
  r.operator_id = s.ColText(0);
  r.regulation_id = s.ColText(1);
  r.task_id = s.ColText(2);
  r.state = static_cast<int>(s.ColInt(3));
  r.doc_json = s.ColText(4);
  r.created_at = FromMicros(s.ColInt(5));
  r.updated_at = FromMicros(s.ColInt(6));
  return r;
}

Result<SettlementRow> ReadSettlement(const Stmt& s) {
  SettlementRow r;
  r.operator_id = s.ColText(0);
  r.regulation_id = s.ColText(1);
  r.task_id = s.ColText(2);
  VGI_ASSIGN_OR_RETURN(r.day, record::DateFromDayNumber(s.ColInt(3)));
  r.doc_json = s.ColText(4);
  r.created_at = FromMicros(s.ColInt(5));
  return r;
}

// "?n, ?n+1, ..." for `count` values, for `col IN (...)`.
std::string Placeholders(int first, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += '?';
    out += std::to_string(first + static_cast<int>(i));
  }
  return out;
}

// Runs a list statement (built per call: its text depends on the filter, so it is prepared with
// sqlite3_prepare_v2 and finalized here rather than cached by address).
template <class Row, class Bind, class Read>
Status RunList(Connection& c, const std::string& sql, std::string_view op, const Bind& bind, const Read& read,
               std::vector<Row>& out) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(c.db(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return c.Error(op);
  struct Finalize {
    sqlite3_stmt* s;
    ~Finalize() { sqlite3_finalize(s); }
  } finalize{raw};
  Stmt s(c, raw, op);
  bind(s);
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return Status::Ok();
    VGI_ASSIGN_OR_RETURN(Row r, read(s));
    out.push_back(std::move(r));
  }
}

}  // namespace

// ---- ApplyEngineWrite ---------------------------------------------------------------------------

Result<EngineWriteResult> SqliteStore::ApplyEngineWrite(const EngineWrite& write) {
  VGI_RETURN_IF_ERROR(record::CheckEngineWrite(write));
  std::vector<SealedCommand> commands;
  commands.reserve(write.commands.size());
  for (const EngineWrite::Command& c : write.commands) {
    VGI_ASSIGN_OR_RETURN(SealedCommand sealed, SealCommand(c.command, c.instruction ? &*c.instruction : nullptr));
    commands.push_back(std::move(sealed));
  }
  constexpr std::string_view kOp = "ApplyEngineWrite";
  EngineWriteResult result;
  std::lock_guard lock(write_mu_);
  VGI_RETURN_IF_ERROR(WriteTx(kOp, [&](Connection& c) -> Status {
    result = EngineWriteResult{};
    if (write.demand) {
      const DemandRow& d = *write.demand;
      // The compare-and-set first: a refusal rolls back before anything else is written.
      if (d.version == 0) {
        VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO demand(task_id, state, doc_json, version, created_at,"
                                               " updated_at) VALUES(?,?,?,1,?,?) ON CONFLICT(task_id) DO NOTHING"
                                               " RETURNING version",
                                               kOp));
        s.Text(1, d.task_id).Int(2, static_cast<int>(d.state)).Text(3, d.doc_json);
        s.Int(4, ToMicros(d.created_at)).Int(5, ToMicros(d.updated_at));
        VGI_ASSIGN_OR_RETURN(const bool inserted, s.Step());
        if (!inserted) return record::DemandExists(d.task_id);
        result.demand_version = s.ColInt(0);
        VGI_RETURN_IF_ERROR(s.Run());
      } else {
        VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE demand SET state=?, doc_json=?, version=version+1,"
                                               " updated_at=? WHERE task_id=? AND version=? RETURNING version",
                                               kOp));
        s.Int(1, static_cast<int>(d.state)).Text(2, d.doc_json).Int(3, ToMicros(d.updated_at));
        s.Text(4, d.task_id).Int(5, d.version);
        VGI_ASSIGN_OR_RETURN(const bool updated, s.Step());
        if (updated) {
          result.demand_version = s.ColInt(0);
          VGI_RETURN_IF_ERROR(s.Run());
        } else {
          VGI_ASSIGN_OR_RETURN(Stmt v, c.Prepare("SELECT version FROM demand WHERE task_id=?", kOp));
          VGI_ASSIGN_OR_RETURN(const bool found, v.Text(1, d.task_id).Step());
          return record::DemandConflict(d.task_id, d.version, found ? v.ColInt(0) : 0);
        }
      }
    }
    for (const RegulationRow& r : write.regulations) {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO regulation(operator_id, regulation_id, task_id, state,"
                                             " doc_json, created_at, updated_at) VALUES(?,?,?,?,?,?,?)"
                                             " ON CONFLICT(operator_id, regulation_id) DO UPDATE SET"
                                             " task_id=excluded.task_id, state=excluded.state,"
                                             " doc_json=excluded.doc_json, updated_at=excluded.updated_at",
                                             kOp));
      s.Text(1, r.operator_id).Text(2, r.regulation_id).Text(3, r.task_id).Int(4, r.state).Text(5, r.doc_json);
      s.Int(6, ToMicros(r.created_at)).Int(7, ToMicros(r.updated_at));
      VGI_RETURN_IF_ERROR(s.Run());
    }
    for (const SettlementRow& r : write.settlements) {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT OR REPLACE INTO settlement(operator_id, regulation_id, task_id,"
                                             " day, doc_json, created_at) VALUES(?,?,?,?,?,?)",
                                             kOp));
      s.Text(1, r.operator_id).Text(2, r.regulation_id).Text(3, r.task_id).Int(4, record::DayNumber(r.day));
      s.Text(5, r.doc_json).Int(6, ToMicros(r.created_at));
      VGI_RETURN_IF_ERROR(s.Run());
    }
    for (const SealedCommand& sealed : commands) {
      VGI_ASSIGN_OR_RETURN(const std::int64_t id, InsertCommand(c, sealed, kOp));
      result.outbox_ids.push_back(id);
    }
    return Status::Ok();
  }));
  return result;
}

// ---- reads --------------------------------------------------------------------------------------

Result<std::optional<DemandRow>> SqliteStore::GetDemand(std::string_view task_id) {
  static const std::string sql = std::string("SELECT ") + kDemandColumns + " FROM demand WHERE task_id=?";
  std::optional<DemandRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("GetDemand", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "GetDemand"));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, task_id).Step());
    if (row) out = ReadDemand(s);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<DemandRow>> SqliteStore::ListDemands(const DemandFilter& filter) {
  std::vector<DemandRow> out;
  if (filter.limit == 0) return out;
  std::string sql = std::string("SELECT ") + kDemandColumns + " FROM demand";
  if (!filter.states.empty()) sql += " WHERE state IN (" + Placeholders(2, filter.states.size()) + ")";
  sql += " ORDER BY created_at DESC, task_id DESC LIMIT ?1";
  VGI_RETURN_IF_ERROR(ReadTx("ListDemands", [&](Connection& c) -> Status {
    return RunList<DemandRow>(
        c, sql, "ListDemands",
        [&](Stmt& s) {
          s.Int(1, SqlLimit(filter.limit));
          for (std::size_t i = 0; i < filter.states.size(); ++i) {
            s.Int(static_cast<int>(i) + 2, static_cast<int>(filter.states[i]));
          }
        },
        [](const Stmt& s) -> Result<DemandRow> { return ReadDemand(s); }, out);
  }));
  return out;
}

Result<std::vector<RegulationRow>> SqliteStore::ListRegulations(const RegulationFilter& filter) {
  std::vector<RegulationRow> out;
  if (filter.limit == 0) return out;
  std::string sql = std::string("SELECT ") + kRegulationColumns + " FROM regulation WHERE 1";
  if (filter.task_id) sql += " AND task_id=?2";
  if (filter.operator_id) sql += " AND operator_id=?3";
  if (!filter.states.empty()) sql += " AND state IN (" + Placeholders(4, filter.states.size()) + ")";
  sql += " ORDER BY task_id, created_at, operator_id, regulation_id LIMIT ?1";
  VGI_RETURN_IF_ERROR(ReadTx("ListRegulations", [&](Connection& c) -> Status {
    return RunList<RegulationRow>(
        c, sql, "ListRegulations",
        [&](Stmt& s) {
          s.Int(1, SqlLimit(filter.limit));
          if (filter.task_id) s.Text(2, *filter.task_id);
          if (filter.operator_id) s.Text(3, *filter.operator_id);
          for (std::size_t i = 0; i < filter.states.size(); ++i) s.Int(static_cast<int>(i) + 4, filter.states[i]);
        },
        [](const Stmt& s) -> Result<RegulationRow> { return ReadRegulation(s); }, out);
  }));
  return out;
}

Result<std::vector<SettlementRow>> SqliteStore::ListSettlements(const SettlementFilter& filter) {
  std::vector<SettlementRow> out;
  if (filter.limit == 0) return out;
  std::string sql = std::string("SELECT ") + kSettlementColumns + " FROM settlement WHERE 1";
  if (filter.operator_id) sql += " AND operator_id=?2";
  if (filter.task_id) sql += " AND task_id=?3";
  if (filter.from_day) sql += " AND day>=?4";
  if (filter.to_day) sql += " AND day<=?5";
  sql += " ORDER BY operator_id, day, regulation_id LIMIT ?1";
  VGI_RETURN_IF_ERROR(ReadTx("ListSettlements", [&](Connection& c) -> Status {
    return RunList<SettlementRow>(
        c, sql, "ListSettlements",
        [&](Stmt& s) {
          s.Int(1, SqlLimit(filter.limit));
          if (filter.operator_id) s.Text(2, *filter.operator_id);
          if (filter.task_id) s.Text(3, *filter.task_id);
          if (filter.from_day) s.Int(4, record::DayNumber(*filter.from_day));
          if (filter.to_day) s.Int(5, record::DayNumber(*filter.to_day));
        },
        ReadSettlement, out);
  }));
  return out;
}

// ---- leases -------------------------------------------------------------------------------------

Result<bool> SqliteStore::AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                                       std::chrono::milliseconds ttl) {
  VGI_RETURN_IF_ERROR(record::CheckLease(name, holder));
  VGI_RETURN_IF_ERROR(record::CheckLeaseTtl(ttl));
  bool held = false;
  std::lock_guard lock(write_mu_);
  VGI_RETURN_IF_ERROR(WriteTx("AcquireLease", [&](Connection& c) -> Status {
    // The row comes back only when this holder took or renewed it.
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO lease(name, holder, until) VALUES(?1, ?2, ?3)"
                                           " ON CONFLICT(name) DO UPDATE SET holder=excluded.holder,"
                                           " until=excluded.until WHERE lease.holder=excluded.holder"
                                           " OR lease.until<=?4 RETURNING holder",
                                           "AcquireLease"));
    s.Text(1, name).Text(2, holder).Int(3, ToMicros(now + ttl)).Int(4, ToMicros(now));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    held = row && s.ColText(0) == holder;
    return s.Run();
  }));
  return held;
}

Status SqliteStore::ReleaseLease(std::string_view name, std::string_view holder) {
  VGI_RETURN_IF_ERROR(record::CheckLease(name, holder));
  std::lock_guard lock(write_mu_);
  return WriteTx("ReleaseLease", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM lease WHERE name=? AND holder=?", "ReleaseLease"));
    return s.Text(1, name).Text(2, holder).Run();
  });
}

}  // namespace vgi::store::sqlite
