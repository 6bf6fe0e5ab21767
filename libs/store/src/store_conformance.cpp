// The store conformance suite (store_conformance.hpp): the behaviour store.hpp states, checked
// against every backend. Each test opens a fresh store through the factory. This file: peers,
// the station model sync, restart, schema version; store_conformance_power.cpp: the
// group-committed writes (power, replay keys, feedback) and instructions.
#include "store_conformance.hpp"

#include "migrations.hpp"
#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT

// A test binary may link the suite without instantiating it (a backend not available here).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreConformance);

// ---- peers ------------------------------------------------------------------------------------

TEST_P(StoreConformance, PeersRoundTripReplaceAndListInOrder) {
  VGI_OPEN(h);
  const SystemTime t1 = h.now();
  PeerRow b = Peer("BBBBBBBBB", "Operator B", t1);
  PeerRow a = Peer("AAAAAAAAA", "Operator A", t1);
  a.enabled = false;
  a.tokens_revoked_before = t1 - 5s;
  VGI_ASSERT_OK(h.store().PutPeer(b));
  VGI_ASSERT_OK(h.store().PutPeer(a));

  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetPeer("AAAAAAAAA"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, a);
  VGI_ASSERT_OK_AND_ASSIGN(auto missing, h.store().GetPeer("CCCCCCCCC"));
  EXPECT_FALSE(missing.has_value());

  // Replace: every field but created_at (kept from the first insert) takes the new value.
  PeerRow a2 = Peer("AAAAAAAAA", "Operator A renamed", t1 + 1h);
  a2.base_url = "https://a.example.net/evcs/v1";
  a2.sealed_keys = "rotated";
  VGI_ASSERT_OK(h.store().PutPeer(a2));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetPeer("AAAAAAAAA"));
  PeerRow want = a2;
  want.created_at = t1;
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, want);

  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListPeers());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], want);
  EXPECT_EQ(all[1], b);
}

// ---- station model sync -----------------------------------------------------------------------

TEST_P(StoreConformance, SyncPagesInAnyOrderApplyOnlyWithTheLastPage) {
  VGI_OPEN(h);
  const std::vector<Station> s = {SampleStation(0, 2), SampleStation(1, 3), SampleStation(2, 0),
                                  SampleStation(3, 1), SampleStation(4, 2), SampleStation(5, 2)};
  const std::int64_t order[] = {3, 1, 2};
  for (int i = 0; i < 3; ++i) {
    const std::int64_t no = order[i];
    const auto first = static_cast<std::size_t>((no - 1) * 2);
    VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(6, 3, no, {s[first], s[first + 1]})));
    EXPECT_EQ(r.pages_received, i + 1);
    EXPECT_EQ(r.page_count, 3);
    if (i < 2) {
      EXPECT_FALSE(r.applied);
      VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ListStations(kOp, true));
      EXPECT_TRUE(none.empty()) << "applied before the last page";
    } else {
      EXPECT_TRUE(r.applied);
      EXPECT_EQ(r.stations_applied, 6);
      EXPECT_EQ(r.stakes_applied, 10);
      EXPECT_EQ(r.stations_retired, 0);
      EXPECT_EQ(r.stakes_retired, 0);
    }
  }
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, false));
  ASSERT_EQ(all.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(all[i], Expected(s[i], h.now())) << i;
  // Another operator sees nothing.
  VGI_ASSERT_OK_AND_ASSIGN(auto other, h.store().ListStations("999999999", true));
  EXPECT_TRUE(other.empty());
}

TEST_P(StoreConformance, SensitiveFieldsRoundTripExactly) {
  VGI_OPEN(h);
  Station full = SampleStation(7, 3);
  Station sparse = SampleStation(8, 1);
  // Optional fields absent, empty lists, and values at their limits.
  sparse.depositor_nos.clear();
  sparse.electric_meter_nos.clear();
  sparse.open_time.reset();
  sparse.construction.reset();
  sparse.put_date.reset();
  sparse.longitude = proto::Degrees::FromUnits(-179'999'999);
  sparse.latitude = proto::Degrees::FromUnits(-89'000'001);
  sparse.name = "名\"称\\ with quotes, <tags> & 𝄞";
  sparse.address = "地址 'single' and trailing space ";
  sparse.stakes[0].longitude.reset();
  sparse.stakes[0].latitude.reset();
  sparse.stakes[0].rated_voltage.reset();
  sparse.stakes[0].depositor_no.reset();
  sparse.stakes[0].debug_status.reset();
  sparse.stakes[0].production_date.reset();
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Snapshot({full, sparse})));
  EXPECT_TRUE(r.applied);
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetStation(kOp, "STA8"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Expected(sparse, h.now()));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetStation(kOp, "STA7"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->station, full);
  VGI_ASSERT_OK_AND_ASSIGN(auto missing, h.store().GetStation(kOp, "STA9"));
  EXPECT_FALSE(missing.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(missing, h.store().GetStation("999999999", "STA7"));
  EXPECT_FALSE(missing.has_value());
}

TEST_P(StoreConformance, ResentPageIsIdempotentAndTheLatestCopyCounts) {
  VGI_OPEN(h);
  Station a = SampleStation(1, 1);
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r1, h.store().PutStationPage(kOp, Page(2, 2, 1, {a})));
  EXPECT_EQ(r1.pages_received, 1);
  a.name = "renamed on resend";
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r2, h.store().PutStationPage(kOp, Page(2, 2, 1, {a})));
  EXPECT_EQ(r2.pages_received, 1);
  EXPECT_FALSE(r2.applied);
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r3, h.store().PutStationPage(kOp, Page(2, 2, 2, {SampleStation(2, 1)})));
  EXPECT_EQ(r3.pages_received, 2);
  EXPECT_TRUE(r3.applied);
  EXPECT_EQ(r3.stations_applied, 2);
  EXPECT_EQ(r3.stakes_applied, 2);
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetStation(kOp, "STA1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->station.name, "renamed on resend");

  // The same snapshot again is a new sync: applied again, nothing retired.
  VGI_ASSERT_OK_AND_ASSIGN(r1, h.store().PutStationPage(kOp, Page(2, 2, 2, {SampleStation(2, 1)})));
  VGI_ASSERT_OK_AND_ASSIGN(r2, h.store().PutStationPage(kOp, Page(2, 2, 1, {a})));
  EXPECT_TRUE(r2.applied);
  EXPECT_EQ(r2.stations_retired, 0);
  EXPECT_EQ(r2.stakes_retired, 0);
}

TEST_P(StoreConformance, DifferentTotalOrPageCountStartsANewSync) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(4, 2, 1, {SampleStation(1, 0), SampleStation(2, 0)})));
  EXPECT_EQ(r.pages_received, 1);
  // Different totalCount: the open sync is dropped, this page starts the new one.
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(3, 2, 2, {SampleStation(3, 0)})));
  EXPECT_EQ(r.pages_received, 1);
  EXPECT_FALSE(r.applied);
  // Different pageCount: dropped again.
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(3, 3, 1, {SampleStation(4, 0)})));
  EXPECT_EQ(r.pages_received, 1);
  EXPECT_EQ(r.page_count, 3);
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(3, 3, 2, {SampleStation(5, 0)})));
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(3, 3, 3, {SampleStation(6, 0)})));
  EXPECT_TRUE(r.applied);
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, true));
  EXPECT_EQ(Codes(all), (std::vector<std::string>{"STA4", "STA5", "STA6"}));
}

TEST_P(StoreConformance, IncompleteSyncExpiresAfterTheTtlAndChangesNothing) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({SampleStation(1, 1)})).status());
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(2, 2, 1, {SampleStation(2, 1)})));
  EXPECT_EQ(r.pages_received, 1);

  h.clock().Advance(1h);  // exactly the ttl: not older than it yet
  VGI_ASSERT_OK_AND_ASSIGN(std::int64_t dropped, h.store().ExpireSyncs());
  EXPECT_EQ(dropped, 0);
  h.clock().Advance(1s);
  VGI_ASSERT_OK_AND_ASSIGN(dropped, h.store().ExpireSyncs());
  EXPECT_EQ(dropped, 1);
  VGI_ASSERT_OK_AND_ASSIGN(dropped, h.store().ExpireSyncs());
  EXPECT_EQ(dropped, 0);

  // The second page alone does not complete anything.
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(2, 2, 2, {SampleStation(3, 1)})));
  EXPECT_EQ(r.pages_received, 1);
  EXPECT_FALSE(r.applied);
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, true));
  EXPECT_EQ(Codes(all), std::vector<std::string>{"STA1"});
  EXPECT_FALSE(all[0].retired);

  // Without ExpireSyncs: a page arriving after the ttl finds the stale sync dropped first.
  h.clock().Advance(1h + 1s);
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(2, 2, 1, {SampleStation(2, 1)})));
  EXPECT_EQ(r.pages_received, 1);
  EXPECT_FALSE(r.applied);
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(2, 2, 2, {SampleStation(3, 1)})));
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.stations_retired, 1);
}

TEST_P(StoreConformance, TotalCountMismatchIsInvalidAndAppliesNothing) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({SampleStation(1, 1), SampleStation(2, 1)})).status());
  const SystemTime applied_at = h.now();
  h.clock().Advance(1min);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Page(5, 2, 1, {SampleStation(3, 1), SampleStation(4, 1)})).status());
  const Status st = h.store().PutStationPage(kOp, Page(5, 2, 2, {SampleStation(5, 1), SampleStation(6, 1)})).status();
  EXPECT_TRUE(HasStatus(st, StatusCode::kInvalid, "totalCount: the sync's pages hold 4 stations but totalCount is 5"));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, true));
  ASSERT_EQ(Codes(all), (std::vector<std::string>{"STA1", "STA2"}));
  EXPECT_EQ(all[0], Expected(SampleStation(1, 1), applied_at));
  // The refused sync is gone: its first page does not count any more.
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(5, 2, 2, {SampleStation(5, 1)})));
  EXPECT_EQ(r.pages_received, 1);
}

TEST_P(StoreConformance, DuplicateStationCodeAcrossPagesIsInvalid) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Page(3, 3, 1, {SampleStation(1, 1)})).status());
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Page(3, 3, 3, {SampleStation(2, 0)})).status());
  Station dup = SampleStation(1, 0);  // STA1 again, without stakes
  const Status st = h.store().PutStationPage(kOp, Page(3, 3, 2, {dup})).status();
  EXPECT_TRUE(HasStatus(st, StatusCode::kInvalid, "station code STA1 appears on pages 1 and 2"));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, true));
  EXPECT_TRUE(all.empty());
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(3, 3, 1, {SampleStation(1, 1)})));
  EXPECT_EQ(r.pages_received, 1);
}

TEST_P(StoreConformance, DuplicateStakeCodeWithinTheOperatorIsInvalid) {
  VGI_OPEN(h);
  Station a = SampleStation(1, 2);
  Station b = SampleStation(2, 1);
  b.stakes[0].code = a.stakes[1].code;  // "ST1-1" under STA2 too
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Page(2, 2, 2, {b})).status());
  const Status st = h.store().PutStationPage(kOp, Page(2, 2, 1, {a})).status();
  EXPECT_TRUE(HasStatus(st, StatusCode::kInvalid, "stake code ST1-1 appears on pages 1 and 2"));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, true));
  EXPECT_TRUE(all.empty());
}

TEST_P(StoreConformance, AbsentStationsAndStakesRetireAndComeBack) {
  VGI_OPEN(h);
  const Station s0 = SampleStation(0, 3);
  const Station s1 = SampleStation(1, 2);
  const Station s2 = SampleStation(2, 1);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({s0, s1, s2})).status());
  const SystemTime t1 = h.now();

  h.clock().Advance(24h);
  const SystemTime t2 = h.now();
  Station s0_fewer = s0;
  s0_fewer.stakes.pop_back();  // ST0-2 gone
  s0_fewer.name = "renamed";
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Snapshot({s0_fewer, s2})));
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.stations_applied, 2);
  EXPECT_EQ(r.stakes_applied, 3);
  EXPECT_EQ(r.stations_retired, 1);  // STA1
  EXPECT_EQ(r.stakes_retired, 3);    // ST0-2 and STA1's two

  VGI_ASSERT_OK_AND_ASSIGN(auto active, h.store().ListStations(kOp, false));
  EXPECT_EQ(Codes(active), (std::vector<std::string>{"STA0", "STA2"}));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, true));
  ASSERT_EQ(Codes(all), (std::vector<std::string>{"STA0", "STA1", "STA2"}));

  // STA0 keeps its retired stake after the current ones, and says which it is.
  StationRecord want0 = Expected(s0_fewer, t2);
  want0.station.stakes.push_back(s0.stakes.back());
  want0.retired_stake_codes = {"ST0-2"};
  EXPECT_EQ(all[0], want0);
  // STA1 is kept as last synced, retired with its stakes.
  StationRecord want1 = Expected(s1, t1);
  want1.retired = true;
  want1.retired_at = t2;
  want1.retired_stake_codes = {"ST1-0", "ST1-1"};
  EXPECT_EQ(all[1], want1);
  VGI_ASSERT_OK_AND_ASSIGN(auto one, h.store().GetStation(kOp, "STA1"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*one, want1);
  EXPECT_EQ(all[2], Expected(s2, t2));

  // A later snapshot without them again retires nothing new.
  h.clock().Advance(1h);
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Snapshot({s0_fewer, s2})));
  EXPECT_EQ(r.stations_retired, 0);
  EXPECT_EQ(r.stakes_retired, 0);
  VGI_ASSERT_OK_AND_ASSIGN(one, h.store().GetStation(kOp, "STA1"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->retired_at, t2);
  VGI_ASSERT_OK_AND_ASSIGN(one, h.store().GetStation(kOp, "STA0"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->station.stakes.size(), 3u);  // the retired stake is still kept

  // Everything back: un-retired, the models as now sent.
  h.clock().Advance(1h);
  const SystemTime t4 = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Snapshot({s0, s1, s2})));
  EXPECT_EQ(r.stations_retired, 0);
  EXPECT_EQ(r.stakes_retired, 0);
  VGI_ASSERT_OK_AND_ASSIGN(all, h.store().ListStations(kOp, false));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], Expected(s0, t4));
  EXPECT_EQ(all[1], Expected(s1, t4));
  EXPECT_EQ(all[2], Expected(s2, t4));
}

TEST_P(StoreConformance, AStakeMovedToAnotherStationIsNotRetired) {
  VGI_OPEN(h);
  Station a = SampleStation(1, 2);
  Station b = SampleStation(2, 0);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({a, b})).status());
  b.stakes.push_back(a.stakes.back());
  a.stakes.pop_back();
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Snapshot({a, b})));
  EXPECT_EQ(r.stakes_retired, 0);
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListStations(kOp, false));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], Expected(a, h.now()));
  EXPECT_EQ(all[1], Expected(b, h.now()));
}

TEST_P(StoreConformance, AnEmptySnapshotRetiresEverything) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({SampleStation(1, 2)})).status());
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(0, 1, 1, {})));
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.stations_applied, 0);
  EXPECT_EQ(r.stations_retired, 1);
  EXPECT_EQ(r.stakes_retired, 2);
  VGI_ASSERT_OK_AND_ASSIGN(auto active, h.store().ListStations(kOp, false));
  EXPECT_TRUE(active.empty());
}

TEST_P(StoreConformance, PageOutsideItsCountIsInvalid) {
  VGI_OPEN(h);
  EXPECT_TRUE(HasStatus(h.store().PutStationPage(kOp, Page(1, 2, 3, {SampleStation(1, 0)})).status(),
                        StatusCode::kInvalid, "pageNo: 3 is outside 1..2"));
  EXPECT_TRUE(HasStatus(h.store().PutStationPage(kOp, Page(1, 2, 0, {SampleStation(1, 0)})).status(),
                        StatusCode::kInvalid, "pageNo: 0 is outside 1..2"));
}

TEST_P(StoreConformance, SyncsOfDifferentOperatorsAreIndependent) {
  VGI_OPEN(h);
  Station other = SampleStation(1, 1);
  other.operator_id = "987654321";
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Page(2, 2, 1, {SampleStation(1, 1)})).status());
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage("987654321", Snapshot({other})));
  EXPECT_TRUE(r.applied);
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().PutStationPage(kOp, Page(2, 2, 2, {SampleStation(2, 1)})));
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.stations_retired, 0);
  VGI_ASSERT_OK_AND_ASSIGN(auto mine, h.store().ListStations(kOp, true));
  EXPECT_EQ(Codes(mine), (std::vector<std::string>{"STA1", "STA2"}));
  VGI_ASSERT_OK_AND_ASSIGN(auto theirs, h.store().GetStation("987654321", "STA1"));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(theirs->operator_id, "987654321");
  EXPECT_EQ(theirs->station, other);
}

// ---- restart ----------------------------------------------------------------------------------

TEST_P(StoreConformance, ReopenKeepsEverything) {
  if (!GetParam().reopen) GTEST_SKIP() << GetParam().name << " keeps nothing across instances";
  VGI_OPEN(h);
  const PeerRow peer = Peer("AAAAAAAAA", "Operator A", h.now());
  VGI_ASSERT_OK(h.store().PutPeer(peer));
  const Station s0 = SampleStation(0, 2);
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({s0, SampleStation(1, 1)})).status());
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Snapshot({s0})).status());  // STA1 retired
  VGI_ASSERT_OK(h.store().PutStationPage(kOp, Page(2, 2, 1, {s0})).status());  // open sync
  VGI_ASSERT_OK_AND_ASSIGN(const auto stations, h.store().ListStations(kOp, true));
  InstructionRow row{kOp, vgi::testing::SampleInstruction(), h.now()};
  VGI_ASSERT_OK(h.store().PutInstruction(row));
  WriteBatch b;
  b.request_keys = {RequestKey{kOp, "20240409100000", "0001", h.now() + 5min}};
  b.power = {PowerUpdate{kOp, vgi::testing::SampleStationPower(0, 90)}};
  b.feedback = {Check("R1", h.now()), Overview("R1", proto::Feedback::kAccept, h.now())};
  VGI_ASSERT_OK(h.store().Commit(b));
  VGI_ASSERT_OK_AND_ASSIGN(const auto day, h.store().GetStationDay(kOp, "STA0", Day("2024-04-09")));
  ASSERT_TRUE(day.has_value());

  VGI_ASSERT_OK(h.Reopen());
  VGI_ASSERT_OK_AND_ASSIGN(auto peer2, h.store().GetPeer("AAAAAAAAA"));
  EXPECT_EQ(peer2, peer);
  VGI_ASSERT_OK_AND_ASSIGN(auto stations2, h.store().ListStations(kOp, true));
  EXPECT_EQ(stations2, stations);
  VGI_ASSERT_OK_AND_ASSIGN(auto row2, h.store().GetInstruction(kOp, row.instruction.regulation_id));
  EXPECT_EQ(row2, row);
  VGI_ASSERT_OK_AND_ASSIGN(auto keys, h.store().LoadRequestKeys());
  EXPECT_EQ(keys, b.request_keys);
  VGI_ASSERT_OK_AND_ASSIGN(auto day2, h.store().GetStationDay(kOp, "STA0", Day("2024-04-09")));
  EXPECT_EQ(day2, day);
  VGI_ASSERT_OK_AND_ASSIGN(auto fb, h.store().ListFeedback(kOp, "R1"));
  EXPECT_EQ(fb, b.feedback);
  // The open sync survived too: its second page completes it.
  VGI_ASSERT_OK_AND_ASSIGN(PageReceipt r, h.store().PutStationPage(kOp, Page(2, 2, 2, {SampleStation(2, 0)})));
  EXPECT_TRUE(r.applied);
  EXPECT_EQ(r.pages_received, 2);
}

TEST_P(StoreConformance, SchemaVersionIsTheLatestMigration) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(const int version, h.store().SchemaVersion());
  const std::string_view backend = h.store().backend();
  if (backend == "memory") {
    EXPECT_EQ(version, 0);
  } else {
    const auto migrations = backend == "sqlite" ? SqliteMigrations() : PostgresMigrations();
    ASSERT_FALSE(migrations.empty());
    EXPECT_EQ(version, migrations.back().version);
  }
}

}  // namespace
}  // namespace vgi::store
