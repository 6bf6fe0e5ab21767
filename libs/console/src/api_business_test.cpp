// The business read routes (api_business.cpp) called directly over a memory store: overview
// totals hand-computed from the power written, the day's curve, operators' data quality over the
// last 24 h, station search and paging with masking by role, a station with retired stakes and
// its 1440-minute curve.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>

#include "api_internal.hpp"
#include "api_test_fixture.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::console::api {
namespace {

using proto::Kilowatts;
using testing::BeijingTime;
using ::testing::HasSubstr;

constexpr const char* kA = "OPA000001";
constexpr const char* kB = "OPB000002";
constexpr const char* kC = "OPC000003";  // disabled
constexpr const char* kD = "OPD000004";  // no stations

proto::BeijingMinute At(int day, int hour, int minute) {
  return proto::ToBeijingMinute(BeijingTime(2026, 12, day, hour, minute));
}

class ApiBusinessTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build();

    Peer(kA, "Alpha", true);
    Peer(kB, "Beta", true);
    Peer(kC, "Gamma", false);
    Peer(kD, "Delta", true);
    Stations(kA, "STA", {"120101", "110105", "120101"}, 2);
    Stations(kB, "STB", {"120102"}, 3);
    Stations(kB, "STB", {"120102"}, 2);  // a later sync without stake ST0-2: retired
    Stations(kC, "STC", {"120101"}, 1);

    // A: STA0 100 kW 15:00-15:59 (bounds 20..200), STA1 50 kW 15:30-15:39 (stale at 16:00), STA2 none.
    Power(kA, "STA0", At(4, 15, 0), At(4, 16, 0), 100, 200, 20);
    Power(kA, "STA1", At(4, 15, 30), At(4, 15, 40), 50, 200, 20);
    // B: 80 kW (bounds 0..100) from yesterday 15:59 to today 15:58, and now (16:00); 15:59 missing.
    Power(kB, "STB0", At(3, 15, 59), At(4, 15, 59), 80, 100, 0);
    Power(kB, "STB0", At(4, 16, 0), At(4, 16, 1), 80, 100, 0);
    // C is disabled: its fresh 1000 kW counts nowhere in the overview.
    Power(kC, "STC0", At(4, 15, 50), At(4, 16, 0), 1000, 2000, 0);
  }

  void Peer(const std::string& op, const std::string& name, bool enabled) {
    store::PeerRow p;
    p.operator_id = op;
    p.name = name;
    p.base_url = "https://127.0.0.1:1/evcs/v1";
    p.enabled = enabled;
    ASSERT_TRUE(store_->PutPeer(p).ok());
  }

  void Stations(const std::string& op, const std::string& prefix, const std::vector<std::string>& areas, int stakes) {
    proto::StationInfoPage page = testing::SampleStationInfoPage(static_cast<int>(areas.size()), stakes);
    for (std::size_t i = 0; i < areas.size(); ++i) {
      page.stations[i].operator_id = op;
      page.stations[i].code = prefix + std::to_string(i);
      page.stations[i].area_code = areas[i];
    }
    auto r = store_->PutStationPage(op, page);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->applied);
  }

  // Minutes [from, to) at `kw`.
  void Power(const std::string& op, const std::string& code, proto::BeijingMinute from, proto::BeijingMinute to,
             std::int64_t kw, std::int64_t top, std::int64_t bottom) {
    proto::StationPower p;
    p.station_code = code;
    p.credit_code = testing::kSampleCreditCode;
    p.adjust_top_power = Kilowatts::FromInt(top);
    p.adjust_bottom_power = Kilowatts::FromInt(bottom);
    for (auto m = from; m < to; m = proto::BeijingMinute{m.minutes + 1})
      p.points.push_back({m, Kilowatts::FromInt(kw)});
    store::WriteBatch b;
    b.power.push_back({op, p});
    ASSERT_TRUE(store_->Commit(b).ok());
  }

  ApiResponse Run(Handler h, RoleSet roles, std::vector<std::string> params, std::string query) {
    return Invoke(h, roles, std::move(params), query);
  }
  ApiResponse Dispatcher(Handler h, std::string query = "", std::vector<std::string> params = {}) {
    return Run(h, ToSet({Role::kDispatcher}), std::move(params), std::move(query));
  }
  ApiResponse Viewer(Handler h, std::string query = "", std::vector<std::string> params = {}) {
    return Run(h, ToSet({Role::kViewer}), std::move(params), std::move(query));
  }

  static bool Bool(simdjson::dom::element e) {
    bool b = false;
    EXPECT_EQ(e.get(b), simdjson::SUCCESS);
    return b;
  }
  void ExpectError(const ApiResponse& r, int status, const std::string& field, const std::string& part) {
    EXPECT_EQ(r.status, status) << r.body;
    auto e = Json(r);
    EXPECT_THAT(Str(e["error"]), HasSubstr(part));
    if (field.empty()) {
      EXPECT_EQ(e["field"].error(), simdjson::NO_SUCH_FIELD);
    } else {
      EXPECT_EQ(Str(e["field"]), field);
    }
  }
};

void ExpectTotals(simdjson::dom::element t, const std::string& key, std::int64_t stations, double load, double top,
                  double bottom, double down, double up) {
  std::string_view k;
  ASSERT_EQ(t["key"].get(k), simdjson::SUCCESS);
  EXPECT_EQ(k, key);
  std::int64_t n = -1;
  ASSERT_EQ(t["stations"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, stations) << key;
  double v = -1;
  EXPECT_EQ(t["load_kw"].get(v), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(v, load) << key;
  EXPECT_EQ(t["top_kw"].get(v), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(v, top) << key;
  EXPECT_EQ(t["bottom_kw"].get(v), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(v, bottom) << key;
  EXPECT_EQ(t["down_kw"].get(v), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(v, down) << key;
  EXPECT_EQ(t["up_kw"].get(v), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(v, up) << key;
}

TEST_F(ApiBusinessTest, OverviewSumsFreshReadingsOfEnabledOperatorsAndCountsWhatIsActive) {
  // One draft demand; instructions: one sent (live), one settled (not); alarms: one open, one acknowledged.
  engine::DemandSpec spec;
  spec.task_id = "T1";
  spec.windows = {{Kilowatts::FromInt(50), At(4, 18, 0), At(4, 18, 59)}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  store::EngineWrite w;
  w.regulations.push_back({kA, "T0-001", "T0", static_cast<int>(engine::RegulationState::kSent), "{}", {}, {}});
  w.regulations.push_back({kB, "T0-002", "T0", static_cast<int>(engine::RegulationState::kSettled), "{}", {}, {}});
  ASSERT_TRUE(store_->ApplyEngineWrite(w).ok());
  store::AlarmRow a;
  a.type = "t.one";
  a.object = "x";
  a.title = "one";
  auto first = store_->RaiseAlarm(a);
  ASSERT_TRUE(first.ok());
  a.type = "t.two";
  auto second = store_->RaiseAlarm(a);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(store_->SetAlarmState(second->id, store::AlarmState::kAcknowledged).ok());

  auto r = Viewer(GetOverview);
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = Json(r);
  EXPECT_EQ(Str(o["at"]), "2026-12-04 16:00");
  // Fresh at 16:00: A/STA0 (100 kW, 20..200) and B/STB0 (80 kW, 0..100); A/STA1 is 21 min old.
  ExpectTotals(o["total"], "", 2, 180, 300, 20, 160, 120);
  simdjson::dom::array ops;
  ASSERT_EQ(o["by_operator"].get(ops), simdjson::SUCCESS);
  ASSERT_EQ(ops.size(), 3u);  // A, B, D (enabled); C disabled
  ExpectTotals(ops.at(0).value(), kA, 1, 100, 200, 20, 80, 100);
  EXPECT_EQ(Str(ops.at(0)["name"]), "Alpha");
  ExpectTotals(ops.at(1).value(), kB, 1, 80, 100, 0, 80, 20);
  EXPECT_EQ(Str(ops.at(1)["name"]), "Beta");
  ExpectTotals(ops.at(2).value(), kD, 0, 0, 0, 0, 0, 0);
  EXPECT_EQ(Str(ops.at(2)["name"]), "Delta");
  simdjson::dom::array areas;
  ASSERT_EQ(o["by_area"].get(areas), simdjson::SUCCESS);  // default 2 digits
  ASSERT_EQ(areas.size(), 1u);
  ExpectTotals(areas.at(0).value(), "12", 2, 180, 300, 20, 160, 120);
  EXPECT_EQ(Int(o["demands_active"]), 1);
  EXPECT_EQ(Int(o["instructions_active"]), 1);
  EXPECT_EQ(Int(o["alarms_open"]), 1);

  auto by6 = Viewer(GetOverview, "area_digits=6");
  ASSERT_EQ(by6.status, 200) << by6.body;
  auto o6 = Json(by6);
  ASSERT_EQ(o6["by_area"].get(areas), simdjson::SUCCESS);
  ASSERT_EQ(areas.size(), 2u);
  ExpectTotals(areas.at(0).value(), "120101", 1, 100, 200, 20, 80, 100);
  ExpectTotals(areas.at(1).value(), "120102", 1, 80, 100, 0, 80, 20);

  ExpectError(Viewer(GetOverview, "area_digits=3"), 400, "area_digits", "2 (province), 4 (city) or 6 (county)");
  ExpectError(Viewer(GetOverview, "area_digits=x"), 400, "area_digits", "area_digits");
}

TEST_F(ApiBusinessTest, OverviewCurveAddsTheEnabledOperatorsStationsPerMinute) {
  auto r = Viewer(GetOverviewCurve);
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = Json(r);
  EXPECT_EQ(Str(c["day"]), "2026-12-04");
  simdjson::dom::array load, down, up, present;
  ASSERT_EQ(c["load_kw"].get(load), simdjson::SUCCESS);
  ASSERT_EQ(c["down_kw"].get(down), simdjson::SUCCESS);
  ASSERT_EQ(c["up_kw"].get(up), simdjson::SUCCESS);
  ASSERT_EQ(c["stations_present"].get(present), simdjson::SUCCESS);
  ASSERT_EQ(load.size(), 1440u);
  ASSERT_EQ(present.size(), 1440u);
  // 15:30: STA0 100 + STA1 50 + STB0 80; down 80 + 30 + 80; up 100 + 150 + 20.
  EXPECT_DOUBLE_EQ(Num(load.at(930).value()), 230);
  EXPECT_DOUBLE_EQ(Num(down.at(930).value()), 190);
  EXPECT_DOUBLE_EQ(Num(up.at(930).value()), 270);
  EXPECT_EQ(Int(present.at(930).value()), 3);
  // 15:50: C's 1000 kW is not there (disabled).
  EXPECT_DOUBLE_EQ(Num(load.at(950).value()), 180);
  EXPECT_EQ(Int(present.at(950).value()), 2);
  // 15:59: B missing; 00:00: B only; 16:01: nobody.
  EXPECT_DOUBLE_EQ(Num(load.at(959).value()), 100);
  EXPECT_EQ(Int(present.at(959).value()), 1);
  EXPECT_DOUBLE_EQ(Num(load.at(0).value()), 80);
  EXPECT_EQ(Int(present.at(961).value()), 0);
  EXPECT_DOUBLE_EQ(Num(up.at(961).value()), 0);

  auto y = Json(Viewer(GetOverviewCurve, "day=2026-12-03"));
  EXPECT_EQ(Str(y["day"]), "2026-12-03");
  ASSERT_EQ(y["load_kw"].get(load), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(Num(load.at(959).value()), 80);
  EXPECT_DOUBLE_EQ(Num(load.at(958).value()), 0);

  ExpectError(Viewer(GetOverviewCurve, "day=2026-13-01"), 400, "day", "yyyy-MM-dd");
}

// A past day (2026-12-01) summed from the enabled operators' operator-day sums.
TEST_F(ApiBusinessTest, OverviewCurveOfAPastDayIsTheHandComputedSum) {
  Power(kA, "STA0", At(1, 10, 0), At(1, 10, 10), 100, 200, 20);   // down 80, up 100
  Power(kA, "STA1", At(1, 10, 5), At(1, 10, 15), 50, 200, 20);    // down 30, up 150
  Power(kB, "STB0", At(1, 10, 0), At(1, 10, 6), 80, 100, 0);      // down 80, up 20
  Power(kB, "STB0", At(1, 10, 20), At(1, 10, 21), 120, 100, 0);   // above its top: down 120, up 0
  Power(kC, "STC0", At(1, 10, 0), At(1, 10, 15), 1000, 2000, 0);  // disabled: not summed

  auto r = Viewer(GetOverviewCurve, "day=2026-12-01");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(schema_check::Violations(r.body, "Curve"), ::testing::IsEmpty());
  auto c = Json(r);
  EXPECT_EQ(Str(c["day"]), "2026-12-01");
  simdjson::dom::array load, down, up, present;
  ASSERT_EQ(c["load_kw"].get(load), simdjson::SUCCESS);
  ASSERT_EQ(c["down_kw"].get(down), simdjson::SUCCESS);
  ASSERT_EQ(c["up_kw"].get(up), simdjson::SUCCESS);
  ASSERT_EQ(c["stations_present"].get(present), simdjson::SUCCESS);
  ASSERT_EQ(load.size(), 1440u);
  ASSERT_EQ(down.size(), 1440u);
  ASSERT_EQ(up.size(), 1440u);
  ASSERT_EQ(present.size(), 1440u);
  struct Minute {
    std::size_t m;
    double load, down, up;
    std::int64_t present;
  };
  for (const Minute& x : {Minute{600, 180, 160, 120, 2},   // 10:00 STA0 + STB0
                          Minute{605, 230, 190, 270, 3},   // 10:05 all three
                          Minute{606, 150, 110, 250, 2},   // 10:06 STA0 + STA1
                          Minute{612, 50, 30, 150, 1},     // 10:12 STA1
                          Minute{615, 0, 0, 0, 0},         // 10:15 nobody
                          Minute{620, 120, 120, 0, 1}}) {  // 10:20 STB0 above its top
    EXPECT_DOUBLE_EQ(Num(load.at(x.m).value()), x.load) << x.m;
    EXPECT_DOUBLE_EQ(Num(down.at(x.m).value()), x.down) << x.m;
    EXPECT_DOUBLE_EQ(Num(up.at(x.m).value()), x.up) << x.m;
    EXPECT_EQ(Int(present.at(x.m).value()), x.present) << x.m;
  }
  // The whole day: load 10 × 100 + 10 × 50 + 6 × 80 + 120 = 2100 kW·min, 27 station-minutes.
  double load_sum = 0;
  std::int64_t present_sum = 0;
  for (auto v : load) load_sum += Num(v);
  for (auto v : present) present_sum += Int(v);
  EXPECT_DOUBLE_EQ(load_sum, 2100);
  EXPECT_EQ(present_sum, 27);
}

TEST_F(ApiBusinessTest, OperatorsQualityCountsARetiredStationsDataButNeverPast100Percent) {
  // B gains STB1, which a later sync retires; B's active STB0 has 1439 of the last 1440 minutes.
  Stations(kB, "STB", {"120102", "120102"}, 2);
  Stations(kB, "STB", {"120102"}, 2);
  auto listed = store_->ListStations(kB, false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  auto quality_of_b = [&] {
    auto list = Json(Viewer(GetOperators));
    auto b = list.at(1).value();
    EXPECT_EQ(Str(b["operator_id"]), kB);
    EXPECT_EQ(Int(b["stations"]), 1);
    return Num(b["quality_24h_percent"]);
  };
  EXPECT_DOUBLE_EQ(quality_of_b(), 99.9);  // 1439 / 1440
  // The retired station's minute (today 15:59, inside the 24 h) counts: 1440 / 1440.
  Power(kB, "STB1", At(4, 15, 59), At(4, 16, 0), 10, 100, 0);
  EXPECT_DOUBLE_EQ(quality_of_b(), 100);
  // Its whole 24 h too, but the figure is capped at the possible 1 × 1440 (2879 present).
  Power(kB, "STB1", At(3, 16, 0), At(4, 16, 0), 10, 100, 0);
  EXPECT_DOUBLE_EQ(quality_of_b(), 100);
  auto list = Json(Viewer(GetOperators));
  EXPECT_TRUE(list.at(1)["quality_ok"].get_bool().value());
}

TEST_F(ApiBusinessTest, OperatorsShowStationsStakesReportingAndQualityOverTheLast24Hours) {
  auto r = Viewer(GetOperators);
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = Json(r);
  simdjson::dom::array ops;
  ASSERT_EQ(list.get(ops), simdjson::SUCCESS);
  ASSERT_EQ(ops.size(), 4u);
  auto a = ops.at(0).value();
  EXPECT_EQ(Str(a["operator_id"]), kA);
  EXPECT_EQ(Str(a["name"]), "Alpha");
  EXPECT_TRUE(Bool(a["enabled"]));
  EXPECT_EQ(Int(a["stations"]), 3);
  EXPECT_EQ(Int(a["stakes"]), 6);
  EXPECT_EQ(Int(a["stations_reporting"]), 1);
  EXPECT_DOUBLE_EQ(Num(a["quality_24h_percent"]), 1.6);  // (60 + 10) / (3 × 1440)
  EXPECT_FALSE(Bool(a["quality_ok"]));
  auto b = ops.at(1).value();
  EXPECT_EQ(Int(b["stations"]), 1);
  EXPECT_EQ(Int(b["stakes"]), 2);  // one of three retired
  EXPECT_EQ(Int(b["stations_reporting"]), 1);
  // Yesterday 16:00-23:59 (480) + today 00:00-15:58 (959); yesterday 15:59 and now are outside.
  EXPECT_DOUBLE_EQ(Num(b["quality_24h_percent"]), 99.9);
  EXPECT_TRUE(Bool(b["quality_ok"]));
  auto c = ops.at(2).value();
  EXPECT_FALSE(Bool(c["enabled"]));
  EXPECT_EQ(Int(c["stations_reporting"]), 1);
  EXPECT_DOUBLE_EQ(Num(c["quality_24h_percent"]), 0.7);  // 10 / 1440
  auto d = ops.at(3).value();
  EXPECT_EQ(Int(d["stations"]), 0);
  EXPECT_DOUBLE_EQ(Num(d["quality_24h_percent"]), 0);
  EXPECT_FALSE(Bool(d["quality_ok"]));
}

TEST_F(ApiBusinessTest, StationsAreSortedPagedSearchedAndMaskedForViewers) {
  auto all = Json(Viewer(GetStations));
  EXPECT_EQ(Int(all["total"]), 5);
  EXPECT_EQ(Int(all["page"]), 1);
  EXPECT_EQ(Int(all["page_size"]), 50);
  simdjson::dom::array items;
  ASSERT_EQ(all["items"].get(items), simdjson::SUCCESS);
  ASSERT_EQ(items.size(), 5u);
  std::vector<std::string> keys;
  for (auto it : items) keys.push_back(Str(it["operator_id"]) + "/" + Str(it["station_code"]));
  EXPECT_THAT(keys, ::testing::ElementsAre("OPA000001/STA0", "OPA000001/STA1", "OPA000001/STA2", "OPB000002/STB0",
                                           "OPC000003/STC0"));
  auto sta0 = items.at(0).value();
  EXPECT_EQ(Str(sta0["name"]), "天******0");         // "天津联联充电站0"
  EXPECT_EQ(Str(sta0["address"]), "天*********号");  // "天津市和平区南京路0号"
  EXPECT_EQ(Str(sta0["area_code"]), "120101");
  EXPECT_EQ(Int(sta0["state"]), 50);
  EXPECT_EQ(Int(sta0["stakes"]), 2);
  EXPECT_DOUBLE_EQ(Num(sta0["rated_kw"]), 127);  // 120 + 7
  EXPECT_EQ(Str(sta0["latest"]["at"]), "2026-12-04 15:59");
  EXPECT_DOUBLE_EQ(Num(sta0["latest"]["kw"]), 100);
  EXPECT_DOUBLE_EQ(Num(sta0["latest"]["top_kw"]), 200);
  EXPECT_DOUBLE_EQ(Num(sta0["latest"]["bottom_kw"]), 20);
  EXPECT_TRUE(items.at(2)["latest"].is_null());

  auto mine = Json(Dispatcher(GetStations));
  ASSERT_EQ(mine["items"].get(items), simdjson::SUCCESS);
  EXPECT_EQ(Str(items.at(0)["name"]), "天津联联充电站0");
  EXPECT_EQ(Str(items.at(0)["address"]), "天津市和平区南京路0号");

  auto page = Json(Viewer(GetStations, "page=2&page_size=2"));
  EXPECT_EQ(Int(page["total"]), 5);
  ASSERT_EQ(page["items"].get(items), simdjson::SUCCESS);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(Str(items.at(0)["station_code"]), "STA2");
  EXPECT_EQ(Str(items.at(1)["station_code"]), "STB0");
  auto past = Json(Viewer(GetStations, "page=9"));
  EXPECT_EQ(Int(past["total"]), 5);
  ASSERT_EQ(past["items"].get(items), simdjson::SUCCESS);
  EXPECT_EQ(items.size(), 0u);

  auto by_op = Json(Viewer(GetStations, "operator=OPB000002"));
  EXPECT_EQ(Int(by_op["total"]), 1);
  auto by_code = Json(Viewer(GetStations, "q=sta1"));  // case-insensitive
  ASSERT_EQ(by_code["items"].get(items), simdjson::SUCCESS);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items.at(0)["station_code"]), "STA1");
  auto by_area = Json(Viewer(GetStations, "q=1101"));
  ASSERT_EQ(by_area["items"].get(items), simdjson::SUCCESS);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Str(items.at(0)["area_code"]), "110105");
  // Names are searched only for those who may read them.
  EXPECT_EQ(Int(Json(Dispatcher(GetStations, "q=%E8%81%94%E8%81%94%E5%85%85%E7%94%B5%E7%AB%990"))["total"]),
            3);  // the 0th of A, B, C
  EXPECT_EQ(Int(Json(Viewer(GetStations, "q=%E8%81%94%E8%81%94%E5%85%85%E7%94%B5%E7%AB%990"))["total"]), 0);

  ExpectError(Viewer(GetStations, "page=0"), 400, "page", "page number");
  ExpectError(Viewer(GetStations, "page_size=201"), 400, "page_size", "from 1 to 200");
  ExpectError(Viewer(GetStations, "page_size=ten"), 400, "page_size", "from 1 to 200");
}

TEST_F(ApiBusinessTest, StationShowsStakesWithRetiredOnesAndMasksTheCreditCode) {
  auto r = Dispatcher(GetStation, "", {kB, "STB0"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto st = Json(r);
  EXPECT_EQ(Str(st["operator_id"]), kB);
  EXPECT_EQ(Str(st["station_code"]), "STB0");
  EXPECT_EQ(Str(st["credit_code"]), testing::kSampleCreditCode);
  EXPECT_EQ(Int(st["stakes"]), 2);
  EXPECT_DOUBLE_EQ(Num(st["rated_kw"]), 127);
  EXPECT_EQ(Str(st["latest"]["at"]), "2026-12-04 16:00");
  simdjson::dom::array stakes;
  ASSERT_EQ(st["stakes_list"].get(stakes), simdjson::SUCCESS);
  ASSERT_EQ(stakes.size(), 3u);
  std::map<std::string, bool> retired;
  for (auto k : stakes) retired[Str(k["code"])] = Bool(k["retired"]);
  EXPECT_EQ(retired, (std::map<std::string, bool>{{"ST0-0", false}, {"ST0-1", false}, {"ST0-2", true}}));
  auto k0 = stakes.at(0).value();
  EXPECT_EQ(Str(k0["code"]), "ST0-0");
  EXPECT_EQ(Int(k0["type"]), 1);   // DC
  EXPECT_EQ(Int(k0["state"]), 1);  // in service
  EXPECT_DOUBLE_EQ(Num(k0["rated_kw"]), 120);
  EXPECT_DOUBLE_EQ(Num(k0["top_kw"]), 120);
  EXPECT_DOUBLE_EQ(Num(k0["bottom_kw"]), 0);

  auto masked = Json(Viewer(GetStation, "", {kB, "STB0"}));
  EXPECT_EQ(Str(masked["credit_code"]), "9****************0");
  EXPECT_EQ(Str(masked["name"]), "天******0");

  ExpectError(Viewer(GetStation, "", {kB, "NOPE"}), 404, "", "no such station OPB000002/NOPE");
}

TEST_F(ApiBusinessTest, StationCurveHas1440MinutesWithNullsWhereMissing) {
  auto r = Viewer(GetStationCurve, "", {kA, "STA1"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = Json(r);
  EXPECT_EQ(Str(c["operator_id"]), kA);
  EXPECT_EQ(Str(c["station_code"]), "STA1");
  EXPECT_EQ(Str(c["day"]), "2026-12-04");
  simdjson::dom::array kw;
  ASSERT_EQ(c["kw"].get(kw), simdjson::SUCCESS);
  ASSERT_EQ(kw.size(), 1440u);
  EXPECT_TRUE(kw.at(929).value().is_null());
  EXPECT_DOUBLE_EQ(Num(kw.at(930).value()), 50);
  EXPECT_DOUBLE_EQ(Num(kw.at(939).value()), 50);
  EXPECT_TRUE(kw.at(940).value().is_null());
  std::size_t nulls = 0;
  for (auto v : kw) nulls += v.is_null() ? 1 : 0;
  EXPECT_EQ(nulls, 1430u);
  EXPECT_EQ(Int(c["present_minutes"]), 10);
  EXPECT_DOUBLE_EQ(Num(c["top_kw"]), 200);
  EXPECT_DOUBLE_EQ(Num(c["bottom_kw"]), 20);

  auto y = Json(Viewer(GetStationCurve, "day=2026-12-03", {kB, "STB0"}));
  EXPECT_EQ(Int(y["present_minutes"]), 481);  // 15:59-23:59

  ExpectError(Viewer(GetStationCurve, "day=2026-12-02", {kA, "STA1"}), 404, "",
              "no power data for station OPA000001/STA1 on 2026-12-02");
  ExpectError(Viewer(GetStationCurve, "", {kA, "STA2"}), 404, "", "no power data");
  ExpectError(Viewer(GetStationCurve, "day=12/04/2026", {kA, "STA1"}), 400, "day", "yyyy-MM-dd");
}

TEST_F(ApiBusinessTest, AnswersMatchTheOpenApiSchemas) {
  using schema_check::Violations;
  EXPECT_THAT(Violations(Viewer(GetOverview).body, "Overview"), ::testing::IsEmpty());
  EXPECT_THAT(Violations(Viewer(GetOverviewCurve).body, "Curve"), ::testing::IsEmpty());
  simdjson::dom::array list;
  ASSERT_EQ(Json(Viewer(GetOperators)).get(list), simdjson::SUCCESS);
  for (auto op : list) EXPECT_THAT(Violations(simdjson::to_string(op), "Operator"), ::testing::IsEmpty());
  EXPECT_THAT(Violations(Viewer(GetStations).body, "StationPage"), ::testing::IsEmpty());
  EXPECT_THAT(Violations(Viewer(GetStation, "", {kB, "STB0"}).body, "Station"), ::testing::IsEmpty());
  EXPECT_THAT(Violations(Viewer(GetStationCurve, "", {kA, "STA1"}).body, "StationCurve"), ::testing::IsEmpty());
  EXPECT_THAT(Violations(Viewer(GetStation, "", {kB, "NOPE"}).body, "Error"), ::testing::IsEmpty());
}

}  // namespace
}  // namespace vgi::console::api
