#include "sqlite_db.hpp"

namespace vgi::store::sqlite {

namespace {
constexpr int kBusyTimeoutMs = 5000;
}  // namespace

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Int(int i, std::int64_t v) {
  const int rc = sqlite3_bind_int64(stmt_, i, v);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Text(int i, std::string_view v) {
  const int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Blob(int i, std::string_view v) { return Blob(i, v.data(), v.size()); }

Stmt& Stmt::Blob(int i, const void* data, std::size_t size) {
  // A zero-length blob must still be a blob, not NULL: bind_blob64 with a null pointer is NULL.
  static const char kEmpty = 0;
  const int rc = sqlite3_bind_blob64(stmt_, i, size == 0 ? &kEmpty : data, size, SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Null(int i) {
  const int rc = sqlite3_bind_null(stmt_, i);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) return conn_->ErrorFor(bind_rc_, op_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->Error(op_);
}

Status Stmt::Run() {
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return Status::Ok();
  }
}

Status Stmt::RowOrNotFound() {
  VGI_ASSIGN_OR_RETURN(const bool row, Step());
  if (!row) return Status::NotFound(std::string(op_) + ": no row");
  return Status::Ok();
}

std::string_view Stmt::ColText(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string_view() : std::string_view(p, static_cast<std::size_t>(n));
}

std::string_view Stmt::ColBlob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string_view() : std::string_view(p, static_cast<std::size_t>(n));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& file, bool create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::Io("SQLite database " + file + " does not open: " + msg +
                      "; check the path exists and is writable by this user");
  }
  sqlite3_extended_result_codes(db, 1);
  // Another process (a backup, the sqlite3 shell) may hold a lock for a moment: wait, then
  // report Unavailable.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return std::unique_ptr<Connection>(new Connection(db, file));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Connection::Exec(const char* sql, std::string_view op) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(op);
  return Status::Ok();
}

Result<Stmt> Connection::Prepare(const char* sql, std::string_view op) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(*this, it->second, op);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return Error(op);
  }
  cache_.emplace(sql, stmt);
  return Stmt(*this, stmt, op);
}

Status Connection::ErrorFor(int rc, std::string_view op) const {
  std::string msg = std::string(op) + ": SQLite " + file_ + ": ";
  // The connection's message when it matches the code, else the code's generic text.
  if (sqlite3_extended_errcode(db_) == rc) {
    msg += sqlite3_errmsg(db_);
  } else {
    msg += sqlite3_errstr(rc);
  }
  msg += " (code " + std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg + "; another process holds the database, retry later");
    case SQLITE_FULL:
      return Status::Io(msg + "; free disk space");
    default:
      return Status::Io(msg);
  }
}

void Connection::RollbackIfOpen() {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace vgi::store::sqlite
