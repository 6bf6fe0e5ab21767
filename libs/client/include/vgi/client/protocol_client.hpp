#pragma once
// ProtocolClient: talks the T/CES protocol to one responder over one HttpsConnection.
//
// Requests are sealed with the responder's keys (the keys the responder issued to us; see
// vgi/proto/keys.hpp), carry our OperatorID as the responder knows us, a TimeStamp/Seq from a
// StampGenerator, and — for every interface but query_token — "Authorization: Bearer <token>".
//
// The token: fetched with query_token on first need, cached, and renewed before it expires,
// once kTokenRenewAt (80 %) of its lifetime has passed (the clock is the one given to Create). When a call other than query_token is answered Ret 4009
// (token expired or revoked at the responder, or any other authentication failure), the token
// is dropped, a new one fetched, and the call sealed afresh (new TimeStamp/Seq) and sent once
// more; a second 4009 is returned to the caller. If that renewal fails, its error is returned.
//
// Results of Call:
//  - an answer with a valid Sig (any Ret)    -> the OpenedResponse; Ret != 0 is NOT an error here,
//                                                the caller decides what a refusal means
//  - transport failures                       -> as HttpsConnection: Unavailable / DeadlineExceeded
//  - HTTP status other than 200               -> Unavailable with the status and the first bytes
//  - wrong or missing response Sig            -> Unauthenticated (Data is never decrypted then); an
//                                                unsigned refusal (empty Sig, Ret != 0, no Data: what
//                                                a responder that does not know us answers) says its
//                                                unverified Ret and Msg in the message
//  - malformed answer / undecryptable Data    -> Invalid / UndecryptableData
//  - the token fetch failing (Ret != 0 or Code != 0) -> Unauthenticated with the responder's
//                                                Msg/Message
// Messages name the interface, host:port and what to do. The token and the secrets are never
// put in a message (nor logged: this library logs nothing).
//
// Thread safety: not thread-safe (it owns one connection and the token cache); use one per
// thread. Several clients may share one TlsClientContext and one StampGenerator (Options).

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/client/https_connection.hpp"
#include "vgi/client/url.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/stamp.hpp"
#include "vgi/proto/wire_profile.hpp"

namespace vgi::client {

// Renew a cached token once this share of its lifetime (counted from when we asked) has passed.
inline constexpr double kTokenRenewAt = 0.8;

class ProtocolClient {
 public:
  struct Options {
    std::string base_url;          // "https://host:port/evcs/v1"
    std::string operator_id;       // ours, as the responder knows us (envelope OperatorID)
    proto::KeySet responder_keys;  // the keys the responder issued to us
    proto::WireProfile profile;    // how the responder answers (dialect, unsigned answers, ...)
    TlsOptions tls;
    // When set, used instead of a context built from `tls` (many clients, one CA load).
    std::shared_ptr<TlsClientContext> tls_context;
    std::chrono::milliseconds timeout{10'000};  // per HTTP exchange (the token fetch is its own)
    // The StampGenerator built when `stamps` is null (see vgi/proto/stamp.hpp).
    int node_index = 0, node_count = 1;
    // Clients of one process that share an OperatorID must share one generator, or their
    // (TimeStamp, Seq) pairs collide at the responder's replay guard.
    std::shared_ptr<proto::StampGenerator> stamps;
  };

  // Checks the options (URL, OperatorID form, key set, timeout, node numbering) and loads the CA.
  // No network I/O: the first call connects. `clock` must outlive the client.
  static Result<std::unique_ptr<ProtocolClient>> Create(Options options, const Clock& clock);

  // The cached token, or a fresh one from query_token (see the header comment).
  Result<std::string> Token();
  // Forgets the cached token; the next call fetches a new one.
  void InvalidateToken();

  // Seals `data_json` (already valid Data JSON; empty for no Data), sends it to `interface` and
  // opens the answer. query_token may be called this way too (no bearer token, no 4009 retry).
  Result<proto::OpenedResponse> Call(proto::Interface interface, std::string_view data_json);

  // Encodes `data` (EncodeData under the profile's field encryption) and Calls.
  template <class T>
  Result<proto::OpenedResponse> Send(proto::Interface interface, const T& data) {
    static_assert(proto::kIsDataModel<T>, "Send: T must be a protocol Data model (see vgi/proto/codec.hpp)");
    return Call(interface, proto::EncodeData(data, request_codec_options()));
  }

  // Sends exactly `body` with exactly `authorization` (empty = none) to `path` (the full
  // target, e.g. Path(kSendTask) or anything else): for tests of bad input and pre-built
  // benchmark requests. Any HTTP status is returned as is.
  Result<HttpReply> PostRaw(std::string_view path, std::string_view body, std::string_view authorization);

  // Seals without sending: a fresh TimeStamp/Seq, Data encrypted and signed with the responder's
  // keys. For tests that tamper with envelopes and benchmarks that pre-build requests.
  proto::RequestEnvelope Seal(std::string_view data_json);

  // The target of an interface: the base URL's path + "/" + the interface name.
  [[nodiscard]] const std::string& Path(proto::Interface interface) const;
  [[nodiscard]] const Url& url() const { return url_; }
  [[nodiscard]] const proto::PreparedKeys& keys() const { return keys_; }
  [[nodiscard]] const Options& options() const { return options_; }
  // Codec options for Data we send (the profile's field encryption under the responder's keys).
  [[nodiscard]] proto::CodecOptions request_codec_options() const;
  // Codec options for Data the responder returns (adds lenient key matching).
  [[nodiscard]] proto::CodecOptions response_codec_options() const;

  struct Stats {
    std::uint64_t token_fetches = 0;  // successful query_token calls
    std::uint64_t auth_retries = 0;   // calls resent after a Ret 4009
    HttpsConnection::Stats http;
  };
  [[nodiscard]] Stats stats() const;

 private:
  ProtocolClient(Options options, const Clock& clock, Url url, proto::PreparedKeys keys,
                 std::unique_ptr<HttpsConnection> connection);
  Result<proto::OpenedResponse> Exchange(proto::Interface interface, std::string_view data_json,
                                         std::string_view authorization);
  Status FetchToken();

  Options options_;
  const Clock& clock_;
  Url url_;
  proto::PreparedKeys keys_;
  std::unique_ptr<HttpsConnection> connection_;
  std::array<std::string, 8> paths_;  // by proto::Interface

  // The token cache. `authorization_` is "Bearer <token>", built once per token.
  std::string token_;
  std::string authorization_;
  SystemTime renew_at_{};
  std::uint64_t token_fetches_ = 0;
  std::uint64_t auth_retries_ = 0;
};

}  // namespace vgi::client
