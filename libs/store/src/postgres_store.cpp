// PostgreSQL Store: open and migrations, peers, instructions, feedback, replay keys, Commit.
// The station model sync is in postgres_model.cpp, the power upsert in postgres_power.cpp.
#include "vgi/store/postgres_store.hpp"

#include <algorithm>
#include <array>

#include "migrations.hpp"
#include "postgres_store_impl.hpp"
#include "record_codec.hpp"

namespace vgi::store {
namespace {

using record::TruncateTime;

Status NoSealer() {
  return Status::Internal("store: StoreOptions.sealer is not set; open the store with the master key's Sealer");
}

// Session advisory lock (class, key) serialising migrations per schema.
constexpr const char* kLockMigrations = "SELECT pg_advisory_lock(1986487040, hashtext(current_schema()))";
constexpr const char* kUnlockMigrations = "SELECT pg_advisory_unlock(1986487040, hashtext(current_schema()))";

Result<PeerRow> ReadPeer(const pg::Rows& r, int i) {
  PeerRow p;
  VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view name, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view url, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(p.enabled, r.Bool(i, 3));
  VGI_ASSIGN_OR_RETURN(std::string_view keys, r.Bytes(i, 4));
  VGI_ASSIGN_OR_RETURN(std::string_view settings, r.Bytes(i, 5));
  VGI_ASSIGN_OR_RETURN(p.tokens_revoked_before, r.OptTime(i, 6));
  VGI_ASSIGN_OR_RETURN(p.created_at, r.Time(i, 7));
  VGI_ASSIGN_OR_RETURN(p.updated_at, r.Time(i, 8));
  p.operator_id = op;
  p.name = name;
  p.base_url = url;
  p.sealed_keys = keys;
  p.settings_json = settings;
  return p;
}

constexpr const char* kPeerColumns =
    "operator_id, name, base_url, enabled, sealed_keys, settings_json, tokens_revoked_before, created_at, "
    "updated_at";

}  // namespace

// ---- open and migrations -----------------------------------------------------------------------

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, const StoreOptions& options,
                                                 const PostgresOptions& pg) {
  VGI_ASSIGN_OR_RETURN(std::unique_ptr<pg::Pool> pool, pg::Pool::Open(url, pg.pool_size));
  auto store = std::make_unique<PostgresStore>(std::move(pool), options, pg);
  VGI_RETURN_IF_ERROR(store->Migrate());
  if (pg.fold == PowerFold::kBackground) store->StartFolder();
  return std::unique_ptr<Store>(std::move(store));
}

Status PostgresStore::Migrate() {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_RETURN_IF_ERROR(c->Run(kLockMigrations));
  auto migrate = [&]() -> Status {
    VGI_RETURN_IF_ERROR(c->Run(
        "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())"));
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec("SELECT coalesce(max(version), 0) FROM schema_version"));
    VGI_ASSIGN_OR_RETURN(std::int64_t current, r.Int64(0, 0));
    const auto migrations = PostgresMigrations();
    const int known = migrations.empty() ? 0 : migrations.back().version;
    if (current > known) {
      return Status::Internal("PostgreSQL at " + pool_->server() + ": schema version " + std::to_string(current) +
                              " is newer than this build knows (" + std::to_string(known) +
                              "); run a newer vgi or restore a backup");
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) continue;
      if (options_.on_migration) options_.on_migration(m.name);
      Status s = c->Run("BEGIN");
      if (s.ok()) s = c->Run(m.sql);
      if (s.ok()) {
        s = c->Exec("INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                    pg::Params().Int32(m.version).Text(m.name))
                .status();
      }
      if (s.ok()) s = c->Run("COMMIT");
      if (!s.ok()) {
        if (!c->broken()) (void)c->Run("ROLLBACK");
        return s.WithPrefix("migration " + std::string(m.name));
      }
    }
    return Status::Ok();
  };
  Status s = migrate();
  if (!c->broken()) (void)c->Run(kUnlockMigrations);  // a lost connection released it already
  return s;
}

Result<int> PostgresStore::SchemaVersion() {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec("SELECT coalesce(max(version), 0) FROM schema_version"));
  VGI_ASSIGN_OR_RETURN(std::int64_t v, r.Int64(0, 0));
  return static_cast<int>(v);
}

// ---- peers -------------------------------------------------------------------------------------

Status PostgresStore::PutPeer(const PeerRow& peer) {
  if (peer.operator_id.empty()) return Status::Invalid("peer.operator_id: must not be empty");
  pg::Params p;
  p.Text(peer.operator_id)
      .Text(peer.name)
      .Text(peer.base_url)
      .Bool(peer.enabled)
      .Bytes(peer.sealed_keys)
      .Text(peer.settings_json)
      .OptTime(peer.tokens_revoked_before)
      .Time(peer.created_at)
      .Time(peer.updated_at);
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  // One statement: its own transaction. created_at stays as first inserted.
  return c->Prepared("vgi_put_peer",
                     "INSERT INTO peers (operator_id, name, base_url, enabled, sealed_keys, settings_json, "
                     "tokens_revoked_before, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                     "ON CONFLICT (operator_id) DO UPDATE SET name = excluded.name, base_url = excluded.base_url, "
                     "enabled = excluded.enabled, sealed_keys = excluded.sealed_keys, "
                     "settings_json = excluded.settings_json, tokens_revoked_before = excluded.tokens_revoked_before, "
                     "updated_at = excluded.updated_at",
                     p)
      .status();
}

Result<std::optional<PeerRow>> PostgresStore::GetPeer(std::string_view operator_id) {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_get_peer",
                                               std::string("SELECT ") + kPeerColumns + " FROM peers WHERE operator_id = $1",
                                               pg::Params().Text(operator_id)));
  if (r.size() == 0) return std::optional<PeerRow>();
  VGI_ASSIGN_OR_RETURN(PeerRow row, ReadPeer(r, 0));
  return std::optional<PeerRow>(std::move(row));
}

Result<std::vector<PeerRow>> PostgresStore::ListPeers() {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec(std::string("SELECT ") + kPeerColumns + " FROM peers ORDER BY operator_id"));
  std::vector<PeerRow> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(PeerRow row, ReadPeer(r, i));
    out.push_back(std::move(row));
  }
  return out;
}

// ---- power, feedback, replay keys --------------------------------------------------------------

Status PostgresStore::Commit(const WriteBatch& batch) {
  if (options_.sealer == nullptr && !batch.feedback.empty()) return NoSealer();
  const SystemTime now = TruncateTime(options_.clock->Now());
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(now));
  // Check everything before writing anything: the batch is applied whole or not at all.
  std::vector<std::vector<record::DaySlice>> slices;
  slices.reserve(batch.power.size());
  for (std::size_t i = 0; i < batch.power.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(auto s, record::SliceByDay(batch.power[i], i, today));
    slices.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < batch.feedback.size(); ++i) {
    VGI_RETURN_IF_ERROR(record::CheckFeedback(batch.feedback[i], i));
  }
  for (std::size_t i = 0; i < batch.request_keys.size(); ++i) {
    if (batch.request_keys[i].operator_id.empty()) {
      return Status::Invalid("request_keys[" + std::to_string(i) + "].operator_id: must not be empty");
    }
  }
  if (batch.empty()) return Status::Ok();

  // Parameters are built once, outside the transaction (a retry reuses them).
  pg::Params keys;
  if (!batch.request_keys.empty()) {
    pg::ArrayBuilder op(pg::kTextOid), ts(pg::kTextOid), seq(pg::kTextOid), forget(pg::kTimestamptzOid);
    for (const RequestKey& k : batch.request_keys) {
      op.Add(k.operator_id);
      ts.Add(k.timestamp);
      seq.Add(k.seq);
      forget.AddTime(k.forget_after);
    }
    keys.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, ts)
        .Array(pg::kTextArrayOid, seq)
        .Array(pg::kTimestamptzArrayOid, forget);
  }
  pg::Params feedback;
  if (!batch.feedback.empty()) {
    pg::ArrayBuilder op(pg::kTextOid), reg(pg::kTextOid), task(pg::kTextOid), kind(pg::kInt2Oid),
        status(pg::kInt2Oid), adjustment(pg::kByteaOid), received(pg::kTimestamptzOid);
    for (const FeedbackRecord& f : batch.feedback) {
      op.Add(f.operator_id);
      reg.Add(f.regulation_id);
      task.Add(f.task_id);
      kind.AddInt16(static_cast<std::int16_t>(f.kind));
      if (f.status) {
        status.AddInt16(static_cast<std::int16_t>(*f.status));
      } else {
        status.AddNull();
      }
      if (f.adjustment) {
        VGI_ASSIGN_OR_RETURN(std::string sealed, record::SealAdjustmentChecked(*options_.sealer, f.operator_id,
                                                                              *f.adjustment, f.regulation_id));
        adjustment.Add(sealed);
      } else {
        adjustment.AddNull();
      }
      received.AddTime(f.received_at);
    }
    feedback.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, reg)
        .Array(pg::kTextArrayOid, task)
        .Array(pg::kInt2ArrayOid, kind)
        .Array(pg::kInt2ArrayOid, status)
        .Array(pg::kByteaArrayOid, adjustment)
        .Array(pg::kTimestamptzArrayOid, received);
  }

  // Power goes to power_pending; a fold writes it into the hour rows (postgres_pending.cpp).
  const std::optional<pg::Params> pending = PendingInsertParams(batch.power, now);
  const std::optional<pg::Params> bump = OperatorDayBumpParams(batch.power, slices);

  // One transaction, one round trip.
  std::vector<pg::Statement> statements;
  if (!batch.request_keys.empty()) {
    // A key already held is ignored: the in-memory guard decided admission.
    statements.push_back({"vgi_put_request_keys",
                          "INSERT INTO request_keys (operator_id, \"timestamp\", seq, forget_after) "
                          "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) "
                          "ON CONFLICT DO NOTHING",
                          &keys});
  }
  if (pending) statements.push_back({kPendingInsertName, kPendingInsertSql, &*pending});
  if (bump) statements.push_back({kOperatorDayBumpName, kOperatorDayBumpSql, &*bump});
  if (!batch.feedback.empty()) {
    // ORDER BY n: the identity column numbers rows in batch order.
    statements.push_back({"vgi_put_feedback",
                          "INSERT INTO feedback (operator_id, regulation_id, task_id, kind, status, adjustment, "
                          "received_at) SELECT op, reg, task, kind, status, adjustment, received FROM unnest($1::text[], "
                          "$2::text[], $3::text[], $4::int2[], $5::int2[], $6::bytea[], $7::timestamptz[]) WITH "
                          "ORDINALITY AS f(op, reg, task, kind, status, adjustment, received, n) ORDER BY n",
                          &feedback});
  }
  if (statements.empty()) return Status::Ok();
  VGI_RETURN_IF_ERROR(pool_->PipelinedTransaction(statements));
  if (pending && pg_options_.fold == PowerFold::kAfterCommit) return FoldPendingPower().status();
  return Status::Ok();
}

Status ReadStationDayHours(const pg::Rows& r, int begin, int end, int col, StationDay& out) {
  std::int64_t latest = record::kNoWriteSeq;
  for (int i = begin; i < end; ++i) {
    record::HourRow row;
    VGI_ASSIGN_OR_RETURN(row.hour, r.Int64(i, col));
    VGI_ASSIGN_OR_RETURN(row.slots, r.Bytes(i, col + 1));
    VGI_ASSIGN_OR_RETURN(const std::int64_t present, r.Int64(i, col + 2));
    row.present = static_cast<std::uint64_t>(present);
    VGI_ASSIGN_OR_RETURN(row.adjust_top, r.Int64(i, col + 3));
    VGI_ASSIGN_OR_RETURN(row.adjust_bottom, r.Int64(i, col + 4));
    VGI_ASSIGN_OR_RETURN(row.updated_at, r.Time(i, col + 5));
    VGI_ASSIGN_OR_RETURN(row.write_seq, r.Int64(i, col + 6));
    VGI_RETURN_IF_ERROR(record::FoldHourRow(row, "power_hours", out, latest));
  }
  return Status::Ok();
}

// ---- instructions and feedback -----------------------------------------------------------------

Status PostgresStore::PutInstruction(const InstructionRow& row) {
  if (options_.sealer == nullptr) return NoSealer();
  if (row.operator_id.empty() || row.instruction.regulation_id.empty()) {
    return Status::Invalid("instruction: operator_id and regulationID must not be empty");
  }
  VGI_ASSIGN_OR_RETURN(std::string sealed, record::SealInstructionChecked(*options_.sealer, row.operator_id, row.instruction));
  pg::Params p;
  p.Text(row.operator_id)
      .Text(row.instruction.regulation_id)
      .Text(row.instruction.task_id)
      .Int16(static_cast<std::int16_t>(row.instruction.synchro_type))
      .Time(row.sent_at)
      .Bytes(sealed);
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return c->Prepared("vgi_put_instruction",
                     "INSERT INTO instructions (operator_id, regulation_id, task_id, synchro_type, sent_at, sealed) "
                     "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (operator_id, regulation_id) DO UPDATE SET "
                     "task_id = excluded.task_id, synchro_type = excluded.synchro_type, "
                     "sent_at = excluded.sent_at, sealed = excluded.sealed",
                     p)
      .status();
}

Result<std::optional<InstructionRow>> PostgresStore::GetInstruction(std::string_view operator_id,
                                                                    std::string_view regulation_id) {
  if (options_.sealer == nullptr) return NoSealer();
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_get_instruction",
                                               "SELECT sealed, sent_at FROM instructions "
                                               "WHERE operator_id = $1 AND regulation_id = $2",
                                               pg::Params().Text(operator_id).Text(regulation_id)));
  if (r.size() == 0) return std::optional<InstructionRow>();
  InstructionRow row;
  row.operator_id = operator_id;
  VGI_ASSIGN_OR_RETURN(std::string_view sealed, r.Bytes(0, 0));
  VGI_ASSIGN_OR_RETURN(row.instruction, record::OpenInstruction(*options_.sealer, operator_id, regulation_id, sealed));
  VGI_ASSIGN_OR_RETURN(row.sent_at, r.Time(0, 1));
  return std::optional<InstructionRow>(std::move(row));
}

Result<std::vector<FeedbackRecord>> PostgresStore::ListFeedback(std::string_view operator_id,
                                                                std::string_view regulation_id) {
  if (options_.sealer == nullptr) return NoSealer();
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_list_feedback",
                                               "SELECT task_id, kind, status, adjustment, received_at FROM feedback "
                                               "WHERE operator_id = $1 AND regulation_id = $2 ORDER BY received_at, id",
                                               pg::Params().Text(operator_id).Text(regulation_id)));
  std::vector<FeedbackRecord> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    FeedbackRecord f;
    f.operator_id = operator_id;
    f.regulation_id = regulation_id;
    VGI_ASSIGN_OR_RETURN(std::string_view task, r.Bytes(i, 0));
    f.task_id = task;
    VGI_ASSIGN_OR_RETURN(std::int64_t kind, r.Int64(i, 1));
    if (kind != 1 && kind != 2) {
      return Status::Internal("feedback.kind: " + std::to_string(kind) +
                              " is not 1 or 2; the database is corrupted, restore a backup");
    }
    f.kind = static_cast<FeedbackKind>(kind);
    VGI_ASSIGN_OR_RETURN(std::optional<std::int64_t> status, r.OptInt64(i, 2));
    if (status) f.status = static_cast<proto::Feedback>(*status);
    if (!r.IsNull(i, 3)) {
      VGI_ASSIGN_OR_RETURN(std::string_view sealed, r.Bytes(i, 3));
      VGI_ASSIGN_OR_RETURN(f.adjustment, record::OpenAdjustment(*options_.sealer, operator_id, regulation_id, sealed));
    }
    VGI_ASSIGN_OR_RETURN(f.received_at, r.Time(i, 4));
    out.push_back(std::move(f));
  }
  return out;
}

// ---- replay keys -------------------------------------------------------------------------------

Result<std::vector<RequestKey>> PostgresStore::LoadRequestKeys() {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec("SELECT operator_id, \"timestamp\", seq, forget_after FROM request_keys "
                                           "WHERE forget_after > $1 ORDER BY operator_id, \"timestamp\", seq",
                                           pg::Params().Time(options_.clock->Now())));
  std::vector<RequestKey> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    RequestKey k;
    VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 0));
    VGI_ASSIGN_OR_RETURN(std::string_view ts, r.Bytes(i, 1));
    VGI_ASSIGN_OR_RETURN(std::string_view seq, r.Bytes(i, 2));
    VGI_ASSIGN_OR_RETURN(k.forget_after, r.Time(i, 3));
    k.operator_id = op;
    k.timestamp = ts;
    k.seq = seq;
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::int64_t> PostgresStore::PurgeRequestKeys() {
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec("DELETE FROM request_keys WHERE forget_after <= $1",
                                           pg::Params().Time(options_.clock->Now())));
  return r.affected();
}

}  // namespace vgi::store
