// The console API's administration routes: users (system administrator: create, enable,
// disable; security administrator: roles and password resets), peers, and the audit log with
// its chain check (auditor).
#include <functional>

#include "api_internal.hpp"
#include "vgi/console/password.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/store/audit_chain.hpp"

namespace vgi::console::api {
namespace {

Result<store::UserRow> FindUser(Services& s, const std::string& username) {
  auto user = s.store.GetUser(username);
  if (!user.ok()) return user.status();
  if (!user->has_value()) return Status::NotFound("no such user: " + username);
  return **user;
}

ApiResponse UserResponse(int status, const store::UserRow& user) {
  JsonOut out;
  WriteUser(out, user);
  return JsonResponse(status, out.Take());
}

// Saves `user` changed by `change`, ending the user's sessions when `end_sessions`.
ApiResponse Update(Services& s, Call& call, bool end_sessions, const std::function<Status(store::UserRow&)>& change) {
  const std::string& name = call.params.at(0);
  call.audit->object = "user:" + name;
  auto user = FindUser(s, name);
  if (!user.ok()) return StatusResponse(s, user.status());
  if (Status st = change(*user); !st.ok()) return StatusResponse(s, st);
  user->updated_at = s.clock.Now();
  if (Status st = s.store.PutUser(*user); !st.ok()) return StatusResponse(s, st);
  if (end_sessions) {
    auto ended = s.store.DeleteUserSessions(name);
    if (!ended.ok()) return StatusResponse(s, ended.status());
  }
  return UserResponse(200, *user);
}

std::string AuditTime(SystemTime t) {
  const auto m = proto::ToBeijingMinute(t);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() % 60;
  std::string out = proto::FormatMinute(m) + ":";
  if (secs < 10) out += '0';
  return out + std::to_string(secs);
}

}  // namespace

void WriteUser(JsonOut& out, const store::UserRow& user) {
  out.StartObject().Key("username").String(user.username).Key("display_name").String(user.display_name);
  out.Key("roles").StartArray();
  for (Role r : Roles(user.roles)) out.String(RoleName(r));
  out.EndArray().Key("enabled").Bool(user.enabled).Key("must_change_password").Bool(user.must_change_password);
  out.Key("created_at").Minute(user.created_at).Key("updated_at").Minute(user.updated_at).EndObject();
}

ApiResponse ListUsers(Services& s, Call&) {
  auto users = s.store.ListUsers();
  if (!users.ok()) return StatusResponse(s, users.status());
  JsonOut out;
  out.StartArray();
  for (const auto& u : *users) WriteUser(out, u);
  out.EndArray();
  return JsonResponse(200, out.Take());
}

ApiResponse CreateUser(Services& s, Call& call) {
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  if (!body.ok()) return StatusResponse(s, body.status());
  auto username = StringField(*body, "username", "username", true);
  if (!username.ok()) return StatusResponse(s, username.status());
  call.audit->object = "user:" + *username;
  auto display = StringField(*body, "display_name", "display_name", false);
  auto password = StringField(*body, "password", "password", true);
  if (!display.ok()) return StatusResponse(s, display.status());
  if (!password.ok()) return StatusResponse(s, password.status());
  if (Status st = CheckUsername(*username); !st.ok()) return StatusResponse(s, st);
  if (Status st = CheckPasswordPolicy(*username, *password); !st.ok()) return StatusResponse(s, st);
  auto existing = s.store.GetUser(*username);
  if (!existing.ok()) return StatusResponse(s, existing.status());
  if (existing->has_value())
    return ErrorResponse(409, "username " + *username + " is taken: choose another", "username");
  auto hash = HashPassword(*password, s.random);
  if (!hash.ok()) return StatusResponse(s, hash.status());
  const SystemTime now = s.clock.Now();
  store::UserRow user;
  user.username = *username;
  user.display_name = display->empty() ? *username : *display;
  user.password_hash = *hash;
  user.roles = 0;  // the security administrator assigns roles (separation of duties)
  user.must_change_password = true;
  user.password_changed_at = now;
  user.created_at = now;
  user.updated_at = now;
  if (Status st = s.store.PutUser(user); !st.ok()) return StatusResponse(s, st);
  call.audit->detail = "display name " + user.display_name + ", no roles";
  return UserResponse(201, *s.store.GetUser(*username).value());
}

ApiResponse SetRoles(Services& s, Call& call) {
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  if (!body.ok()) {
    call.audit->object = "user:" + call.params.at(0);
    return StatusResponse(s, body.status());
  }
  simdjson::dom::array list;
  RoleSet roles = 0;
  if ((*body)["roles"].get(list) != simdjson::SUCCESS) {
    call.audit->object = "user:" + call.params.at(0);
    return ErrorResponse(400, "roles: must be a list of role names", "roles");
  }
  std::size_t i = 0;
  for (auto v : list) {
    std::string_view name;
    if (v.get(name) != simdjson::SUCCESS) {
      return ErrorResponse(400, "roles[" + std::to_string(i) + "]: must be a role name", "roles");
    }
    auto role = ParseRole(name);
    if (!role.ok()) return StatusResponse(s, role.status());
    roles |= ToSet({*role});
    ++i;
  }
  call.audit->detail = "roles " + FormatRoles(roles);
  if (Status st = ValidateRoles(roles); !st.ok()) {
    call.audit->object = "user:" + call.params.at(0);
    return StatusResponse(s, st);
  }
  return Update(s, call, true, [&](store::UserRow& u) {
    u.roles = roles;
    return Status::Ok();
  });
}

ApiResponse ResetPassword(Services& s, Call& call) {
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  const std::string& name = call.params.at(0);
  call.audit->object = "user:" + name;
  if (!body.ok()) return StatusResponse(s, body.status());
  auto password = StringField(*body, "password", "password", true);
  if (!password.ok()) return StatusResponse(s, password.status());
  if (Status st = CheckPasswordPolicy(name, *password); !st.ok()) return StatusResponse(s, st);
  auto hash = HashPassword(*password, s.random);
  if (!hash.ok()) return StatusResponse(s, hash.status());
  call.audit->detail = "the user must change it at the next login";
  return Update(s, call, true, [&](store::UserRow& u) {
    u.password_hash = *hash;
    u.must_change_password = true;
    u.password_changed_at = s.clock.Now();
    return Status::Ok();
  });
}

ApiResponse EnableUser(Services& s, Call& call) {
  return Update(s, call, false, [](store::UserRow& u) {
    u.enabled = true;
    return Status::Ok();
  });
}

ApiResponse DisableUser(Services& s, Call& call) {
  if (call.params.at(0) == call.caller.username) {
    call.audit->object = "user:" + call.params.at(0);
    return ErrorResponse(409, "you cannot disable your own account; ask another system administrator");
  }
  return Update(s, call, true, [](store::UserRow& u) {
    u.enabled = false;
    return Status::Ok();
  });
}

namespace {

ApiResponse NoPeerAdmin() {
  return ErrorResponse(503, "peer administration is not available on this server; use `vgi peer` on the server");
}

void WritePeer(JsonOut& out, const store::PeerRow& p) {
  out.StartObject().Key("operator_id").String(p.operator_id).Key("name").String(p.name);
  out.Key("base_url").String(p.base_url).Key("enabled").Bool(p.enabled).EndObject();
}

void WriteKeys(JsonOut& out, const std::string& operator_id, const PeerAdmin::Keys& k) {
  out.StartObject().Key("operator_id").String(operator_id).Key("operator_secret").String(k.operator_secret);
  out.Key("data_secret").String(k.data_secret).Key("data_iv").String(k.data_iv).Key("sig_secret").String(k.sig_secret);
  out.Key("note").String(
      "shown once: hand these keys to the operator over a secure channel; vgi keeps them only sealed");
  out.EndObject();
}

ApiResponse PeerResponse(Services& s, const std::string& operator_id) {
  auto peer = s.store.GetPeer(operator_id);
  if (!peer.ok()) return StatusResponse(s, peer.status());
  if (!peer->has_value()) return ErrorResponse(404, "no such operator: " + operator_id);
  JsonOut out;
  WritePeer(out, **peer);
  return JsonResponse(200, out.Take());
}

ApiResponse SetPeerEnabled(Services& s, Call& call, bool enabled) {
  const std::string& op = call.params.at(0);
  call.audit->object = "peer:" + op;
  if (s.peers == nullptr) return NoPeerAdmin();
  if (Status st = s.peers->SetEnabled(op, enabled); !st.ok()) return StatusResponse(s, st);
  return PeerResponse(s, op);
}

}  // namespace

ApiResponse ListPeers(Services& s, Call&) {
  auto peers = s.store.ListPeers();
  if (!peers.ok()) return StatusResponse(s, peers.status());
  JsonOut out;
  out.StartArray();
  for (const auto& p : *peers) WritePeer(out, p);
  out.EndArray();
  return JsonResponse(200, out.Take());
}

ApiResponse AddPeer(Services& s, Call& call) {
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  if (!body.ok()) return StatusResponse(s, body.status());
  auto op = StringField(*body, "operator_id", "operator_id", true);
  if (!op.ok()) return StatusResponse(s, op.status());
  call.audit->object = "peer:" + *op;
  auto name = StringField(*body, "name", "name", true);
  auto url = StringField(*body, "base_url", "base_url", true);
  if (!name.ok()) return StatusResponse(s, name.status());
  if (!url.ok()) return StatusResponse(s, url.status());
  call.audit->detail = "name " + *name + ", base URL " + *url + " (keys issued, not logged)";
  if (s.peers == nullptr) return NoPeerAdmin();
  auto keys = s.peers->Add(*op, *name, *url);
  if (!keys.ok()) return StatusResponse(s, keys.status());
  auto peer = s.store.GetPeer(*op);
  if (!peer.ok()) return StatusResponse(s, peer.status());
  if (!peer->has_value()) return ErrorResponse(500, "internal error: the onboarded peer is not in the store");
  JsonOut out;
  out.StartObject().Key("peer");
  WritePeer(out, **peer);
  out.Key("keys");
  WriteKeys(out, *op, *keys);
  out.EndObject();
  ApiResponse r = JsonResponse(201, out.Take());
  return r;
}

ApiResponse RotatePeer(Services& s, Call& call) {
  const std::string& op = call.params.at(0);
  call.audit->object = "peer:" + op;
  call.audit->detail = "new inbound keys (not logged); the old set stays valid for the overlap";
  if (s.peers == nullptr) return NoPeerAdmin();
  auto keys = s.peers->Rotate(op);
  if (!keys.ok()) return StatusResponse(s, keys.status());
  JsonOut out;
  WriteKeys(out, op, *keys);
  return JsonResponse(200, out.Take());
}

ApiResponse EnablePeer(Services& s, Call& call) {
  return SetPeerEnabled(s, call, true);
}
ApiResponse DisablePeer(Services& s, Call& call) {
  return SetPeerEnabled(s, call, false);
}

ApiResponse ListAudit(Services& s, Call& call) {
  auto after_param = IntParam(call, "after", 0, INT64_MAX, "must be a row number from 0");
  if (!after_param.ok()) return StatusResponse(s, after_param.status());
  auto limit_param = IntParam(call, "limit", 1, 1000, "must be from 1 to 1000");
  if (!limit_param.ok()) return StatusResponse(s, limit_param.status());
  const std::int64_t after = after_param->value_or(0);
  const std::int64_t limit = limit_param->value_or(200);
  auto rows = s.store.ListAudit(after, static_cast<std::size_t>(limit));
  if (!rows.ok()) return StatusResponse(s, rows.status());
  JsonOut out;
  out.StartObject().Key("rows").StartArray();
  for (const auto& r : *rows) {
    out.StartObject().Key("seq").Int(r.seq).Key("at").String(AuditTime(r.at)).Key("username").String(r.username);
    out.Key("source").String(r.source).Key("operation").String(r.operation).Key("object").String(r.object);
    out.Key("result").String(r.result).Key("detail").String(r.detail).Key("hash").String(r.hash).EndObject();
  }
  out.EndArray().Key("next_after").Int(rows->empty() ? after : rows->back().seq).EndObject();
  return JsonResponse(200, out.Take());
}

ApiResponse VerifyAudit(Services& s, Call&) {
  std::int64_t next = 1;
  std::string prev(store::kAuditGenesis);
  std::int64_t count = 0;
  std::optional<store::AuditBreak> broken;
  for (;;) {
    auto page = s.store.ListAudit(next - 1, 5000);
    if (!page.ok()) return StatusResponse(s, page.status());
    if (page->empty()) break;
    broken = store::VerifyAuditChain(*page, next, prev);
    if (broken) break;
    count += static_cast<std::int64_t>(page->size());
    next = page->back().seq + 1;
    prev = page->back().hash;
  }
  JsonOut out;
  out.StartObject().Key("ok").Bool(!broken).Key("rows").Int(count).Key("head_seq").Int(next - 1);
  out.Key("head_hash").String(prev).Key("break");
  if (broken) {
    out.StartObject().Key("seq").Int(broken->seq).Key("reason").String(broken->reason).EndObject();
  } else {
    out.Null();
  }
  out.EndObject();
  return JsonResponse(200, out.Take());
}

}  // namespace vgi::console::api
