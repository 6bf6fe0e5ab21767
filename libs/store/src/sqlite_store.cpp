// The SQLite Store: connections, migrations, the checkpointer, peers, instructions and feedback
// lists. Group-committed writes (power, feedback, replay keys) are in sqlite_power.cpp, the
// station model sync in sqlite_station.cpp, the outbox and alarms in sqlite_outbox.cpp.
#include "vgi/store/sqlite_store.hpp"

#include "migrations.hpp"
#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"
#include "sqlite_store_testing.hpp"

namespace vgi::store {

namespace sqlite {
namespace {

using record::FromMicros;
using record::ToMicros;

constexpr int kMaxReaders = 4;
// The checkpointer copies the WAL back once it holds this many pages (8 MiB at 4 KiB pages);
// past the hard limit (readers kept it from restarting) it also truncates the file.
constexpr int kCheckpointPages = 2000;
constexpr int kWalHardLimitPages = 20'000;

std::optional<SystemTime> OptionalTime(const Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return FromMicros(s.ColInt(col));
}

}  // namespace

// ---- opening, connections, transactions ---------------------------------------------------------

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& file, const StoreOptions& options) {
  if (options.sealer == nullptr) {
    return Status::Invalid("store: StoreOptions.sealer is not set; open the store with the master key's Sealer");
  }
  if (options.clock == nullptr) return Status::Invalid("store: StoreOptions.clock is not set");
  std::unique_ptr<SqliteStore> store(new SqliteStore(file, options));
  VGI_ASSIGN_OR_RETURN(store->writer_, Connection::Open(file, true));
  Connection& w = *store->writer_;
  {
    VGI_ASSIGN_OR_RETURN(Stmt mode, w.Prepare("PRAGMA journal_mode=WAL", "open"));
    VGI_ASSIGN_OR_RETURN(const bool row, mode.Step());
    if (!row || mode.ColText(0) != "wal") {
      return Status::Io("open: SQLite " + file +
                        ": the WAL journal is not available on this file system; put data_dir on a local disk");
    }
  }
  // synchronous=FULL: a commit returns only once the WAL is synced (store.hpp's durability).
  // The writer never checkpoints itself (the checkpointer thread does; see WalHook). Its page
  // cache is 64 MiB: a minute's power writes the current hour's rows, stations in key order, so
  // a commit finds its pages cached whatever the fleet (1 000 000 stations: 6.5-7.6 s a minute
  // with 64 MiB, 6.2-7.8 s with 256). Until migration 0010 a station-day was one 6 KB row and
  // the cache had to hold the whole day.
  VGI_RETURN_IF_ERROR(w.Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"
                             "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                             "PRAGMA journal_size_limit=67108864;",
                             "open"));
  VGI_RETURN_IF_ERROR(RegisterPowerFunctions(w));
  VGI_RETURN_IF_ERROR(store->ApplyMigrations());
  VGI_RETURN_IF_ERROR(store->StartCheckpointer());
  return store;
}

SqliteStore::~SqliteStore() {
  if (checkpoint_thread_.joinable()) {
    {
      std::lock_guard lock(checkpoint_mu_);
      stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpoint_thread_.join();
  }
  idle_readers_.clear();
  checkpointer_.reset();
  if (writer_) sqlite3_wal_hook(writer_->db(), nullptr, nullptr);
  writer_.reset();  // the last connection to close checkpoints and removes the WAL
}

std::int64_t SqliteStore::NowMicros() const { return ToMicros(options_.clock->Now()); }

Status SqliteStore::WriteTx(std::string_view op, const std::function<Status(Connection&)>& body) {
  Connection& c = *writer_;
  VGI_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE", op));
  Status st = body(c);
  if (st.ok()) {
    st = c.Exec("COMMIT", op);
    if (st.ok()) return st;
  }
  c.RollbackIfOpen();
  return st;
}

SqliteStore::ReaderLease::~ReaderLease() {
  if (conn_ == nullptr) return;
  {
    std::lock_guard lock(store_->readers_mu_);
    store_->idle_readers_.push_back(std::move(conn_));
  }
  store_->readers_cv_.notify_one();
}

Result<SqliteStore::ReaderLease> SqliteStore::AcquireReader() {
  {
    std::unique_lock lock(readers_mu_);
    readers_cv_.wait(lock, [this] { return !idle_readers_.empty() || readers_open_ < kMaxReaders; });
    if (!idle_readers_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(c));
    }
    ++readers_open_;
  }
  auto opened = Connection::Open(file_, false);
  Status st = opened.ok() ? (*opened)->Exec("PRAGMA query_only=1; PRAGMA cache_size=-16384;",
                                            "open reader")
                          : opened.status();
  if (!st.ok()) {
    {
      std::lock_guard lock(readers_mu_);
      --readers_open_;
    }
    readers_cv_.notify_one();
    return st;
  }
  return ReaderLease(*this, std::move(*opened));
}

Status SqliteStore::ReadTx(std::string_view op, const std::function<Status(Connection&)>& body) {
  VGI_ASSIGN_OR_RETURN(ReaderLease reader, AcquireReader());
  Connection& c = *reader;
  VGI_RETURN_IF_ERROR(c.Exec("BEGIN", op));
  Status st = body(c);
  if (st.ok()) st = c.Exec("COMMIT", op);
  c.RollbackIfOpen();
  return st;
}

Status SqliteStore::ExecOnWriterForTesting(const std::string& sql) {
  std::lock_guard lock(write_mu_);
  const int rc = sqlite3_exec(writer_->db(), sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : writer_->Error("test SQL");
}

// ---- migrations ---------------------------------------------------------------------------------

namespace {

Result<int> ReadVersion(Connection& c, std::string_view op) {
  {
    VGI_ASSIGN_OR_RETURN(Stmt exists, c.Prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'", op));
    VGI_ASSIGN_OR_RETURN(const bool row, exists.Step());
    if (!row) return 0;
  }
  VGI_ASSIGN_OR_RETURN(Stmt max, c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version", op));
  VGI_RETURN_IF_ERROR(max.RowOrNotFound());
  return static_cast<int>(max.ColInt(0));
}

}  // namespace

Status SqliteStore::ApplyMigrations() {
  const auto migrations = SqliteMigrations();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  std::lock_guard lock(write_mu_);
  VGI_ASSIGN_OR_RETURN(const int current, ReadVersion(*writer_, "open"));
  if (current > known) {
    return Status::Internal("SQLite database " + file_ + " has schema version " + std::to_string(current) +
                            ", newer than this build knows (" + std::to_string(known) +
                            "); run the vgi release that wrote it or a newer one");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    if (options_.on_migration) options_.on_migration(m.name);
    const std::string op = "migration " + std::string(m.name);
    const std::string sql(m.sql);
    Status st = WriteTx("migration", [&](Connection& c) -> Status {
      // Another process may have applied it since we looked: decide inside the transaction.
      VGI_ASSIGN_OR_RETURN(const int now_at, ReadVersion(c, "migration"));
      if (now_at >= m.version) return Status::Ok();
      VGI_RETURN_IF_ERROR(c.Exec(sql.c_str(), "migration"));
      VGI_ASSIGN_OR_RETURN(Stmt ins, c.Prepare("INSERT INTO schema_version(version, name, applied_at) VALUES(?,?,?)",
                                               "migration"));
      return ins.Int(1, m.version).Text(2, m.name).Int(3, NowMicros()).Run();
    });
    if (!st.ok()) return st.WithPrefix(op);
  }
  return Status::Ok();
}

Result<int> SqliteStore::SchemaVersion() {
  int version = 0;
  VGI_RETURN_IF_ERROR(ReadTx("SchemaVersion", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(version, ReadVersion(c, "SchemaVersion"));
    return Status::Ok();
  }));
  return version;
}

// ---- checkpointer -------------------------------------------------------------------------------

Status SqliteStore::StartCheckpointer() {
  VGI_ASSIGN_OR_RETURN(checkpointer_, Connection::Open(file_, false));
  // A connection that has never read does not know the WAL yet: its checkpoints do nothing
  // (log=-1) and the WAL grows without bound. One read attaches it.
  sqlite3_exec(checkpointer_->db(), "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr);
  // Registering a WAL hook turns the writer's automatic checkpoints off.
  sqlite3_wal_hook(writer_->db(), &SqliteStore::WalHook, this);
  checkpoint_thread_ = std::thread([this] { RunCheckpointer(); });
  return Status::Ok();
}

int SqliteStore::WalHook(void* self, sqlite3* /*db*/, const char* /*name*/, int pages) {
  if (pages >= kCheckpointPages) {
    auto* s = static_cast<SqliteStore*>(self);
    {
      std::lock_guard lock(s->checkpoint_mu_);
      s->checkpoint_wanted_ = true;
    }
    s->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::RunCheckpointer() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [this] { return checkpoint_wanted_ || stopping_; });
      if (stopping_) return;
      checkpoint_wanted_ = false;
    }
    int log = 0;
    int copied = 0;
    // PASSIVE copies most of the WAL without blocking the writer or readers. The writer goes on
    // appending meanwhile, so the WAL would never be wholly copied and never restart (it would
    // only grow); a second pass with writes held off copies the few frames appended since, and
    // the next write transaction then restarts the WAL from its beginning. A failure (I/O)
    // leaves the data safe in the WAL; the next round retries.
    int rc = sqlite3_wal_checkpoint_v2(checkpointer_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc == SQLITE_OK) {
      std::lock_guard writes_off(write_mu_);
      rc = sqlite3_wal_checkpoint_v2(checkpointer_->db(), nullptr,
                                     log > kWalHardLimitPages ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                     &log, &copied);
    }
  }
}

// ---- peers --------------------------------------------------------------------------------------

Status SqliteStore::PutPeer(const PeerRow& peer) {
  if (peer.operator_id.empty()) return Status::Invalid("peer.operator_id: must not be empty");
  std::lock_guard lock(write_mu_);
  return WriteTx("PutPeer", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("INSERT INTO peer(operator_id, name, base_url, enabled, sealed_keys, settings_json,"
                          " tokens_revoked_before, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?)"
                          " ON CONFLICT(operator_id) DO UPDATE SET name=excluded.name, base_url=excluded.base_url,"
                          " enabled=excluded.enabled, sealed_keys=excluded.sealed_keys,"
                          " settings_json=excluded.settings_json, tokens_revoked_before=excluded.tokens_revoked_before,"
                          " updated_at=excluded.updated_at",
                          "PutPeer"));
    s.Text(1, peer.operator_id).Text(2, peer.name).Text(3, peer.base_url).Int(4, peer.enabled ? 1 : 0);
    s.Blob(5, peer.sealed_keys).Text(6, peer.settings_json);
    if (peer.tokens_revoked_before) {
      s.Int(7, ToMicros(*peer.tokens_revoked_before));
    } else {
      s.Null(7);
    }
    s.Int(8, ToMicros(peer.created_at)).Int(9, ToMicros(peer.updated_at));
    return s.Run();
  });
}

namespace {

constexpr const char* kPeerColumns =
    "SELECT operator_id, name, base_url, enabled, sealed_keys, settings_json, tokens_revoked_before, created_at,"
    " updated_at FROM peer";

PeerRow ReadPeer(const Stmt& s) {
  PeerRow p;
  p.operator_id = s.ColText(0);
  p.name = s.ColText(1);
  p.base_url = s.ColText(2);
  p.enabled = s.ColInt(3) != 0;
  p.sealed_keys = s.ColBlob(4);
  p.settings_json = s.ColText(5);
  p.tokens_revoked_before = OptionalTime(s, 6);
  p.created_at = FromMicros(s.ColInt(7));
  p.updated_at = FromMicros(s.ColInt(8));
  return p;
}

}  // namespace

Result<std::optional<PeerRow>> SqliteStore::GetPeer(std::string_view operator_id) {
  static const std::string sql = std::string(kPeerColumns) + " WHERE operator_id=?";
  std::optional<PeerRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("GetPeer", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "GetPeer"));
    s.Text(1, operator_id);
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (row) out = ReadPeer(s);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<PeerRow>> SqliteStore::ListPeers() {
  static const std::string sql = std::string(kPeerColumns) + " ORDER BY operator_id";
  std::vector<PeerRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListPeers", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "ListPeers"));
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadPeer(s));
    }
  }));
  return out;
}

// ---- instructions and feedback ------------------------------------------------------------------

Status SqliteStore::PutInstruction(const InstructionRow& row) {
  if (row.operator_id.empty() || row.instruction.regulation_id.empty()) {
    return Status::Invalid("instruction: operator_id and regulationID must not be empty");
  }
  VGI_ASSIGN_OR_RETURN(const std::string sealed, record::SealInstructionChecked(*options_.sealer, row.operator_id, row.instruction));
  std::lock_guard lock(write_mu_);
  return WriteTx("PutInstruction", [&](Connection& c) { return UpsertInstruction(c, row, sealed, "PutInstruction"); });
}

Status SqliteStore::UpsertInstruction(Connection& c, const InstructionRow& row, std::string_view sealed,
                                       std::string_view op) {
  VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO instruction(operator_id, regulation_id, task_id, synchro_type,"
                                         " sent_at, sealed) VALUES(?,?,?,?,?,?)"
                                         " ON CONFLICT(operator_id, regulation_id) DO UPDATE SET"
                                         " task_id=excluded.task_id, synchro_type=excluded.synchro_type,"
                                         " sent_at=excluded.sent_at, sealed=excluded.sealed",
                                         op));
  s.Text(1, row.operator_id).Text(2, row.instruction.regulation_id).Text(3, row.instruction.task_id);
  s.Int(4, static_cast<int>(row.instruction.synchro_type)).Int(5, ToMicros(row.sent_at)).Blob(6, sealed);
  return s.Run();
}

Result<std::optional<InstructionRow>> SqliteStore::GetInstruction(std::string_view operator_id,
                                                                  std::string_view regulation_id) {
  std::optional<std::string> sealed;
  std::int64_t sent_at = 0;
  VGI_RETURN_IF_ERROR(ReadTx("GetInstruction", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT sent_at, sealed FROM instruction WHERE operator_id=? AND regulation_id=?",
                                           "GetInstruction"));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, operator_id).Text(2, regulation_id).Step());
    if (row) {
      sent_at = s.ColInt(0);
      sealed = std::string(s.ColBlob(1));
    }
    return Status::Ok();
  }));
  if (!sealed) return std::optional<InstructionRow>();
  InstructionRow row;
  row.operator_id = operator_id;
  VGI_ASSIGN_OR_RETURN(row.instruction, record::OpenInstruction(*options_.sealer, operator_id, regulation_id, *sealed));
  row.sent_at = FromMicros(sent_at);
  return std::optional<InstructionRow>(std::move(row));
}

Result<std::vector<FeedbackRecord>> SqliteStore::ListFeedback(std::string_view operator_id,
                                                              std::string_view regulation_id) {
  std::vector<FeedbackRecord> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListFeedback", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT task_id, kind, status, sealed_adjustment, received_at FROM feedback"
                                           " WHERE operator_id=? AND regulation_id=? ORDER BY received_at, seq",
                                           "ListFeedback"));
    s.Text(1, operator_id).Text(2, regulation_id);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      FeedbackRecord f;
      f.operator_id = operator_id;
      f.task_id = s.ColText(0);
      f.regulation_id = regulation_id;
      f.kind = static_cast<FeedbackKind>(s.ColInt(1));
      if (!s.IsNull(2)) f.status = static_cast<proto::Feedback>(s.ColInt(2));
      if (!s.IsNull(3)) {
        VGI_ASSIGN_OR_RETURN(f.adjustment,
                             record::OpenAdjustment(*options_.sealer, operator_id, regulation_id, s.ColBlob(3)));
      }
      f.received_at = FromMicros(s.ColInt(4));
      out.push_back(std::move(f));
    }
  }));
  return out;
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& file, const StoreOptions& options) {
  VGI_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::Open(file, options));
  return std::unique_ptr<Store>(std::move(store));
}

Status SqliteExecForTesting(Store& store, const std::string& sql) {
  auto* s = dynamic_cast<sqlite::SqliteStore*>(&store);
  if (s == nullptr) return Status::Invalid("SqliteExecForTesting: the store is not a SQLite store");
  return s->ExecOnWriterForTesting(sql);
}

}  // namespace vgi::store
