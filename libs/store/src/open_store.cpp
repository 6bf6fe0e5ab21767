// OpenStore: the `database` config key picks the backend.
#include <filesystem>
#include <system_error>

#include "vgi/store/postgres_store.hpp"
#include "vgi/store/sqlite_store.hpp"
#include "vgi/store/store.hpp"

namespace vgi::store {

Result<std::unique_ptr<Store>> OpenStore(std::string_view database, const std::string& data_dir,
                                         const StoreOptions& options) {
  if (database.empty()) {
    if (data_dir.empty()) {
      return Status::Invalid("data_dir: empty; set it to the directory that holds vgi.db (the SQLite store) "
                             "or set database to a postgresql:// URL");
    }
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
      return Status::Io("data_dir " + data_dir + ": cannot create it (" + ec.message() +
                        "): check the path and its permissions");
    }
    return OpenSqliteStore((std::filesystem::path(data_dir) / "vgi.db").string(), options);
  }
  if (database.starts_with("postgresql://") || database.starts_with("postgres://")) {
    return OpenPostgresStore(std::string(database), options);
  }
  // Never echo the value: a URL of some other kind may carry a password. Its scheme is safe.
  std::string got = "a value that is not a URL";
  if (const auto colon = database.find("://"); colon != std::string_view::npos && colon <= 32) {
    got = "a " + std::string(database.substr(0, colon)) + ":// URL";
  }
  return Status::Invalid("database: " + got +
                         " is not accepted; leave it empty for SQLite at <data_dir>/vgi.db, or give a "
                         "postgresql://user@host:port/dbname (or postgres://) URL");
}

}  // namespace vgi::store
