// The store conformance suite, continued (see store_conformance.cpp): the grid topology
// (ReplaceTopology, GetTopologyInfo, ListTopology).
#include <algorithm>
#include <tuple>

#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT

TopologyEntry Entry(std::string op, std::string station, std::string market, std::string area) {
  return TopologyEntry{std::move(op), std::move(station), std::move(market), std::move(area)};
}

// prefix + n (not `"M" + std::to_string(n)`: GCC 12 warns -Wrestrict on it).
std::string Id(std::string_view prefix, int n) {
  std::string out(prefix);
  out += std::to_string(n);
  return out;
}

// Times are stored to the microsecond (floored), as every other time column.
SystemTime Micros(SystemTime t) {
  return std::chrono::floor<std::chrono::microseconds>(t);
}

TopologyFilter Filter(std::string op, TopologyKind kind = TopologyKind::kMarket, std::vector<std::string> ids = {}) {
  return TopologyFilter{std::move(op), kind, std::move(ids)};
}

std::vector<std::string> Stations(const std::vector<TopologyEntry>& entries) {
  std::vector<std::string> out;
  for (const TopologyEntry& e : entries) out.push_back(e.operator_id + "/" + e.station_code);
  return out;
}

// Two operators, given out of key order; S4 has no market, S3 no transformer area.
std::vector<TopologyEntry> SampleTopology() {
  return {
      Entry(kOp2, "B1", "M2", "TA-9"),  //
      Entry(kOp, "S2", "M1", "TA-2"),   //
      Entry(kOp, "S1", "M1", "TA-1"),   //
      Entry(kOp, "S4", "", "TA-1"),     //
      Entry(kOp, "S3", "M2", ""),       //
  };
}

TEST_P(StoreConformance, TopologyIsEmptyBeforeTheFirstImport) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo info, h.store().GetTopologyInfo());
  EXPECT_EQ(info, TopologyInfo{});
  EXPECT_EQ(info.version, 0);
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListTopology(Filter("")));
  EXPECT_TRUE(all.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto by_market, h.store().ListTopology(Filter(kOp, TopologyKind::kMarket, {"M1"})));
  EXPECT_TRUE(by_market.empty());
}

TEST_P(StoreConformance, TopologyImportIsStoredWithItsInfoAndListedInKeyOrder) {
  VGI_OPEN(h);
  h.clock().Advance(123'456'789ns);  // sub-microsecond digits: stored floored to the microsecond
  const TopologyInfo want{1, Micros(h.now()), "grid-2024-04.csv by alice", 5};
  ASSERT_NE(want.imported_at, h.now());
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo replaced,
                           h.store().ReplaceTopology(SampleTopology(), "grid-2024-04.csv by alice"));
  EXPECT_EQ(replaced, want);
  h.clock().Advance(1h);  // the info keeps the import's time
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo info, h.store().GetTopologyInfo());
  EXPECT_EQ(info, want);

  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListTopology(Filter("")));
  const std::vector<TopologyEntry> ordered = {
      Entry(kOp, "S1", "M1", "TA-1"), Entry(kOp, "S2", "M1", "TA-2"),  Entry(kOp, "S3", "M2", ""),
      Entry(kOp, "S4", "", "TA-1"),   Entry(kOp2, "B1", "M2", "TA-9"),
  };
  EXPECT_EQ(all, ordered);  // operator_id, then station_code; empty IDs read back empty
}

TEST_P(StoreConformance, TopologyListsByOperatorMarketAndTransformerArea) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().ReplaceTopology(SampleTopology(), "t").status());
  using V = std::vector<std::string>;
  auto list = [&](const TopologyFilter& f) -> V {
    auto r = h.store().ListTopology(f);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? Stations(*r) : V{"error"};
  };
  const std::string a = std::string(kOp) + "/";
  const std::string b = std::string(kOp2) + "/";
  EXPECT_EQ(list(Filter(kOp)), (V{a + "S1", a + "S2", a + "S3", a + "S4"}));
  EXPECT_EQ(list(Filter(kOp2)), (V{b + "B1"}));
  EXPECT_EQ(list(Filter("000000000")), V{});
  // Without IDs the kind is ignored.
  EXPECT_EQ(list(Filter(kOp2, TopologyKind::kTransformerArea)), (V{b + "B1"}));

  // Markets across operators; S4 (no market) never matches a market filter.
  EXPECT_EQ(list(Filter("", TopologyKind::kMarket, {"M2"})), (V{a + "S3", b + "B1"}));
  EXPECT_EQ(list(Filter("", TopologyKind::kMarket, {"M1", "M2"})), (V{a + "S1", a + "S2", a + "S3", b + "B1"}));
  EXPECT_EQ(list(Filter(kOp, TopologyKind::kMarket, {"M2", "M1", "M2"})), (V{a + "S1", a + "S2", a + "S3"}));
  EXPECT_EQ(list(Filter("", TopologyKind::kMarket, {""})), V{});
  EXPECT_EQ(list(Filter("", TopologyKind::kMarket, {"TA-1"})), V{});  // an area's ID is no market's

  // Transformer areas; S3 (no area) never matches.
  EXPECT_EQ(list(Filter("", TopologyKind::kTransformerArea, {"TA-1"})), (V{a + "S1", a + "S4"}));
  EXPECT_EQ(list(Filter(kOp, TopologyKind::kTransformerArea, {"TA-9", "TA-2"})), (V{a + "S2"}));
  EXPECT_EQ(list(Filter("", TopologyKind::kTransformerArea, {"TA-9", "TA-2"})), (V{a + "S2", b + "B1"}));
  EXPECT_EQ(list(Filter("", TopologyKind::kTransformerArea, {"", "M1"})), V{});

  // IDs that match nothing, and IDs of another operator's stations.
  EXPECT_EQ(list(Filter("", TopologyKind::kMarket, {"M404"})), V{});
  EXPECT_EQ(list(Filter(kOp2, TopologyKind::kMarket, {"M1"})), V{});

  // Entries come back whole.
  VGI_ASSERT_OK_AND_ASSIGN(auto s4, h.store().ListTopology(Filter(kOp, TopologyKind::kTransformerArea, {"TA-1"})));
  EXPECT_EQ(s4, (std::vector<TopologyEntry>{Entry(kOp, "S1", "M1", "TA-1"), Entry(kOp, "S4", "", "TA-1")}));
}

TEST_P(StoreConformance, TopologyManyFilterIdsMatchAsFew) {
  VGI_OPEN(h);
  std::vector<TopologyEntry> entries;
  std::vector<std::string> ids;
  for (int i = 0; i < 1500; ++i) {
    const std::string n = std::to_string(i);
    entries.push_back(Entry(i % 2 == 0 ? kOp : kOp2, "S" + n, "M" + n, Id("TA-", i % 7)));
    if (i % 3 == 0) ids.push_back("M" + n);
  }
  ids.push_back("M-none");
  VGI_ASSERT_OK(h.store().ReplaceTopology(entries, "many").status());
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().ListTopology(Filter("", TopologyKind::kMarket, ids)));
  std::vector<TopologyEntry> want;
  for (const TopologyEntry& e : entries) {
    if (std::stoi(e.station_code.substr(1)) % 3 == 0) want.push_back(e);
  }
  std::sort(want.begin(), want.end(), [](const TopologyEntry& x, const TopologyEntry& y) {
    return std::tie(x.operator_id, x.station_code) < std::tie(y.operator_id, y.station_code);
  });
  ASSERT_EQ(got.size(), 500u);
  EXPECT_EQ(got, want);
}

TEST_P(StoreConformance, TopologyReplaceReplacesEverythingAndAnEmptyImportClears) {
  VGI_OPEN(h);
  VGI_ASSERT_OK(h.store().ReplaceTopology(SampleTopology(), "first").status());
  h.clock().Advance(1min);
  const std::vector<TopologyEntry> second = {Entry(kOp, "S9", "M7", "TA-7"), Entry(kOp, "S1", "M3", "")};
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo v2, h.store().ReplaceTopology(second, "second"));
  EXPECT_EQ(v2, (TopologyInfo{2, Micros(h.now()), "second", 2}));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListTopology(Filter("")));
  EXPECT_EQ(all, (std::vector<TopologyEntry>{Entry(kOp, "S1", "M3", ""), Entry(kOp, "S9", "M7", "TA-7")}));
  VGI_ASSERT_OK_AND_ASSIGN(auto old_market, h.store().ListTopology(Filter("", TopologyKind::kMarket, {"M1", "M2"})));
  EXPECT_TRUE(old_market.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto old_area, h.store().ListTopology(Filter("", TopologyKind::kTransformerArea, {"TA-1"})));
  EXPECT_TRUE(old_area.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto other, h.store().ListTopology(Filter(kOp2)));
  EXPECT_TRUE(other.empty());

  h.clock().Advance(1min);
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo v3, h.store().ReplaceTopology({}, "cleared"));
  EXPECT_EQ(v3, (TopologyInfo{3, Micros(h.now()), "cleared", 0}));
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo info, h.store().GetTopologyInfo());
  EXPECT_EQ(info, v3);
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ListTopology(Filter("")));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformance, AnInvalidTopologyIsRefusedNamingTheEntryAndChangesNothing) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo before, h.store().ReplaceTopology(SampleTopology(), "good"));
  h.clock().Advance(1min);
  const TopologyEntry ok = Entry(kOp, "S1", "M1", "TA-1");
  struct Case {
    std::vector<TopologyEntry> entries;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{ok, Entry("12345678", "S2", "M1", "")},
       R"(topology[1]: operator_id: "12345678" is not 9 characters of [0-9A-Z])"},
      {{Entry("12345678a", "S2", "M1", "")},
       R"(topology[0]: operator_id: "12345678a" is not 9 characters of [0-9A-Z])"},
      {{ok, ok, Entry(kOp, "", "M1", "")}, R"(topology[1]: station 123456789/S1 repeats topology[0])"},
      {{ok, Entry(kOp, "", "M1", "")},
       R"(topology[1]: station_code: "" is not 1..64 characters without control characters)"},
      {{ok, Entry(kOp, "S\n2", "M1", "")},
       "topology[1]: station_code: \"S\n2\" is not 1..64 characters without control characters"},
      {{Entry(kOp, "S2", "M 1", "TA-1")}, R"(topology[0]: market_id: "M 1" is not 1..64 characters of [0-9A-Za-z_.-])"},
      {{ok, ok, ok},  // the first repeat is named
       R"(topology[1]: station 123456789/S1 repeats topology[0])"},
      {{ok, Entry(kOp, "S2", "", "TA/1")},
       R"(topology[1]: transformer_area_id: "TA/1" is not 1..64 characters of [0-9A-Za-z_.-])"},
      {{ok, Entry(kOp, "S2", std::string(65, 'M'), "")},
       std::string("topology[1]: market_id: \"")
           .append(65, 'M')
           .append("\" is not 1..64 characters of [0-9A-Za-z_.-]")},
      {{ok, Entry(kOp, "S2", "", "")},
       "topology[1]: market_id, transformer_area_id: both empty (a row must place the station in a market, a "
       "transformer area or both)"},
      {{ok, Entry(kOp2, "S1", "M1", ""), Entry(kOp, "S2", "M1", ""), Entry(kOp, "S1", "M9", "")},
       R"(topology[3]: station 123456789/S1 repeats topology[0])"},
  };
  for (const Case& c : cases) {
    const auto r = h.store().ReplaceTopology(c.entries, "bad");
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalid) << r.status();
    EXPECT_EQ(r.status().message(), c.message);
  }
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo after, h.store().GetTopologyInfo());
  EXPECT_EQ(after, before);
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListTopology(Filter("")));
  EXPECT_EQ(all.size(), 5u);
  EXPECT_EQ(Stations(all).front(), std::string(kOp) + "/S1");
  EXPECT_EQ(all.front(), ok);
}

TEST_P(StoreConformance, TopologySurvivesReopen) {
  if (!GetParam().reopen) GTEST_SKIP() << "the backend keeps nothing across instances";
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo stored, h.store().ReplaceTopology(SampleTopology(), "kept"));
  VGI_ASSERT_OK(h.Reopen());
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo info, h.store().GetTopologyInfo());
  EXPECT_EQ(info, stored);
  EXPECT_EQ(info.version, 1);
  VGI_ASSERT_OK_AND_ASSIGN(auto by_area, h.store().ListTopology(Filter("", TopologyKind::kTransformerArea, {"TA-1"})));
  EXPECT_EQ(by_area, (std::vector<TopologyEntry>{Entry(kOp, "S1", "M1", "TA-1"), Entry(kOp, "S4", "", "TA-1")}));
  // The version goes on from the stored one.
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo next, h.store().ReplaceTopology({}, "after reopen"));
  EXPECT_EQ(next.version, 2);
}

TEST_P(StoreConformance, ALargeTopologyRoundTripsExactly) {
  VGI_OPEN(h);
  constexpr int kStations = 20'000;
  std::vector<TopologyEntry> entries;
  entries.reserve(kStations);
  for (int i = kStations - 1; i >= 0; --i) {  // reverse order: the store orders them
    const std::string n = std::to_string(i);
    TopologyEntry e = Entry(i % 3 == 0 ? kOp2 : kOp, "STATION-" + n, Id("M", i % 50), Id("TA.", i % 400));
    if (i % 11 == 0) e.market_id.clear();
    if (i % 13 == 0 && i % 11 != 0) e.transformer_area_id.clear();
    entries.push_back(std::move(e));
  }
  VGI_ASSERT_OK_AND_ASSIGN(const TopologyInfo info, h.store().ReplaceTopology(entries, "large"));
  EXPECT_EQ(info.stations, kStations);
  std::vector<TopologyEntry> want = entries;
  std::sort(want.begin(), want.end(), [](const TopologyEntry& x, const TopologyEntry& y) {
    return std::tie(x.operator_id, x.station_code) < std::tie(y.operator_id, y.station_code);
  });
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListTopology(Filter("")));
  ASSERT_EQ(all.size(), want.size());
  EXPECT_TRUE(all == want);  // not EXPECT_EQ: a mismatch would print 20 000 entries
  // One market of one operator, as the engine scopes a rangeType 1 demand.
  VGI_ASSERT_OK_AND_ASSIGN(auto m7, h.store().ListTopology(Filter(kOp, TopologyKind::kMarket, {"M7"})));
  std::vector<TopologyEntry> want_m7;
  for (const TopologyEntry& e : want) {
    if (e.operator_id == kOp && e.market_id == "M7") want_m7.push_back(e);
  }
  EXPECT_FALSE(want_m7.empty());
  EXPECT_EQ(m7, want_m7);
}

}  // namespace
}  // namespace vgi::store
