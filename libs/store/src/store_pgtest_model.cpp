// PostgreSQL-only model-sync tests (the conformance suite covers the behaviour on every
// backend): a sync open while the store upgrades to schema version 9 keeps its staged pages.
#include <gtest/gtest.h>

#include "migrations.hpp"
#include "record_codec.hpp"
#include "store_pgtest_util.hpp"

namespace vgi::store {
namespace {

using namespace pgtest;  // NOLINT

// Stages `page` as versions 1..8 did: a row per station and per stake.
Status StageTheOldWay(pg::Connection& c, const Sealer& sealer, const proto::StationInfoPage& page, SystemTime now) {
  const std::string op = testing::kSampleOperatorId;
  VGI_RETURN_IF_ERROR(c.Exec("INSERT INTO station_syncs (operator_id, total_count, page_count, started_at) "
                             "VALUES ($1, $2, $3, $4)",
                             pg::Params().Text(op).Int64(page.total_count).Int64(page.page_count).Time(now))
                          .status());
  VGI_RETURN_IF_ERROR(c.Exec("INSERT INTO station_sync_pages (operator_id, page_no, received_at) VALUES ($1, $2, $3)",
                             pg::Params().Text(op).Int64(page.page_no).Time(now))
                          .status());
  int station_position = 0;
  int stake_position = 0;
  for (const proto::Station& st : page.stations) {
    VGI_RETURN_IF_ERROR(c.Exec("INSERT INTO station_sync_stations (operator_id, page_no, position, station_code, "
                               "area_code, type, equipment_type, state, is_public, sealed) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                               pg::Params()
                                   .Text(op)
                                   .Int64(page.page_no)
                                   .Int32(++station_position)
                                   .Text(st.code)
                                   .Text(st.area_code)
                                   .Int16(static_cast<std::int16_t>(st.type))
                                   .Int16(static_cast<std::int16_t>(st.equipment_type))
                                   .Int16(static_cast<std::int16_t>(st.state))
                                   .Bool(st.is_public)
                                   .Bytes(record::SealStation(sealer, op, st)))
                            .status());
    for (const proto::Stake& k : st.stakes) {
      VGI_RETURN_IF_ERROR(c.Exec("INSERT INTO station_sync_stakes (operator_id, page_no, position, stake_code, "
                                 "station_code, type, operating_state, is_public, is_adjust, rated_power, top_power, "
                                 "bottom_power) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                                 pg::Params()
                                     .Text(op)
                                     .Int64(page.page_no)
                                     .Int32(++stake_position)
                                     .Text(k.code)
                                     .Text(st.code)
                                     .Int16(static_cast<std::int16_t>(k.type))
                                     .Int16(static_cast<std::int16_t>(k.operating_state))
                                     .Bool(k.is_public)
                                     .Bool(k.is_adjust)
                                     .Int64(k.rated_power.units())
                                     .Int64(k.top_power.units())
                                     .Int64(k.bottom_power.units()))
                              .status());
    }
  }
  return Status::Ok();
}

TEST_F(PostgresStoreTest, ASyncOpenDuringTheUpgradeToVersion9KeepsItsStagedPage) {
  auto url = Schemas::Get().Create();
  ASSERT_TRUE(url.ok()) << url.status();
  // Schema version 8, as the previous release left it, with page 1 of 2 staged.
  proto::StationInfoPage whole = testing::SampleStationInfoPage(4, 3);
  proto::StationInfoPage first = whole;
  first.page_no = 1;
  first.page_count = 2;
  first.total_count = 4;
  first.stations.resize(2);
  proto::StationInfoPage second = first;
  second.page_no = 2;
  second.stations.assign(whole.stations.begin() + 2, whole.stations.end());
  {
    auto pool = pg::Pool::Open(*url, 1);
    ASSERT_TRUE(pool.ok()) << pool.status();
    auto c = (*pool)->Acquire();
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_TRUE((*c)->Run("CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, "
                          "applied_at timestamptz NOT NULL DEFAULT now())")
                    .ok());
    for (const Migration& m : PostgresMigrations()) {
      if (m.version > 8) break;
      ASSERT_TRUE((*c)->Run(m.sql).ok()) << m.name;
      ASSERT_TRUE((*c)->Exec("INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                             pg::Params().Int32(m.version).Text(m.name))
                      .ok());
    }
    Status staged = StageTheOldWay(**c, *sealer_, first, clock_.Now());
    ASSERT_TRUE(staged.ok()) << staged;
  }

  auto store = OpenPostgresStore(*url, options_);
  ASSERT_TRUE(store.ok()) << store.status();
  auto version = (*store)->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, PostgresMigrations().back().version);

  auto receipt = (*store)->PutStationPage(testing::kSampleOperatorId, second);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->pages_received, 2);
  EXPECT_TRUE(receipt->applied);
  EXPECT_EQ(receipt->stations_applied, 4);
  EXPECT_EQ(receipt->stakes_applied, 12);

  auto listed = (*store)->ListStations(testing::kSampleOperatorId, false);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*listed)[i].station, whole.stations[i]) << "station " << i;  // page 1's came through sealed
  }
  auto stakes = Schemas::Get().Admin("SELECT count(*), count(DISTINCT station_code) FROM " +
                                     url->substr(url->find("search_path%3D") + 14,
                                                 url->find('&') - url->find("search_path%3D") - 14) +
                                     ".stakes WHERE NOT retired");
  ASSERT_TRUE(stakes.ok()) << stakes.status();
  EXPECT_EQ(*stakes->Int64(0, 0), 12);
  EXPECT_EQ(*stakes->Int64(0, 1), 4);
}

}  // namespace
}  // namespace vgi::store
