// AdminApi's router: the OpenAPI document against the route table, sessions (login, throttling,
// cookie attributes, CSRF, idle timeout, logout), the role × route matrix, separation of duties
// and the audit of every operation. Handlers' own behaviour is tested in api_*_test.cpp.
#include "vgi/console/admin_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <map>
#include <set>

#include "vgi/console/password.hpp"
#include "vgi/console/roles.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/store/audit_chain.hpp"
#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"

namespace vgi::console {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPassword = "Grid-Dispatch-2026";

std::string Header(const ApiResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

std::string ErrorOf(const ApiResponse& r) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  std::string_view m;
  if (p.parse(r.body).get(e) != simdjson::SUCCESS || e["error"].get(m) != simdjson::SUCCESS)
    return "<no error: " + r.body + ">";
  return std::string(m);
}

class AdminApiTest : public ::testing::Test {
 protected:
  AdminApiTest() : sealer_(*store::Sealer::Create(std::string(32, 'k'))) {
    store::StoreOptions o;
    o.clock = &clock_;
    o.sealer = &sealer_;
    store_ = store::NewMemoryStore(o);
    regulator_ = std::make_unique<engine::Regulator>(*store_, clock_, engine::RegulatorConfig{}, nullptr);
    api_ = std::make_unique<AdminApi>(*store_, *regulator_, clock_, random_, ApiConfig{}, nullptr);
  }

  void AddUser(const std::string& name, RoleSet roles) {
    store::UserRow u;
    u.username = name;
    u.display_name = name;
    u.password_hash = *HashPassword(kPassword, random_, PasswordParams{64, 1, 1});  // cheap for tests
    u.roles = roles;
    u.created_at = u.updated_at = u.password_changed_at = clock_.Now();
    ASSERT_TRUE(store_->PutUser(u).ok());
  }

  ApiResponse Call(std::string method, std::string path, std::string body = "", std::string cookie = "",
                   std::string csrf = "", std::string query = "") {
    ApiRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.cookie = std::move(cookie);
    r.csrf_token = std::move(csrf);
    r.query = std::move(query);
    r.remote_ip = "10.1.2.3";
    return api_->Handle(r);
  }

  struct Session {
    std::string cookie;  // "vgi_session=…"
    std::string csrf;
  };
  Session Login(const std::string& name, const std::string& password = kPassword) {
    auto r = Call("POST", "/api/v1/login", R"({"username":")" + name + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = Header(r, "Set-Cookie");
    simdjson::dom::parser p;
    std::string_view csrf;
    EXPECT_EQ(p.parse(r.body)["csrf_token"].get(csrf), simdjson::SUCCESS);
    return {set.substr(0, set.find(';')), std::string(csrf)};
  }

  std::vector<store::AuditRow> AuditRows() { return *store_->ListAudit(0, 10000); }

  testing::FakeClock clock_;
  testing::FakeRandom random_;
  store::Sealer sealer_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::Regulator> regulator_;
  std::unique_ptr<AdminApi> api_;
};

// The document served is the one api/openapi.py writes, and it lists exactly the routes the
// router serves, each with the permission the router enforces.
TEST_F(AdminApiTest, TheOpenApiDocumentDescribesEveryRouteAndOnlyThose) {
  auto r = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, AdminApi::OpenApiDocument());
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(r.body).get(doc), simdjson::SUCCESS);
  std::string_view version;
  ASSERT_EQ(doc["openapi"].get(version), simdjson::SUCCESS);
  EXPECT_TRUE(version.starts_with("3."));
  std::map<std::string, std::string> documented;  // "get /api/v1/x" -> permission
  simdjson::dom::object paths;
  ASSERT_EQ(doc["paths"].get(paths), simdjson::SUCCESS);
  for (auto [path, item] : paths) {
    simdjson::dom::object methods;
    ASSERT_EQ(item.get(methods), simdjson::SUCCESS);
    for (auto [method, op] : methods) {
      std::string_view perm;
      ASSERT_EQ(op["x-vgi-permission"].get(perm), simdjson::SUCCESS) << path << " " << method;
      documented[std::string(method) + " " + std::string(path)] = std::string(perm);
    }
  }
  std::map<std::string, std::string> served;
  for (const auto& route : AdminApi::Routes()) served[route.method + " " + route.path] = route.permission;
  EXPECT_EQ(documented, served);

  // Written by api/openapi.py (edit that, run it, commit both).
  FILE* py = ::popen("python3 " VGI_OPENAPI_PY, "r");
  ASSERT_NE(py, nullptr);
  std::string generated;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, py)) > 0;) generated.append(buf, n);
  ASSERT_EQ(::pclose(py), 0);
  EXPECT_EQ(generated, std::string(AdminApi::OpenApiDocument())) << "run: python3 libs/console/api/openapi.py > "
                                                                    "libs/console/api/openapi.json";
}

TEST_F(AdminApiTest, EveryRouteButLoginAndTheDocumentNeedsASession) {
  for (const auto& route : AdminApi::Routes()) {
    std::string path = route.path;
    for (auto [from, to] : {std::pair{"{task}", "T1"},
                            {"{operator}", "123456789"},
                            {"{station}", "S1"},
                            {"{id}", "1"},
                            {"{username}", "bob"}}) {
      if (auto at = path.find(from); at != std::string::npos) path.replace(at, std::string_view(from).size(), to);
    }
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto r = Call(method, path, "{}");
    if (route.permission == "public") {
      EXPECT_NE(r.status, 401) << method << " " << path;
    } else {
      EXPECT_EQ(r.status, 401) << method << " " << path;
      EXPECT_EQ(ErrorOf(r), "not logged in, or the session ended: log in again");
    }
  }
  EXPECT_EQ(Call("GET", "/api/v1/nope").status, 404);
  auto wrong = Call("DELETE", "/api/v1/demands");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(Header(wrong, "Allow"), "GET, POST");
}

TEST_F(AdminApiTest, LoginSetsAStrictCookieAndCsrfGuardsWrites) {
  AddUser("alice", ToSet({Role::kDispatcher}));
  auto r = Call("POST", "/api/v1/login", R"({"username":"alice","password":"Grid-Dispatch-2026"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = Header(r, "Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("vgi_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("Secure"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(r.body, HasSubstr(R"("roles":["dispatcher"])"));
  EXPECT_THAT(r.body, HasSubstr(R"("permissions":["read_business","manage_demands","ack_alarms","read_sensitive"])"));
  // The store keeps the digest, not the token.
  const std::string token = cookie.substr(std::string("vgi_session=").size(), cookie.find(';') - 12);
  EXPECT_FALSE(store_->GetSession(token)->has_value());
  const Session s{cookie.substr(0, cookie.find(';')), ""};
  simdjson::dom::parser p;
  std::string_view csrf;
  ASSERT_EQ(p.parse(r.body)["csrf_token"].get(csrf), simdjson::SUCCESS);

  EXPECT_EQ(Call("GET", "/api/v1/me", "", s.cookie).status, 200);
  // A write without the CSRF token, or with another, is refused and audited.
  auto no_csrf = Call("POST", "/api/v1/alarms/1/ack", "", s.cookie);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_THAT(ErrorOf(no_csrf), HasSubstr("X-CSRF-Token"));
  EXPECT_EQ(Call("POST", "/api/v1/alarms/1/ack", "", s.cookie, "forged").status, 403);
  EXPECT_EQ(AuditRows().back().result, "refused: missing or wrong CSRF token");
  EXPECT_NE(Call("POST", "/api/v1/alarms/1/ack", "", s.cookie, std::string(csrf)).status, 403);

  // Logout ends the session everywhere it was used.
  EXPECT_EQ(Call("POST", "/api/v1/logout", "", s.cookie, std::string(csrf)).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/me", "", s.cookie).status, 401);
}

TEST_F(AdminApiTest, FailedLoginsAreUniformAuditedAndThrottled) {
  AddUser("alice", ToSet({Role::kViewer}));
  auto unknown = Call("POST", "/api/v1/login", R"({"username":"mallory","password":"x"})");
  auto wrong = Call("POST", "/api/v1/login", R"({"username":"alice","password":"wrong"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);  // no user enumeration
  EXPECT_EQ(Call("POST", "/api/v1/login", "not json").status, 400);
  for (int i = 0; i < 3; ++i) Call("POST", "/api/v1/login", R"({"username":"alice","password":"wrong"})");
  // Five failures for alice: locked, even with the right password, for 300 s.
  auto locked = Call("POST", "/api/v1/login", R"({"username":"alice","password":"Grid-Dispatch-2026"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(Header(locked, "Retry-After"), "300");
  clock_.Advance(std::chrono::seconds(301));
  Login("alice");
  const auto rows = AuditRows();
  ASSERT_GE(rows.size(), 7u);
  EXPECT_EQ(rows[0].operation, "login");
  EXPECT_EQ(rows[0].username, "mallory");
  EXPECT_EQ(rows[0].source, "10.1.2.3");
  EXPECT_EQ(rows[0].result, "failed: wrong username or password");
  EXPECT_EQ(rows.back().result, "ok");
  EXPECT_EQ(store::VerifyAuditChain(rows), std::nullopt);
  for (const auto& row : rows) EXPECT_EQ(row.detail.find("Grid-Dispatch"), std::string::npos);  // no password
}

TEST_F(AdminApiTest, AnIdleSessionEndsAndADisabledUserIsOut) {
  AddUser("alice", ToSet({Role::kViewer}));
  const Session s = Login("alice");
  clock_.Advance(std::chrono::minutes(29));
  EXPECT_EQ(Call("GET", "/api/v1/me", "", s.cookie).status, 200);  // activity keeps it alive
  clock_.Advance(std::chrono::minutes(29));
  EXPECT_EQ(Call("GET", "/api/v1/me", "", s.cookie).status, 200);
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(Call("GET", "/api/v1/me", "", s.cookie).status, 401);
  const Session again = Login("alice");
  auto u = *store_->GetUser("alice");
  u->enabled = false;
  ASSERT_TRUE(store_->PutUser(*u).ok());
  EXPECT_EQ(Call("GET", "/api/v1/me", "", again.cookie).status, 401);
}

// Every role against every route: 403 exactly when the role lacks the route's permission.
TEST_F(AdminApiTest, RoleByRouteMatrix) {
  const std::vector<std::pair<std::string, Role>> roles = {{"dispatcher", Role::kDispatcher},
                                                           {"viewer", Role::kViewer},
                                                           {"sysadmin", Role::kSystemAdmin},
                                                           {"secadmin", Role::kSecurityAdmin},
                                                           {"auditor", Role::kAuditor}};
  std::map<std::string, Session> sessions;
  for (const auto& [name, role] : roles) {
    AddUser(name, ToSet({role}));
    sessions[name] = Login(name);
  }
  int checked = 0;
  for (const auto& route : AdminApi::Routes()) {
    if (route.permission == "public" || route.path == "/api/v1/logout") continue;
    std::string path = route.path;
    for (auto [from, to] : {std::pair{"{task}", "T1"},
                            {"{operator}", "123456789"},
                            {"{station}", "S1"},
                            {"{id}", "1"},
                            {"{username}", "nobody"}}) {
      if (auto at = path.find(from); at != std::string::npos) path.replace(at, std::string_view(from).size(), to);
    }
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& [name, role] : roles) {
      bool allowed = route.permission == "session";
      const std::string_view all = route.permission;
      const auto bar = all.find('|');
      for (std::string_view p :
           {all.substr(0, bar), bar == std::string_view::npos ? std::string_view() : all.substr(bar + 1)}) {
        for (Permission perm :
             {Permission::kReadBusiness, Permission::kManageDemands, Permission::kAckAlarms, Permission::kReadSensitive,
              Permission::kManageUsers, Permission::kManagePeers, Permission::kManageRoles, Permission::kReadAudit}) {
          if (PermissionName(perm) == p && Allows(ToSet({role}), perm)) allowed = true;
        }
      }
      const Session& s = sessions[name];
      auto r = Call(method, path, "{}", s.cookie, s.csrf);
      if (allowed) {
        EXPECT_NE(r.status, 403) << name << " " << method << " " << path << ": " << r.body;
        EXPECT_NE(r.status, 401) << name << " " << method << " " << path;
      } else {
        EXPECT_EQ(r.status, 403) << name << " " << method << " " << path << ": " << r.body;
        EXPECT_THAT(ErrorOf(r), HasSubstr("do not allow this"));
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5 * 36);
  // Refusals are audited with who, what and why.
  bool seen = false;
  for (const auto& row : AuditRows()) {
    if (row.username == "auditor" && row.operation == "demand.create") {
      EXPECT_EQ(row.result, "refused: roles auditor lack manage_demands");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(AdminApiTest, UsersAreCreatedBySysadminAndGivenRolesBySecadminWithSeparationOfDuties) {
  AddUser("root", ToSet({Role::kSystemAdmin}));
  AddUser("sec", ToSet({Role::kSecurityAdmin}));
  const Session admin = Login("root");
  const Session sec = Login("sec");
  auto weak = Call("POST", "/api/v1/users", R"({"username":"carol","password":"short"})", admin.cookie, admin.csrf);
  EXPECT_EQ(weak.status, 400);
  EXPECT_THAT(ErrorOf(weak), HasSubstr("password: at least 10 characters"));
  auto created = Call("POST", "/api/v1/users",
                      R"({"username":"carol","display_name":"调度员 Carol","password":"Peak-Grid-2026!"})",
                      admin.cookie, admin.csrf);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_THAT(created.body, HasSubstr(R"("roles":[])"));
  EXPECT_THAT(created.body, HasSubstr(R"("must_change_password":true)"));
  EXPECT_EQ(
      Call("POST", "/api/v1/users", R"({"username":"carol","password":"Peak-Grid-2026!"})", admin.cookie, admin.csrf)
          .status,
      409);
  // The sysadmin cannot give roles; the secadmin can, within separation of duties.
  EXPECT_EQ(Call("PUT", "/api/v1/users/carol/roles", R"({"roles":["dispatcher"]})", admin.cookie, admin.csrf).status,
            403);
  auto mixed = Call("PUT", "/api/v1/users/carol/roles", R"({"roles":["dispatcher","auditor"]})", sec.cookie, sec.csrf);
  EXPECT_EQ(mixed.status, 400);
  EXPECT_EQ(ErrorOf(mixed), "roles: dispatcher and auditor cannot be held by one account (separation of duties)");
  auto bad = Call("PUT", "/api/v1/users/carol/roles", R"({"roles":["root"]})", sec.cookie, sec.csrf);
  EXPECT_EQ(bad.status, 400);
  auto given = Call("PUT", "/api/v1/users/carol/roles", R"({"roles":["dispatcher"]})", sec.cookie, sec.csrf);
  ASSERT_EQ(given.status, 200) << given.body;
  EXPECT_EQ(store_->GetUser("carol")->value().roles, ToSet({Role::kDispatcher}));
  // Carol logs in, must change her password; a role change ends her sessions.
  const Session carol = Login("carol", "Peak-Grid-2026!");
  auto changed =
      Call("POST", "/api/v1/me/password",
           R"({"current_password":"Peak-Grid-2026!","new_password":"Valley-Grid-2027!"})", carol.cookie, carol.csrf);
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_FALSE(store_->GetUser("carol")->value().must_change_password);
  EXPECT_EQ(Call("GET", "/api/v1/me", "", carol.cookie).status, 200);
  ASSERT_EQ(Call("PUT", "/api/v1/users/carol/roles", R"({"roles":["viewer"]})", sec.cookie, sec.csrf).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/me", "", carol.cookie).status, 401);
  // Disabling oneself is refused; disabling carol works and is audited with the object.
  EXPECT_EQ(Call("POST", "/api/v1/users/root/disable", "", admin.cookie, admin.csrf).status, 409);
  EXPECT_EQ(Call("POST", "/api/v1/users/carol/disable", "", admin.cookie, admin.csrf).status, 200);
  const auto rows = AuditRows();
  EXPECT_EQ(rows.back().operation, "user.disable");
  EXPECT_EQ(rows.back().object, "user:carol");
  EXPECT_EQ(rows.back().username, "root");
  EXPECT_EQ(rows.back().result, "ok");
}

TEST_F(AdminApiTest, PeerAdministrationWithoutAPeerAdminAnswers503AndIsAudited) {
  AddUser("root", ToSet({Role::kSystemAdmin}));
  const Session s = Login("root");
  auto r = Call("POST", "/api/v1/peers", R"({"operator_id":"MA0OPER01","name":"Op","base_url":"https://op"})", s.cookie,
                s.csrf);
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(ErrorOf(r), HasSubstr("vgi peer"));
  const auto row = AuditRows().back();
  EXPECT_EQ(row.operation, "peer.add");
  EXPECT_EQ(row.object, "peer:MA0OPER01");
  EXPECT_THAT(row.result, HasSubstr("failed: peer administration is not available"));
}

TEST_F(AdminApiTest, TheAuditorReadsAndVerifiesTheLog) {
  AddUser("audit", ToSet({Role::kAuditor}));
  const Session s = Login("audit");
  auto page = Call("GET", "/api/v1/audit", "", s.cookie, "", "after=0&limit=10");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr(R"("operation":"login")"));
  EXPECT_THAT(page.body, HasSubstr(R"("next_after":1)"));
  auto verify = Call("GET", "/api/v1/audit/verify", "", s.cookie);
  ASSERT_EQ(verify.status, 200);
  EXPECT_THAT(verify.body, HasSubstr(R"("ok":true,"rows":1,"head_seq":1)"));
  EXPECT_THAT(verify.body, HasSubstr(R"("break":null)"));
  EXPECT_EQ(Call("GET", "/api/v1/audit", "", s.cookie, "", "limit=0").status, 400);
}

}  // namespace
}  // namespace vgi::console
