// Request/response envelopes: forms, order of checks, freshness and replay, dialects.
#include "vgi/proto/envelope.hpp"

#include <gtest/gtest.h>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::proto {
namespace {

using std::chrono::seconds;
using testing::BeijingTime;
using testing::FakeClock;

const KeySet kKeys{"0123456789ABCDEF0123456789ABCDEF", "abcdefghij012345", "ABCDEFGHIJ012345",
                   "FEDCBA9876543210FEDCBA9876543210"};

class EnvelopeTest : public ::testing::Test {
 protected:
  FakeClock clock_{BeijingTime(2026, 11, 23, 9, 0, 0)};
  PreparedKeys keys_ = *PreparedKeys::Create(kKeys);
  MemoryReplayGuard guard_{clock_};
  WireProfile profile_;
  StampGenerator stamps_{clock_};
  const std::string data_ = EncodeData(testing::SampleInstructionFeedback());

  RequestEnvelope Seal(std::string_view json) { return SealRequest("123456789", json, stamps_.Next(), keys_); }

  // Runs the responder's steps 1 and 3 on a body.
  Result<std::string> Receive(const std::string& body) {
    auto env = ParseRequestEnvelope(body);
    if (!env.ok()) return env.status();
    return OpenRequest(*env, keys_, profile_, clock_, &guard_);
  }
};

TEST_F(EnvelopeTest, SealParseOpenRoundTrip) {
  const RequestEnvelope env = Seal(data_);
  EXPECT_EQ(env.timestamp, "20261123090000");
  EXPECT_EQ(env.seq, "0001");
  EXPECT_EQ(env.sig, keys_.signer().Sign({env.operator_id, env.data, env.timestamp, env.seq}));
  const std::string body = SerializeRequestEnvelope(env);
  auto parsed = ParseRequestEnvelope(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, env);
  auto json = OpenRequest(*parsed, keys_, profile_, clock_, &guard_);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, data_);
  EXPECT_TRUE(DecodeData<InstructionFeedback>(*json).ok());
}

TEST_F(EnvelopeTest, SealRequestBodyIsByteForByteSealThenSerialize) {
  const std::vector<std::string> payloads = {
      "",
      "{}",
      data_,
      EncodeData(testing::SampleStationPowerBatch(1, 1440)),  // ~60 KB: several 12 KiB pieces
      EncodeData(testing::SampleStationInfoPage(20, 3)),
  };
  const std::vector<std::pair<std::string, Stamp>> callers = {
      {"123456789", Stamp{"20261123090000", "0001"}},
      {"ABCDEFGHI", Stamp{"20261123090000123", "9999"}},
      {"needs \"escapes\" \\ \n 中文", Stamp{"2026\t", "\u0001"}},  // the writer escapes these alike
  };
  for (const auto& payload : payloads) {
    for (const auto& [op, stamp] : callers) {
      SCOPED_TRACE(std::to_string(payload.size()) + " bytes from " + op);
      EXPECT_EQ(SealRequestBody(op, payload, stamp, keys_), SerializeRequestEnvelope(SealRequest(op, payload, stamp, keys_)));
    }
  }
}

TEST_F(EnvelopeTest, SealRequestBodyOpens) {
  for (const std::string& json : {data_, EncodeData(testing::SampleStationInfoPage(40, 3))}) {
    SCOPED_TRACE(json.size());
    auto opened = Receive(SealRequestBody("123456789", json, stamps_.Next(), keys_));
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, json);
  }
  auto page = Receive(SealRequestBody("123456789", EncodeData(testing::SampleStationInfoPage(40, 3)), stamps_.Next(), keys_));
  ASSERT_TRUE(page.ok());
  auto decoded = DecodeData<StationInfoPage>(*page);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, testing::SampleStationInfoPage(40, 3));
}

TEST_F(EnvelopeTest, LargeDataDamagedPastItsFirstPieceFailsTheSigOrDecryptsToTheUniformError) {
  const std::string json = EncodeData(testing::SampleStationInfoPage(40, 3));
  RequestEnvelope env = Seal(json);
  ASSERT_GT(env.data.size(), 40000u);
  env.data[env.data.size() / 2] = '-';  // not base64, in a middle piece
  // Unsigned damage: the Sig fails first, and nothing reaches the replay guard.
  Status s = OpenRequest(env, keys_, profile_, clock_, &guard_).status();
  EXPECT_EQ(RetFor(s), Ret::kAuthFailed);
  EXPECT_TRUE(s.message().starts_with("Sig: does not match")) << s;
  EXPECT_EQ(guard_.size(), 0u);
  // Signed damage (the peer's own bug): the uniform error, after the replay check.
  env.sig = keys_.signer().Sign({env.operator_id, env.data, env.timestamp, env.seq});
  EXPECT_EQ(OpenRequest(env, keys_, profile_, clock_, &guard_).status(), UndecryptableData());
  EXPECT_EQ(guard_.size(), 1u);
  // A stale one is refused for its age before its Data is looked at.
  RequestEnvelope stale = Seal(json);
  stale.data[30000] = '=';
  stale.sig = keys_.signer().Sign({stale.operator_id, stale.data, stale.timestamp, stale.seq});
  clock_.Advance(seconds(301));
  s = OpenRequest(stale, keys_, profile_, clock_, &guard_).status();
  EXPECT_EQ(RetFor(s), Ret::kAuthFailed);
  EXPECT_TRUE(s.message().starts_with("TimeStamp: 301 s behind")) << s;
}

TEST_F(EnvelopeTest, TheSeedsOwnSignedExampleOpens) {
  // seed 5.4.4: OperatorID 123456789, Data from 5.4.3, TimeStamp with 16 digits, Seq 0001.
  auto prepared = *PreparedKeys::Create(KeySet{"x", "1234567890abcdef", "1234567890abcdef", "1234567890abcdef"});
  const std::string body =
      R"({"OperatorID":"123456789","Data":"11F5ry/2y93X0Dg86V2SgFyyzr0qt60OJYQwzjUPIh72gJCAK+trhQrbcxfNJITrxYllXsfQ5mGbzNplQAajhT5eiOi1UTzlWWsOT41sgfKfrYOgseT9INAESyrLuKj4oyRAjIp3RfDZ6fj6N4LYVNZ1ujE4mO5e46xAkTkTnyzI+AZdV01TccvNt/Cl/wmMoS5NSHfUUfpPDqeNpSUcRj+06jOizk4PQF1Re6++0he1tPyCh+T87b7Qusx9NDu8Px3pDvQWb6dSscF1UNGEC4bwQbkqdoTRWvFWZ9VeGzo=","TimeStamp":"2019070103040506","Seq":"0001","Sig":"60387814F5C7B8D148496DA044A24459"})";
  auto env = ParseRequestEnvelope(body);
  ASSERT_TRUE(env.ok()) << env.status();
  profile_.replay_check = false;  // the example is from 2019
  auto json = OpenRequest(*env, prepared, profile_, clock_, nullptr);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(json->starts_with(R"({"ConnectorID":"123456789001CX01001","ConnectorName":"中心站1号直流桩枪A")")) << *json;
  // With freshness on, the same request is far too old.
  profile_.replay_check = true;
  EXPECT_EQ(RetFor(OpenRequest(*env, prepared, profile_, clock_, &guard_).status()), Ret::kAuthFailed);
}

struct FormCase {
  const char* name;
  std::string body;
  Ret ret;
  std::string message;
};

TEST_F(EnvelopeTest, FieldFormsAreCheckedFirstWithTheirRetCodes) {
  auto with = [&](const char* key, const std::string& value) {
    RequestEnvelope e = Seal(data_);
    std::string body = SerializeRequestEnvelope(e);
    const std::string needle = std::string("\"") + key + "\":\"";
    const auto start = body.find(needle) + needle.size();
    const auto end = body.find('"', start);
    return body.substr(0, start - 1) + value + body.substr(end + 1);
  };
  auto without = [&](const char* key) {
    RequestEnvelope e = Seal(data_);
    std::string body = SerializeRequestEnvelope(e);
    const std::string needle = std::string("\"") + key + "\":\"";
    const auto start = body.find(needle);
    const auto end = body.find('"', start + needle.size()) + 1;
    const bool last = body[end] == '}';
    return last ? body.substr(0, start - 1) + "}" : body.substr(0, start) + body.substr(end + 1);
  };
  const std::vector<FormCase> cases = {
      {"empty body", "", Ret::kEmpty, "request body is empty"},
      {"blank body", "  \n", Ret::kEmpty, "request body is empty"},
      {"not JSON", "OperatorID=1", Ret::kInvalid, "request body: not valid UTF-8 JSON"},
      {"array", "[]", Ret::kInvalid, "request body: expected a JSON object, got array"},
      {"broken", R"({"OperatorID":"123456789",)", Ret::kInvalid, "request body: not valid JSON"},
      {"missing OperatorID", without("OperatorID"), Ret::kEmpty, "OperatorID: missing"},
      {"missing Data", without("Data"), Ret::kEmpty, "Data: missing"},
      {"missing TimeStamp", without("TimeStamp"), Ret::kEmpty, "TimeStamp: missing"},
      {"missing Seq", without("Seq"), Ret::kEmpty, "Seq: missing"},
      {"missing Sig", without("Sig"), Ret::kEmpty, "Sig: missing"},
      {"empty Data", with("Data", R"("")"), Ret::kEmpty, "Data: empty"},
      {"null Sig", with("Sig", "null"), Ret::kEmpty, "Sig: empty"},
      {"numeric OperatorID", with("OperatorID", "123456789"), Ret::kInvalid, "OperatorID: expected a string, got number"},
      {"short OperatorID", with("OperatorID", R"("12345678")"), Ret::kInvalid,
       "OperatorID: must be 9 characters of 0-9 and A-Z (characters 9-17 of the unified social credit code)"},
      {"lower-case OperatorID", with("OperatorID", R"("ma0grid01")"), Ret::kInvalid,
       "OperatorID: must be 9 characters of 0-9 and A-Z (characters 9-17 of the unified social credit code)"},
      {"13-digit TimeStamp", with("TimeStamp", R"("2026112309000")"), Ret::kInvalid,
       "TimeStamp: must be 14 to 17 digits, yyyyMMddHHmmss Beijing time"},
      {"18-digit TimeStamp", with("TimeStamp", R"("202611230900000000")"), Ret::kInvalid,
       "TimeStamp: must be 14 to 17 digits, yyyyMMddHHmmss Beijing time"},
      {"dashed TimeStamp", with("TimeStamp", R"("2026-11-23 09:00")"), Ret::kInvalid,
       "TimeStamp: must be 14 to 17 digits, yyyyMMddHHmmss Beijing time"},
      {"impossible TimeStamp", with("TimeStamp", R"("20260230090000")"), Ret::kInvalid,
       "TimeStamp: 20260230090000 is not a real yyyyMMddHHmmss time"},
      // Found by fuzzing: years the clock cannot hold once overflowed the conversion (UB).
      {"year 3024", with("TimeStamp", R"("30240409120000")"), Ret::kInvalid,
       "TimeStamp: 30240409120000 is not a real yyyyMMddHHmmss time"},
      {"year 1570", with("TimeStamp", R"("15700101000000")"), Ret::kInvalid,
       "TimeStamp: 15700101000000 is not a real yyyyMMddHHmmss time"},
      {"3-digit Seq", with("Seq", R"("001")"), Ret::kInvalid, "Seq: must be 4 digits, e.g. 0001"},
      {"letter Seq", with("Seq", R"("00a1")"), Ret::kInvalid, "Seq: must be 4 digits, e.g. 0001"},
      {"31-char Sig", with("Sig", R"("60387814F5C7B8D148496DA044A2445")"), Ret::kInvalid,
       "Sig: must be 32 hex digits (HMAC-MD5)"},
      {"non-hex Sig", with("Sig", R"("60387814F5C7B8D148496DA044A2445Z")"), Ret::kInvalid,
       "Sig: must be 32 hex digits (HMAC-MD5)"},
  };
  for (const auto& c : cases) {
    auto env = ParseRequestEnvelope(c.body);
    ASSERT_FALSE(env.ok()) << c.name;
    EXPECT_EQ(RetFor(env.status()), c.ret) << c.name;
    EXPECT_EQ(env.status().message(), c.message) << c.name << "\n" << c.body;
  }
}

TEST_F(EnvelopeTest, DuplicateAndUnknownEnvelopeKeys) {
  std::string body = SerializeRequestEnvelope(Seal(data_));
  std::string dup = body;
  dup.insert(1, R"("Seq":"0001",)");
  EXPECT_EQ(ParseRequestEnvelope(dup).status().message(), "Seq: appears more than once");
  std::string extra = body;
  extra.insert(1, R"("Version":{"v":[1,2]},)");
  EXPECT_TRUE(ParseRequestEnvelope(extra).ok());
}

TEST_F(EnvelopeTest, BodySizeIsCapped) {
  Limits limits;
  limits.max_body_bytes = 64;
  const auto s = ParseRequestEnvelope(SerializeRequestEnvelope(Seal(data_)), limits).status();
  EXPECT_EQ(RetFor(s), Ret::kInvalid);
  EXPECT_TRUE(s.message().starts_with("request body: ")) << s;
  EXPECT_TRUE(s.message().ends_with(" bytes exceed the limit of 64")) << s;
}

TEST_F(EnvelopeTest, SignatureIsCheckedBeforeAnythingIsDecrypted) {
  RequestEnvelope env = Seal(data_);
  env.data = "!!!! not base64 !!!!";  // would fail decryption, but the signature fails first
  const Status s = OpenRequest(env, keys_, profile_, clock_, &guard_).status();
  EXPECT_EQ(RetFor(s), Ret::kAuthFailed);
  EXPECT_TRUE(s.message().starts_with("Sig: does not match")) << s;
  EXPECT_EQ(guard_.size(), 0u) << "a request with a bad signature must not reach the replay guard";
}

TEST_F(EnvelopeTest, EverySignedButUndecryptableDataGetsOneUniformError) {
  const auto wrong_data_key = *PreparedKeys::Create(
      KeySet{kKeys.operator_secret, "zzzzzzzzzz012345", kKeys.data_iv, kKeys.sig_secret});
  std::vector<std::string> datas = {
      keys_.cipher().Encrypt(data_).substr(0, 20),              // truncated base64
      wrong_data_key.cipher().Encrypt(data_),                    // wrong key: padding fails (or garbage)
      keys_.cipher().Encrypt("\xff\xfe not utf-8"),              // not UTF-8 after decryption
      keys_.cipher().Encrypt("{\"taskID\":"),                    // not JSON after decryption
      Base64Encode(std::string(33, 'A')),                         // not a whole number of blocks
  };
  std::vector<Status> got;
  for (const auto& d : datas) {
    RequestEnvelope env = Seal(data_);
    env.data = d;
    env.sig = keys_.signer().Sign({env.operator_id, env.data, env.timestamp, env.seq});
    auto opened = OpenRequest(env, keys_, profile_, clock_, &guard_);
    got.push_back(opened.ok() ? DecodeData<InstructionFeedback>(*opened).status() : opened.status());
  }
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], UndecryptableData()) << "case " << i;
}

TEST_F(EnvelopeTest, StaleAndReplayedRequestsAre4009) {
  const std::string body = SerializeRequestEnvelope(Seal(data_));
  ASSERT_TRUE(Receive(body).ok());
  const Status replay = Receive(body).status();
  EXPECT_EQ(RetFor(replay), Ret::kAuthFailed);
  EXPECT_TRUE(replay.message().ends_with("was already received (replay)")) << replay;

  const std::string later = SerializeRequestEnvelope(Seal(data_));
  clock_.Advance(seconds(301));
  const Status stale = Receive(later).status();
  EXPECT_EQ(RetFor(stale), Ret::kAuthFailed);
  EXPECT_TRUE(stale.message().starts_with("TimeStamp: 301 s behind")) << stale;

  // A legacy peer with the check off: the same stale request is accepted, twice.
  profile_.replay_check = false;
  EXPECT_TRUE(Receive(later).ok());
  EXPECT_TRUE(Receive(later).ok());
}

TEST_F(EnvelopeTest, ReplayCheckWithoutAGuardIsAnInternalError) {
  auto env = Seal(data_);
  EXPECT_EQ(RetFor(OpenRequest(env, keys_, profile_, clock_, nullptr).status()), Ret::kSystemError);
}

TEST_F(EnvelopeTest, HtmlEntitiesAreUnescapedByDefaultOnly) {
  const std::string json = R"({"taskID":"a&lt;b&gt;c&amp;d","regulationID":"&copy;&nbsp;","status":1})";
  const std::string body = SerializeRequestEnvelope(Seal(json));
  auto opened = Receive(body);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, R"({"taskID":"a<b>c&d","regulationID":"© ","status":1})");
  profile_.unescape_html_entities = false;
  auto raw = Receive(SerializeRequestEnvelope(Seal(json)));
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, json);
}

TEST(UnescapeHtmlEntities, FollowsTheReferenceOrderOfPasses) {
  std::string s = "&amp;quot; &amp;lt; &lt;&gt; x&y";
  UnescapeHtmlEntities(s);
  // &amp;quot; -> &quot; (pass 3) -> " (pass 4); &amp;lt; -> &lt; stays, since the &lt; pass ran first.
  EXPECT_EQ(s, "\" &lt; <> x&y");
}

class ResponseTest : public EnvelopeTest {};

TEST_F(ResponseTest, StandardDialectRoundTrip) {
  const std::string data = EncodeData(testing::SampleTokenResponse());
  const std::string body = SealResponse(Ret::kOk, "请求成功", data, keys_, profile_, clock_);
  EXPECT_TRUE(body.starts_with(R"({"Ret":0,"Msg":"请求成功","Data":")")) << body;
  auto r = OpenResponse(body, keys_, profile_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->msg, "请求成功");
  ASSERT_TRUE(r->data_json);
  EXPECT_EQ(*r->data_json, data);
}

TEST_F(ResponseTest, ErrorsCarryNoData) {
  const std::string body = SealResponse(Ret::kInvalid, "status: 2 is not one of 0, 1", "", keys_, profile_, clock_);
  auto r = OpenResponse(body, keys_, profile_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ret, Ret::kInvalid);
  EXPECT_EQ(r->wire_ret, 4003);
  EXPECT_FALSE(r->data_json);
  EXPECT_NE(body.find(R"("Data":"")"), std::string::npos);
}

TEST_F(ResponseTest, ExampleDialectIsWhatTheSeedShows) {
  profile_.response_dialect = ResponseDialect::kExample;
  const std::string body = SealResponse(Ret::kOk, "请求成功", "", keys_, profile_, clock_);
  EXPECT_TRUE(body.starts_with(R"({"ret":200,"msg":"请求成功","data":null,"timestamp":"20261123090000","sig":")")) << body;
  auto r = OpenResponse(body, keys_, profile_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->ret, Ret::kOk);
  EXPECT_EQ(r->wire_ret, 200);
}

TEST_F(ResponseTest, LenientParsing) {
  // Key names in any case, Ret as a digit string, Data null, a timestamp we ignore.
  const std::string sig = keys_.signer().Sign({"200", "ok", ""});
  const std::string body = R"({"RET":"200","mSg":"ok","DATA":null,"TimeStamp":"202209091233","SIG":")" + sig + "\"}";
  auto r = OpenResponse(body, keys_, profile_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok());
  EXPECT_FALSE(r->data_json);
}

TEST_F(ResponseTest, SignatureRules) {
  // The seed's unsigned example answer: refused by default, accepted for a legacy peer.
  const std::string unsigned_ok = R"({"data":null,"timestamp":"202209091233","msg":"请求成功","ret":200})";
  EXPECT_EQ(OpenResponse(unsigned_ok, keys_, profile_).status().message(),
            "response Sig: missing (the peer's answer cannot be trusted)");
  WireProfile legacy;
  legacy.require_response_sig = false;
  auto r = OpenResponse(unsigned_ok, keys_, legacy);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok());
  // Data is never trusted without a Sig, whatever the profile says.
  const std::string unsigned_data = R"({"Ret":0,"Msg":"","Data":")" + keys_.cipher().Encrypt("{}") + "\"}";
  EXPECT_EQ(RetFor(OpenResponse(unsigned_data, keys_, legacy).status()), Ret::kAuthFailed);
  // A wrong Sig, e.g. a changed Ret.
  std::string body = SealResponse(Ret::kFailed, "no", "", keys_, profile_, clock_);
  body.replace(body.find("\"Ret\":1"), 7, "\"Ret\":0");
  EXPECT_EQ(OpenResponse(body, keys_, profile_).status().message(),
            "response Sig: does not match Ret+Msg+Data under the peer's SigSecret");
}

TEST_F(ResponseTest, MalformedResponses) {
  EXPECT_EQ(OpenResponse("", keys_, profile_).status().message(), "peer answered: response body is empty");
  EXPECT_EQ(OpenResponse("<html>502</html>", keys_, profile_).status().message(),
            "peer answered: response body: not valid UTF-8 JSON");
  EXPECT_EQ(OpenResponse(R"({"Msg":"x"})", keys_, profile_).status().message(), "response Ret: missing");
  EXPECT_EQ(OpenResponse(R"({"Ret":"ok"})", keys_, profile_).status().message(), "response Ret: not an integer code");
  EXPECT_EQ(OpenResponse(R"({"Ret":0,"Data":5})", keys_, profile_).status().message(),
            "response Data: expected a string");
}

}  // namespace
}  // namespace vgi::proto
