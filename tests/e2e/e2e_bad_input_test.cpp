// Every way a request can be wrong, sent over HTTPS to the assembled server: the HTTP status,
// the Ret, the Msg and whether the answer is signed (a peer the grid knows gets a signed
// refusal; an envelope that names no known peer gets an unsigned one).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <gtest/gtest.h>

#include <functional>

#include "e2e_fixture.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/crypto.hpp"

namespace vgi::e2e {
namespace {

using namespace std::chrono_literals;
using proto::Interface;
using proto::Ret;

using Members = std::vector<std::pair<std::string, std::string>>;

// {"k":"v",...} in the given order; every value a JSON string.
std::string JsonObject(const Members& members) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  for (const auto& [k, v] : members) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Members MembersOf(const proto::RequestEnvelope& e) {
  return {{"OperatorID", e.operator_id}, {"Data", e.data}, {"TimeStamp", e.timestamp}, {"Seq", e.seq}, {"Sig", e.sig}};
}

struct Request {
  std::string method = "POST";
  std::string path;
  std::string body;
  std::string authorization;
};

struct Case {
  std::string name;
  std::function<Request()> build;
  int http_status = 200;
  Ret ret = Ret::kOk;
  std::string msg;  // a fragment of Msg (the whole Msg when `exact`)
  bool exact = false;
  bool signed_answer = true;
};

class BadInputTest : public GridServerTest {
 protected:
  std::string PowerJson() {
    const proto::StationPowerBatch batch{{Power("STA1", {{MinuteOf(Today(Clock::System()), 3), 300}})}};
    return proto::EncodeData(batch);
  }
  std::string PowerPath() { return PathOf(Interface::kSendStationPower1440); }

  // A valid, signed power request with the client's token, then changed by `tamper`.
  Request PowerRequest(const std::function<void(proto::RequestEnvelope&)>& tamper = {}) {
    proto::RequestEnvelope e = client_->Seal(PowerJson());
    if (tamper) tamper(e);
    return Request{"POST", PowerPath(), proto::SerializeRequestEnvelope(e), Bearer()};
  }
  // An envelope whose Data is `data` (not what Seal made) with a Sig that verifies: reaches decrypt.
  Request ResignedData(std::string data) {
    return PowerRequest([&](proto::RequestEnvelope& e) {
      e.data = std::move(data);
      e.sig = client_->keys().signer().Sign({e.operator_id, e.data, e.timestamp, e.seq});
    });
  }
  // The envelope as members, one of them dropped or emptied.
  Request EnvelopeWith(const std::string& field, bool drop) {
    Members m = MembersOf(client_->Seal(PowerJson()));
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (it->first != field) continue;
      if (drop) {
        m.erase(it);
      } else {
        it->second.clear();
      }
      break;
    }
    return Request{"POST", PowerPath(), JsonObject(m), Bearer()};
  }
  Request EnvelopeField(const std::string& field, const std::string& value) {
    Members m = MembersOf(client_->Seal(PowerJson()));
    for (auto& kv : m) {
      if (kv.first == field) kv.second = value;
    }
    return Request{"POST", PowerPath(), JsonObject(m), Bearer()};
  }
  Request Sealed(Interface i, const std::string& data_json) {
    return Request{"POST", PathOf(i), SealedBody(data_json), Bearer()};
  }
  // Sealed at another time (the client's keys, a Stamp of our own making).
  Request SealedAt(SystemTime t) {
    const proto::Stamp stamp{proto::FormatTimeStamp(t), "0001"};
    const auto e = proto::SealRequest(kOperatorId, PowerJson(), stamp, client_->keys());
    return Request{"POST", PowerPath(), proto::SerializeRequestEnvelope(e), Bearer()};
  }

  client::HttpReply Do(const Request& r) {
    if (r.method == "GET") {
      auto conn = MakeConnection(server_->port(), CertFile(setup_));
      EXPECT_TRUE(conn.ok()) << conn.status();
      if (!conn.ok()) return {};
      auto reply = (*conn)->Get(r.path, 10s);
      EXPECT_TRUE(reply.ok()) << reply.status();
      return reply.ok() ? *reply : client::HttpReply{};
    }
    auto reply = client_->PostRaw(r.path, r.body, r.authorization);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : client::HttpReply{};
  }

  void Check(const Case& c) {
    SCOPED_TRACE(c.name);
    const Request request = c.build();
    const client::HttpReply reply = Do(request);
    ASSERT_EQ(reply.status, c.http_status) << reply.body;
    if (c.http_status != 200) return;
    const proto::OpenedResponse r = Open(reply, c.signed_answer);
    EXPECT_EQ(r.ret, c.ret) << r.msg;
    if (c.exact) {
      EXPECT_EQ(r.msg, c.msg);
    } else {
      EXPECT_NE(r.msg.find(c.msg), std::string::npos) << "Msg: " << r.msg;
    }
    EXPECT_FALSE(r.data_json.has_value());
  }
};

TEST_F(BadInputTest, EveryRefusalHasItsRetAndMessage) {
  const std::string undecryptable = proto::UndecryptableData().message();
  std::vector<Case> cases = {
      {"empty body", [&] { return Request{"POST", PowerPath(), "", Bearer()}; }, 200, Ret::kEmpty,
       "request body is empty", false, false},
      {"blank body", [&] { return Request{"POST", PowerPath(), "  \n", Bearer()}; }, 200, Ret::kEmpty,
       "request body is empty", false, false},
      {"not JSON", [&] { return Request{"POST", PowerPath(), "OperatorID=123456789", Bearer()}; }, 200, Ret::kInvalid,
       "request body: not valid UTF-8 JSON", false, false},
      {"truncated JSON", [&] { return Request{"POST", PowerPath(), R"({"OperatorID":"1234)", Bearer()}; }, 200,
       Ret::kInvalid, "request body: not valid UTF-8 JSON", false, false},
      {"JSON array", [&] { return Request{"POST", PowerPath(), "[1,2]", Bearer()}; }, 200, Ret::kInvalid,
       "request body: expected a JSON object", false, false},
      {"TimeStamp not digits", [&] { return EnvelopeField("TimeStamp", "2024-04-09T10:00"); }, 200, Ret::kInvalid,
       "TimeStamp: must be 14 to 17 digits", false, false},
      {"TimeStamp not a real time", [&] { return EnvelopeField("TimeStamp", "20241399250000"); }, 200, Ret::kInvalid,
       "TimeStamp: 20241399250000 is not a real yyyyMMddHHmmss time", false, false},
      {"Seq of 3 digits", [&] { return EnvelopeField("Seq", "001"); }, 200, Ret::kInvalid, "Seq: must be 4 digits",
       false, false},
      {"Seq not digits", [&] { return EnvelopeField("Seq", "00a1"); }, 200, Ret::kInvalid, "Seq: must be 4 digits",
       false, false},
      {"Sig not hex", [&] { return EnvelopeField("Sig", std::string(32, 'Z')); }, 200, Ret::kInvalid,
       "Sig: must be 32 hex digits", false, false},
      {"Sig too short", [&] { return EnvelopeField("Sig", "ABCDEF"); }, 200, Ret::kInvalid,
       "Sig: must be 32 hex digits", false, false},
      {"OperatorID malformed", [&] { return EnvelopeField("OperatorID", "12345"); }, 200, Ret::kInvalid,
       "OperatorID: must be 9 characters", false, false},
      {"unknown OperatorID",
       [&] {
         // Sealed correctly, but under an OperatorID the grid has never onboarded.
         const auto e = proto::SealRequest("987654321", PowerJson(), {proto::FormatTimeStamp(Clock::System().Now()), "0001"},
                                           client_->keys());
         return Request{"POST", PowerPath(), proto::SerializeRequestEnvelope(e), Bearer()};
       },
       200, Ret::kAuthFailed, "OperatorID: 987654321 is not a connected operator", false, false},
      {"no Authorization", [&] {
         Request r = PowerRequest();
         r.authorization.clear();
         return r;
       }, 200, Ret::kAuthFailed, "Authorization: missing", false, true},
      {"Authorization of another scheme", [&] {
         Request r = PowerRequest();
         r.authorization = "Basic MTIzNDU2Nzg5OnNlY3JldA==";
         return r;
       }, 200, Ret::kAuthFailed, "Authorization: missing", false, true},
      {"garbage bearer token", [&] {
         Request r = PowerRequest();
         r.authorization = "Bearer not-a-token";
         return r;
       }, 200, Ret::kAuthFailed, "token: malformed", false, true},
      {"forged bearer token", [&] {
         Request r = PowerRequest();
         std::string token = r.authorization.substr(7);
         token.back() = token.back() == '0' ? '1' : '0';
         r.authorization = "Bearer " + token;
         return r;
       }, 200, Ret::kAuthFailed, "token: signature does not match", false, true},
      {"wrong Sig", [&] {
         return PowerRequest([](proto::RequestEnvelope& e) { e.sig[5] = e.sig[5] == 'A' ? 'B' : 'A'; });
       }, 200, Ret::kAuthFailed, "Sig: does not match", false, true},
      {"Data changed after signing", [&] {
         return PowerRequest([&](proto::RequestEnvelope& e) {
           e.data = client_->keys().cipher().Encrypt(R"({"stationPowerList":[]})");
         });
       }, 200, Ret::kAuthFailed, "Sig: does not match", false, true},
      {"stale TimeStamp", [&] { return SealedAt(Clock::System().Now() - 600s); }, 200, Ret::kAuthFailed,
       "behind the grid's clock, more than the allowed 300 s", false, true},
      {"TimeStamp in the future", [&] { return SealedAt(Clock::System().Now() + 600s); }, 200, Ret::kAuthFailed,
       "ahead of the grid's clock", false, true},
      {"Data not base64", [&] { return ResignedData("this is not base64!"); }, 200, Ret::kInvalid, undecryptable,
       true, true},
      {"Data under another DataSecret", [&] {
         auto other = proto::DataCipher::Create("AnotherSecret123", InboundKeys().data_iv);
         EXPECT_TRUE(other.ok());
         return ResignedData(other->Encrypt(PowerJson()));
       }, 200, Ret::kInvalid, undecryptable, true, true},
      {"Data with bad padding", [&] {
         // Flipping the top bit of the last byte of the next-to-last block flips it in the last
         // plaintext block: the padding byte becomes > 16, which PKCS#5 never allows.
         auto raw = proto::Base64Decode(client_->keys().cipher().Encrypt(PowerJson()));
         EXPECT_TRUE(raw.ok());
         std::string bytes = raw.ok() ? *raw : std::string(32, '\0');
         bytes[bytes.size() - 17] = static_cast<char>(bytes[bytes.size() - 17] ^ 0x80);
         return ResignedData(proto::Base64Encode(bytes));
       }, 200, Ret::kInvalid, undecryptable, true, true},
      {"Data decrypts to something not JSON", [&] {
         return ResignedData(client_->keys().cipher().Encrypt("stationPowerList=1"));
       }, 200, Ret::kInvalid, undecryptable, true, true},
      {"Data empty object", [&] { return Sealed(Interface::kSendStationPower1440, "{}"); }, 200, Ret::kEmpty,
       "Data: empty", false, true},
      {"Data missing a required field", [&] {
         return Sealed(Interface::kSendStationPower1440,
                       R"({"stationPowerList":[{"creditCode":"911101901234567890","adjustTopPower":50.00,)"
                       R"("adjustBottomPower":1.25,"powerPointList":[]}]})");
       }, 200, Ret::kInvalid, "stationPowerList[0].stationCode: required field is missing", false, true},
      {"Data missing the list", [&] { return Sealed(Interface::kSendStationPower1440, R"({"stations":[]})"); }, 200,
       Ret::kInvalid, "stationPowerList: required field is missing", false, true},
      {"power with 3 decimals", [&] {
         return Sealed(Interface::kSendStationPower1440,
                       R"({"stationPowerList":[{"stationCode":"STA1","creditCode":"911101901234567890",)"
                       R"("adjustTopPower":50.123,"adjustBottomPower":1.25,"powerPointList":[]}]})");
       }, 200, Ret::kInvalid, "stationPowerList[0].adjustTopPower: 50.123 has more than 2 decimal places", false,
       true},
      {"enum out of range", [&] {
         return Sealed(Interface::kCallbackTaskOverview, R"({"taskID":"T1","regulationID":"R1","status":7})");
       }, 200, Ret::kInvalid, "status: 7 is not one of", false, true},
      {"station type out of range", [&] {
         return Sealed(Interface::kSendStationInfo,
                       R"({"totalCount":1,"pageCount":1,"pageNo":1,"stationList":[{"stationCode":"S1","type":9}]})");
       }, 200, Ret::kInvalid, "stationList[0].type: 9 is not one of", false, true},
      {"token request for another OperatorID", [&] {
         const proto::TokenRequest t{"987654321", InboundKeys().operator_secret};
         return Request{"POST", PathOf(Interface::kQueryToken), SealedBody(proto::EncodeData(t)), ""};
       }, 200, Ret::kInvalid, "differs from the envelope's OperatorID", false, true},
      {"wrong HTTP method", [&] { return Request{"GET", PowerPath(), "", ""}; }, 405, Ret::kOk, "", false, true},
      {"unknown path", [&] { return Request{"POST", "/evcs/v1/no_such_interface", SealedBody("{}"), Bearer()}; }, 404,
       Ret::kOk, "", false, true},
      {"interface the grid only calls", [&] { return Sealed(Interface::kSendTask, "{}"); }, 404, Ret::kOk, "", false,
       true},
  };
  for (const char* field : {"OperatorID", "Data", "TimeStamp", "Seq", "Sig"}) {
    cases.push_back({std::string(field) + " missing", [this, field] { return EnvelopeWith(field, true); }, 200,
                     Ret::kEmpty, std::string(field) + ": missing", false, false});
    cases.push_back({std::string(field) + " empty", [this, field] { return EnvelopeWith(field, false); }, 200,
                     Ret::kEmpty, std::string(field) + ": empty", false, false});
  }
  for (const Case& c : cases) Check(c);

  // None of it stored anything.
  EXPECT_FALSE(Day("STA1", Today(Clock::System())).has_value());
}

TEST_F(BadInputTest, ReplayedEnvelopeIs4009AndStoredOnce) {
  const auto day = Today(Clock::System());
  const std::string body =
      SealedBody(proto::EncodeData(proto::StationPowerBatch{{Power("STA1", {{MinuteOf(day, 11), 1100}})}}));
  auto first = client_->PostRaw(PowerPath(), body, Bearer());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(Open(*first, true).ret, Ret::kOk);
  auto second = client_->PostRaw(PowerPath(), body, Bearer());
  ASSERT_TRUE(second.ok()) << second.status();
  const auto r = Open(*second, true);
  EXPECT_EQ(r.ret, Ret::kAuthFailed);
  EXPECT_NE(r.msg.find("Seq: request (OperatorID, TimeStamp, Seq) = (123456789, "), std::string::npos) << r.msg;
  EXPECT_NE(r.msg.find("already received (replay)"), std::string::npos) << r.msg;
}

TEST_F(BadInputTest, ExpiredTokenIs4009) {
  const std::string bearer = Bearer();
  ASSERT_FALSE(bearer.empty());
  clock_.Advance(std::chrono::seconds(7200 + 1));  // the grid's clock, past TokenAvailableTime
  auto reply = client_->PostRaw(PowerPath(), SealedBody(PowerJson()), bearer);
  clock_.Reset();
  ASSERT_TRUE(reply.ok()) << reply.status();
  const auto r = Open(*reply, true);
  EXPECT_EQ(r.ret, Ret::kAuthFailed);
  EXPECT_NE(r.msg.find("token: expired"), std::string::npos) << r.msg;

  // With the clock back the same token works again: it was refused for its age only.
  reply = client_->PostRaw(PowerPath(), SealedBody(PowerJson()), bearer);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(Open(*reply, true).ret, Ret::kOk);
}

}  // namespace
}  // namespace vgi::e2e
