// AdminApi (admin_api.hpp): the route table, sessions (login, logout, me, own password), CSRF,
// permissions and the audit of every operation. The other routes live in api_business.cpp,
// api_demands.cpp, api_admin.cpp and api_topology.cpp.
#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <mutex>
#include <string>

#include "api_internal.hpp"
#include "vgi/console/login_throttle.hpp"
#include "vgi/console/password.hpp"
#include "vgi/console/session_token.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::console {
namespace api {
extern const std::string_view kOpenApiJson;
}  // namespace api

namespace {

using api::Call;
using api::Caller;
using api::ErrorResponse;
using api::JsonOut;
using api::JsonResponse;
using api::Services;

constexpr std::string_view kCookie = "vgi_session";
constexpr std::string_view kPrefix = "/api/v1/";

// Who may call a route: anyone, any session, or a session whose roles allow one of two permissions.
enum class Access { kPublic, kSession, kPermission };

struct Route {
  const char* method;  // "GET", "POST", "PUT"
  const char* path;    // OpenAPI template: "/api/v1/demands/{task}"
  Access access;
  Permission permission;
  std::optional<Permission> or_permission;
  const char* audit;  // the audit operation, or nullptr (reads are not audited)
  api::Handler handler;
};

// Routes without a handler (login, logout, me, own password) are served by Impl: they need the
// router's session state.
const std::vector<Route>& Table() {
  using P = Permission;
  static const std::vector<Route> k = {
      {"GET", "/api/v1/openapi.json", Access::kPublic, P::kReadBusiness, {}, nullptr, nullptr},
      {"POST", "/api/v1/login", Access::kPublic, P::kReadBusiness, {}, "login", nullptr},
      {"POST", "/api/v1/logout", Access::kSession, P::kReadBusiness, {}, "logout", nullptr},
      {"GET", "/api/v1/me", Access::kSession, P::kReadBusiness, {}, nullptr, nullptr},
      {"POST", "/api/v1/me/password", Access::kSession, P::kReadBusiness, {}, "password.change", nullptr},
      {"GET", "/api/v1/overview", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetOverview},
      {"GET", "/api/v1/overview/curve", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetOverviewCurve},
      {"GET", "/api/v1/operators", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetOperators},
      {"GET", "/api/v1/stations", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetStations},
      {"GET",
       "/api/v1/stations/{operator}/{station}",
       Access::kPermission,
       P::kReadBusiness,
       {},
       nullptr,
       api::GetStation},
      {"GET",
       "/api/v1/stations/{operator}/{station}/curve",
       Access::kPermission,
       P::kReadBusiness,
       {},
       nullptr,
       api::GetStationCurve},
      {"GET", "/api/v1/demands", Access::kPermission, P::kReadBusiness, {}, nullptr, api::ListDemands},
      {"POST", "/api/v1/demands", Access::kPermission, P::kManageDemands, {}, "demand.create", api::CreateDemand},
      {"GET", "/api/v1/demands/{task}", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetDemand},
      {"GET",
       "/api/v1/demands/{task}/execution",
       Access::kPermission,
       P::kReadBusiness,
       {},
       nullptr,
       api::GetExecution},
      {"POST",
       "/api/v1/demands/{task}/change",
       Access::kPermission,
       P::kManageDemands,
       {},
       "demand.change",
       api::ChangeDemand},
      {"POST",
       "/api/v1/demands/{task}/cancel",
       Access::kPermission,
       P::kManageDemands,
       {},
       "demand.cancel",
       api::CancelDemand},
      {"GET", "/api/v1/settlements", Access::kPermission, P::kReadBusiness, {}, nullptr, api::ListSettlements},
      {"GET", "/api/v1/statements", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetStatements},
      {"GET", "/api/v1/reports", Access::kPermission, P::kReadBusiness, {}, nullptr, api::GetReport},
      {"GET", "/api/v1/alarms", Access::kPermission, P::kReadBusiness, {}, nullptr, api::ListAlarms},
      {"POST", "/api/v1/alarms/{id}/ack", Access::kPermission, P::kAckAlarms, {}, "alarm.ack", api::AckAlarm},
      {"POST", "/api/v1/alarms/{id}/close", Access::kPermission, P::kAckAlarms, {}, "alarm.close", api::CloseAlarm},
      {"GET", "/api/v1/users", Access::kPermission, P::kManageUsers, P::kManageRoles, nullptr, api::ListUsers},
      {"POST", "/api/v1/users", Access::kPermission, P::kManageUsers, {}, "user.create", api::CreateUser},
      {"PUT", "/api/v1/users/{username}/roles", Access::kPermission, P::kManageRoles, {}, "user.roles", api::SetRoles},
      {"POST",
       "/api/v1/users/{username}/password",
       Access::kPermission,
       P::kManageRoles,
       {},
       "user.password_reset",
       api::ResetPassword},
      {"POST",
       "/api/v1/users/{username}/enable",
       Access::kPermission,
       P::kManageUsers,
       {},
       "user.enable",
       api::EnableUser},
      {"POST",
       "/api/v1/users/{username}/disable",
       Access::kPermission,
       P::kManageUsers,
       {},
       "user.disable",
       api::DisableUser},
      {"GET", "/api/v1/peers", Access::kPermission, P::kManagePeers, {}, nullptr, api::ListPeers},
      {"POST", "/api/v1/peers", Access::kPermission, P::kManagePeers, {}, "peer.add", api::AddPeer},
      {"POST",
       "/api/v1/peers/{operator}/rotate",
       Access::kPermission,
       P::kManageRoles,
       {},
       "peer.rotate",
       api::RotatePeer},
      {"POST",
       "/api/v1/peers/{operator}/enable",
       Access::kPermission,
       P::kManagePeers,
       {},
       "peer.enable",
       api::EnablePeer},
      {"POST",
       "/api/v1/peers/{operator}/disable",
       Access::kPermission,
       P::kManagePeers,
       {},
       "peer.disable",
       api::DisablePeer},
      // Read by dispatchers (the demand form's scope IDs) and system administrators (who import it).
      {"GET", "/api/v1/topology", Access::kPermission, P::kReadBusiness, P::kManagePeers, nullptr, api::GetTopology},
      {"GET", "/api/v1/topology.csv", Access::kPermission, P::kReadBusiness, P::kManagePeers, nullptr,
       api::GetTopologyCsv},
      {"POST", "/api/v1/topology", Access::kPermission, P::kManagePeers, {}, "topology.import", api::ImportTopology},
      {"GET", "/api/v1/audit", Access::kPermission, P::kReadAudit, {}, nullptr, api::ListAudit},
      {"GET", "/api/v1/audit/verify", Access::kPermission, P::kReadAudit, {}, nullptr, api::VerifyAudit},
  };
  return k;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  return out;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Whether `path` fits `pattern`; the {parameters} into `params`.
bool Match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  const auto want = Segments(pattern);
  const auto got = Segments(path);
  if (want.size() != got.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{')) {
      if (got[i].empty()) return false;
      params.push_back(PercentDecode(got[i]));
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
  }
  return {};
}

// The CSRF token of a session: derived from its token (nothing more to store), never equal to it.
std::string CsrfOf(std::string_view session_token) {
  return TokenDigest(std::string("csrf:") + std::string(session_token));
}

bool IsWrite(std::string_view method) {
  return method != "GET" && method != "HEAD";
}

const std::array<Permission, 8> kAllPermissions = {
    Permission::kReadBusiness, Permission::kManageDemands, Permission::kAckAlarms,   Permission::kReadSensitive,
    Permission::kManageUsers,  Permission::kManagePeers,   Permission::kManageRoles, Permission::kReadAudit};

}  // namespace

struct AdminApi::Impl {
  Services services;
  LoginThrottle throttle;
  std::shared_ptr<spdlog::logger> audit_log;  // never null when services.log is not

  Impl(store::Store& store, engine::Regulator& regulator, const Clock& clock, RandomSource& random, ApiConfig config,
       std::shared_ptr<spdlog::logger> log, std::shared_ptr<spdlog::logger> audit)
      : services{store, regulator, clock, random, config, log}, throttle(clock), audit_log(audit ? audit : log) {}

  void Audit(const Caller& caller, std::string_view operation, std::string object, std::string result,
             std::string detail) {
    store::AuditRow row;
    row.at = services.clock.Now();
    row.username = caller.username;
    row.source = caller.source;
    row.operation = operation;
    row.object = std::move(object);
    row.result = std::move(result);
    row.detail = std::move(detail);
    auto stored = services.store.AppendAudit(row);
    if (!stored.ok()) {
      if (services.log)
        services.log->error("audit: could not append {} by {}: {}", operation, caller.username,
                            stored.status().ToString());
      return;
    }
    // A second witness of the chain's head, outside the database (a truncated tail shows here).
    if (audit_log) {
      audit_log->info("audit #{} {} {} {} {} -> {} hash {}", stored->seq, stored->username, stored->source,
                      stored->operation, stored->object, stored->result, stored->hash);
    }
  }

  const std::string& DummyHash() {
    std::call_once(dummy_once_, [this] {
      auto h = HashPassword(NewToken(services.random), services.random);
      dummy_hash_ = h.ok() ? *h : std::string();
    });
    return dummy_hash_;
  }
  std::once_flag dummy_once_;
  std::string dummy_hash_;

  std::string SessionCookie(std::string_view value, std::chrono::seconds max_age) const {
    std::string c = std::string(kCookie) + "=" + std::string(value) +
                    "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
    if (services.config.secure_cookie) c += "; Secure";
    return c;
  }

  ApiResponse MeResponse(const store::UserRow& user, std::string_view csrf) {
    JsonOut out;
    out.StartObject().Key("username").String(user.username).Key("display_name").String(user.display_name);
    out.Key("roles").StartArray();
    for (Role r : Roles(user.roles)) out.String(RoleName(r));
    out.EndArray().Key("permissions").StartArray();
    for (Permission p : kAllPermissions) {
      if (Allows(user.roles, p)) out.String(PermissionName(p));
    }
    out.EndArray().Key("csrf_token").String(csrf).Key("must_change_password").Bool(user.must_change_password);
    out.Key("idle_timeout_s").Int(services.config.idle_timeout.count()).EndObject();
    return JsonResponse(200, out.Take());
  }

  ApiResponse Login(const ApiRequest& req, Caller& caller) {
    simdjson::dom::parser parser;
    auto body = api::ParseBody(parser, req.body);
    if (!body.ok()) return api::StatusResponse(services, body.status());
    auto username = api::StringField(*body, "username", "username", true);
    auto password = api::StringField(*body, "password", "password", true);
    if (!username.ok()) return api::StatusResponse(services, username.status());
    if (!password.ok()) return api::StatusResponse(services, password.status());
    caller.username = *username;
    const std::string user_key = "user:" + *username;
    const std::string addr_key = "addr:" + req.remote_ip;
    for (const std::string& key : {user_key, addr_key}) {
      if (auto wait = throttle.Blocked(key)) {
        Audit(caller, "login", "user:" + *username, "refused: throttled", "");
        ApiResponse r = ErrorResponse(429, "too many failed logins: wait " + std::to_string(wait->count()) +
                                               " s and try again, or ask the security administrator");
        r.headers.emplace_back("Retry-After", std::to_string(wait->count()));
        return r;
      }
    }
    auto user = services.store.GetUser(*username);
    if (!user.ok()) return api::StatusResponse(services, user.status());
    bool good = false;
    if (user->has_value() && (*user)->enabled) {
      auto verified = VerifyPassword(*password, (*user)->password_hash);
      good = verified.ok() && *verified;
    } else {
      // The same argon2id work as for a real user: the answer's timing tells no name apart.
      (void)VerifyPassword(*password, DummyHash());
    }
    if (!good) {
      throttle.Failure(user_key);
      throttle.Failure(addr_key);
      Audit(caller, "login", "user:" + *username, "failed: wrong username or password", "");
      return ErrorResponse(401, "wrong username or password (or the account is disabled)");
    }
    throttle.Success(user_key);
    throttle.Success(addr_key);
    const std::string token = NewToken(services.random);
    const SystemTime now = services.clock.Now();
    store::SessionRow session{
        TokenDigest(token), *username, req.remote_ip, now, now, now + services.config.max_lifetime};
    if (Status st = services.store.PutSession(session); !st.ok()) return api::StatusResponse(services, st);
    Audit(caller, "login", "user:" + *username, "ok", "");
    ApiResponse r = MeResponse(**user, CsrfOf(token));
    r.headers.emplace_back("Set-Cookie", SessionCookie(token, services.config.max_lifetime));
    return r;
  }

  // The live session of the request, or an answer saying why not (401). Touches it (at most once a minute).
  std::optional<ApiResponse> Authenticate(const ApiRequest& req, Caller& caller, store::UserRow& user) {
    const std::string token = CookieValue(req.cookie, kCookie);
    const ApiResponse no = ErrorResponse(401, "not logged in, or the session ended: log in again");
    if (token.empty()) return no;
    const std::string digest = TokenDigest(token);
    auto session = services.store.GetSession(digest);
    if (!session.ok()) return api::StatusResponse(services, session.status());
    const SystemTime now = services.clock.Now();
    if (!session->has_value()) return no;
    const store::SessionRow& s = **session;
    if (s.expires_at <= now || now - s.last_seen_at >= services.config.idle_timeout) {
      (void)services.store.DeleteSession(digest);
      return no;
    }
    auto u = services.store.GetUser(s.username);
    if (!u.ok()) return api::StatusResponse(services, u.status());
    if (!u->has_value() || !(*u)->enabled) {
      (void)services.store.DeleteSession(digest);
      return no;
    }
    user = **u;
    caller.username = user.username;
    caller.roles = user.roles;
    caller.session_digest = digest;
    caller.csrf_token = CsrfOf(token);
    if (now - s.last_seen_at >= std::chrono::minutes(1)) (void)services.store.TouchSession(digest, now);
    return std::nullopt;
  }

  ApiResponse Dispatch(const ApiRequest& req) {
    Caller caller;
    caller.source = req.remote_ip;
    const Route* route = nullptr;
    std::vector<std::string> params;
    bool path_known = false;
    for (const Route& r : Table()) {
      if (!Match(r.path, req.path, params)) continue;
      path_known = true;
      if (req.method == r.method || (req.method == "HEAD" && std::string_view(r.method) == "GET")) {
        route = &r;
        break;
      }
    }
    if (route == nullptr) {
      if (!path_known) return ErrorResponse(404, "no such API route: " + req.path + " (see /api/v1/openapi.json)");
      ApiResponse r = ErrorResponse(405, "method " + req.method + " not allowed on " + req.path);
      std::string allow;
      for (const Route& r2 : Table()) {
        std::vector<std::string> ignored;
        if (Match(r2.path, req.path, ignored)) allow += (allow.empty() ? "" : ", ") + std::string(r2.method);
      }
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    if (route->access == Access::kPublic) {
      if (std::string_view(route->path) == "/api/v1/openapi.json") {
        ApiResponse r = JsonResponse(200, std::string(api::kOpenApiJson));
        return r;
      }
      return Login(req, caller);
    }
    store::UserRow user;
    if (auto refused = Authenticate(req, caller, user)) return *refused;
    if (IsWrite(req.method) && !SameToken(req.csrf_token, caller.csrf_token)) {
      if (route->audit != nullptr) Audit(caller, route->audit, req.path, "refused: missing or wrong CSRF token", "");
      return ErrorResponse(403, "the request lacks this session's X-CSRF-Token: reload the console and try again");
    }
    if (route->access == Access::kPermission) {
      const bool allowed = Allows(caller.roles, route->permission) ||
                           (route->or_permission && Allows(caller.roles, *route->or_permission));
      if (!allowed) {
        Audit(caller, route->audit != nullptr ? route->audit : "read", req.method + " " + req.path,
              "refused: roles " + FormatRoles(caller.roles) + " lack " + std::string(PermissionName(route->permission)),
              "");
        return ErrorResponse(403, "your roles (" + FormatRoles(caller.roles) +
                                      ") do not allow this; ask the security administrator for the right role");
      }
    }
    api::AuditNote note;
    Call call{req, caller, params, api::Query(req.query), &note};
    ApiResponse answer;
    const std::string_view path = route->path;
    if (path == "/api/v1/logout") {
      (void)services.store.DeleteSession(caller.session_digest);
      note.object = "user:" + caller.username;
      answer.status = 204;
      answer.headers.emplace_back("Set-Cookie", SessionCookie("", std::chrono::seconds(0)));
    } else if (path == "/api/v1/me") {
      answer = MeResponse(user, caller.csrf_token);
    } else if (path == "/api/v1/me/password") {
      answer = ChangeOwnPassword(call, user);
    } else {
      answer = route->handler(services, call);
    }
    if (route->audit != nullptr) {
      std::string result = "ok";
      if (answer.status >= 400) {
        simdjson::dom::parser p;
        simdjson::dom::element e;
        std::string_view message;
        result = "failed: ";
        result += (p.parse(answer.body).get(e) == simdjson::SUCCESS && e["error"].get(message) == simdjson::SUCCESS)
                      ? std::string(message)
                      : "status " + std::to_string(answer.status);
      }
      Audit(caller, route->audit, note.object.empty() ? req.path : note.object, result, note.detail);
    }
    return answer;
  }

  ApiResponse ChangeOwnPassword(Call& call, store::UserRow user) {
    call.audit->object = "user:" + user.username;
    simdjson::dom::parser parser;
    auto body = api::ParseBody(parser, call.request.body);
    if (!body.ok()) return api::StatusResponse(services, body.status());
    auto current = api::StringField(*body, "current_password", "current_password", true);
    auto fresh = api::StringField(*body, "new_password", "new_password", true);
    if (!current.ok()) return api::StatusResponse(services, current.status());
    if (!fresh.ok()) return api::StatusResponse(services, fresh.status());
    auto ok = VerifyPassword(*current, user.password_hash);
    if (!ok.ok() || !*ok) return ErrorResponse(400, "current_password: does not match", "current_password");
    if (*current == *fresh) return ErrorResponse(400, "new_password: must differ from the current one", "new_password");
    if (Status st = CheckPasswordPolicy(user.username, *fresh); !st.ok()) return api::StatusResponse(services, st);
    auto hash = HashPassword(*fresh, services.random);
    if (!hash.ok()) return api::StatusResponse(services, hash.status());
    const SystemTime now = services.clock.Now();
    user.password_hash = *hash;
    user.must_change_password = false;
    user.password_changed_at = now;
    user.updated_at = now;
    if (Status st = services.store.PutUser(user); !st.ok()) return api::StatusResponse(services, st);
    // Other sessions of the user end; this one goes on (a fresh login is not needed).
    auto sessions = services.store.DeleteUserSessions(user.username);
    if (sessions.ok()) {
      store::SessionRow keep{call.caller.session_digest,        user.username, call.caller.source, now, now,
                             now + services.config.max_lifetime};
      (void)services.store.PutSession(keep);
    }
    ApiResponse r;
    r.status = 204;
    return r;
  }
};

AdminApi::AdminApi(store::Store& store, engine::Regulator& regulator, const Clock& clock, RandomSource& random,
                   ApiConfig config, std::shared_ptr<spdlog::logger> log, std::shared_ptr<spdlog::logger> audit_log)
    : impl_(std::make_unique<Impl>(store, regulator, clock, random, config, std::move(log), std::move(audit_log))) {}

AdminApi::~AdminApi() = default;

ApiResponse AdminApi::Handle(const ApiRequest& request) {
  if (!request.path.starts_with(kPrefix)) return ErrorResponse(404, "no such API route: " + request.path);
  ApiResponse r = impl_->Dispatch(request);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

void AdminApi::SetPeerAdmin(PeerAdmin* peers) {
  impl_->services.peers = peers;
}

std::string_view AdminApi::OpenApiDocument() {
  return api::kOpenApiJson;
}

std::vector<AdminApi::RouteInfo> AdminApi::Routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : Table()) {
    std::string method(r.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string permission = r.access == Access::kPublic    ? "public"
                             : r.access == Access::kSession ? "session"
                                                            : std::string(PermissionName(r.permission));
    if (r.or_permission) permission += "|" + std::string(PermissionName(*r.or_permission));
    out.push_back(RouteInfo{method, r.path, permission});
  }
  return out;
}

}  // namespace vgi::console
