// The SQLite Store's outbox and alarms (store.hpp). Every write is one BEGIN IMMEDIATE .. COMMIT
// under write_mu_ (WriteTx): the write lock serialises claimers in this process and, through
// SQLite's file lock, in other processes on the same file. Sealed documents are opened after the
// transaction, off the writer.
#include <algorithm>
#include <array>
#include <limits>
#include <tuple>

#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"

namespace vgi::store::sqlite {
namespace {

using record::FromMicros;
using record::StoredCommand;
using record::ToMicros;

constexpr const char* kCommandColumns =
    "id, operator_id, interface, task_id, regulation_id, sealed_data, created_at, deadline, state, attempts,"
    " next_attempt_at, lease_owner, lease_until, last_error, ret, msg, sealed_response, finished_at";

constexpr const char* kAlarmColumns = "id, type, object, level, state, module, title, detail, count, first_at, last_at";

std::optional<SystemTime> OptionalTime(const Stmt& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return FromMicros(s.ColInt(col));
}

StoredCommand ReadCommand(const Stmt& s) {
  StoredCommand out;
  OutboxCommand& c = out.command;
  c.id = s.ColInt(0);
  c.operator_id = s.ColText(1);
  out.interface_name = s.ColText(2);
  c.task_id = s.ColText(3);
  c.regulation_id = s.ColText(4);
  c.data_json = s.ColBlob(5);
  c.created_at = FromMicros(s.ColInt(6));
  c.deadline = FromMicros(s.ColInt(7));
  c.state = static_cast<OutboxState>(s.ColInt(8));
  c.attempts = static_cast<int>(s.ColInt(9));
  c.next_attempt_at = FromMicros(s.ColInt(10));
  c.lease_owner = s.ColText(11);
  c.lease_until = OptionalTime(s, 12);
  c.last_error = s.ColText(13);
  if (!s.IsNull(14)) c.ret = static_cast<int>(s.ColInt(14));
  c.msg = s.ColText(15);
  if (!s.IsNull(16)) c.response_json = s.ColBlob(16);
  c.finished_at = OptionalTime(s, 17);
  return out;
}

// Steps `s` to its end, collecting every row.
Result<std::vector<StoredCommand>> ReadCommands(Stmt& s) {
  std::vector<StoredCommand> out;
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadCommand(s));
  }
}

AlarmRow ReadAlarm(const Stmt& s) {
  AlarmRow a;
  a.id = s.ColInt(0);
  a.type = s.ColText(1);
  a.object = s.ColText(2);
  a.level = static_cast<AlarmLevel>(s.ColInt(3));
  a.state = static_cast<AlarmState>(s.ColInt(4));
  a.module = s.ColText(5);
  a.title = s.ColText(6);
  a.detail = s.ColText(7);
  a.count = s.ColInt(8);
  a.first_at = FromMicros(s.ColInt(9));
  a.last_at = FromMicros(s.ColInt(10));
  return a;
}

std::int64_t SqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

void BindOptionalTime(Stmt& s, int i, const std::optional<SystemTime>& t) {
  if (t) {
    s.Int(i, ToMicros(*t));
  } else {
    s.Null(i);
  }
}

}  // namespace

Result<std::vector<OutboxCommand>> SqliteStore::OpenCommands(std::vector<StoredCommand> stored) const {
  std::vector<OutboxCommand> out;
  out.reserve(stored.size());
  for (StoredCommand& s : stored) {
    VGI_ASSIGN_OR_RETURN(OutboxCommand c, record::OpenCommand(*options_.sealer, std::move(s)));
    out.push_back(std::move(c));
  }
  return out;
}

// ---- outbox -------------------------------------------------------------------------------------

Result<SqliteStore::SealedCommand> SqliteStore::SealCommand(const OutboxCommand& command,
                                                            const InstructionRow* instruction) const {
  VGI_RETURN_IF_ERROR(record::CheckCommand(command));
  SealedCommand out;
  out.command = &command;
  out.instruction = instruction;
  if (instruction != nullptr) {
    if (instruction->operator_id.empty() || instruction->instruction.regulation_id.empty()) {
      return Status::Invalid("instruction: operator_id and regulationID must not be empty");
    }
    VGI_ASSIGN_OR_RETURN(
        out.sealed_instruction,
        record::SealInstructionChecked(*options_.sealer, instruction->operator_id, instruction->instruction));
  }
  out.sealed_data = options_.sealer->Seal(command.data_json, record::OutboxContext(command.operator_id));
  return out;
}

Result<std::int64_t> SqliteStore::InsertCommand(Connection& c, const SealedCommand& sealed, std::string_view op) {
  const OutboxCommand& command = *sealed.command;
  if (sealed.instruction != nullptr) {
    VGI_RETURN_IF_ERROR(UpsertInstruction(c, *sealed.instruction, sealed.sealed_instruction, op));
  }
  // The id is MAX + 1 under the write lock: increasing, and unique across processes.
  VGI_ASSIGN_OR_RETURN(
      Stmt s,
      c.Prepare("INSERT INTO outbox(operator_id, id, interface, task_id, regulation_id, sealed_data, created_at,"
                " deadline, state, attempts, next_attempt_at, lease_owner, lease_until, last_error, ret, msg,"
                " sealed_response, finished_at)"
                " VALUES(?1, (SELECT COALESCE(MAX(id), 0) + 1 FROM outbox), ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, ?6,"
                " '', NULL, '', NULL, '', NULL, NULL) RETURNING id",
                op));
  s.Text(1, command.operator_id).Text(2, record::InterfaceName(command.interface)).Text(3, command.task_id);
  s.Text(4, command.regulation_id).Blob(5, sealed.sealed_data);
  s.Int(6, ToMicros(command.created_at)).Int(7, ToMicros(command.deadline));
  VGI_RETURN_IF_ERROR(s.RowOrNotFound());
  const std::int64_t id = s.ColInt(0);
  VGI_RETURN_IF_ERROR(s.Run());
  return id;
}

Result<std::int64_t> SqliteStore::Enqueue(const OutboxCommand& command, const InstructionRow* instruction) {
  VGI_ASSIGN_OR_RETURN(const SealedCommand sealed, SealCommand(command, instruction));
  std::int64_t id = 0;
  std::lock_guard lock(write_mu_);
  VGI_RETURN_IF_ERROR(WriteTx("Enqueue", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(id, InsertCommand(c, sealed, "Enqueue"));
    return Status::Ok();
  }));
  return id;
}

Result<std::vector<OutboxCommand>> SqliteStore::ClaimOutbox(std::string_view node, SystemTime now,
                                                            std::chrono::milliseconds lease, std::size_t limit) {
  VGI_RETURN_IF_ERROR(record::CheckClaim(node, lease));
  if (limit == 0) return std::vector<OutboxCommand>();
  // INDEXED BY: without statistics the planner prefers outbox_by_state and sorts every pending
  // row; outbox_due yields them in claim order and stops at the limit.
  static const std::string sql =
      std::string(
          "UPDATE outbox SET lease_owner=?1, lease_until=?2, attempts=attempts+1 WHERE id IN"
          " (SELECT id FROM outbox INDEXED BY outbox_due WHERE state=0 AND next_attempt_at<=?3 AND deadline>?3"
          " AND (lease_until IS NULL OR lease_until<=?3) ORDER BY next_attempt_at, id LIMIT ?4) RETURNING ") +
      kCommandColumns;
  std::vector<StoredCommand> claimed;
  {
    std::lock_guard lock(write_mu_);
    VGI_RETURN_IF_ERROR(WriteTx("ClaimOutbox", [&](Connection& c) -> Status {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "ClaimOutbox"));
      s.Text(1, node).Int(2, ToMicros(now + lease)).Int(3, ToMicros(now)).Int(4, SqlLimit(limit));
      VGI_ASSIGN_OR_RETURN(claimed, ReadCommands(s));
      return Status::Ok();
    }));
  }
  // RETURNING yields rows in no particular order.
  std::sort(claimed.begin(), claimed.end(), [](const StoredCommand& a, const StoredCommand& b) {
    return std::tie(a.command.next_attempt_at, a.command.id) < std::tie(b.command.next_attempt_at, b.command.id);
  });
  return OpenCommands(std::move(claimed));
}

Status SqliteStore::FinishOutbox(std::int64_t id, std::string_view node, const OutboxOutcome& outcome) {
  VGI_RETURN_IF_ERROR(record::CheckOutcome(outcome));
  static const std::string select = std::string("SELECT ") + kCommandColumns + " FROM outbox WHERE id=?";
  std::lock_guard lock(write_mu_);
  return WriteTx("FinishOutbox", [&](Connection& c) -> Status {
    StoredCommand row;
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(select.c_str(), "FinishOutbox"));
      VGI_ASSIGN_OR_RETURN(const bool found, s.Int(1, id).Step());
      if (!found) return record::OutboxNotFound(id);
      row = ReadCommand(s);
    }
    OutboxCommand& r = row.command;
    VGI_RETURN_IF_ERROR(record::ApplyOutcome(*options_.sealer, node, outcome, r));
    VGI_ASSIGN_OR_RETURN(Stmt u, c.Prepare("UPDATE outbox SET state=?, next_attempt_at=?, lease_owner=?, lease_until=?,"
                                           " last_error=?, ret=?, msg=?, sealed_response=?, finished_at=? WHERE id=?",
                                           "FinishOutbox"));
    u.Int(1, static_cast<int>(r.state)).Int(2, ToMicros(r.next_attempt_at)).Text(3, r.lease_owner);
    BindOptionalTime(u, 4, r.lease_until);
    u.Text(5, r.last_error);
    if (r.ret) {
      u.Int(6, *r.ret);
    } else {
      u.Null(6);
    }
    u.Text(7, r.msg);
    if (r.response_json.empty()) {
      u.Null(8);
    } else {
      u.Blob(8, r.response_json);
    }
    BindOptionalTime(u, 9, r.finished_at);
    u.Int(10, id);
    return u.Run();
  });
}

Result<std::vector<OutboxCommand>> SqliteStore::ExpireOutbox(SystemTime now) {
  static const std::string sql =
      std::string(
          "UPDATE outbox INDEXED BY outbox_due SET state=3, last_error=?2, finished_at=?1, lease_owner='', "
          "lease_until=NULL"
          " WHERE state=0 AND deadline<=?1 AND (lease_until IS NULL OR lease_until<=?1) RETURNING ") +
      kCommandColumns;
  std::vector<StoredCommand> expired;
  {
    std::lock_guard lock(write_mu_);
    VGI_RETURN_IF_ERROR(WriteTx("ExpireOutbox", [&](Connection& c) -> Status {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "ExpireOutbox"));
      s.Int(1, ToMicros(now)).Text(2, record::kDeadlinePassed);
      VGI_ASSIGN_OR_RETURN(expired, ReadCommands(s));
      return Status::Ok();
    }));
  }
  std::sort(expired.begin(), expired.end(),
            [](const StoredCommand& a, const StoredCommand& b) { return a.command.id < b.command.id; });
  return OpenCommands(std::move(expired));
}

Result<std::optional<OutboxCommand>> SqliteStore::GetOutbox(std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kCommandColumns + " FROM outbox WHERE id=?";
  std::vector<StoredCommand> rows;
  VGI_RETURN_IF_ERROR(ReadTx("GetOutbox", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "GetOutbox"));
    s.Int(1, id);
    VGI_ASSIGN_OR_RETURN(rows, ReadCommands(s));
    return Status::Ok();
  }));
  if (rows.empty()) return std::optional<OutboxCommand>();
  VGI_ASSIGN_OR_RETURN(OutboxCommand c, record::OpenCommand(*options_.sealer, std::move(rows.front())));
  return std::optional<OutboxCommand>(std::move(c));
}

Result<std::vector<OutboxCommand>> SqliteStore::ListOutbox(const OutboxFilter& filter) {
  if (filter.limit == 0) return std::vector<OutboxCommand>();
  // One statement per combination of filters (the cache keys statements by their text's
  // address), so each uses the index that fits it.
  static const std::array<std::string, 8> kSql = [] {
    std::array<std::string, 8> out;
    for (int mask = 0; mask < 8; ++mask) {
      std::string where;
      auto add = [&](const char* term) {
        where += where.empty() ? std::string(" WHERE ") + term : std::string(" AND ") + term;
      };
      if ((mask & 1) != 0) add("operator_id=?1");
      if ((mask & 2) != 0) add("regulation_id=?2");
      if ((mask & 4) != 0) add("state=?3");
      out[static_cast<std::size_t>(mask)] =
          std::string("SELECT ") + kCommandColumns + " FROM outbox" + where + " ORDER BY id LIMIT ?4";
    }
    return out;
  }();
  const int mask = (filter.operator_id ? 1 : 0) | (filter.regulation_id ? 2 : 0) | (filter.state ? 4 : 0);
  std::vector<StoredCommand> rows;
  VGI_RETURN_IF_ERROR(ReadTx("ListOutbox", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(kSql[static_cast<std::size_t>(mask)].c_str(), "ListOutbox"));
    if (filter.operator_id) s.Text(1, *filter.operator_id);
    if (filter.regulation_id) s.Text(2, *filter.regulation_id);
    if (filter.state) s.Int(3, static_cast<int>(*filter.state));
    s.Int(4, SqlLimit(filter.limit));
    VGI_ASSIGN_OR_RETURN(rows, ReadCommands(s));
    return Status::Ok();
  }));
  return OpenCommands(std::move(rows));
}

// ---- alarms -------------------------------------------------------------------------------------

Result<AlarmRow> SqliteStore::RaiseAlarm(const AlarmRow& alarm) {
  VGI_RETURN_IF_ERROR(record::CheckAlarm(alarm));
  static const std::string sql =
      std::string(
          "INSERT INTO alarm(type, object, level, state, module, title, detail, count, first_at, last_at)"
          " VALUES(?,?,?,1,?,?,?,1,?,?) ON CONFLICT(type, object) WHERE state<>3 DO UPDATE SET"
          " count=count+1, last_at=excluded.last_at, detail=excluded.detail, level=excluded.level,"
          " title=excluded.title RETURNING ") +
      kAlarmColumns;
  AlarmRow out;
  std::lock_guard lock(write_mu_);
  VGI_RETURN_IF_ERROR(WriteTx("RaiseAlarm", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(sql.c_str(), "RaiseAlarm"));
    s.Text(1, alarm.type).Text(2, alarm.object).Int(3, static_cast<int>(alarm.level)).Text(4, alarm.module);
    s.Text(5, alarm.title).Text(6, alarm.detail).Int(7, ToMicros(alarm.first_at)).Int(8, ToMicros(alarm.last_at));
    VGI_RETURN_IF_ERROR(s.RowOrNotFound());
    out = ReadAlarm(s);
    return s.Run();
  }));
  return out;
}

Result<std::vector<AlarmRow>> SqliteStore::ListAlarms(bool include_closed) {
  static const std::string all = std::string("SELECT ") + kAlarmColumns + " FROM alarm ORDER BY last_at DESC, id DESC";
  static const std::string live =
      std::string("SELECT ") + kAlarmColumns + " FROM alarm WHERE state<>3 ORDER BY last_at DESC, id DESC";
  std::vector<AlarmRow> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListAlarms", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(include_closed ? all.c_str() : live.c_str(), "ListAlarms"));
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadAlarm(s));
    }
  }));
  return out;
}

Status SqliteStore::SetAlarmState(std::int64_t id, AlarmState state) {
  VGI_RETURN_IF_ERROR(record::CheckAlarmState(state));
  std::lock_guard lock(write_mu_);
  return WriteTx("SetAlarmState", [&](Connection& c) -> Status {
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT state, type, object FROM alarm WHERE id=?", "SetAlarmState"));
      VGI_ASSIGN_OR_RETURN(const bool found, s.Int(1, id).Step());
      if (!found) return record::AlarmNotFound(id);
      if (s.ColInt(0) == static_cast<int>(AlarmState::kClosed) && state != AlarmState::kClosed) {
        const std::string type(s.ColText(1));
        const std::string object(s.ColText(2));
        VGI_ASSIGN_OR_RETURN(Stmt live, c.Prepare("SELECT id FROM alarm WHERE type=? AND object=? AND state<>3 LIMIT 1",
                                                  "SetAlarmState"));
        VGI_ASSIGN_OR_RETURN(const bool other, live.Text(1, type).Text(2, object).Step());
        if (other) return record::AlarmStillLive(id, live.ColInt(0));
      }
    }
    VGI_ASSIGN_OR_RETURN(Stmt u, c.Prepare("UPDATE alarm SET state=? WHERE id=?", "SetAlarmState"));
    return u.Int(1, static_cast<int>(state)).Int(2, id).Run();
  });
}

}  // namespace vgi::store::sqlite
