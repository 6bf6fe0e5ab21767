#include "vgi/relay/outbox_relay.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "test_server.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::relay {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using client::test::GetSharedPki;
using client::test::TestHttpsServer;
using client::test::TestResponder;
using store::OutboxState;

constexpr const char* kOperator = "OPERATOR1";

// Peers by hand: the test decides whether an operator is reachable.
class FakeDirectory final : public PeerDirectory {
 public:
  Result<OutboundPeer> FindOutbound(std::string_view operator_id) const override {
    std::lock_guard lock(mu_);
    for (const auto& p : peers_) {
      if (p.operator_id == operator_id) return p;
    }
    return Status::NotFound("operator " + std::string(operator_id) + " is not a registered peer");
  }
  void Clear() {
    std::lock_guard lock(mu_);
    peers_.clear();
  }
  void Put(OutboundPeer peer) {
    std::lock_guard lock(mu_);
    peers_.push_back(std::move(peer));
  }

 private:
  mutable std::mutex mu_;
  std::vector<OutboundPeer> peers_;
};

// Waits (real time, generously bounded) until `pred` holds; the relay runs on its own threads.
template <class Pred>
bool WaitFor(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest() {
    store::StoreOptions o;
    o.clock = &clock_;
    o.sealer = &sealer_;
    store_ = store::NewMemoryStore(o);
    directory_.Put(Peer(server_.base_url()));
  }
  ~OutboxRelayTest() override {
    if (relay_) relay_->Stop();
  }

  OutboundPeer Peer(std::string base_url) const {
    return OutboundPeer{kOperator, std::move(base_url), responder_.operator_id(), responder_.keys(), {}};
  }

  RelayOptions Options(std::string node = "node-a") const {
    RelayOptions o;
    o.node = std::move(node);
    o.workers = 2;
    o.attempt_timeout = 2s;
    o.lease = 60s;
    o.backoff_base = 1s;
    o.backoff_cap = 8s;
    o.poll = 10ms;
    o.tls.ca_file = GetSharedPki().ca_file;
    return o;
  }

  void StartRelay(RelayOptions options) {
    auto relay = OutboxRelay::Start(*store_, directory_, clock_, random_, std::move(options), &metrics_, nullptr);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
  }
  void StartRelay() { StartRelay(Options()); }

  proto::Instruction Instruction(std::string regulation_id) const {
    proto::Instruction in;
    in.task_id = "TASK-1";
    in.regulation_id = std::move(regulation_id);
    in.type = proto::RegulationType::kPeakShaving;
    in.synchro_type = proto::SynchroType::kNew;
    in.range_type = proto::RangeType::kOperator;
    in.is_force = false;
    in.adjust_ids = {kOperator};
    const auto start = proto::ToBeijingMinute(clock_.Now() + 1h);
    const auto end = proto::ToBeijingMinute(clock_.Now() + 2h);
    in.targets = {{proto::Kilowatts::FromUnits(500), start, end}};
    return in;
  }

  std::int64_t Enqueue(std::string regulation_id) {
    auto id = EnqueueInstruction(*store_, clock_, kOperator, Instruction(std::move(regulation_id)));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }

  store::OutboxCommand Get(std::int64_t id) {
    auto row = store_->GetOutbox(id);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? **row : store::OutboxCommand{};
  }

  bool WaitState(std::int64_t id, OutboxState state) {
    return WaitFor([&] { return Get(id).state == state; });
  }
  // Waits until the command has been attempted `attempts` times and is waiting again.
  bool WaitRetried(std::int64_t id, int attempts) {
    return WaitFor([&] {
      const auto c = Get(id);
      return c.state == OutboxState::kPending && c.attempts == attempts && c.lease_owner.empty();
    });
  }

  std::vector<store::AlarmRow> Alarms() {
    auto alarms = store_->ListAlarms(true);
    EXPECT_TRUE(alarms.ok()) << alarms.status();
    return alarms.ok() ? *alarms : std::vector<store::AlarmRow>{};
  }

  testing::FakeClock clock_{testing::BeijingTime(2026, 11, 23, 10, 0, 0)};
  testing::FakeRandom random_{7};
  store::Sealer sealer_{*store::Sealer::Create(std::string(32, 'k'))};
  std::unique_ptr<store::Store> store_;
  FakeDirectory directory_;
  server::Metrics metrics_;
  TestResponder responder_{clock_};
  TestHttpsServer server_{GetSharedPki().trusted.server, [this](const client::test::ServerRequest& r) {
                            return responder_.Handle(r);
                          }};
  std::unique_ptr<OutboxRelay> relay_;
};

TEST_F(OutboxRelayTest, EnqueueWritesTheInstructionAndTheCommandTogether) {
  const auto id = Enqueue("REG-1");
  const auto c = Get(id);
  EXPECT_EQ(c.state, OutboxState::kPending);
  EXPECT_EQ(c.interface, proto::Interface::kSendTask);
  EXPECT_EQ(c.regulation_id, "REG-1");
  EXPECT_EQ(c.task_id, "TASK-1");
  EXPECT_EQ(c.deadline, clock_.Now() + 1h);  // the first window's start
  auto row = store_->GetInstruction(kOperator, "REG-1");
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->instruction, Instruction("REG-1"));
}

TEST_F(OutboxRelayTest, EnqueueRefusesAnInstructionWhoseWindowHasStarted) {
  auto in = Instruction("REG-LATE");
  in.targets[0].start_time = proto::ToBeijingMinute(clock_.Now() - 1min);
  auto id = EnqueueInstruction(*store_, clock_, kOperator, in);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(id.status().message(), HasSubstr("never sent late"));
  auto row = store_->GetInstruction(kOperator, "REG-LATE");
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value());
}

TEST_F(OutboxRelayTest, EnqueueRefusesInvalidDataNamingTheField) {
  auto in = Instruction("");
  auto id = EnqueueInstruction(*store_, clock_, kOperator, in);
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(id.status().message(), HasSubstr("regulationID"));
  auto bad_operator = EnqueueInstruction(*store_, clock_, "op", Instruction("REG-2"));
  ASSERT_FALSE(bad_operator.ok());
  EXPECT_THAT(bad_operator.status().message(), HasSubstr("not an OperatorID"));
}

TEST_F(OutboxRelayTest, DeliversAndRecordsTheAnswer) {
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
  const auto c = Get(id);
  EXPECT_EQ(c.ret, 0);
  EXPECT_EQ(c.attempts, 1);
  EXPECT_TRUE(c.lease_owner.empty());
  EXPECT_EQ(c.finished_at, clock_.Now());
  const auto seen = responder_.data_seen();
  ASSERT_EQ(seen.size(), 1u);
  auto sent = proto::DecodeData<proto::Instruction>(seen[0]);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, Instruction("REG-1"));
  EXPECT_EQ(relay_->stats().delivered, 1u);
  EXPECT_THAT(metrics_.Render(),
              HasSubstr("vgi_outbox_attempts_total{interface=\"send_task\",result=\"delivered\"} 1"));
}

TEST_F(OutboxRelayTest, ReusesOneConnectionAndOneTokenPerPeer) {
  const auto a = Enqueue("REG-1");
  const auto b = Enqueue("REG-2");
  const auto c = Enqueue("REG-3");
  StartRelay();
  ASSERT_TRUE(WaitState(a, OutboxState::kSent));
  ASSERT_TRUE(WaitState(b, OutboxState::kSent));
  ASSERT_TRUE(WaitState(c, OutboxState::kSent));
  EXPECT_EQ(server_.connections(), 1u);
  EXPECT_EQ(responder_.token_requests, 1);
}

TEST_F(OutboxRelayTest, RetriesA500WithANewlySignedRequest) {
  responder_.http_status = 503;
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitRetried(id, 1));
  auto c = Get(id);
  EXPECT_THAT(c.last_error, HasSubstr("503"));
  EXPECT_GE(c.next_attempt_at, clock_.Now());
  EXPECT_LT(c.next_attempt_at, clock_.Now() + 1s);  // full jitter below base * 2^0

  responder_.http_status = 200;
  responder_.answer_ret = 500;  // then a signed Ret 500: retried too
  responder_.answer_ret_times = 1;
  clock_.Advance(1s);
  relay_->Wake();
  ASSERT_TRUE(WaitRetried(id, 2));
  EXPECT_THAT(Get(id).last_error, HasSubstr("Ret 500"));

  clock_.Advance(2s);
  relay_->Wake();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
  EXPECT_EQ(Get(id).attempts, 3);
  // Every attempt was sealed afresh: the responder's replay guard would have refused a resend of
  // the same (TimeStamp, Seq), and it accepted the third.
  EXPECT_EQ(responder_.accepted, 1);
  EXPECT_EQ(relay_->stats().retries, 2u);
}

TEST_F(OutboxRelayTest, NeverRetriesA4003AndRaisesAnAlarm) {
  responder_.answer_ret = 4003;
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitState(id, OutboxState::kFailed));
  const auto c = Get(id);
  EXPECT_EQ(c.attempts, 1);
  EXPECT_THAT(c.last_error, HasSubstr("Ret 4003"));
  EXPECT_THAT(c.last_error, HasSubstr("not retried"));
  clock_.Advance(10min);
  relay_->Wake();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Get(id).attempts, 1);
  const auto alarms = Alarms();
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].type, "outbox.refused");
  EXPECT_EQ(alarms[0].object, std::string(kOperator) + "/REG-1");
}

TEST_F(OutboxRelayTest, RenewsTheTokenOnceOnA4009) {
  const auto id = Enqueue("REG-1");
  responder_.refuse_auth = 1;
  StartRelay();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
  EXPECT_EQ(Get(id).attempts, 1);  // the client's own renewal, inside one attempt
  EXPECT_EQ(responder_.token_requests, 2);
}

TEST_F(OutboxRelayTest, BackoffGrowsExponentiallyWithFullJitterUpToTheCap) {
  directory_.Clear();
  directory_.Put(Peer("https://127.0.0.1:" + std::to_string(client::test::UnusedPort()) + "/evcs/v1"));
  const auto id = Enqueue("REG-1");
  StartRelay();
  std::chrono::milliseconds longest{0};
  for (int attempt = 1; attempt <= 8; ++attempt) {
    ASSERT_TRUE(WaitRetried(id, attempt)) << attempt;
    const auto c = Get(id);
    const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(c.next_attempt_at - clock_.Now());
    const auto ceiling = std::min<std::chrono::milliseconds>(8s, std::chrono::milliseconds(1000 << (attempt - 1)));
    EXPECT_GE(delay.count(), 0) << attempt;
    EXPECT_LT(delay, ceiling) << attempt;
    longest = std::max(longest, delay);
    EXPECT_THAT(c.last_error, HasSubstr("127.0.0.1")) << attempt;
    clock_.Advance(delay + 1ms);
    relay_->Wake();
  }
  EXPECT_GT(longest, 1s);  // it did grow past the base (8 draws; all below 1 s is vanishingly unlikely)
  EXPECT_EQ(responder_.calls, 0);
}

TEST_F(OutboxRelayTest, UnknownPeerIsRetriedUntilItIsRegistered) {
  directory_.Clear();
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitRetried(id, 1));
  EXPECT_THAT(Get(id).last_error, HasSubstr("not a registered peer"));
  directory_.Put(Peer(server_.base_url()));
  clock_.Advance(2s);
  relay_->Wake();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
}

TEST_F(OutboxRelayTest, PastItsDeadlineACommandIsDeadLetteredNeverSentLate) {
  directory_.Clear();
  directory_.Put(Peer("https://127.0.0.1:" + std::to_string(client::test::UnusedPort()) + "/evcs/v1"));
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitRetried(id, 1));
  // The operator comes back only after the window started.
  directory_.Clear();
  directory_.Put(Peer(server_.base_url()));
  clock_.Advance(1h);
  relay_->Wake();
  ASSERT_TRUE(WaitState(id, OutboxState::kDead));
  const auto c = Get(id);
  EXPECT_THAT(c.last_error, HasSubstr("deadline passed before delivery"));
  EXPECT_EQ(responder_.calls, 0);
  const auto alarms = Alarms();
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].type, "outbox.dead_letter");
  EXPECT_EQ(alarms[0].level, store::AlarmLevel::kMajor);
  EXPECT_THAT(alarms[0].detail, HasSubstr("REG-1"));
  EXPECT_EQ(relay_->stats().dead, 1u);
}

TEST_F(OutboxRelayTest, TwoNodesDeliverEachCommandOnce) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 24; ++i) ids.push_back(Enqueue("REG-" + std::to_string(i)));
  // Both call the operator as the same OperatorID: each needs its own Seq space.
  auto a = Options("node-a"), b = Options("node-b");
  a.node_count = b.node_count = 2;
  b.node_index = 1;
  StartRelay(a);
  auto other = OutboxRelay::Start(*store_, directory_, clock_, random_, b, nullptr, nullptr);
  ASSERT_TRUE(other.ok()) << other.status();
  for (auto id : ids) ASSERT_TRUE(WaitState(id, OutboxState::kSent)) << id;
  (*other)->Stop();
  std::set<std::string> regulations;
  for (const auto& json : responder_.data_seen()) {
    auto in = proto::DecodeData<proto::Instruction>(json);
    ASSERT_TRUE(in.ok());
    EXPECT_TRUE(regulations.insert(in->regulation_id).second) << "sent twice: " << in->regulation_id;
  }
  EXPECT_EQ(regulations.size(), ids.size());
  EXPECT_EQ(relay_->stats().delivered + (*other)->stats().delivered, ids.size());
}

TEST_F(OutboxRelayTest, ADeadNodesClaimIsTakenOverWhenItsLeaseEnds) {
  const auto id = Enqueue("REG-1");
  // A node that claimed the command and died before recording anything.
  auto claimed = store_->ClaimOutbox("dead-node", clock_.Now(), 30s, 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  StartRelay();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(Get(id).lease_owner, "dead-node");
  EXPECT_EQ(responder_.calls, 0);
  clock_.Advance(31s);
  relay_->Wake();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
  EXPECT_EQ(Get(id).attempts, 2);
  EXPECT_EQ(responder_.accepted, 1);
}

TEST_F(OutboxRelayTest, QueryTaskResultStoresTheOperatorsAnswerAfterItsSigIsVerified) {
  auto id = EnqueueQueryTaskResult(*store_, clock_, kOperator, proto::InstructionRef{"TASK-1", "REG-1"},
                                   clock_.Now() + 1h);
  ASSERT_TRUE(id.ok()) << id.status();
  StartRelay();
  ASSERT_TRUE(WaitState(*id, OutboxState::kSent));
  const auto c = Get(*id);
  EXPECT_EQ(c.interface, proto::Interface::kQueryTaskResult);
  auto result = proto::DecodeData<proto::InstructionResult>(c.response_json);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, testing::SampleInstructionResult());
}

TEST_F(OutboxRelayTest, ASettlementPushIsDelivered) {
  proto::SettlementPush push;
  push.task_id = "TASK-1";
  push.regulation_id = "REG-1";
  push.type = proto::RegulationType::kPeakShaving;
  push.points = {{proto::Yuan::FromUnits(12345), proto::YuanPerKwh::FromUnits(5000), std::nullopt, std::nullopt,
                  std::nullopt}};
  auto id = EnqueueSettlement(*store_, clock_, kOperator, push, clock_.Now() + 24h);
  ASSERT_TRUE(id.ok()) << id.status();
  StartRelay();
  ASSERT_TRUE(WaitState(*id, OutboxState::kSent));
  const auto seen = responder_.data_seen();
  ASSERT_EQ(seen.size(), 1u);
  auto got = proto::DecodeData<proto::SettlementPush>(seen[0]);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, push);
}

TEST_F(OutboxRelayTest, AnAnswerInTheExampleDialectIsUnderstood) {
  responder_.example_dialect = true;
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
  EXPECT_EQ(Get(id).ret, 0);  // "ret": 200 on the wire
}

TEST_F(OutboxRelayTest, AnAnswerWithAWrongSigIsNotTrustedAndTheCommandIsRetried) {
  responder_.wrong_sig = true;
  const auto id = Enqueue("REG-1");
  StartRelay();
  ASSERT_TRUE(WaitRetried(id, 1));
  const auto c = Get(id);
  EXPECT_FALSE(c.ret.has_value());
  EXPECT_THAT(c.last_error, HasSubstr("Sig"));
  responder_.wrong_sig = false;
  clock_.Advance(2s);
  relay_->Wake();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
}

TEST_F(OutboxRelayTest, ACaFileThatAppearsAfterTheStartIsPickedUp) {
  const std::string ca = ::testing::TempDir() + "/relay-late-ca.pem";
  std::remove(ca.c_str());
  auto o = Options();
  o.tls.ca_file = ca;
  StartRelay(o);
  const auto id = Enqueue("REG-1");
  relay_->Wake();
  ASSERT_TRUE(WaitRetried(id, 1));
  EXPECT_THAT(Get(id).last_error, HasSubstr("relay.ca_file"));
  {
    std::ofstream out(ca);
    std::ifstream in(GetSharedPki().ca_file);
    out << in.rdbuf();
  }
  clock_.Advance(2s);
  relay_->Wake();
  ASSERT_TRUE(WaitState(id, OutboxState::kSent));
  std::remove(ca.c_str());
}

TEST_F(OutboxRelayTest, StartRefusesBadOptions) {
  auto o = Options("");
  auto relay = OutboxRelay::Start(*store_, directory_, clock_, random_, o, nullptr, nullptr);
  ASSERT_FALSE(relay.ok());
  EXPECT_THAT(relay.status().message(), HasSubstr("node"));
  o = Options();
  o.backoff_cap = 1ms;
  relay = OutboxRelay::Start(*store_, directory_, clock_, random_, o, nullptr, nullptr);
  ASSERT_FALSE(relay.ok());
  EXPECT_THAT(relay.status().message(), HasSubstr("backoff"));
}

}  // namespace
}  // namespace vgi::relay
