#pragma once
// Numbered schema migrations, embedded at build time from migrations/<backend>/NNNN_name.sql
// (cmake/embed_migrations.cmake). Each backend applies, in order, those above the version its
// schema_version table records, each in its own transaction, and records it there.

#include <span>
#include <string_view>

namespace vgi::store {

struct Migration {
  int version;            // NNNN from the file name
  std::string_view name;  // the file name
  std::string_view sql;
};

std::span<const Migration> SqliteMigrations();
std::span<const Migration> PostgresMigrations();

}  // namespace vgi::store
