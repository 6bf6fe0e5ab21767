// Experiment (not built by CMake): what one minute of power for N stations costs SQLite itself in
// two table layouts, with vgi's durability settings. BENCHMARKS.md, "the fleet minute", quotes it.
//
//   g++ -O2 -std=c++20 -o /tmp/sqlite_power_layout scripts/experiments/sqlite_power_layout.cpp -lsqlite3
//   /tmp/sqlite_power_layout day 1000000 /tmp/x && /tmp/sqlite_power_layout hour 1000000 /tmp/x
//
// Both: transactions of 500 stations, WAL, synchronous=FULL, 256 MiB cache, a second connection
// checkpointing (PASSIVE) whenever the WAL passes 2 000 pages, and each station's latest reading
// upserted beside its slots (as power_latest). Three minutes: the day's first (rows created),
// the next, and the first of the next hour.
//   day:  one row per (operator, station, day) with 1440 int32 slots (5 760 B) and a 180 B mask,
//         updated in place, else inserted (vgi's power_day before migration 0010).
//   hour: one row per (operator, day, hour, station) with 60 slots (240 B) and an int mask,
//         WITHOUT ROWID, keyed time-first so a minute's rows of neighbouring stations share pages
//         (vgi's power_hour since migration 0010).
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, error);
    std::exit(1);
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    std::exit(1);
  }
  return s;
}

void Step(sqlite3* db, sqlite3_stmt* s) {
  if (sqlite3_step(s) != SQLITE_DONE) {
    std::fprintf(stderr, "step: %s\n", sqlite3_errmsg(db));
    std::exit(1);
  }
  sqlite3_reset(s);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "day" && std::string(argv[1]) != "hour")) {
    std::fprintf(stderr, "usage: %s day|hour STATIONS DIR\n", argv[0]);
    return 2;
  }
  const bool hour_rows = std::string(argv[1]) == "hour";
  const int stations = std::atoi(argv[2]);
  const std::string path = std::string(argv[3]) + "/layout-" + argv[1] + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());

  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-262144;");
  Exec(db, hour_rows ? "CREATE TABLE p (op TEXT, day INT, hour INT, st TEXT, top INT, bottom INT, upd INT,"
                       " present INT, slots BLOB, PRIMARY KEY (op, day, hour, st)) WITHOUT ROWID"
                     : "CREATE TABLE p (op TEXT, st TEXT, day INT, top INT, bottom INT, upd INT, present BLOB,"
                       " slots BLOB, PRIMARY KEY (op, st, day))");
  Exec(db, "CREATE TABLE latest (op TEXT, st TEXT, minute INT, kw INT, top INT, bottom INT, PRIMARY KEY (op, st))");

  sqlite3* checkpointer = nullptr;
  sqlite3_open(path.c_str(), &checkpointer);
  Exec(checkpointer, "SELECT 1 FROM sqlite_master LIMIT 1");  // attaches it to the WAL
  std::atomic<bool> stop{false};
  std::atomic<bool> wanted{false};
  sqlite3_wal_hook(
      db,
      [](void* flag, sqlite3*, const char*, int pages) {
        if (pages >= 2000) static_cast<std::atomic<bool>*>(flag)->store(true);
        return SQLITE_OK;
      },
      &wanted);
  std::thread checkpoints([&] {
    while (!stop) {
      if (wanted.exchange(false)) {
        int log = 0;
        int copied = 0;
        sqlite3_wal_checkpoint_v2(checkpointer, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  });

  // ?1 op, ?2 station, ?3 day, ?4 minute of day, ?5 hour.
  sqlite3_stmt* write =
      hour_rows ? Prepare(db, "INSERT INTO p VALUES (?1, ?3, ?5, ?2, 100, 0, ?4, 1, zeroblob(240))"
                              " ON CONFLICT DO UPDATE SET present = present | 2, upd = excluded.upd, slots = slots")
                : Prepare(db, "UPDATE p SET upd = ?4, slots = slots, present = present"
                              " WHERE op = ?1 AND st = ?2 AND day = ?3");
  sqlite3_stmt* insert =
      hour_rows ? nullptr
                : Prepare(db, "INSERT INTO p VALUES (?1, ?2, ?3, 100, 0, ?4, zeroblob(180), zeroblob(5760))");
  sqlite3_stmt* latest = Prepare(db, "INSERT INTO latest VALUES (?1, ?2, ?3, 5, 100, 0) ON CONFLICT DO UPDATE"
                                     " SET minute = excluded.minute, kw = excluded.kw"
                                     " WHERE excluded.minute >= latest.minute");
  const auto minute = [&](int m) {
    const auto start = std::chrono::steady_clock::now();
    char code[16];
    for (int first = 0; first < stations; first += 500) {
      Exec(db, "BEGIN");
      for (int i = first; i < first + 500 && i < stations; ++i) {
        std::snprintf(code, sizeof code, "BF%07d", i);
        for (sqlite3_stmt* s : {write, insert}) {
          if (s == nullptr || (s == insert && sqlite3_changes(db) > 0)) continue;
          sqlite3_bind_text(s, 1, "OP", -1, SQLITE_STATIC);
          sqlite3_bind_text(s, 2, code, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int(s, 3, 20261205);
          sqlite3_bind_int(s, 4, m);
          if (s == write && hour_rows) sqlite3_bind_int(s, 5, m / 60);
          Step(db, s);
        }
        sqlite3_bind_text(latest, 1, "OP", -1, SQLITE_STATIC);
        sqlite3_bind_text(latest, 2, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(latest, 3, m);
        Step(db, latest);
      }
      Exec(db, "COMMIT");
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double first = minute(600);
  const double next = minute(601);
  const double new_hour = minute(660);
  std::printf("%s rows, %d stations: first minute of the day %.2f s, next %.2f s, first of the next hour %.2f s\n",
              argv[1], stations, first, next, new_hour);
  stop = true;
  checkpoints.join();
  for (sqlite3_stmt* s : {write, insert, latest}) sqlite3_finalize(s);
  sqlite3_close(checkpointer);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return 0;
}
