#pragma once
// Store: everything vgi keeps durably, behind one interface with three implementations:
//   - SQLite (the default; one file in data_dir, WAL, synchronous=FULL)     sqlite_store.hpp
//   - PostgreSQL 15 through libpq                                           postgres_store.hpp
//   - in memory, for unit tests of the layers above                         memory_store.hpp
// One conformance suite (store_conformance.hpp) runs against all three; behaviour stated here
// is what it checks.
//
// Durability: every method that writes returns only after its transaction is committed and
// synced (SQLite synchronous=FULL; PostgreSQL synchronous_commit=on). A caller acknowledges to a
// peer only after that return. A failed write (disk full, I/O error, connection lost) returns
// Io or Unavailable, leaves nothing half-applied, and later calls work again once the cause is
// gone.
//
// Sensitive fields (the seed's "(加密)": credit codes, names, addresses, coordinates) never reach
// the database in clear: implementations seal them with the Sealer passed in StoreOptions.
//
// Sharding: every table's key starts with operator_id, the distribution column for a
// Citus-style PostgreSQL deployment (docs/storage.md).
//
// Thread safety: all methods may be called concurrently from any thread.

#include <bitset>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/station_power.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/store/outbox.hpp"
#include "vgi/store/sealer.hpp"
#include "vgi/store/topology.hpp"

namespace vgi::store {

// ---- peers -------------------------------------------------------------------------------------

// An operator platform connected to the grid. The key material is opaque to the store: the
// server seals it (Sealer, context "peer:<operator_id>") and owns its format.
struct PeerRow {
  std::string operator_id;  // 9 characters, primary key
  std::string name;
  std::string base_url;
  bool enabled = true;
  std::string sealed_keys;    // binary; inbound/outbound key sets incl. rotation overlap
  std::string settings_json;  // wire profile, IP allow-list; owned by the server
  std::optional<SystemTime> tokens_revoked_before;
  SystemTime created_at{};
  SystemTime updated_at{};
  friend bool operator==(const PeerRow&, const PeerRow&) = default;
};

// ---- station model -----------------------------------------------------------------------------

struct StationRecord {
  std::string operator_id;
  proto::Station station;  // as last synced, stakes included (retired stakes too, see below)
  bool retired = false;    // absent from the latest applied snapshot
  std::optional<SystemTime> retired_at;
  SystemTime updated_at{};  // when the snapshot that last carried it was applied
  // Per stake code: retired stakes (absent from the latest snapshot while the station was not).
  std::vector<std::string> retired_stake_codes;
  friend bool operator==(const StationRecord&, const StationRecord&) = default;
};

// What PutStationPage did with a page.
struct PageReceipt {
  std::int64_t pages_received = 0;  // distinct page numbers held for this sync, this one included
  std::int64_t page_count = 0;
  bool applied = false;             // this page completed the sync and the snapshot was applied
  // Set when applied:
  std::int64_t stations_applied = 0;
  std::int64_t stakes_applied = 0;
  std::int64_t stations_retired = 0;  // newly retired by this snapshot
  std::int64_t stakes_retired = 0;
};

// ---- grid topology: vgi/store/topology.hpp ---------------------------------------------------

// ---- power -------------------------------------------------------------------------------------

inline constexpr int kMinutesPerDay = 1440;

// One station's minute slots for one Beijing day. Slots are centi-kW (the protocol's 2
// decimals, exact). A missing slot holds 0 (the seed counts it as 0 kW in every view) and has
// its `present` bit clear (it still counts against the operator's 95 % data-quality figure).
// A point the peer sent as null is recorded as missing.
struct StationDay {
  std::string operator_id;
  std::string station_code;
  proto::BeijingDate day;
  std::vector<std::int32_t> centi_kw = std::vector<std::int32_t>(kMinutesPerDay, 0);
  std::bitset<kMinutesPerDay> present;
  // The latest adjustTopPower/adjustBottomPower received for the station on this day.
  proto::Kilowatts adjust_top_power;
  proto::Kilowatts adjust_bottom_power;
  SystemTime updated_at{};
  friend bool operator==(const StationDay&, const StationDay&) = default;
};

// A station's latest reading, kept beside the 1440 data (one small row per station) so that the
// engine and the console read "now" without the day's 6 KB. It is the latest minute any Commit
// gave a value (across days), that value, and the adjust powers of the update that carried it.
// An update whose latest valued minute is earlier than the stored one (late data) leaves it; an
// equal minute is replaced (later writes win, as in the slots); a null point never clears it.
struct LatestPower {
  std::string operator_id;
  std::string station_code;
  proto::BeijingMinute at;
  proto::Kilowatts power;
  proto::Kilowatts adjust_top_power;
  proto::Kilowatts adjust_bottom_power;
  friend bool operator==(const LatestPower&, const LatestPower&) = default;
};

// What a station listing needs without unsealing the model: the plain columns.
struct StationIndexEntry {
  std::string station_code;
  std::string area_code;
  friend bool operator==(const StationIndexEntry&, const StationIndexEntry&) = default;
};

// One operator's station-days of one Beijing day summed minute by minute: what measurement, the
// console's curves and its reports read instead of every station's 6 KB. Per minute, `present`
// counts the stations whose slot is present and `load` sums the slots (a missing slot holds 0);
// `down` and `up` sum, over the stations present in that minute, max(load − adjust_bottom, 0)
// and max(adjust_top − load, 0) with the station-day's adjust powers.
struct OperatorDay {
  std::string operator_id;
  proto::BeijingDate day;
  std::int32_t stations = 0;  // station-days summed: the stations with a row for the day
  std::vector<std::int64_t> load = std::vector<std::int64_t>(kMinutesPerDay, 0);  // centi-kW
  std::vector<std::int64_t> down = std::vector<std::int64_t>(kMinutesPerDay, 0);  // centi-kW
  std::vector<std::int64_t> up = std::vector<std::int64_t>(kMinutesPerDay, 0);    // centi-kW
  std::vector<std::int32_t> present = std::vector<std::int32_t>(kMinutesPerDay, 0);
  friend bool operator==(const OperatorDay&, const OperatorDay&) = default;
};

// Sums `days` as OperatorDay says, counting only those of `day` (what every backend stores and
// returns for the operator's day).
OperatorDay SumStationDays(std::string_view operator_id, proto::BeijingDate day, std::span<const StationDay> days);

// The longest range ListOperatorDays and ListStationHistory read in one call.
inline constexpr int kMaxDayRange = 1000;

// One station's points from one request. Points may span days (the server admits today ± 1);
// the store files each point under its own day. Later writes to a minute overwrite earlier ones.
struct PowerUpdate {
  std::string operator_id;
  proto::StationPower power;
};

// ---- instructions and feedback -----------------------------------------------------------------

// An instruction the grid sent (send_task), as the engine records it. From issue 3 on the table
// exists so callbacks can be checked against it; the engine fills it (issue 5).
struct InstructionRow {
  std::string operator_id;  // the operator it was sent to
  proto::Instruction instruction;
  SystemTime sent_at{};
  friend bool operator==(const InstructionRow&, const InstructionRow&) = default;
};

enum class FeedbackKind : int { kOverview = 1, kCheck = 2 };  // callback_task_overview / _check

struct FeedbackRecord {
  std::string operator_id;
  std::string task_id;
  std::string regulation_id;
  FeedbackKind kind = FeedbackKind::kOverview;
  std::optional<proto::Feedback> status;                  // kOverview
  std::optional<proto::InstructionAdjustment> adjustment; // kCheck
  SystemTime received_at{};
  friend bool operator==(const FeedbackRecord&, const FeedbackRecord&) = default;
};

// ---- replay keys -------------------------------------------------------------------------------

// An admitted request's (OperatorID, TimeStamp, Seq), kept until `forget_after` so a replay is
// refused after a restart too.
struct RequestKey {
  std::string operator_id;
  std::string timestamp;
  std::string seq;
  SystemTime forget_after{};
  friend bool operator==(const RequestKey&, const RequestKey&) = default;
};

// ---- group commit ------------------------------------------------------------------------------

// Writes from many requests committed in one transaction (group commit, group_committer.hpp).
// Replay keys already present are ignored (the in-memory guard decided admission).
struct WriteBatch {
  std::vector<RequestKey> request_keys;
  std::vector<PowerUpdate> power;
  std::vector<FeedbackRecord> feedback;
  [[nodiscard]] bool empty() const { return request_keys.empty() && power.empty() && feedback.empty(); }
  // Moves `other`'s contents to the end of this batch.
  void Append(WriteBatch&& other);
};

// ---- outbox (grid -> operator commands): vgi/store/outbox.hpp --------------------------------

// ---- alarms ------------------------------------------------------------------------------------

// Alarms in the one standard form (time, type, level, state, module, title, detail, count, first
// and last occurrence). An alarm is identified by (type, object) while not closed: raising it
// again counts one more occurrence instead of adding a row.
enum class AlarmLevel : int { kInfo = 1, kWarning = 2, kMajor = 3, kCritical = 4 };
enum class AlarmState : int { kOpen = 1, kAcknowledged = 2, kClosed = 3 };

struct AlarmRow {
  std::int64_t id = 0;
  std::string type;    // e.g. "outbox.dead_letter"
  std::string object;  // what it is about, e.g. "123456789/REG-1"
  AlarmLevel level = AlarmLevel::kWarning;
  AlarmState state = AlarmState::kOpen;
  std::string module;  // e.g. "relay"
  std::string title;
  std::string detail;  // the latest occurrence's detail
  std::int64_t count = 1;
  SystemTime first_at{};
  SystemTime last_at{};
  friend bool operator==(const AlarmRow&, const AlarmRow&) = default;
};

// ---- console: users, sessions, audit log (issue 6) ---------------------------------------------
// Not operator data: in a Citus-style deployment these are small coordinator-local tables.

struct UserRow {
  std::string username;       // primary key (console::CheckUsername's form)
  std::string display_name;
  std::string password_hash;  // PHC argon2id string (console/password.hpp); never a password
  std::uint8_t roles = 0;     // console::RoleSet bits; the store does not interpret them
  bool enabled = true;
  bool must_change_password = false;  // set by a reset: the next login must choose a new one
  SystemTime password_changed_at{};
  SystemTime created_at{};
  SystemTime updated_at{};
  friend bool operator==(const UserRow&, const UserRow&) = default;
};

// A console login. The store keeps the SHA-256 of the session token (console::TokenDigest),
// never the token: a copy of the database opens no session.
struct SessionRow {
  std::string token_digest;  // primary key, 64 hex
  std::string username;
  std::string source;        // the address the login came from
  SystemTime created_at{};
  SystemTime last_seen_at{};  // the idle timeout counts from here
  SystemTime expires_at{};    // absolute end, whatever the activity
  friend bool operator==(const SessionRow&, const SessionRow&) = default;
};

// One row of the append-only, hash-chained audit log: every business operation and every login
// (user, source address, operation, object, result). AppendAudit assigns seq, prev_hash and
// hash; audit_chain.hpp recomputes and checks them.
struct AuditRow {
  std::int64_t seq = 0;      // 1, 2, 3 … without gaps
  SystemTime at{};
  std::string username;      // who (as typed, for a failed login)
  std::string source;        // client address
  std::string operation;     // e.g. "login", "demand.create"
  std::string object;        // e.g. "demand:T1"
  std::string result;        // "ok", or "refused: …" / "failed: …"
  std::string detail;        // what was asked, without secrets
  std::string prev_hash;     // the previous row's hash (64 '0' before the first)
  std::string hash;          // AuditHash (audit_chain.hpp) of this row
  friend bool operator==(const AuditRow&, const AuditRow&) = default;
};

// ---- regulation engine (issue 5) ---------------------------------------------------------------
// The engine owns the documents' formats (doc_json); the store keys, indexes and commits them.
// Demands concern no single operator (like alarms); regulations and settlements are keyed by
// operator_id first like every operator table.

// A dispatcher's demand ("cut 20 MW in area 1201 from 18:00 to 20:00"). Its task_id is the
// taskID of every instruction made for it.
enum class DemandState : int {
  kDraft = 0,       // created; the engine has not decomposed it yet
  kDispatched = 1,  // instructions made; negotiation, execution, settlement under way
  kDone = 2,        // every instruction reached a final state
  kCancelled = 3,
};

struct DemandRow {
  std::string task_id;  // primary key
  DemandState state = DemandState::kDraft;
  std::string doc_json;  // the demand as asked, and the engine's working state for it
  // Compare-and-set: 0 = a new demand (Conflict "… already exists" when the task_id is taken); otherwise the
  // version last read (Conflict when it changed since). The stored row gets version + 1.
  std::int64_t version = 0;
  SystemTime created_at{};  // kept from the insert
  SystemTime updated_at{};
  friend bool operator==(const DemandRow&, const DemandRow&) = default;
};

struct DemandFilter {
  std::vector<DemandState> states;  // empty = any
  std::size_t limit = 1000;
};

// One instruction to one operator and where it is in its lifecycle (engine-owned states).
struct RegulationRow {
  std::string operator_id;    // primary key (operator_id, regulation_id)
  std::string regulation_id;
  std::string task_id;
  int state = 0;              // engine::RegulationState
  std::string doc_json;       // allocation and its explanation, answers, measurement
  SystemTime created_at{};    // kept from the insert
  SystemTime updated_at{};
  friend bool operator==(const RegulationRow&, const RegulationRow&) = default;
};

struct RegulationFilter {
  std::optional<std::string> task_id;
  std::optional<std::string> operator_id;
  std::vector<int> states;  // empty = any
  std::size_t limit = 100000;
};

// What an operator earned for one instruction (engine::InstructionSettlement encoded).
struct SettlementRow {
  std::string operator_id;    // primary key (operator_id, regulation_id)
  std::string regulation_id;
  std::string task_id;
  proto::BeijingDate day;     // the Beijing date of its first period (statements select on it)
  std::string doc_json;
  SystemTime created_at{};
  friend bool operator==(const SettlementRow&, const SettlementRow&) = default;
};

struct SettlementFilter {
  std::optional<std::string> operator_id;
  std::optional<std::string> task_id;
  std::optional<proto::BeijingDate> from_day;  // inclusive
  std::optional<proto::BeijingDate> to_day;    // inclusive
  std::size_t limit = 100000;
};

// Everything one engine step changes, committed in one transaction: all of it or none.
struct EngineWrite {
  std::optional<DemandRow> demand;          // compare-and-set as described at DemandRow::version
  std::vector<RegulationRow> regulations;   // insert or replace by key
  std::vector<SettlementRow> settlements;   // insert or replace by key
  struct Command {
    OutboxCommand command;                  // as Enqueue
    std::optional<InstructionRow> instruction;
  };
  std::vector<Command> commands;
};

struct EngineWriteResult {
  std::int64_t demand_version = 0;        // the stored version when `demand` was given
  std::vector<std::int64_t> outbox_ids;   // one per command, in order
};

struct StoreOptions {
  const Clock* clock = &Clock::System();  // received/applied/retired times
  const Sealer* sealer = nullptr;          // required: sensitive fields are sealed with it
  std::chrono::seconds sync_ttl{3600};     // an incomplete model sync expires after this
  // May be empty. Called with a migration's file name ("0010_power_hour.sql") before opening
  // applies it: one that converts stored data can take minutes on a large database, and the
  // caller says so in its log.
  std::function<void(std::string_view)> on_migration;
  // May be empty. Called from a store's own thread when background work fails (PostgreSQL: a fold
  // of pending power; the data stays pending, readers still see it, the next round retries), at
  // most once a minute while it keeps failing.
  std::function<void(const Status&)> on_background_error;
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite", "postgres" or "memory".
  [[nodiscard]] virtual std::string_view backend() const = 0;
  // The highest applied migration (the schema_version table); 0 for the memory store.
  virtual Result<int> SchemaVersion() = 0;

  // ---- peers
  // Insert or replace by operator_id. created_at is kept from the first insert.
  virtual Status PutPeer(const PeerRow& peer) = 0;
  virtual Result<std::optional<PeerRow>> GetPeer(std::string_view operator_id) = 0;
  virtual Result<std::vector<PeerRow>> ListPeers() = 0;  // ordered by operator_id

  // ---- station model (send_station_info)
  // Stores one page of the operator's sync identified by (total_count, page_count). The page
  // must already be valid (codec) and page_no in 1..page_count.
  //  - A page number already held is replaced (resends are idempotent).
  //  - A page with a different (total_count, page_count) than the open sync starts a new sync;
  //    the open one is dropped. An open sync older than sync_ttl is dropped before this page is
  //    considered (it changed nothing).
  //  - When all page numbers are held, the snapshot is checked and applied in one transaction:
  //    the stations across pages must number total_count (else Invalid "totalCount: ...") and
  //    station codes must be unique across pages, stake codes unique within the operator (else
  //    Invalid naming the code and both pages); a failed check drops the sync. Applying upserts
  //    every station and stake in the snapshot (un-retiring any that were retired) and marks
  //    the operator's stations and stakes absent from it retired (kept, with retired_at).
  virtual Result<PageReceipt> PutStationPage(std::string_view operator_id,
                                             const proto::StationInfoPage& page) = 0;
  // Drops incomplete syncs older than sync_ttl; returns how many were dropped.
  virtual Result<std::int64_t> ExpireSyncs() = 0;
  virtual Result<std::optional<StationRecord>> GetStation(std::string_view operator_id,
                                                          std::string_view station_code) = 0;
  // Ordered by station code; retired stations only when asked.
  virtual Result<std::vector<StationRecord>> ListStations(std::string_view operator_id,
                                                          bool include_retired) = 0;
  // The operator's active (not retired) stations' plain columns, ordered by station code; nothing
  // is unsealed (the engine scopes 30 000 stations per tick with it).
  virtual Result<std::vector<StationIndexEntry>> ListStationIndex(std::string_view operator_id) = 0;

  // ---- power, instructions, feedback, replay keys (group-committed)
  // Applies the whole batch in one transaction: all of it or none.
  virtual Status Commit(const WriteBatch& batch) = 0;
  // Latest readings (see LatestPower) of one operator's stations, or of every operator's when
  // `operator_id` is empty; ordered by operator, then station code. Retired stations included
  // (the caller scopes).
  virtual Result<std::vector<LatestPower>> ListLatestPower(std::string_view operator_id) = 0;
  virtual Result<std::optional<StationDay>> GetStationDay(std::string_view operator_id,
                                                          std::string_view station_code,
                                                          proto::BeijingDate day) = 0;
  // One station's station-days in [from, to], ascending (a station's baseline history). Invalid
  // when `to` is before `from` or more than kMaxDayRange days after it.
  virtual Result<std::vector<StationDay>> ListStationHistory(std::string_view operator_id,
                                                             std::string_view station_code, proto::BeijingDate from,
                                                             proto::BeijingDate to) = 0;
  // One station's station-days on `days` (any order, repeats ignored) that exist, ascending: the
  // days a baseline can use (a weekend event's fifteen weekend days), not the weeks between them.
  // Invalid when more than kMaxDayRange distinct days are given.
  virtual Result<std::vector<StationDay>> ListStationDaysOn(std::string_view operator_id,
                                                            std::string_view station_code,
                                                            std::span<const proto::BeijingDate> days) = 0;
  // The operator's days in [from, to] that have station-days, summed (OperatorDay), ascending;
  // each equals SumStationDays over that day's ListStationDays. Kept beside the station-days: each
  // Commit that writes an operator's day bumps the day's version in the same transaction, and a
  // read that finds the stored sums older than the version recomputes them (keeping them for days
  // before the store clock's today, which rarely change again). Invalid as ListStationHistory.
  virtual Result<std::vector<OperatorDay>> ListOperatorDays(std::string_view operator_id, proto::BeijingDate from,
                                                            proto::BeijingDate to) = 0;

  // ---- grid topology
  // Replaces the whole topology in one transaction: afterwards it is exactly `entries`. Invalid
  // (nothing changed) when an entry fails CheckTopologyEntry ("topology[3]: market_id: ...") or an
  // (operator_id, station_code) repeats ("topology[7]: station 123456789/S1 repeats
  // topology[2]"). An empty list clears it. Returns the info as stored (version + 1).
  virtual Result<TopologyInfo> ReplaceTopology(const std::vector<TopologyEntry>& entries, std::string_view source) = 0;
  virtual Result<TopologyInfo> GetTopologyInfo() = 0;
  // Matching entries ordered by operator_id, then station_code.
  virtual Result<std::vector<TopologyEntry>> ListTopology(const TopologyFilter& filter) = 0;

  virtual Status PutInstruction(const InstructionRow& row) = 0;  // replaces by regulation_id
  virtual Result<std::optional<InstructionRow>> GetInstruction(std::string_view operator_id,
                                                               std::string_view regulation_id) = 0;
  // Ordered by received_at, then insertion.
  virtual Result<std::vector<FeedbackRecord>> ListFeedback(std::string_view operator_id,
                                                           std::string_view regulation_id) = 0;

  // ---- outbox
  // Inserts `command` (id, state, attempts, lease and answer fields are ignored: a new command is
  // kPending with next_attempt_at = created_at) and, when given, `instruction` (replacing by
  // regulation_id) in one transaction. Returns the command's id.
  virtual Result<std::int64_t> Enqueue(const OutboxCommand& command, const InstructionRow* instruction) = 0;
  // Claims up to `limit` kPending commands that are due (next_attempt_at <= now, deadline > now)
  // and not under a live lease (none, or lease_until <= now: a dead node's claims are taken
  // over), oldest next_attempt_at first, then id. Each claimed row gets lease_owner = node,
  // lease_until = now + lease, attempts + 1, and is returned as stored after that. Concurrent
  // claimers (threads or processes on one database) never get the same row while its lease lives
  // (PostgreSQL: FOR UPDATE SKIP LOCKED).
  virtual Result<std::vector<OutboxCommand>> ClaimOutbox(std::string_view node, SystemTime now,
                                                         std::chrono::milliseconds lease, std::size_t limit) = 0;
  // Records what happened to a claimed command. Applies only while the row is kPending and
  // lease_owner == node (else Conflict: the lease was lost and another node owns the command).
  // kPending: next_attempt_at and last_error set, lease released. Final states: finished_at =
  // outcome.at, lease released; kSent stores ret/msg/response_json; kFailed/kDead store error.
  virtual Status FinishOutbox(std::int64_t id, std::string_view node, const OutboxOutcome& outcome) = 0;
  // Moves every kPending command whose deadline <= now and that has no live lease to kDead
  // (last_error "deadline passed before delivery", finished_at = now) and returns them as stored.
  virtual Result<std::vector<OutboxCommand>> ExpireOutbox(SystemTime now) = 0;
  virtual Result<std::optional<OutboxCommand>> GetOutbox(std::int64_t id) = 0;
  // Matching commands ordered by id.
  virtual Result<std::vector<OutboxCommand>> ListOutbox(const OutboxFilter& filter) = 0;

  // ---- alarms
  // Opens an alarm (stored as given with a new id, state kOpen, count 1), or, when one with the
  // same (type, object) is open or acknowledged, counts one more occurrence: count + 1, last_at =
  // alarm.last_at, detail/level/title replaced (an acknowledged alarm stays acknowledged). Returns
  // the row as stored.
  virtual Result<AlarmRow> RaiseAlarm(const AlarmRow& alarm) = 0;
  // Ordered by last_at descending, then id descending.
  virtual Result<std::vector<AlarmRow>> ListAlarms(bool include_closed) = 0;
  // NotFound when no such alarm. Conflict when reopening a closed alarm while another with its
  // (type, object) is open or acknowledged.
  virtual Status SetAlarmState(std::int64_t id, AlarmState state) = 0;

  // ---- regulation engine
  // Applies `write` in one transaction. Conflict from the demand's
  // compare-and-set leave nothing written.
  virtual Result<EngineWriteResult> ApplyEngineWrite(const EngineWrite& write) = 0;
  virtual Result<std::optional<DemandRow>> GetDemand(std::string_view task_id) = 0;
  // Newest created first, then task_id descending.
  virtual Result<std::vector<DemandRow>> ListDemands(const DemandFilter& filter) = 0;
  // Ordered by task_id, then created_at, then operator_id, then regulation_id.
  virtual Result<std::vector<RegulationRow>> ListRegulations(const RegulationFilter& filter) = 0;
  // Ordered by operator_id, then day, then regulation_id.
  virtual Result<std::vector<SettlementRow>> ListSettlements(const SettlementFilter& filter) = 0;
  // Every station-day the operator has for `day`, ordered by station code (potentials,
  // baselines and measurement read whole operator-days).
  virtual Result<std::vector<StationDay>> ListStationDays(std::string_view operator_id,
                                                          proto::BeijingDate day) = 0;

  // ---- console users, sessions, audit log
  // Inserts or replaces the user (by username). Invalid when username or password_hash is empty.
  virtual Status PutUser(const UserRow& user) = 0;
  virtual Result<std::optional<UserRow>> GetUser(std::string_view username) = 0;
  virtual Result<std::vector<UserRow>> ListUsers() = 0;  // ordered by username
  // Inserts or replaces the session (by token_digest).
  virtual Status PutSession(const SessionRow& session) = 0;
  virtual Result<std::optional<SessionRow>> GetSession(std::string_view token_digest) = 0;
  // Sets last_seen_at; NotFound when there is no such session.
  virtual Status TouchSession(std::string_view token_digest, SystemTime at) = 0;
  virtual Status DeleteSession(std::string_view token_digest) = 0;  // no-op when absent
  // Ends every session of the user (password reset, roles changed, disabled); returns how many.
  virtual Result<std::int64_t> DeleteUserSessions(std::string_view username) = 0;
  // Deletes sessions idle since before `idle_before` or expired at `now`; returns how many.
  virtual Result<std::int64_t> PurgeSessions(SystemTime idle_before, SystemTime now) = 0;
  // Appends `row` (its seq, prev_hash and hash are ignored): seq = last + 1, prev_hash = the last
  // row's hash (64 '0' for the first), hash = AuditHash. Serialized across threads and processes
  // on one database, so the chain never forks. Returns the row as stored.
  virtual Result<AuditRow> AppendAudit(const AuditRow& row) = 0;
  // Rows with seq > after_seq, ascending, at most `limit`.
  virtual Result<std::vector<AuditRow>> ListAudit(std::int64_t after_seq, std::size_t limit) = 0;

  // ---- leases (one node runs the engine's clock-driven work at a time)
  // Takes or renews the named lease for `holder` until now + ttl when it is free, expired
  // (until <= now) or already held by `holder`; returns whether `holder` holds it now. Atomic
  // across processes on one database.
  virtual Result<bool> AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                                    std::chrono::milliseconds ttl) = 0;
  // Gives the lease up when `holder` holds it (a clean shutdown hands over at once); else no-op.
  virtual Status ReleaseLease(std::string_view name, std::string_view holder) = 0;

  // Keys whose forget_after is still in the future (to refill the in-memory guard at start).
  virtual Result<std::vector<RequestKey>> LoadRequestKeys() = 0;
  // Deletes keys whose forget_after has passed; returns how many.
  virtual Result<std::int64_t> PurgeRequestKeys() = 0;
};

// Opens the store a config names: `database` empty -> SQLite at data_dir/vgi.db, a
// "postgresql://" or "postgres://" URL -> PostgreSQL. Applies pending migrations.
Result<std::unique_ptr<Store>> OpenStore(std::string_view database, const std::string& data_dir,
                                         const StoreOptions& options);

}  // namespace vgi::store
