// The conformance suite against the memory and SQLite stores, and what only SQLite has: the file
// at rest, failed writes (disk full), opening and sealing (migrations: sqlite_migration_test.cpp).
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "record_codec.hpp"
#include "sqlite_store_testing.hpp"
#include "sqlite_test_util.hpp"
#include "store_conformance.hpp"
#include "vgi/store/audit_chain.hpp"
#include "vgi/store/memory_store.hpp"
#include "vgi/store/sqlite_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::store {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace sqlite_test;
using vgi::testing::kSampleCreditCode;
using vgi::testing::kSampleOperatorId;
using vgi::testing::SampleStation;

const auto* const kTempDir = ::testing::AddGlobalTestEnvironment(new TempDir);

StoreFactory MemoryFactory() {
  return {"memory", [](const StoreOptions& o) -> Result<std::unique_ptr<Store>> { return NewMemoryStore(o); }, nullptr};
}

StoreFactory SqliteFactory() {
  auto last = std::make_shared<std::string>();
  return {"sqlite",
          [last](const StoreOptions& o) {
            *last = TempDir::FreshFile();
            return OpenSqliteStore(*last, o);
          },
          [last](const StoreOptions& o) { return OpenSqliteStore(*last, o); }};
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values(MemoryFactory(), SqliteFactory()),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

// ---- helpers ----------------------------------------------------------------------------------

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- SQLite only ------------------------------------------------------------------------------

TEST(SqliteStore, SensitiveFieldsAreNotInTheFileInClear) {
  Fixture f;
  proto::Station station = SampleStation(42, 2);
  {
    auto store = f.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    proto::StationInfoPage page{1, 1, 1, {station}};
    ASSERT_TRUE((*store)->PutStationPage(kSampleOperatorId, page).ok());
    // And a staged page of an open sync.
    proto::StationInfoPage staged{2, 2, 1, {SampleStation(43, 1)}};
    ASSERT_TRUE((*store)->PutStationPage(kSampleOperatorId, staged).ok());
    InstructionRow row{kSampleOperatorId, vgi::testing::SampleInstruction(), f.clock.Now()};
    row.instruction.range_type = proto::RangeType::kStation;
    row.instruction.adjust_ids = {"STA42"};
    row.instruction.credit_code = "91110190ZZZZZZZZZZ";
    ASSERT_TRUE((*store)->PutInstruction(row).ok());
    // Before closing the WAL holds the writes; check it as well as the main file.
    const std::string wal = ReadAll(f.file + "-wal") + ReadAll(f.file);
    for (const std::string& secret : {station.name, station.address, station.credit_code, station.stakes[0].name,
                                      SampleStation(43, 1).name, std::string("91110190ZZZZZZZZZZ"),
                                      station.longitude.ToString(), station.latitude.ToString()}) {
      EXPECT_EQ(wal.find(secret), std::string::npos) << "found in clear: " << secret;
    }
    // The plain columns are there (the check above would pass on an empty file).
    EXPECT_NE(wal.find("STA42"), std::string::npos);
  }
  const std::string db = ReadAll(f.file);
  ASSERT_FALSE(db.empty());
  for (const std::string& secret : {station.name, station.address, station.credit_code, station.stakes[1].name,
                                    std::string("91110190ZZZZZZZZZZ"), station.longitude.ToString()}) {
    EXPECT_EQ(db.find(secret), std::string::npos) << "found in clear: " << secret;
  }
  EXPECT_NE(db.find("STA42"), std::string::npos);
}

OutboxCommand ClearCommand(SystemTime now, const std::string& credit_code) {
  OutboxCommand c;
  c.operator_id = kSampleOperatorId;
  c.interface = proto::Interface::kSendTask;
  c.task_id = "TASK-CLEAR";
  c.regulation_id = "REG-CLEAR";
  c.data_json = R"({"regulationID":"REG-CLEAR","creditCode":")" + credit_code + R"("})";
  c.created_at = now;
  c.deadline = now + 1h;
  return c;
}

InstructionRow StationInstruction(const std::string& regulation_id, SystemTime now) {
  InstructionRow row{kSampleOperatorId, vgi::testing::SampleInstruction(), now};
  row.instruction.regulation_id = regulation_id;
  row.instruction.range_type = proto::RangeType::kStation;
  row.instruction.adjust_ids = {"STA42"};
  row.instruction.credit_code = kSampleCreditCode;
  return row;
}

TEST(SqliteStore, OutboxDocumentsAreNotInTheFileInClear) {
  Fixture f;
  const std::string data_secret = "91110190DATAOUTBOX";
  const std::string response_secret = "91110190RESPONSE42";
  {
    auto store = f.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    auto id = (*store)->Enqueue(ClearCommand(f.clock.Now(), data_secret), nullptr);
    ASSERT_TRUE(id.ok()) << id.status();
    auto claimed = (*store)->ClaimOutbox("node-a", f.clock.Now(), 30s, 1);
    ASSERT_TRUE(claimed.ok() && claimed->size() == 1u) << claimed.status();
    OutboxOutcome sent;
    sent.state = OutboxState::kSent;
    sent.at = f.clock.Now();
    sent.ret = 0;
    sent.msg = "MSG-IN-CLEAR";
    sent.response_json = R"({"creditCode":")" + response_secret + R"("})";
    ASSERT_TRUE((*store)->FinishOutbox(*id, "node-a", sent).ok());
    const std::string wal = ReadAll(f.file + "-wal") + ReadAll(f.file);
    for (const std::string& secret : {data_secret, response_secret}) {
      EXPECT_EQ(wal.find(secret), std::string::npos) << "found in clear: " << secret;
    }
    // The plain columns are there (the check above would pass on an empty file).
    EXPECT_NE(wal.find("REG-CLEAR"), std::string::npos);
    EXPECT_NE(wal.find("MSG-IN-CLEAR"), std::string::npos);
    // And the documents read back.
    auto got = (*store)->GetOutbox(*id);
    ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
    EXPECT_NE((*got)->data_json.find(data_secret), std::string::npos);
    EXPECT_EQ((*got)->response_json, sent.response_json);
  }
  const std::string db = ReadAll(f.file);
  ASSERT_FALSE(db.empty());
  for (const std::string& secret : {data_secret, response_secret}) {
    EXPECT_EQ(db.find(secret), std::string::npos) << "found in clear: " << secret;
  }
  EXPECT_NE(db.find("REG-CLEAR"), std::string::npos);
}

TEST(SqliteStore, PastOperatorDaySumsAreKeptTodaysOnlyInMemoryWhileTheirVersionHolds) {
  Fixture f;
  f.clock.Set(vgi::testing::BeijingTime(2024, 4, 10, 12, 0));
  auto opened = f.Open();
  ASSERT_TRUE(opened.ok()) << opened.status();
  WriteBatch b;
  b.power = {Update("STA0", 600, 500), Update("STA0", 1440 + 600, 700)};  // 04-09 and 04-10 10:00
  ASSERT_TRUE((*opened)->Commit(b).ok());
  const auto d9 = *proto::ParseDate("2024-04-09");
  const auto d10 = *proto::ParseDate("2024-04-10");
  auto first = (*opened)->ListOperatorDays(kSampleOperatorId, d9, d10);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  // With the station-days gone behind the store's back (no Commit: versions unchanged), the same
  // store still answers both days: the past one from its stored sums, today's from memory.
  RawExec(f.file, "DELETE FROM power_hour");
  auto second = (*opened)->ListOperatorDays(kSampleOperatorId, d9, d10);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, *first);
  // Another store on the file has only what was written: the past day's sums.
  opened->reset();
  auto reopened = f.Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto third = (*reopened)->ListOperatorDays(kSampleOperatorId, d9, d10);
  ASSERT_TRUE(third.ok()) << third.status();
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ(third->front(), first->front());
  EXPECT_EQ(third->front().load[600], 500);
  // A Commit moves today's version on: memory no longer answers for it.
  WriteBatch later;
  later.power = {Update("STA1", 1440 + 601, 40)};
  ASSERT_TRUE((*reopened)->Commit(later).ok());
  auto fourth = (*reopened)->ListOperatorDays(kSampleOperatorId, d10, d10);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  ASSERT_EQ(fourth->size(), 1u);
  EXPECT_EQ(fourth->front().stations, 1);
  EXPECT_EQ(fourth->front().load[600], 0);
  EXPECT_EQ(fourth->front().load[601], 40);
}

TEST(SqliteStore, AnEnqueueWhoseCommandFailsLeavesNoInstruction) {
  Fixture f;
  auto opened = f.Open();
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  // The instruction is written first; the command's insert then fails inside the transaction.
  ASSERT_TRUE(SqliteExecForTesting(store, "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox"
                                          " BEGIN SELECT RAISE(ABORT, 'outbox refused by the test'); END")
                  .ok());
  const InstructionRow instruction = StationInstruction("REG-ATOMIC", f.clock.Now());
  const Status refused = store.Enqueue(ClearCommand(f.clock.Now(), "x"), &instruction).status();
  EXPECT_TRUE(HasStatus(refused, StatusCode::kIo, "Enqueue: SQLite " + f.file + ": outbox refused by the test")) << refused;
  auto none = store.GetInstruction(kSampleOperatorId, "REG-ATOMIC");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  auto empty = store.ListOutbox({});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(SqliteExecForTesting(store, "DROP TRIGGER refuse_outbox").ok());
  auto id = store.Enqueue(ClearCommand(f.clock.Now(), "x"), &instruction);
  ASSERT_TRUE(id.ok()) << id.status();
  auto both = store.GetInstruction(kSampleOperatorId, "REG-ATOMIC");
  ASSERT_TRUE(both.ok() && both->has_value()) << both.status();
  EXPECT_EQ(**both, instruction);
}

TEST(SqliteStore, AFailedWriteLeavesNothingAndLaterWritesWork) {
  Fixture f;
  auto opened = f.Open();
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store& store = **opened;
  WriteBatch first;
  first.power = {Update("STA0", 0, 100)};
  ASSERT_TRUE(store.Commit(first).ok());

  // The database may not grow any more: a batch of new station-days needs pages it cannot get.
  ASSERT_TRUE(SqliteExecForTesting(store, "PRAGMA max_page_count = 1").ok());
  WriteBatch big;
  big.request_keys = {RequestKey{kSampleOperatorId, "20240409100000", "0001", f.clock.Now() + 1h}};
  big.power.push_back(Update("STA0", 1, 111));  // an existing row, changed before the failure
  for (int i = 1; i <= 200; ++i) big.power.push_back(Update("STA" + std::to_string(i), 1, 200 + i));
  const Status full = store.Commit(big);
  EXPECT_TRUE(HasStatus(full, StatusCode::kIo, "Commit: SQLite " + f.file + ": database or disk is full")) << full;

  // A page sync fails the same way and leaves no open sync behind.
  std::vector<proto::Station> many;
  for (int i = 0; i < 300; ++i) many.push_back(SampleStation(i, 3));
  const Status page_full =
      store.PutStationPage(kSampleOperatorId, proto::StationInfoPage{600, 2, 1, many}).status();
  EXPECT_TRUE(HasStatus(page_full, StatusCode::kIo, "PutStationPage: SQLite")) << page_full;

  // Space again: the store works, and nothing of the failed batch is there.
  ASSERT_TRUE(SqliteExecForTesting(store, "PRAGMA max_page_count = 1073741823").ok());
  WriteBatch later;
  later.power = {Update("STA0", 2, 300)};
  ASSERT_TRUE(store.Commit(later).ok());

  auto day = store.GetStationDay(kSampleOperatorId, "STA0", *proto::ParseDate("2024-04-09"));
  ASSERT_TRUE(day.ok() && day->has_value());
  EXPECT_EQ((*day)->centi_kw[0], 100);
  EXPECT_EQ((*day)->centi_kw[1], 0);
  EXPECT_FALSE((*day)->present.test(1));
  EXPECT_EQ((*day)->centi_kw[2], 300);
  for (int i : {1, 100, 200}) {
    auto none = store.GetStationDay(kSampleOperatorId, "STA" + std::to_string(i), *proto::ParseDate("2024-04-09"));
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << i;
  }
  auto keys = store.LoadRequestKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
  // The failed page left no sync: the second page alone is one page received.
  auto receipt = store.PutStationPage(kSampleOperatorId, proto::StationInfoPage{600, 2, 2, {SampleStation(999, 0)}});
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->pages_received, 1);
}

TEST(SqliteStore, AFileThatCannotBeOpenedIsIoNamingIt) {
  Fixture f;
  const std::string file = (TempDir::Path() / "no-such-dir" / "vgi.db").string();
  const Status st = OpenSqliteStore(file, f.options).status();
  EXPECT_TRUE(HasStatus(st, StatusCode::kIo, "SQLite database " + file + " does not open"));
}

TEST(SqliteStore, OpeningWithoutASealerIsRefused) {
  Fixture f;
  f.options.sealer = nullptr;
  EXPECT_TRUE(HasStatus(OpenSqliteStore(f.file, f.options).status(), StatusCode::kInvalid,
                        "StoreOptions.sealer is not set"));
}

TEST(SqliteStore, ASealedRowUnderAnotherKeyDoesNotOpen) {
  Fixture f;
  {
    auto store = f.Open();
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutStationPage(kSampleOperatorId, proto::StationInfoPage{1, 1, 1, {SampleStation(1, 1)}}).ok());
  }
  Sealer other = *Sealer::Create(std::string(32, 'o'));
  f.options.sealer = &other;
  auto store = f.Open();
  ASSERT_TRUE(store.ok());
  const Status st = (*store)->GetStation(kSampleOperatorId, "STA1").status();
  EXPECT_EQ(st, Status::Internal("station 123456789/STA1: sealed value does not open: wrong master key or corrupted data"));
}

TEST(SqliteStore, AnAuditRowEditedOrDeletedInTheFileBreaksTheChainThere) {
  Fixture f;
  auto store = f.Open();
  ASSERT_TRUE(store.ok());
  for (const char* op : {"login", "demand.create", "demand.cancel", "logout"}) {
    AuditRow a;
    a.at = f.clock.Now();
    a.username = "alice";
    a.source = "10.1.2.3";
    a.operation = op;
    a.object = "demand:T1";
    a.result = "ok";
    ASSERT_TRUE((*store)->AppendAudit(a).ok());
  }
  auto verify = [&]() {
    auto rows = (*store)->ListAudit(0, 100);
    EXPECT_TRUE(rows.ok());
    return VerifyAuditChain(*rows);
  };
  EXPECT_EQ(verify(), std::nullopt);
  // Edited in place (as someone with the database file could): row 2 no longer matches its hash.
  RawExec(f.file, "UPDATE audit_log SET result='refused: not allowed' WHERE seq=2");
  auto broken = verify();
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->seq, 2);
  EXPECT_EQ(broken->reason, "row 2: its hash does not match its content (edited?)");
  // Its hash recomputed too: then row 3 no longer follows it.
  auto rows = (*store)->ListAudit(1, 1);
  ASSERT_TRUE(rows.ok());
  RawExec(f.file, "UPDATE audit_log SET hash='" + AuditHash((*rows)[0]) + "' WHERE seq=2");
  broken = verify();
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->seq, 3);
  EXPECT_THAT(broken->reason, ::testing::HasSubstr("row 3: it does not follow the previous row's hash"));
  // Deleted: the sequence has a gap.
  RawExec(f.file, "DELETE FROM audit_log WHERE seq=2");
  broken = verify();
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->seq, 3);
  EXPECT_EQ(broken->reason, "row 3: expected row 2 here (rows deleted?)");
}

// ---- the shared row encodings ------------------------------------------------------------------

TEST(RecordCodec, StationEncodingRoundTripsAndRefusesEveryTruncation) {
  proto::Station s = SampleStation(12, 3);
  s.close_time = proto::ParseMinute("2024-01-01 22:30");
  s.stakes[1].longitude.reset();
  s.stakes[2].rated_power = proto::Kilowatts::FromUnits(-1);  // signed values survive
  const std::string bytes = record::EncodeStation(s);
  auto back = record::DecodeStation(bytes, "station x");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const Status st = record::DecodeStation(bytes.substr(0, n), "station x").status();
    ASSERT_TRUE(HasStatus(st, StatusCode::kInternal, "station x: stored model does not decode")) << n;
  }
  EXPECT_FALSE(record::DecodeStation(bytes + "x", "station x").ok());

  const std::vector<proto::Station> list = {SampleStation(1, 0), s};
  const std::string all = record::EncodeStationList(list);
  auto decoded = record::DecodeStationList(all, "page");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[0].station, list[0]);
  EXPECT_EQ((*decoded)[1].station, s);
  EXPECT_EQ((*decoded)[1].bytes, bytes);  // sealable as is
}

TEST(RecordCodec, DayNumbersAreYyyymmdd) {
  const proto::BeijingDate d = *proto::ParseDate("2024-02-29");
  EXPECT_EQ(record::DayNumber(d), 20240229);
  auto back = record::DateFromDayNumber(20240229);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, d);
  EXPECT_EQ(record::DayNumber(*proto::ParseDate("1970-01-01")), 19700101);
  EXPECT_TRUE(HasStatus(record::DateFromDayNumber(20230229).status(), StatusCode::kInternal,
                        "power_day.day: 20230229 is not a yyyymmdd date"));
}

TEST(MemoryStore, WithoutASealerSensitiveWritesFail) {
  vgi::testing::FakeClock clock;
  StoreOptions options;
  options.clock = &clock;
  auto store = NewMemoryStore(options);
  EXPECT_TRUE(HasStatus(store->PutStationPage(kSampleOperatorId, proto::StationInfoPage{1, 1, 1, {SampleStation(1, 1)}}).status(),
                        StatusCode::kInternal, "StoreOptions.sealer is not set"));
  EXPECT_TRUE(HasStatus(store->PutInstruction(InstructionRow{kSampleOperatorId, vgi::testing::SampleInstruction(), {}}),
                        StatusCode::kInternal, "StoreOptions.sealer is not set"));
  EXPECT_TRUE(HasStatus(store->Enqueue(ClearCommand(clock.Now(), "x"), nullptr).status(), StatusCode::kInternal,
                        "StoreOptions.sealer is not set"));
}

}  // namespace
}  // namespace vgi::store
