#include "vgi/proto/envelope.hpp"

#include <algorithm>
#include <cstring>

#include "chars.hpp"
#include "json_codec.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::proto {
namespace {

namespace od = simdjson::ondemand;

Status TooLarge(std::string_view what, std::size_t size, std::size_t limit) {
  return Status::Invalid(std::string(what) + ": " + std::to_string(size) + " bytes exceed the limit of " +
                         std::to_string(limit));
}

// Opens the body as a JSON object; `what` names it in messages ("request body").
Status OpenObject(const std::string& body, std::string_view what, const Limits& limits, od::document& doc,
                  od::object& object) {
  if (body.size() > limits.max_body_bytes) return TooLarge(what, body.size(), limits.max_body_bytes);
  if (chars::IsBlank(body)) return Status::Empty(std::string(what) + " is empty");
  od::json_type t;
  if (codec::ThreadParser().iterate(codec::PaddedView(body)).get(doc) != simdjson::SUCCESS ||
      doc.type().get(t) != simdjson::SUCCESS) {
    return Status::Invalid(std::string(what) + ": not valid UTF-8 JSON");
  }
  if (t != od::json_type::object) {
    return Status::Invalid(std::string(what) + ": expected a JSON object, got " + std::string(codec::TypeName(t)));
  }
  if (doc.get_object().get(object) != simdjson::SUCCESS) return Status::Invalid(std::string(what) + ": not valid JSON");
  return Status::Ok();
}

Status NotJson(std::string_view what) { return Status::Invalid(std::string(what) + ": not valid JSON"); }

// A string value, without simdjson's unescaping copy when it has nothing to unescape (the base64
// Data of a 1.5 MB request is 2 MB: one copy fewer keeps the request in cache).
simdjson::error_code GetString(od::value& v, std::string_view& out) {
  if (codec::GetStringInPlace(v, out)) return simdjson::SUCCESS;
  return v.get_string().get(out);
}

void Write(codec::Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

std::string Finish(rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()); }

// A RapidJSON output stream that appends to a std::string, so the body is built in the string
// that is returned (no final copy of a 2 MB request).
struct StringOut {
  using Ch = char;
  std::string& out;
  void Put(char c) { out.push_back(c); }
  void Flush() {}
};
using StringWriter = rapidjson::Writer<StringOut>;

void Write(StringWriter& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

Result<RequestEnvelope> ParseRequestEnvelope(const std::string& body, const Limits& limits) {
  constexpr std::string_view kWhat = "request body";
  od::document doc;
  od::object object;
  VGI_RETURN_IF_ERROR(OpenObject(body, kWhat, limits, doc, object));

  static constexpr std::string_view kNames[] = {"OperatorID", "Data", "TimeStamp", "Seq", "Sig"};
  RequestEnvelope env;
  std::string* slots[] = {&env.operator_id, &env.data, &env.timestamp, &env.seq, &env.sig};
  bool seen[5] = {};
  CodecOptions options;
  options.max_depth = limits.max_json_depth;
  codec::Ctx ctx(options);
  for (auto member : object) {
    std::string_view key;
    od::value v;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS || member.value().get(v) != simdjson::SUCCESS) {
      return NotJson(kWhat);
    }
    const auto* it = std::find(std::begin(kNames), std::end(kNames), key);
    if (it == std::end(kNames)) {
      // Unknown members are ignored, but must be well-formed.
      if (!codec::SkipValue(v, codec::Path{}.Child(key), ctx)) return NotJson(kWhat);
      continue;
    }
    const auto i = static_cast<std::size_t>(it - std::begin(kNames));
    if (seen[i]) return Status::Invalid(std::string(key) + ": appears more than once");
    seen[i] = true;
    std::string_view s;
    if (auto e = GetString(v, s); e != simdjson::SUCCESS) {
      od::json_type t;
      if (e != simdjson::INCORRECT_TYPE || v.type().get(t) != simdjson::SUCCESS) return NotJson(kWhat);
      if (t == od::json_type::null) return Status::Empty(std::string(key) + ": empty");
      return Status::Invalid(std::string(key) + ": expected a string, got " + std::string(codec::TypeName(t)));
    }
    slots[i]->assign(s);
  }
  const char* loc = nullptr;
  if (doc.current_location().get(loc) == simdjson::SUCCESS) return NotJson(kWhat);

  for (std::size_t i = 0; i < 5; ++i) {
    if (!seen[i]) return Status::Empty(std::string(kNames[i]) + ": missing");
    if (slots[i]->empty()) return Status::Empty(std::string(kNames[i]) + ": empty");
  }
  if (!IsOperatorId(env.operator_id)) {
    return Status::Invalid("OperatorID: must be 9 characters of 0-9 and A-Z (characters 9-17 of the unified social credit code)");
  }
  if (env.timestamp.size() < 14 || env.timestamp.size() > 17 || !chars::AllDigits(env.timestamp)) {
    return Status::Invalid("TimeStamp: must be 14 to 17 digits, yyyyMMddHHmmss Beijing time");
  }
  if (!ParseTimeStamp(env.timestamp)) {
    return Status::Invalid("TimeStamp: " + env.timestamp.substr(0, 14) + " is not a real yyyyMMddHHmmss time");
  }
  if (env.seq.size() != 4 || !chars::AllDigits(env.seq)) return Status::Invalid("Seq: must be 4 digits, e.g. 0001");
  if (env.sig.size() != 32 || !chars::AllHex(env.sig, /*upper_only=*/false)) return Status::Invalid("Sig: must be 32 hex digits (HMAC-MD5)");
  return env;
}

std::string SerializeRequestEnvelope(const RequestEnvelope& envelope) {
  rapidjson::StringBuffer buffer;
  codec::Writer w(buffer);
  w.StartObject();
  Write(w, "OperatorID", envelope.operator_id);
  Write(w, "Data", envelope.data);
  Write(w, "TimeStamp", envelope.timestamp);
  Write(w, "Seq", envelope.seq);
  Write(w, "Sig", envelope.sig);
  w.EndObject();
  return Finish(buffer);
}

RequestEnvelope SealRequest(std::string_view operator_id, std::string_view data_json, const Stamp& stamp,
                            const PreparedKeys& responder_keys) {
  RequestEnvelope env;
  env.operator_id = operator_id;
  responder_keys.cipher().EncryptTo(data_json, env.data);
  env.timestamp = stamp.timestamp;
  env.seq = stamp.seq;
  env.sig = responder_keys.signer().Sign({env.operator_id, env.data, env.timestamp, env.seq});
  return env;
}

std::string SealRequestBody(std::string_view operator_id, std::string_view data_json, const Stamp& stamp,
                            const PreparedKeys& responder_keys) {
  std::string body;
  const std::size_t cipher_bytes = (data_json.size() / 16 + 1) * 16;  // PKCS#5 adds 1..16 bytes
  const std::size_t data_chars = 4 * ((cipher_bytes + 2) / 3);
  // The other fields are short; 6 bytes per character covers the writer's worst escape (\u00XX).
  body.reserve(data_chars + 6 * (operator_id.size() + stamp.timestamp.size() + stamp.seq.size()) + 96);
  StringOut out{body};
  StringWriter w(out);
  MacStream mac = responder_keys.signer().Begin();
  mac.Update(operator_id);
  w.StartObject();
  Write(w, "OperatorID", operator_id);
  w.Key("Data");
  // Data is base64, whose alphabet [A-Za-z0-9+/=] never needs JSON escaping: the writer puts the
  // separator and the opening quote (and counts the value), the cipher appends the characters.
  w.RawValue("\"", 1, rapidjson::kStringType);
  responder_keys.cipher().EncryptAppend(data_json, body, mac);
  body.push_back('"');
  mac.Update(stamp.timestamp);
  mac.Update(stamp.seq);
  Write(w, "TimeStamp", stamp.timestamp);
  Write(w, "Seq", stamp.seq);
  Write(w, "Sig", Signer::Finish(mac));
  w.EndObject();
  return body;
}

Result<std::string> OpenRequest(const RequestEnvelope& envelope, const PreparedKeys& keys,
                                const WireProfile& profile, const Clock& clock, ReplayGuard* replay) {
  // The Sig covers Data, and Data must be base64-decoded: both are done in one pass over it (it is
  // 2 MB for a model page), but nothing is decrypted, and no decoding failure is reported, before
  // the Sig has checked out.
  std::string json;
  MacStream mac = keys.signer().Begin();
  mac.Update(envelope.operator_id);
  const bool decoded = DataCipher::DecodeSigned(envelope.data, mac, json);
  mac.Update(envelope.timestamp);
  mac.Update(envelope.seq);
  if (!Signer::Matches(mac, envelope.sig)) {
    return Status::Unauthenticated(
        "Sig: does not match (HMAC-MD5 of OperatorID+Data+TimeStamp+Seq under the SigSecret the responder issued, "
        "upper-case hex)");
  }
  if (profile.replay_check) {
    const auto request_time = ParseTimeStamp(envelope.timestamp);
    if (!request_time) return Status::Invalid("TimeStamp: not a real yyyyMMddHHmmss time");
    VGI_RETURN_IF_ERROR(CheckFreshness(*request_time, clock.Now(), profile.clock_skew));
    if (replay == nullptr) return Status::Internal("replay check is on but no replay guard is configured");
    VGI_RETURN_IF_ERROR(
        replay->Admit(envelope.operator_id, envelope.timestamp, envelope.seq, *request_time + profile.clock_skew));
  }
  if (!decoded) return UndecryptableData();
  VGI_RETURN_IF_ERROR(keys.cipher().DecryptDecoded(json));
  if (profile.unescape_html_entities) UnescapeHtmlEntities(json);
  return json;
}

std::string SealResponse(Ret ret, std::string_view msg, std::string_view data_json, const PreparedKeys& keys,
                         const WireProfile& profile, const Clock& clock) {
  const std::string data = data_json.empty() ? std::string() : keys.cipher().Encrypt(data_json);
  const bool example = profile.response_dialect == ResponseDialect::kExample;
  const int wire_ret = example && ret == Ret::kOk ? 200 : static_cast<int>(ret);
  const std::string sig = keys.signer().Sign({std::to_string(wire_ret), msg, data});

  rapidjson::StringBuffer buffer;
  codec::Writer w(buffer);
  w.StartObject();
  w.Key(example ? "ret" : "Ret");
  w.Int(wire_ret);
  Write(w, example ? "msg" : "Msg", msg);
  if (example && data.empty()) {
    w.Key("data");
    w.Null();
  } else {
    Write(w, example ? "data" : "Data", data);
  }
  if (example) Write(w, "timestamp", FormatTimeStamp(clock.Now()));
  Write(w, example ? "sig" : "Sig", sig);
  w.EndObject();
  return Finish(buffer);
}

std::string UnsignedResponse(Ret ret, std::string_view msg, const WireProfile& profile, const Clock& clock) {
  const bool example = profile.response_dialect == ResponseDialect::kExample;
  rapidjson::StringBuffer buffer;
  codec::Writer w(buffer);
  w.StartObject();
  w.Key(example ? "ret" : "Ret");
  w.Int(static_cast<int>(ret));
  Write(w, example ? "msg" : "Msg", msg);
  Write(w, example ? "data" : "Data", "");
  if (example) Write(w, "timestamp", FormatTimeStamp(clock.Now()));
  Write(w, example ? "sig" : "Sig", "");
  w.EndObject();
  return Finish(buffer);
}

Result<OpenedResponse> OpenResponse(const std::string& body, const PreparedKeys& responder_keys,
                                    const WireProfile& profile, const Limits& limits) {
  constexpr std::string_view kWhat = "response body";
  od::document doc;
  od::object object;
  VGI_RETURN_IF_ERROR(OpenObject(body, kWhat, limits, doc, object).WithPrefix("peer answered"));

  OpenedResponse out;
  std::string ret_text;
  std::string data;
  std::string sig;
  bool has_ret = false;
  bool has_sig = false;
  CodecOptions options;
  options.max_depth = limits.max_json_depth;
  codec::Ctx ctx(options);
  for (auto member : object) {
    std::string_view key;
    od::value v;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS || member.value().get(v) != simdjson::SUCCESS) {
      return NotJson(kWhat);
    }
    std::string lower(key.substr(0, 16));
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    od::json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) return NotJson(kWhat);
    std::string_view s;
    if (lower == "ret") {
      if (t == od::json_type::number) {
        std::int64_t r = 0;
        if (v.get_int64().get(r) != simdjson::SUCCESS || r < 0 || r > 99999) {
          return Status::Invalid("response Ret: not an integer code");
        }
        out.wire_ret = static_cast<int>(r);
        ret_text = std::to_string(r);
      } else if (t == od::json_type::string && v.get_string().get(s) == simdjson::SUCCESS && !s.empty() &&
                 s.size() <= 5 && chars::AllDigits(s)) {
        out.wire_ret = std::stoi(std::string(s));
        ret_text = s;
      } else {
        return Status::Invalid("response Ret: not an integer code");
      }
      has_ret = true;
    } else if (lower == "msg" || lower == "data" || lower == "sig") {
      std::string* slot = lower == "msg" ? &out.msg : lower == "data" ? &data : &sig;
      if (t == od::json_type::null) {
        bool is_null = false;
        if (v.is_null().get(is_null) != simdjson::SUCCESS) return NotJson(kWhat);
        continue;
      }
      if (t != od::json_type::string || GetString(v, s) != simdjson::SUCCESS) {
        return Status::Invalid("response " + std::string(key) + ": expected a string");
      }
      slot->assign(s);
      if (lower == "sig") has_sig = true;
    } else if (!codec::SkipValue(v, codec::Path{}.Child(key), ctx)) {
      return NotJson(kWhat);
    }
  }
  const char* loc = nullptr;
  if (doc.current_location().get(loc) == simdjson::SUCCESS) return NotJson(kWhat);
  if (!has_ret) return Status::Invalid("response Ret: missing");
  out.ret = out.wire_ret == 200 ? Ret::kOk : static_cast<Ret>(out.wire_ret);

  if (has_sig) {
    if (!responder_keys.signer().Verify({ret_text, out.msg, data}, sig)) {
      return Status::Unauthenticated("response Sig: does not match Ret+Msg+Data under the peer's SigSecret");
    }
    out.sig_verified = true;
  } else if (profile.require_response_sig) {
    return Status::Unauthenticated("response Sig: missing (the peer's answer cannot be trusted)");
  } else if (!data.empty()) {
    return Status::Unauthenticated("response Sig: missing, and Data is never trusted without it");
  }
  if (!data.empty()) {
    std::string json;
    VGI_RETURN_IF_ERROR(responder_keys.cipher().Decrypt(data, json));
    if (profile.unescape_html_entities) UnescapeHtmlEntities(json);
    out.data_json = std::move(json);
  }
  return out;
}

void UnescapeHtmlEntities(std::string& text) {
  if (text.find('&') == std::string::npos) return;
  // The reference applies these as successive replaceAll passes, in this order; so do we.
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}, {"&copy;", "\xC2\xA9"}, {"&nbsp;", " "},
  };
  for (const auto& [entity, replacement] : kEntities) {
    std::size_t read = text.find(entity);
    if (read == std::string::npos) continue;
    std::size_t write = read;
    while (read < text.size()) {
      if (text.compare(read, entity.size(), entity) == 0) {
        std::memcpy(text.data() + write, replacement.data(), replacement.size());
        write += replacement.size();
        read += entity.size();
      } else {
        text[write++] = text[read++];
      }
    }
    text.resize(write);  // shrinking keeps the capacity (and so the parser's padding)
  }
}

}  // namespace vgi::proto
