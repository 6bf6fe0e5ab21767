// The report route (api_reports.cpp) called directly over a memory store and a Regulator on a
// fake clock (2026-12-04 16:00 Beijing), with hand-computed figures: energy, peak and valley with
// their minute, average, data quality, per-period series, a demand's target energy and the
// delivered energy its settlements carry, settlement totals; the CSV's sections; every 400.
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
using ::testing::IsEmpty;

constexpr const char* kA = "OPA000001";
constexpr const char* kB = "OPB000002";

class ApiReportsTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build(WithoutForecast());
    for (const char* op : {kA, kB}) AddOperator(op, std::string("Name ") + op, 1);
    // 2026-12-03: A 10 kW 00:00-00:09 and 50 kW at 10:00; B 30 kW at 10:00 and 20 kW at 10:01.
    for (int m = 0; m < 10; ++m) Power(kA, 3, m, 10);
    Power(kA, 3, 600, 50);
    Power(kB, 3, 600, 30);
    Power(kB, 3, 601, 20);
    // 2026-12-04 (today): A 100 kW 14:00-14:59.
    for (int m = 14 * 60; m < 15 * 60; ++m) Power(kA, 4, m, 100);
  }

  void Power(const char* op, int day, int minute, int kw) {
    proto::StationPower p;
    p.station_code = std::string("ST-") + op;
    p.credit_code = testing::kSampleCreditCode;
    p.adjust_top_power = Kilowatts::FromInt(200);
    p.points.push_back({proto::BeijingMinute{proto::ToBeijingMinute(BeijingTime(2026, 12, day, 0, 0)).minutes + minute},
                        Kilowatts::FromInt(kw)});
    store::WriteBatch b;
    b.power.push_back({op, p});
    ASSERT_TRUE(store_->Commit(b).ok());
  }

  // `count` minutes from `minute` of 2026-`month`-`day` at `kw`, for station `code` of `op`.
  void PowerIn(const char* op, const std::string& code, int month, int day, int minute, int count, int kw) {
    proto::StationPower p;
    p.station_code = code;
    p.credit_code = testing::kSampleCreditCode;
    p.adjust_top_power = Kilowatts::FromInt(200);
    const int start = proto::ToBeijingMinute(BeijingTime(2026, month, day, 0, 0)).minutes + minute;
    for (int m = start; m < start + count; ++m) p.points.push_back({proto::BeijingMinute{m}, Kilowatts::FromInt(kw)});
    store::WriteBatch b;
    b.power.push_back({op, p});
    ASSERT_TRUE(store_->Commit(b).ok());
  }

  // A demand T1 (20 000 kW 18:00-19:59 today) and its settlements: A delivered 380 kWh for
  // 1140 yuan, B 100 kWh for nothing (each 400 kWh asked).
  void DemandAndSettlements() {
    auto created = Run(CreateDemand, "",
                       R"({"task_id": "T1", "type": "peak", "scope": {"kind": "all"},
                           "windows": [{"start": "2026-12-04 18:00", "end": "2026-12-04 19:59", "target_kw": "20000"}]})");
    ASSERT_EQ(created.status, 201) << created.body;
    store::EngineWrite w;
    const auto day = proto::DateOf(proto::ToBeijingMinute(BeijingTime(2026, 12, 4, 0, 0)));
    w.settlements.push_back({kA, "T1-001", "T1", day, Doc(kA, "T1-001", "380.00", "1140.00"), {}});
    w.settlements.push_back({kB, "T1-002", "T1", day, Doc(kB, "T1-002", "100.00", "0.00"), {}});
    ASSERT_TRUE(store_->ApplyEngineWrite(w).ok());
  }

  static std::string Doc(const std::string& op, const std::string& reg, const std::string& delivered,
                         const std::string& earnings) {
    const bool paid = earnings != "0.00";
    return R"({"operatorId":")" + op + R"(","taskId":"T1","regulationId":")" + reg + R"(","type":1,"earnings":")" +
           earnings + R"(","periods":[{"start":"2026-12-04 18:00","end":"2026-12-04 19:59","targetKwh":"400.00",)" +
           R"("deliveredKwh":")" + delivered + R"(","paidKwh":")" + (paid ? delivered : "0.00") +
           R"(","price":"3.0000","band":)" + (paid ? "1" : "0") + R"(,"ratioPercent":"95.0","payment":")" + earnings +
           R"(","penalty":"0.00","earnings":")" + earnings + R"("}]})";
  }

  ApiResponse Run(Handler h, std::string query, std::string body = "") {
    return Invoke(h, ToSet({Role::kDispatcher}), {}, query, std::move(body));
  }
  ApiResponse Report(const std::string& query) { return Run(GetReport, query); }

  void ExpectError(const ApiResponse& r, const std::string& field, const std::string& part) {
    EXPECT_EQ(r.status, 400) << r.body;
    auto e = Json(r);
    EXPECT_THAT(Str(e["error"]), HasSubstr(part));
    EXPECT_EQ(Str(e["field"]), field);
  }
};

TEST_F(ApiReportsTest, DayReportHasEnergyPeakValleyAverageAndQualityPerOperatorAndInTotal) {
  auto r = Report("period=day&date=2026-12-03");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r);
  EXPECT_EQ(Str(d["period"]), "day");
  EXPECT_EQ(Str(d["from"]), "2026-12-03");
  EXPECT_EQ(Str(d["to"]), "2026-12-03");
  EXPECT_TRUE(d["operator"].is_null());
  auto a = d["load"]["by_operator"].at(0).value();
  EXPECT_EQ(Str(a["operator_id"]), kA);
  EXPECT_EQ(Str(a["name"]), std::string("Name ") + kA);
  EXPECT_DOUBLE_EQ(Num(a["energy_kwh"]), 2.5);  // (10 × 10 + 50) kW·min / 60
  EXPECT_DOUBLE_EQ(Num(a["peak_kw"]), 50);
  EXPECT_EQ(Str(a["peak_at"]), "2026-12-03 10:00");
  EXPECT_DOUBLE_EQ(Num(a["valley_kw"]), 10);
  EXPECT_EQ(Str(a["valley_at"]), "2026-12-03 00:00");
  EXPECT_DOUBLE_EQ(Num(a["average_kw"]), 0.10);           // 150 kW·min / 1440 min
  EXPECT_DOUBLE_EQ(Num(a["data_quality_percent"]), 0.8);  // 11 / (1 × 1440)
  auto b = d["load"]["by_operator"].at(1).value();
  EXPECT_DOUBLE_EQ(Num(b["energy_kwh"]), 0.83);  // 50 / 60
  EXPECT_DOUBLE_EQ(Num(b["peak_kw"]), 30);
  EXPECT_DOUBLE_EQ(Num(b["valley_kw"]), 20);
  EXPECT_EQ(Str(b["valley_at"]), "2026-12-03 10:01");
  // The total's curve: 10 kW at 00:00-00:09, 80 at 10:00, 20 at 10:01.
  auto t = d["load"]["total"];
  EXPECT_EQ(Str(t["operator_id"]), "total");
  EXPECT_DOUBLE_EQ(Num(t["energy_kwh"]), 3.33);  // 200 / 60
  EXPECT_DOUBLE_EQ(Num(t["peak_kw"]), 80);
  EXPECT_EQ(Str(t["peak_at"]), "2026-12-03 10:00");
  EXPECT_DOUBLE_EQ(Num(t["valley_kw"]), 10);
  EXPECT_EQ(Str(t["valley_at"]), "2026-12-03 00:00");
  EXPECT_DOUBLE_EQ(Num(t["data_quality_percent"]), 0.5);  // 13 / (2 × 1440) = 0.45 %
  // Hourly energy: 100/60 in hour 0, 100/60 in hour 10.
  simdjson::dom::array series;
  ASSERT_EQ(d["load"]["series"].get(series), simdjson::SUCCESS);
  ASSERT_EQ(series.size(), 24u);
  EXPECT_EQ(Str(series.at(10)["label"]), "10:00");
  EXPECT_DOUBLE_EQ(Num(series.at(0)["energy_kwh"]), 1.67);
  EXPECT_DOUBLE_EQ(Num(series.at(10)["energy_kwh"]), 1.67);
  EXPECT_DOUBLE_EQ(Num(series.at(11)["energy_kwh"]), 0);
  EXPECT_THAT(schema_check::Violations(r.body, "Report"), IsEmpty());
}

TEST_F(ApiReportsTest, AMonthSumsItsDaysUpToNowAndAnOperatorFilterKeepsOnlyIt) {
  auto r = Report("period=month&date=2026-12&operator=OPA000001");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r);
  EXPECT_EQ(Str(d["from"]), "2026-12-01");
  EXPECT_EQ(Str(d["to"]), "2026-12-04");  // the month runs: today is its last day so far
  EXPECT_EQ(Str(d["operator"]), kA);
  simdjson::dom::array ops;
  ASSERT_EQ(d["load"]["by_operator"].get(ops), simdjson::SUCCESS);
  ASSERT_EQ(ops.size(), 1u);
  auto a = ops.at(0).value();
  EXPECT_DOUBLE_EQ(Num(a["energy_kwh"]), 102.5);  // 2.50 + 60 × 100 / 60
  EXPECT_DOUBLE_EQ(Num(a["peak_kw"]), 100);
  EXPECT_EQ(Str(a["peak_at"]), "2026-12-04 14:00");
  EXPECT_DOUBLE_EQ(Num(a["valley_kw"]), 10);
  EXPECT_EQ(Str(a["valley_at"]), "2026-12-03 00:00");
  // Elapsed minutes: 3 whole days and today's 960 before 16:00.
  EXPECT_DOUBLE_EQ(Num(a["data_quality_percent"]), 1.3);  // 71 / 5280
  EXPECT_DOUBLE_EQ(Num(a["average_kw"]), 1.16);           // 6150 kW·min / 5280
  simdjson::dom::array series;
  ASSERT_EQ(d["load"]["series"].get(series), simdjson::SUCCESS);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(Str(series.at(0)["label"]), "2026-12-01");
  EXPECT_DOUBLE_EQ(Num(series.at(0)["energy_kwh"]), 0);
  EXPECT_DOUBLE_EQ(Num(series.at(2)["energy_kwh"]), 2.5);
  EXPECT_DOUBLE_EQ(Num(series.at(3)["energy_kwh"]), 100);
  EXPECT_DOUBLE_EQ(Num(d["load"]["total"]["energy_kwh"]), 102.5);

  auto y = Json(Report("period=year&date=2026"));
  EXPECT_EQ(Str(y["from"]), "2026-01-01");
  EXPECT_EQ(Str(y["to"]), "2026-12-04");
  ASSERT_EQ(y["load"]["series"].get(series), simdjson::SUCCESS);
  ASSERT_EQ(series.size(), 12u);
  EXPECT_EQ(Str(series.at(11)["label"]), "2026-12");
  EXPECT_DOUBLE_EQ(Num(series.at(11)["energy_kwh"]), 103.33);  // 6200 / 60
  EXPECT_DOUBLE_EQ(Num(series.at(0)["energy_kwh"]), 0);
  EXPECT_DOUBLE_EQ(Num(y["load"]["total"]["peak_kw"]), 100);

  // A past year is whole.
  auto past = Json(Report("period=year&date=2025"));
  EXPECT_EQ(Str(past["to"]), "2025-12-31");
  EXPECT_TRUE(past["load"]["total"]["peak_kw"].is_null());
  EXPECT_DOUBLE_EQ(Num(past["load"]["total"]["data_quality_percent"]), 0);
}

// November 2026 (a past month: 30 whole days, 43 200 minutes) read from the operator-day sums.
// A (1 active station): 60 kW 11-02 08:00-08:29, 5 kW all of 11-10, 120 kW 11-20 19:00-19:09.
// B (1 active station): 40 kW 11-02 08:00-08:09; on 11-30 23:00-23:59 its station 30 kW and a
// station outside its index ("ST-X") 5 kW, so that day 2 stations reported.
TEST_F(ApiReportsTest, AMonthOfTwoOperatorsSumsTheirOperatorDays) {
  const std::string sa = std::string("ST-") + kA, sb = std::string("ST-") + kB;
  PowerIn(kA, sa, 11, 2, 8 * 60, 30, 60);
  PowerIn(kA, sa, 11, 10, 0, 1440, 5);
  PowerIn(kA, sa, 11, 20, 19 * 60, 10, 120);
  PowerIn(kB, sb, 11, 2, 8 * 60, 10, 40);
  PowerIn(kB, sb, 11, 30, 23 * 60, 60, 30);
  PowerIn(kB, "ST-X", 11, 30, 23 * 60, 60, 5);

  auto r = Report("period=month&date=2026-11");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(schema_check::Violations(r.body, "Report"), IsEmpty());
  auto d = Json(r);
  EXPECT_EQ(Str(d["from"]), "2026-11-01");
  EXPECT_EQ(Str(d["to"]), "2026-11-30");
  auto a = d["load"]["by_operator"].at(0).value();
  EXPECT_EQ(Str(a["operator_id"]), kA);
  EXPECT_DOUBLE_EQ(Num(a["energy_kwh"]), 170);  // (30 × 60 + 1440 × 5 + 10 × 120) = 10 200 kW·min
  EXPECT_DOUBLE_EQ(Num(a["peak_kw"]), 120);
  EXPECT_EQ(Str(a["peak_at"]), "2026-11-20 19:00");
  EXPECT_DOUBLE_EQ(Num(a["valley_kw"]), 5);
  EXPECT_EQ(Str(a["valley_at"]), "2026-11-10 00:00");
  EXPECT_DOUBLE_EQ(Num(a["average_kw"]), 0.24);           // 10 200 / 43 200
  EXPECT_DOUBLE_EQ(Num(a["data_quality_percent"]), 3.4);  // 1480 / (1 × 43 200) = 3.43 %
  auto b = d["load"]["by_operator"].at(1).value();
  EXPECT_EQ(Str(b["operator_id"]), kB);
  EXPECT_DOUBLE_EQ(Num(b["energy_kwh"]), 41.67);  // (10 × 40 + 60 × 30 + 60 × 5) = 2500 kW·min
  EXPECT_DOUBLE_EQ(Num(b["peak_kw"]), 40);
  EXPECT_EQ(Str(b["peak_at"]), "2026-11-02 08:00");
  EXPECT_DOUBLE_EQ(Num(b["valley_kw"]), 35);
  EXPECT_EQ(Str(b["valley_at"]), "2026-11-30 23:00");
  EXPECT_DOUBLE_EQ(Num(b["average_kw"]), 0.06);  // 2500 / 43 200
  // Possible: 29 days × max(1 active, 0 or 1 reporting) + 11-30 × max(1 active, 2 reporting),
  // × 1440 = 44 640; present 10 + 60 + 60 = 130 → 0.29 %.
  EXPECT_DOUBLE_EQ(Num(b["data_quality_percent"]), 0.3);
  // The total curve: 100 kW 11-02 08:00-08:09, 60 08:10-08:29, 5 all of 11-10, 120 11-20
  // 19:00-19:09, 35 11-30 23:00-23:59.
  auto t = d["load"]["total"];
  EXPECT_DOUBLE_EQ(Num(t["energy_kwh"]), 211.67);  // 12 700 / 60
  EXPECT_DOUBLE_EQ(Num(t["peak_kw"]), 120);
  EXPECT_EQ(Str(t["peak_at"]), "2026-11-20 19:00");
  EXPECT_DOUBLE_EQ(Num(t["valley_kw"]), 5);
  EXPECT_EQ(Str(t["valley_at"]), "2026-11-10 00:00");
  EXPECT_DOUBLE_EQ(Num(t["average_kw"]), 0.29);           // 12 700 / 43 200
  EXPECT_DOUBLE_EQ(Num(t["data_quality_percent"]), 1.8);  // 1610 / 87 840 = 1.83 %
  simdjson::dom::array series;
  ASSERT_EQ(d["load"]["series"].get(series), simdjson::SUCCESS);
  ASSERT_EQ(series.size(), 30u);
  EXPECT_EQ(Str(series.at(1)["label"]), "2026-11-02");
  EXPECT_DOUBLE_EQ(Num(series.at(1)["energy_kwh"]), 36.67);  // (1800 + 400) / 60
  EXPECT_DOUBLE_EQ(Num(series.at(9)["energy_kwh"]), 120);
  EXPECT_DOUBLE_EQ(Num(series.at(19)["energy_kwh"]), 20);
  EXPECT_DOUBLE_EQ(Num(series.at(29)["energy_kwh"]), 35);
  EXPECT_DOUBLE_EQ(Num(series.at(0)["energy_kwh"]), 0);

  // The year is read in chunks of days; November and December (SetUp) both count.
  auto y = Json(Report("period=year&date=2026"));
  ASSERT_EQ(y["load"]["series"].get(series), simdjson::SUCCESS);
  ASSERT_EQ(series.size(), 12u);
  EXPECT_DOUBLE_EQ(Num(series.at(10)["energy_kwh"]), 211.67);
  EXPECT_DOUBLE_EQ(Num(series.at(11)["energy_kwh"]), 103.33);
  EXPECT_DOUBLE_EQ(Num(y["load"]["total"]["energy_kwh"]), 315);  // (12 700 + 6200) / 60
  EXPECT_DOUBLE_EQ(Num(y["load"]["total"]["peak_kw"]), 120);
  EXPECT_EQ(Str(y["load"]["total"]["peak_at"]), "2026-11-20 19:00");
  EXPECT_DOUBLE_EQ(Num(y["load"]["total"]["valley_kw"]), 5);
  EXPECT_EQ(Str(y["load"]["total"]["valley_at"]), "2026-11-10 00:00");
}

TEST_F(ApiReportsTest, ResponseAndSettlementSections) {
  DemandAndSettlements();
  auto r = Report("period=day&date=2026-12-04");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r);
  simdjson::dom::array demands;
  ASSERT_EQ(d["response"]["demands"].get(demands), simdjson::SUCCESS);
  ASSERT_EQ(demands.size(), 1u);
  auto t1 = demands.at(0).value();
  EXPECT_EQ(Str(t1["task_id"]), "T1");
  EXPECT_EQ(Str(t1["type"]), "peak");
  EXPECT_EQ(Str(t1["state"]), "draft");
  EXPECT_EQ(Str(t1["start"]), "2026-12-04 18:00");
  EXPECT_DOUBLE_EQ(Num(t1["target_kwh"]), 40000);  // 20 000 kW × 2 h
  EXPECT_DOUBLE_EQ(Num(t1["accepted_kwh"]), 0);    // no instruction yet
  EXPECT_DOUBLE_EQ(Num(t1["delivered_kwh"]), 480);
  EXPECT_DOUBLE_EQ(Num(t1["completion_percent"]), 1.2);
  EXPECT_DOUBLE_EQ(Num(d["response"]["total"]["target_kwh"]), 40000);
  EXPECT_DOUBLE_EQ(Num(d["response"]["total"]["delivered_kwh"]), 480);

  simdjson::dom::array settle;
  ASSERT_EQ(d["settlement"]["by_operator"].get(settle), simdjson::SUCCESS);
  ASSERT_EQ(settle.size(), 2u);
  EXPECT_EQ(Str(settle.at(0)["operator_id"]), kA);
  EXPECT_DOUBLE_EQ(Num(settle.at(0)["delivered_kwh"]), 380);
  EXPECT_DOUBLE_EQ(Num(settle.at(0)["earnings_yuan"]), 1140);
  EXPECT_DOUBLE_EQ(Num(settle.at(1)["earnings_yuan"]), 0);
  auto total = d["settlement"]["total"];
  EXPECT_EQ(Str(total["operator_id"]), "total");
  EXPECT_EQ(total["instructions"].get_int64().value(), 2);
  EXPECT_DOUBLE_EQ(Num(total["target_kwh"]), 800);
  EXPECT_DOUBLE_EQ(Num(total["delivered_kwh"]), 480);
  EXPECT_DOUBLE_EQ(Num(total["payments_yuan"]), 1140);
  EXPECT_DOUBLE_EQ(Num(total["penalties_yuan"]), 0);
  EXPECT_DOUBLE_EQ(Num(total["earnings_yuan"]), 1140);
  EXPECT_THAT(schema_check::Violations(r.body, "Report"), IsEmpty());

  // A day before: neither the demand nor its settlement.
  auto before = Json(Report("period=day&date=2026-12-03"));
  ASSERT_EQ(before["response"]["demands"].get(demands), simdjson::SUCCESS);
  EXPECT_EQ(demands.size(), 0u);
  EXPECT_TRUE(before["response"]["total"]["completion_percent"].is_null());
  EXPECT_DOUBLE_EQ(Num(before["settlement"]["total"]["earnings_yuan"]), 0);
  // The year (monthly statements) has the same totals; an operator keeps its own settlement only and
  // no demand without an instruction to it.
  auto year = Json(Report("period=year&date=2026"));
  EXPECT_DOUBLE_EQ(Num(year["settlement"]["total"]["earnings_yuan"]), 1140);
  auto b = Json(Report("period=month&date=2026-12&operator=OPB000002"));
  ASSERT_EQ(b["settlement"]["by_operator"].get(settle), simdjson::SUCCESS);
  ASSERT_EQ(settle.size(), 1u);
  EXPECT_DOUBLE_EQ(Num(b["settlement"]["total"]["delivered_kwh"]), 100);
  ASSERT_EQ(b["response"]["demands"].get(demands), simdjson::SUCCESS);
  EXPECT_EQ(demands.size(), 0u);
}

TEST_F(ApiReportsTest, CsvHasThreeSectionsWithHeaderLinesAsAnAttachment) {
  DemandAndSettlements();
  auto r = Report("period=day&date=2026-12-04&format=csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "Content-Disposition", "attachment; filename=\"vgi-report-day-2026-12-04.csv\"")));
  EXPECT_THAT(r.body, HasSubstr("# load\r\noperator_id,name,energy_kwh,peak_kw,peak_at,valley_kw,valley_at,average_kw,"
                                "data_quality_percent\r\nOPA000001,Name OPA000001,100.00,100.00,2026-12-04 14:00,"
                                "100.00,2026-12-04 14:00,6.25,6.3\r\n"));  // 6000 / 960; 60 / 960
  EXPECT_THAT(r.body, HasSubstr("\r\nOPB000002,Name OPB000002,0.00,,,,,0.00,0.0\r\n"));
  EXPECT_THAT(r.body, HasSubstr("\r\n# response\r\ntask_id,type,state,start,target_kwh,accepted_kwh,delivered_kwh,"
                                "completion_percent\r\nT1,peak,draft,2026-12-04 18:00,40000.00,0.00,480.00,1.2\r\n"
                                "total,,,,40000.00,0.00,480.00,1.2\r\n"));
  EXPECT_THAT(r.body, HasSubstr("\r\n# settlement\r\noperator_id,instructions,target_kwh,delivered_kwh,payments_yuan,"
                                "penalties_yuan,earnings_yuan\r\nOPA000001,1,400.00,380.00,1140.00,0.00,1140.00\r\n"
                                "OPB000002,1,400.00,100.00,0.00,0.00,0.00\r\n"
                                "total,2,800.00,480.00,1140.00,0.00,1140.00\r\n"));
  auto m = Report("period=month&date=2026-11&format=csv");
  EXPECT_THAT(m.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "Content-Disposition", "attachment; filename=\"vgi-report-month-2026-11.csv\"")));
}

TEST_F(ApiReportsTest, BadParametersAnswer400NamingTheField) {
  ExpectError(Report("date=2026-12-03"), "period", "must be day, month or year");
  ExpectError(Report("period=week&date=2026-12-03"), "period", "must be day, month or year");
  ExpectError(Report("period=day"), "date", "use yyyy-MM-dd");
  ExpectError(Report("period=day&date=2026-12"), "date", "is not a day; use yyyy-MM-dd");
  ExpectError(Report("period=day&date=2026-02-30"), "date", "yyyy-MM-dd");
  ExpectError(Report("period=month&date=2026-13"), "date", "is not a month; use yyyy-MM");
  ExpectError(Report("period=month&date=2026-1x"), "date", "yyyy-MM");
  ExpectError(Report("period=year&date=26"), "date", "is not a year; use yyyy");
  ExpectError(Report("period=day&date=2026-12-05"), "date", "date: 2026-12-05 has not happened yet");
  ExpectError(Report("period=month&date=2027-01"), "date", "has not happened yet");
  ExpectError(Report("period=year&date=2027"), "date", "has not happened yet");
  ExpectError(Report("period=day&date=2026-12-03&format=xml"), "format", "json or csv");
  ExpectError(Report("period=day&date=2026-12-03&operator=NOPE"), "operator", "no such operator NOPE");
}

}  // namespace
}  // namespace vgi::console::api
