#pragma once
// Numbered schema migrations, embedded at build time from migrations/<backend>/NNNN_name.sql
// (cmake/embed_migrations.cmake). Each backend applies, in order, those above the version its
// schema_version table records, each in its own transaction, and records it there.

#include <span>
#include <string_view>

struct sqlite3;

namespace vgi::store {

struct Migration {
  int version;            // NNNN from the file name
  std::string_view name;  // the file name
  std::string_view sql;
};

std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

namespace sqlite {
// The SQL functions the SQLite migrations call (vgi_hour_present, vgi_hour_slots;
// sqlite_power.cpp): registered on a connection before it applies them. An SQLite result code.
int RegisterMigrationFunctions(sqlite3* db);
}  // namespace sqlite

}  // namespace vgi::store
