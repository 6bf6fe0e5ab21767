#pragma once
// AdminApi: the dispatcher's console API under /api/v1/ (issue 6), described by the OpenAPI
// document libs/console/api/openapi.json (served at /api/v1/openapi.json; a test checks every
// route against it). Transport-free: the HTTPS server hands it an ApiRequest and sends back the
// ApiResponse, so every rule here is testable without sockets.
//
// Sessions: POST /api/v1/login checks the password (argon2id), applies login throttling (per
// user and per address: 429 with Retry-After), and sets the cookie `vgi_session` (HttpOnly,
// Secure, SameSite=Strict, Path=/). The store keeps only the token's digest. A session ends
// after `idle_timeout` without a request, after `max_lifetime` in any case, at logout, and when
// the user's password or roles change or the user is disabled. Every route but login and the
// OpenAPI document answers 401 without a live session; every POST/PUT/DELETE also needs
// X-CSRF-Token equal to the session's CSRF token (403 otherwise). Permissions per route come
// from console/roles.hpp; a route the caller's roles do not allow answers 403 and is audited.
//
// Audit: every login (ok or failed), logout and business or administrative operation is
// appended to the store's hash-chained audit log with user, source address, operation, object
// and result — refusals included.
//
// Errors are JSON {"error": "...", "field": "..."} in business language (what to do next).
//
// Thread safety: Handle may be called from any thread concurrently.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/random.hpp"
#include "vgi/store/store.hpp"

namespace spdlog {
class logger;
}
namespace vgi::engine {
class Regulator;
}

namespace vgi::console {

struct ApiRequest {
  std::string method;  // "GET"
  std::string path;    // "/api/v1/demands/T1"
  std::string query;   // raw, without '?'
  std::string cookie;  // the Cookie header
  std::string csrf_token;
  std::string origin;
  std::string body;
  std::string remote_ip;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiConfig {
  std::chrono::seconds idle_timeout{1800};   // a session ends after this long without a request
  std::chrono::seconds max_lifetime{43200};  // and after this long in any case
  bool secure_cookie = true;                 // false only for plain-HTTP tests
  int area_digits = 2;                       // the overview's default area grouping
};

// What the console may do to operator platforms. The server implements it over its peer
// registry (the console module does not depend on the server). Thread-safe.
class PeerAdmin {
 public:
  struct Keys {  // the inbound key set the grid issued: shown once, never stored in clear
    std::string operator_secret, data_secret, data_iv, sig_secret;
  };
  virtual ~PeerAdmin() = default;
  // Onboards with fresh inbound keys. Invalid naming the field; Conflict when the OperatorID exists.
  virtual Result<Keys> Add(const std::string& operator_id, const std::string& name, const std::string& base_url) = 0;
  // New inbound keys; the old set stays valid for the configured overlap. NotFound when unknown.
  virtual Result<Keys> Rotate(const std::string& operator_id) = 0;
  // Disabling refuses the operator's requests and revokes its tokens. NotFound when unknown.
  virtual Status SetEnabled(const std::string& operator_id, bool enabled) = 0;
};

class AdminApi {
 public:
  // Everything passed must outlive the AdminApi; `log` may be null. `audit_log` gets one line per
  // audit row appended (number, who, what, result, hash); null = `log`.
  AdminApi(store::Store& store, engine::Regulator& regulator, const Clock& clock, RandomSource& random,
           ApiConfig config, std::shared_ptr<spdlog::logger> log, std::shared_ptr<spdlog::logger> audit_log = nullptr);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Peer onboarding, rotation, enabling (null: those routes answer 503). Before the first Handle;
  // `peers` must outlive the AdminApi.
  void SetPeerAdmin(PeerAdmin* peers);

  ApiResponse Handle(const ApiRequest& request);

  // The OpenAPI document as served.
  static std::string_view OpenApiDocument();

  // Every route as (method, OpenAPI path template, permission name), for the document test.
  struct RouteInfo {
    std::string method;      // "get", "post", "put"
    std::string path;        // "/api/v1/demands/{task}"
    std::string permission;  // "public", "session", a permission name, or "a|b" (either)
  };
  static std::vector<RouteInfo> Routes();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::console
