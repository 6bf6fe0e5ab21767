#pragma once
// libpq plumbing for the PostgreSQL store (private): typed parameters and result fields in the
// binary format, a connection with lazily prepared statements, a small pool that reconnects
// after a lost connection, and a transaction runner.
//
// Values always travel as parameters (PQexecParams / PQexecPrepared), never inside SQL text.
// Results are requested in binary format; the getters check each column's type OID so a schema
// mismatch is an Internal error instead of garbage.
//
// Thread safety: Pool is thread-safe; a Connection is used by one thread at a time (the lease
// holder).
//
// libpq's header stays out of this one (tests use it without libpq's include path).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"

struct pg_conn;    // PGconn
struct pg_result;  // PGresult

namespace vgi::store::pg {

using Oid = unsigned int;  // libpq's Oid

// Built-in type OIDs (catalog/pg_type_d.h, a server header).
inline constexpr Oid kBoolOid = 16;
inline constexpr Oid kByteaOid = 17;
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kInt2Oid = 21;
inline constexpr Oid kInt4Oid = 23;
inline constexpr Oid kTextOid = 25;
inline constexpr Oid kDateOid = 1082;
inline constexpr Oid kTimestamptzOid = 1184;
inline constexpr Oid kBoolArrayOid = 1000;
inline constexpr Oid kByteaArrayOid = 1001;
inline constexpr Oid kInt2ArrayOid = 1005;
inline constexpr Oid kInt4ArrayOid = 1007;
inline constexpr Oid kTextArrayOid = 1009;
inline constexpr Oid kInt8ArrayOid = 1016;
inline constexpr Oid kDateArrayOid = 1182;
inline constexpr Oid kTimestamptzArrayOid = 1185;

// timestamptz is microseconds since 2000-01-01 UTC, date is days since 2000-01-01.
std::int64_t ToPgMicros(SystemTime t);  // floored to the microsecond
SystemTime FromPgMicros(std::int64_t us);
inline constexpr std::int32_t kPgEpochDays = 10957;  // 1970-01-01 .. 2000-01-01

// A one-dimensional array parameter in PostgreSQL's binary array format, built element by
// element (for `unnest($n::int8[], ...)` bulk statements).
class ArrayBuilder {
 public:
  explicit ArrayBuilder(Oid element_oid);
  void Add(std::string_view bytes);  // text/bytea element: the raw bytes
  void AddInt64(std::int64_t v);
  void AddInt32(std::int32_t v);
  void AddInt16(std::int16_t v);
  void AddBool(bool v);
  void AddTime(SystemTime t) { AddInt64(ToPgMicros(t)); }
  void AddDate(std::int32_t days_since_1970) { AddInt32(days_since_1970 - kPgEpochDays); }
  void AddNull();
  [[nodiscard]] std::size_t size() const { return count_; }
  // The finished array value (header patched with the element count and null flag).
  [[nodiscard]] std::string Finish() const;

 private:
  void Element(const void* data, std::size_t n);
  Oid element_oid_;
  std::int32_t count_ = 0;
  bool has_null_ = false;
  std::string body_;
};

// Positional parameters ($1, $2, ...), all in binary format.
class Params {
 public:
  Params& Text(std::string_view v) { return Add(kTextOid, std::string(v)); }
  Params& Bytes(std::string_view v) { return Add(kByteaOid, std::string(v)); }
  Params& Int64(std::int64_t v);
  Params& Int32(std::int32_t v);
  Params& Int16(std::int16_t v);
  Params& Bool(bool v) { return Add(kBoolOid, std::string(1, v ? '\1' : '\0')); }
  Params& Time(SystemTime t);
  Params& OptTime(const std::optional<SystemTime>& t) { return t ? Time(*t) : Null(kTimestamptzOid); }
  Params& Date(std::int32_t days_since_1970);
  Params& OptInt64(const std::optional<std::int64_t>& v) { return v ? Int64(*v) : Null(kInt8Oid); }
  Params& OptText(const std::optional<std::string>& v) { return v ? Text(*v) : Null(kTextOid); }
  Params& Null(Oid oid);
  Params& Array(Oid array_oid, std::string value) { return Add(array_oid, std::move(value)); }
  Params& Array(Oid array_oid, const ArrayBuilder& b) { return Add(array_oid, b.Finish()); }

  [[nodiscard]] int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object; valid while it is alive and unchanged.
  struct Raw {
    std::vector<Oid> types;
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  [[nodiscard]] Raw raw() const;

 private:
  Params& Add(Oid oid, std::string v);
  std::vector<Oid> types_;
  std::vector<std::optional<std::string>> values_;
};

struct ResultDeleter {
  void operator()(pg_result* r) const;
};

// A successful query result; fields read in binary format.
class Rows {
 public:
  explicit Rows(pg_result* r) : r_(r) {}
  [[nodiscard]] int size() const;
  [[nodiscard]] bool IsNull(int row, int col) const;
  // Each getter checks the column type; a mismatch is a bug (Internal, naming the column).
  [[nodiscard]] Result<std::int64_t> Int64(int row, int col) const;  // int2, int4 or int8
  [[nodiscard]] Result<bool> Bool(int row, int col) const;
  [[nodiscard]] Result<std::string_view> Bytes(int row, int col) const;  // text or bytea
  [[nodiscard]] Result<std::optional<std::int64_t>> OptInt64(int row, int col) const;
  [[nodiscard]] Result<SystemTime> Time(int row, int col) const;
  [[nodiscard]] Result<std::optional<SystemTime>> OptTime(int row, int col) const;
  [[nodiscard]] Result<std::int32_t> Date(int row, int col) const;  // days since 1970-01-01
  [[nodiscard]] Result<std::vector<std::string>> TextArray(int row, int col) const;
  [[nodiscard]] std::int64_t affected() const;  // PQcmdTuples

 private:
  Status CheckType(int col, std::initializer_list<Oid> oids) const;
  std::unique_ptr<pg_result, ResultDeleter> r_;
};

// "host:port" of a libpq URL, for messages (never the password). Invalid when libpq cannot
// parse the URL.
Result<std::string> DescribeServer(const std::string& url);

// One statement of a pipelined transaction: prepared under `name` on first use.
struct Statement {
  const char* name;
  std::string_view sql;
  const Params* params;
};

class Connection {
 public:
  Connection(pg_conn* conn, std::string server) : conn_(conn), server_(std::move(server)) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with parameters (no prepare).
  Result<Rows> Exec(std::string_view sql, const Params& params = {});
  // A prepared statement, prepared on this connection on first use under `name`.
  Result<Rows> Prepared(const char* name, std::string_view sql, const Params& params);
  // Parameterless SQL, possibly several statements (migrations, BEGIN/COMMIT).
  Status Run(std::string_view sql);
  // BEGIN, the statements, COMMIT in one round trip (libpq pipeline mode): a commit costs the
  // server's work and one fsync, not three round trips. All or nothing; on failure the first
  // error is returned and the connection is left outside any transaction.
  Status PipelinedTransaction(const std::vector<Statement>& statements);

  [[nodiscard]] bool broken() const;
  // Connected and outside any transaction: fit to go back to the pool.
  [[nodiscard]] bool reusable() const;
  [[nodiscard]] const std::string& server() const { return server_; }
  // Whether the last failure is worth retrying as a whole transaction (serialization failure,
  // deadlock).
  [[nodiscard]] bool last_failure_retryable() const { return retryable_; }

 private:
  Result<Rows> Check(pg_result* r, std::string_view what);
  Status Prepare(const char* name, std::string_view sql, const Params& params);
  pg_conn* conn_;
  std::string server_;
  std::set<std::string, std::less<>> prepared_;
  bool retryable_ = false;
};

class Pool {
 public:
  // Connects once to check the URL and the server; Unavailable naming host:port otherwise.
  static Result<std::unique_ptr<Pool>> Open(const std::string& url, int size);
  ~Pool();

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // An idle connection, a new one while fewer than `size` are open, or waits for one. A broken
  // connection is dropped when released; the next Acquire reconnects.
  Result<Lease> Acquire();
  [[nodiscard]] const std::string& server() const { return server_; }

  // Runs `body` inside BEGIN ... COMMIT on one connection; ROLLBACK when it fails. A
  // serialization failure or deadlock retries the whole transaction (a few times).
  Status Transaction(const std::function<Status(Connection&)>& body);
  // Connection::PipelinedTransaction on a pooled connection, retried like Transaction.
  Status PipelinedTransaction(const std::vector<Statement>& statements);

 private:
  Pool(std::string url, std::string server, int size)
      : url_(std::move(url)), server_(std::move(server)), size_(size) {}
  Result<std::unique_ptr<Connection>> Connect();
  void Release(std::unique_ptr<Connection> conn);

  std::string url_;
  std::string server_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace vgi::store::pg
