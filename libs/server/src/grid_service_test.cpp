// GridService in-process: requests go straight to Handle (no sockets), over the memory store.
// The HTTPS path is covered end to end in tests/e2e.
#include "vgi/server/grid_service.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::server {
namespace {

using namespace std::chrono_literals;
using proto::Interface;
using proto::Ret;

// Forwards to a real store; fails every write while `fail` is set (disk full, I/O error), and
// holds every Commit while `hold` is set (a slow disk).
class FlakyStore final : public store::Store {
 public:
  explicit FlakyStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}
  std::atomic<bool> fail{false};
  std::atomic<bool> hold{false};

  std::string_view backend() const override { return inner_->backend(); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  Status PutPeer(const store::PeerRow& p) override { return inner_->PutPeer(p); }
  Result<std::optional<store::PeerRow>> GetPeer(std::string_view id) override { return inner_->GetPeer(id); }
  Result<std::vector<store::PeerRow>> ListPeers() override { return inner_->ListPeers(); }
  Result<store::PageReceipt> PutStationPage(std::string_view op, const proto::StationInfoPage& page) override {
    if (fail) return Status::Io("disk full");
    return inner_->PutStationPage(op, page);
  }
  Result<std::int64_t> ExpireSyncs() override { return inner_->ExpireSyncs(); }
  Result<std::optional<store::StationRecord>> GetStation(std::string_view op, std::string_view code) override {
    return inner_->GetStation(op, code);
  }
  Result<std::vector<store::StationRecord>> ListStations(std::string_view op, bool retired) override {
    return inner_->ListStations(op, retired);
  }
  Status Commit(const store::WriteBatch& batch) override {
    while (hold) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (fail) return Status::Io("disk full");
    return inner_->Commit(batch);
  }
  Result<std::optional<store::StationDay>> GetStationDay(std::string_view op, std::string_view code,
                                                         proto::BeijingDate day) override {
    return inner_->GetStationDay(op, code, day);
  }
  Status PutInstruction(const store::InstructionRow& row) override { return inner_->PutInstruction(row); }
  Result<std::optional<store::InstructionRow>> GetInstruction(std::string_view op, std::string_view id) override {
    return inner_->GetInstruction(op, id);
  }
  Result<std::vector<store::FeedbackRecord>> ListFeedback(std::string_view op, std::string_view id) override {
    return inner_->ListFeedback(op, id);
  }
  Result<std::vector<store::RequestKey>> LoadRequestKeys() override { return inner_->LoadRequestKeys(); }
  Result<std::int64_t> PurgeRequestKeys() override { return inner_->PurgeRequestKeys(); }
  Result<std::int64_t> Enqueue(const store::OutboxCommand& c, const store::InstructionRow* row) override {
    return inner_->Enqueue(c, row);
  }
  Result<std::vector<store::OutboxCommand>> ClaimOutbox(std::string_view node, SystemTime now,
                                                        std::chrono::milliseconds lease, std::size_t limit) override {
    return inner_->ClaimOutbox(node, now, lease, limit);
  }
  Status FinishOutbox(std::int64_t id, std::string_view node, const store::OutboxOutcome& o) override {
    return inner_->FinishOutbox(id, node, o);
  }
  Result<std::vector<store::OutboxCommand>> ExpireOutbox(SystemTime now) override { return inner_->ExpireOutbox(now); }
  Result<std::optional<store::OutboxCommand>> GetOutbox(std::int64_t id) override { return inner_->GetOutbox(id); }
  Result<std::vector<store::OutboxCommand>> ListOutbox(const store::OutboxFilter& f) override {
    return inner_->ListOutbox(f);
  }
  Result<store::AlarmRow> RaiseAlarm(const store::AlarmRow& a) override { return inner_->RaiseAlarm(a); }
  Result<std::vector<store::AlarmRow>> ListAlarms(bool closed) override { return inner_->ListAlarms(closed); }
  Status SetAlarmState(std::int64_t id, store::AlarmState s) override { return inner_->SetAlarmState(id, s); }
  Result<store::EngineWriteResult> ApplyEngineWrite(const store::EngineWrite& w) override {
    if (fail) return Status::Io("disk full");
    return inner_->ApplyEngineWrite(w);
  }
  Result<std::optional<store::DemandRow>> GetDemand(std::string_view id) override { return inner_->GetDemand(id); }
  Result<std::vector<store::DemandRow>> ListDemands(const store::DemandFilter& f) override {
    return inner_->ListDemands(f);
  }
  Result<std::vector<store::RegulationRow>> ListRegulations(const store::RegulationFilter& f) override {
    return inner_->ListRegulations(f);
  }
  Result<std::vector<store::SettlementRow>> ListSettlements(const store::SettlementFilter& f) override {
    return inner_->ListSettlements(f);
  }
  Status PutUser(const store::UserRow& u) override { return inner_->PutUser(u); }
  Result<std::optional<store::UserRow>> GetUser(std::string_view u) override { return inner_->GetUser(u); }
  Result<std::vector<store::UserRow>> ListUsers() override { return inner_->ListUsers(); }
  Status PutSession(const store::SessionRow& s) override { return inner_->PutSession(s); }
  Result<std::optional<store::SessionRow>> GetSession(std::string_view d) override { return inner_->GetSession(d); }
  Status TouchSession(std::string_view d, SystemTime at) override { return inner_->TouchSession(d, at); }
  Status DeleteSession(std::string_view d) override { return inner_->DeleteSession(d); }
  Result<std::int64_t> DeleteUserSessions(std::string_view u) override { return inner_->DeleteUserSessions(u); }
  Result<std::int64_t> PurgeSessions(SystemTime idle, SystemTime now) override {
    return inner_->PurgeSessions(idle, now);
  }
  Result<store::AuditRow> AppendAudit(const store::AuditRow& row) override { return inner_->AppendAudit(row); }
  Result<std::vector<store::AuditRow>> ListAudit(std::int64_t after, std::size_t limit) override {
    return inner_->ListAudit(after, limit);
  }
  Result<std::vector<store::StationIndexEntry>> ListStationIndex(std::string_view op) override {
    return inner_->ListStationIndex(op);
  }
  Result<std::vector<store::LatestPower>> ListLatestPower(std::string_view op) override {
    return inner_->ListLatestPower(op);
  }
  Result<std::vector<store::StationDay>> ListStationDays(std::string_view op, proto::BeijingDate day) override {
    return inner_->ListStationDays(op, day);
  }
  Result<std::vector<store::StationDay>> ListStationHistory(std::string_view op, std::string_view station,
                                                     proto::BeijingDate from, proto::BeijingDate to) override {
    return inner_->ListStationHistory(op, station, from, to);
  }
  Result<std::vector<store::StationDay>> ListStationDaysOn(std::string_view op, std::string_view station,
                                                    std::span<const proto::BeijingDate> days) override {
    return inner_->ListStationDaysOn(op, station, days);
  }
  Result<std::vector<store::OperatorDay>> ListOperatorDays(std::string_view op, proto::BeijingDate from,
                                                    proto::BeijingDate to) override {
    return inner_->ListOperatorDays(op, from, to);
  }
  Result<store::TopologyInfo> ReplaceTopology(const std::vector<store::TopologyEntry>& entries,
                                           std::string_view source) override {
    return inner_->ReplaceTopology(entries, source);
  }
  Result<store::TopologyInfo> GetTopologyInfo() override { return inner_->GetTopologyInfo(); }
  Result<std::vector<store::TopologyEntry>> ListTopology(const store::TopologyFilter& filter) override {
    return inner_->ListTopology(filter);
  }
  Result<bool> AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                            std::chrono::milliseconds ttl) override {
    return inner_->AcquireLease(name, holder, now, ttl);
  }
  Status ReleaseLease(std::string_view name, std::string_view holder) override {
    return inner_->ReleaseLease(name, holder);
  }

 private:
  std::unique_ptr<store::Store> inner_;
};

constexpr const char* kOp = "123456789";

class GridServiceTest : public ::testing::Test {
 protected:
  GridServiceTest()
      : clock_(testing::BeijingTime(2026, 11, 23, 10, 0)),
        sealer_(*store::Sealer::Create(std::string(32, 'k'))),
        store_(store::NewMemoryStore({&clock_, &sealer_, 3600s, {}, {}})),
        peers_(store_, sealer_, clock_),
        tokens_(*proto::TokenAuthority::Create({{"t1", std::string(32, 't')}}, clock_, &peers_)),
        replay_(clock_),
        stamps_(clock_, 0, 1) {
    keys_ = *peers_.Add({kOp, "Example", "", "", std::nullopt, {}, {}}, random_);
    prepared_.emplace(*proto::PreparedKeys::Create(keys_));
    committer_ = std::make_unique<store::GroupCommitter>(store_);
    service_ = std::make_unique<GridService>(
        GridService::Deps{&store_, committer_.get(), &peers_, &tokens_, &replay_, &clock_, &metrics_, nullptr,
                          [this] { ++syncs_applied_; }},
        GridServiceOptions{});
  }

  struct Reply {
    HttpResponse http;
    proto::OpenedResponse opened;
  };

  std::string Body(std::string_view data_json, std::string_view op = kOp) {
    return proto::SerializeRequestEnvelope(proto::SealRequest(op, data_json, stamps_.Next(), *prepared_));
  }

  HttpResponse Raw(Interface i, std::string body, std::string authorization) {
    std::promise<HttpResponse> done;
    auto future = done.get_future();
    HttpRequest req;
    req.method = "POST";
    req.path = "/x";
    req.authorization = std::move(authorization);
    req.content_type = "application/json";
    req.body = std::move(body);
    req.remote_ip = "127.0.0.1";
    service_->Handle(i, std::move(req), [&done](HttpResponse r) { done.set_value(std::move(r)); });
    return future.get();
  }

  Reply Send(Interface i, std::string body, bool with_token = true) {
    Reply r;
    r.http = Raw(i, std::move(body), with_token ? "Bearer " + Token() : "");
    auto opened = proto::OpenResponse(r.http.body, *prepared_, proto::WireProfile{});
    EXPECT_TRUE(opened.ok()) << opened.status() << " body " << r.http.body;
    if (opened.ok()) r.opened = std::move(*opened);
    return r;
  }

  std::string Token() { return tokens_.Issue(kOp).token; }

  std::string PowerJson(std::string_view minute, std::string_view power = "12.50") {
    return std::string(R"({"stationPowerList":[{"stationCode":"S1","creditCode":"91110190400007201Z",)") +
           R"("adjustTopPower":50.00,"adjustBottomPower":0.00,"powerPointList":[{"point":")" +
           std::string(minute) + R"(","power":)" + std::string(power) + R"(}]}]})";
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_;
  store::Sealer sealer_;
  FlakyStore store_;
  PeerRegistry peers_;
  proto::TokenAuthority tokens_;
  proto::MemoryReplayGuard replay_;
  proto::StampGenerator stamps_;
  Metrics metrics_;
  proto::KeySet keys_;
  std::optional<proto::PreparedKeys> prepared_;
  std::unique_ptr<store::GroupCommitter> committer_;
  std::unique_ptr<GridService> service_;
  int syncs_applied_ = 0;  // after_model_sync calls
};

TEST_F(GridServiceTest, QueryTokenIssuesAWorkingToken) {
  const std::string data = R"({"OperatorID":"123456789","OperatorSecret":")" + keys_.operator_secret + R"("})";
  auto r = Send(Interface::kQueryToken, Body(data), /*with_token=*/false);
  ASSERT_EQ(r.opened.ret, Ret::kOk) << r.opened.msg;
  ASSERT_TRUE(r.opened.data_json.has_value());
  auto token = proto::DecodeData<proto::TokenResponse>(*r.opened.data_json);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->code, 0);
  EXPECT_EQ(token->token_available_time, 7200);
  EXPECT_TRUE(tokens_.Validate(token->access_token, kOp).ok());
}

TEST_F(GridServiceTest, QueryTokenWithAWrongSecretIs4009WithCode1) {
  auto r = Send(Interface::kQueryToken, Body(R"({"OperatorID":"123456789","OperatorSecret":"nope"})"), false);
  EXPECT_EQ(r.opened.ret, Ret::kAuthFailed);
  ASSERT_TRUE(r.opened.data_json.has_value());
  auto token = proto::DecodeData<proto::TokenResponse>(*r.opened.data_json);
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->code, 1);
  EXPECT_TRUE(token->access_token.empty());
  EXPECT_NE(token->message.find("OperatorSecret"), std::string::npos);
}

TEST_F(GridServiceTest, PowerIsCommittedBeforeRet0) {
  auto r = Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")));
  ASSERT_EQ(r.opened.ret, Ret::kOk) << r.opened.msg;
  const auto today = proto::DateOf(proto::ToBeijingMinute(clock_.Now()));
  auto day = store_.GetStationDay(kOp, "S1", today);
  ASSERT_TRUE(day.ok() && day->has_value());
  EXPECT_EQ((*day)->centi_kw[9 * 60 + 59], 1250);
  EXPECT_TRUE((*day)->present[9 * 60 + 59]);
  EXPECT_EQ((*day)->present.count(), 1u);
  EXPECT_EQ((*day)->adjust_top_power.units(), 5000);
}

TEST_F(GridServiceTest, DestroyingTheServiceWaitsForTheAnswersOfCommitsInFlight) {
  // Shutdown destroys the service before the committer, which still completes what is queued:
  // the answer must not run on a destroyed service.
  store_.hold = true;
  std::promise<HttpResponse> answered;
  HttpRequest req;
  req.method = "POST";
  req.path = "/x";
  req.authorization = "Bearer " + Token();
  req.content_type = "application/json";
  req.body = Body(PowerJson("2026-11-23 09:59"));
  req.remote_ip = "127.0.0.1";
  service_->Handle(Interface::kSendStationPower1440, std::move(req),
                   [&answered](HttpResponse r) { answered.set_value(std::move(r)); });
  std::atomic<bool> destroyed{false};
  std::thread shutdown([&] {
    service_.reset();
    destroyed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(destroyed) << "the service went away with its commit's answer still to come";
  store_.hold = false;
  shutdown.join();
  auto opened = proto::OpenResponse(answered.get_future().get().body, *prepared_, proto::WireProfile{});
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->ret, Ret::kOk) << opened->msg;
}

TEST_F(GridServiceTest, PowerOutsideTodayPlusMinusOneDayIs4003NamingThePointAndStoresNothing) {
  auto r = Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-25 00:00")));
  EXPECT_EQ(r.opened.ret, Ret::kInvalid);
  EXPECT_NE(r.opened.msg.find("stationPowerList[0].powerPointList[0].point: 2026-11-25 00:00 is outside today"),
            std::string::npos)
      << r.opened.msg;
  auto day = store_.GetStationDay(kOp, "S1", *proto::ParseDate("2026-11-25"));
  ASSERT_TRUE(day.ok());
  EXPECT_FALSE(day->has_value());
  // Yesterday and tomorrow are in.
  EXPECT_EQ(Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-22 00:00"))).opened.ret, Ret::kOk);
  EXPECT_EQ(Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-24 23:59"))).opened.ret, Ret::kOk);
}

TEST_F(GridServiceTest, MissingOrForeignTokenIs4009) {
  auto r = Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")), /*with_token=*/false);
  EXPECT_EQ(r.opened.ret, Ret::kAuthFailed);
  EXPECT_NE(r.opened.msg.find("Authorization"), std::string::npos) << r.opened.msg;
  auto http = Raw(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")),
                  "Bearer " + tokens_.Issue("987654321").token);
  auto opened = proto::OpenResponse(http.body, *prepared_, proto::WireProfile{});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->ret, Ret::kAuthFailed);
}

TEST_F(GridServiceTest, WrongSignatureReplayAndStaleTimestampAre4009) {
  auto env = proto::SealRequest(kOp, PowerJson("2026-11-23 09:59"), stamps_.Next(), *prepared_);
  auto tampered = env;
  tampered.sig[0] = tampered.sig[0] == 'A' ? 'B' : 'A';
  auto r = Send(Interface::kSendStationPower1440, proto::SerializeRequestEnvelope(tampered));
  EXPECT_EQ(r.opened.ret, Ret::kAuthFailed);
  EXPECT_NE(r.opened.msg.find("Sig"), std::string::npos) << r.opened.msg;

  EXPECT_EQ(Send(Interface::kSendStationPower1440, proto::SerializeRequestEnvelope(env)).opened.ret, Ret::kOk);
  r = Send(Interface::kSendStationPower1440, proto::SerializeRequestEnvelope(env));
  EXPECT_EQ(r.opened.ret, Ret::kAuthFailed);
  EXPECT_NE(r.opened.msg.find("replay"), std::string::npos) << r.opened.msg;

  auto stale = proto::SealRequest(kOp, PowerJson("2026-11-23 09:59"), stamps_.Next(), *prepared_);
  clock_.Advance(301s);
  EXPECT_EQ(Send(Interface::kSendStationPower1440, proto::SerializeRequestEnvelope(stale)).opened.ret,
            Ret::kAuthFailed);
}

TEST_F(GridServiceTest, UnknownOperatorGetsAnUnsigned4009) {
  auto http = Raw(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59"), "987654321"), "");
  EXPECT_NE(http.body.find("\"Ret\":4009"), std::string::npos) << http.body;
  EXPECT_NE(http.body.find("987654321 is not a connected operator"), std::string::npos) << http.body;
  EXPECT_NE(http.body.find("\"Sig\":\"\""), std::string::npos) << http.body;
}

TEST_F(GridServiceTest, MalformedEnvelopeGets4000Or4003) {
  EXPECT_NE(Raw(Interface::kSendStationPower1440, "", "").body.find("\"Ret\":4000"), std::string::npos);
  const auto body = Raw(Interface::kSendStationPower1440, R"({"OperatorID":"123456789","Data":"x","TimeStamp":"1",)"
                                                          R"("Seq":"0001","Sig":"00"})", "").body;
  EXPECT_NE(body.find("\"Ret\":4003"), std::string::npos) << body;
  EXPECT_NE(body.find("TimeStamp"), std::string::npos) << body;
}

TEST_F(GridServiceTest, DisabledOperatorIsRefused) {
  ASSERT_TRUE(peers_.SetEnabled(kOp, false).ok());
  auto http = Raw(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")), "");
  EXPECT_NE(http.body.find("\"Ret\":4009"), std::string::npos) << http.body;
}

TEST_F(GridServiceTest, FailedWriteAnswers500RaisesTheAlarmAndRecovers) {
  store_.fail = true;
  auto r = Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")));
  EXPECT_EQ(r.opened.ret, Ret::kSystemError);
  EXPECT_TRUE(service_->storage_alarm());
  EXPECT_NE(metrics_.Render().find("vgi_storage_alarm 1"), std::string::npos);
  const auto today = proto::DateOf(proto::ToBeijingMinute(clock_.Now()));
  EXPECT_FALSE(store_.GetStationDay(kOp, "S1", today)->has_value());

  store_.fail = false;
  r = Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")));
  EXPECT_EQ(r.opened.ret, Ret::kOk) << r.opened.msg;
  EXPECT_FALSE(service_->storage_alarm());
  EXPECT_TRUE(store_.GetStationDay(kOp, "S1", today)->has_value());
}

TEST_F(GridServiceTest, ThreePageSyncOutOfOrderAppliesOnTheLastPage) {
  std::vector<proto::Station> stations;
  for (int i = 0; i < 3; ++i) {
    stations.push_back(testing::SampleStation(i, 2));
  }
  auto page = [&](int no) {
    proto::StationInfoPage p{3, 3, no, {stations[static_cast<std::size_t>(no - 1)]}};
    return proto::EncodeData(p);
  };
  for (int no : {3, 1}) {
    auto r = Send(Interface::kSendStationInfo, Body(page(no)));
    ASSERT_EQ(r.opened.ret, Ret::kOk) << r.opened.msg;
    EXPECT_TRUE(store_.ListStations(kOp, true)->empty());
  }
  ASSERT_EQ(Send(Interface::kSendStationInfo, Body(page(1))).opened.ret, Ret::kOk);  // resend
  EXPECT_EQ(syncs_applied_, 0);
  ASSERT_EQ(Send(Interface::kSendStationInfo, Body(page(2))).opened.ret, Ret::kOk);
  EXPECT_EQ(syncs_applied_, 1);  // the server then returns the free heap
  auto listed = store_.ListStations(kOp, false);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[1].station, stations[1]);
}

TEST_F(GridServiceTest, StationOfAnotherOperatorIs4003) {
  proto::Station s = testing::SampleStation(1, 1);
  s.operator_id = "987654321";
  auto r = Send(Interface::kSendStationInfo, Body(proto::EncodeData(proto::StationInfoPage{1, 1, 1, {s}})));
  EXPECT_EQ(r.opened.ret, Ret::kInvalid);
  EXPECT_NE(r.opened.msg.find("stationList[0].operatorID"), std::string::npos) << r.opened.msg;
}

TEST_F(GridServiceTest, CallbacksNeedAnInstructionTheGridSent) {
  const std::string overview = R"({"taskID":"T1","regulationID":"R1","status":1})";
  auto r = Send(Interface::kCallbackTaskOverview, Body(overview));
  EXPECT_EQ(r.opened.ret, Ret::kInvalid);
  EXPECT_NE(r.opened.msg.find("unknown regulationID R1"), std::string::npos) << r.opened.msg;

  proto::Instruction sent = testing::SampleInstruction();
  sent.task_id = "T1";
  sent.regulation_id = "R1";
  ASSERT_TRUE(store_.PutInstruction({kOp, sent, clock_.Now()}).ok());
  r = Send(Interface::kCallbackTaskOverview, Body(overview));
  ASSERT_EQ(r.opened.ret, Ret::kOk) << r.opened.msg;

  auto wrong_task = Send(Interface::kCallbackTaskOverview, Body(R"({"taskID":"T9","regulationID":"R1","status":1})"));
  EXPECT_EQ(wrong_task.opened.ret, Ret::kInvalid);
  EXPECT_NE(wrong_task.opened.msg.find("taskID: T9"), std::string::npos) << wrong_task.opened.msg;

  proto::InstructionAdjustment adj;
  adj.task_id = "T1";
  adj.regulation_id = "R1";
  adj.type = sent.type;
  adj.synchro_type = sent.synchro_type;
  adj.range_type = sent.range_type;
  adj.adjust_ids = sent.adjust_ids;
  adj.credit_code = sent.credit_code;
  adj.targets = sent.targets;
  r = Send(Interface::kCallbackTaskCheck, Body(proto::EncodeData(adj)));
  ASSERT_EQ(r.opened.ret, Ret::kOk) << r.opened.msg;

  auto feedback = store_.ListFeedback(kOp, "R1");
  ASSERT_TRUE(feedback.ok());
  ASSERT_EQ(feedback->size(), 2u);
  EXPECT_EQ((*feedback)[0].kind, store::FeedbackKind::kOverview);
  EXPECT_EQ((*feedback)[0].status, proto::Feedback::kAccept);
  EXPECT_EQ((*feedback)[1].kind, store::FeedbackKind::kCheck);
  EXPECT_EQ((*feedback)[1].adjustment, adj);
}

TEST_F(GridServiceTest, MetricsCountRequestsByInterfaceAndRet) {
  (void)Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-23 09:59")));
  (void)Send(Interface::kSendStationPower1440, Body(PowerJson("2026-11-30 09:59")));
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find(R"(vgi_protocol_requests_total{interface="send_station_power_1440",ret="0"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(vgi_protocol_requests_total{interface="send_station_power_1440",ret="4003"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find("vgi_ingest_power_points_total 1"), std::string::npos);
}

}  // namespace
}  // namespace vgi::server
