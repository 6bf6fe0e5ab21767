#pragma once
// PostgreSQL Store through libpq: a small connection pool, synchronous_commit on, every write
// in one transaction. Power is stored per station-day-hour (60 slots in a bytea, small enough to
// stay out of TOAST), so a minute's update rewrites a ~300-byte row (a HOT update) instead of a
// whole real[1440] array.
#include <memory>
#include <string>

#include "vgi/store/store.hpp"

namespace vgi::store {

struct PostgresOptions {
  int pool_size = 4;  // connections
};

// `url` is a libpq connection URI ("postgresql://user@host:port/db"). Unavailable naming the
// host when it cannot connect (the message says to check the server and the URL; never the
// password).
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& options,
                                                 const PostgresOptions& pg = {});

}  // namespace vgi::store
