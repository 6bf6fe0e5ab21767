// The grid topology routes (api_topology.cpp) over a memory store: the import (stored rows, info,
// the parser's line-numbered errors as 400), the summary with its unmodelled count, the CSV
// download; through the router: who may import and read, and the audit row; and demands scoped
// to markets and transformer areas.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>

#include "api_internal.hpp"
#include "api_test_fixture.hpp"
#include "vgi/console/password.hpp"
#include "vgi/engine/topology.hpp"

namespace vgi::console::api {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kA = "OPA000001";
constexpr const char* kB = "OPB000002";

// Four stations: one of A's is not in A's model, and OPC000003 has no model at all.
constexpr const char* kCsv =
    "operator_id,station_code,market_id,transformer_area_id\n"
    "OPA000001,ST-OPA000001,M1,TA-1\n"
    "OPA000001,S-GHOST,M1,TA-2\n"
    "OPB000002,ST-OPB000002,M2,TA-1\n"
    "OPC000003,S9,,TA-2\n";

// A JSON body {"csv": ..., "source": ...} written with RapidJSON.
std::string ImportBody(std::string_view csv, std::string_view source = "grid-2026-12.csv") {
  JsonOut out;
  out.StartObject().Key("csv").String(csv);
  if (!source.empty()) out.Key("source").String(source);
  out.EndObject();
  return out.Take();
}

class ApiTopologyTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build(WithoutForecast());
    AddOperator(kA, "A", 2);
    AddOperator(kB, "B", 2);
  }

  ApiResponse Import(std::string body) {
    return Invoke(ImportTopology, ToSet({Role::kSystemAdmin}), {}, "", std::move(body));
  }

  // The groups of an answer as "id:stations/operators".
  std::vector<std::string> Groups(simdjson::dom::element list) {
    std::vector<std::string> out;
    for (auto g : list.get_array()) {
      out.push_back(Str(g["id"]) + ":" + std::to_string(Int(g["stations"])) + "/" +
                    std::to_string(Int(g["operators"])));
    }
    return out;
  }
};

TEST_F(ApiTopologyTest, ImportStoresTheRowsAndAnswersTheSummary) {
  auto r = Import(ImportBody(kCsv));
  ASSERT_EQ(r.status, 200) << r.body;
  auto want = engine::ParseTopologyCsv(kCsv);
  ASSERT_TRUE(want.ok());
  auto stored = store_->ListTopology({});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 4u);
  // Stored in (operator, station) order.
  EXPECT_EQ((*stored)[0], (store::TopologyEntry{kA, "S-GHOST", "M1", "TA-2"}));
  EXPECT_EQ((*stored)[3], (store::TopologyEntry{"OPC000003", "S9", "", "TA-2"}));
  for (const auto& e : *want) EXPECT_NE(std::find(stored->begin(), stored->end(), e), stored->end());
  auto info = store_->GetTopologyInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->version, 1);
  EXPECT_EQ(info->stations, 4);
  EXPECT_EQ(info->source, "grid-2026-12.csv by alice");
  EXPECT_EQ(info->imported_at, clock_.Now());
  EXPECT_EQ(audit_.object, "topology:v1");
  EXPECT_EQ(audit_.detail, "grid-2026-12.csv: 4 stations");

  auto d = Json(r);
  EXPECT_EQ(Int(d["version"]), 1);
  EXPECT_EQ(Str(d["imported_at"]), "2026-12-04 16:00");
  EXPECT_EQ(Str(d["source"]), "grid-2026-12.csv by alice");
  EXPECT_EQ(Int(d["stations"]), 4);
  EXPECT_EQ(Int(d["unmodelled"]), 2);  // S-GHOST and OPC000003/S9
  EXPECT_THAT(Groups(d["markets"]), ElementsAre("M1:2/1", "M2:1/1"));
  EXPECT_THAT(Groups(d["transformer_areas"]), ElementsAre("TA-1:2/2", "TA-2:2/2"));
  EXPECT_THAT(schema_check::Violations(r.body, "Topology"), IsEmpty());

  // A second import replaces the first; without a source the console names itself.
  auto again = Import(
      ImportBody("operator_id,station_code,market_id,transformer_area_id\r\nOPB000002,ST-OPB000002,M9,\r\n", ""));
  ASSERT_EQ(again.status, 200) << again.body;
  auto d2 = Json(again);
  EXPECT_EQ(Int(d2["version"]), 2);
  EXPECT_EQ(Str(d2["source"]), "console by alice");
  EXPECT_EQ(Int(d2["unmodelled"]), 0);
  EXPECT_THAT(Groups(d2["markets"]), ElementsAre("M9:1/1"));
  EXPECT_THAT(Groups(d2["transformer_areas"]), IsEmpty());
  EXPECT_EQ(store_->ListTopology({})->size(), 1u);
}

TEST_F(ApiTopologyTest, ABadLineIs400WithTheParsersMessageAndChangesNothing) {
  ASSERT_EQ(Import(ImportBody(kCsv)).status, 200);
  const std::string bad =
      "operator_id,station_code,market_id,transformer_area_id\n"
      "OPA000001,ST-OPA000001,M1,TA-1\n"
      "OPB000002,ST-OPB000002,M 1,TA-1\n";
  auto r = Import(ImportBody(bad));
  ASSERT_EQ(r.status, 400) << r.body;
  auto e = Json(r);
  EXPECT_EQ(Str(e["error"]), "line 3: market_id: \"M 1\" is not 1..64 characters of [0-9A-Za-z_.-]");
  EXPECT_EQ(Str(e["field"]), "csv");
  EXPECT_THAT(schema_check::Violations(r.body, "Error"), IsEmpty());
  EXPECT_EQ(audit_.object, "topology");
  EXPECT_EQ(store_->GetTopologyInfo()->version, 1);
  EXPECT_EQ(store_->ListTopology({})->size(), 4u);

  auto repeated = Import(ImportBody(std::string(kCsv) + "OPA000001,S-GHOST,M2,\n"));
  ASSERT_EQ(repeated.status, 400);
  EXPECT_EQ(Str(Json(repeated)["error"]), "line 6: station OPA000001/S-GHOST repeats line 3");

  auto no_csv = Import(R"({"source": "x.csv"})");
  ASSERT_EQ(no_csv.status, 400);
  EXPECT_EQ(Str(Json(no_csv)["error"]), "csv: is required");
  auto not_json = Import("operator_id,station_code,market_id,transformer_area_id\n");
  EXPECT_EQ(not_json.status, 400);
  auto control = Import(ImportBody(kCsv, "a\nb.csv"));
  ASSERT_EQ(control.status, 400);
  EXPECT_EQ(Str(Json(control)["error"]), "source: no control characters");
  EXPECT_EQ(store_->GetTopologyInfo()->version, 1);
}

TEST_F(ApiTopologyTest, GetBeforeAnyImportIsEmptyAndAfterItCountsTheUnmodelled) {
  auto empty = Invoke(GetTopology, ToSet({Role::kViewer}), {}, "");
  ASSERT_EQ(empty.status, 200) << empty.body;
  auto d = Json(empty);
  EXPECT_EQ(Int(d["version"]), 0);
  EXPECT_TRUE(d["imported_at"].is_null());
  EXPECT_EQ(Int(d["stations"]), 0);
  EXPECT_EQ(Int(d["unmodelled"]), 0);
  EXPECT_THAT(Groups(d["markets"]), IsEmpty());
  EXPECT_THAT(schema_check::Violations(empty.body, "Topology"), IsEmpty());

  ASSERT_EQ(Import(ImportBody(kCsv)).status, 200);
  // B retires its station (a sync without it): one more topology station the models lack.
  proto::StationInfoPage page = testing::SampleStationInfoPage(1, 1);
  page.stations[0].operator_id = kB;
  page.stations[0].code = "ST-NEW";
  ASSERT_TRUE(store_->PutStationPage(kB, page).ok());
  auto r = Invoke(GetTopology, ToSet({Role::kViewer}), {}, "");
  ASSERT_EQ(r.status, 200);
  auto d2 = Json(r);
  EXPECT_EQ(Int(d2["version"]), 1);
  EXPECT_EQ(Int(d2["stations"]), 4);
  EXPECT_EQ(Int(d2["unmodelled"]), 3);
  EXPECT_THAT(Groups(d2["markets"]), ElementsAre("M1:2/1", "M2:1/1"));
  EXPECT_THAT(schema_check::Violations(r.body, "Topology"), IsEmpty());
}

TEST_F(ApiTopologyTest, TheCsvDownloadIsTheWholeTopologyFormatted) {
  ASSERT_EQ(Import(ImportBody(kCsv)).status, 200);
  auto r = Invoke(GetTopologyCsv, ToSet({Role::kViewer}), {}, "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(r.body, engine::FormatTopologyCsv(*store_->ListTopology({})));
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "Content-Disposition", "attachment; filename=\"vgi-topology-v1.csv\"")));
  // What it downloads imports back to the same rows.
  auto back = engine::ParseTopologyCsv(r.body);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *store_->ListTopology({}));
}

// Demands scoped to markets and transformer areas go through the demand route.
TEST_F(ApiTopologyTest, DemandsTakeMarketAndTransformerAreaScopes) {
  ASSERT_EQ(Import(ImportBody(kCsv)).status, 200);
  const auto create = [&](const std::string& task, const std::string& kind, const std::string& id) {
    return Invoke(
        CreateDemand, ToSet({Role::kDispatcher}), {}, "",
        R"({"task_id": ")" + task + R"(", "type": "peak", "scope": {"kind": ")" + kind + R"(", "ids": [")" + id +
            R"("]}, "windows": [{"start": "2026-12-04 18:00", "end": "2026-12-04 19:59", "target_kw": "300"}]})");
  };
  auto m = create("TM", "markets", "M1");
  ASSERT_EQ(m.status, 201) << m.body;
  EXPECT_EQ(audit_.detail,
            "peak 300.00 kW market M1 2026-12-04 18:00\xE2\x80\x93"
            "19:59");
  auto md = Json(m);
  EXPECT_EQ(Str(md["scope"]["kind"]), "markets");
  EXPECT_EQ(Str(md["scope"]["ids"].at(0)), "M1");
  EXPECT_THAT(schema_check::Violations(m.body, "Demand"), IsEmpty());

  auto t = create("TT", "transformer-areas", "TA-2");
  ASSERT_EQ(t.status, 201) << t.body;
  EXPECT_EQ(audit_.detail,
            "peak 300.00 kW transformer area TA-2 2026-12-04 18:00\xE2\x80\x93"
            "19:59");
  auto shown = Invoke(GetDemand, ToSet({Role::kViewer}), {"TT"}, "");
  ASSERT_EQ(shown.status, 200) << shown.body;
  auto sd = Json(shown);
  EXPECT_EQ(Str(sd["scope"]["kind"]), "transformer-areas");
  EXPECT_EQ(Str(sd["scope"]["ids"].at(0)), "TA-2");
  auto list = Invoke(ListDemands, ToSet({Role::kViewer}), {}, "");
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> kinds;
  for (auto x : Json(list).get_array()) kinds.push_back(Str(x["scope"]["kind"]));
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre("markets", "transformer-areas"));

  auto bad = create("TB", "markets", "M 1");
  ASSERT_EQ(bad.status, 400) << bad.body;
  auto e = Json(bad);
  EXPECT_EQ(Str(e["field"]), "scope.ids[0]");
  EXPECT_EQ(Str(e["error"]), "scope.ids[0]: \"M 1\" is not a market ID (1 to 64 characters of [0-9A-Za-z_.-])");
}

// Through the router: the system administrator imports (audited), a dispatcher may read but not
// import (refused and audited), CSRF applies.
class TopologyRouterTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build(WithoutForecast());
    api_ = std::make_unique<AdminApi>(*store_, *regulator_, clock_, random_, ApiConfig{}, nullptr);
    AddUser("sam", ToSet({Role::kSystemAdmin}));
    AddUser("dora", ToSet({Role::kDispatcher}));
    AddUser("aud", ToSet({Role::kAuditor}));
  }

  void AddUser(const std::string& name, RoleSet roles) {
    store::UserRow u;
    u.username = u.display_name = name;
    u.password_hash = *HashPassword(kPassword, random_, PasswordParams{64, 1, 1});  // cheap for tests
    u.roles = roles;
    u.created_at = u.updated_at = u.password_changed_at = clock_.Now();
    ASSERT_TRUE(store_->PutUser(u).ok());
  }

  struct Session {
    std::string cookie, csrf;
  };
  Session Login(const std::string& name) {
    auto r = Send("POST", "/api/v1/login", R"({"username":")" + name + R"(","password":")" + kPassword + R"("})", {});
    EXPECT_EQ(r.status, 200) << r.body;
    std::string cookie;
    for (const auto& [k, v] : r.headers) {
      if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
    }
    return {cookie, Str(Json(r)["csrf_token"])};
  }

  ApiResponse Send(std::string method, std::string path, std::string body, const Session& s) {
    ApiRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.cookie = s.cookie;
    r.csrf_token = s.csrf;
    r.remote_ip = "10.1.2.3";
    return api_->Handle(r);
  }

  static constexpr const char* kPassword = "Grid-Dispatch-2026";
  std::unique_ptr<AdminApi> api_;
};

TEST_F(TopologyRouterTest, TheSystemAdministratorImportsAndTheImportIsAudited) {
  const Session sam = Login("sam");
  auto r = Send("POST", "/api/v1/topology", ImportBody(kCsv), sam);
  ASSERT_EQ(r.status, 200) << r.body;
  auto rows = *store_->ListAudit(0, 1000);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().username, "sam");
  EXPECT_EQ(rows.back().operation, "topology.import");
  EXPECT_EQ(rows.back().object, "topology:v1");
  EXPECT_EQ(rows.back().result, "ok");
  EXPECT_EQ(rows.back().detail, "grid-2026-12.csv: 4 stations");
  EXPECT_EQ(store_->GetTopologyInfo()->source, "grid-2026-12.csv by sam");

  // A failed import is audited with the parser's message.
  auto bad = Send("POST", "/api/v1/topology", ImportBody("operator_id,station_code\n"), sam);
  ASSERT_EQ(bad.status, 400);
  rows = *store_->ListAudit(0, 1000);
  EXPECT_EQ(rows.back().operation, "topology.import");
  EXPECT_EQ(rows.back().result, "failed: " + Str(Json(bad)["error"]));

  // Without the CSRF token: refused.
  Session no_csrf = sam;
  no_csrf.csrf.clear();
  EXPECT_EQ(Send("POST", "/api/v1/topology", ImportBody(kCsv), no_csrf).status, 403);
  EXPECT_EQ(store_->GetTopologyInfo()->version, 1);

  // The administrator reads it too (the page), as JSON and CSV.
  EXPECT_EQ(Send("GET", "/api/v1/topology", "", sam).status, 200);
  auto csv = Send("GET", "/api/v1/topology.csv", "", sam);
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body, engine::FormatTopologyCsv(*store_->ListTopology({})));
}

TEST_F(TopologyRouterTest, ADispatcherReadsButMayNotImportAndAnAuditorNeither) {
  const Session dora = Login("dora");
  auto r = Send("POST", "/api/v1/topology", ImportBody(kCsv), dora);
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(store_->GetTopologyInfo()->version, 0);
  const auto rows = *store_->ListAudit(0, 1000);
  EXPECT_EQ(rows.back().operation, "topology.import");
  EXPECT_EQ(rows.back().result, "refused: roles dispatcher lack manage_peers");
  EXPECT_EQ(Send("GET", "/api/v1/topology", "", dora).status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/topology.csv", "", dora).status, 200);

  const Session aud = Login("aud");
  EXPECT_EQ(Send("GET", "/api/v1/topology", "", aud).status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/topology", ImportBody(kCsv), aud).status, 403);
}

}  // namespace
}  // namespace vgi::console::api
