#pragma once
// Private to the store: the checks every backend makes on the console's rows (users, sessions,
// audit), so their messages are the same everywhere (the conformance suite compares them).

#include "vgi/base/status.hpp"
#include "vgi/store/store.hpp"

namespace vgi::store::record {

// Invalid when username or password_hash is empty ("user: username must not be empty").
Status CheckUser(const UserRow& user);
// Invalid when token_digest or username is empty.
Status CheckSession(const SessionRow& session);
// Invalid when operation is empty ("audit: operation must not be empty").
Status CheckAudit(const AuditRow& row);
// NotFound("session: no such session (expired or logged out)").
Status SessionNotFound();

}  // namespace vgi::store::record
