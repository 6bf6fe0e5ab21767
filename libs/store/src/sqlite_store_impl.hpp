#pragma once
// Private to the SQLite store: the class behind OpenSqliteStore (sqlite_store.hpp), split over
// sqlite_store.cpp (open, migrations, checkpointer, peers, instructions, feedback lists),
// sqlite_power.cpp (WriteBatch commits, station-days, replay keys), sqlite_station.cpp (the
// station model sync), sqlite_outbox.cpp (the outbox and alarms), sqlite_engine.cpp (the
// regulation engine's tables and leases), sqlite_console.cpp (users, sessions, audit) and
// sqlite_topology.cpp (the grid topology).
//
// Connections: one writer (every write method is one BEGIN IMMEDIATE .. COMMIT under write_mu_),
// a small pool of readers (WAL lets them read a committed snapshot while the writer writes), and
// a checkpointer thread with its own connection that copies the WAL back into the database
// off the writer's path (the writer's automatic checkpoint is off).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator_day_cache.hpp"
#include "outbox_record.hpp"
#include "sqlite_db.hpp"
#include "vgi/store/store.hpp"

namespace vgi::store::sqlite {

// Registers the SQL functions the power updates and the migrations use (sqlite_power.cpp) on
// the writer.
Status RegisterPowerFunctions(Connection& c);

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& file, const StoreOptions& options);
  ~SqliteStore() override;

  [[nodiscard]] std::string_view backend() const override { return "sqlite"; }
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

  // sqlite_outbox.cpp
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

  // sqlite_engine.cpp
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

  // Test hook (sqlite_store_testing.hpp): runs SQL on the writer connection.
  Status ExecOnWriterForTesting(const std::string& sql);

 private:
  SqliteStore(std::string file, const StoreOptions& options) : file_(std::move(file)), options_(options) {}

  Status ApplyMigrations();
  Status StartCheckpointer();
  void RunCheckpointer();
  static int WalHook(void* self, sqlite3* db, const char* name, int pages);

  // Runs `body` in one write transaction; the caller holds write_mu_. Rolls back on any error.
  Status WriteTx(std::string_view op, const std::function<Status(Connection&)>& body);

  // A reader connection from the pool, returned when the lease ends.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore& store, std::unique_ptr<Connection> conn) : store_(&store), conn_(std::move(conn)) {}
    ReaderLease(ReaderLease&&) = default;
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<Connection> conn_;
  };
  Result<ReaderLease> AcquireReader();
  // Runs `body` on a reader inside one read transaction (a consistent snapshot).
  Status ReadTx(std::string_view op, const std::function<Status(Connection&)>& body);

  // The station's days of `sorted` (ascending, distinct) that have power rows, in that order
  // (ListStationHistory, ListStationDaysOn; sqlite_power.cpp).
  Result<std::vector<StationDay>> ReadStationDaysOn(std::string_view operator_id, std::string_view station_code,
                                                    const std::vector<proto::BeijingDate>& sorted,
                                                    std::string_view op);

  // The instruction upsert of PutInstruction and Enqueue; the caller holds write_mu_ and a
  // transaction.
  static Status UpsertInstruction(Connection& c, const InstructionRow& row, std::string_view sealed,
                                  std::string_view op);
  // A command and its instruction checked and sealed (outside the write lock) for InsertCommand.
  struct SealedCommand {
    const OutboxCommand* command = nullptr;
    const InstructionRow* instruction = nullptr;  // null = none
    std::string sealed_data;
    std::string sealed_instruction;
  };
  Result<SealedCommand> SealCommand(const OutboxCommand& command, const InstructionRow* instruction) const;
  // Enqueue's insert (the instruction upsert, then the command); the caller holds write_mu_ and a
  // transaction. Returns the command's id (sqlite_outbox.cpp).
  static Result<std::int64_t> InsertCommand(Connection& c, const SealedCommand& sealed, std::string_view op);
  // The sealed documents of commands read or returned by a statement, opened (sqlite_outbox.cpp).
  Result<std::vector<OutboxCommand>> OpenCommands(std::vector<record::StoredCommand> stored) const;

  // Station model (sqlite_station.cpp); the caller holds write_mu_ and a transaction.
  Status DropSync(Connection& c, std::string_view operator_id);
  Status ApplySync(Connection& c, const std::string& operator_id, std::int64_t now, PageReceipt& receipt);
  Result<std::int64_t> ExpireLocked(Connection& c, std::int64_t now);

  [[nodiscard]] std::int64_t NowMicros() const;

  const std::string file_;
  const StoreOptions options_;

  std::mutex write_mu_;
  OperatorDayCache operator_days_;  // recomputed sums by version (ListOperatorDays)
  std::unique_ptr<Connection> writer_;

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  int readers_open_ = 0;

  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool stopping_ = false;
  std::unique_ptr<Connection> checkpointer_;
  std::thread checkpoint_thread_;
};

}  // namespace vgi::store::sqlite
