// The operator endpoints over HTTPS on loopback, called by a real ProtocolClient as the grid.
#include <gtest/gtest.h>

#include "sim_test_util.hpp"
#include "vgi/client/protocol_client.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"

namespace vgi::sim::test {
namespace {

using client::ProtocolClient;
using proto::Interface;
using proto::InstructionStatus;
using proto::Ret;
using namespace std::chrono_literals;

// The grid's client for operator `op` of the simulator.
std::unique_ptr<ProtocolClient> GridClient(const SimHarness& h, std::size_t op = 0,
                                           std::string operator_id = "MA0GRID01",
                                           std::chrono::milliseconds timeout = 20s) {
  const SimPeer peer = h.sim->Peers()[op];
  ProtocolClient::Options o;
  o.base_url = peer.base_url;
  o.operator_id = std::move(operator_id);
  o.responder_keys = peer.issued_keys;
  o.tls.ca_file = h.sim->tls_cert_file();
  o.timeout = timeout;
  auto client = ProtocolClient::Create(std::move(o), h.clock);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

proto::Instruction OperatorTask(const SimHarness& h, const std::string& regulation = "R1") {
  return Task("T1", regulation, proto::RegulationType::kPeakShaving, proto::RangeType::kOperator, {h.op()}, 30,
              "2024-04-09 17:10", "2024-04-09 17:20");
}

TEST(Endpoints, PeersDescribeWhereAndHowToCall) {
  SimHarness h;
  const auto peers = h.sim->Peers();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0].operator_id, "SIM000001");
  EXPECT_EQ(peers[0].base_url, "https://127.0.0.1:" + std::to_string(h.sim->port()) + "/op/SIM000001/evcs/v1");
  EXPECT_EQ(peers[0].grid_operator_id, "MA0GRID01");
  EXPECT_TRUE(proto::ValidateKeySet(peers[0].issued_keys, proto::KeyPolicy::kIssued).ok());
  EXPECT_NE(peers[0].issued_keys, peers[1].issued_keys);
}

TEST(Endpoints, TokenThenSendTaskIsAccepted) {
  SimHarness h;
  auto grid = GridClient(h);
  ASSERT_NE(grid, nullptr);
  auto reply = grid->Send(Interface::kSendTask, OperatorTask(h));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->ret, Ret::kOk) << reply->msg;
  EXPECT_TRUE(reply->sig_verified);
  const OperatorStats stats = h.sim->Stats(h.op());
  EXPECT_EQ(stats.token_requests_served, 1u);
  EXPECT_EQ(stats.instructions_received, 1u);
  EXPECT_EQ(h.sim->Instruction(h.op(), "R1")->status, InstructionStatus::kAccepted);
  // Operator 2 did not get it.
  EXPECT_FALSE(h.sim->Instruction(h.op(1), "R1").has_value());
}

TEST(Endpoints, ABadSigIsRefusedWith4009) {
  SimHarness h;
  auto grid = GridClient(h);
  auto token = grid->Token();
  ASSERT_TRUE(token.ok()) << token.status();
  proto::RequestEnvelope env = grid->Seal(proto::EncodeData(OperatorTask(h)));
  env.sig[0] = env.sig[0] == 'A' ? 'B' : 'A';
  auto raw = grid->PostRaw(grid->Path(Interface::kSendTask), proto::SerializeRequestEnvelope(env), "Bearer " + *token);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->status, 200);
  auto opened = proto::OpenResponse(raw->body, grid->keys(), {});
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->ret, Ret::kAuthFailed);
  EXPECT_EQ(opened->msg.rfind("Sig: does not match", 0), 0u) << opened->msg;
  EXPECT_FALSE(h.sim->Instruction(h.op(), "R1").has_value());
  EXPECT_EQ(h.sim->Stats(h.op()).requests_refused, 1u);
}

TEST(Endpoints, AMissingTokenOrAReplayIsRefusedWith4009) {
  SimHarness h;
  auto grid = GridClient(h);
  auto token = grid->Token();
  ASSERT_TRUE(token.ok());
  const std::string body = proto::SerializeRequestEnvelope(grid->Seal(proto::EncodeData(OperatorTask(h))));
  auto none = grid->PostRaw(grid->Path(Interface::kSendTask), body, "");
  ASSERT_TRUE(none.ok());
  auto opened = proto::OpenResponse(none->body, grid->keys(), {});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->ret, Ret::kAuthFailed);
  EXPECT_EQ(opened->msg, "Authorization: missing \"Bearer <token>\" (get one from query_token first)");

  auto first = grid->PostRaw(grid->Path(Interface::kSendTask), body, "Bearer " + *token);
  auto second = grid->PostRaw(grid->Path(Interface::kSendTask), body, "Bearer " + *token);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(proto::OpenResponse(first->body, grid->keys(), {})->ret, Ret::kOk);
  EXPECT_EQ(proto::OpenResponse(second->body, grid->keys(), {})->ret, Ret::kAuthFailed);
  EXPECT_EQ(h.sim->Stats(h.op()).duplicates, 0u) << "the replay never reached the instruction book";
}

TEST(Endpoints, AMissingFieldIs4003NamingIt) {
  SimHarness h;
  auto grid = GridClient(h);
  std::string json = proto::EncodeData(OperatorTask(h));
  const std::string field = "\"regulationID\":\"R1\",";
  ASSERT_NE(json.find(field), std::string::npos) << json;
  json.erase(json.find(field), field.size());
  auto reply = grid->Call(Interface::kSendTask, json);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->ret, Ret::kInvalid);
  EXPECT_EQ(reply->msg.rfind("regulationID", 0), 0u) << reply->msg;

  auto empty = grid->Call(Interface::kSendTask, "{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ret, Ret::kEmpty) << empty->msg;
}

TEST(Endpoints, AnUnknownStationIs4003) {
  SimHarness h;
  auto grid = GridClient(h);
  auto in = Task("T1", "R1", proto::RegulationType::kPeakShaving, proto::RangeType::kStation, {"ELSEWHERE"}, 5,
                 "2024-04-09 17:10", "2024-04-09 17:20");
  in.credit_code = h.sim->Peers()[0].credit_code;
  auto reply = grid->Send(Interface::kSendTask, in);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->ret, Ret::kInvalid);
  EXPECT_EQ(reply->msg, "adjustIDList[0]: ELSEWHERE is not a station of operator SIM000001");
}

TEST(Endpoints, ACallerThatIsNotTheGridGetsAnUnsignedRefusal) {
  SimHarness h;
  auto stranger = GridClient(h, 0, "STRANGER1");
  auto token = stranger->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(token.status().message().find("STRANGER1 is not known to operator platform SIM000001"), std::string::npos)
      << token.status();
}

TEST(Endpoints, AWrongOperatorSecretGetsNoToken) {
  SimHarness h;
  SimPeer peer = h.sim->Peers()[0];
  ProtocolClient::Options o;
  o.base_url = peer.base_url;
  o.operator_id = "MA0GRID01";
  o.responder_keys = peer.issued_keys;
  o.responder_keys.operator_secret = std::string(64, 'A');
  o.tls.ca_file = h.sim->tls_cert_file();
  auto grid = ProtocolClient::Create(std::move(o), h.clock);
  ASSERT_TRUE(grid.ok());
  auto token = (*grid)->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(h.sim->Stats(h.op()).token_requests_served, 0u);
}

TEST(Endpoints, QueryTaskResultSaysProcessingUntilTheDelayedAnswer) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kAccept, 0.6, std::chrono::minutes(3)}).ok());
  auto grid = GridClient(h);
  ASSERT_EQ(grid->Send(Interface::kSendTask, OperatorTask(h))->ret, Ret::kOk);
  const auto query = [&] {
    auto reply = grid->Send(Interface::kQueryTaskResult, proto::InstructionRef{"T1", "R1"});
    EXPECT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->ret, Ret::kOk) << reply->msg;
    auto result = proto::DecodeData<proto::InstructionResult>(reply->data_json.value_or(""));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : proto::InstructionResult{};
  };
  EXPECT_EQ(query().status, InstructionStatus::kProcessing);
  h.clock.Advance(2min);
  EXPECT_EQ(query().status, InstructionStatus::kProcessing);
  h.clock.Advance(1min);  // decided when asked, even between driver passes
  const auto result = query();
  EXPECT_EQ(result.status, InstructionStatus::kAccepted);
  EXPECT_EQ(result.instruction, OperatorTask(h));
}

TEST(Endpoints, QueryTaskResultSaysRejected) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kReject, 0.6, {}}).ok());
  auto grid = GridClient(h);
  ASSERT_EQ(grid->Send(Interface::kSendTask, OperatorTask(h))->ret, Ret::kOk);
  auto reply = grid->Send(Interface::kQueryTaskResult, proto::InstructionRef{"T1", "R1"});
  ASSERT_TRUE(reply.ok());
  auto result = proto::DecodeData<proto::InstructionResult>(reply->data_json.value_or(""));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, InstructionStatus::kRejected);

  auto unknown = grid->Send(Interface::kQueryTaskResult, proto::InstructionRef{"T1", "R404"});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->ret, Ret::kInvalid);
  EXPECT_EQ(unknown->msg, "regulationID: R404 was never received by operator SIM000001");
  auto mismatch = grid->Send(Interface::kQueryTaskResult, proto::InstructionRef{"T9", "R1"});
  ASSERT_TRUE(mismatch.ok());
  EXPECT_EQ(mismatch->msg, "taskID: T9 is not the task of regulationID R1 (T1)");
}

TEST(Endpoints, QueryTaskResultShowsThePartialTargets) {
  SimHarness h;
  ASSERT_TRUE(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kPartial, 0.5, {}}).ok());
  auto grid = GridClient(h);
  ASSERT_EQ(grid->Send(Interface::kSendTask, OperatorTask(h))->ret, Ret::kOk);
  auto reply = grid->Send(Interface::kQueryTaskResult, proto::InstructionRef{"T1", "R1"});
  auto result = proto::DecodeData<proto::InstructionResult>(reply->data_json.value_or(""));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, InstructionStatus::kAccepted);
  EXPECT_EQ(result->instruction.targets[0].target_power, proto::Kilowatts::FromInt(15));
}

TEST(Endpoints, ASettlementPushIsStoredAndAcknowledged) {
  SimHarness h;
  auto grid = GridClient(h);
  proto::SettlementPush push;
  push.task_id = "T1";
  push.regulation_id = "R1";
  push.type = proto::RegulationType::kPeakShaving;
  push.points = {{proto::Yuan::FromUnits(1234), proto::YuanPerKwh::FromUnits(5000), {}, {}, {}}};
  auto reply = grid->Send(Interface::kExchangeInviteplanPush, push);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->ret, Ret::kOk);
  EXPECT_FALSE(reply->data_json.has_value());
  EXPECT_EQ(h.sim->Settlements(h.op()), std::vector<proto::SettlementPush>{push});
  EXPECT_EQ(h.sim->Stats(h.op()).settlements_received, 1u);
}

TEST(Endpoints, TheSeedsQueryTokenPathIsAnAlias) {
  SimHarness h;
  auto grid = GridClient(h);
  const std::string body = proto::SerializeRequestEnvelope(
      grid->Seal(proto::EncodeData(proto::TokenRequest{"MA0GRID01", h.sim->Peers()[0].issued_keys.operator_secret})));
  auto raw = grid->PostRaw("/op/SIM000001/api/cec/query_token", body, "");
  ASSERT_TRUE(raw.ok()) << raw.status();
  auto opened = proto::OpenResponse(raw->body, grid->keys(), {});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->ret, Ret::kOk) << opened->msg;
}

TEST(Endpoints, FaultsOnDemand) {
  SimHarness h;
  auto grid = GridClient(h);
  ASSERT_TRUE(grid->Token().ok());

  Faults offline;
  offline.offline_until = h.clock.Now() + 10min;
  ASSERT_TRUE(h.sim->SetFaults(h.op(), offline).ok());
  auto down = grid->Send(Interface::kSendTask, OperatorTask(h, "R1"));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("HTTP 503"), std::string::npos) << down.status();
  EXPECT_FALSE(h.sim->Stats(h.op()).online);
  h.clock.Advance(10min);  // back online by itself
  EXPECT_TRUE(h.sim->Stats(h.op()).online);
  EXPECT_EQ(grid->Send(Interface::kSendTask, OperatorTask(h, "R1"))->ret, Ret::kOk);

  Faults ret500;
  ret500.answer_500 = true;
  ASSERT_TRUE(h.sim->SetFaults(h.op(), ret500).ok());
  auto failed = grid->Send(Interface::kSendTask, OperatorTask(h, "R2"));
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->ret, Ret::kSystemError);
  EXPECT_FALSE(h.sim->Instruction(h.op(), "R2").has_value()) << "a Ret 500 changed nothing";

  Faults http500;
  http500.http_status = 500;
  ASSERT_TRUE(h.sim->SetFaults(h.op(), http500).ok());
  auto http = grid->Send(Interface::kSendTask, OperatorTask(h, "R2"));
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.status().message().find("HTTP 500"), std::string::npos) << http.status();

  Faults broken;
  broken.broken_sig = true;
  ASSERT_TRUE(h.sim->SetFaults(h.op(), broken).ok());
  auto unsigned_answer = grid->Send(Interface::kSendTask, OperatorTask(h, "R3"));
  ASSERT_FALSE(unsigned_answer.ok());
  EXPECT_EQ(unsigned_answer.status().code(), StatusCode::kUnauthenticated) << unsigned_answer.status();

  // A slow answer: the instruction is taken at once, the answer only after the delay (here longer
  // than the client waits, as for a grid that dies before reading it).
  ASSERT_TRUE(h.sim->SetFaults(h.op(), Faults{}).ok());
  h.clock.Advance(1s);  // a second client of the same caller: its Seq restarts in a new second
  auto impatient = GridClient(h, 0, "MA0GRID01", 300ms);
  ASSERT_TRUE(impatient->Token().ok());
  Faults slow;
  slow.answer_delay = 1500ms;
  ASSERT_TRUE(h.sim->SetFaults(h.op(), slow).ok());
  auto late = impatient->Send(Interface::kSendTask, OperatorTask(h, "R5"));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kDeadlineExceeded) << late.status();
  EXPECT_TRUE(h.sim->Instruction(h.op(), "R5").has_value()) << "taken before the answer left";

  ASSERT_TRUE(h.sim->SetFaults(h.op(), Faults{}).ok());
  h.clock.Advance(1s);  // the first client again: a second the other did not use
  auto again = grid->Send(Interface::kSendTask, OperatorTask(h, "R4"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ret, Ret::kOk);
  // Another operator was never affected.
  auto other = GridClient(h, 1);
  EXPECT_EQ(other->Send(Interface::kSendTask, Task("T1", "R1", proto::RegulationType::kPeakShaving,
                                                   proto::RangeType::kOperator, {h.op(1)}, 5, "2024-04-09 17:10",
                                                   "2024-04-09 17:20"))
                ->ret,
            Ret::kOk);
}

TEST(Endpoints, RefusesBadFaultsAndPolicies) {
  SimHarness h;
  Faults f;
  f.drop_points = 1.5;
  EXPECT_EQ(h.sim->SetFaults(h.op(), f).message(), "drop_points: must be 0..1");
  f = Faults{};
  f.http_status = 200;
  EXPECT_EQ(h.sim->SetFaults(h.op(), f).code(), StatusCode::kInvalid);
  f = Faults{};
  f.answer_delay = std::chrono::minutes(2);
  EXPECT_EQ(h.sim->SetFaults(h.op(), f).message(), "answer_delay: must be 0..60 s");
  EXPECT_EQ(h.sim->SetPolicy(h.op(), Policy{Policy::Decision::kPartial, 0, {}}).code(), StatusCode::kInvalid);
  EXPECT_EQ(ParseDecision("partial"), Policy::Decision::kPartial);
  EXPECT_EQ(DecisionName(Policy::Decision::kReject), "reject");
}

TEST(Endpoints, CreateRefusesBadOptions) {
  vgi::testing::FakeClock clock;
  const auto refused = [&](SimOptions o) {
    auto sim = Simulator::Create(std::move(o), clock);
    EXPECT_FALSE(sim.ok());
    return sim.ok() ? std::string() : sim.status().message();
  };
  SimOptions o = SmallOptions();
  o.page_size = 0;
  EXPECT_EQ(refused(o), "page_size: must be 1..5000");
  o = SmallOptions();
  o.policies["NOSUCHOP1"] = Policy{};
  EXPECT_EQ(refused(o), "policies: NOSUCHOP1 is not a simulated operator");
  o = SmallOptions();
  o.policies["SIM000002"] = Policy{Policy::Decision::kPartial, -1, {}};
  EXPECT_EQ(refused(o).rfind("policies.SIM000002: partial_ratio", 0), 0u);
  o = SmallOptions();
  o.tls_cert = "/tmp/only-a-cert.pem";
  EXPECT_EQ(refused(o).rfind("tls_cert/tls_key", 0), 0u);
  o = SmallOptions();
  o.grid_base_url = "http://127.0.0.1:8443/evcs/v1";
  EXPECT_EQ(refused(o).rfind("grid_base_url", 0), 0u);
  o = SmallOptions();
  o.grid_operator_id = "grid";
  EXPECT_EQ(refused(o).rfind("grid_operator_id", 0), 0u);
  o = SmallOptions();
  o.listen = "nowhere";
  EXPECT_EQ(refused(o).rfind("listen", 0), 0u);
}

TEST(Endpoints, ThePoliciesGivenAtCreateApply) {
  SimOptions o = SmallOptions();
  o.default_policy.decision = Policy::Decision::kReject;
  o.policies["SIM000002"] = Policy{};
  SimHarness h(o);
  const auto in = [&](std::size_t op) {
    return Task("T1", "R1", proto::RegulationType::kPeakShaving, proto::RangeType::kOperator, {h.op(op)}, 5,
                "2024-04-09 17:10", "2024-04-09 17:20");
  };
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(0), in(0)).ok());
  ASSERT_TRUE(h.sim->SubmitInstruction(h.op(1), in(1)).ok());
  EXPECT_EQ(h.sim->Instruction(h.op(0), "R1")->status, InstructionStatus::kRejected);
  EXPECT_EQ(h.sim->Instruction(h.op(1), "R1")->status, InstructionStatus::kAccepted);
}

}  // namespace
}  // namespace vgi::sim::test
