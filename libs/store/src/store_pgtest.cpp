// The store conformance suite against a live PostgreSQL, and what only PostgreSQL has: the URL
// dispatch, migrations under a lock, the power_hours layout, connection loss.
//
// The server is named by VGI_TEST_PG_URL (./test.sh starts a throwaway one with
// scripts/pg-test-server.sh and sets it). Each store gets a fresh schema on that server (the URL's
// search_path), dropped when the test program ends. Without the variable every test here fails
// and says how to get a server: label `pg` tests are never skipped silently.
//
// DISABLED_Bench* are measurements, not tests (no timing assertions); run them by hand:
//   build/<dir>/libs/store/store_pgtest --gtest_also_run_disabled_tests --gtest_filter='*Bench*'
// (VGI_BENCH_ONLY_BATCH=<stations per commit> makes the commit measurement run that one shape, for
// profiling.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "migrations.hpp"
#include "postgres_conn.hpp"
#include "store_conformance.hpp"
#include "store_pgtest_util.hpp"
#include "vgi/store/postgres_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::store {
namespace {

using namespace pgtest;  // NOLINT
using ::testing::HasSubstr;
using ::testing::Not;

class DropSchemasAtExit : public ::testing::Environment {
 public:
  void TearDown() override { Schemas::Get().DropAll(); }
};
const auto* const kDropSchemas = ::testing::AddGlobalTestEnvironment(new DropSchemasAtExit);

// "postgres" reads power from the pending rows (nothing is due within a test), "postgres_folded"
// from the hour rows (every Commit folds before it returns).
StoreFactory PostgresFactory(const char* name, PowerFold fold) {
  auto last = std::make_shared<std::string>();
  PostgresOptions pg;
  pg.fold = fold;
  return StoreFactory{
      name,
      [last, pg](const StoreOptions& o) -> Result<std::unique_ptr<Store>> {
        VGI_ASSIGN_OR_RETURN(*last, Schemas::Get().Create());
        return OpenPostgresStore(*last, o, pg);
      },
      [last, pg](const StoreOptions& o) -> Result<std::unique_ptr<Store>> {
        if (last->empty()) return Status::Internal("reopen before make");
        return OpenPostgresStore(*last, o, pg);
      }};
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformance,
                         ::testing::Values(PostgresFactory("postgres", PowerFold::kBackground),
                                           PostgresFactory("postgres_folded", PowerFold::kAfterCommit)),
                         [](const auto& info) { return info.param.name; });

// ---- PostgreSQL-specific -----------------------------------------------------------------------

// A loopback port that refuses connections for as long as the object lives (bound, not listening).
class RefusingPort {
 public:
  RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof(a);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot bind a loopback port";
      return;
    }
    port_ = ntohs(a.sin_port);
  }
  ~RefusingPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

TEST_F(PostgresStoreTest, ServerIsNamedByTheEnvironment) {
  auto url = ServerUrl();
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_THAT(*url, ::testing::StartsWith("postgresql://"));
}

TEST_F(PostgresStoreTest, OpenOnAPortWithNothingListeningIsUnavailableNamingHostPort) {
  RefusingPort port;
  const std::string where = "127.0.0.1:" + std::to_string(port.port());
  auto store = OpenPostgresStore("postgresql://vgi:s3cret-pw@" + where + "/postgres", options_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("PostgreSQL at " + where + ": cannot connect"));
  EXPECT_THAT(store.status().message(), HasSubstr("check that the server is running"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("s3cret-pw")));
}

TEST_F(PostgresStoreTest, OpenRejectsAUrlLibpqCannotParse) {
  auto store = OpenPostgresStore("postgresql://vgi:s3cret-pw@127.0.0.1:5432/db?no_such_option=1", options_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(store.status().message(), HasSubstr("database: not a valid PostgreSQL URL"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("s3cret-pw")));
}

TEST_F(PostgresStoreTest, OpenStoreRefusesOtherDatabaseValuesWithoutEchoingThem) {
  for (const char* value : {"mysql://root:hunter2@db/vgi", "vgi.db", "postgresql:/x"}) {
    auto store = OpenStore(value, "/nonexistent", options_);
    ASSERT_FALSE(store.ok()) << value;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalid) << value;
    EXPECT_THAT(store.status().message(), HasSubstr("database: ")) << value;
    EXPECT_THAT(store.status().message(), HasSubstr("leave it empty for SQLite at <data_dir>/vgi.db"));
    EXPECT_THAT(store.status().message(), HasSubstr("postgresql://user@host:port/dbname (or postgres://)"));
    EXPECT_THAT(store.status().message(), Not(HasSubstr("hunter2")));
  }
  auto mysql = OpenStore("mysql://root:hunter2@db/vgi", "/nonexistent", options_);
  EXPECT_THAT(mysql.status().message(), HasSubstr("a mysql:// URL is not accepted"));
}

TEST_F(PostgresStoreTest, OpenStoreSendsBothUrlSchemesToPostgres) {
  auto url = Schemas::Get().Create();
  ASSERT_TRUE(url.ok()) << url.status();
  for (const std::string& u : {*url, "postgres://" + url->substr(std::string("postgresql://").size())}) {
    auto store = OpenStore(u, "/nonexistent", options_);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->backend(), "postgres");
  }
}

TEST_F(PostgresStoreTest, OpenStoreWithoutDatabaseIsSqliteInDataDirCreatedWhenMissing) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vgi-open-store-" + std::to_string(::getpid())) / "nested" / "data";
  std::filesystem::remove_all(dir.parent_path().parent_path());
  auto store = OpenStore("", dir.string(), options_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->backend(), "sqlite");
  EXPECT_TRUE(std::filesystem::exists(dir / "vgi.db"));
  store->reset();
  std::filesystem::remove_all(dir.parent_path().parent_path());
}

TEST_F(PostgresStoreTest, MigrationsAreRecordedOnceEvenWhenStoresOpenConcurrently) {
  auto url = Schemas::Get().Create();
  ASSERT_TRUE(url.ok()) << url.status();
  std::vector<Result<std::unique_ptr<Store>>> opened;
  std::mutex mu;
  std::vector<std::string> announced;  // on_migration calls, from every store
  StoreOptions options = options_;
  options.on_migration = [&](std::string_view name) {
    std::lock_guard lock(mu);
    announced.emplace_back(name);
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      auto s = OpenPostgresStore(*url, options);
      std::lock_guard lock(mu);
      opened.push_back(std::move(s));
    });
  }
  for (auto& t : threads) t.join();
  const int latest = PostgresMigrations().back().version;
  for (auto& s : opened) {
    ASSERT_TRUE(s.ok()) << s.status();
    auto v = (*s)->SchemaVersion();
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, latest);
  }
  const std::string schema = url->substr(url->find("search_path%3D") + 14, url->find('&') - url->find("search_path%3D") - 14);
  auto rows = Schemas::Get().Admin("SELECT count(*), count(DISTINCT version) FROM " + schema + ".schema_version");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows->Int64(0, 0), static_cast<std::int64_t>(PostgresMigrations().size()));
  EXPECT_EQ(*rows->Int64(0, 1), static_cast<std::int64_t>(PostgresMigrations().size()));
  // Announced by the store that applied them, each once.
  ASSERT_EQ(announced.size(), PostgresMigrations().size());
  EXPECT_EQ(announced.back(), PostgresMigrations().back().name);
}

TEST_F(PostgresStoreTest, PowerIsPendingUntilFoldedIntoHourRowsOf60SlotsWithAPresentMask) {
  PostgresOptions manual;
  manual.fold = PowerFold::kManual;
  auto store = Fresh("vgi-test", manual);
  ASSERT_TRUE(store);
  WriteBatch b;
  b.power.push_back(Update("S1", {{"2024-04-09 00:00", 150}, {"2024-04-09 00:01", -1}, {"2024-04-09 01:59", 7}}));
  ASSERT_TRUE(store->Commit(b).ok());

  const std::string schema = url_.substr(url_.find("search_path%3D") + 14, url_.find('&') - url_.find("search_path%3D") - 14);
  auto count = [&](const char* table) -> std::int64_t {
    auto r = Schemas::Get().Admin("SELECT count(*) FROM " + schema + "." + table);
    return r.ok() ? *r->Int64(0, 0) : -1;
  };
  // Acknowledged as one pending row; nothing in the hour rows yet, and the reader sees it all.
  EXPECT_EQ(count("power_pending"), 1);
  EXPECT_EQ(count("power_hours"), 0);
  EXPECT_EQ(count("power_latest"), 0);
  auto before = store->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(before.ok() && before->has_value()) << before.status();

  auto folded = FoldPendingPower(*store);
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(*folded, 1U);  // one station update
  EXPECT_EQ(count("power_pending"), 0);
  EXPECT_EQ(count("power_latest"), 1);
  auto rows = Schemas::Get().Admin("SELECT hour, length(slots), present, day::text FROM " + schema +
                                   ".power_hours ORDER BY hour");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2);
  EXPECT_EQ(*rows->Int64(0, 0), 0);
  EXPECT_EQ(*rows->Int64(0, 1), 240);
  EXPECT_EQ(*rows->Int64(0, 2), 0b01);  // 00:00 has a value, 00:01 was null
  EXPECT_EQ(*rows->Bytes(0, 3), "2024-04-09");
  EXPECT_EQ(*rows->Int64(1, 0), 1);
  EXPECT_EQ(*rows->Int64(1, 2), std::int64_t{1} << 59);
  auto ff = Schemas::Get().Admin("SELECT array_to_string(c.reloptions, ',') FROM pg_class c JOIN pg_namespace n "
                                 "ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND c.relname = 'power_hours'");
  ASSERT_TRUE(ff.ok()) << ff.status();
  EXPECT_EQ(*ff->Bytes(0, 0), "fillfactor=70");

  auto day = store->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(day.ok() && day->has_value()) << day.status();
  EXPECT_EQ((*day)->centi_kw[0], 150);
  EXPECT_EQ((*day)->centi_kw[119], 7);
  EXPECT_TRUE((*day)->present[0]);
  EXPECT_FALSE((*day)->present[1]);
  EXPECT_TRUE((*day)->present[119]);
  EXPECT_EQ((*day)->present.count(), 2U);
  EXPECT_EQ(**day, **before);  // folding changes no reader's answer
}

TEST_F(PostgresStoreTest, ScatteredMinutesOfOneHourInOneBatchKeepTheMinutesBetween) {
  auto store = Fresh();
  ASSERT_TRUE(store);
  WriteBatch first;
  first.power.push_back(Update("S1", {{"2024-04-09 10:05", 1}, {"2024-04-09 10:07", 70}, {"2024-04-09 10:10", 1}}));
  ASSERT_TRUE(store->Commit(first).ok());

  // Two requests for the same station and hour in one group: minutes 5 and 10 change, 7 stays;
  // the same minute twice: the later write wins, a null later write makes it missing.
  WriteBatch group;
  group.power.push_back(Update("S1", {{"2024-04-09 10:05", 50}, {"2024-04-09 10:20", 200}}, 500, 10));
  group.power.push_back(Update("S1", {{"2024-04-09 10:10", 100}, {"2024-04-09 10:20", 201}}, 600, 20));
  group.power.push_back(Update("S1", {{"2024-04-09 10:30", 9}}, 700, 30));
  group.power.push_back(Update("S1", {{"2024-04-09 10:30", -1}}, 800, 40));
  ASSERT_TRUE(store->Commit(group).ok());

  auto day = store->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(day.ok() && day->has_value()) << day.status();
  const StationDay& d = **day;
  EXPECT_EQ(d.centi_kw[605], 50);
  EXPECT_EQ(d.centi_kw[607], 70);
  EXPECT_EQ(d.centi_kw[610], 100);
  EXPECT_EQ(d.centi_kw[620], 201);
  EXPECT_EQ(d.centi_kw[630], 0);
  EXPECT_FALSE(d.present[630]);
  EXPECT_EQ(d.present.count(), 4U);  // 605, 607, 610, 620
  EXPECT_EQ(d.adjust_top_power, proto::Kilowatts::FromUnits(800));
  EXPECT_EQ(d.adjust_bottom_power, proto::Kilowatts::FromUnits(40));
}

TEST_F(PostgresStoreTest, TheDaysAdjustPowersAreTheLastCommitsWhicheverHourItWrote) {
  auto store = Fresh();
  ASSERT_TRUE(store);
  WriteBatch a;
  a.power.push_back(Update("S1", {{"2024-04-09 23:00", 1}}, 100, 1));
  ASSERT_TRUE(store->Commit(a).ok());
  WriteBatch b;  // same clock reading, an earlier hour
  b.power.push_back(Update("S1", {{"2024-04-09 01:00", 1}}, 200, 2));
  ASSERT_TRUE(store->Commit(b).ok());
  auto day = store->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(day.ok() && day->has_value()) << day.status();
  EXPECT_EQ((*day)->adjust_top_power, proto::Kilowatts::FromUnits(200));
  EXPECT_EQ((*day)->adjust_bottom_power, proto::Kilowatts::FromUnits(2));
}

TEST_F(PostgresStoreTest, AStatementTheServerRefusesMidCommitLeavesNothingAndTheConnectionWorks) {
  auto store = Fresh("vgi-test", PostgresOptions{1});  // one connection: the next call reuses it
  ASSERT_TRUE(store);
  WriteBatch b;
  b.request_keys = {RequestKey{testing::kSampleOperatorId, "20240409120000", "0001", clock_.Now() + std::chrono::minutes(5)}};
  b.power.push_back(Update("S1", {{"2024-04-09 10:00", 10}}));
  FeedbackRecord f;
  f.operator_id = testing::kSampleOperatorId;
  f.task_id = std::string("T\0", 2);  // PostgreSQL text cannot hold NUL: the last statement fails
  f.regulation_id = "R1";
  f.kind = FeedbackKind::kOverview;
  f.status = proto::Feedback::kAccept;
  f.received_at = clock_.Now();
  b.feedback.push_back(f);
  const Status refused = store->Commit(b);
  EXPECT_EQ(refused.code(), StatusCode::kInvalid) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("vgi_put_feedback"));

  auto day = store->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_FALSE(day->has_value());
  auto keys = store->LoadRequestKeys();
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(keys->empty());

  b.feedback[0].task_id = "T1";
  const Status ok = store->Commit(b);
  ASSERT_TRUE(ok.ok()) << ok;
  day = store->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(day.ok() && day->has_value()) << day.status();
  EXPECT_EQ((*day)->centi_kw[600], 10);
}

TEST_F(PostgresStoreTest, ALostConnectionFailsOneCallAndTheNextReconnects) {
  // The store's own application_name, so only its backends are terminated (the server is shared).
  const std::string app = "vgi-loss-" + std::to_string(::getpid());
  auto url = Schemas::Get().Create(app);
  ASSERT_TRUE(url.ok()) << url.status();
  // A password (ignored by the test server's trust auth) that must never reach a message.
  std::string with_password = *url;
  const auto at = with_password.find('@');
  ASSERT_NE(at, std::string::npos);
  with_password.insert(at, ":s3cret-pw");
  auto opened = OpenPostgresStore(with_password, options_, PostgresOptions{2});
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;

  WriteBatch before;
  before.power.push_back(Update("S1", {{"2024-04-09 10:00", 10}}));
  ASSERT_TRUE(store.Commit(before).ok());

  auto killed = Schemas::Get().Admin(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
      "WHERE application_name = $1",
      pg::Params().Text(app));
  ASSERT_TRUE(killed.ok()) << killed.status();
  ASSERT_GE(*killed->Int64(0, 0), 1);

  WriteBatch during;
  during.power.push_back(Update("S1", {{"2024-04-09 10:01", 11}}));
  const Status failed = store.Commit(during);
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << failed;
  EXPECT_THAT(failed.message(), HasSubstr("PostgreSQL at 127.0.0.1:"));
  EXPECT_THAT(failed.message(), HasSubstr("the next one reconnects"));
  EXPECT_THAT(failed.message(), Not(HasSubstr("s3cret-pw")));

  WriteBatch after;
  after.power.push_back(Update("S1", {{"2024-04-09 10:02", 12}}));
  const Status ok = store.Commit(after);
  ASSERT_TRUE(ok.ok()) << ok;
  auto day = store.GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_TRUE(day.ok() && day->has_value()) << day.status();
  EXPECT_EQ((*day)->centi_kw[600], 10);
  EXPECT_EQ((*day)->centi_kw[601], 0);  // the failed commit left nothing
  EXPECT_FALSE((*day)->present[601]);
  EXPECT_EQ((*day)->centi_kw[602], 12);
}

// ---- measurements (run by hand; see the top of the file) ---------------------------------------

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

TEST_F(PostgresStoreTest, DISABLED_BenchCommitStationMinutes) {
  auto store = Fresh("vgi-bench", PostgresOptions{4});
  ASSERT_TRUE(store);
  constexpr int kStations = 20'000;
  const std::int64_t ten = proto::ParseMinute("2024-04-09 10:00")->minutes;
  // Batches of `size` stations x 1 point at `minute`, built before the clock starts.
  auto batches = [&](int minute, int size) {
    std::vector<WriteBatch> out;
    const std::string when = proto::FormatMinute(proto::BeijingMinute{ten + minute});
    for (int first = 0; first < kStations; first += size) {
      WriteBatch b;
      for (int i = first; i < first + size; ++i) b.power.push_back(Update("STA" + std::to_string(i), {{when, 100 + i}}));
      out.push_back(std::move(b));
    }
    return out;
  };
  // Commits `minutes` minutes of all stations from `threads` threads; station-updates/s.
  int minute = 0;
  auto run = [&](int minutes, int size, int threads) {
    std::vector<std::vector<WriteBatch>> work;
    for (int m = 0; m < minutes; ++m) work.push_back(batches(minute++, size));
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& groups : work) {  // a minute's batches, spread over the threads
      std::atomic<std::size_t> next{0};
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
          for (std::size_t i = next++; i < groups.size(); i = next++) {
            const Status s = store->Commit(groups[i]);
            ASSERT_TRUE(s.ok()) << s;
          }
        });
      }
      for (auto& t : pool) t.join();
    }
    return kStations * minutes / Seconds(std::chrono::steady_clock::now() - t0);
  };
  if (const char* only = std::getenv("VGI_BENCH_ONLY_BATCH")) {  // profiling one shape
    const int size = std::atoi(only);
    std::cout << size << "/commit, 1 thread: " << run(1, size, 1) << " (inserts), " << run(10, size, 1)
              << " station-updates/s\n";
    return;
  }
  std::cout << "first minute (row inserts), 500/commit, 1 thread: " << run(1, 500, 1) << " station-updates/s\n";
  std::cout << "500/commit, 1 thread: " << run(5, 500, 1) << " station-updates/s\n";
  std::cout << "500/commit, 4 threads: " << run(5, 500, 4) << " station-updates/s\n";
  std::cout << "5000/commit, 1 thread: " << run(5, 5000, 1) << " station-updates/s\n";
  std::cout << "20000/commit, 1 thread: " << run(5, 20000, 1) << " station-updates/s\n";
}

TEST_F(PostgresStoreTest, DISABLED_BenchModelSync30000StationsIn30Pages) {
  auto store = Fresh("vgi-bench");
  ASSERT_TRUE(store);
  constexpr int kPages = 30;
  constexpr int kPerPage = 1000;
  constexpr int kStakes = 10;
  std::vector<proto::StationInfoPage> pages;
  for (int p = 0; p < kPages; ++p) {
    proto::StationInfoPage page;
    page.total_count = kPages * kPerPage;
    page.page_count = kPages;
    page.page_no = p + 1;
    for (int i = 0; i < kPerPage; ++i) page.stations.push_back(testing::SampleStation(p * kPerPage + i, kStakes));
    pages.push_back(std::move(page));
  }
  for (int round = 1; round <= 2; ++round) {  // 1: all inserts; 2: the daily re-sync (updates)
    const auto t0 = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration last{};
    for (const auto& page : pages) {
      const auto p0 = std::chrono::steady_clock::now();
      auto r = store->PutStationPage(testing::kSampleOperatorId, page);
      ASSERT_TRUE(r.ok()) << r.status();
      last = std::chrono::steady_clock::now() - p0;
      if (page.page_no == kPages) {
        ASSERT_TRUE(r->applied);
        ASSERT_EQ(r->stakes_applied, kPages * kPerPage * kStakes);
      }
    }
    std::cout << "model sync " << kPages * kPerPage << " stations / " << kPages * kPerPage * kStakes
              << " stakes in pages of " << kPerPage << " (round " << round << "): "
              << Seconds(std::chrono::steady_clock::now() - t0) << " s, of which the last page (apply) "
              << Seconds(last) << " s\n";
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto all = store->ListStations(testing::kSampleOperatorId, false);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kPages * kPerPage));
  std::cout << "ListStations of 30000: " << Seconds(std::chrono::steady_clock::now() - t0) << " s\n";
}

TEST_F(PostgresStoreTest, DISABLED_BenchBytesPerStationDay) {
  auto store = Fresh("vgi-bench");
  ASSERT_TRUE(store);
  constexpr int kStations = 1000;
  const std::string schema = url_.substr(url_.find("search_path%3D") + 14, url_.find('&') - url_.find("search_path%3D") - 14);
  const std::int64_t start = proto::ParseMinute("2024-04-09 00:00")->minutes;
  std::vector<std::string> codes;
  for (int i = 0; i < kStations; ++i) codes.push_back("STA" + std::to_string(i));
  // Minute by minute, as operators send it: 1440 commits of 1000 stations x 1 point.
  const auto t0 = std::chrono::steady_clock::now();
  for (int m = 0; m < proto::kMinutesPerDay; ++m) {
    const std::string when = proto::FormatMinute(proto::BeijingMinute{start + m});
    WriteBatch b;
    for (int i = 0; i < kStations; ++i) b.power.push_back(Update(codes[static_cast<std::size_t>(i)], {{when, i + m}}));
    const Status s = store->Commit(b);
    ASSERT_TRUE(s.ok()) << s;
  }
  const double load_s = Seconds(std::chrono::steady_clock::now() - t0);
  auto size = [&](const char* when) {
    auto r = Schemas::Get().Admin("SELECT pg_total_relation_size('" + schema + ".power_hours'), pg_relation_size('" +
                                  schema + ".power_hours')");
    ASSERT_TRUE(r.ok()) << r.status();
    std::cout << "power_hours " << when << ": " << *r->Int64(0, 0) / kStations << " bytes per station-day in total, "
              << *r->Int64(0, 1) / kStations << " in the heap\n";
  };
  std::cout << "loaded 1000 stations x 1440 minutes minute by minute in " << load_s << " s ("
            << kStations * 1440 / load_s << " station-updates/s)\n";
  size("after a day of minute updates (autovacuum as it came)");
  std::this_thread::sleep_for(std::chrono::seconds(2));  // backends flush their statistics every second
  auto hot = Schemas::Get().Admin("SELECT n_tup_upd, n_tup_hot_upd, n_tup_ins FROM pg_stat_user_tables "
                                  "WHERE schemaname = '" + schema + "' AND relname = 'power_hours'");
  ASSERT_TRUE(hot.ok()) << hot.status();
  if (hot->size() == 1) {
    std::cout << "power_hours: " << *hot->Int64(0, 0) << " updates, " << *hot->Int64(0, 1) << " of them HOT, "
              << *hot->Int64(0, 2) << " inserts\n";
  }
  ASSERT_TRUE(Schemas::Get().Admin("VACUUM " + schema + ".power_hours").ok());
  size("after VACUUM");
  ASSERT_TRUE(Schemas::Get().Admin("VACUUM FULL " + schema + ".power_hours").ok());
  size("after VACUUM FULL (packed)");
}

}  // namespace
}  // namespace vgi::store
