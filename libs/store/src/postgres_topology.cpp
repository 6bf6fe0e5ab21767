// The PostgreSQL store's grid topology (store.hpp "grid topology";
// migrations/postgres/0008_topology.sql). ReplaceTopology is one transaction: the topology_info
// upsert first (its row lock orders concurrent imports, and each one's delete then sees the rows
// the previous one committed), the delete of every row, then the new rows as unnest() inserts of
// kRowsPerInsert rows each.
#include <algorithm>
#include <set>

#include "postgres_store_impl.hpp"
#include "topology_record.hpp"

namespace vgi::store {
namespace {

// Rows per insert statement: a chunk's four text arrays stay a few MB.
constexpr std::size_t kRowsPerInsert = 50'000;

constexpr const char* kInfoUpsertSql = R"sql(
INSERT INTO topology_info (id, version, imported_at, source, stations) VALUES (1, 1, $1, $2, $3)
ON CONFLICT (id) DO UPDATE SET version = topology_info.version + 1, imported_at = excluded.imported_at,
  source = excluded.source, stations = excluded.stations
RETURNING version
)sql";

constexpr const char* kInsertSql = R"sql(
INSERT INTO topology_entries (operator_id, station_code, market_id, transformer_area_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
)sql";

// ListTopology's statements: operator or not × no IDs, market IDs, transformer-area IDs.
struct ListVariants {
  std::string names[6];
  std::string sql[6];
};

const ListVariants& ListSql() {
  static const ListVariants kVariants = [] {
    ListVariants v;
    for (int by_operator = 0; by_operator < 2; ++by_operator) {
      for (int ids = 0; ids < 3; ++ids) {
        const int i = by_operator * 3 + ids;
        std::string where;
        if (by_operator != 0) where = " WHERE operator_id = $1";
        if (ids != 0) {
          const std::string column = ids == 1 ? "market_id" : "transformer_area_id";
          const std::string param = by_operator != 0 ? "$2" : "$1";
          // `<> ''` as the partial indexes say, so the planner may use them.
          where +=
              (where.empty() ? " WHERE " : " AND ") + column + " <> '' AND " + column + " = ANY(" + param + "::text[])";
        }
        v.names[i] = "vgi_list_topology_" + std::to_string(i);
        v.sql[i] = "SELECT operator_id, station_code, market_id, transformer_area_id FROM topology_entries" + where +
                   " ORDER BY operator_id, station_code";
      }
    }
    return v;
  }();
  return kVariants;
}

}  // namespace

Result<TopologyInfo> PostgresStore::ReplaceTopology(const std::vector<TopologyEntry>& entries,
                                                    std::string_view source) {
  VGI_RETURN_IF_ERROR(record::CheckTopology(entries));
  // The arrays are built once: a retried transaction sends them again.
  std::vector<pg::Params> inserts;
  for (std::size_t first = 0; first < entries.size(); first += kRowsPerInsert) {
    const std::size_t end = std::min(entries.size(), first + kRowsPerInsert);
    pg::ArrayBuilder op(pg::kTextOid), station(pg::kTextOid), market(pg::kTextOid), area(pg::kTextOid);
    for (std::size_t i = first; i < end; ++i) {
      op.Add(entries[i].operator_id);
      station.Add(entries[i].station_code);
      market.Add(entries[i].market_id);
      area.Add(entries[i].transformer_area_id);
    }
    pg::Params& p = inserts.emplace_back();
    p.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, station)
        .Array(pg::kTextArrayOid, market)
        .Array(pg::kTextArrayOid, area);
  }
  TopologyInfo info;
  info.imported_at = record::TruncateTime(options_.clock->Now());
  info.source = source;
  info.stations = static_cast<std::int64_t>(entries.size());
  VGI_RETURN_IF_ERROR(pool_->Transaction([&](pg::Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(pg::Rows r,
                         c.Prepared("vgi_topology_info_upsert", kInfoUpsertSql,
                                    pg::Params().Time(info.imported_at).Text(info.source).Int64(info.stations)));
    VGI_ASSIGN_OR_RETURN(info.version, r.Int64(0, 0));
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_topology_delete", "DELETE FROM topology_entries", pg::Params()).status());
    for (const pg::Params& p : inserts) {
      VGI_RETURN_IF_ERROR(c.Prepared("vgi_topology_insert", kInsertSql, p).status());
    }
    return Status::Ok();
  }));
  return info;
}

Result<TopologyInfo> PostgresStore::GetTopologyInfo() {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(
      pg::Rows r,
      c->Prepared("vgi_topology_info", "SELECT version, imported_at, source, stations FROM topology_info WHERE id = 1",
                  pg::Params()));
  TopologyInfo info;
  if (r.size() == 0) return info;
  VGI_ASSIGN_OR_RETURN(info.version, r.Int64(0, 0));
  VGI_ASSIGN_OR_RETURN(info.imported_at, r.Time(0, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view source, r.Bytes(0, 2));
  VGI_ASSIGN_OR_RETURN(info.stations, r.Int64(0, 3));
  info.source = source;
  return info;
}

Result<std::vector<TopologyEntry>> PostgresStore::ListTopology(const TopologyFilter& filter) {
  std::vector<TopologyEntry> out;
  // '' names no market / area (TopologyMatches); a repeated ID would only lengthen the array.
  std::set<std::string_view> ids;
  for (const std::string& id : filter.ids) {
    if (!id.empty()) ids.insert(id);
  }
  if (!filter.ids.empty() && ids.empty()) return out;
  const bool by_operator = !filter.operator_id.empty();
  const int kind = ids.empty() ? 0 : (filter.kind == TopologyKind::kMarket ? 1 : 2);
  const int variant = (by_operator ? 3 : 0) + kind;
  pg::Params p;
  if (by_operator) p.Text(filter.operator_id);
  if (!ids.empty()) {
    pg::ArrayBuilder array(pg::kTextOid);
    for (std::string_view id : ids) array.Add(id);
    p.Array(pg::kTextArrayOid, array);
  }
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared(ListSql().names[variant].c_str(), ListSql().sql[variant], p));
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    TopologyEntry& e = out.emplace_back();
    std::string* fields[] = {&e.operator_id, &e.station_code, &e.market_id, &e.transformer_area_id};
    for (int k = 0; k < 4; ++k) {
      VGI_ASSIGN_OR_RETURN(std::string_view v, r.Bytes(i, k));
      fields[k]->assign(v);
    }
  }
  return out;
}

}  // namespace vgi::store
