#pragma once
// SQLite Store: one database file, WAL journal, synchronous=FULL, one writer connection
// (writes are serialised; group commit makes that cheap) and a pool of readers.
// Power is kept as one row per station-day with the 1440 slots in a BLOB (updating a minute
// rewrites ~6 KB in place, measured ≈ 7 µs).
#include <memory>
#include <string>

#include "vgi/store/store.hpp"

namespace vgi::store {

// Creates the file (and applies migrations) when absent. Io naming the file when it cannot be
// opened; Internal when its schema is newer than this build knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& file, const StoreOptions& options);

}  // namespace vgi::store
