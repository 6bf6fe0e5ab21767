// The SQLite store's console tables (migrations/sqlite/0006_console.sql): users, sessions and the
// hash-chained audit log.
#include "console_record.hpp"
#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"
#include "vgi/store/audit_chain.hpp"

namespace vgi::store::sqlite {

namespace {

using record::FromMicros;
using record::ToMicros;

constexpr const char* kUserColumns =
    "username, display_name, password_hash, roles, enabled, must_change_password, password_changed_at, created_at,"
    " updated_at";
constexpr const char* kSessionColumns = "token_digest, username, source, created_at, last_seen_at, expires_at";
constexpr const char* kAuditColumns = "seq, at, username, source, operation, object, result, detail, prev_hash, hash";

UserRow ReadUser(const Stmt& s) {
  UserRow u;
  u.username = s.ColText(0);
  u.display_name = s.ColText(1);
  u.password_hash = s.ColText(2);
  u.roles = static_cast<std::uint8_t>(s.ColInt(3));
  u.enabled = s.ColInt(4) != 0;
  u.must_change_password = s.ColInt(5) != 0;
  u.password_changed_at = FromMicros(s.ColInt(6));
  u.created_at = FromMicros(s.ColInt(7));
  u.updated_at = FromMicros(s.ColInt(8));
  return u;
}

SessionRow ReadSession(const Stmt& s) {
  return SessionRow{std::string(s.ColText(0)), std::string(s.ColText(1)), std::string(s.ColText(2)),
                    FromMicros(s.ColInt(3)),   FromMicros(s.ColInt(4)),   FromMicros(s.ColInt(5))};
}

AuditRow ReadAudit(const Stmt& s) {
  AuditRow a;
  a.seq = s.ColInt(0);
  a.at = FromMicros(s.ColInt(1));
  a.username = s.ColText(2);
  a.source = s.ColText(3);
  a.operation = s.ColText(4);
  a.object = s.ColText(5);
  a.result = s.ColText(6);
  a.detail = s.ColText(7);
  a.prev_hash = s.ColText(8);
  a.hash = s.ColText(9);
  return a;
}

}  // namespace

Status SqliteStore::PutUser(const UserRow& user) {
  VGI_RETURN_IF_ERROR(record::CheckUser(user));
  static const std::string sql =
      std::string("INSERT OR REPLACE INTO console_user(") + kUserColumns + ") VALUES(?,?,?,?,?,?,?,?,?)";
  std::lock_guard lock(write_mu_);
  return WriteTx("PutUser", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "PutUser"));
    s.Text(1, user.username).Text(2, user.display_name).Text(3, user.password_hash).Int(4, user.roles);
    s.Int(5, user.enabled ? 1 : 0).Int(6, user.must_change_password ? 1 : 0).Int(7, ToMicros(user.password_changed_at));
    return s.Int(8, ToMicros(user.created_at)).Int(9, ToMicros(user.updated_at)).Run();
  });
}

Result<std::optional<UserRow>> SqliteStore::GetUser(std::string_view username) {
  static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM console_user WHERE username=?";
  std::optional<UserRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("GetUser", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "GetUser"));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, username).Step());
    if (row) out = ReadUser(s);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<UserRow>> SqliteStore::ListUsers() {
  static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM console_user ORDER BY username";
  std::vector<UserRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListUsers", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "ListUsers"));
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadUser(s));
    }
  }));
  return out;
}

Status SqliteStore::PutSession(const SessionRow& session) {
  VGI_RETURN_IF_ERROR(record::CheckSession(session));
  static const std::string sql =
      std::string("INSERT OR REPLACE INTO console_session(") + kSessionColumns + ") VALUES(?,?,?,?,?,?)";
  std::lock_guard lock(write_mu_);
  return WriteTx("PutSession", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "PutSession"));
    s.Text(1, session.token_digest).Text(2, session.username).Text(3, session.source);
    s.Int(4, ToMicros(session.created_at)).Int(5, ToMicros(session.last_seen_at));
    return s.Int(6, ToMicros(session.expires_at)).Run();
  });
}

Result<std::optional<SessionRow>> SqliteStore::GetSession(std::string_view token_digest) {
  static const std::string sql =
      std::string("SELECT ") + kSessionColumns + " FROM console_session WHERE token_digest=?";
  std::optional<SessionRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("GetSession", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "GetSession"));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, token_digest).Step());
    if (row) out = ReadSession(s);
    return Status::Ok();
  }));
  return out;
}

Status SqliteStore::TouchSession(std::string_view token_digest, SystemTime at) {
  std::lock_guard lock(write_mu_);
  return WriteTx("TouchSession", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s,
                         c.Prepare("UPDATE console_session SET last_seen_at=? WHERE token_digest=?", "TouchSession"));
    VGI_RETURN_IF_ERROR(s.Int(1, ToMicros(at)).Text(2, token_digest).Run());
    return sqlite3_changes(c.db()) > 0 ? Status::Ok() : record::SessionNotFound();
  });
}

Status SqliteStore::DeleteSession(std::string_view token_digest) {
  std::lock_guard lock(write_mu_);
  return WriteTx("DeleteSession", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM console_session WHERE token_digest=?", "DeleteSession"));
    return s.Text(1, token_digest).Run();
  });
}

Result<std::int64_t> SqliteStore::DeleteUserSessions(std::string_view username) {
  std::int64_t n = 0;
  std::lock_guard lock(write_mu_);
  VGI_RETURN_IF_ERROR(WriteTx("DeleteUserSessions", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM console_session WHERE username=?", "DeleteUserSessions"));
    VGI_RETURN_IF_ERROR(s.Text(1, username).Run());
    n = sqlite3_changes(c.db());
    return Status::Ok();
  }));
  return n;
}

Result<std::int64_t> SqliteStore::PurgeSessions(SystemTime idle_before, SystemTime now) {
  std::int64_t n = 0;
  std::lock_guard lock(write_mu_);
  VGI_RETURN_IF_ERROR(WriteTx("PurgeSessions", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("DELETE FROM console_session WHERE last_seen_at < ? OR expires_at <= ?", "PurgeSessions"));
    VGI_RETURN_IF_ERROR(s.Int(1, ToMicros(idle_before)).Int(2, ToMicros(now)).Run());
    n = sqlite3_changes(c.db());
    return Status::Ok();
  }));
  return n;
}

Result<AuditRow> SqliteStore::AppendAudit(const AuditRow& row) {
  VGI_RETURN_IF_ERROR(record::CheckAudit(row));
  static const std::string sql =
      std::string("INSERT INTO audit_log(") + kAuditColumns + ") VALUES(?,?,?,?,?,?,?,?,?,?)";
  AuditRow out = row;
  std::lock_guard lock(write_mu_);  // one writer: the chain cannot fork
  VGI_RETURN_IF_ERROR(WriteTx("AppendAudit", [&](Connection& c) -> Status {
    {
      VGI_ASSIGN_OR_RETURN(Stmt last,
                           c.Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "AppendAudit"));
      VGI_ASSIGN_OR_RETURN(const bool found, last.Step());
      out.seq = found ? last.ColInt(0) + 1 : 1;
      out.prev_hash = found ? std::string(last.ColText(1)) : std::string(kAuditGenesis);
    }
    out.at = FromMicros(ToMicros(out.at));  // stored to the microsecond: hash what is stored
    out.hash = AuditHash(out);
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "AppendAudit"));
    s.Int(1, out.seq).Int(2, ToMicros(out.at)).Text(3, out.username).Text(4, out.source).Text(5, out.operation);
    s.Text(6, out.object).Text(7, out.result).Text(8, out.detail).Text(9, out.prev_hash).Text(10, out.hash);
    return s.Run();
  }));
  return out;
}

Result<std::vector<AuditRow>> SqliteStore::ListAudit(std::int64_t after_seq, std::size_t limit) {
  static const std::string sql =
      std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?";
  std::vector<AuditRow> out;
  if (limit == 0) return out;
  VGI_RETURN_IF_ERROR(ReadTx("ListAudit", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "ListAudit"));
    s.Int(1, after_seq).Int(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool r, s.Step());
      if (!r) return Status::Ok();
      out.push_back(ReadAudit(s));
    }
  }));
  return out;
}

}  // namespace vgi::store::sqlite
