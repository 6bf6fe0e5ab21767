// The PostgreSQL Store's outbox and alarms (store.hpp). Several vgi processes may share the
// database: ClaimOutbox is one UPDATE over a FOR UPDATE SKIP LOCKED subquery (a row another
// claimer has locked is skipped, one it has just leased fails the re-check of the lease), and
// RaiseAlarm one INSERT ... ON CONFLICT on the partial unique index of live alarms.
#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "outbox_record.hpp"
#include "postgres_store_impl.hpp"

namespace vgi::store {
namespace {

using record::StoredCommand;

Status NoSealer() {
  return Status::Internal("store: StoreOptions.sealer is not set; open the store with the master key's Sealer");
}

constexpr const char* kCommandColumns =
    "id, operator_id, interface, task_id, regulation_id, data, created_at, deadline, state, attempts, "
    "next_attempt_at, lease_owner, lease_until, last_error, ret, msg, response, finished_at";

// The same columns qualified by the alias `o` (for UPDATE ... FROM).
constexpr const char* kCommandColumnsO =
    "o.id, o.operator_id, o.interface, o.task_id, o.regulation_id, o.data, o.created_at, o.deadline, o.state, "
    "o.attempts, o.next_attempt_at, o.lease_owner, o.lease_until, o.last_error, o.ret, o.msg, o.response, "
    "o.finished_at";

constexpr const char* kAlarmColumns = "id, type, object, level, state, module, title, detail, count, first_at, last_at";

Result<StoredCommand> ReadCommand(const pg::Rows& r, int i) {
  StoredCommand out;
  OutboxCommand& c = out.command;
  VGI_ASSIGN_OR_RETURN(c.id, r.Int64(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view interface, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(std::string_view task, r.Bytes(i, 3));
  VGI_ASSIGN_OR_RETURN(std::string_view regulation, r.Bytes(i, 4));
  VGI_ASSIGN_OR_RETURN(std::string_view data, r.Bytes(i, 5));
  VGI_ASSIGN_OR_RETURN(c.created_at, r.Time(i, 6));
  VGI_ASSIGN_OR_RETURN(c.deadline, r.Time(i, 7));
  VGI_ASSIGN_OR_RETURN(std::int64_t state, r.Int64(i, 8));
  VGI_ASSIGN_OR_RETURN(std::int64_t attempts, r.Int64(i, 9));
  VGI_ASSIGN_OR_RETURN(c.next_attempt_at, r.Time(i, 10));
  VGI_ASSIGN_OR_RETURN(std::string_view owner, r.Bytes(i, 11));
  VGI_ASSIGN_OR_RETURN(c.lease_until, r.OptTime(i, 12));
  VGI_ASSIGN_OR_RETURN(std::string_view last_error, r.Bytes(i, 13));
  VGI_ASSIGN_OR_RETURN(std::optional<std::int64_t> ret, r.OptInt64(i, 14));
  VGI_ASSIGN_OR_RETURN(std::string_view msg, r.Bytes(i, 15));
  if (!r.IsNull(i, 16)) {
    VGI_ASSIGN_OR_RETURN(std::string_view response, r.Bytes(i, 16));
    c.response_json = response;
  }
  VGI_ASSIGN_OR_RETURN(c.finished_at, r.OptTime(i, 17));
  c.operator_id = op;
  out.interface_name = interface;
  c.task_id = task;
  c.regulation_id = regulation;
  c.data_json = data;
  c.state = static_cast<OutboxState>(state);
  c.attempts = static_cast<int>(attempts);
  c.lease_owner = owner;
  c.last_error = last_error;
  if (ret) c.ret = static_cast<int>(*ret);
  c.msg = msg;
  return out;
}

Result<std::vector<StoredCommand>> ReadCommands(const pg::Rows& r) {
  std::vector<StoredCommand> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(StoredCommand c, ReadCommand(r, i));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<OutboxCommand>> OpenCommands(const Sealer& sealer, std::vector<StoredCommand> stored) {
  std::vector<OutboxCommand> out;
  out.reserve(stored.size());
  for (StoredCommand& s : stored) {
    VGI_ASSIGN_OR_RETURN(OutboxCommand c, record::OpenCommand(sealer, std::move(s)));
    out.push_back(std::move(c));
  }
  return out;
}

Result<AlarmRow> ReadAlarm(const pg::Rows& r, int i) {
  AlarmRow a;
  VGI_ASSIGN_OR_RETURN(a.id, r.Int64(i, 0));
  VGI_ASSIGN_OR_RETURN(std::string_view type, r.Bytes(i, 1));
  VGI_ASSIGN_OR_RETURN(std::string_view object, r.Bytes(i, 2));
  VGI_ASSIGN_OR_RETURN(std::int64_t level, r.Int64(i, 3));
  VGI_ASSIGN_OR_RETURN(std::int64_t state, r.Int64(i, 4));
  VGI_ASSIGN_OR_RETURN(std::string_view module, r.Bytes(i, 5));
  VGI_ASSIGN_OR_RETURN(std::string_view title, r.Bytes(i, 6));
  VGI_ASSIGN_OR_RETURN(std::string_view detail, r.Bytes(i, 7));
  VGI_ASSIGN_OR_RETURN(a.count, r.Int64(i, 8));
  VGI_ASSIGN_OR_RETURN(a.first_at, r.Time(i, 9));
  VGI_ASSIGN_OR_RETURN(a.last_at, r.Time(i, 10));
  a.type = type;
  a.object = object;
  a.level = static_cast<AlarmLevel>(level);
  a.state = static_cast<AlarmState>(state);
  a.module = module;
  a.title = title;
  a.detail = detail;
  return a;
}

std::int64_t SqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

// ---- outbox -------------------------------------------------------------------------------------

Result<std::int64_t> PostgresStore::InsertCommand(pg::Connection& c, const OutboxCommand& command,
                                                  const InstructionRow* instruction) const {
  VGI_RETURN_IF_ERROR(record::CheckCommand(command));
  if (options_.sealer == nullptr) return NoSealer();
  pg::Params p;
  p.Text(command.operator_id)
      .Text(record::InterfaceName(command.interface))
      .Text(command.task_id)
      .Text(command.regulation_id)
      .Bytes(options_.sealer->Seal(command.data_json, record::OutboxContext(command.operator_id)))
      .Time(command.created_at)
      .Time(command.deadline);
  constexpr const char* kInsert =
      "INSERT INTO outbox (operator_id, interface, task_id, regulation_id, data, created_at, deadline, state, "
      "attempts, next_attempt_at, lease_owner, last_error, msg) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $6, '', '', '') RETURNING id";
  if (instruction == nullptr) {
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c.Prepared("vgi_enqueue", kInsert, p));
    return r.Int64(0, 0);
  }
  if (instruction->operator_id.empty() || instruction->instruction.regulation_id.empty()) {
    return Status::Invalid("instruction: operator_id and regulationID must not be empty");
  }
  VGI_ASSIGN_OR_RETURN(std::string sealed, record::SealInstructionChecked(*options_.sealer, instruction->operator_id,
                                                                          instruction->instruction));
  p.Text(instruction->operator_id)
      .Text(instruction->instruction.regulation_id)
      .Text(instruction->instruction.task_id)
      .Int16(static_cast<std::int16_t>(instruction->instruction.synchro_type))
      .Time(instruction->sent_at)
      .Bytes(sealed);
  // One statement, so one transaction on its own: the instruction upsert (as PutInstruction)
  // runs to completion in the CTE whether or not the outer INSERT reads it.
  static const std::string sql =
      std::string(
          "WITH instruction AS (INSERT INTO instructions (operator_id, regulation_id, task_id, synchro_type, "
          "sent_at, sealed) VALUES ($8, $9, $10, $11, $12, $13) ON CONFLICT (operator_id, regulation_id) DO "
          "UPDATE SET task_id = excluded.task_id, synchro_type = excluded.synchro_type, "
          "sent_at = excluded.sent_at, sealed = excluded.sealed) ") +
      kInsert;
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c.Prepared("vgi_enqueue_with_instruction", sql, p));
  return r.Int64(0, 0);
}

// ---- ApplyEngineWrite's commands ------------------------------------------------------------------

namespace {

// Rows per statement: a chunk's array parameters stay a few MB.
constexpr std::size_t kCommandChunkRows = 10'000;

// As InsertCommand's CTE (PutInstruction), for many rows: one per key, in key order.
constexpr const char* kInstructionUpsertSql = R"sql(
INSERT INTO instructions (operator_id, regulation_id, task_id, synchro_type, sent_at, sealed)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int2[], $5::timestamptz[], $6::bytea[])
ON CONFLICT (operator_id, regulation_id) DO UPDATE SET task_id = excluded.task_id,
  synchro_type = excluded.synchro_type, sent_at = excluded.sent_at, sealed = excluded.sealed
)sql";

// As InsertCommand's insert, for many rows. The ids: PostgreSQL promises no order in which an
// INSERT ... SELECT evaluates the identity's nextval for its rows (not even under ORDER BY), so the
// statement first draws one value per row (`ids`), ranks them, and gives the n-th smallest to the
// n-th command (WITH ORDINALITY): ids increase in command order whatever the plan. A sequence
// never goes back within a session, so a later chunk's ids are larger still.
constexpr const char* kCommandInsertSql = R"sql(
WITH ids AS (
  SELECT row_number() OVER (ORDER BY id) AS n, id
  FROM (SELECT nextval(q.seq) AS id
        FROM (SELECT pg_get_serial_sequence('outbox', 'id')::regclass AS seq) AS q,
             generate_series(1, cardinality($1::text[]))) AS s
)
INSERT INTO outbox (id, operator_id, interface, task_id, regulation_id, data, created_at, deadline, state,
                    attempts, next_attempt_at, lease_owner, last_error, msg)
OVERRIDING SYSTEM VALUE
SELECT ids.id, u.op, u.interface, u.task, u.regulation, u.data, u.created_at, u.deadline, 0, 0, u.created_at,
       '', '', ''
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::timestamptz[], $7::timestamptz[])
       WITH ORDINALITY AS u(op, interface, task, regulation, data, created_at, deadline, n)
  JOIN ids ON ids.n = u.n
RETURNING id
)sql";

}  // namespace

Result<std::vector<PostgresStore::SealedCommand>> PostgresStore::SealCommands(
    const std::vector<EngineWrite::Command>& commands) const {
  std::vector<SealedCommand> out;
  if (commands.empty()) return out;
  if (options_.sealer == nullptr) return NoSealer();
  out.reserve(commands.size());
  // The checks are record::CheckEngineWrite's, done by the caller.
  for (const EngineWrite::Command& c : commands) {
    SealedCommand& s = out.emplace_back();
    s.command = &c.command;
    s.data = options_.sealer->Seal(c.command.data_json, record::OutboxContext(c.command.operator_id));
    if (c.instruction) {
      s.instruction = &*c.instruction;
      VGI_ASSIGN_OR_RETURN(
          s.sealed_instruction,
          record::SealInstructionChecked(*options_.sealer, c.instruction->operator_id, c.instruction->instruction));
    }
  }
  return out;
}

Result<std::vector<std::int64_t>> PostgresStore::InsertCommands(pg::Connection& c,
                                                                const std::vector<SealedCommand>& commands) const {
  // One instruction row per key (ON CONFLICT may not touch a row twice in one statement): the last
  // command's, as one upsert after another would leave it; in key order (byte order, as the keys'
  // COLLATE "C") so concurrent transactions lock rows in the same order.
  std::map<std::pair<std::string_view, std::string_view>, const SealedCommand*> instructions;
  for (const SealedCommand& s : commands) {
    if (s.instruction == nullptr) continue;
    instructions[{s.instruction->operator_id, s.instruction->instruction.regulation_id}] = &s;
  }
  for (auto it = instructions.begin(); it != instructions.end();) {
    pg::ArrayBuilder op(pg::kTextOid), regulation(pg::kTextOid), task(pg::kTextOid), synchro(pg::kInt2Oid),
        sent(pg::kTimestamptzOid), sealed(pg::kByteaOid);
    for (std::size_t n = 0; n < kCommandChunkRows && it != instructions.end(); ++n, ++it) {
      const SealedCommand& s = *it->second;
      op.Add(s.instruction->operator_id);
      regulation.Add(s.instruction->instruction.regulation_id);
      task.Add(s.instruction->instruction.task_id);
      synchro.AddInt16(static_cast<std::int16_t>(s.instruction->instruction.synchro_type));
      sent.AddTime(s.instruction->sent_at);
      sealed.Add(s.sealed_instruction);
    }
    pg::Params p;
    p.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, regulation)
        .Array(pg::kTextArrayOid, task)
        .Array(pg::kInt2ArrayOid, synchro)
        .Array(pg::kTimestamptzArrayOid, sent)
        .Array(pg::kByteaArrayOid, sealed);
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_engine_instructions", kInstructionUpsertSql, p).status());
  }

  std::vector<std::int64_t> ids;
  ids.reserve(commands.size());
  for (std::size_t first = 0; first < commands.size(); first += kCommandChunkRows) {
    const std::size_t end = std::min(commands.size(), first + kCommandChunkRows);
    pg::ArrayBuilder op(pg::kTextOid), interface(pg::kTextOid), task(pg::kTextOid), regulation(pg::kTextOid),
        data(pg::kByteaOid), created(pg::kTimestamptzOid), deadline(pg::kTimestamptzOid);
    for (std::size_t i = first; i < end; ++i) {
      const OutboxCommand& command = *commands[i].command;
      op.Add(command.operator_id);
      interface.Add(record::InterfaceName(command.interface));
      task.Add(command.task_id);
      regulation.Add(command.regulation_id);
      data.Add(commands[i].data);
      created.AddTime(command.created_at);
      deadline.AddTime(command.deadline);
    }
    pg::Params p;
    p.Array(pg::kTextArrayOid, op)
        .Array(pg::kTextArrayOid, interface)
        .Array(pg::kTextArrayOid, task)
        .Array(pg::kTextArrayOid, regulation)
        .Array(pg::kByteaArrayOid, data)
        .Array(pg::kTimestamptzArrayOid, created)
        .Array(pg::kTimestamptzArrayOid, deadline);
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c.Prepared("vgi_engine_outbox", kCommandInsertSql, p));
    if (static_cast<std::size_t>(r.size()) != end - first) {
      return Status::Internal("outbox: " + std::to_string(end - first) + " commands inserted, " +
                              std::to_string(r.size()) + " ids returned");
    }
    // RETURNING yields rows in no particular order; the ids were given in command order.
    const std::size_t base = ids.size();
    for (int i = 0; i < r.size(); ++i) {
      VGI_ASSIGN_OR_RETURN(const std::int64_t id, r.Int64(i, 0));
      ids.push_back(id);
    }
    std::sort(ids.begin() + static_cast<std::ptrdiff_t>(base), ids.end());
  }
  return ids;
}

Result<std::int64_t> PostgresStore::Enqueue(const OutboxCommand& command, const InstructionRow* instruction) {
  VGI_RETURN_IF_ERROR(record::CheckCommand(command));
  if (options_.sealer == nullptr) return NoSealer();
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  return InsertCommand(*c, command, instruction);
}

Result<std::vector<OutboxCommand>> PostgresStore::ClaimOutbox(std::string_view node, SystemTime now,
                                                              std::chrono::milliseconds lease, std::size_t limit) {
  VGI_RETURN_IF_ERROR(record::CheckClaim(node, lease));
  if (options_.sealer == nullptr) return NoSealer();
  if (limit == 0) return std::vector<OutboxCommand>();
  // The subquery walks outbox_due in claim order; SKIP LOCKED passes over rows a concurrent
  // claimer holds, and a row leased by a claim that committed meanwhile fails the lease
  // condition when re-checked on its latest version.
  static const std::string sql =
      std::string(
          "UPDATE outbox o SET lease_owner = $1, lease_until = $2, attempts = o.attempts + 1 FROM (SELECT "
          "operator_id, id FROM outbox WHERE state = 0 AND next_attempt_at <= $3 AND deadline > $3 AND "
          "(lease_until IS NULL OR lease_until <= $3) ORDER BY next_attempt_at, id LIMIT $4 "
          "FOR UPDATE SKIP LOCKED) due WHERE o.operator_id = due.operator_id AND o.id = due.id RETURNING ") +
      kCommandColumnsO;
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(
      pg::Rows r,
      c->Prepared("vgi_claim_outbox", sql, pg::Params().Text(node).Time(now + lease).Time(now).Int64(SqlLimit(limit))));
  VGI_ASSIGN_OR_RETURN(std::vector<StoredCommand> claimed, ReadCommands(r));
  // RETURNING yields rows in no particular order.
  std::sort(claimed.begin(), claimed.end(), [](const StoredCommand& a, const StoredCommand& b) {
    return std::tie(a.command.next_attempt_at, a.command.id) < std::tie(b.command.next_attempt_at, b.command.id);
  });
  return OpenCommands(*options_.sealer, std::move(claimed));
}

Status PostgresStore::FinishOutbox(std::int64_t id, std::string_view node, const OutboxOutcome& outcome) {
  VGI_RETURN_IF_ERROR(record::CheckOutcome(outcome));
  if (options_.sealer == nullptr) return NoSealer();
  static const std::string select = std::string("SELECT ") + kCommandColumns + " FROM outbox WHERE id = $1 FOR UPDATE";
  return pool_->Transaction([&](pg::Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c.Prepared("vgi_finish_outbox_lock", select, pg::Params().Int64(id)));
    if (r.size() == 0) return record::OutboxNotFound(id);
    VGI_ASSIGN_OR_RETURN(StoredCommand row, ReadCommand(r, 0));
    OutboxCommand& o = row.command;
    VGI_RETURN_IF_ERROR(record::ApplyOutcome(*options_.sealer, node, outcome, o));
    pg::Params p;
    p.Text(o.operator_id)
        .Int64(o.id)
        .Int16(static_cast<std::int16_t>(o.state))
        .Time(o.next_attempt_at)
        .Text(o.lease_owner)
        .OptTime(o.lease_until)
        .Text(o.last_error);
    if (o.ret) {
      p.Int32(*o.ret);
    } else {
      p.Null(pg::kInt4Oid);
    }
    p.Text(o.msg);
    if (o.response_json.empty()) {
      p.Null(pg::kByteaOid);
    } else {
      p.Bytes(o.response_json);
    }
    p.OptTime(o.finished_at);
    return c
        .Prepared("vgi_finish_outbox",
                  "UPDATE outbox SET state = $3, next_attempt_at = $4, lease_owner = $5, lease_until = $6, "
                  "last_error = $7, ret = $8, msg = $9, response = $10, finished_at = $11 "
                  "WHERE operator_id = $1 AND id = $2",
                  p)
        .status();
  });
}

Result<std::vector<OutboxCommand>> PostgresStore::ExpireOutbox(SystemTime now) {
  if (options_.sealer == nullptr) return NoSealer();
  static const std::string sql =
      std::string(
          "UPDATE outbox SET state = 3, last_error = $2, finished_at = $1, lease_owner = '', "
          "lease_until = NULL WHERE state = 0 AND deadline <= $1 AND (lease_until IS NULL OR lease_until <= $1) "
          "RETURNING ") +
      kCommandColumns;
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r,
                       c->Prepared("vgi_expire_outbox", sql, pg::Params().Time(now).Text(record::kDeadlinePassed)));
  VGI_ASSIGN_OR_RETURN(std::vector<StoredCommand> expired, ReadCommands(r));
  std::sort(expired.begin(), expired.end(),
            [](const StoredCommand& a, const StoredCommand& b) { return a.command.id < b.command.id; });
  return OpenCommands(*options_.sealer, std::move(expired));
}

Result<std::optional<OutboxCommand>> PostgresStore::GetOutbox(std::int64_t id) {
  if (options_.sealer == nullptr) return NoSealer();
  static const std::string sql = std::string("SELECT ") + kCommandColumns + " FROM outbox WHERE id = $1";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_get_outbox", sql, pg::Params().Int64(id)));
  if (r.size() == 0) return std::optional<OutboxCommand>();
  VGI_ASSIGN_OR_RETURN(StoredCommand row, ReadCommand(r, 0));
  VGI_ASSIGN_OR_RETURN(OutboxCommand out, record::OpenCommand(*options_.sealer, std::move(row)));
  return std::optional<OutboxCommand>(std::move(out));
}

Result<std::vector<OutboxCommand>> PostgresStore::ListOutbox(const OutboxFilter& filter) {
  if (options_.sealer == nullptr) return NoSealer();
  if (filter.limit == 0) return std::vector<OutboxCommand>();
  // Only the filters given appear in the statement, so the planner picks the index that fits.
  std::string sql = std::string("SELECT ") + kCommandColumns + " FROM outbox";
  pg::Params p;
  const char* sep = " WHERE ";
  auto add = [&](const char* column) {
    sql.append(sep).append(column).append(" = $").append(std::to_string(p.size()));
    sep = " AND ";
  };
  if (filter.operator_id) {
    p.Text(*filter.operator_id);
    add("operator_id");
  }
  if (filter.regulation_id) {
    p.Text(*filter.regulation_id);
    add("regulation_id");
  }
  if (filter.state) {
    p.Int16(static_cast<std::int16_t>(*filter.state));
    add("state");
  }
  p.Int64(SqlLimit(filter.limit));
  sql.append(" ORDER BY id LIMIT $").append(std::to_string(p.size()));
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec(sql, p));
  VGI_ASSIGN_OR_RETURN(std::vector<StoredCommand> rows, ReadCommands(r));
  return OpenCommands(*options_.sealer, std::move(rows));
}

// ---- alarms -------------------------------------------------------------------------------------

Result<AlarmRow> PostgresStore::RaiseAlarm(const AlarmRow& alarm) {
  VGI_RETURN_IF_ERROR(record::CheckAlarm(alarm));
  static const std::string sql =
      std::string(
          "INSERT INTO alarms (type, object, level, state, module, title, detail, count, first_at, last_at) "
          "VALUES ($1, $2, $3, 1, $4, $5, $6, 1, $7, $8) ON CONFLICT (type, object) WHERE state <> 3 DO UPDATE "
          "SET count = alarms.count + 1, last_at = excluded.last_at, detail = excluded.detail, "
          "level = excluded.level, title = excluded.title RETURNING ") +
      kAlarmColumns;
  pg::Params p;
  p.Text(alarm.type)
      .Text(alarm.object)
      .Int16(static_cast<std::int16_t>(alarm.level))
      .Text(alarm.module)
      .Text(alarm.title)
      .Text(alarm.detail)
      .Time(alarm.first_at)
      .Time(alarm.last_at);
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_raise_alarm", sql, p));
  return ReadAlarm(r, 0);
}

Result<std::vector<AlarmRow>> PostgresStore::ListAlarms(bool include_closed) {
  static const std::string all = std::string("SELECT ") + kAlarmColumns + " FROM alarms ORDER BY last_at DESC, id DESC";
  static const std::string live =
      std::string("SELECT ") + kAlarmColumns + " FROM alarms WHERE state <> 3 ORDER BY last_at DESC, id DESC";
  VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
  VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Exec(include_closed ? all : live));
  std::vector<AlarmRow> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(AlarmRow a, ReadAlarm(r, i));
    out.push_back(std::move(a));
  }
  return out;
}

Status PostgresStore::SetAlarmState(std::int64_t id, AlarmState state) {
  VGI_RETURN_IF_ERROR(record::CheckAlarmState(state));
  return pool_->Transaction([&](pg::Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(pg::Rows r,
                         c.Prepared("vgi_alarm_lock", "SELECT state, type, object FROM alarms WHERE id = $1 FOR UPDATE",
                                    pg::Params().Int64(id)));
    if (r.size() == 0) return record::AlarmNotFound(id);
    VGI_ASSIGN_OR_RETURN(std::int64_t current, r.Int64(0, 0));
    if (current == static_cast<int>(AlarmState::kClosed) && state != AlarmState::kClosed) {
      VGI_ASSIGN_OR_RETURN(std::string_view type, r.Bytes(0, 1));
      VGI_ASSIGN_OR_RETURN(std::string_view object, r.Bytes(0, 2));
      VGI_ASSIGN_OR_RETURN(
          pg::Rows live,
          c.Prepared("vgi_alarm_live", "SELECT id FROM alarms WHERE type = $1 AND object = $2 AND state <> 3 LIMIT 1",
                     pg::Params().Text(type).Text(object)));
      if (live.size() > 0) {
        VGI_ASSIGN_OR_RETURN(std::int64_t live_id, live.Int64(0, 0));
        return record::AlarmStillLive(id, live_id);
      }
    }
    // A raise that opens a new row for the same (type, object) between the check and this
    // update makes it fail on alarms_live (Internal, SQLSTATE 23505): never two live rows.
    return c
        .Prepared("vgi_alarm_state", "UPDATE alarms SET state = $2 WHERE id = $1",
                  pg::Params().Int64(id).Int16(static_cast<std::int16_t>(state)))
        .status();
  });
}

}  // namespace vgi::store
