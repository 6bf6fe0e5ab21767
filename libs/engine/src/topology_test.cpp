#include "vgi/engine/topology.hpp"

#include <gtest/gtest.h>

#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::engine {
namespace {

std::string Message(std::string_view text) {
  auto r = ParseTopologyCsv(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(TopologyCsv, ReadsColumnsInAnyOrderSkippingCommentsBlankLinesAndBom) {
  const std::string text =
      "\xEF\xBB\xBF# exported from the PMS 2026-12-05\r\n"
      "station_code, operator_id ,transformer_area_id,market_id\r\n"
      "\n"
      "S1,123456789,T-0001,HN\r\n"
      "\"S,2\",123456789,,HN\n"
      "S9,MA0000002,T-0002,\n";
  auto r = ParseTopologyCsv(text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], (store::TopologyEntry{"123456789", "S1", "HN", "T-0001"}));
  EXPECT_EQ((*r)[1], (store::TopologyEntry{"123456789", "S,2", "HN", ""}));
  EXPECT_EQ((*r)[2], (store::TopologyEntry{"MA0000002", "S9", "", "T-0002"}));
}

TEST(TopologyCsv, FormatReadsBackTheSameEntries) {
  const std::vector<store::TopologyEntry> entries = {{"123456789", "S1", "HN", "T-0001"},
                                                     {"123456789", "S\"q\",x", "", "T-0001"},
                                                     {"MA0000002", "-S3", "HN", ""}};
  const std::string text = FormatTopologyCsv(entries);
  EXPECT_TRUE(text.starts_with("operator_id,station_code,market_id,transformer_area_id\n"));
  auto back = ParseTopologyCsv(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, entries);
}

TEST(TopologyCsv, NamesTheLineAndTheRule) {
  EXPECT_EQ(Message(""), "the file has no header line (operator_id,station_code,market_id,transformer_area_id)");
  EXPECT_EQ(Message("operator_id,station_code,market_id\n"),
            "line 1: the header lacks column transformer_area_id (it needs operator_id, station_code, market_id, "
            "transformer_area_id)");
  EXPECT_EQ(Message("operator_id,station_code,market_id,transformer_area_id,name\n"),
            "line 1: the header names an unknown column \"name\" (columns: operator_id, station_code, market_id, "
            "transformer_area_id)");
  EXPECT_EQ(Message("operator_id,operator_id,station_code,market_id,transformer_area_id\n"),
            "line 1: the header names operator_id twice");
  const std::string head = "operator_id,station_code,market_id,transformer_area_id\n";
  EXPECT_EQ(Message(head + "123456789,S1,HN\n"), "line 2: 3 fields where the header has 4");
  EXPECT_EQ(Message(head + "# c\n123456789,S1,M 1,T1\n"),
            "line 3: market_id: \"M 1\" is not 1..64 characters of [0-9A-Za-z_.-]");
  EXPECT_EQ(Message(head + "12345678,S1,HN,T1\n"), "line 2: operator_id: \"12345678\" is not 9 characters of [0-9A-Z]");
  EXPECT_EQ(Message(head + "123456789,S1,,\n"),
            "line 2: market_id, transformer_area_id: both empty (a row must place the station in a market, a "
            "transformer area or both)");
  EXPECT_EQ(Message(head + "123456789,S1,HN,T1\n123456789,S2,HN,T1\n\n123456789,S1,HN,T2\n"),
            "line 5: station 123456789/S1 repeats line 2");
  EXPECT_EQ(Message(head + "123456789,\"S1,HN,T1\n"), "line 2: field 2: the quote opened here is not closed on this line");
}

TEST(TopologyCsv, SummaryCountsStationsAndOperatorsPerGroup) {
  const std::vector<store::TopologyEntry> entries = {{"123456789", "S1", "HN", "T1"},
                                                     {"123456789", "S2", "HN", "T1"},
                                                     {"MA0000002", "S1", "HN", "T2"},
                                                     {"MA0000002", "S2", "", "T2"}};
  const TopologySummary s = SummarizeTopology(entries);
  EXPECT_EQ(s.markets, (std::vector<TopologyGroup>{{"HN", 3, 2}}));
  EXPECT_EQ(s.transformer_areas, (std::vector<TopologyGroup>{{"T1", 2, 1}, {"T2", 2, 1}}));
}

TEST(TopologyCsv, ModelCheckNamesOperatorsThatAreNoPeersAndStationsNotInTheModels) {
  testing::FakeClock clock(testing::BeijingTime(2026, 12, 4, 9, 0));
  auto sealer = store::Sealer::Create(std::string(store::kMasterKeyBytes, 'k'));
  ASSERT_TRUE(sealer.ok());
  auto store = store::NewMemoryStore({&clock, &*sealer, std::chrono::seconds(3600), {}, {}});
  store::PeerRow peer;
  peer.operator_id = "OPA000001";
  peer.name = "A";
  ASSERT_TRUE(store->PutPeer(peer).ok());
  proto::StationInfoPage page = testing::SampleStationInfoPage(1, 2);
  page.stations[0].operator_id = "OPA000001";
  page.stations[0].code = "S1";
  ASSERT_TRUE(store->PutStationPage("OPA000001", page).ok());
  const std::vector<store::TopologyEntry> entries = {{"OPA000001", "S1", "M1", ""},
                                                     {"OPA000001", "S2", "M1", ""},
                                                     {"OPZ000009", "S1", "M1", ""}};
  auto check = CheckTopologyAgainstModels(*store, entries);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->unknown_operators, std::vector<std::string>{"OPZ000009"});
  EXPECT_EQ(check->unmodelled, 2);
  EXPECT_EQ(check->first_unmodelled, "OPA000001/S2");
}

}  // namespace
}  // namespace vgi::engine
