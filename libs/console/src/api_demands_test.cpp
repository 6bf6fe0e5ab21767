// The demand, settlement and alarm routes (api_demands.cpp) called directly over a memory store
// and a Regulator on a fake clock: create (201, stored, audit), rule breaks as 400 naming the
// field, change, cancel, the decomposed view, settlement rows and statements (JSON and CSV),
// alarm acknowledgement and closing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

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

constexpr const char* kCreate = R"({"task_id": "T1", "type": "peak", "scope": {"kind": "areas", "ids": ["12"]},
  "windows": [{"start": "2026-12-04 18:00", "end": "2026-12-04 19:59", "target_kw": "20000"}],
  "note": "evening peak"})";

class ApiDemandsTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build(WithoutForecast());
    for (const char* op : {kA, kB}) {
      AddOperator(op, op, 2);
      // 100 kW from 14:00 to now, bounds 0..200 kW.
      proto::StationPower p;
      p.station_code = std::string("ST-") + op;
      p.credit_code = testing::kSampleCreditCode;
      p.adjust_top_power = Kilowatts::FromInt(200);
      for (int m = 14 * 60; m < 16 * 60; ++m) {
        p.points.push_back({proto::BeijingMinute{At(0, 0).minutes + m}, Kilowatts::FromInt(100)});
      }
      store::WriteBatch b;
      b.power.push_back({op, p});
      ASSERT_TRUE(store_->Commit(b).ok());
    }
  }

  static proto::BeijingMinute At(int hour, int minute) {
    return proto::ToBeijingMinute(BeijingTime(2026, 12, 4, hour, minute));
  }

  ApiResponse Run(Handler h, std::vector<std::string> params = {}, std::string body = "", std::string query = "") {
    return Invoke(h, ToSet({Role::kDispatcher}), std::move(params), query, std::move(body));
  }

  void ExpectError(const ApiResponse& r, int status, const std::string& field, const std::string& part) {
    EXPECT_EQ(r.status, status) << r.body;
    auto e = Json(r);
    EXPECT_THAT(Str(e["error"]), HasSubstr(part));
    if (field.empty()) {
      EXPECT_EQ(e["field"].error(), simdjson::NO_SUCH_FIELD) << r.body;
    } else {
      EXPECT_EQ(Str(e["field"]), field);
    }
  }
};

TEST_F(ApiDemandsTest, CreateStoresTheDemandAndAnswers201WithItsDocument) {
  auto r = Run(CreateDemand, {}, kCreate);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(audit_.object, "demand:T1");
  EXPECT_EQ(audit_.detail,
            "peak 20000.00 kW area 12 2026-12-04 18:00\xE2\x80\x93"
            "19:59");
  auto d = Json(r);
  EXPECT_EQ(Str(d["task_id"]), "T1");
  EXPECT_EQ(Str(d["type"]), "peak");
  EXPECT_EQ(Str(d["state"]), "draft");
  EXPECT_EQ(Str(d["scope"]["kind"]), "areas");
  EXPECT_EQ(Str(d["scope"]["ids"].at(0)), "12");
  EXPECT_EQ(Str(d["windows"].at(0)["start"]), "2026-12-04 18:00");
  EXPECT_EQ(Str(d["windows"].at(0)["end"]), "2026-12-04 19:59");
  EXPECT_DOUBLE_EQ(Num(d["windows"].at(0)["target_kw"]), 20000);
  EXPECT_EQ(Str(d["created_by"]), "alice");
  EXPECT_EQ(Str(d["created_at"]), "2026-12-04 16:00");
  EXPECT_EQ(Int(d["instructions"]), 0);
  EXPECT_EQ(Int(d["version"]), 1);
  EXPECT_EQ(Str(d["note"]), "evening peak");
  EXPECT_EQ(Str(d["accept_deadline"]), "2026-12-04 17:50");  // the engine's default lead of 10 min
  simdjson::dom::array coverage;
  ASSERT_EQ(d["coverage"].get(coverage), simdjson::SUCCESS);
  ASSERT_EQ(coverage.size(), 1u);
  EXPECT_DOUBLE_EQ(Num(coverage.at(0)["target_kw"]), 20000);
  EXPECT_DOUBLE_EQ(Num(coverage.at(0)["allocated_kw"]), 0);

  auto stored = regulator_->GetDemand("T1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->spec.created_by, "alice");
  EXPECT_EQ(stored->spec.note, "evening peak");
  ASSERT_EQ(stored->spec.windows.size(), 1u);
  EXPECT_EQ(stored->spec.windows[0].target_power, Kilowatts::FromInt(20000));
  EXPECT_EQ(stored->spec.scope.kind, engine::ScopeKind::kAreas);

  // A number works as well as a decimal string; the engine makes the task ID when none is given.
  auto n = Run(CreateDemand, {},
               R"({"type": "valley", "scope": {"kind": "all"}, "is_force": true,
                   "windows": [{"start": "2026-12-04 20:00", "end": "2026-12-04 20:29", "target_kw": 150.5}]})");
  ASSERT_EQ(n.status, 201) << n.body;
  auto nd = Json(n);
  EXPECT_DOUBLE_EQ(Num(nd["windows"].at(0)["target_kw"]), 150.5);
  EXPECT_EQ(Str(nd["type"]), "valley");
  bool force = false;
  EXPECT_EQ(nd["is_force"].get(force), simdjson::SUCCESS);
  EXPECT_TRUE(force);
  EXPECT_EQ(audit_.object, "demand:" + Str(nd["task_id"]));
  EXPECT_EQ(Str(nd["task_id"]).substr(0, 1), "D");

  // The same task ID again.
  ExpectError(Run(CreateDemand, {}, kCreate), 409, "", "already exists");
  EXPECT_EQ(audit_.object, "demand:T1");
}

TEST_F(ApiDemandsTest, CreateRefusesRuleBreaksNamingTheField) {
  auto body = [](const std::string& window) {
    return R"({"task_id": "T2", "type": "peak", "scope": {"kind": "all"}, "windows": [)" + window + "]}";
  };
  ExpectError(
      Run(CreateDemand, {}, body(R"({"start": "2026-12-04 08:00", "end": "2026-12-04 08:59", "target_kw": 10})")), 400,
      "windows[0].start", "has passed");
  EXPECT_EQ(audit_.object, "demand:T2");
  EXPECT_EQ(audit_.detail,
            "peak 10.00 kW all operators 2026-12-04 08:00\xE2\x80\x93"
            "08:59");
  ExpectError(
      Run(CreateDemand, {}, body(R"({"start": "2026-12-04 18:00", "end": "2026-12-04 18:59", "target_kw": 0})")), 400,
      "windows[0].target_kw", "windows[0].target_kw: 0.00 kW must be greater than 0");
  ExpectError(
      Run(CreateDemand, {}, body(R"({"start": "2026-12-04 18:00", "end": "2026-12-04 18:59", "target_kw": "lots"})")),
      400, "windows[0].target_kw", "number of kW");
  ExpectError(
      Run(CreateDemand, {}, body(R"({"start": "2026-12-04 18:00", "end": "2026-12-04 18:59", "target_kw": 1.234})")),
      400, "windows[0].target_kw", "at most 2 decimals");
  ExpectError(Run(CreateDemand, {}, body(R"({"start": "18:00", "end": "2026-12-04 18:59", "target_kw": 1})")), 400,
              "windows[0].start", "yyyy-MM-dd HH:mm");
  ExpectError(Run(CreateDemand, {}, R"({"scope": {"kind": "all"}, "windows": []})"), 400, "type", "is required");
  ExpectError(Run(CreateDemand, {}, R"({"type": "peak", "scope": {"kind": "areas", "ids": ["1"]},
      "windows": [{"start": "2026-12-04 18:00", "end": "2026-12-04 18:59", "target_kw": 1}]})"),
              400, "scope.ids[0]", "area code prefix");
  ExpectError(Run(CreateDemand, {}, R"({"task_id": "bad id", "type": "peak", "scope": {"kind": "all"},
      "windows": [{"start": "2026-12-04 18:00", "end": "2026-12-04 18:59", "target_kw": 1}]})"),
              400, "task_id", "task_id: \"bad id\" must be 1 to 60 characters");
  ExpectError(Run(CreateDemand, {}, "not json"), 400, "", "request body: not valid JSON");
  EXPECT_EQ(audit_.object, "demand:(new)");
  auto none = store_->ListDemands({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(ApiDemandsTest, ChangeReplacesTheWindowsAndCancelEndsTheDemand) {
  ASSERT_EQ(Run(CreateDemand, {}, kCreate).status, 201);
  auto c = Run(ChangeDemand, {"T1"},
               R"({"windows": [{"start": "2026-12-04 18:30", "end": "2026-12-04 19:29", "target_kw": "30000.00"}]})");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(audit_.object, "demand:T1");
  EXPECT_EQ(audit_.detail,
            "windows: 30000.00 kW 2026-12-04 18:30\xE2\x80\x93"
            "19:29");
  auto d = Json(c);
  EXPECT_DOUBLE_EQ(Num(d["windows"].at(0)["target_kw"]), 30000);
  EXPECT_EQ(Str(d["windows"].at(0)["start"]), "2026-12-04 18:30");
  EXPECT_EQ(regulator_->GetDemand("T1")->spec.windows[0].target_power, Kilowatts::FromInt(30000));

  ExpectError(Run(ChangeDemand, {"T1"}, R"({"windows": "soon"})"), 400, "windows", "list of windows");
  ExpectError(Run(ChangeDemand, {"NOPE"},
                  R"({"windows": [{"start": "2026-12-04 18:30", "end": "2026-12-04 19:29", "target_kw": 1}]})"),
              404, "", "no such demand NOPE");
  EXPECT_EQ(audit_.object, "demand:NOPE");

  auto x = Run(CancelDemand, {"T1"});
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(audit_.detail, "reason: cancelled from the console by alice");
  auto cancelled = Json(x);
  EXPECT_EQ(Str(cancelled["state"]), "cancelled");
  EXPECT_EQ(regulator_->GetDemand("T1")->state, store::DemandState::kCancelled);
  ExpectError(Run(CancelDemand, {"T1"}, R"({"reason": "again"})"), 409, "", "already cancelled");
  EXPECT_EQ(audit_.detail, "reason: again");
  ExpectError(Run(ChangeDemand, {"T1"},
                  R"({"windows": [{"start": "2026-12-04 18:30", "end": "2026-12-04 19:29", "target_kw": 1}]})"),
              409, "", "T1");
}

TEST_F(ApiDemandsTest, ListAndViewShowTheDecompositionAfterATick) {
  ASSERT_EQ(Run(CreateDemand, {}, R"({"task_id": "T3", "type": "peak", "scope": {"kind": "all"},
      "windows": [{"start": "2026-12-04 18:00", "end": "2026-12-04 18:59", "target_kw": 60}]})")
                .status,
            201);
  ASSERT_EQ(Run(CreateDemand, {}, kCreate).status, 201);
  auto tick = regulator_->Tick();
  ASSERT_TRUE(tick.ok()) << tick.status();

  auto r = Run(GetDemand, {"T3"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r);
  EXPECT_EQ(Str(d["state"]), "dispatched");
  EXPECT_EQ(Int(d["instructions"]), 2);
  simdjson::dom::array list;
  ASSERT_EQ(d["instructions_list"].get(list), simdjson::SUCCESS);
  ASSERT_EQ(list.size(), 2u);
  auto in = list.at(0).value();
  EXPECT_EQ(Str(in["operator_id"]), kA);
  EXPECT_EQ(Str(in["state"]), "sent");
  EXPECT_EQ(Int(in["synchro_type"]), 1);
  EXPECT_EQ(Int(in["range_type"]), 3);
  EXPECT_EQ(Str(in["adjust_ids"].at(0)), kA);
  EXPECT_DOUBLE_EQ(Num(in["allocated"].at(0)["target_kw"]), 30);
  EXPECT_EQ(in["accepted"].get_array().size(), 0u);
  EXPECT_THAT(Str(in["explanation"].at(0)), HasSubstr("allocated 30.00 kW"));
  EXPECT_TRUE(in["earnings_yuan"].is_null());
  EXPECT_DOUBLE_EQ(Num(d["coverage"].at(0)["allocated_kw"]), 60);
  EXPECT_GE(d["events"].get_array().size(), 1u);

  auto all = Json(Run(ListDemands));
  ASSERT_EQ(all.get(list), simdjson::SUCCESS);
  EXPECT_EQ(list.size(), 2u);
  auto dispatched = Json(Run(ListDemands, {}, "", "state=dispatched&limit=10"));
  ASSERT_EQ(dispatched.get(list), simdjson::SUCCESS);
  ASSERT_GE(list.size(), 1u);
  for (auto x : list) EXPECT_EQ(Str(x["state"]), "dispatched");
  auto one = Json(Run(ListDemands, {}, "", "limit=1"));
  ASSERT_EQ(one.get(list), simdjson::SUCCESS);
  EXPECT_EQ(list.size(), 1u);

  ExpectError(Run(ListDemands, {}, "", "state=open"), 400, "state", "draft, dispatched, done or cancelled");
  ExpectError(Run(ListDemands, {}, "", "limit=0"), 400, "limit", "from 1 to 1000");
  ExpectError(Run(GetDemand, {"NOPE"}), 404, "", "no such demand NOPE");
}

class ApiSettlementTest : public ApiDemandsTest {
 protected:
  void SetUp() override {
    ApiDemandsTest::SetUp();
    store::EngineWrite w;
    w.regulations.push_back({kA, "T9-001", "T9", static_cast<int>(engine::RegulationState::kSettled), "{}", {}, {}});
    w.regulations.push_back({kB, "T9-002", "T9", static_cast<int>(engine::RegulationState::kEvaluated), "{}", {}, {}});
    w.settlements.push_back(
        {kA, "T9-001", "T9", proto::DateOf(At(0, 0)), Doc(kA, "T9-001", "400.00", "380.00", "1140.00"), {}});
    w.settlements.push_back(
        {kB, "T9-002", "T9", proto::DateOf(At(0, 0)), Doc(kB, "T9-002", "400.00", "100.00", "0.00"), {}});
    ASSERT_TRUE(store_->ApplyEngineWrite(w).ok());
  }

  // The engine's settlement document (one 18:00-19:59 period at 3 yuan/kWh).
  static std::string Doc(const std::string& op, const std::string& reg, const std::string& target,
                         const std::string& delivered, const std::string& earnings) {
    const bool paid = earnings != "0.00";
    return R"({"operatorId":")" + op + R"(","taskId":"T9","regulationId":")" + reg + R"(","type":1,"earnings":")" +
           earnings + R"(","periods":[{"start":"2026-12-04 18:00","end":"2026-12-04 19:59","targetKwh":")" + target +
           R"(","deliveredKwh":")" + delivered + R"(","paidKwh":")" + (paid ? delivered : "0.00") +
           R"(","price":"3.0000","band":)" + (paid ? "1" : "0") + R"(,"ratioPercent":"95.0","payment":")" + earnings +
           R"(","penalty":"0.00","earnings":")" + earnings + R"("}]})";
  }
};

TEST_F(ApiSettlementTest, SettlementRowsCarryDeliveredEnergyEarningsAndTheInstructionsState) {
  auto r = Run(ListSettlements);
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::array rows;
  ASSERT_EQ(Json(r).get(rows), simdjson::SUCCESS);
  ASSERT_EQ(rows.size(), 2u);
  auto a = rows.at(0).value();
  EXPECT_EQ(Str(a["operator_id"]), kA);
  EXPECT_EQ(Str(a["regulation_id"]), "T9-001");
  EXPECT_EQ(Str(a["task_id"]), "T9");
  EXPECT_EQ(Str(a["day"]), "2026-12-04");
  EXPECT_DOUBLE_EQ(Num(a["delivered_kwh"]), 380);
  EXPECT_DOUBLE_EQ(Num(a["earnings_yuan"]), 1140);
  EXPECT_EQ(Str(a["state"]), "settled");
  EXPECT_EQ(Str(rows.at(1)["state"]), "evaluated");

  ASSERT_EQ(Json(Run(ListSettlements, {}, "", "operator=OPB000002")).get(rows), simdjson::SUCCESS);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Str(rows.at(0)["operator_id"]), kB);
  ASSERT_EQ(Json(Run(ListSettlements, {}, "", "from=2026-12-05")).get(rows), simdjson::SUCCESS);
  EXPECT_EQ(rows.size(), 0u);
  ExpectError(Run(ListSettlements, {}, "", "from=yesterday"), 400, "from", "yyyy-MM-dd");
  ExpectError(Run(ListSettlements, {}, "", "from=2026-12-05&to=2026-12-04"), 400, "to", "before from");
}

TEST_F(ApiSettlementTest, StatementsAsJsonAndAsCsvAttachment) {
  auto r = Run(GetStatements, {}, "", "period=day");
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::array list;
  ASSERT_EQ(Json(r).get(list), simdjson::SUCCESS);
  ASSERT_EQ(list.size(), 2u);
  auto a = list.at(0).value();
  EXPECT_EQ(Str(a["operator_id"]), kA);
  EXPECT_EQ(Str(a["period"]), "2026-12-04");
  EXPECT_EQ(Int(a["instructions"]), 1);
  EXPECT_DOUBLE_EQ(Num(a["target_kwh"]), 400);
  EXPECT_DOUBLE_EQ(Num(a["delivered_kwh"]), 380);
  EXPECT_DOUBLE_EQ(Num(a["paid_kwh"]), 380);
  EXPECT_DOUBLE_EQ(Num(a["payments_yuan"]), 1140);
  EXPECT_DOUBLE_EQ(Num(a["penalties_yuan"]), 0);
  EXPECT_DOUBLE_EQ(Num(a["earnings_yuan"]), 1140);

  auto month = Json(Run(GetStatements, {}, "", "period=month&operator=OPA000001"));
  ASSERT_EQ(month.get(list), simdjson::SUCCESS);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(Str(list.at(0)["period"]), "2026-12");

  auto csv = Run(GetStatements, {}, "", "format=csv&operator=OPA000001");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body,
            "operator_id,period,instructions,target_kwh,delivered_kwh,paid_kwh,payments_yuan,penalties_yuan,"
            "earnings_yuan\r\n"
            "OPA000001,2026-12-04,1,400.00,380.00,380.00,1140.00,0.00,1140.00\r\n");
  bool attachment = false;
  for (const auto& [k, v] : csv.headers) {
    if (k == "Content-Disposition") {
      attachment = true;
      EXPECT_EQ(v, "attachment; filename=\"vgi-statements-day.csv\"");
    }
  }
  EXPECT_TRUE(attachment);

  ExpectError(Run(GetStatements, {}, "", "period=week"), 400, "period", "day or month");
  ExpectError(Run(GetStatements, {}, "", "format=xml"), 400, "format", "json or csv");
  ExpectError(Run(GetStatements, {}, "", "to=2026-1-1x"), 400, "to", "yyyy-MM-dd");
}

TEST_F(ApiDemandsTest, ExecutionShowsTargetBaselineAndActualMinuteByMinute) {
  ASSERT_EQ(
      Run(CreateDemand, {}, R"({"task_id": "T9", "type": "peak", "scope": {"kind": "operators", "ids": ["OPA000001"]},
      "windows": [{"start": "2026-12-04 16:10", "end": "2026-12-04 16:29", "target_kw": 30}],
      "accept_deadline": "2026-12-04 16:05"})")
          .status,
      201);
  ASSERT_TRUE(regulator_->Tick().ok());
  auto regs = store_->ListRegulations(store::RegulationFilter{});
  ASSERT_TRUE(regs.ok());
  ASSERT_EQ(regs->size(), 1u);
  store::WriteBatch accept;
  accept.feedback.push_back({kA, "T9", (*regs)[0].regulation_id, store::FeedbackKind::kOverview,
                             proto::Feedback::kAccept, std::nullopt, clock_.Now()});
  ASSERT_TRUE(store_->Commit(accept).ok());
  ASSERT_TRUE(regulator_->Tick().ok());
  // Not started: the trace is there without minutes.
  auto before = Json(Run(GetExecution, {"T9"}));
  EXPECT_EQ(Str(before["type"]), "peak");
  ASSERT_EQ(before["traces"].get_array().size(), 1u);
  EXPECT_EQ(before["traces"].at(0)["minutes"].get_array().size(), 0u);
  EXPECT_TRUE(before["traces"].at(0)["completion_percent"].is_null());
  // 100 kW up to the window (the watch's same-day reference), then 80 kW: 20 of 30 kW.
  auto power = [&](int from, int to, std::int64_t kw) {
    proto::StationPower p;
    p.station_code = std::string("ST-") + kA;
    p.credit_code = testing::kSampleCreditCode;
    p.adjust_top_power = Kilowatts::FromInt(200);
    for (int m = from; m < to; ++m)
      p.points.push_back({proto::BeijingMinute{At(16, 0).minutes + m}, Kilowatts::FromInt(kw)});
    store::WriteBatch b;
    b.power.push_back({kA, p});
    ASSERT_TRUE(store_->Commit(b).ok());
  };
  power(0, 10, 100);
  clock_.Set(BeijingTime(2026, 12, 4, 16, 10));
  ASSERT_TRUE(regulator_->Tick().ok());
  power(10, 15, 80);
  clock_.Set(BeijingTime(2026, 12, 4, 16, 15));
  ASSERT_TRUE(regulator_->Tick().ok());
  auto r = Run(GetExecution, {"T9"});
  ASSERT_EQ(r.status, 200) << r.body;
  auto t = Json(r)["traces"].at(0);
  EXPECT_EQ(Str(t["operator_id"]), kA);
  EXPECT_EQ(Str(t["start"]), "2026-12-04 16:10");
  EXPECT_DOUBLE_EQ(Num(t["target_kw"]), 30);
  EXPECT_FALSE(Str(t["reference"]).empty());
  simdjson::dom::array minutes;
  ASSERT_EQ(t["minutes"].get(minutes), simdjson::SUCCESS);
  ASSERT_EQ(minutes.size(), 5u);  // 16:10 .. 16:14
  EXPECT_EQ(Str(minutes.at(0)["minute"]), "2026-12-04 16:10");
  EXPECT_DOUBLE_EQ(Num(minutes.at(4)["baseline_kw"]), 100);
  EXPECT_DOUBLE_EQ(Num(minutes.at(4)["actual_kw"]), 80);
  EXPECT_DOUBLE_EQ(Num(minutes.at(4)["response_kw"]), 20);
  EXPECT_DOUBLE_EQ(Num(t["response_avg_kw"]), 20);
  EXPECT_DOUBLE_EQ(Num(t["completion_percent"]), 66.7);
  ExpectError(Run(GetExecution, {"nope"}), 404, "", "no such demand");
}

TEST_F(ApiDemandsTest, AlarmsAreAcknowledgedAndClosedAsStored) {
  store::AlarmRow a;
  a.type = "outbox.dead_letter";
  a.object = "OPA000001/T1-001";
  a.level = store::AlarmLevel::kMajor;
  a.module = "relay";
  a.title = "instruction undeliverable";
  a.detail = "deadline passed";
  a.first_at = a.last_at = clock_.Now();
  auto raised = store_->RaiseAlarm(a);
  ASSERT_TRUE(raised.ok());
  const std::string id = std::to_string(raised->id);

  auto list = Run(ListAlarms);
  ASSERT_EQ(list.status, 200);
  simdjson::dom::array alarms;
  ASSERT_EQ(Json(list).get(alarms), simdjson::SUCCESS);
  ASSERT_EQ(alarms.size(), 1u);
  auto shown = alarms.at(0).value();
  EXPECT_EQ(Int(shown["id"]), raised->id);
  EXPECT_EQ(Str(shown["time"]), "2026-12-04 16:00");
  EXPECT_EQ(Str(shown["type"]), "outbox.dead_letter");
  EXPECT_EQ(Str(shown["level"]), "major");
  EXPECT_EQ(Str(shown["state"]), "open");
  EXPECT_EQ(Str(shown["module"]), "relay");
  EXPECT_EQ(Str(shown["title"]), "instruction undeliverable");
  EXPECT_EQ(Str(shown["detail"]), "deadline passed");
  EXPECT_EQ(Int(shown["count"]), 1);
  EXPECT_EQ(Str(shown["first_at"]), "2026-12-04 16:00");

  auto ack = Run(AckAlarm, {id});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(audit_.object, "alarm:" + id);
  EXPECT_EQ(Str(Json(ack)["state"]), "acknowledged");
  auto stored = store_->ListAlarms(false);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->at(0).state, store::AlarmState::kAcknowledged);

  ExpectError(Run(AckAlarm, {"999"}), 404, "", "no such alarm 999");
  EXPECT_EQ(audit_.object, "alarm:999");
  ExpectError(Run(AckAlarm, {"x"}), 400, "id", "not an alarm number");
  EXPECT_EQ(audit_.object, "alarm:x");
  ExpectError(Run(CloseAlarm, {"-1"}), 400, "id", "not an alarm number");

  auto closed = Run(CloseAlarm, {id});
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(Str(Json(closed)["state"]), "closed");
  ASSERT_EQ(Json(Run(ListAlarms)).get(alarms), simdjson::SUCCESS);
  EXPECT_EQ(alarms.size(), 0u);
  ASSERT_EQ(Json(Run(ListAlarms, {}, "", "include_closed=true")).get(alarms), simdjson::SUCCESS);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(Str(alarms.at(0)["state"]), "closed");
  // Acknowledging would reopen it: refused; closing again is harmless.
  ExpectError(Run(AckAlarm, {id}), 409, "", "already closed");
  EXPECT_EQ(Run(CloseAlarm, {id}).status, 200);
  ExpectError(Run(ListAlarms, {}, "", "include_closed=maybe"), 400, "include_closed", "true or false");
}

// Every element of a JSON array answer against `schema`.
std::vector<std::string> EachViolation(const std::string& body, std::string_view schema) {
  simdjson::dom::parser p;
  simdjson::dom::array list;
  if (p.parse(body).get(list) != simdjson::SUCCESS) return {"not an array: " + body};
  std::vector<std::string> out;
  for (auto x : list) {
    for (auto& v : schema_check::Violations(simdjson::to_string(x), schema)) out.push_back(v);
  }
  return out;
}

TEST_F(ApiSettlementTest, AnswersMatchTheOpenApiSchemas) {
  using schema_check::Violations;
  using ::testing::IsEmpty;
  ASSERT_EQ(Run(CreateDemand, {}, kCreate).status, 201);
  ASSERT_TRUE(regulator_->Tick().ok());
  EXPECT_THAT(Violations(Run(GetDemand, {"T1"}).body, "Demand"), IsEmpty());
  EXPECT_THAT(Violations(Run(GetExecution, {"T1"}).body, "Execution"), IsEmpty());
  EXPECT_THAT(EachViolation(Run(ListDemands).body, "DemandSummary"), IsEmpty());
  EXPECT_THAT(EachViolation(Run(ListSettlements).body, "Settlement"), IsEmpty());
  EXPECT_THAT(EachViolation(Run(GetStatements).body, "Statement"), IsEmpty());
  store::AlarmRow a;
  a.type = "t";
  a.object = "o";
  auto raised = store_->RaiseAlarm(a);
  ASSERT_TRUE(raised.ok());
  EXPECT_THAT(EachViolation(Run(ListAlarms).body, "Alarm"), IsEmpty());
  EXPECT_THAT(Violations(Run(AckAlarm, {std::to_string(raised->id)}).body, "Alarm"), IsEmpty());
  EXPECT_THAT(Violations(Run(CancelDemand, {"T1"}, R"({"reason": "test"})").body, "Demand"), IsEmpty());
}

}  // namespace
}  // namespace vgi::console::api
