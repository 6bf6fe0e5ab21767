#include "memory_console.hpp"

#include "console_record.hpp"
#include "record_codec.hpp"
#include "vgi/store/audit_chain.hpp"

namespace vgi::store::memory {

using record::TruncateTime;

Status ConsoleTables::PutUser(const UserRow& user) {
  VGI_RETURN_IF_ERROR(record::CheckUser(user));
  UserRow u = user;
  u.password_changed_at = TruncateTime(u.password_changed_at);
  u.created_at = TruncateTime(u.created_at);
  u.updated_at = TruncateTime(u.updated_at);
  users_.insert_or_assign(u.username, std::move(u));
  return Status::Ok();
}

std::optional<UserRow> ConsoleTables::GetUser(std::string_view username) const {
  auto it = users_.find(username);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

std::vector<UserRow> ConsoleTables::ListUsers() const {
  std::vector<UserRow> out;
  for (const auto& [name, u] : users_) out.push_back(u);
  return out;
}

Status ConsoleTables::PutSession(const SessionRow& session) {
  VGI_RETURN_IF_ERROR(record::CheckSession(session));
  SessionRow s = session;
  s.created_at = TruncateTime(s.created_at);
  s.last_seen_at = TruncateTime(s.last_seen_at);
  s.expires_at = TruncateTime(s.expires_at);
  sessions_.insert_or_assign(s.token_digest, std::move(s));
  return Status::Ok();
}

std::optional<SessionRow> ConsoleTables::GetSession(std::string_view token_digest) const {
  auto it = sessions_.find(token_digest);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

Status ConsoleTables::TouchSession(std::string_view token_digest, SystemTime at) {
  auto it = sessions_.find(token_digest);
  if (it == sessions_.end()) return record::SessionNotFound();
  it->second.last_seen_at = TruncateTime(at);
  return Status::Ok();
}

void ConsoleTables::DeleteSession(std::string_view token_digest) {
  auto it = sessions_.find(token_digest);
  if (it != sessions_.end()) sessions_.erase(it);
}

std::int64_t ConsoleTables::DeleteUserSessions(std::string_view username) {
  return static_cast<std::int64_t>(
      std::erase_if(sessions_, [&](const auto& e) { return e.second.username == username; }));
}

std::int64_t ConsoleTables::PurgeSessions(SystemTime idle_before, SystemTime now) {
  return static_cast<std::int64_t>(std::erase_if(
      sessions_, [&](const auto& e) { return e.second.last_seen_at < idle_before || e.second.expires_at <= now; }));
}

Result<AuditRow> ConsoleTables::AppendAudit(const AuditRow& row) {
  VGI_RETURN_IF_ERROR(record::CheckAudit(row));
  AuditRow a = row;
  a.seq = static_cast<std::int64_t>(audit_.size()) + 1;
  a.prev_hash = audit_.empty() ? std::string(kAuditGenesis) : audit_.back().hash;
  a.at = TruncateTime(a.at);
  a.hash = AuditHash(a);
  audit_.push_back(a);
  return a;
}

std::vector<AuditRow> ConsoleTables::ListAudit(std::int64_t after_seq, std::size_t limit) const {
  std::vector<AuditRow> out;
  for (std::size_t i = static_cast<std::size_t>(std::max<std::int64_t>(after_seq, 0));
       i < audit_.size() && out.size() < limit; ++i) {
    out.push_back(audit_[i]);
  }
  return out;
}

}  // namespace vgi::store::memory
