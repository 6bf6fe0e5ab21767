#pragma once
// Private to the memory store: the console's users, sessions and audit log (store.hpp
// "console"). Not thread-safe by itself: MemoryStore calls it holding its one mutex.

#include <map>
#include <string>
#include <vector>

#include "vgi/store/store.hpp"

namespace vgi::store::memory {

class ConsoleTables {
 public:
  Status PutUser(const UserRow& user);
  std::optional<UserRow> GetUser(std::string_view username) const;
  std::vector<UserRow> ListUsers() const;
  Status PutSession(const SessionRow& session);
  std::optional<SessionRow> GetSession(std::string_view token_digest) const;
  Status TouchSession(std::string_view token_digest, SystemTime at);
  void DeleteSession(std::string_view token_digest);
  std::int64_t DeleteUserSessions(std::string_view username);
  std::int64_t PurgeSessions(SystemTime idle_before, SystemTime now);
  Result<AuditRow> AppendAudit(const AuditRow& row);
  std::vector<AuditRow> ListAudit(std::int64_t after_seq, std::size_t limit) const;

 private:
  std::map<std::string, UserRow, std::less<>> users_;
  std::map<std::string, SessionRow, std::less<>> sessions_;
  std::vector<AuditRow> audit_;  // seq i + 1 at index i
};

}  // namespace vgi::store::memory
