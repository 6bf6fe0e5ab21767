// `vgi user add|passwd|roles|list` (the console's users, e.g. the first administrator) and
// `vgi audit verify|list` (the hash-chained audit log). Both open the store the config names,
// like `vgi serve` would; every change is itself audited (user "cli:<login>", source "local").
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_util.hpp"
#include "commands.hpp"
#include "vgi/console/password.hpp"
#include "vgi/console/roles.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/store/audit_chain.hpp"

namespace vgi::app {
namespace {

struct UserArgs {
  std::string config;
  std::string username;
  std::string display_name;
  std::string roles;
  bool password_stdin = false;
  bool must_change = false;
  std::int64_t after = 0;
  std::size_t limit = 50;
};


// A password from stdin (--password-stdin: the first line) or typed twice at the terminal without echo.
Result<std::string> ReadPassword(bool from_stdin) {
  auto line = [](std::string& out) { return static_cast<bool>(std::getline(std::cin, out)); };
  std::string a;
  if (from_stdin) {
    if (!line(a) || a.empty()) return Status::Invalid("--password-stdin: no password on the first line of stdin");
    return a;
  }
  if (::isatty(STDIN_FILENO) == 0) {
    return Status::Invalid("password: stdin is not a terminal; pass --password-stdin and pipe the password in");
  }
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string b;
  std::fprintf(stderr, "password: ");
  const bool got_a = line(a);
  std::fprintf(stderr, "\nagain: ");
  const bool got_b = line(b);
  std::fprintf(stderr, "\n");
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (!got_a || !got_b) return Status::Invalid("password: nothing typed");
  if (a != b) return Status::Invalid("password: the two entries differ; try again");
  return a;
}


int RunUser(const std::string& action, const UserArgs& a) {
  auto config = server::LoadConfig(a.config);
  if (!config.ok()) return FromStatus("config", config.status());
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/true);
  if (!db.ok()) return FromStatus("store", db.status());
  store::Store& store = *db->store;
  if (action == "list") {
    auto users = store.ListUsers();
    if (!users.ok()) return FromStatus("users", users.status());
    std::printf("%-24s %-24s %-8s %s\n", "USERNAME", "ROLES", "ENABLED", "DISPLAY NAME");
    for (const auto& u : *users) {
      std::printf("%-24s %-24s %-8s %s\n", u.username.c_str(), console::FormatRoles(u.roles).c_str(),
                  u.enabled ? "yes" : "no", u.display_name.c_str());
    }
    return kExitOk;
  }
  if (Status st = console::CheckUsername(a.username); !st.ok()) return FromStatus("username", st);
  auto existing = store.GetUser(a.username);
  if (!existing.ok()) return FromStatus("user", existing.status());
  const SystemTime now = Clock::System().Now();
  if (action == "add" && existing->has_value()) {
    return Usage("user " + a.username + " exists: change it with `vgi user passwd` or `vgi user roles`");
  }
  if (action != "add" && !existing->has_value()) {
    return Usage("no such user: " + a.username + " (create it with `vgi user add`)");
  }
  store::UserRow user = existing->has_value() ? **existing : store::UserRow{};
  std::string detail;
  if (action == "add" || action == "roles") {
    auto roles = console::ParseRoles(a.roles);
    if (!roles.ok()) return FromStatus("--roles", roles.status());
    if (Status st = console::ValidateRoles(*roles); !st.ok()) return FromStatus("--roles", st);
    user.roles = *roles;
    detail = "roles " + console::FormatRoles(*roles);
  }
  if (action == "add" || action == "passwd") {
    auto password = ReadPassword(a.password_stdin);
    if (!password.ok()) return FromStatus("password", password.status());
    if (Status st = console::CheckPasswordPolicy(a.username, *password); !st.ok()) return FromStatus("password", st);
    auto hash = console::HashPassword(*password, RandomSource::System());
    if (!hash.ok()) return FromStatus("password", hash.status());
    user.password_hash = *hash;
    user.password_changed_at = now;
    user.must_change_password = a.must_change;
    if (!detail.empty()) detail += "; ";
    detail += a.must_change ? "password set; must change it at the next login" : "password set";
  }
  if (action == "add") {
    user.username = a.username;
    user.display_name = a.display_name.empty() ? a.username : a.display_name;
    user.created_at = now;
  } else if (!a.display_name.empty()) {
    user.display_name = a.display_name;
  }
  user.updated_at = now;
  if (Status st = store.PutUser(user); !st.ok()) return FromStatus("user", st);
  if (action != "add") (void)store.DeleteUserSessions(a.username);  // their sessions end
  AuditLocal(store,
        action == "add"     ? "user.create"
        : action == "roles" ? "user.roles"
                            : "user.password_reset",
        "user:" + a.username, detail);
  std::printf("user %s: %s\n", a.username.c_str(), detail.c_str());
  return kExitOk;
}

std::string Time(SystemTime t) {
  return proto::FormatMinute(proto::ToBeijingMinute(t));
}

int RunAudit(const std::string& action, const UserArgs& a) {
  auto config = server::LoadConfig(a.config);
  if (!config.ok()) return FromStatus("config", config.status());
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
  if (!db.ok()) return FromStatus("store", db.status());
  store::Store& store = *db->store;
  if (action == "list") {
    auto rows = store.ListAudit(a.after, a.limit);
    if (!rows.ok()) return FromStatus("audit", rows.status());
    for (const auto& r : *rows) {
      std::printf("#%lld %s %s@%s %s %s -> %s%s%s\n", static_cast<long long>(r.seq), Time(r.at).c_str(),
                  r.username.c_str(), r.source.c_str(), r.operation.c_str(), r.object.c_str(), r.result.c_str(),
                  r.detail.empty() ? "" : " | ", r.detail.c_str());
    }
    return kExitOk;
  }
  std::int64_t next = 1;
  std::string prev(store::kAuditGenesis);
  for (;;) {
    auto page = store.ListAudit(next - 1, 10000);
    if (!page.ok()) return FromStatus("audit", page.status());
    if (page->empty()) break;
    if (auto broken = store::VerifyAuditChain(*page, next, prev)) {
      return Fail("audit log BROKEN at row " + std::to_string(broken->seq) + ": " + broken->reason + "; rows 1.." +
                  std::to_string(next - 1) +
                  " verified. Keep the database as it is and tell the security "
                  "administrator");
    }
    next = page->back().seq + 1;
    prev = page->back().hash;
    if (next % 100000 == 1) std::fprintf(stderr, "  verified %lld rows\n", static_cast<long long>(next - 1));
  }
  std::printf("audit log verified: %lld rows, head #%lld %s\n", static_cast<long long>(next - 1),
              static_cast<long long>(next - 1), prev.c_str());
  std::printf(
      "compare the head with the last \"audit #N ... hash\" line of the server log: a shorter chain means "
      "rows were cut from the end\n");
  return kExitOk;
}

}  // namespace

void RegisterUser(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<UserArgs>();
  auto* user = app.add_subcommand("user", "Console users (the first administrator, password resets, roles)");
  user->require_subcommand(1);
  auto common = [&](CLI::App* sub, bool named) {
    sub->add_option("--config,-c", args->config, "YAML config file (names data_dir and database)")->required();
    if (named) sub->add_option("username", args->username, "The user's login name")->required();
  };
  auto* add = user->add_subcommand("add", "Create a user with roles; asks for the password (or --password-stdin)");
  common(add, true);
  add->add_option("--roles", args->roles,
                  "Comma-separated: dispatcher, viewer, sysadmin, secadmin, auditor (administrative roles are "
                  "exclusive)")
      ->required();
  add->add_option("--display-name", args->display_name, "Name shown in the console");
  add->add_flag("--password-stdin", args->password_stdin, "Read the password from the first line of stdin");
  add->add_flag("--must-change", args->must_change, "The user must choose a new password at the first login");
  add->callback([args, exit_code] { *exit_code = RunUser("add", *args); });
  auto* passwd = user->add_subcommand("passwd", "Set a user's password (their sessions end)");
  common(passwd, true);
  passwd->add_flag("--password-stdin", args->password_stdin, "Read the password from the first line of stdin");
  passwd->add_flag("--must-change", args->must_change, "The user must choose a new password at the next login");
  passwd->callback([args, exit_code] { *exit_code = RunUser("passwd", *args); });
  auto* roles = user->add_subcommand("roles", "Replace a user's roles (their sessions end)");
  common(roles, true);
  roles->add_option("--roles", args->roles, "Comma-separated role names")->required();
  roles->callback([args, exit_code] { *exit_code = RunUser("roles", *args); });
  auto* list = user->add_subcommand("list", "List the users and their roles");
  common(list, false);
  list->callback([args, exit_code] { *exit_code = RunUser("list", *args); });

  auto* audit = app.add_subcommand("audit", "The hash-chained audit log of logins and operations");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Check the chain: finds an edited, deleted or inserted row");
  verify->add_option("--config,-c", args->config, "YAML config file")->required();
  verify->callback([args, exit_code] { *exit_code = RunAudit("verify", *args); });
  auto* show = audit->add_subcommand("list", "Print audit rows, oldest first");
  show->add_option("--config,-c", args->config, "YAML config file")->required();
  show->add_option("--after", args->after, "Rows after this number")->capture_default_str();
  show->add_option("--limit", args->limit, "At most this many rows")->capture_default_str();
  show->callback([args, exit_code] { *exit_code = RunAudit("list", *args); });
}

}  // namespace vgi::app
