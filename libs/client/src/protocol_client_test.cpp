#include "vgi/client/protocol_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_server.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using proto::Interface;
using proto::Ret;

class ProtocolClientTest : public ::testing::Test {
 protected:
  ProtocolClient::Options BaseOptions() const {
    ProtocolClient::Options options;
    options.base_url = server_.base_url();
    options.operator_id = vgi::testing::kSampleOperatorId;
    options.responder_keys = responder_.keys();
    options.tls.ca_file = test::GetSharedPki().ca_file;
    return options;
  }

  std::unique_ptr<ProtocolClient> MakeClient(ProtocolClient::Options options) {
    auto client = ProtocolClient::Create(std::move(options), clock_);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }
  std::unique_ptr<ProtocolClient> MakeClient() { return MakeClient(BaseOptions()); }

  vgi::testing::FakeClock clock_{vgi::testing::BeijingTime(2024, 4, 9, 10, 0, 0)};
  test::TestResponder responder_{clock_};
  test::TestHttpsServer server_{test::GetSharedPki().trusted.server,
                                [this](const test::ServerRequest& r) { return responder_.Handle(r); }};
};

TEST_F(ProtocolClientTest, FetchesATokenOnceAndReusesIt) {
  auto client = MakeClient();
  const auto batch = vgi::testing::SampleStationPowerBatch(2, 10);
  auto first = client->Send(Interface::kSendStationPower1440, batch);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->ret, Ret::kOk);
  EXPECT_TRUE(first->sig_verified);
  EXPECT_FALSE(first->data_json.has_value());
  auto second = client->Send(Interface::kSendStationPower1440, batch);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->ret, Ret::kOk);

  EXPECT_EQ(responder_.token_requests, 1);
  const auto bearers = responder_.bearers_seen();
  ASSERT_EQ(bearers.size(), 2u);
  auto token = client->Token();
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(bearers[0], "Bearer " + *token);
  EXPECT_EQ(bearers[1], bearers[0]);
  EXPECT_EQ(responder_.token_requests, 1);  // Token() answered from the cache
  const auto data = responder_.data_seen();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0], proto::EncodeData(batch));
  EXPECT_EQ(client->stats().token_fetches, 1u);
  EXPECT_EQ(client->stats().http.connects, 1u);
}

TEST_F(ProtocolClientTest, RenewsTheTokenBeforeItExpires) {
  auto client = MakeClient();
  auto first = client->Token();
  ASSERT_TRUE(first.ok()) << first.status();

  // 7200 s lifetime, renewed at 80 % of it (5760 s).
  clock_.Advance(5760s - 1s);
  auto still =
      client->Call(Interface::kCallbackTaskOverview, proto::EncodeData(vgi::testing::SampleInstructionFeedback()));
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_EQ(still->ret, Ret::kOk);
  EXPECT_EQ(responder_.token_requests, 1);

  clock_.Advance(2s);
  auto renewed =
      client->Call(Interface::kCallbackTaskOverview, proto::EncodeData(vgi::testing::SampleInstructionFeedback()));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->ret, Ret::kOk);
  EXPECT_EQ(responder_.token_requests, 2);
  auto second = client->Token();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
  const auto bearers = responder_.bearers_seen();
  ASSERT_EQ(bearers.size(), 2u);
  EXPECT_EQ(bearers[1], "Bearer " + *second);
  EXPECT_EQ(client->stats().auth_retries, 0u);  // renewed ahead, never refused
}

TEST_F(ProtocolClientTest, RenewsOnceOnRet4009ThenSucceeds) {
  auto client = MakeClient();
  const std::string data = proto::EncodeData(vgi::testing::SampleInstructionFeedback());
  ASSERT_TRUE(client->Call(Interface::kCallbackTaskOverview, data).ok());

  // The responder revokes every token issued so far; the client's cache still thinks it valid.
  responder_.revocations.Revoke(responder_.operator_id(), clock_.Now() + 1ms);
  clock_.Advance(1s);
  auto reply = client->Call(Interface::kCallbackTaskOverview, data);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->ret, Ret::kOk);
  EXPECT_EQ(responder_.token_requests, 2);
  EXPECT_EQ(responder_.calls, 3);  // ok, refused (revoked), ok with the new token
  EXPECT_EQ(responder_.accepted, 2);
  EXPECT_EQ(client->stats().auth_retries, 1u);
}

TEST_F(ProtocolClientTest, A4009AfterRenewalIsReturnedToTheCaller) {
  auto client = MakeClient();
  responder_.refuse_auth = 2;
  auto reply = client->Send(Interface::kCallbackTaskOverview, vgi::testing::SampleInstructionFeedback());
  ASSERT_TRUE(reply.ok()) << reply.status();  // a Ret is an answer, not a transport error
  EXPECT_EQ(reply->ret, Ret::kAuthFailed);
  EXPECT_EQ(reply->wire_ret, 4009);
  EXPECT_EQ(reply->msg, "token: refused by the test");
  EXPECT_EQ(responder_.token_requests, 2);  // the first token, and the one renewal
  EXPECT_EQ(responder_.calls, 2);           // sent twice, not more
  EXPECT_EQ(responder_.accepted, 0);
  EXPECT_EQ(client->stats().auth_retries, 1u);
}

TEST_F(ProtocolClientTest, OtherRetsAreReturnedWithoutRetry) {
  auto client = MakeClient();
  auto reply = client->Call(Interface::kCallbackTaskOverview, R"({"taskID":"1"})");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->ret, Ret::kOk);  // the test responder does not validate Data; check the 4003 path below
  auto token = client->Token();
  ASSERT_TRUE(token.ok());
  // An envelope whose Sig is wrong: the responder answers 4009, PostRaw does not retry.
  proto::RequestEnvelope envelope = client->Seal("{}");
  envelope.sig = std::string(32, '0');
  auto raw = client->PostRaw(client->Path(Interface::kSendTask), proto::SerializeRequestEnvelope(envelope),
                             "Bearer " + *token);
  ASSERT_TRUE(raw.ok()) << raw.status();
  auto opened = proto::OpenResponse(raw->body, client->keys(), proto::WireProfile{});
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->ret, Ret::kAuthFailed);
  EXPECT_THAT(opened->msg, HasSubstr("Sig: does not match"));
  EXPECT_EQ(responder_.calls, 2);
}

TEST_F(ProtocolClientTest, WrongResponseSigIsUnauthenticated) {
  auto client = MakeClient();
  auto token = client->Token();
  ASSERT_TRUE(token.ok()) << token.status();
  responder_.wrong_sig = true;
  auto reply = client->Send(Interface::kSendStationPower1440, vgi::testing::SampleStationPowerBatch(1, 5));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(reply.status().message(),
              HasSubstr("send_station_power_1440 at 127.0.0.1:" + std::to_string(server_.port())));
  EXPECT_THAT(reply.status().message(), HasSubstr("response Sig: does not match"));
  EXPECT_THAT(reply.status().message(), Not(HasSubstr(*token)));
  EXPECT_EQ(responder_.calls, 1);  // a bad Sig is not a 4009: no retry
}

TEST_F(ProtocolClientTest, WrongSigOnTheTokenAnswerFailsTheFetch) {
  auto client = MakeClient();
  responder_.wrong_sig = true;
  auto token = client->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(token.status().message(), HasSubstr("query_token at 127.0.0.1:"));
  EXPECT_THAT(token.status().message(), HasSubstr("response Sig"));
}

TEST_F(ProtocolClientTest, UnsignedRefusalIsUnauthenticatedSayingWhy) {
  responder_.unsigned_refusal = true;
  auto client = MakeClient();
  auto token = client->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(token.status().message(), HasSubstr("query_token at 127.0.0.1:"));
  EXPECT_THAT(token.status().message(),
              HasSubstr("refused us without signing its answer (Ret 4009, Msg \"OperatorID: 123456789 is not "
                        "registered\", both unverified)"));
  EXPECT_THAT(token.status().message(), HasSubstr("check operator_id and responder_keys"));
}

TEST_F(ProtocolClientTest, RefusedTokenIsUnauthenticatedWithTheResponderMessage) {
  auto options = BaseOptions();
  options.responder_keys.operator_secret = std::string(64, 'A');
  auto client = MakeClient(std::move(options));
  auto token = client->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(token.status().message(),
              HasSubstr("query_token at 127.0.0.1:" + std::to_string(server_.port()) + " refused: Ret 4009"));
  EXPECT_THAT(token.status().message(), HasSubstr("OperatorSecret: does not match the one the grid issued"));
  EXPECT_THAT(token.status().message(), Not(HasSubstr(std::string(64, 'A'))));

  // A call needing the token fails the same way and sends nothing else.
  auto reply = client->Call(Interface::kSendTask, "{}");
  EXPECT_EQ(reply.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(responder_.calls, 0);
}

TEST_F(ProtocolClientTest, ResponseDataIsOpenedAndDecodable) {
  auto client = MakeClient();
  const auto instruction = vgi::testing::SampleInstruction();
  auto reply =
      client->Send(Interface::kQueryTaskResult, proto::InstructionRef{instruction.task_id, instruction.regulation_id});
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->data_json.has_value());
  auto result = proto::DecodeData<proto::InstructionResult>(*reply->data_json, client->response_codec_options());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, vgi::testing::SampleInstructionResult());
}

TEST_F(ProtocolClientTest, ExampleDialectAnswersAreAccepted) {
  responder_.example_dialect = true;
  auto client = MakeClient();
  auto reply = client->Send(Interface::kCallbackTaskOverview, vgi::testing::SampleInstructionFeedback());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->wire_ret, 200);
  EXPECT_EQ(reply->ret, Ret::kOk);
}

TEST_F(ProtocolClientTest, HttpErrorStatusIsUnavailableWithTheBodyStart) {
  auto client = MakeClient();
  responder_.http_status = 503;
  auto token = client->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(token.status().message(), HasSubstr("query_token at 127.0.0.1:"));
  EXPECT_THAT(token.status().message(), HasSubstr("HTTP 503 \"<html>busy</html>\""));
}

TEST_F(ProtocolClientTest, WrongPathIsUnavailableWithAHint) {
  auto options = BaseOptions();
  options.base_url = server_.base_url("/wrong");
  auto client = MakeClient(std::move(options));
  auto token = client->Token();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(token.status().message(), HasSubstr("HTTP 404"));
  EXPECT_THAT(token.status().message(), HasSubstr("/wrong/query_token is not served there"));
}

TEST_F(ProtocolClientTest, ServerClosingTheIdleConnectionIsTransparent) {
  responder_.close_after = true;
  auto client = MakeClient();
  for (int i = 0; i < 3; ++i) {
    auto reply = client->Send(Interface::kCallbackTaskOverview, vgi::testing::SampleInstructionFeedback());
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->ret, Ret::kOk);
  }
  EXPECT_EQ(responder_.accepted, 3);
  EXPECT_EQ(responder_.token_requests, 1);
  EXPECT_EQ(server_.connections(), 4u);  // token + 3 calls, each on its own connection
  EXPECT_EQ(client->stats().http.connects, 4u);
}

TEST_F(ProtocolClientTest, TimeoutIsDeadlineExceeded) {
  auto gate = std::make_shared<test::Gate>();
  responder_.Hold(gate);
  auto options = BaseOptions();
  options.timeout = 200ms;
  auto client = MakeClient(std::move(options));
  auto token = client->Token();
  responder_.Hold(nullptr);
  gate->Open();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(token.status().message(), HasSubstr("no complete answer within 200 ms"));
}

TEST_F(ProtocolClientTest, UnreachableResponderIsUnavailableNamingHostAndPort) {
  auto options = BaseOptions();
  const std::uint16_t port = test::UnusedPort();
  options.base_url = "https://127.0.0.1:" + std::to_string(port) + "/evcs/v1";
  auto client = MakeClient(std::move(options));
  auto reply = client->Call(Interface::kSendTask, "{}");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("127.0.0.1:" + std::to_string(port)));
}

TEST_F(ProtocolClientTest, PostRawSendsExactBytes) {
  auto client = MakeClient();
  auto reply = client->PostRaw(client->Path(Interface::kSendTask), "{}", "");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  auto opened = proto::OpenResponse(reply->body, client->keys(), proto::WireProfile{});
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->ret, Ret::kEmpty);
  EXPECT_EQ(opened->msg, "OperatorID: missing");
}

TEST_F(ProtocolClientTest, SealMakesEnvelopesTheResponderCanOpen) {
  auto client = MakeClient();
  EXPECT_EQ(client->Path(Interface::kSendStationInfo), "/evcs/v1/send_station_info");
  const std::string json = R"({"taskID":"1"})";
  const proto::RequestEnvelope a = client->Seal(json);
  const proto::RequestEnvelope b = client->Seal(json);
  EXPECT_EQ(a.operator_id, vgi::testing::kSampleOperatorId);
  EXPECT_EQ(a.timestamp, "20240409100000");
  EXPECT_EQ(a.seq, "0001");
  EXPECT_EQ(b.seq, "0002");
  auto keys = proto::PreparedKeys::Create(responder_.keys());
  ASSERT_TRUE(keys.ok());
  proto::MemoryReplayGuard replay(clock_);
  auto opened = proto::OpenRequest(b, *keys, proto::WireProfile{}, clock_, &replay);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(std::string(*opened), json);
}

TEST_F(ProtocolClientTest, SharedStampGeneratorKeepsSeqDistinctAcrossClients) {
  auto stamps = std::make_shared<proto::StampGenerator>(clock_);
  auto options = BaseOptions();
  options.stamps = stamps;
  auto a = MakeClient(options);
  auto b = MakeClient(options);
  EXPECT_EQ(a->Seal("{}").seq, "0001");
  EXPECT_EQ(b->Seal("{}").seq, "0002");
  ASSERT_TRUE(a->Send(Interface::kCallbackTaskOverview, vgi::testing::SampleInstructionFeedback()).ok());
  auto reply = b->Send(Interface::kCallbackTaskOverview, vgi::testing::SampleInstructionFeedback());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->ret, Ret::kOk);  // no replay collision at the responder
}

TEST_F(ProtocolClientTest, CreateChecksTheOptions) {
  {
    auto options = BaseOptions();
    options.base_url = "http://127.0.0.1:1/evcs/v1";
    auto client = ProtocolClient::Create(options, clock_);
    EXPECT_EQ(client.status().code(), StatusCode::kInvalid);
    EXPECT_THAT(client.status().message(), HasSubstr("base_url: "));
    EXPECT_THAT(client.status().message(), HasSubstr("http:// is refused"));
  }
  {
    auto options = BaseOptions();
    options.operator_id = "12345";
    EXPECT_THAT(ProtocolClient::Create(options, clock_).status().message(),
                HasSubstr("operator_id: \"12345\" must be 9 characters"));
  }
  {
    auto options = BaseOptions();
    options.responder_keys.data_secret = "short";
    auto client = ProtocolClient::Create(options, clock_);
    EXPECT_EQ(client.status().code(), StatusCode::kInvalid);
    EXPECT_THAT(client.status().message(), HasSubstr("responder_keys"));
    EXPECT_THAT(client.status().message(), Not(HasSubstr("short")));
  }
  {
    auto options = BaseOptions();
    options.timeout = 0ms;
    EXPECT_THAT(ProtocolClient::Create(options, clock_).status().message(), HasSubstr("timeout: must be positive"));
  }
  {
    auto options = BaseOptions();
    options.node_index = 2;
    options.node_count = 2;
    EXPECT_THAT(ProtocolClient::Create(options, clock_).status().message(), HasSubstr("node_index/node_count"));
  }
}

}  // namespace
}  // namespace vgi::client
