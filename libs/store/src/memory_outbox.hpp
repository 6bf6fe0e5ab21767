#pragma once
// Private to the memory store: the outbox and alarm tables (store.hpp's outbox and alarms
// sections). Not thread-safe by itself: MemoryStore calls it holding its one mutex, so an
// Enqueue's command and instruction become visible together.
//
// Commands keep the sealed forms the durable backends store (outbox_record.hpp), so a missing
// or wrong Sealer fails here too.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "outbox_record.hpp"

namespace vgi::store::memory {

class OutboxTables {
 public:
  explicit OutboxTables(const Sealer* sealer) : sealer_(sealer) {}

  // Checks and seals a command for Insert (outside the store's lock: sealing is the costly part).
  Result<record::StoredCommand> Prepare(const OutboxCommand& command) const;
  std::int64_t Insert(record::StoredCommand command);

  Result<std::vector<OutboxCommand>> Claim(std::string_view node, SystemTime now, std::chrono::milliseconds lease,
                                           std::size_t limit);
  Status Finish(std::int64_t id, std::string_view node, const OutboxOutcome& outcome);
  Result<std::vector<OutboxCommand>> Expire(SystemTime now);
  Result<std::optional<OutboxCommand>> Get(std::int64_t id) const;
  Result<std::vector<OutboxCommand>> List(const OutboxFilter& filter) const;

  Result<AlarmRow> Raise(const AlarmRow& alarm);
  std::vector<AlarmRow> ListAlarms(bool include_closed) const;
  Status SetAlarmState(std::int64_t id, AlarmState state);

 private:
  Result<OutboxCommand> Open(const record::StoredCommand& stored) const;

  const Sealer* sealer_;
  std::map<std::int64_t, record::StoredCommand> commands_;  // by id
  std::int64_t last_command_id_ = 0;
  std::map<std::int64_t, AlarmRow> alarms_;  // by id
  std::int64_t last_alarm_id_ = 0;
};

}  // namespace vgi::store::memory
