#pragma once
// Private to the console API: what the route files (api_*.cpp) share — the caller, the parsed
// call, response and JSON helpers, and the handler table's signature. See admin_api.hpp for the
// contract and api/openapi.json for every route's shapes.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/csv.hpp"
#include "vgi/base/status.hpp"
#include "vgi/console/admin_api.hpp"
#include "vgi/console/roles.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/store/store.hpp"

namespace vgi::console::api {

// Who is calling (from the session), and from where.
struct Caller {
  std::string username;
  RoleSet roles = 0;
  std::string source;          // remote address
  std::string session_digest;  // "" for public routes
  std::string csrf_token;      // the session's CSRF token
};

// The query string's parameters, percent-decoded ('+' is a space). The first of a repeated name wins.
class Query {
 public:
  explicit Query(std::string_view raw);
  [[nodiscard]] std::optional<std::string> Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// What a route's handler records in the audit log (routes with an audit operation): the router
// writes the row after the handler with result "ok" (status < 400) or "failed: <error>".
struct AuditNote {
  std::string object;  // e.g. "demand:T1"
  std::string detail;  // what was asked, without secrets
};

struct Call {
  const ApiRequest& request;
  const Caller& caller;
  std::vector<std::string> params;  // the path's {parameters} in order, percent-decoded
  Query query;
  AuditNote* audit;  // never null
};

// What handlers use. Thread-safe like AdminApi.
struct Services {
  store::Store& store;
  engine::Regulator& regulator;
  const Clock& clock;
  RandomSource& random;
  ApiConfig config;
  std::shared_ptr<spdlog::logger> log;
  PeerAdmin* peers = nullptr;  // null: peer administration answers 503
};

using Handler = ApiResponse (*)(Services& s, Call& call);

// An integer query parameter: nullopt when absent; Invalid "<name>: \"<raw>\" <rule>" when it
// is not a whole number in [lo, hi].
Result<std::optional<std::int64_t>> IntParam(const Call& call, std::string_view name, std::int64_t lo, std::int64_t hi,
                                             std::string_view rule);


// ---- responses

ApiResponse JsonResponse(int status, std::string body);
// {"error": message[, "field": field]}.
ApiResponse ErrorResponse(int status, std::string_view message, std::string_view field = {});
// A library Status as an answer: Invalid 400 (field = the message up to its first ':' when that
// looks like a JSON path), NotFound 404, Conflict and Refused 409, Unavailable 503, others 500
// ("internal error: the server log has the details"; logged, never sent).
ApiResponse StatusResponse(const Services& s, const Status& status);

// ---- JSON out (RapidJSON's Writer; never hand-escaped)

class JsonOut {
 public:
  JsonOut() : writer_(buffer_) {}
  rapidjson::Writer<rapidjson::StringBuffer>& w() { return writer_; }
  JsonOut& Key(std::string_view k);
  JsonOut& String(std::string_view v);
  JsonOut& Int(std::int64_t v);
  JsonOut& Bool(bool v);
  JsonOut& Null();
  JsonOut& Number(double v);
  // An exact decimal ("123.45") as a JSON number.
  JsonOut& Decimal(std::string_view digits);
  JsonOut& Kw(proto::Kilowatts kw) { return Decimal(kw.ToString()); }
  // "yyyy-MM-dd HH:mm", Beijing time.
  JsonOut& Minute(SystemTime t);
  JsonOut& StartObject();
  JsonOut& EndObject();
  JsonOut& StartArray();
  JsonOut& EndArray();
  std::string Take() { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// ---- JSON in (simdjson DOM: request bodies are small)

// The body as a JSON object; Invalid "request body: ..." when it is not one.
Result<simdjson::dom::element> ParseBody(simdjson::dom::parser& parser, std::string_view body);
// Typed members: Invalid naming the field ("windows[0].target_kw: must be a number").
Result<std::string> StringField(simdjson::dom::element obj, std::string_view key, std::string_view path, bool required);
Result<std::optional<bool>> BoolField(simdjson::dom::element obj, std::string_view key, std::string_view path);

// ---- handlers (api_business.cpp)
ApiResponse GetOverview(Services& s, Call& call);
ApiResponse GetOverviewCurve(Services& s, Call& call);
ApiResponse GetOperators(Services& s, Call& call);
ApiResponse GetStations(Services& s, Call& call);
ApiResponse GetStation(Services& s, Call& call);
ApiResponse GetStationCurve(Services& s, Call& call);

// ---- handlers (api_demands.cpp)
ApiResponse ListDemands(Services& s, Call& call);
ApiResponse CreateDemand(Services& s, Call& call);
ApiResponse GetDemand(Services& s, Call& call);
ApiResponse GetExecution(Services& s, Call& call);
ApiResponse ChangeDemand(Services& s, Call& call);
ApiResponse CancelDemand(Services& s, Call& call);
ApiResponse ListSettlements(Services& s, Call& call);
ApiResponse GetStatements(Services& s, Call& call);
ApiResponse ListAlarms(Services& s, Call& call);
ApiResponse AckAlarm(Services& s, Call& call);
ApiResponse CloseAlarm(Services& s, Call& call);
ApiResponse GetReport(Services& s, Call& call);  // api_reports.cpp

// ---- handlers (api_admin.cpp)
ApiResponse ListUsers(Services& s, Call& call);
ApiResponse CreateUser(Services& s, Call& call);
ApiResponse SetRoles(Services& s, Call& call);
ApiResponse ResetPassword(Services& s, Call& call);
ApiResponse EnableUser(Services& s, Call& call);
ApiResponse DisableUser(Services& s, Call& call);
ApiResponse ListPeers(Services& s, Call& call);
ApiResponse AddPeer(Services& s, Call& call);
ApiResponse RotatePeer(Services& s, Call& call);
ApiResponse EnablePeer(Services& s, Call& call);
ApiResponse DisablePeer(Services& s, Call& call);
ApiResponse ListAudit(Services& s, Call& call);
ApiResponse VerifyAudit(Services& s, Call& call);

// ---- handlers (api_topology.cpp)
ApiResponse GetTopology(Services& s, Call& call);
ApiResponse GetTopologyCsv(Services& s, Call& call);
ApiResponse ImportTopology(Services& s, Call& call);

// A user as the API shows it (schema User).
void WriteUser(JsonOut& out, const store::UserRow& user);

}  // namespace vgi::console::api
