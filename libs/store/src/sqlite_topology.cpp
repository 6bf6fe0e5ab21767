// The SQLite store's grid topology (store.hpp "grid topology"; migrations/sqlite/0008_topology.sql).
// ReplaceTopology is one write transaction: delete every row, insert the new ones in key order
// (appends to the WITHOUT ROWID b-tree), bump topology_info.
#include <algorithm>
#include <set>
#include <tuple>

#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"
#include "topology_record.hpp"

namespace vgi::store::sqlite {
namespace {

using record::FromMicros;

// IDs per `IN (...)`: well under SQLite's bound-parameter limit (32766, 999 before 3.32).
constexpr std::size_t kIdsPerQuery = 500;

constexpr const char* kColumns = "operator_id, station_code, market_id, transformer_area_id";

TopologyEntry ReadEntry(const Stmt& s) {
  return TopologyEntry{std::string(s.ColText(0)), std::string(s.ColText(1)), std::string(s.ColText(2)),
                       std::string(s.ColText(3))};
}

// Runs a list statement built per call (its text depends on the filter: prepared and finalized
// here rather than cached by address), appending its rows to `out`.
template <class Bind>
Status RunList(Connection& c, const std::string& sql, const Bind& bind, std::vector<TopologyEntry>& out) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(c.db(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return c.Error("ListTopology");
  struct Finalize {
    sqlite3_stmt* s;
    ~Finalize() { sqlite3_finalize(s); }
  } finalize{raw};
  Stmt s(c, raw, "ListTopology");
  bind(s);
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return Status::Ok();
    out.push_back(ReadEntry(s));
  }
}

}  // namespace

Result<TopologyInfo> SqliteStore::ReplaceTopology(const std::vector<TopologyEntry>& entries, std::string_view source) {
  VGI_RETURN_IF_ERROR(record::CheckTopology(entries));
  std::vector<const TopologyEntry*> sorted;
  sorted.reserve(entries.size());
  for (const TopologyEntry& e : entries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const TopologyEntry* a, const TopologyEntry* b) {
    return std::tie(a->operator_id, a->station_code) < std::tie(b->operator_id, b->station_code);
  });
  TopologyInfo info;
  info.source = source;
  info.stations = static_cast<std::int64_t>(entries.size());
  std::lock_guard lock(write_mu_);
  const std::int64_t now = NowMicros();
  info.imported_at = FromMicros(now);
  VGI_RETURN_IF_ERROR(WriteTx("ReplaceTopology", [&](Connection& c) -> Status {
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT version FROM topology_info WHERE id=1", "ReplaceTopology"));
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      info.version = (row ? s.ColInt(0) : 0) + 1;
    }
    VGI_RETURN_IF_ERROR(c.Exec("DELETE FROM topology_entry", "ReplaceTopology"));
    for (const TopologyEntry* e : sorted) {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO topology_entry(operator_id, station_code, market_id,"
                                             " transformer_area_id) VALUES(?,?,?,?)",
                                             "ReplaceTopology"));
      VGI_RETURN_IF_ERROR(s.Text(1, e->operator_id)
                              .Text(2, e->station_code)
                              .Text(3, e->market_id)
                              .Text(4, e->transformer_area_id)
                              .Run());
    }
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT OR REPLACE INTO topology_info(id, version, imported_at, source,"
                                           " stations) VALUES(1,?,?,?,?)",
                                           "ReplaceTopology"));
    return s.Int(1, info.version).Int(2, now).Text(3, info.source).Int(4, info.stations).Run();
  }));
  return info;
}

Result<TopologyInfo> SqliteStore::GetTopologyInfo() {
  TopologyInfo info;
  VGI_RETURN_IF_ERROR(ReadTx("GetTopologyInfo", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(
        Stmt s,
        c.Prepare("SELECT version, imported_at, source, stations FROM topology_info WHERE id=1", "GetTopologyInfo"));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (row) info = TopologyInfo{s.ColInt(0), FromMicros(s.ColInt(1)), std::string(s.ColText(2)), s.ColInt(3)};
    return Status::Ok();
  }));
  return info;
}

Result<std::vector<TopologyEntry>> SqliteStore::ListTopology(const TopologyFilter& filter) {
  std::vector<TopologyEntry> out;
  // '' names no market / area (TopologyMatches); a repeated ID would only lengthen the query.
  std::set<std::string_view> id_set;
  for (const std::string& id : filter.ids) {
    if (!id.empty()) id_set.insert(id);
  }
  if (!filter.ids.empty() && id_set.empty()) return out;
  const std::vector<std::string_view> ids(id_set.begin(), id_set.end());
  const bool market = filter.kind == TopologyKind::kMarket;
  const char* column = market ? "market_id" : "transformer_area_id";
  const char* index = market ? "topology_entry_by_market" : "topology_entry_by_area";
  const bool by_operator = !filter.operator_id.empty();

  std::size_t queries = 0;
  VGI_RETURN_IF_ERROR(ReadTx("ListTopology", [&](Connection& c) -> Status {
    std::size_t first = 0;
    do {  // once without IDs, else once per kIdsPerQuery of them
      const std::size_t count = std::min(kIdsPerQuery, ids.size() - first);
      // INDEXED BY: without statistics the planner would rather walk an operator's stations in
      // key order (no sort) than seek the index on (ID, operator_id), which finds only matches.
      std::string sql = std::string("SELECT ") + kColumns + " FROM topology_entry";
      if (count > 0) sql += std::string(" INDEXED BY ") + index;
      sql += " WHERE 1";
      if (by_operator) sql += " AND operator_id=?1";
      if (count > 0) {
        sql += std::string(" AND ") + column + "<>'' AND " + column + " IN (";
        for (std::size_t i = 0; i < count; ++i) sql += (i == 0 ? "?" : ",?") + std::to_string(i + 2);
        sql += ")";
      }
      sql += " ORDER BY operator_id, station_code";
      VGI_RETURN_IF_ERROR(RunList(
          c, sql,
          [&](Stmt& s) {
            if (by_operator) s.Text(1, filter.operator_id);
            for (std::size_t i = 0; i < count; ++i) s.Text(static_cast<int>(i) + 2, ids[first + i]);
          },
          out));
      ++queries;
      first += count;
    } while (first < ids.size());
    return Status::Ok();
  }));
  // Each query's rows are ordered and an entry has one ID of a kind, so only several queries
  // need a merge.
  if (queries > 1) {
    std::sort(out.begin(), out.end(), [](const TopologyEntry& a, const TopologyEntry& b) {
      return std::tie(a.operator_id, a.station_code) < std::tie(b.operator_id, b.station_code);
    });
  }
  return out;
}

}  // namespace vgi::store::sqlite
