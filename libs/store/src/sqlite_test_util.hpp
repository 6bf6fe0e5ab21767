#pragma once
// Shared by the SQLite store's tests (store_test.cpp, sqlite_migration_test.cpp): database files
// in a per-process temporary directory, a store fixture on a fake clock, raw SQL on a file, and a
// one-point power update.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>

#include "vgi/store/sqlite_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::store::sqlite_test {

// A temporary directory for this process's databases, removed when the tests end (store_test.cpp
// registers it as a gtest environment).
class TempDir : public ::testing::Environment {
 public:
  static const std::filesystem::path& Path() {
    static const std::filesystem::path dir = [] {
      std::filesystem::path p =
          std::filesystem::temp_directory_path() / ("vgi_store_test_" + std::to_string(::getpid()));
      std::filesystem::create_directories(p);
      return p;
    }();
    return dir;
  }
  // A file name not used before in this process.
  static std::string FreshFile() {
    static std::atomic<int> n{0};
    return (Path() / ("store" + std::to_string(n++) + ".db")).string();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(Path(), ec);
  }
};

inline ::testing::AssertionResult HasStatus(const Status& st, StatusCode code, std::string_view fragment) {
  if (st.code() == code && st.message().find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << st << ", want " << StatusCodeName(code) << " containing \""
                                       << fragment << "\"";
}

struct Fixture {
  vgi::testing::FakeClock clock;
  Sealer sealer = *Sealer::Create(std::string(32, 's'));
  StoreOptions options;
  std::string file = TempDir::FreshFile();
  Fixture() {
    options.clock = &clock;
    options.sealer = &sealer;
  }
  Result<std::unique_ptr<Store>> Open() { return OpenSqliteStore(file, options); }
};

// Runs SQL on a raw connection to `file` (not through the store).
inline void RawExec(const std::string& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err != nullptr ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// One point of `centi_kw` at `minute` past 2024-04-09 00:00 (Beijing) for the sample operator.
inline PowerUpdate Update(const std::string& station, int minute, std::int64_t centi_kw) {
  PowerUpdate u;
  u.operator_id = vgi::testing::kSampleOperatorId;
  u.power.station_code = station;
  u.power.credit_code = vgi::testing::kSampleCreditCode;
  proto::PowerPoint p;
  p.point = proto::BeijingMinute{proto::ParseMinute("2024-04-09 00:00")->minutes + minute};
  p.power = proto::Kilowatts::FromUnits(centi_kw);
  u.power.points.push_back(p);
  return u;
}

}  // namespace vgi::store::sqlite_test
