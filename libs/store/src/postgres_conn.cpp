#include "postgres_conn.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <type_traits>

namespace vgi::store::pg {

static_assert(std::is_same_v<Oid, ::Oid>);

namespace {

void PutBe32(std::string& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out.append(b, 4);
}

std::string Be64(std::uint64_t v) {
  std::string b(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) b[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
  return b;
}

std::uint64_t ReadBe(const char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// libpq messages end with a newline and may carry tabs/newlines inside; one line for a Status.
std::string OneLine(const char* text) {
  std::string s = text ? text : "";
  for (char& c : s) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

Status NullColumn(const PGresult* r, int col) {
  const char* name = PQfname(r, col);
  return Status::Internal(std::string("PostgreSQL column ") + (name ? name : "?") +
                          " is null where the schema says it cannot be");
}

// 2000-01-01 - 1970-01-01 in microseconds.
constexpr std::int64_t kPgEpochMicros = std::int64_t{kPgEpochDays} * 86'400'000'000;

}  // namespace

std::int64_t ToPgMicros(SystemTime t) {
  return std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count() - kPgEpochMicros;
}

SystemTime FromPgMicros(std::int64_t us) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::microseconds(us + kPgEpochMicros)));
}

// ---- ArrayBuilder ------------------------------------------------------------------------------

ArrayBuilder::ArrayBuilder(Oid element_oid) : element_oid_(element_oid) {}

void ArrayBuilder::Element(const void* data, std::size_t n) {
  PutBe32(body_, static_cast<std::uint32_t>(n));
  body_.append(static_cast<const char*>(data), n);
  ++count_;
}

void ArrayBuilder::Add(std::string_view bytes) { Element(bytes.data(), bytes.size()); }
void ArrayBuilder::AddInt64(std::int64_t v) {
  const std::string b = Be64(static_cast<std::uint64_t>(v));
  Element(b.data(), 8);
}
void ArrayBuilder::AddInt32(std::int32_t v) {
  std::string b;
  PutBe32(b, static_cast<std::uint32_t>(v));
  Element(b.data(), 4);
}
void ArrayBuilder::AddInt16(std::int16_t v) {
  const auto u = static_cast<std::uint16_t>(v);
  const char b[2] = {static_cast<char>(u >> 8), static_cast<char>(u & 0xff)};
  Element(b, 2);
}
void ArrayBuilder::AddBool(bool v) {
  const char b = v ? 1 : 0;
  Element(&b, 1);
}
void ArrayBuilder::AddNull() {
  PutBe32(body_, 0xffffffffu);  // length -1
  has_null_ = true;
  ++count_;
}

std::string ArrayBuilder::Finish() const {
  std::string out;
  out.reserve(20 + body_.size());
  if (count_ == 0) {  // an empty array has no dimensions
    PutBe32(out, 0);
    PutBe32(out, 0);
    PutBe32(out, element_oid_);
    return out;
  }
  PutBe32(out, 1);  // dimensions
  PutBe32(out, has_null_ ? 1 : 0);
  PutBe32(out, element_oid_);
  PutBe32(out, static_cast<std::uint32_t>(count_));
  PutBe32(out, 1);  // lower bound
  out += body_;
  return out;
}

// ---- Params ------------------------------------------------------------------------------------

Params& Params::Add(Oid oid, std::string v) {
  types_.push_back(oid);
  values_.emplace_back(std::move(v));
  return *this;
}
Params& Params::Null(Oid oid) {
  types_.push_back(oid);
  values_.emplace_back(std::nullopt);
  return *this;
}
Params& Params::Int64(std::int64_t v) { return Add(kInt8Oid, Be64(static_cast<std::uint64_t>(v))); }
Params& Params::Int32(std::int32_t v) {
  std::string b;
  PutBe32(b, static_cast<std::uint32_t>(v));
  return Add(kInt4Oid, std::move(b));
}
Params& Params::Int16(std::int16_t v) {
  const auto u = static_cast<std::uint16_t>(v);
  return Add(kInt2Oid, std::string{static_cast<char>(u >> 8), static_cast<char>(u & 0xff)});
}

Params& Params::Time(SystemTime t) { return Add(kTimestamptzOid, Be64(static_cast<std::uint64_t>(ToPgMicros(t)))); }
Params& Params::Date(std::int32_t days_since_1970) {
  std::string b;
  PutBe32(b, static_cast<std::uint32_t>(days_since_1970 - kPgEpochDays));
  return Add(kDateOid, std::move(b));
}

Params::Raw Params::raw() const {
  Raw r;
  r.types = types_;
  for (const auto& v : values_) {
    r.values.push_back(v ? v->data() : nullptr);
    r.lengths.push_back(v ? static_cast<int>(v->size()) : 0);
    r.formats.push_back(1);
  }
  return r;
}

// ---- Rows --------------------------------------------------------------------------------------

void ResultDeleter::operator()(pg_result* r) const { PQclear(r); }
int Rows::size() const { return PQntuples(r_.get()); }
bool Rows::IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }

Status Rows::CheckType(int col, std::initializer_list<Oid> oids) const {
  const Oid t = PQftype(r_.get(), col);
  if (std::find(oids.begin(), oids.end(), t) != oids.end()) return Status::Ok();
  const char* name = PQfname(r_.get(), col);
  return Status::Internal("PostgreSQL result column " + std::string(name ? name : "?") + " has type OID " +
                          std::to_string(t) + ", not the one the store reads: the schema does not match this build");
}

Result<std::int64_t> Rows::Int64(int row, int col) const {
  VGI_RETURN_IF_ERROR(CheckType(col, {kInt2Oid, kInt4Oid, kInt8Oid}));
  if (IsNull(row, col)) return NullColumn(r_.get(), col);
  const int n = PQgetlength(r_.get(), row, col);
  const std::uint64_t u = ReadBe(PQgetvalue(r_.get(), row, col), n);
  switch (n) {
    case 2: return static_cast<std::int64_t>(static_cast<std::int16_t>(u));
    case 4: return static_cast<std::int64_t>(static_cast<std::int32_t>(u));
    default: return static_cast<std::int64_t>(u);
  }
}

Result<std::optional<std::int64_t>> Rows::OptInt64(int row, int col) const {
  if (IsNull(row, col)) return std::optional<std::int64_t>();
  VGI_ASSIGN_OR_RETURN(std::int64_t v, Int64(row, col));
  return std::optional<std::int64_t>(v);
}

Result<bool> Rows::Bool(int row, int col) const {
  VGI_RETURN_IF_ERROR(CheckType(col, {kBoolOid}));
  if (IsNull(row, col)) return NullColumn(r_.get(), col);
  return PQgetvalue(r_.get(), row, col)[0] != 0;
}

Result<SystemTime> Rows::Time(int row, int col) const {
  VGI_RETURN_IF_ERROR(CheckType(col, {kTimestamptzOid}));
  if (IsNull(row, col)) return NullColumn(r_.get(), col);
  return FromPgMicros(static_cast<std::int64_t>(ReadBe(PQgetvalue(r_.get(), row, col), 8)));
}

Result<std::optional<SystemTime>> Rows::OptTime(int row, int col) const {
  if (IsNull(row, col)) return std::optional<SystemTime>();
  VGI_ASSIGN_OR_RETURN(SystemTime t, Time(row, col));
  return std::optional<SystemTime>(t);
}

Result<std::int32_t> Rows::Date(int row, int col) const {
  VGI_RETURN_IF_ERROR(CheckType(col, {kDateOid}));
  if (IsNull(row, col)) return NullColumn(r_.get(), col);
  return static_cast<std::int32_t>(ReadBe(PQgetvalue(r_.get(), row, col), 4)) + kPgEpochDays;
}

Result<std::vector<std::string>> Rows::TextArray(int row, int col) const {
  VGI_RETURN_IF_ERROR(CheckType(col, {kTextArrayOid}));
  if (IsNull(row, col)) return NullColumn(r_.get(), col);
  const char* p = PQgetvalue(r_.get(), row, col);
  const std::size_t n = static_cast<std::size_t>(PQgetlength(r_.get(), row, col));
  auto bad = [&] { return Status::Internal("PostgreSQL returned a malformed text[] value"); };
  if (n < 12) return bad();
  const auto ndim = static_cast<std::int32_t>(ReadBe(p, 4));
  std::vector<std::string> out;
  if (ndim == 0) return out;
  if (ndim != 1 || n < 20) return bad();
  const auto count = static_cast<std::int32_t>(ReadBe(p + 12, 4));
  std::size_t at = 20;
  for (std::int32_t i = 0; i < count; ++i) {
    if (at + 4 > n) return bad();
    const auto len = static_cast<std::int32_t>(ReadBe(p + at, 4));
    at += 4;
    if (len < 0 || at + static_cast<std::size_t>(len) > n) return bad();  // no null elements here
    out.emplace_back(p + at, static_cast<std::size_t>(len));
    at += static_cast<std::size_t>(len);
  }
  return out;
}

Result<std::string_view> Rows::Bytes(int row, int col) const {
  VGI_RETURN_IF_ERROR(CheckType(col, {kTextOid, kByteaOid}));
  return std::string_view(PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return (n && *n) ? std::stoll(n) : 0;
}

// ---- Connection --------------------------------------------------------------------------------

Result<std::string> DescribeServer(const std::string& url) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string why = err ? OneLine(err) : "out of memory";
    PQfreemem(err);
    return Status::Invalid("database: not a valid PostgreSQL URL (" + why +
                           "): write postgresql://user@host:port/dbname");
  }
  std::string host, hostaddr, port;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    if (std::strcmp(o->keyword, "hostaddr") == 0) hostaddr = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
  }
  PQconninfoFree(opts);
  if (host.empty()) host = hostaddr.empty() ? "localhost" : hostaddr;
  if (port.empty()) port = "5432";
  return host + ":" + port;
}

Connection::~Connection() { PQfinish(conn_); }
bool Connection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }
bool Connection::reusable() const {
  return !broken() && PQtransactionStatus(conn_) == PQTRANS_IDLE && PQpipelineStatus(conn_) == PQ_PIPELINE_OFF;
}

Result<Rows> Connection::Check(PGresult* r, std::string_view what) {
  retryable_ = false;
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Rows(r);
  std::string sqlstate;
  std::string msg;
  if (r) {
    if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) sqlstate = s;
    // The primary message only: DETAIL may quote row values.
    if (const char* m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) msg = OneLine(m);
    PQclear(r);
  }
  if (msg.empty()) msg = OneLine(PQerrorMessage(conn_));
  const std::string text = "PostgreSQL at " + server_ + ": " + std::string(what) + ": " + msg +
                           (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")");
  const std::string cls = sqlstate.substr(0, 2);
  if (broken() || cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
      sqlstate == "53300") {
    return Status::Unavailable(text + "; the call failed and the next one reconnects");
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    retryable_ = true;
    return Status::Unavailable(text + "; retry the call");
  }
  if (cls == "22") return Status::Invalid(text);
  if (cls == "42" || cls == "23" || cls == "XX" || cls == "25") return Status::Internal(text);
  return Status::Io(text);  // disk full (53100), I/O (58030), and the rest
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params) {
  const Params::Raw raw = params.raw();
  const std::string text(sql);
  PGresult* r = PQexecParams(conn_, text.c_str(), params.size(), raw.types.data(), raw.values.data(),
                             raw.lengths.data(), raw.formats.data(), 1);
  return Check(r, "query");
}

Status Connection::Prepare(const char* name, std::string_view sql, const Params& params) {
  if (prepared_.find(std::string_view(name)) != prepared_.end()) return Status::Ok();
  const Params::Raw raw = params.raw();
  const std::string text(sql);
  VGI_RETURN_IF_ERROR(
      Check(PQprepare(conn_, name, text.c_str(), params.size(), raw.types.data()), std::string("prepare ") + name)
          .status());
  prepared_.emplace(name);
  return Status::Ok();
}

Result<Rows> Connection::Prepared(const char* name, std::string_view sql, const Params& params) {
  VGI_RETURN_IF_ERROR(Prepare(name, sql, params));
  const Params::Raw raw = params.raw();
  PGresult* r = PQexecPrepared(conn_, name, params.size(), raw.values.data(), raw.lengths.data(),
                               raw.formats.data(), 1);
  return Check(r, name);
}

Status Connection::PipelinedTransaction(const std::vector<Statement>& statements) {
  for (const Statement& st : statements) VGI_RETURN_IF_ERROR(Prepare(st.name, st.sql, *st.params));
  std::vector<Params::Raw> raws;
  raws.reserve(statements.size());
  for (const Statement& st : statements) raws.push_back(st.params->raw());

  if (PQenterPipelineMode(conn_) != 1) return Check(nullptr, "enter pipeline mode").status();
  bool sent = PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  for (std::size_t i = 0; sent && i < statements.size(); ++i) {
    const Params::Raw& raw = raws[i];
    sent = PQsendQueryPrepared(conn_, statements[i].name, statements[i].params->size(), raw.values.data(),
                               raw.lengths.data(), raw.formats.data(), 1) == 1;
  }
  sent = sent && PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  sent = sent && PQpipelineSync(conn_) == 1;

  // Every command yields its results then a null; after a failure the rest report ABORTED.
  Status first;
  bool retry = false;
  if (!sent) first = Check(nullptr, "send pipeline").status();
  const std::size_t commands = statements.size() + 2;
  for (std::size_t i = 0; sent && i < commands && !broken(); ++i) {
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED || !first.ok()) {
        PQclear(r);
        continue;
      }
      const char* what = i == 0 ? "BEGIN" : i + 1 == commands ? "COMMIT" : statements[i - 1].name;
      first = Check(r, what).status();  // takes ownership of r
      retry = retryable_;
    }
  }
  if (sent && !broken()) {
    if (PGresult* sync = PQgetResult(conn_)) PQclear(sync);  // PGRES_PIPELINE_SYNC
  }
  (void)PQexitPipelineMode(conn_);
  if (first.ok() && broken()) first = Check(nullptr, "pipeline").status();
  if (!first.ok() && !broken() && PQtransactionStatus(conn_) == PQTRANS_INERROR) (void)Run("ROLLBACK");
  retryable_ = retry;
  return first;
}

Status Connection::Run(std::string_view sql) {
  const std::string text(sql);
  auto r = Check(PQexec(conn_, text.c_str()), text.size() < 40 ? text : "statement");
  return r.status();
}

// ---- Pool --------------------------------------------------------------------------------------

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& url, int size) {
  VGI_ASSIGN_OR_RETURN(std::string server, DescribeServer(url));
  std::unique_ptr<Pool> pool(new Pool(url, std::move(server), std::max(size, 1)));
  VGI_ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, pool->Connect());
  pool->open_ = 1;
  pool->idle_.push_back(std::move(first));
  return pool;
}

Pool::~Pool() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
}

Result<std::unique_ptr<Connection>> Pool::Connect() {
  // Our defaults first so the URL may override them; the encoding last so it cannot.
  const char* keys[] = {"application_name", "connect_timeout", "dbname", "client_encoding", nullptr};
  const char* values[] = {"vgi", "10", url_.c_str(), "UTF8", nullptr};
  PGconn* c = PQconnectdbParams(keys, values, 1);
  if (!c) return Status::Unavailable("PostgreSQL at " + server_ + ": cannot connect (out of memory)");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = OneLine(PQerrorMessage(c));
    PQfinish(c);
    return Status::Unavailable("PostgreSQL at " + server_ + ": cannot connect (" + why +
                               "): check that the server is running and the database URL");
  }
  // Server notices ("drop cascades to ...") are not errors; a library does not print them.
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  auto conn = std::make_unique<Connection>(c, server_);
  // Durability is the store's contract: never inherit a server or role default that turns it off.
  VGI_RETURN_IF_ERROR(conn->Run("SET synchronous_commit = on"));
  return conn;
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  auto c = Connect();
  if (!c.ok()) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return c.status();
  }
  return Lease(this, std::move(c).value());
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  // A lost connection, or one left inside a transaction, is closed; the next Acquire reconnects.
  const bool reusable = conn->reusable();
  std::lock_guard<std::mutex> lock(mu_);
  if (reusable) {
    idle_.push_back(std::move(conn));
  } else {
    conn.reset();
    --open_;
  }
  cv_.notify_one();
}

Status Pool::PipelinedTransaction(const std::vector<Statement>& statements) {
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    VGI_ASSIGN_OR_RETURN(Lease lease, Acquire());
    const Status s = lease->PipelinedTransaction(statements);
    if (s.ok() || !lease->last_failure_retryable() || attempt == kAttempts) return s;
  }
}

Status Pool::Transaction(const std::function<Status(Connection&)>& body) {
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    VGI_ASSIGN_OR_RETURN(Lease lease, Acquire());
    Status s = lease->Run("BEGIN");
    if (s.ok()) s = body(*lease);
    if (s.ok()) s = lease->Run("COMMIT");
    if (s.ok()) return s;
    const bool retry = lease->last_failure_retryable();
    if (!lease->broken()) (void)lease->Run("ROLLBACK");
    if (!retry || attempt == kAttempts) return s;
  }
}

}  // namespace vgi::store::pg
