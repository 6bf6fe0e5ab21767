// The Regulator's lifecycle over a store reopened before every step (regulator_test_fixture.hpp).
#include "regulator_test_fixture.hpp"

namespace vgi::engine {
namespace {

TEST_F(RegulatorTest, WholeLifecycleWithRejectionPartialRedispatchMeasurementAndSettlement) {
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(90)).ok());
  EXPECT_EQ(View("T1").state, store::DemandState::kDraft);

  // Decomposition: 3 operators × 100 kW potential, 10 % reserve → 30 kW each.
  EXPECT_EQ(Tick().instructions_sent, 3);
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 3u);
  std::map<std::string, proto::Instruction> first;
  for (const auto& c : sent) first[c.operator_id] = Decode(c);
  for (const char* op : {kA, kB, kC}) {
    EXPECT_EQ(first[op].range_type, proto::RangeType::kOperator);
    EXPECT_THAT(first[op].adjust_ids, ElementsAre(op));
    ASSERT_EQ(first[op].targets.size(), 1u);
    EXPECT_EQ(first[op].targets[0].target_power, Kw(30));
  }
  auto v = View("T1");
  EXPECT_EQ(v.state, store::DemandState::kDispatched);
  ASSERT_EQ(v.instructions.size(), 3u);
  EXPECT_THAT(v.instructions[0].explanation[0], HasSubstr("allocated 30.00 kW"));

  // A accepts, B rejects, C takes 15 of its 30 kW.
  clock_.Advance(std::chrono::minutes(1));
  Overview(kA, "T1", first[kA].regulation_id, true);
  Overview(kB, "T1", first[kB].regulation_id, false);
  Check(kC, first[kC], Kw(15));
  auto stats = Tick();
  EXPECT_EQ(stats.answers_taken, 3);
  EXPECT_EQ(stats.redispatched, 1);
  v = View("T1");
  EXPECT_NE(Of(v, kB, RegulationState::kRejected), nullptr);
  ASSERT_NE(Of(v, kC, RegulationState::kPartial), nullptr);
  // The 45 kW shortfall goes to A, the only one with room left (usable 90 − 30 held): a change
  // raising it to 75 kW.
  auto redispatch = Deliver();
  ASSERT_EQ(redispatch.size(), 1u);
  EXPECT_EQ(redispatch[0].operator_id, kA);
  const auto change = Decode(redispatch[0]);
  EXPECT_EQ(change.synchro_type, proto::SynchroType::kChange);
  EXPECT_EQ(change.task_id, "T1");
  EXPECT_NE(change.regulation_id, first[kA].regulation_id);
  EXPECT_EQ(change.targets[0].target_power, Kw(75));
  // While the change awaits its answer: 45 kW accepted, A's extra 45 kW awaited, nothing uncovered.
  v = View("T1");
  EXPECT_EQ(v.coverage[0].accepted, Kw(45));
  EXPECT_EQ(v.coverage[0].uncovered, Kw(0));

  clock_.Advance(std::chrono::minutes(1));
  Overview(kA, "T1", change.regulation_id, true);
  Tick();
  v = View("T1");
  EXPECT_NE(Of(v, kA, RegulationState::kSuperseded), nullptr);
  ASSERT_NE(Of(v, kA, RegulationState::kAccepted), nullptr);
  ASSERT_EQ(v.coverage.size(), 1u);
  EXPECT_EQ(v.coverage[0].accepted, Kw(90));
  EXPECT_EQ(v.coverage[0].uncovered, Kw(0));

  // Execution: the operators keep 100 kW until 18:00, then A draws 25 kW and C 85 kW.
  for (const char* op : {kA, kB, kC}) Power(op, At(16, 0), At(18, 0), 100);
  clock_.Set(BeijingTime(2026, 12, 4, 18, 0));
  Tick();
  EXPECT_NE(Of(View("T1"), kA, RegulationState::kExecuting), nullptr);
  Power(kA, At(18, 0), At(19, 5), 25);
  Power(kC, At(18, 0), At(19, 5), 85);
  clock_.Set(BeijingTime(2026, 12, 4, 19, 5));  // last minute 18:59 + 1 + 5 min for late data
  stats = Tick();
  EXPECT_EQ(stats.measured, 2);
  v = View("T1");
  const auto* a = Of(v, kA, RegulationState::kEvaluated);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->measured.size(), 1u);
  EXPECT_DOUBLE_EQ(a->measured[0].completion_percent, 100.0);
  EXPECT_EQ(a->measured[0].delivered.ToString(), "75.00");  // 75 kW for 60 minutes
  EXPECT_EQ(a->measured[0].baseline_average, Kw(100));
  EXPECT_EQ(a->earnings->ToString(), "225.00");  // 75 kWh × 3 yuan
  EXPECT_EQ(Of(v, kC, RegulationState::kEvaluated)->earnings->ToString(), "45.00");

  // The settlement pushes go out; acknowledged, the instructions are settled and the demand done.
  auto pushes = Deliver();
  ASSERT_EQ(pushes.size(), 2u);
  for (const auto& p : pushes) {
    EXPECT_EQ(p.interface, proto::Interface::kExchangeInviteplanPush);
    auto push = proto::DecodeData<proto::SettlementPush>(p.data_json);
    ASSERT_TRUE(push.ok());
    ASSERT_EQ(push->points.size(), 1u);
    EXPECT_EQ(push->points[0].earnings.ToString(), p.operator_id == kA ? "225.00" : "45.00");
  }
  EXPECT_EQ(Tick().settled, 2);
  v = View("T1");
  EXPECT_EQ(v.state, store::DemandState::kDone);
  auto statements = regulator_->Statements({}, false);
  ASSERT_TRUE(statements.ok());
  ASSERT_EQ(statements->size(), 2u);
  EXPECT_EQ((*statements)[0].operator_id, kA);
  EXPECT_EQ((*statements)[0].period, "2026-12-04");
  EXPECT_EQ((*statements)[0].earnings.ToString(), "225.00");
}

TEST_F(RegulatorTest, CancelSendsSynchroType3ForEveryLiveInstruction) {
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(60)).ok());
  Tick();
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 3u);
  Reopen();
  auto v = regulator_->CancelDemand("T1", "grid recovered");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->state, store::DemandState::kCancelled);
  for (const auto& i : v->instructions) EXPECT_EQ(i.state, RegulationState::kCancelled) << i.regulation_id;
  auto cancels = Deliver();
  ASSERT_EQ(cancels.size(), 3u);
  for (const auto& c : cancels) EXPECT_EQ(Decode(c).synchro_type, proto::SynchroType::kCancel);
  EXPECT_EQ(regulator_->CancelDemand("T1", "").status().code(), StatusCode::kRefused);
  EXPECT_EQ(Tick().instructions_sent, 0);
}

TEST_F(RegulatorTest, ChangeBeforeTheStartSendsChangesWithNewRegulationIds) {
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(60)).ok());
  Tick();
  auto sent = Deliver();
  Reopen();
  auto v = regulator_->ChangeDemand("T1", {{Kw(30), At(18, 30), At(18, 59)}});
  ASSERT_TRUE(v.ok()) << v.status();
  auto changes = Deliver();
  ASSERT_EQ(changes.size(), 3u);
  for (const auto& c : changes) {
    const auto in = Decode(c);
    EXPECT_EQ(in.synchro_type, proto::SynchroType::kChange);
    EXPECT_EQ(in.targets[0].target_power, Kw(10));
    EXPECT_EQ(in.targets[0].start_time, At(18, 30));
  }
  clock_.Set(BeijingTime(2026, 12, 4, 18, 31));
  EXPECT_EQ(regulator_->ChangeDemand("T1", {{Kw(30), At(19, 0), At(19, 59)}}).status().code(), StatusCode::kRefused);
}

TEST_F(RegulatorTest, SilentOperatorIsAskedAtTheDeadlineAndFailsAtTheStart) {
  auto spec = PeakSpec(60);
  spec.accept_deadline = At(17, 0);
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  Deliver();
  clock_.Set(BeijingTime(2026, 12, 4, 17, 0));
  Tick();
  auto queries = Deliver(
      proto::EncodeData(proto::InstructionResult{testing::SampleInstruction(), proto::InstructionStatus::kProcessing}));
  ASSERT_EQ(queries.size(), 3u);
  EXPECT_EQ(queries[0].interface, proto::Interface::kQueryTaskResult);
  clock_.Set(BeijingTime(2026, 12, 4, 18, 0));
  Tick();
  auto v = View("T1");
  for (const auto& i : v.instructions) {
    EXPECT_EQ(i.state, RegulationState::kFailed);
    EXPECT_THAT(i.note, HasSubstr("no answer by the start"));
  }
  Tick();
  EXPECT_EQ(View("T1").state, store::DemandState::kDone);
}

TEST_F(RegulatorTest, QueryAnswerAcceptsAndUnderDeliveryRaisesTheLiveAlarm) {
  config_.shortfall_minutes = 3;
  config_.shortfall_share_percent = 80;
  auto spec = PeakSpec(30);
  spec.scope = {ScopeKind::kOperators, {kA}};
  spec.accept_deadline = At(17, 0);
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 1u);
  auto in = Decode(sent[0]);
  EXPECT_EQ(in.targets[0].target_power, Kw(30));
  clock_.Set(BeijingTime(2026, 12, 4, 17, 0));
  Tick();
  Deliver(proto::EncodeData(proto::InstructionResult{in, proto::InstructionStatus::kAccepted}));
  Tick();
  EXPECT_NE(Of(View("T1"), kA, RegulationState::kAccepted), nullptr);
  Power(kA, At(16, 0), At(18, 0), 100);
  clock_.Set(BeijingTime(2026, 12, 4, 18, 0));
  Tick();
  Power(kA, At(18, 0), At(18, 5), 95);  // 5 kW of 30: below 80 %
  clock_.Set(BeijingTime(2026, 12, 4, 18, 5));
  Tick();
  auto alarms = store_->ListAlarms(false);
  ASSERT_TRUE(alarms.ok());
  ASSERT_EQ(alarms->size(), 1u);
  EXPECT_EQ((*alarms)[0].type, "execution.shortfall");
  EXPECT_THAT((*alarms)[0].detail, HasSubstr("below 80 % of its 30.00 kW target for 3 minutes"));

  // The console's live view: the accepted window minute by minute against the watch's reference
  // (same-day baseline here: 100 kW), 95 kW actual, 5 kW response; a missing minute has no actual.
  auto trace = regulator_->Execution("T1");
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->size(), 1u);
  const ExecutionTrace& t = (*trace)[0];
  EXPECT_EQ(t.operator_id, kA);
  EXPECT_EQ(t.window.target_power, Kw(30));
  EXPECT_FALSE(t.reference.empty());
  ASSERT_EQ(t.minutes.size(), 5u);  // 18:00 .. 18:04, the last complete minute
  for (const auto& m : t.minutes) {
    ASSERT_TRUE(m.baseline && m.actual && m.response) << proto::FormatMinute(m.at);
    EXPECT_EQ(*m.baseline, Kw(100));
    EXPECT_EQ(*m.actual, Kw(95));
    EXPECT_EQ(*m.response, Kw(5));
  }
  clock_.Set(BeijingTime(2026, 12, 4, 18, 8));  // 18:05..18:07 not reported
  trace = regulator_->Execution("T1");
  ASSERT_TRUE(trace.ok());
  ASSERT_EQ((*trace)[0].minutes.size(), 8u);
  EXPECT_FALSE((*trace)[0].minutes[6].actual.has_value());
  EXPECT_FALSE((*trace)[0].minutes[6].response.has_value());
  EXPECT_EQ(regulator_->Execution("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(RegulatorTest, BadDemandsAreRefusedNamingTheField) {
  auto spec = PeakSpec(0);
  EXPECT_THAT(regulator_->CreateDemand(spec).status().message(),
              HasSubstr("windows[0].target: 0.00 kW must be greater than 0"));
  spec = PeakSpec(10);
  spec.windows[0].start_time = At(15, 0);
  EXPECT_THAT(regulator_->CreateDemand(spec).status().message(),
              HasSubstr("windows[0].start: 2026-12-04 15:00 has passed"));
  spec = PeakSpec(10);
  spec.scope = {ScopeKind::kAreas, {"1"}};
  EXPECT_THAT(regulator_->CreateDemand(spec).status().message(),
              HasSubstr("scope.ids[0]: \"1\" is not an area code prefix"));
  spec = PeakSpec(10);
  spec.windows.push_back({Kw(5), At(18, 30), At(19, 0)});
  EXPECT_THAT(regulator_->CreateDemand(spec).status().message(),
              HasSubstr("windows[1].start: 2026-12-04 18:30 overlaps windows[0]"));
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(10)).ok());
  EXPECT_EQ(regulator_->CreateDemand(PeakSpec(10)).status().code(), StatusCode::kConflict);
}

TEST_F(RegulatorTest, AreaScopeSendsOneStationInstructionPerStationInTheArea) {
  // A has a second station in the area and a third outside it (area codes 120101 / 310101).
  proto::StationInfoPage page = testing::SampleStationInfoPage(3, 2);
  for (int i = 0; i < 3; ++i) {
    page.stations[static_cast<std::size_t>(i)].operator_id = kA;
    page.stations[static_cast<std::size_t>(i)].code = "ST-" + std::string(kA) + (i == 0 ? "" : "-" + std::to_string(i));
  }
  page.stations[2].area_code = "310101";
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  proto::StationPower p;
  for (const char* code : {"ST-OPA000001-1", "ST-OPA000001-2"}) {
    p.station_code = code;
    p.credit_code = testing::kSampleCreditCode;
    p.adjust_top_power = Kw(200);
    p.adjust_bottom_power = Kw(0);
    p.points = {{At(15, 59), Kw(100)}};
    store::WriteBatch b;
    b.power.push_back({kA, p});
    ASSERT_TRUE(store_->Commit(b).ok());
  }
  auto spec = PeakSpec(40);
  spec.scope = {ScopeKind::kAreas, {"1201"}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 4u);  // A's two stations in 1201, B's and C's one each; not A's 3101 station
  std::set<std::string> ids;
  for (const auto& c : sent) {
    const auto in = Decode(c);
    EXPECT_EQ(in.range_type, proto::RangeType::kStation);
    ASSERT_EQ(in.adjust_ids.size(), 1u);
    ids.insert(c.operator_id + "/" + in.adjust_ids[0]);
    EXPECT_EQ(in.credit_code, testing::kSampleCreditCode);
    EXPECT_EQ(in.targets[0].target_power, Kw(10));  // equal potential, equal share
  }
  EXPECT_THAT(ids, ::testing::ElementsAre("OPA000001/ST-OPA000001", "OPA000001/ST-OPA000001-1",
                                          "OPB000002/ST-OPB000002", "OPC000003/ST-OPC000003"));
  // One station rejecting is re-dispatched over the other three stations.
  Overview(kA, "T1", Decode(sent[0]).regulation_id, false);
  for (std::size_t i = 1; i < sent.size(); ++i)
    Overview(sent[i].operator_id, "T1", Decode(sent[i]).regulation_id, true);
  EXPECT_EQ(Tick().redispatched, 1);
  auto changes = Deliver();
  ASSERT_EQ(changes.size(), 3u);
  Kilowatts total;
  for (const auto& c : changes) {
    const auto in = Decode(c);
    EXPECT_EQ(in.synchro_type, proto::SynchroType::kChange);
    total = total + in.targets[0].target_power;
  }
  EXPECT_EQ(total, Kw(40));
}

TEST_F(RegulatorTest, TheExpectedPotentialComesFromTheSimilarDayForecastMadeOncePerDay) {
  // Yesterday (Thursday, a weekday like today) A ran at 300 kW and B at 100 kW in the window; C
  // has no history and stands on its current reading (100 kW). Potentials 300 / 100 / 100.
  config_.forecast_days = 1;
  Reopen();
  const proto::BeijingMinute yesterday{At(18, 0).minutes - 1440};
  Power(kA, yesterday, proto::BeijingMinute{yesterday.minutes + 60}, 300);
  Power(kB, yesterday, proto::BeijingMinute{yesterday.minutes + 60}, 100);
  // The day's first tick makes today's forecasts of every enabled operator before any demand.
  auto tick = regulator_->Tick();  // this Regulator keeps its forecasts: no Reopen
  ASSERT_TRUE(tick.ok());
  EXPECT_EQ(tick->forecasts_made, 3);
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(100)).ok());
  tick = regulator_->Tick();
  ASSERT_TRUE(tick.ok());
  EXPECT_EQ(tick->forecasts_made, 0);
  std::map<std::string, Kilowatts> asked;
  for (const auto& c : Deliver()) asked[c.operator_id] = Decode(c).targets[0].target_power;
  EXPECT_EQ(asked[kA], Kw(60));
  EXPECT_EQ(asked[kB], Kw(20));
  EXPECT_EQ(asked[kC], Kw(20));
  auto v = regulator_->GetDemand("T1");
  ASSERT_TRUE(v.ok());
  for (const auto& i : v->instructions) {
    EXPECT_THAT(i.explanation[0], HasSubstr("1 of 1 stations reporting; "s +
                                            (i.operator_id == kC ? "current readings" : "similar-day forecast")))
        << i.operator_id;
  }

  // Late history for yesterday does not move today's forecast in this process (made once a day);
  // a restarted engine makes it again from what is stored.
  Power(kB, yesterday, proto::BeijingMinute{yesterday.minutes + 60}, 300);
  auto second = PeakSpec(100);
  second.task_id = "T2";
  ASSERT_TRUE(regulator_->CreateDemand(second).ok());
  tick = regulator_->Tick();
  ASSERT_TRUE(tick.ok());
  EXPECT_EQ(tick->forecasts_made, 0);
  for (const auto& c : Deliver()) asked[c.operator_id] = Decode(c).targets[0].target_power;
  EXPECT_EQ(asked[kB], Kw(20));
  Reopen();
  auto third = PeakSpec(140);
  third.task_id = "T3";
  ASSERT_TRUE(regulator_->CreateDemand(third).ok());
  ASSERT_TRUE(regulator_->Tick().ok());
  for (const auto& c : Deliver()) asked[c.operator_id] = Decode(c).targets[0].target_power;
  EXPECT_EQ(asked[kA], Kw(60));  // 300 / 700 of 140
  EXPECT_EQ(asked[kB], Kw(60));
  EXPECT_EQ(asked[kC], Kw(20));
}

TEST_F(RegulatorTest, AStationReportingAheadOfOurClockIsReadAtNow) {
  // A's platform clock runs ahead: it already sent 16:05 (500 kW). The reading at or before our
  // 16:00 (15:59, 100 kW) counts, so A still gets its equal share.
  Power(kA, At(16, 5), At(16, 6), 500);
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(90)).ok());
  Tick();
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& c : sent) EXPECT_EQ(Decode(c).targets[0].target_power, Kw(30)) << c.operator_id;
}

TEST_F(RegulatorTest, AShortfallNobodyCanTakeRaisesOneUncoveredAlarm) {
  // 270 kW over three operators with 90 kW usable each: all of it asked, nothing left over.
  ASSERT_TRUE(regulator_->CreateDemand(PeakSpec(270)).ok());
  Tick();
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& c : sent) Overview(c.operator_id, "T1", Decode(c).regulation_id, c.operator_id != kA);
  EXPECT_EQ(Tick().redispatched, 0);
  Tick();  // the same minute: no second look, no second alarm
  clock_.Advance(std::chrono::minutes(1));
  Tick();  // a minute later: looked again, still nothing
  EXPECT_EQ(Deliver().size(), 0u);
  auto alarms = store_->ListAlarms(false);
  ASSERT_TRUE(alarms.ok());
  ASSERT_EQ(alarms->size(), 1u);
  EXPECT_EQ((*alarms)[0].type, "demand.uncovered");
  EXPECT_THAT((*alarms)[0].detail, HasSubstr("18:00–18:59 90.00 kW uncovered (no operator has usable potential left)"));
  const auto v = View("T1");
  EXPECT_EQ(v.coverage[0].uncovered, Kw(90));
  int uncovered_events = 0;
  for (const auto& e : v.events) uncovered_events += e.find("uncovered after") != std::string::npos ? 1 : 0;
  EXPECT_EQ(uncovered_events, 1);
}

TEST_F(RegulatorTest, AWeekendEventIsMeasuredOnWeekendHistoryWithItsBackTest) {
  // Saturday 2026-12-05: high 5 of 10 needs ten weekend days before it for the baseline and its
  // five back-test days, i.e. five weeks of history.
  config_.baseline = BaselineConfig{};  // high-5-of-10, RRMSE back-test on
  config_.check_baseline_accuracy = true;
  const auto saturday = [](int hour, int minute) {
    return proto::ToBeijingMinute(BeijingTime(2026, 12, 5, hour, minute));
  };
  for (int k = 1; k <= 35; ++k) {
    const proto::BeijingMinute from{saturday(14, 0).minutes - k * proto::kMinutesPerDay};
    Power(kA, from, proto::BeijingMinute{from.minutes + 360}, 100);
  }
  clock_.Set(BeijingTime(2026, 12, 5, 16, 0));
  Power(kA, saturday(14, 0), saturday(16, 0), 100);
  auto spec = PeakSpec(30);
  spec.scope = {ScopeKind::kOperators, {kA}};
  spec.windows = {{Kw(30), saturday(18, 0), saturday(18, 59)}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Tick();
  auto sent = Deliver();
  ASSERT_EQ(sent.size(), 1u);
  Overview(kA, "T1", Decode(sent[0]).regulation_id, true);
  Tick();
  Power(kA, saturday(16, 0), saturday(18, 0), 100);
  clock_.Set(BeijingTime(2026, 12, 5, 18, 0));
  Tick();
  Power(kA, saturday(18, 0), saturday(19, 5), 70);
  clock_.Set(BeijingTime(2026, 12, 5, 19, 5));
  EXPECT_EQ(Tick().measured, 1);
  const auto v = View("T1");
  const auto* a = Of(v, kA, RegulationState::kEvaluated);
  ASSERT_NE(a, nullptr) << v.instructions.back().note;
  EXPECT_THAT(a->baseline, HasSubstr("high-5-of-10 (RRMSE 0.0 % on 5 days)"));
  EXPECT_DOUBLE_EQ(a->measured[0].completion_percent, 100.0);
  EXPECT_EQ(a->earnings->ToString(), "90.00");  // 30 kWh × 3 yuan
}

TEST_F(RegulatorTest, ADemandThatCannotBecomeInstructionsIsClosedWithAnAlarm) {
  // A station whose model carries no credit code: a station-range instruction needs one.
  proto::StationInfoPage page = testing::SampleStationInfoPage(1, 2);
  page.stations[0].operator_id = kA;
  page.stations[0].code = std::string("ST-") + kA;
  page.stations[0].credit_code.clear();
  ASSERT_TRUE(store_->PutStationPage(kA, page).ok());
  auto spec = PeakSpec(30);
  spec.scope = {ScopeKind::kStations, {std::string(kA) + "/ST-" + kA}};
  ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
  Reopen();
  EXPECT_TRUE(regulator_->Tick().ok());
  const auto v = View("T1");
  EXPECT_EQ(v.state, store::DemandState::kDone);
  EXPECT_THAT(v.events.back(), HasSubstr("not sent: send_task Data: creditCode"));
  auto alarms = store_->ListAlarms(false);
  ASSERT_TRUE(alarms.ok());
  ASSERT_EQ(alarms->size(), 1u);
  EXPECT_EQ((*alarms)[0].type, "demand.invalid");
  EXPECT_EQ(Deliver().size(), 0u);
}

}  // namespace
}  // namespace vgi::engine
