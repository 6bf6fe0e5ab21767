#pragma once
// The PostgreSQL Store (private). postgres_store.cpp: open, migrations, peers, instructions,
// feedback, replay keys, Commit; postgres_model.cpp: the station model sync;
// postgres_power.cpp: the power upsert; postgres_outbox.cpp: the outbox and alarms;
// postgres_engine.cpp: the regulation engine's tables and leases; postgres_console.cpp: users,
// sessions, audit; postgres_topology.cpp: the grid topology.
//
// Thread safety: every method takes a pooled connection for its duration; any thread.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "operator_day_cache.hpp"
#include "postgres_conn.hpp"
#include "record_codec.hpp"
#include "vgi/store/postgres_store.hpp"

namespace vgi::store {

// Pending power is kept in this many partitions by station (postgres_pending.cpp).
inline constexpr int kPendingParts = 16;

class PostgresStore final : public Store {
 public:
  PostgresStore(std::unique_ptr<pg::Pool> pool, const StoreOptions& options, const PostgresOptions& pg_options)
      : pool_(std::move(pool)), options_(options), pg_options_(pg_options) {}
  ~PostgresStore() override { StopFolder(); }
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // postgres_pending.cpp. Folds every partition; returns the station updates folded. StartFolder
  // runs FoldDuePendingPower every fold_check_every until the store is destroyed.
  Result<std::size_t> FoldPendingPower();
  void StartFolder();

  // Creates schema_version when absent and applies the pending migrations, one transaction each,
  // under a session advisory lock so concurrent opens apply each migration once.
  Status Migrate();

  [[nodiscard]] std::string_view backend() const override { return "postgres"; }
  Result<int> SchemaVersion() override;

  Status PutPeer(const PeerRow& peer) override;
  Result<std::optional<PeerRow>> GetPeer(std::string_view operator_id) override;
  Result<std::vector<PeerRow>> ListPeers() override;

  Result<PageReceipt> PutStationPage(std::string_view operator_id, const proto::StationInfoPage& page) override;
  Result<std::int64_t> ExpireSyncs() override;
  Result<std::optional<StationRecord>> GetStation(std::string_view operator_id,
                                                  std::string_view station_code) override;
  Result<std::vector<StationRecord>> ListStations(std::string_view operator_id, bool include_retired) override;
  Result<std::vector<StationIndexEntry>> ListStationIndex(std::string_view operator_id) override;
  Result<std::vector<LatestPower>> ListLatestPower(std::string_view operator_id) override;

  Status Commit(const WriteBatch& batch) override;
  Result<std::optional<StationDay>> GetStationDay(std::string_view operator_id, std::string_view station_code,
                                                  proto::BeijingDate day) override;

  Status PutInstruction(const InstructionRow& row) override;
  Result<std::optional<InstructionRow>> GetInstruction(std::string_view operator_id,
                                                       std::string_view regulation_id) override;
  Result<std::vector<FeedbackRecord>> ListFeedback(std::string_view operator_id,
                                                   std::string_view regulation_id) override;

  // postgres_outbox.cpp
  Result<std::int64_t> Enqueue(const OutboxCommand& command, const InstructionRow* instruction) override;
  Result<std::vector<OutboxCommand>> ClaimOutbox(std::string_view node, SystemTime now, std::chrono::milliseconds lease,
                                                 std::size_t limit) override;
  Status FinishOutbox(std::int64_t id, std::string_view node, const OutboxOutcome& outcome) override;
  Result<std::vector<OutboxCommand>> ExpireOutbox(SystemTime now) override;
  Result<std::optional<OutboxCommand>> GetOutbox(std::int64_t id) override;
  Result<std::vector<OutboxCommand>> ListOutbox(const OutboxFilter& filter) override;
  Result<AlarmRow> RaiseAlarm(const AlarmRow& alarm) override;
  Result<std::vector<AlarmRow>> ListAlarms(bool include_closed) override;
  Status SetAlarmState(std::int64_t id, AlarmState state) override;

  // postgres_engine.cpp
  Result<EngineWriteResult> ApplyEngineWrite(const EngineWrite& write) override;
  Result<std::optional<DemandRow>> GetDemand(std::string_view task_id) override;
  Result<std::vector<DemandRow>> ListDemands(const DemandFilter& filter) override;
  Result<std::vector<RegulationRow>> ListRegulations(const RegulationFilter& filter) override;
  Result<std::vector<SettlementRow>> ListSettlements(const SettlementFilter& filter) override;
  Result<std::vector<StationDay>> ListStationDays(std::string_view operator_id, proto::BeijingDate day) override;
  Result<std::vector<StationDay>> ListStationHistory(std::string_view operator_id, std::string_view station_code,
                                                     proto::BeijingDate from, proto::BeijingDate to) override;
  Result<std::vector<StationDay>> ListStationDaysOn(std::string_view operator_id, std::string_view station_code,
                                                    std::span<const proto::BeijingDate> days) override;
  Result<std::vector<OperatorDay>> ListOperatorDays(std::string_view operator_id, proto::BeijingDate from,
                                                    proto::BeijingDate to) override;
  Status PutUser(const UserRow& user) override;
  Result<std::optional<UserRow>> GetUser(std::string_view username) override;
  Result<std::vector<UserRow>> ListUsers() override;
  Status PutSession(const SessionRow& session) override;
  Result<std::optional<SessionRow>> GetSession(std::string_view token_digest) override;
  Status TouchSession(std::string_view token_digest, SystemTime at) override;
  Status DeleteSession(std::string_view token_digest) override;
  Result<std::int64_t> DeleteUserSessions(std::string_view username) override;
  Result<std::int64_t> PurgeSessions(SystemTime idle_before, SystemTime now) override;
  Result<AuditRow> AppendAudit(const AuditRow& row) override;
  Result<std::vector<AuditRow>> ListAudit(std::int64_t after_seq, std::size_t limit) override;
  Result<TopologyInfo> ReplaceTopology(const std::vector<TopologyEntry>& entries, std::string_view source) override;
  Result<TopologyInfo> GetTopologyInfo() override;
  Result<std::vector<TopologyEntry>> ListTopology(const TopologyFilter& filter) override;
  Result<bool> AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                            std::chrono::milliseconds ttl) override;
  Status ReleaseLease(std::string_view name, std::string_view holder) override;

  Result<std::vector<RequestKey>> LoadRequestKeys() override;
  Result<std::int64_t> PurgeRequestKeys() override;

 private:
  // Enqueue's insert on `c` (checks, sealing, the instruction upsert and the command in one
  // statement); inside a transaction when the caller opened one (ApplyEngineWrite).
  // postgres_outbox.cpp.
  Result<std::int64_t> InsertCommand(pg::Connection& c, const OutboxCommand& command,
                                     const InstructionRow* instruction) const;

  // ApplyEngineWrite's commands (already checked by record::CheckEngineWrite) sealed as
  // InsertCommand seals them, before its transaction (a retried transaction does not seal again).
  // postgres_outbox.cpp.
  struct SealedCommand {
    const OutboxCommand* command = nullptr;
    std::string data;                             // data_json sealed
    const InstructionRow* instruction = nullptr;  // nullptr = none
    std::string sealed_instruction;
  };
  Result<std::vector<SealedCommand>> SealCommands(const std::vector<EngineWrite::Command>& commands) const;
  // Writes `commands` in a few statements on `c` (inside the caller's transaction): their
  // instructions upserted as PutInstruction (the last one written wins a key named twice), then
  // the outbox rows. Returns one outbox id per command, increasing in command order.
  Result<std::vector<std::int64_t>> InsertCommands(pg::Connection& c, const std::vector<SealedCommand>& commands) const;

  // postgres_pending.cpp: folds up to FoldPoints() of partition `part` in one transaction. A
  // fold of it elsewhere holds its lock: `wait` waits for it, else this folds nothing.
  Result<std::size_t> FoldPendingPart(int part, bool wait);
  // Folds the partitions that are due (PostgresOptions).
  Result<std::size_t> FoldDuePendingPower();
  // The points a partition holds when it is due, and the most one fold transaction takes.
  [[nodiscard]] std::int64_t FoldPoints() const {
    return std::max<std::int64_t>(1, pg_options_.fold_points / kPendingParts);
  }
  void StopFolder();

  // postgres_model.cpp
  Status ApplySync(pg::Connection& c, const std::string& op, const std::int64_t total_count, SystemTime now,
                   PageReceipt& receipt, Status& refusal);
  Result<std::vector<StationRecord>> ReadStations(pg::Connection& c, std::string_view operator_id,
                                                  const std::string* station_code, bool include_retired);

  // postgres_power.cpp: one station's days in one snapshot: the power_hours rows `sql` returns
  // (columns day, hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq ordered by
  // day, hour) with the station's pending updates of the days `want_day` accepts merged in; by day.
  Result<std::vector<StationDay>> ReadStationDaysOf(std::string_view operator_id, std::string_view station_code,
                                                    const char* name, std::string_view sql, const pg::Params& params,
                                                    const std::function<bool(std::int32_t)>& want_day);

  std::unique_ptr<pg::Pool> pool_;
  OperatorDayCache operator_days_;  // recomputed sums by version (ListOperatorDays)
  const StoreOptions options_;
  const PostgresOptions pg_options_;
  std::mutex folder_mu_;
  std::condition_variable folder_cv_;
  std::atomic<bool> folder_stop_{false};  // also read between partitions of a round
  std::thread folder_;
};

// postgres_power.cpp: the batch's power updates (already checked and sliced by day, `slices[i]`
// belonging to `power[i]`) folded into power_hours rows, as the parameters of as few
// kPowerUpsertSql statements as possible, to run in order in one transaction.
extern const char* const kPowerUpsertName;
extern const char* const kPowerUpsertSql;
// `times[i]` is the time of `power[i]` (the commit that carried it): the rows' updated_at.
std::vector<pg::Params> PowerUpsertParams(const std::vector<PowerUpdate>& power,
                                          const std::vector<std::vector<record::DaySlice>>& slices,
                                          std::span<const SystemTime> times);

// postgres_power.cpp: each station's latest reading in the batch (record::LatestOf), as the
// parameters of one kLatestUpsertSql statement; nullopt when no update has a valued point.
extern const char* const kLatestUpsertName;
extern const char* const kLatestUpsertSql;
std::optional<pg::Params> LatestUpsertParams(const std::vector<PowerUpdate>& power);
// The parameters of one kOperatorDayBumpSql statement: +1 on the version of every operator-day the
// batch writes (nullopt when it writes none).
extern const char* const kOperatorDayBumpName;
extern const char* const kOperatorDayBumpSql;
std::optional<pg::Params> OperatorDayBumpParams(const std::vector<PowerUpdate>& power,
                                                const std::vector<std::vector<record::DaySlice>>& slices);

// ---- pending power (postgres_pending.cpp) ----
// The partition of a station's pending updates (a stable hash of the code).
int PendingPartOf(std::string_view station_code);
// Appends one update to a power_pending body.
void AppendPendingEntry(const proto::StationPower& p, std::string& body);
// Calls `visit` with each update of one power_pending body in order (only `station`'s unless
// empty); the update object is reused between calls. Internal when the body is malformed.
Status DecodePendingBody(std::string_view body, std::string_view operator_id, std::string_view station,
                         const std::function<Status(const PowerUpdate&)>& visit);
// The parameters of one kPendingInsertSql statement: the batch's updates as one row per
// (operator, partition), committed at `now`; nullopt without updates.
extern const char* const kPendingInsertName;
extern const char* const kPendingInsertSql;
std::optional<pg::Params> PendingInsertParams(const std::vector<PowerUpdate>& power, SystemTime now);
// The pending rows of an operator (every operator when empty; one station's partition, and only
// that station's updates, when `station` is not empty), in commit order, decoded as visited.
class PendingRows {
 public:
  // Call inside the reader's snapshot (Snapshot).
  static Result<PendingRows> Read(pg::Connection& c, std::string_view operator_id, std::string_view station);
  [[nodiscard]] bool empty() const { return rows_.size() == 0; }
  // Each update with its commit's time, in commit order.
  Status ForEach(const std::function<Status(const PowerUpdate&, SystemTime)>& visit) const;

 private:
  PendingRows(pg::Rows rows, std::string station) : rows_(std::move(rows)), station_(std::move(station)) {}
  pg::Rows rows_;
  std::string station_;
};
// Runs `body` in a read-only REPEATABLE READ transaction: the folded and the pending rows it
// reads are of one snapshot (a fold committing between two reads would otherwise count twice).
Status Snapshot(pg::Pool& pool, const std::function<Status(pg::Connection&)>& body);
// Applies the pending updates to `days` (station-days of one operator read from power_hours),
// for the days `want_day` accepts (days since 1970-01-01): when anything is pending, `days`
// becomes the merged station-days ordered by (station code, day).
Status MergeIntoDays(const PendingRows& pending, const std::function<bool(std::int32_t)>& want_day,
                     std::vector<StationDay>& days);
// Latest readings by (operator, station) with pending updates applied (store.hpp LatestPower).
using PendingLatestMap = std::map<std::pair<std::string, std::string>, LatestPower>;
Status MergePendingLatest(const PendingRows& pending, PendingLatestMap& latest);

// postgres_store.cpp: one station-day from rows [begin, end) of a result whose columns from
// `col` are "hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq" (power_hours
// rows of that station-day). `out`'s keys are set by the caller.
Status ReadStationDayHours(const pg::Rows& r, int begin, int end, int col, StationDay& out);

}  // namespace vgi::store
