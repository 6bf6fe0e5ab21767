#include "vgi/client/protocol_client.hpp"

#include <simdjson.h>

#include <algorithm>
#include <optional>

#include "vgi/proto/auth.hpp"
#include "vgi/proto/ret.hpp"

namespace vgi::client {
namespace {

constexpr std::size_t kExcerptBytes = 200;

// The first bytes of a peer's text for a message: cut at a UTF-8 boundary, control characters
// shown as spaces, quoted.
std::string Excerpt(std::string_view text) {
  if (text.empty()) return "(empty body)";
  std::size_t n = std::min(text.size(), kExcerptBytes);
  while (n > 0 && n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  std::string out = "\"";
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);
  }
  out += n < text.size() ? "\"..." : "\"";
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s.substr(0, 16));
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// A responder that cannot sign for us (it does not know our OperatorID, or the key set is off)
// answers a refusal with an empty Sig (proto::UnsignedResponse). OpenResponse rightly refuses to
// trust it; this reads its Ret and Msg, only to say why in the error. Null when `body` is not
// such an answer (then the Sig error stands).
std::optional<std::string> DescribeUnsignedRefusal(const std::string& body) {
  namespace od = simdjson::ondemand;
  thread_local od::parser parser;
  const simdjson::padded_string padded(body);
  od::document doc;
  od::object object;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(object) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  std::int64_t ret = -1;
  std::string msg;
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS || field.value().get(value) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    const std::string name = Lower(key);
    if (name != "ret" && name != "msg" && name != "data" && name != "sig") continue;
    od::json_type type;
    if (value.type().get(type) != simdjson::SUCCESS) return std::nullopt;
    if (type == od::json_type::null) continue;
    std::string_view text;
    if (name == "ret") {
      if (type == od::json_type::number) {
        if (value.get_int64().get(ret) != simdjson::SUCCESS) return std::nullopt;
      } else if (type == od::json_type::string && value.get_string().get(text) == simdjson::SUCCESS && !text.empty() &&
                 text.size() <= 5 &&
                 std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        ret = std::stoi(std::string(text));
      } else {
        return std::nullopt;
      }
    } else if (type != od::json_type::string || value.get_string().get(text) != simdjson::SUCCESS) {
      return std::nullopt;
    } else if (name == "msg") {
      msg = text;
    } else if (!text.empty()) {
      return std::nullopt;  // signed, or carrying Data: not a bare unsigned refusal
    }
  }
  if (ret < 0 || ret == 0 || ret == 200) return std::nullopt;
  return "the responder refused us without signing its answer (Ret " + std::to_string(ret) + ", Msg " + Excerpt(msg) +
         ", both unverified): it does not recognise our OperatorID or key set; check operator_id and responder_keys";
}

// A bearer token goes into an HTTP header: printable ASCII without spaces only.
bool UsableAsBearer(std::string_view token) {
  return !token.empty() && token.size() <= 1024 &&
         std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

Result<std::unique_ptr<ProtocolClient>> ProtocolClient::Create(Options options, const Clock& clock) {
  auto url = ParseBaseUrl(options.base_url);
  if (!url.ok()) return url.status().WithPrefix("base_url");
  if (!proto::IsOperatorId(options.operator_id)) {
    return Status::Invalid(
        "operator_id: \"" + options.operator_id.substr(0, 40) +
        "\" must be 9 characters of 0-9 and A-Z (characters 9-17 of the unified social credit code)");
  }
  VGI_RETURN_IF_ERROR(
      proto::ValidateKeySet(options.responder_keys, proto::KeyPolicy::kPeer).WithPrefix("responder_keys"));
  auto keys = proto::PreparedKeys::Create(options.responder_keys);
  if (!keys.ok()) return keys.status().WithPrefix("responder_keys");
  if (options.timeout <= std::chrono::milliseconds::zero()) {
    return Status::Invalid("timeout: must be positive, e.g. 10000 ms");
  }
  if (options.stamps == nullptr) {
    if (options.node_count < 1 || options.node_count > 9999 || options.node_index < 0 ||
        options.node_index >= options.node_count) {
      return Status::Invalid("node_index/node_count: need 0 <= node_index < node_count <= 9999");
    }
    options.stamps = std::make_shared<proto::StampGenerator>(clock, options.node_index, options.node_count);
  }
  Result<std::unique_ptr<HttpsConnection>> connection = options.tls_context != nullptr
                                                            ? HttpsConnection::Create(*url, options.tls_context)
                                                            : HttpsConnection::Create(*url, options.tls);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<ProtocolClient>(
      new ProtocolClient(std::move(options), clock, *url, std::move(*keys), std::move(*connection)));
}

ProtocolClient::ProtocolClient(Options options, const Clock& clock, Url url, proto::PreparedKeys keys,
                               std::unique_ptr<HttpsConnection> connection)
    : options_(std::move(options)),
      clock_(clock),
      url_(std::move(url)),
      keys_(std::move(keys)),
      connection_(std::move(connection)) {
  static_assert(sizeof(paths_) / sizeof(paths_[0]) == 8, "one path per proto::Interface");
  for (const auto& info : proto::AllInterfaces()) {
    paths_.at(static_cast<std::size_t>(info.id)) = url_.path_prefix + "/" + std::string(info.name);
  }
}

const std::string& ProtocolClient::Path(proto::Interface interface) const {
  return paths_.at(static_cast<std::size_t>(interface));
}

proto::CodecOptions ProtocolClient::request_codec_options() const {
  return proto::CodecOptionsFor(options_.profile, keys_, /*peer_response=*/false);
}

proto::CodecOptions ProtocolClient::response_codec_options() const {
  return proto::CodecOptionsFor(options_.profile, keys_, /*peer_response=*/true);
}

ProtocolClient::Stats ProtocolClient::stats() const {
  return Stats{token_fetches_, auth_retries_, connection_->stats()};
}

proto::RequestEnvelope ProtocolClient::Seal(std::string_view data_json) {
  return proto::SealRequest(options_.operator_id, data_json, options_.stamps->Next(), keys_);
}

Result<HttpReply> ProtocolClient::PostRaw(std::string_view path, std::string_view body,
                                          std::string_view authorization) {
  return connection_->Post(path, body, authorization, options_.timeout);
}

void ProtocolClient::InvalidateToken() {
  token_.clear();
  authorization_.clear();
  renew_at_ = SystemTime{};
}

Result<std::string> ProtocolClient::Token() {
  if (token_.empty() || clock_.Now() >= renew_at_) VGI_RETURN_IF_ERROR(FetchToken());
  return token_;
}

Status ProtocolClient::FetchToken() {
  InvalidateToken();
  const std::string where = "query_token at " + url_.Authority();
  const proto::TokenRequest request{options_.operator_id, options_.responder_keys.operator_secret};
  const SystemTime asked_at = clock_.Now();
  auto opened = Exchange(proto::Interface::kQueryToken, proto::EncodeData(request, request_codec_options()), {});
  if (!opened.ok()) return opened.status();
  if (!opened->ok()) {
    std::string why = "Ret " + std::to_string(opened->wire_ret);
    if (!opened->msg.empty()) why += " \"" + opened->msg.substr(0, kExcerptBytes) + "\"";
    // The Message of a refused token request's Data says why (e.g. "OperatorSecret does not match").
    if (opened->data_json) {
      auto refusal = proto::DecodeData<proto::TokenResponse>(*opened->data_json, response_codec_options());
      if (refusal.ok() && !refusal->message.empty() && refusal->message != opened->msg) {
        why += ", Message \"" + refusal->message.substr(0, kExcerptBytes) + "\"";
      }
    }
    return Status::Unauthenticated(where + " refused: " + why +
                                   "; check operator_id and the OperatorSecret the responder issued to us");
  }
  if (!opened->data_json) {
    return Status::Invalid(where + ": Ret 0 but no Data (expected OperatorID, Code, AccessToken, ...)");
  }
  auto decoded = proto::DecodeData<proto::TokenResponse>(*opened->data_json, response_codec_options());
  if (!decoded.ok()) {
    std::string message = decoded.status().message();
    // The decoder may quote a bad value; never a token's.
    if (message.find("AccessToken") != std::string::npos) message = "AccessToken: not a valid token (value not shown)";
    return Status::Invalid(where + ": answer Data: " + message);
  }
  if (decoded->code != 0) {
    return Status::Unauthenticated(
        where + " refused: Code " + std::to_string(decoded->code) +
        (decoded->message.empty() ? "" : " \"" + decoded->message.substr(0, kExcerptBytes) + "\"") +
        "; check operator_id and the OperatorSecret the responder issued to us");
  }
  if (!UsableAsBearer(decoded->access_token)) {
    return Status::Invalid(where +
                           ": AccessToken is not usable as a bearer token (printable ASCII without spaces, "
                           "at most 1024 characters; value not shown)");
  }
  const std::chrono::seconds lifetime{decoded->token_available_time};
  token_ = std::move(decoded->access_token);
  authorization_ = "Bearer " + token_;
  // From the moment we asked: the responder's clock started no earlier.
  renew_at_ = asked_at + std::chrono::duration_cast<SystemTime::duration>(lifetime * kTokenRenewAt);
  ++token_fetches_;
  return Status::Ok();
}

Result<proto::OpenedResponse> ProtocolClient::Exchange(proto::Interface interface, std::string_view data_json,
                                                       std::string_view authorization) {
  const std::string& path = Path(interface);
  const std::string body =
      proto::SealRequestBody(options_.operator_id, data_json, options_.stamps->Next(), keys_);
  auto reply = connection_->Post(path, body, authorization, options_.timeout);
  if (!reply.ok()) return reply.status();
  const std::string where = std::string(proto::Info(interface).name) + " at " + url_.Authority();
  if (reply->status != 200) {
    const std::string hint = reply->status == 404 || reply->status == 405
                                 ? "; check the base URL's path (" + path + " is not served there)"
                                 : "; the protocol answers HTTP 200 for every outcome, so the server or a proxy failed";
    return Status::Unavailable(where + ": HTTP " + std::to_string(reply->status) + " " + Excerpt(reply->body) + hint);
  }
  auto opened = proto::OpenResponse(reply->body, keys_, options_.profile);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kUnauthenticated) {
      if (auto refusal = DescribeUnsignedRefusal(reply->body)) return Status::Unauthenticated(where + ": " + *refusal);
    }
    return opened.status().WithPrefix(where);
  }
  return opened;
}

Result<proto::OpenedResponse> ProtocolClient::Call(proto::Interface interface, std::string_view data_json) {
  if (!proto::Info(interface).needs_token) return Exchange(interface, data_json, {});
  for (int attempt = 0;; ++attempt) {
    if (token_.empty() || clock_.Now() >= renew_at_) VGI_RETURN_IF_ERROR(FetchToken());
    auto opened = Exchange(interface, data_json, authorization_);
    if (opened.ok() && opened->ret == proto::Ret::kAuthFailed && attempt == 0) {
      InvalidateToken();
      ++auth_retries_;
      continue;
    }
    return opened;
  }
}

}  // namespace vgi::client
