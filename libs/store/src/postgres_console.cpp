// The PostgreSQL store's console tables (migrations/postgres/0006_console.sql): users, sessions
// and the hash-chained audit log. AppendAudit takes a transaction-scoped advisory lock so that
// nodes on one database append one after another and the chain never forks.
#include <algorithm>
#include <limits>

#include "console_record.hpp"
#include "postgres_store_impl.hpp"
#include "vgi/store/audit_chain.hpp"

namespace vgi::store {
namespace {

// pg_advisory_xact_lock key of the audit chain ("vgiaudit" in ASCII).
constexpr std::int64_t kAuditLockKey = 0x7667696175646974;

constexpr const char* kUserColumns =
    "username, display_name, password_hash, roles, enabled, must_change_password, password_changed_at, created_at, "
    "updated_at";
constexpr const char* kSessionColumns = "token_digest, username, source, created_at, last_seen_at, expires_at";
constexpr const char* kAuditColumns = "seq, at, username, source, operation, object, result, detail, prev_hash, hash";

Result<UserRow> ReadUser(const pg::Rows& r, int i) {
  UserRow u;
  VGI_ASSIGN_OR_RETURN(std::string_view name, r.Bytes(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view display, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view hash, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(std::int64_t roles, r.Int64(i, 3));
  VGI_ASSIGN_OR_RETURN(u.enabled, r.Bool(i, 4));
  VGI_ASSIGN_OR_RETURN(u.must_change_password, r.Bool(i, 5));
  VGI_ASSIGN_OR_RETURN(u.password_changed_at, r.Time(i, 6));
  VGI_ASSIGN_OR_RETURN(u.created_at, r.Time(i, 7));
  VGI_ASSIGN_OR_RETURN(u.updated_at, r.Time(i, 8));
  u.username = name;
  u.display_name = display;
  u.password_hash = hash;
  u.roles = static_cast<std::uint8_t>(roles);
  return u;
}

Result<SessionRow> ReadSession(const pg::Rows& r, int i) {
  SessionRow s;
  VGI_ASSIGN_OR_RETURN(std::string_view digest, r.Bytes(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view user, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view source, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(s.created_at, r.Time(i, 3));
  VGI_ASSIGN_OR_RETURN(s.last_seen_at, r.Time(i, 4));
  VGI_ASSIGN_OR_RETURN(s.expires_at, r.Time(i, 5));
  s.token_digest = digest;
  s.username = user;
  s.source = source;
  return s;
}

Result<AuditRow> ReadAudit(const pg::Rows& r, int i) {
  AuditRow a;
  VGI_ASSIGN_OR_RETURN(a.seq, r.Int64(i, 0));
  VGI_ASSIGN_OR_RETURN(a.at, r.Time(i, 1));
  std::string* fields[] = {&a.username, &a.source, &a.operation, &a.object,
                           &a.result,   &a.detail, &a.prev_hash, &a.hash};
  for (int k = 0; k < 8; ++k) {
    VGI_ASSIGN_OR_RETURN(std::string_view v, r.Bytes(i, 2 + k));
    fields[k]->assign(v);
  }
  return a;
}

}  // namespace

Status PostgresStore::PutUser(const UserRow& user) {
  VGI_RETURN_IF_ERROR(record::CheckUser(user));
  static const std::string sql =
      std::string("INSERT INTO console_users (") + kUserColumns +
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (username) DO UPDATE SET display_name = "
      "excluded.display_name, password_hash = excluded.password_hash, roles = excluded.roles, enabled = "
      "excluded.enabled, must_change_password = excluded.must_change_password, password_changed_at = "
      "excluded.password_changed_at, created_at = excluded.created_at, updated_at = excluded.updated_at";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return c
      ->Prepared("vgi_put_user", sql,
                 pg::Params()
                     .Text(user.username)
                     .Text(user.display_name)
                     .Text(user.password_hash)
                     .Int16(user.roles)
                     .Bool(user.enabled)
                     .Bool(user.must_change_password)
                     .Time(user.password_changed_at)
                     .Time(user.created_at)
                     .Time(user.updated_at))
      .status();
}

Result<std::optional<UserRow>> PostgresStore::GetUser(std::string_view username) {
  static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM console_users WHERE username = $1";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_get_user", sql, pg::Params().Text(username)));
  if (r.size() == 0) return std::optional<UserRow>();
  VGI_ASSIGN_OR_RETURN(UserRow u, ReadUser(r, 0));
  return std::optional<UserRow>(std::move(u));
}

Result<std::vector<UserRow>> PostgresStore::ListUsers() {
  static const std::string sql = std::string("SELECT ") + kUserColumns + " FROM console_users ORDER BY username";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_list_users", sql, pg::Params()));
  std::vector<UserRow> out;
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(UserRow u, ReadUser(r, i));
    out.push_back(std::move(u));
  }
  return out;
}

Status PostgresStore::PutSession(const SessionRow& session) {
  VGI_RETURN_IF_ERROR(record::CheckSession(session));
  static const std::string sql = std::string("INSERT INTO console_sessions (") + kSessionColumns +
                                 ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token_digest) DO UPDATE SET "
                                 "username = excluded.username, source = excluded.source, created_at = "
                                 "excluded.created_at, last_seen_at = excluded.last_seen_at, expires_at = "
                                 "excluded.expires_at";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return c
      ->Prepared("vgi_put_session", sql,
                 pg::Params()
                     .Text(session.token_digest)
                     .Text(session.username)
                     .Text(session.source)
                     .Time(session.created_at)
                     .Time(session.last_seen_at)
                     .Time(session.expires_at))
      .status();
}

Result<std::optional<SessionRow>> PostgresStore::GetSession(std::string_view token_digest) {
  static const std::string sql =
      std::string("SELECT ") + kSessionColumns + " FROM console_sessions WHERE token_digest = $1";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_get_session", sql, pg::Params().Text(token_digest)));
  if (r.size() == 0) return std::optional<SessionRow>();
  VGI_ASSIGN_OR_RETURN(SessionRow s, ReadSession(r, 0));
  return std::optional<SessionRow>(std::move(s));
}

Status PostgresStore::TouchSession(std::string_view token_digest, SystemTime at) {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_touch_session",
                                               "UPDATE console_sessions SET last_seen_at = $2 WHERE token_digest = $1",
                                               pg::Params().Text(token_digest).Time(at)));
  return r.affected() > 0 ? Status::Ok() : record::SessionNotFound();
}

Status PostgresStore::DeleteSession(std::string_view token_digest) {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return c
      ->Prepared("vgi_delete_session", "DELETE FROM console_sessions WHERE token_digest = $1",
                 pg::Params().Text(token_digest))
      .status();
}

Result<std::int64_t> PostgresStore::DeleteUserSessions(std::string_view username) {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r,
                       c->Prepared("vgi_delete_user_sessions", "DELETE FROM console_sessions WHERE username = $1",
                                   pg::Params().Text(username)));
  return r.affected();
}

Result<std::int64_t> PostgresStore::PurgeSessions(SystemTime idle_before, SystemTime now) {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(
      pg::Rows r,
      c->Prepared("vgi_purge_sessions", "DELETE FROM console_sessions WHERE last_seen_at < $1 OR expires_at <= $2",
                  pg::Params().Time(idle_before).Time(now)));
  return r.affected();
}

Result<AuditRow> PostgresStore::AppendAudit(const AuditRow& row) {
  VGI_RETURN_IF_ERROR(record::CheckAudit(row));
  static const std::string insert =
      std::string("INSERT INTO audit_log (") + kAuditColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  AuditRow out;
  VGI_RETURN_IF_ERROR(pool_->Transaction([&](pg::Connection& c) -> Status {
    out = row;  // the body may run again after a serialization failure
    VGI_RETURN_IF_ERROR(
        c.Prepared("vgi_audit_lock", "SELECT pg_advisory_xact_lock($1)", pg::Params().Int64(kAuditLockKey)).status());
    VGI_ASSIGN_OR_RETURN(
        pg::Rows last,
        c.Prepared("vgi_audit_last", "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", pg::Params()));
    if (last.size() > 0) {
      VGI_ASSIGN_OR_RETURN(std::int64_t seq, last.Int64(0, 0));
      VGI_ASSIGN_OR_RETURN(std::string_view hash, last.Bytes(0, 1));
      out.seq = seq + 1;
      out.prev_hash = hash;
    } else {
      out.seq = 1;
      out.prev_hash = kAuditGenesis;
    }
    out.at = record::TruncateTime(out.at);  // stored to the microsecond: hash what is stored
    out.hash = AuditHash(out);
    return c
        .Prepared("vgi_audit_append", insert,
                  pg::Params()
                      .Int64(out.seq)
                      .Time(out.at)
                      .Text(out.username)
                      .Text(out.source)
                      .Text(out.operation)
                      .Text(out.object)
                      .Text(out.result)
                      .Text(out.detail)
                      .Text(out.prev_hash)
                      .Text(out.hash))
        .status();
  }));
  return out;
}

Result<std::vector<AuditRow>> PostgresStore::ListAudit(std::int64_t after_seq, std::size_t limit) {
  static const std::string sql =
      std::string("SELECT ") + kAuditColumns + " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";
  std::vector<AuditRow> out;
  if (limit == 0) return out;
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r,
                       c->Prepared("vgi_list_audit", sql,
                                   pg::Params().Int64(after_seq).Int64(static_cast<std::int64_t>(
                                       std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())))));
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(AuditRow a, ReadAudit(r, i));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace vgi::store
