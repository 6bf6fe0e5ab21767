// The in-memory Store: maps behind one mutex. It keeps the same encoded forms as the durable
// backends (sealed station JSON, packed station-day slots), so behaviour and failure modes match.
#include "vgi/store/memory_store.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "engine_record.hpp"
#include "memory_console.hpp"
#include "memory_engine.hpp"
#include "memory_model.hpp"
#include "memory_outbox.hpp"
#include "memory_power.hpp"
#include "record_codec.hpp"
#include "topology_record.hpp"

namespace vgi::store {
namespace {

using record::TruncateTime;

Status NoSealer() {
  return Status::Internal("store: StoreOptions.sealer is not set; open the store with the master key's Sealer");
}

struct InstructionState {
  std::string task_id;
  std::string sealed;
  SystemTime sent_at{};
};

struct FeedbackState {
  std::string task_id;
  FeedbackKind kind = FeedbackKind::kOverview;
  std::optional<proto::Feedback> status;
  std::string sealed_adjustment;  // empty when absent
  SystemTime received_at{};
  std::uint64_t seq = 0;
};

using Key2 = std::pair<std::string, std::string>;
using RequestKeyId = std::tuple<std::string, std::string, std::string>;

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const StoreOptions& options) : options_(options), model_(options_), outbox_(options.sealer) {}

  [[nodiscard]] std::string_view backend() const override { return "memory"; }
  Result<int> SchemaVersion() override { return 0; }

  Status PutPeer(const PeerRow& peer) override {
    if (peer.operator_id.empty()) return Status::Invalid("peer.operator_id: must not be empty");
    PeerRow row = peer;
    row.created_at = TruncateTime(row.created_at);
    row.updated_at = TruncateTime(row.updated_at);
    if (row.tokens_revoked_before) row.tokens_revoked_before = TruncateTime(*row.tokens_revoked_before);
    std::lock_guard lock(mu_);
    auto it = peers_.find(row.operator_id);
    if (it != peers_.end()) row.created_at = it->second.created_at;
    peers_[row.operator_id] = std::move(row);
    return Status::Ok();
  }

  Result<std::optional<PeerRow>> GetPeer(std::string_view operator_id) override {
    std::lock_guard lock(mu_);
    auto it = peers_.find(std::string(operator_id));
    if (it == peers_.end()) return std::optional<PeerRow>();
    return std::optional<PeerRow>(it->second);
  }

  Result<std::vector<PeerRow>> ListPeers() override {
    std::lock_guard lock(mu_);
    std::vector<PeerRow> out;
    out.reserve(peers_.size());
    for (const auto& [id, row] : peers_) out.push_back(row);
    return out;
  }

  Result<PageReceipt> PutStationPage(std::string_view operator_id, const proto::StationInfoPage& page) override {
    if (options_.sealer == nullptr) return NoSealer();
    VGI_RETURN_IF_ERROR(record::CheckPage(operator_id, page));
    // Seal outside the lock: it is the expensive part.
    auto staged = memory::ModelTables::Stage(*options_.sealer, operator_id, page);
    std::lock_guard lock(mu_);
    return model_.PutPage(operator_id, page, std::move(staged), TruncateTime(options_.clock->Now()));
  }

  Result<std::int64_t> ExpireSyncs() override {
    std::lock_guard lock(mu_);
    return model_.Expire(TruncateTime(options_.clock->Now()));
  }

  Result<std::optional<StationRecord>> GetStation(std::string_view operator_id,
                                                  std::string_view station_code) override {
    if (options_.sealer == nullptr) return NoSealer();
    std::lock_guard lock(mu_);
    return model_.GetStation(operator_id, station_code);
  }

  Result<std::vector<StationRecord>> ListStations(std::string_view operator_id, bool include_retired) override {
    if (options_.sealer == nullptr) return NoSealer();
    std::lock_guard lock(mu_);
    return model_.ListStations(operator_id, include_retired);
  }

  Result<std::vector<StationIndexEntry>> ListStationIndex(std::string_view operator_id) override {
    if (options_.sealer == nullptr) return NoSealer();
    std::lock_guard lock(mu_);
    return model_.ListStationIndex(operator_id);
  }

  Status Commit(const WriteBatch& batch) override {
    if (options_.sealer == nullptr && !batch.feedback.empty()) return NoSealer();
    const SystemTime now = TruncateTime(options_.clock->Now());
    const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(now));
    // Check everything first: the batch is applied whole or not at all. (In the order the SQL
    // backends meet them, so the first error is the same: sealing, keys, power, feedback.)
    std::vector<FeedbackState> feedback;
    feedback.reserve(batch.feedback.size());
    for (const FeedbackRecord& f : batch.feedback) {
      FeedbackState s{f.task_id, f.kind, f.status, {}, TruncateTime(f.received_at), 0};
      if (f.adjustment) {
        VGI_ASSIGN_OR_RETURN(s.sealed_adjustment,
                             record::SealAdjustmentChecked(*options_.sealer, f.operator_id, *f.adjustment, f.regulation_id));
      }
      feedback.push_back(std::move(s));
    }
    for (std::size_t i = 0; i < batch.request_keys.size(); ++i) {
      if (batch.request_keys[i].operator_id.empty()) {
        return Status::Invalid("request_keys[" + std::to_string(i) + "].operator_id: must not be empty");
      }
    }
    std::vector<std::vector<record::DaySlice>> slices;
    slices.reserve(batch.power.size());
    for (std::size_t i = 0; i < batch.power.size(); ++i) {
      VGI_ASSIGN_OR_RETURN(auto s, record::SliceByDay(batch.power[i], i, today));
      slices.push_back(std::move(s));
    }
    for (std::size_t i = 0; i < batch.feedback.size(); ++i) {
      VGI_RETURN_IF_ERROR(record::CheckFeedback(batch.feedback[i], i));
    }

    std::lock_guard lock(mu_);
    for (const RequestKey& k : batch.request_keys) {
      request_keys_.emplace(RequestKeyId{k.operator_id, k.timestamp, k.seq}, TruncateTime(k.forget_after));
    }
    for (std::size_t i = 0; i < batch.power.size(); ++i) power_.Apply(batch.power[i], slices[i], now);
    for (std::size_t i = 0; i < batch.feedback.size(); ++i) {
      const FeedbackRecord& f = batch.feedback[i];
      feedback[i].seq = ++feedback_seq_;
      feedback_[Key2{f.operator_id, f.regulation_id}].push_back(std::move(feedback[i]));
    }
    return Status::Ok();
  }

  Result<std::optional<StationDay>> GetStationDay(std::string_view operator_id, std::string_view station_code,
                                                  proto::BeijingDate day) override {
    std::lock_guard lock(mu_);
    return power_.GetStationDay(operator_id, station_code, day);
  }

  Result<std::vector<LatestPower>> ListLatestPower(std::string_view operator_id) override {
    std::lock_guard lock(mu_);
    return power_.ListLatestPower(operator_id);
  }

  Status PutUser(const UserRow& user) override {
    std::lock_guard lock(mu_);
    return console_.PutUser(user);
  }
  Result<std::optional<UserRow>> GetUser(std::string_view username) override {
    std::lock_guard lock(mu_);
    return console_.GetUser(username);
  }
  Result<std::vector<UserRow>> ListUsers() override {
    std::lock_guard lock(mu_);
    return console_.ListUsers();
  }
  Status PutSession(const SessionRow& session) override {
    std::lock_guard lock(mu_);
    return console_.PutSession(session);
  }
  Result<std::optional<SessionRow>> GetSession(std::string_view token_digest) override {
    std::lock_guard lock(mu_);
    return console_.GetSession(token_digest);
  }
  Status TouchSession(std::string_view token_digest, SystemTime at) override {
    std::lock_guard lock(mu_);
    return console_.TouchSession(token_digest, at);
  }
  Status DeleteSession(std::string_view token_digest) override {
    std::lock_guard lock(mu_);
    console_.DeleteSession(token_digest);
    return Status::Ok();
  }
  Result<std::int64_t> DeleteUserSessions(std::string_view username) override {
    std::lock_guard lock(mu_);
    return console_.DeleteUserSessions(username);
  }
  Result<std::int64_t> PurgeSessions(SystemTime idle_before, SystemTime now) override {
    std::lock_guard lock(mu_);
    return console_.PurgeSessions(idle_before, now);
  }
  Result<AuditRow> AppendAudit(const AuditRow& row) override {
    std::lock_guard lock(mu_);
    return console_.AppendAudit(row);
  }
  Result<std::vector<AuditRow>> ListAudit(std::int64_t after_seq, std::size_t limit) override {
    std::lock_guard lock(mu_);
    return console_.ListAudit(after_seq, limit);
  }

  Result<std::vector<StationDay>> ListStationDays(std::string_view operator_id, proto::BeijingDate day) override {
    std::lock_guard lock(mu_);
    return power_.ListStationDays(operator_id, day);
  }

  Result<std::vector<StationDay>> ListStationHistory(std::string_view operator_id, std::string_view station_code,
                                                     proto::BeijingDate from, proto::BeijingDate to) override {
    VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
    std::lock_guard lock(mu_);
    return power_.ListStationHistory(operator_id, station_code, from, to);
  }

  Result<std::vector<StationDay>> ListStationDaysOn(std::string_view operator_id, std::string_view station_code,
                                                    std::span<const proto::BeijingDate> days) override {
    VGI_ASSIGN_OR_RETURN(const std::vector<proto::BeijingDate> sorted, record::SortedDays(days));
    std::lock_guard lock(mu_);
    return power_.ListStationDaysOn(operator_id, station_code, sorted);
  }

  Result<std::vector<OperatorDay>> ListOperatorDays(std::string_view operator_id, proto::BeijingDate from,
                                                    proto::BeijingDate to) override {
    VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
    std::lock_guard lock(mu_);
    return power_.ListOperatorDays(operator_id, from, to);
  }

  Status PutInstruction(const InstructionRow& row) override {
    VGI_ASSIGN_OR_RETURN(InstructionState s, PrepareInstruction(row));
    std::lock_guard lock(mu_);
    instructions_[Key2{row.operator_id, row.instruction.regulation_id}] = std::move(s);
    return Status::Ok();
  }

  Result<std::optional<InstructionRow>> GetInstruction(std::string_view operator_id,
                                                       std::string_view regulation_id) override {
    if (options_.sealer == nullptr) return NoSealer();
    std::lock_guard lock(mu_);
    auto it = instructions_.find(Key2{std::string(operator_id), std::string(regulation_id)});
    if (it == instructions_.end()) return std::optional<InstructionRow>();
    InstructionRow row;
    row.operator_id = operator_id;
    VGI_ASSIGN_OR_RETURN(row.instruction,
                         record::OpenInstruction(*options_.sealer, operator_id, regulation_id, it->second.sealed));
    row.sent_at = it->second.sent_at;
    return std::optional<InstructionRow>(std::move(row));
  }

  Result<std::vector<FeedbackRecord>> ListFeedback(std::string_view operator_id,
                                                   std::string_view regulation_id) override {
    if (options_.sealer == nullptr) return NoSealer();
    std::lock_guard lock(mu_);
    std::vector<FeedbackRecord> out;
    auto it = feedback_.find(Key2{std::string(operator_id), std::string(regulation_id)});
    if (it == feedback_.end()) return out;
    std::vector<const FeedbackState*> rows;
    for (const FeedbackState& s : it->second) rows.push_back(&s);
    std::sort(rows.begin(), rows.end(), [](const FeedbackState* a, const FeedbackState* b) {
      return std::tie(a->received_at, a->seq) < std::tie(b->received_at, b->seq);
    });
    for (const FeedbackState* s : rows) {
      FeedbackRecord f;
      f.operator_id = operator_id;
      f.task_id = s->task_id;
      f.regulation_id = regulation_id;
      f.kind = s->kind;
      f.status = s->status;
      if (!s->sealed_adjustment.empty()) {
        VGI_ASSIGN_OR_RETURN(f.adjustment,
                             record::OpenAdjustment(*options_.sealer, operator_id, regulation_id, s->sealed_adjustment));
      }
      f.received_at = s->received_at;
      out.push_back(std::move(f));
    }
    return out;
  }

  Result<std::int64_t> Enqueue(const OutboxCommand& command, const InstructionRow* instruction) override {
    VGI_ASSIGN_OR_RETURN(PreparedCommand prepared, PrepareCommand(command, instruction));
    std::lock_guard lock(mu_);
    return InsertCommandLocked(std::move(prepared));
  }

  Result<std::vector<OutboxCommand>> ClaimOutbox(std::string_view node, SystemTime now,
                                                 std::chrono::milliseconds lease, std::size_t limit) override {
    std::lock_guard lock(mu_);
    return outbox_.Claim(node, now, lease, limit);
  }

  Status FinishOutbox(std::int64_t id, std::string_view node, const OutboxOutcome& outcome) override {
    std::lock_guard lock(mu_);
    return outbox_.Finish(id, node, outcome);
  }

  Result<std::vector<OutboxCommand>> ExpireOutbox(SystemTime now) override {
    std::lock_guard lock(mu_);
    return outbox_.Expire(now);
  }

  Result<std::optional<OutboxCommand>> GetOutbox(std::int64_t id) override {
    std::lock_guard lock(mu_);
    return outbox_.Get(id);
  }

  Result<std::vector<OutboxCommand>> ListOutbox(const OutboxFilter& filter) override {
    std::lock_guard lock(mu_);
    return outbox_.List(filter);
  }

  Result<AlarmRow> RaiseAlarm(const AlarmRow& alarm) override {
    std::lock_guard lock(mu_);
    return outbox_.Raise(alarm);
  }

  Result<std::vector<AlarmRow>> ListAlarms(bool include_closed) override {
    std::lock_guard lock(mu_);
    return outbox_.ListAlarms(include_closed);
  }

  Status SetAlarmState(std::int64_t id, AlarmState state) override {
    std::lock_guard lock(mu_);
    return outbox_.SetAlarmState(id, state);
  }

  Result<EngineWriteResult> ApplyEngineWrite(const EngineWrite& write) override {
    VGI_RETURN_IF_ERROR(record::CheckEngineWrite(write));
    std::vector<PreparedCommand> commands;
    commands.reserve(write.commands.size());
    for (const EngineWrite::Command& c : write.commands) {
      VGI_ASSIGN_OR_RETURN(PreparedCommand prepared,
                           PrepareCommand(c.command, c.instruction ? &*c.instruction : nullptr));
      commands.push_back(std::move(prepared));
    }
    std::lock_guard lock(mu_);
    // Nothing below fails once the demand's compare-and-set passed: all of it or none.
    if (write.demand) VGI_RETURN_IF_ERROR(engine_.CheckDemand(*write.demand));
    EngineWriteResult result;
    result.demand_version = engine_.ApplyChecked(write);
    for (PreparedCommand& c : commands) result.outbox_ids.push_back(InsertCommandLocked(std::move(c)));
    return result;
  }

  Result<std::optional<DemandRow>> GetDemand(std::string_view task_id) override {
    std::lock_guard lock(mu_);
    return engine_.GetDemand(task_id);
  }

  Result<std::vector<DemandRow>> ListDemands(const DemandFilter& filter) override {
    std::lock_guard lock(mu_);
    return engine_.ListDemands(filter);
  }

  Result<std::vector<RegulationRow>> ListRegulations(const RegulationFilter& filter) override {
    std::lock_guard lock(mu_);
    return engine_.ListRegulations(filter);
  }

  Result<std::vector<SettlementRow>> ListSettlements(const SettlementFilter& filter) override {
    std::lock_guard lock(mu_);
    return engine_.ListSettlements(filter);
  }

  Result<TopologyInfo> ReplaceTopology(const std::vector<TopologyEntry>& entries, std::string_view source) override {
    VGI_RETURN_IF_ERROR(record::CheckTopology(entries));
    std::map<Key2, TopologyEntry> table;
    for (const auto& e : entries) table.emplace(Key2{e.operator_id, e.station_code}, e);
    std::lock_guard lock(mu_);
    topology_ = std::move(table);
    topology_info_ = TopologyInfo{topology_info_.version + 1, TruncateTime(options_.clock->Now()), std::string(source),
                                  static_cast<std::int64_t>(entries.size())};
    return topology_info_;
  }

  Result<TopologyInfo> GetTopologyInfo() override {
    std::lock_guard lock(mu_);
    return topology_info_;
  }

  Result<std::vector<TopologyEntry>> ListTopology(const TopologyFilter& filter) override {
    std::lock_guard lock(mu_);
    std::vector<TopologyEntry> out;
    for (const auto& [key, e] : topology_) {
      if (record::TopologyMatches(e, filter)) out.push_back(e);
    }
    return out;
  }

  Result<bool> AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                            std::chrono::milliseconds ttl) override {
    VGI_RETURN_IF_ERROR(record::CheckLease(name, holder));
    VGI_RETURN_IF_ERROR(record::CheckLeaseTtl(ttl));
    std::lock_guard lock(mu_);
    return engine_.AcquireLease(name, holder, now, ttl);
  }

  Status ReleaseLease(std::string_view name, std::string_view holder) override {
    VGI_RETURN_IF_ERROR(record::CheckLease(name, holder));
    std::lock_guard lock(mu_);
    engine_.ReleaseLease(name, holder);
    return Status::Ok();
  }

  Result<std::vector<RequestKey>> LoadRequestKeys() override {
    const SystemTime now = TruncateTime(options_.clock->Now());
    std::lock_guard lock(mu_);
    std::vector<RequestKey> out;
    for (const auto& [id, forget_after] : request_keys_) {
      if (forget_after > now) out.push_back(RequestKey{std::get<0>(id), std::get<1>(id), std::get<2>(id), forget_after});
    }
    return out;
  }

  Result<std::int64_t> PurgeRequestKeys() override {
    const SystemTime now = TruncateTime(options_.clock->Now());
    std::lock_guard lock(mu_);
    return static_cast<std::int64_t>(
        std::erase_if(request_keys_, [now](const auto& kv) { return kv.second <= now; }));
  }

 private:
  // A command and its instruction checked and sealed for Enqueue / ApplyEngineWrite.
  struct PreparedCommand {
    record::StoredCommand command;
    std::optional<InstructionState> instruction;
    Key2 instruction_key;
  };

  // Checks and seals (outside the lock: sealing is the costly part).
  Result<PreparedCommand> PrepareCommand(const OutboxCommand& command, const InstructionRow* instruction) const {
    PreparedCommand out;
    VGI_ASSIGN_OR_RETURN(out.command, outbox_.Prepare(command));
    if (instruction != nullptr) {
      VGI_ASSIGN_OR_RETURN(out.instruction, PrepareInstruction(*instruction));
      out.instruction_key = Key2{instruction->operator_id, instruction->instruction.regulation_id};
    }
    return out;
  }

  // The insert both share (Enqueue's contract); returns the command's id.
  std::int64_t InsertCommandLocked(PreparedCommand prepared) {
    if (prepared.instruction) instructions_[prepared.instruction_key] = std::move(*prepared.instruction);
    return outbox_.Insert(std::move(prepared.command));
  }

  // Checks and seals an instruction (outside the lock).
  Result<InstructionState> PrepareInstruction(const InstructionRow& row) const {
    if (options_.sealer == nullptr) return NoSealer();
    if (row.operator_id.empty() || row.instruction.regulation_id.empty()) {
      return Status::Invalid("instruction: operator_id and regulationID must not be empty");
    }
    VGI_ASSIGN_OR_RETURN(std::string sealed, record::SealInstructionChecked(*options_.sealer, row.operator_id, row.instruction));
    return InstructionState{row.instruction.task_id, std::move(sealed), TruncateTime(row.sent_at)};
  }

  const StoreOptions options_;
  std::mutex mu_;
  std::map<std::string, PeerRow> peers_;
  memory::ModelTables model_;  // stations, stakes, model syncs
  memory::PowerTables power_;
  memory::ConsoleTables console_;
  std::map<Key2, InstructionState> instructions_;
  std::map<Key2, std::vector<FeedbackState>> feedback_;
  std::uint64_t feedback_seq_ = 0;
  std::map<RequestKeyId, SystemTime> request_keys_;
  memory::OutboxTables outbox_;  // outbox and alarms
  memory::EngineTables engine_;  // demands, regulations, settlements, leases
  std::map<Key2, TopologyEntry> topology_;  // by (operator_id, station_code)
  TopologyInfo topology_info_;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore(const StoreOptions& options) { return std::make_unique<MemoryStore>(options); }

}  // namespace vgi::store
