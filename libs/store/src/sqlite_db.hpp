#pragma once
// Private to the SQLite store: a connection with a prepared-statement cache, and the statement
// handle the store's code uses.
//
// Thread safety: a Connection (opened SQLITE_OPEN_NOMUTEX) is used by one thread at a time;
// the store's mutexes and reader pool guarantee it.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vgi/base/status.hpp"

namespace vgi::store::sqlite {

class Connection;

// A cached statement in use: bind, step, read columns. Resets (and clears bindings) when it
// goes out of scope, so a statement never holds a read snapshot past its use.
class Stmt {
 public:
  Stmt(Connection& conn, sqlite3_stmt* stmt, std::string_view op) : conn_(&conn), stmt_(stmt), op_(op) {}
  Stmt(Stmt&& other) noexcept : conn_(other.conn_), stmt_(other.stmt_), op_(other.op_), bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based. Text and blobs must outlive the step (bound without copying).
  Stmt& Int(int i, std::int64_t v);
  Stmt& Text(int i, std::string_view v);
  Stmt& Blob(int i, std::string_view v);
  Stmt& Blob(int i, const void* data, std::size_t size);
  Stmt& Null(int i);

  // One step: true with a row, false when done; an error becomes Io/Unavailable naming `op`.
  Result<bool> Step();
  // Steps to the end (statements without result rows).
  Status Run();
  // Steps once and expects a row.
  Status RowOrNotFound();

  [[nodiscard]] bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  [[nodiscard]] std::int64_t ColInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] std::string_view ColText(int col) const;
  [[nodiscard]] std::string_view ColBlob(int col) const;
  [[nodiscard]] sqlite3_stmt* raw() const { return stmt_; }

 private:
  Connection* conn_;
  sqlite3_stmt* stmt_;
  std::string_view op_;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  // Opens (creating when `create`) the file in multi-thread mode with extended result codes.
  static Result<std::unique_ptr<Connection>> Open(const std::string& file, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] sqlite3* db() const { return db_; }
  [[nodiscard]] const std::string& file() const { return file_; }

  // Runs SQL text (one or more statements, no parameters).
  Status Exec(const char* sql, std::string_view op);
  // The cached statement for `sql`. The cache is keyed by the text's address: pass string
  // literals or other static storage.
  Result<Stmt> Prepare(const char* sql, std::string_view op);

  // The status for the connection's last error: Unavailable for SQLITE_BUSY/LOCKED (another
  // process holds the database; retrying may help), Io otherwise. Names the operation, the file
  // and SQLite's message.
  [[nodiscard]] Status Error(std::string_view op) const { return ErrorFor(sqlite3_extended_errcode(db_), op); }
  [[nodiscard]] Status ErrorFor(int rc, std::string_view op) const;

  // ROLLBACK when a transaction is open (SQLite rolls some failures back on its own).
  void RollbackIfOpen();

 private:
  Connection(sqlite3* db, std::string file) : db_(db), file_(std::move(file)) {}
  sqlite3* db_;
  std::string file_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace vgi::store::sqlite
