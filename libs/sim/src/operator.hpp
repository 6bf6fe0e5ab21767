#pragma once
// Private: one simulated operator platform: its fleet and load model, the instructions it holds,
// its endpoints' request handling (operator_endpoints.cpp) and its pushes to the grid
// (operator_push.cpp).
//
// Thread safety: the endpoint handlers and the control/stat methods may run on any thread (mu_
// guards the state). Pass() is the driver: one thread at a time (the Simulator ensures it); it owns
// the ProtocolClient and does its HTTP calls without holding mu_.

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "rng.hpp"
#include "vgi/client/protocol_client.hpp"
#include "vgi/proto/replay_guard.hpp"
#include "vgi/proto/token.hpp"
#include "vgi/server/http_server.hpp"
#include "vgi/sim/load_model.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::sim {

class SimOperator {
 public:
  // `options`, `clock` and `grid_tls` (may be null: no pushing) must outlive the operator.
  static Result<std::unique_ptr<SimOperator>> Create(OperatorFleet fleet, std::size_t index, const SimOptions& options,
                                                     const Clock& clock, RandomSource& random,
                                                     std::shared_ptr<client::TlsClientContext> grid_tls);

  [[nodiscard]] const OperatorFleet& fleet() const { return fleet_; }
  // base_url is left empty (the Simulator knows where it listens).
  [[nodiscard]] SimPeer Peer() const;

  // The endpoint of `iface` (operator_endpoints.cpp).
  void Handle(proto::Interface iface, server::HttpRequest&& request, server::Responder respond);

  Status SetGridKeys(const proto::KeySet& keys, std::string known_as);
  Status SetPolicy(const Policy& policy);
  Status SetFaults(const Faults& faults);
  Status Submit(const proto::Instruction& instruction);

  [[nodiscard]] OperatorStats Stats() const;
  [[nodiscard]] Result<PowerSample> StationSample(std::string_view station_code, proto::BeijingMinute minute) const;
  [[nodiscard]] Result<PowerSample> OperatorSample(proto::BeijingMinute minute) const;
  [[nodiscard]] std::optional<proto::InstructionResult> Instruction(std::string_view regulation_id) const;
  [[nodiscard]] std::vector<proto::SettlementPush> Settlements() const;

  // One driver pass: decisions due, every minute the clock reached (stepped and pushed), callbacks.
  void Pass();

 private:
  struct Held {  // an instruction as the operator holds it
    proto::Instruction instruction;  // with the operator's own targets once accepted partially
    proto::InstructionStatus status = proto::InstructionStatus::kProcessing;
    Policy policy;  // as it was when the instruction arrived
    SystemTime decide_at{};
    std::uint64_t seq = 0;  // receipt order
    std::vector<std::uint32_t> scope;
  };
  struct Effect {  // a task's regulation in force
    std::uint64_t seq = 0;
    std::string regulation_id;
    Regulation regulation;
  };
  using CallbackData = std::variant<proto::InstructionFeedback, proto::InstructionAdjustment>;
  struct Callback {
    CallbackData data;
    int attempts = 0;
  };
  struct ModelSync {
    std::int64_t next_page = 1;  // 1-based; the sync is done past page_count
    std::int64_t page_count = 1;
    proto::BeijingMinute started;
  };

  SimOperator(OperatorFleet fleet, std::size_t index, const SimOptions& options, const Clock& clock,
              proto::KeySet issued, proto::PreparedKeys issued_prepared,
              proto::PreparedKeys broken_prepared, proto::TokenAuthority tokens,
              std::shared_ptr<client::TlsClientContext> grid_tls);

  // Endpoints (operator_endpoints.cpp).
  void Answer(const server::Responder& respond, bool broken_sig, const Status& status, std::string_view data_json);
  void AnswerUnsigned(const server::Responder& respond, const Status& status);
  void HandleToken(const server::Responder& respond, bool broken_sig, const std::string& caller,
                   const std::string& json);
  void HandleTask(const server::Responder& respond, bool broken_sig, const std::string& json);
  void HandleQuery(const server::Responder& respond, bool broken_sig, const std::string& json);
  void HandleSettlement(const server::Responder& respond, bool broken_sig, const std::string& json);

  // Instructions (operator.cpp); *Locked with mu_ held.
  Result<std::vector<std::uint32_t>> ResolveScope(const proto::Instruction& instruction) const;
  Status SubmitLocked(const proto::Instruction& instruction, SystemTime now);
  void DecideLocked(Held& held, SystemTime now);
  void DecideDueLocked(SystemTime now);
  std::vector<const Regulation*> RegulationsLocked() const;
  [[nodiscard]] bool OfflineLocked(SystemTime now) const;

  // Driver (operator_push.cpp).
  void StepLocked(proto::BeijingMinute minute);
  void EnsureClient();
  bool PushDue(SystemTime now, proto::BeijingMinute minute);  // false when a push failed
  bool PushModel(SystemTime now);
  bool PushPower(proto::BeijingMinute minute);
  void SendCallbacks(proto::BeijingMinute now_minute);
  void PushFailed(const std::string& what, const Status& status);

  const OperatorFleet fleet_;
  const std::size_t index_;
  const SimOptions& options_;
  const Clock& clock_;
  const proto::KeySet issued_;
  const proto::PreparedKeys issued_prepared_;
  const proto::PreparedKeys broken_prepared_;  // same keys, wrong SigSecret (broken_sig fault)
  const proto::TokenAuthority tokens_;
  proto::MemoryReplayGuard replay_;
  const std::shared_ptr<client::TlsClientContext> grid_tls_;
  std::unordered_map<std::string, std::size_t> station_index_;
  std::unordered_map<std::string, std::uint32_t> stake_index_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> station_stakes_;  // [begin, end) per station

  mutable std::mutex mu_;
  // Control.
  Policy policy_;
  Faults faults_;
  std::optional<proto::KeySet> grid_keys_;
  std::string known_as_;
  std::uint64_t grid_keys_generation_ = 0;
  // Instructions.
  std::map<std::string, Held> held_;  // by regulationID
  std::vector<std::string> undecided_;  // regulationIDs in receipt order
  std::map<std::string, std::uint64_t> task_latest_;  // taskID -> seq of its latest instruction
  std::map<std::string, Effect> effects_;             // taskID -> effect in force
  std::uint64_t seq_ = 0;
  std::deque<Callback> callbacks_;
  std::deque<proto::SettlementPush> settlements_;
  // Model and pushes.
  std::unique_ptr<LoadModel> model_;
  std::vector<std::deque<proto::PowerPoint>> pending_;  // per station, unsent points
  std::vector<PowerSample> latest_;                     // per station, the last minute stepped
  std::optional<ModelSync> sync_;
  Rng fault_rng_;
  OperatorStats stats_;

  // Driver-only state (Pass runs on one thread at a time).
  std::unique_ptr<client::ProtocolClient> client_;
  std::uint64_t client_generation_ = 0;
  std::int64_t callback_retry_minute_ = 0;
};

}  // namespace vgi::sim
