// The embedded migrations: numbered NNNN_name.sql, strictly increasing, each valid SQL.
#include "migrations.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <regex>
#include <string>
#include <utility>

namespace vgi::store {
namespace {

void ExpectWellFormed(std::span<const Migration> migrations, const char* backend) {
  const std::regex name(R"(^(\d{4})_[a-z0-9_]+\.sql$)");
  int previous = 0;
  for (const Migration& m : migrations) {
    std::cmatch match;
    const std::string n(m.name);
    ASSERT_TRUE(std::regex_match(n.c_str(), match, name)) << backend << ": " << n << " is not NNNN_name.sql";
    EXPECT_EQ(std::stoi(match[1].str()), m.version) << backend << ": " << n;
    EXPECT_GT(m.version, previous) << backend << ": " << n << " does not come after version " << previous;
    EXPECT_FALSE(m.sql.empty()) << backend << ": " << n;
    previous = m.version;
  }
}

TEST(Migrations, SqliteListIsNumberedAndStrictlyIncreasing) {
  ASSERT_FALSE(SqliteMigrations().empty());
  EXPECT_EQ(SqliteMigrations().front().version, 1);
  EXPECT_EQ(SqliteMigrations().back().version, 10);  // 0010_power_hour
  ASSERT_FALSE(PostgresMigrations().empty());
  EXPECT_EQ(PostgresMigrations().back().version, 10);  // 0010_power_pending
  ExpectWellFormed(SqliteMigrations(), "sqlite");
}

TEST(Migrations, PostgresListIsNumberedAndStrictlyIncreasing) {
  // The PostgreSQL list may still be empty while that backend is written; its form is checked
  // whenever it has entries.
  ExpectWellFormed(PostgresMigrations(), "postgres");
}

TEST(Migrations, SqliteMigrationsApplyInOrderToAnEmptyDatabase) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(sqlite::RegisterMigrationFunctions(db), SQLITE_OK);
  for (const Migration& m : SqliteMigrations()) {
    char* err = nullptr;
    const std::string sql(m.sql);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << m.name << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  // Every table's primary key starts with operator_id (the distribution column), but the
  // bookkeeping tables schema_version, power_write_seq and lease, and those that concern no single operator:
  // alarm, demand, the console's users, sessions and audit log, and the topology's one-row
  // info (coordinator-local).
  sqlite3_stmt* tables = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT name FROM sqlite_master WHERE type='table'"
                               " AND name NOT IN ('schema_version', 'power_write_seq', 'alarm', 'demand', 'lease',"
                               " 'console_user', 'console_session', 'audit_log', 'topology_info')",
                               -1, &tables, nullptr),
            SQLITE_OK);
  int count = 0;
  while (sqlite3_step(tables) == SQLITE_ROW) {
    const std::string table = reinterpret_cast<const char*>(sqlite3_column_text(tables, 0));
    sqlite3_stmt* info = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, ("SELECT name FROM pragma_table_info('" + table + "') WHERE pk = 1").c_str(), -1,
                                 &info, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(info), SQLITE_ROW) << table << " has no primary key";
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(info, 0))), "operator_id") << table;
    sqlite3_finalize(info);
    ++count;
  }
  sqlite3_finalize(tables);
  EXPECT_GE(count, 10);
  // The engine tables (0003) are there, keyed as documented.
  for (const auto& [table, key] : {std::pair<const char*, const char*>{"demand", "task_id"},
                                   {"lease", "name"},
                                   {"console_user", "username"},
                                   {"console_session", "token_digest"},
                                   {"audit_log", "seq"},
                                   {"regulation", "operator_id"},
                                   {"settlement", "operator_id"},
                                   {"topology_entry", "operator_id"},
                                   {"topology_info", "id"}}) {
    sqlite3_stmt* info = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(
                  db, (std::string("SELECT name FROM pragma_table_info('") + table + "') WHERE pk = 1").c_str(), -1,
                  &info, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(info), SQLITE_ROW) << table << " is missing or has no primary key";
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(info, 0))), key) << table;
    sqlite3_finalize(info);
  }
  sqlite3_close(db);
}

// ListTopology by market or transformer area seeks the partial indexes (with an operator, on
// (ID, operator_id): the index holds the primary key's columns), never the table: the queries of
// sqlite_topology.cpp, whose INDEXED BY fails to prepare if the index cannot serve them.
TEST(Migrations, SqliteTopologyListsByMarketOrAreaUseTheirIndexes) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  ASSERT_EQ(sqlite::RegisterMigrationFunctions(db), SQLITE_OK);
  for (const Migration& m : SqliteMigrations()) {
    const std::string sql(m.sql);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << m.name;
  }
  for (const auto& [column, index] : {std::pair<std::string, std::string>{"market_id", "topology_entry_by_market"},
                                      {"transformer_area_id", "topology_entry_by_area"}}) {
    for (const std::string op : {"", " AND operator_id=?1"}) {
      const std::string query =
          "EXPLAIN QUERY PLAN SELECT operator_id, station_code, market_id, transformer_area_id"
          " FROM topology_entry INDEXED BY " +
          index + " WHERE 1" + op + " AND " + column + "<>'' AND " + column +
          " IN (?2,?3) ORDER BY operator_id, station_code";
      sqlite3_stmt* plan = nullptr;
      ASSERT_EQ(sqlite3_prepare_v2(db, query.c_str(), -1, &plan, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
      std::string details;
      while (sqlite3_step(plan) == SQLITE_ROW) {
        details += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
        details += "; ";
      }
      sqlite3_finalize(plan);
      EXPECT_NE(
          details.find("USING INDEX " + index + " (" + column + "=?" + (op.empty() ? ")" : " AND operator_id=?)")),
          std::string::npos)
          << query << ": " << details;
      EXPECT_EQ(details.find("SCAN topology_entry"), std::string::npos) << query << ": " << details;
    }
  }
  sqlite3_close(db);
}

}  // namespace
}  // namespace vgi::store
