#pragma once
// Test hooks of the SQLite store (private; for store_test.cpp and benchmarks).

#include <string>

#include "vgi/store/store.hpp"

namespace vgi::store {

// Runs `sql` on the SQLite store's writer connection, outside any transaction, e.g.
// `PRAGMA max_page_count = N` to provoke SQLITE_FULL. Invalid when `store` is not SQLite.
Status SqliteExecForTesting(Store& store, const std::string& sql);

}  // namespace vgi::store
