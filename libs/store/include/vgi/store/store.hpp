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
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/station_power.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/store/sealer.hpp"

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

struct StoreOptions {
  const Clock* clock = &Clock::System();  // received/applied/retired times
  const Sealer* sealer = nullptr;          // required: sensitive fields are sealed with it
  std::chrono::seconds sync_ttl{3600};     // an incomplete model sync expires after this
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

  // ---- power, instructions, feedback, replay keys (group-committed)
  // Applies the whole batch in one transaction: all of it or none.
  virtual Status Commit(const WriteBatch& batch) = 0;
  virtual Result<std::optional<StationDay>> GetStationDay(std::string_view operator_id,
                                                          std::string_view station_code,
                                                          proto::BeijingDate day) = 0;

  virtual Status PutInstruction(const InstructionRow& row) = 0;  // replaces by regulation_id
  virtual Result<std::optional<InstructionRow>> GetInstruction(std::string_view operator_id,
                                                               std::string_view regulation_id) = 0;
  // Ordered by received_at, then insertion.
  virtual Result<std::vector<FeedbackRecord>> ListFeedback(std::string_view operator_id,
                                                           std::string_view regulation_id) = 0;

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
