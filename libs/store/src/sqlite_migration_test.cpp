// SQLite schema migrations on real files: each applied once and recorded, a newer schema
// refused, and the data-converting ones (0007 operator-day sums, 0010 hour rows) keeping what a
// file written by an older build holds.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "migrations.hpp"
#include "record_codec.hpp"
#include "sqlite_test_util.hpp"

namespace vgi::store {
namespace {

using namespace sqlite_test;
using vgi::testing::kSampleOperatorId;

// The file as a build that knew the migrations up to `version` left it (no store involved).
void MakeDatabaseAt(const std::string& file, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite::RegisterMigrationFunctions(db), SQLITE_OK);
  for (const Migration& m : SqliteMigrations()) {
    if (m.version > version) break;
    const std::string sql = std::string(m.sql) + "; INSERT INTO schema_version(version, name, applied_at) VALUES(" +
                            std::to_string(m.version) + ", '" + std::string(m.name) + "', 0);";
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << m.name << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  sqlite3_close(db);
}

// A station-day as schema versions 1 to 9 kept it (power_day): `values` (minute of day ->
// centi-kW) present, every other minute missing.
void InsertPowerDay(const std::string& file, const std::string& station, int yyyymmdd, std::int64_t top,
                    std::int64_t bottom, std::int64_t updated_at, const std::map<int, std::int32_t>& values) {
  std::string slots(record::kSlotsBytes, '\0');
  std::string present(record::kPresentBytes, '\0');
  for (const auto& [minute, v] : values) {
    const auto u = static_cast<std::uint32_t>(v);
    for (int b = 0; b < 4; ++b) slots[static_cast<std::size_t>(minute * 4 + b)] = static_cast<char>(u >> (8 * b));
    present[static_cast<std::size_t>(minute / 8)] |= static_cast<char>(1U << (minute % 8));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "INSERT INTO power_day(operator_id, station_code, day, adjust_top, adjust_bottom,"
                               " updated_at, present, slots) VALUES(?,?,?,?,?,?,?,?)",
                               -1, &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_bind_text(st, 1, vgi::testing::kSampleOperatorId, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, station.c_str(), -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, yyyymmdd);
  sqlite3_bind_int64(st, 4, top);
  sqlite3_bind_int64(st, 5, bottom);
  sqlite3_bind_int64(st, 6, updated_at);
  sqlite3_bind_blob(st, 7, present.data(), static_cast<int>(present.size()), SQLITE_STATIC);
  sqlite3_bind_blob(st, 8, slots.data(), static_cast<int>(slots.size()), SQLITE_STATIC);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(SqliteStore, TheOperatorDayMigrationGivesDaysStoredBeforeItTheirSums) {
  Fixture f;
  // The database as version 6 left it: station-days, no operator-days.
  MakeDatabaseAt(f.file, 6);
  InsertPowerDay(f.file, "STA0", 20240409, 0, 0, 0, {{600, 500}});
  InsertPowerDay(f.file, "STA1", 20240409, 0, 0, 0, {{600, 250}});
  auto reopened = f.Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ASSERT_EQ(*(*reopened)->SchemaVersion(), SqliteMigrations().back().version);
  const auto d9 = *proto::ParseDate("2024-04-09");
  auto days = (*reopened)->ListOperatorDays(kSampleOperatorId, d9, d9);
  ASSERT_TRUE(days.ok()) << days.status();
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ(days->front().stations, 2);
  EXPECT_EQ(days->front().load[600], 750);
}

TEST(SqliteStore, ThePowerHourMigrationKeepsEveryStationDay) {
  Fixture f;
  f.clock.Set(vgi::testing::BeijingTime(2024, 4, 9, 12, 0));
  MakeDatabaseAt(f.file, 9);
  // Values at hour edges, where an hour's 60 bits do not start on a byte (hour 1: bit 4 of
  // byte 7), negative and zero values, and the day's last minute.
  const std::map<int, std::int32_t> values = {{0, 100}, {59, -7}, {60, 0}, {61, 42}, {67, 5}, {600, 123456}, {1439, 9}};
  InsertPowerDay(f.file, "STA0", 20240409, 80000, -2000, 1'700'000'000'000'000, values);
  InsertPowerDay(f.file, "STA0", 20240408, 10, 20, 1'600'000'000'000'000, {{1380, 77}});
  InsertPowerDay(f.file, "STA1", 20240409, 555, 0, 1'700'000'000'000'001, {});  // adjust powers only
  std::vector<std::string> announced;
  f.options.on_migration = [&](std::string_view name) { announced.emplace_back(name); };
  auto opened = f.Open();
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  ASSERT_EQ(*store.SchemaVersion(), 10);
  EXPECT_EQ(announced, std::vector<std::string>{"0010_power_hour.sql"});
  const auto d8 = *proto::ParseDate("2024-04-08");
  const auto d9 = *proto::ParseDate("2024-04-09");

  StationDay want;
  want.operator_id = kSampleOperatorId;
  want.station_code = "STA0";
  want.day = d9;
  for (const auto& [minute, v] : values) {
    want.centi_kw[static_cast<std::size_t>(minute)] = v;
    want.present.set(static_cast<std::size_t>(minute));
  }
  want.adjust_top_power = proto::Kilowatts::FromUnits(80000);
  want.adjust_bottom_power = proto::Kilowatts::FromUnits(-2000);
  want.updated_at = record::FromMicros(1'700'000'000'000'000);
  auto got = store.GetStationDay(kSampleOperatorId, "STA0", d9);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, want);

  auto history = store.ListStationHistory(kSampleOperatorId, "STA0", d8, d9);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].centi_kw[1380], 77);
  EXPECT_EQ((*history)[0].present.count(), 1u);
  EXPECT_EQ((*history)[0].adjust_bottom_power, proto::Kilowatts::FromUnits(20));
  EXPECT_EQ((*history)[1], want);

  auto all = store.ListStationDays(kSampleOperatorId, d9);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], want);
  EXPECT_EQ((*all)[1].station_code, "STA1");
  EXPECT_EQ((*all)[1].present.count(), 0u);
  EXPECT_EQ((*all)[1].adjust_top_power, proto::Kilowatts::FromUnits(555));

  // A later write to another hour of the day makes its adjust powers the day's; the converted
  // minutes stay.
  PowerUpdate u = Update("STA0", 1200, 31);
  u.power.adjust_top_power = proto::Kilowatts::FromUnits(90000);
  WriteBatch b;
  b.power = {u};
  ASSERT_TRUE(store.Commit(b).ok());
  got = store.GetStationDay(kSampleOperatorId, "STA0", d9);
  ASSERT_TRUE(got.ok() && got->has_value());
  want.centi_kw[1200] = 31;
  want.present.set(1200);
  want.adjust_top_power = proto::Kilowatts::FromUnits(90000);
  want.adjust_bottom_power = proto::Kilowatts::FromUnits(0);
  want.updated_at = f.clock.Now();
  EXPECT_EQ(**got, want);
}

TEST(SqliteStore, MigrationsAreRecordedInSchemaVersion) {
  Fixture f;
  std::vector<std::string> announced;
  f.options.on_migration = [&](std::string_view name) { announced.emplace_back(name); };
  { ASSERT_TRUE(f.Open().ok()); }
  ASSERT_EQ(announced.size(), SqliteMigrations().size());
  EXPECT_EQ(announced.front(), "0001_init.sql");
  EXPECT_EQ(announced.back(), SqliteMigrations().back().name);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(f.file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT version, name, applied_at FROM schema_version ORDER BY version", -1, &st, nullptr),
      SQLITE_OK);
  for (const Migration& m : SqliteMigrations()) {
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), m.version);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))), m.name);
    EXPECT_EQ(sqlite3_column_int64(st, 2),
              std::chrono::duration_cast<std::chrono::microseconds>(f.clock.Now().time_since_epoch()).count());
  }
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  // Opening again applies nothing and keeps the version.
  announced.clear();
  auto again = f.Open();
  EXPECT_TRUE(announced.empty());
  ASSERT_TRUE(again.ok()) << again.status();
  auto version = (*again)->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, SqliteMigrations().back().version);
}

TEST(SqliteStore, ANewerSchemaThanTheBuildKnowsIsRefused) {
  Fixture f;
  { ASSERT_TRUE(f.Open().ok()); }
  RawExec(f.file, "INSERT INTO schema_version(version, name, applied_at) VALUES(9999, '9999_future.sql', 0)");
  const Status st = f.Open().status();
  EXPECT_TRUE(HasStatus(st, StatusCode::kInternal,
                        "has schema version 9999, newer than this build knows (" +
                            std::to_string(SqliteMigrations().back().version) + ")"));
}

}  // namespace
}  // namespace vgi::store
