// The operator→grid interfaces over real HTTPS on loopback, with the SQLite store behind them:
// every Ret 0 is checked against the stored row.
#include <gtest/gtest.h>

#include "e2e_fixture.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::e2e {
namespace {

using proto::Interface;
using proto::Ret;

// ---- query_token -------------------------------------------------------------------------------

TEST_F(GridServerTest, QueryTokenIssuesATokenThatOpensTheOtherInterfaces) {
  auto token = client_->Token();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_FALSE(token->empty());
  EXPECT_EQ(client_->stats().token_fetches, 1u);

  const auto day = Today(Clock::System());
  proto::StationPowerBatch batch{{Power("STA1", {{MinuteOf(day, 0), 100}})}};
  auto r = Send(Interface::kSendStationPower1440, batch);
  EXPECT_EQ(r.ret, Ret::kOk) << r.msg;
  EXPECT_EQ(client_->stats().auth_retries, 0u);  // the token was accepted the first time
}

TEST_F(GridServerTest, QueryTokenWithAWrongSecretIs4009WithCode1) {
  const proto::TokenRequest wrong{kOperatorId, "00000000000000000000000000000000"};
  auto r = Call(Interface::kQueryToken, proto::EncodeData(wrong));
  EXPECT_EQ(r.ret, Ret::kAuthFailed) << r.msg;
  EXPECT_TRUE(r.sig_verified);
  EXPECT_NE(r.msg.find("OperatorSecret"), std::string::npos) << r.msg;
  ASSERT_TRUE(r.data_json.has_value());
  auto data = proto::DecodeData<proto::TokenResponse>(*r.data_json);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->code, 1);
  EXPECT_TRUE(data->access_token.empty());
  EXPECT_NE(data->message.find("OperatorSecret is wrong"), std::string::npos) << data->message;
}

TEST_F(GridServerTest, QueryTokenAliasPathIssuesAWorkingToken) {
  const proto::TokenRequest request{kOperatorId, InboundKeys().operator_secret};
  auto reply = client_->PostRaw(proto::kQueryTokenAlias, SealedBody(proto::EncodeData(request)), "");
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_EQ(reply->status, 200) << reply->body;
  auto r = Open(*reply, true);
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  ASSERT_TRUE(r.data_json.has_value());
  auto token = proto::DecodeData<proto::TokenResponse>(*r.data_json);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->code, 0);
  EXPECT_EQ(token->operator_id, kOperatorId);
  EXPECT_EQ(token->token_available_time, 7200);
  ASSERT_FALSE(token->access_token.empty());

  const auto day = Today(Clock::System());
  const proto::StationPowerBatch batch{{Power("STA1", {{MinuteOf(day, 1), 200}})}};
  auto used = client_->PostRaw(PathOf(Interface::kSendStationPower1440), SealedBody(proto::EncodeData(batch)),
                               "Bearer " + token->access_token);
  ASSERT_TRUE(used.ok()) << used.status();
  EXPECT_EQ(Open(*used, true).ret, Ret::kOk);
}

// ---- send_station_power_1440 -------------------------------------------------------------------

TEST_F(GridServerTest, PowerIsStoredResendIsIdempotentLatePointsOverwriteAndOutOfRangeIs4003) {
  const auto day = Today(Clock::System());
  const int m = 600;  // 10:00
  const proto::StationPowerBatch batch{{
      Power("STA1", {{MinuteOf(day, m), 1250}, {MinuteOf(day, m + 1), std::nullopt}, {MinuteOf(day, m + 2), 0}}),
      Power("STA2", {{MinuteOf(day, m), 777}}),
  }};
  auto r = Send(Interface::kSendStationPower1440, batch);
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;

  auto first = Day("STA1", day);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->centi_kw[m], 1250);
  EXPECT_TRUE(first->present[m]);
  EXPECT_EQ(first->centi_kw[m + 1], 0);
  EXPECT_FALSE(first->present[m + 1]);  // a null point is recorded as missing
  EXPECT_EQ(first->centi_kw[m + 2], 0);
  EXPECT_TRUE(first->present[m + 2]);  // a reported zero is a value
  EXPECT_EQ(first->present.count(), 2u);
  EXPECT_EQ(first->adjust_top_power.units(), 5000);
  EXPECT_EQ(first->adjust_bottom_power.units(), 125);
  auto sta2 = Day("STA2", day);
  ASSERT_TRUE(sta2.has_value());
  EXPECT_EQ(sta2->centi_kw[m], 777);

  // The same data again in a new envelope: accepted, the stored row unchanged.
  r = Send(Interface::kSendStationPower1440, batch);
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  auto again = Day("STA1", day);
  ASSERT_TRUE(again.has_value());
  again->updated_at = first->updated_at;
  EXPECT_EQ(*again, *first);

  // A late point for the same minute overwrites it, and fills the missing one; others stay.
  r = Send(Interface::kSendStationPower1440,
           proto::StationPowerBatch{{Power("STA1", {{MinuteOf(day, m), 3300}, {MinuteOf(day, m + 1), 42}})}});
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  auto late = Day("STA1", day);
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->centi_kw[m], 3300);
  EXPECT_EQ(late->centi_kw[m + 1], 42);
  EXPECT_TRUE(late->present[m + 1]);
  EXPECT_TRUE(late->present[m + 2]);
  EXPECT_EQ(late->present.count(), 3u);

  // A point three days ahead: 4003 naming the point; nothing of the request is stored.
  const proto::BeijingDate far{day.days + 3};
  r = Send(Interface::kSendStationPower1440,
           proto::StationPowerBatch{{Power("STA1", {{MinuteOf(day, m), 9900}}),
                                     Power("STA3", {{MinuteOf(day, m), 1}, {MinuteOf(far, 5), 100}})}});
  EXPECT_EQ(r.ret, Ret::kInvalid);
  const std::string expected = "stationPowerList[1].powerPointList[1].point: " + proto::FormatMinute(MinuteOf(far, 5)) +
                               " is outside today ± 1 day";
  EXPECT_NE(r.msg.find(expected), std::string::npos) << r.msg;
  EXPECT_FALSE(Day("STA1", far).has_value());
  EXPECT_FALSE(Day("STA3", day).has_value());
  auto unchanged = Day("STA1", day);
  ASSERT_TRUE(unchanged.has_value());
  EXPECT_EQ(unchanged->centi_kw[m], 3300);
}

// ---- send_station_info -------------------------------------------------------------------------

TEST_F(GridServerTest, PagedModelSyncAppliesOnTheLastPageAndAShorterSnapshotRetires) {
  std::vector<proto::Station> stations;
  for (int i = 1; i <= 3; ++i) stations.push_back(testing::SampleStation(i, 2));
  auto page = [&](int no) {
    return proto::StationInfoPage{3, 3, no, {stations[static_cast<std::size_t>(no - 1)]}};
  };
  auto listed = [&](bool include_retired) {
    auto h = OpenStore();
    auto l = h.store->ListStations(kOperatorId, include_retired);
    EXPECT_TRUE(l.ok()) << l.status();
    return l.ok() ? *l : std::vector<store::StationRecord>{};
  };

  for (int no : {3, 1}) {
    auto r = Send(Interface::kSendStationInfo, page(no));
    ASSERT_EQ(r.ret, Ret::kOk) << "page " << no << ": " << r.msg;
    EXPECT_TRUE(listed(true).empty()) << "applied before the last page (after page " << no << ")";
  }
  auto r = Send(Interface::kSendStationInfo, page(2));
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  auto all = listed(false);
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(all[i].station, stations[i]) << all[i].station.code;
    EXPECT_FALSE(all[i].retired);
  }

  // A page resent after the sync completed changes nothing.
  r = Send(Interface::kSendStationInfo, page(2));
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  auto after_resend = listed(true);
  ASSERT_EQ(after_resend.size(), 3u);
  for (const auto& s : after_resend) EXPECT_FALSE(s.retired) << s.station.code;

  // A later one-page snapshot without STA2: STA2 is retired, kept with its data.
  r = Send(Interface::kSendStationInfo, proto::StationInfoPage{2, 1, 1, {stations[0], stations[2]}});
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  auto active = listed(false);
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].station.code, "STA1");
  EXPECT_EQ(active[1].station.code, "STA3");
  auto everything = listed(true);
  ASSERT_EQ(everything.size(), 3u);
  EXPECT_EQ(everything[1].station.code, "STA2");
  EXPECT_TRUE(everything[1].retired);
  EXPECT_TRUE(everything[1].retired_at.has_value());
  EXPECT_EQ(everything[1].station, stations[1]);
}

// ---- callback_task_overview / callback_task_check ----------------------------------------------

TEST_F(GridServerTest, CallbacksAreRefusedForUnknownInstructionsAndStoredForSentOnes) {
  proto::Instruction sent = testing::SampleInstruction();
  sent.task_id = "T-E2E-1";
  sent.regulation_id = "R-E2E-1";
  const proto::InstructionFeedback overview{sent.task_id, sent.regulation_id, proto::Feedback::kAccept};
  proto::InstructionAdjustment check;
  check.task_id = sent.task_id;
  check.regulation_id = sent.regulation_id;
  check.type = sent.type;
  check.synchro_type = proto::SynchroType::kChange;
  check.range_type = sent.range_type;
  check.adjust_ids = sent.adjust_ids;
  check.targets = sent.targets;
  check.targets[0].target_power = proto::Kilowatts::FromUnits(2000);

  auto r = Send(Interface::kCallbackTaskOverview, overview);
  EXPECT_EQ(r.ret, Ret::kInvalid);
  EXPECT_NE(r.msg.find("unknown regulationID R-E2E-1"), std::string::npos) << r.msg;
  r = Send(Interface::kCallbackTaskCheck, check);
  EXPECT_EQ(r.ret, Ret::kInvalid);
  EXPECT_NE(r.msg.find("unknown regulationID R-E2E-1"), std::string::npos) << r.msg;

  // The grid "sends" the instruction (recorded while the server is down, as the engine would).
  StopServer();
  {
    auto h = OpenStore();
    ASSERT_TRUE(h.store);
    ASSERT_TRUE(h.store->PutInstruction({kOperatorId, sent, Clock::System().Now()}).ok());
  }
  ASSERT_NO_FATAL_FAILURE(StartServer());

  r = Send(Interface::kCallbackTaskOverview, overview);
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;
  r = Send(Interface::kCallbackTaskCheck, check);
  ASSERT_EQ(r.ret, Ret::kOk) << r.msg;

  auto h = OpenStore();
  auto feedback = h.store->ListFeedback(kOperatorId, sent.regulation_id);
  ASSERT_TRUE(feedback.ok()) << feedback.status();
  ASSERT_EQ(feedback->size(), 2u);
  EXPECT_EQ((*feedback)[0].kind, store::FeedbackKind::kOverview);
  EXPECT_EQ((*feedback)[0].task_id, sent.task_id);
  EXPECT_EQ((*feedback)[0].status, proto::Feedback::kAccept);
  EXPECT_EQ((*feedback)[1].kind, store::FeedbackKind::kCheck);
  ASSERT_TRUE((*feedback)[1].adjustment.has_value());
  EXPECT_EQ(*(*feedback)[1].adjustment, check);
}

// ---- replay across a restart -------------------------------------------------------------------

TEST_F(GridServerTest, ReplayAfterRestartIs4009) {
  const auto day = Today(Clock::System());
  const proto::StationPowerBatch batch{{Power("STA1", {{MinuteOf(day, 7), 700}})}};
  const std::string body = SealedBody(proto::EncodeData(batch));
  auto first = client_->PostRaw(PathOf(Interface::kSendStationPower1440), body, Bearer());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(Open(*first, true).ret, Ret::kOk);

  ASSERT_NO_FATAL_FAILURE(RestartServer());
  auto again = client_->PostRaw(PathOf(Interface::kSendStationPower1440), body, Bearer());
  ASSERT_TRUE(again.ok()) << again.status();
  auto r = Open(*again, true);
  EXPECT_EQ(r.ret, Ret::kAuthFailed);
  EXPECT_NE(r.msg.find("already received (replay)"), std::string::npos) << r.msg;
  // The stored point is the first request's.
  auto stored = Day("STA1", day);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->centi_kw[7], 700);
}

}  // namespace
}  // namespace vgi::e2e
