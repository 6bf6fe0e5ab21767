#pragma once
// PostgreSQL Store through libpq: a small connection pool, synchronous_commit on, every write
// in one transaction. Power is stored per station-day-hour (60 slots in a bytea, small enough to
// stay out of TOAST), so an update rewrites a ~300-byte row (a HOT update) instead of a whole
// real[1440] array.
//
// Power is acknowledged once it is appended to power_pending (one row per operator and station
// partition per commit) and folded into the hour rows later, several minutes at once: an
// upserted row costs PostgreSQL the same for one minute as for ten. Every reader merges the
// pending rows in, in one snapshot, so what it returns does not depend on what is folded.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "vgi/store/store.hpp"

namespace vgi::store {

// How pending power is folded.
enum class PowerFold {
  kBackground,   // a thread of the store folds a partition when it is due (below)
  kAfterCommit,  // every Commit folds everything before it returns (tests of the folded rows)
  kManual,       // only FoldPendingPower (tests of the pending rows)
};

struct PostgresOptions {
  int pool_size = 4;  // connections
  PowerFold fold = PowerFold::kBackground;
  // A partition is due when its oldest pending update is older than fold_after, or it holds
  // more than fold_points / 16 power points (an update without points counts one). A fold takes
  // at most that many points of a partition in one transaction, oldest first: it bounds the
  // fold's memory (~100 bytes a point) and lets a large backlog fold in steps. Readers merge what
  // is pending, so fold_after also bounds their extra work.
  std::chrono::seconds fold_after{300};
  std::int64_t fold_points = 8'000'000;
  std::chrono::milliseconds fold_check_every{5000};
};

// Folds every pending power update of `store` now; returns how many station updates it folded.
// Invalid unless `store` is a PostgreSQL store. Safe beside other writers and folders: it waits
// for a partition another fold holds (the background folder instead skips it until its next round).
Result<std::size_t> FoldPendingPower(Store& store);

// `url` is a libpq connection URI ("postgresql://user@host:port/db"). Unavailable naming the
// host when it cannot connect (the message says to check the server and the URL; never the
// password).
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& options,
                                                 const PostgresOptions& pg = {});

}  // namespace vgi::store
