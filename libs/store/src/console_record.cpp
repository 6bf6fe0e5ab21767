#include "console_record.hpp"

namespace vgi::store::record {

Status CheckUser(const UserRow& user) {
  if (user.username.empty()) return Status::Invalid("user: username must not be empty");
  if (user.password_hash.empty()) {
    return Status::Invalid("user " + user.username +
                           ": password_hash must not be empty (store a hash, never a password)");
  }
  return Status::Ok();
}

Status CheckSession(const SessionRow& session) {
  if (session.token_digest.empty()) return Status::Invalid("session: token_digest must not be empty");
  if (session.username.empty()) return Status::Invalid("session: username must not be empty");
  return Status::Ok();
}

Status CheckAudit(const AuditRow& row) {
  if (row.operation.empty()) return Status::Invalid("audit: operation must not be empty");
  return Status::Ok();
}

Status SessionNotFound() {
  return Status::NotFound("session: no such session (expired or logged out)");
}

}  // namespace vgi::store::record
