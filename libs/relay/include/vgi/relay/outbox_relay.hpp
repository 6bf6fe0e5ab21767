#pragma once
// OutboxRelay: delivers the durable outbox (Store::Enqueue) to operator platforms — send_task,
// query_task_result, exchange_inviteplan_push — with each peer's outbound keys and wire profile.
//
// Delivery is at-least-once; receivers dedupe by regulationID. Per command:
//   - it is claimed with a lease (Store::ClaimOutbox), so on one database each command is in
//     flight from one node at a time, and a dead node's claims are taken over when their lease
//     ends;
//   - every attempt is sealed afresh (new TimeStamp and Seq; the same Data and business IDs) by
//     the peer's ProtocolClient, which caches the operator's token (renewed at 80 % of its life
//     and once on a Ret 4009) and keeps its connection for the next command;
//   - retried with exponential backoff and full jitter (a uniform delay in
//     [0, min(backoff_cap, backoff_base * 2^(attempt-1)))) on: timeouts, connection errors, HTTP
//     statuses other than 200, a response that fails its Sig or cannot be opened, Ret 500, Ret
//     4009 (after the client's own token renewal), and while the peer is unknown, disabled or
//     has no outbound keys (an operator can be fixed before the deadline);
//   - never retried on Ret 4000/4003 or an unknown Ret: kFailed, with an alarm;
//   - answered Ret 0 or Ret 1 (business refusal): kSent with the answer stored;
//   - at or past its deadline it is never attempted: it goes to kDead (dead letter) with an
//     alarm "outbox.dead_letter" (level major) naming the operator, interface, IDs and last error.
//
// Time: deadlines, backoff and leases are in `clock` time (so `vgi demo` can run the relay on an
// accelerated clock: scale `lease` and the backoff with it); the relay's own polling and
// per-attempt timeout are real time.
//
// Thread safety: Wake/Stop/stats from any thread. The relay owns a dispatcher thread and
// `workers` delivery threads; one peer's commands are delivered one at a time by this node.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vgi/base/clock.hpp"
#include "vgi/base/random.hpp"
#include "vgi/base/status.hpp"
#include "vgi/client/https_connection.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/proto/settlement.hpp"
#include "vgi/proto/wire_profile.hpp"
#include "vgi/server/metrics.hpp"
#include "vgi/store/store.hpp"

namespace spdlog { class logger; }

namespace vgi::relay {

// How the grid calls one operator.
struct OutboundPeer {
  std::string operator_id;      // the operator (outbox rows name it)
  std::string base_url;         // "https://host:port/evcs/v1"
  std::string our_operator_id;  // the grid's OperatorID as the operator knows it
  proto::KeySet keys;           // the keys the operator issued to the grid
  proto::WireProfile profile;
};

// Where the relay looks peers up: NotFound/Unavailable when the peer is unknown, disabled or has
// no outbound keys (the message says which; it becomes last_error). Called from the relay's
// threads concurrently.
class PeerDirectory {
 public:
  virtual ~PeerDirectory() = default;
  virtual Result<OutboundPeer> FindOutbound(std::string_view operator_id) const = 0;
};

struct RelayOptions {
  std::string node;  // this process's name among the nodes sharing the database; required
  // Nodes calling one operator under the same OperatorID must not reuse a (TimeStamp, Seq) pair
  // in the same second (the operator refuses it as a replay): node i of n uses Seq i+1, i+1+n, ...
  int node_index = 0, node_count = 1;
  int workers = 4;
  std::chrono::milliseconds attempt_timeout{10'000};  // real time, per HTTP exchange
  std::chrono::milliseconds lease{60'000};            // clock time; > a whole attempt incl. token
  std::chrono::milliseconds backoff_base{1'000};      // clock time
  std::chrono::milliseconds backoff_cap{60'000};      // clock time
  std::chrono::milliseconds poll{250};                // real time between looks at the outbox
  // Trust for the operators' certificates. Loaded at the first delivery (and again after a
  // failure), so a CA file that appears after the start is picked up.
  client::TlsOptions tls;
};

struct RelayStats {
  std::uint64_t attempts = 0;
  std::uint64_t delivered = 0;  // kSent
  std::uint64_t retries = 0;    // attempts that left the command kPending
  std::uint64_t failed = 0;     // kFailed
  std::uint64_t dead = 0;       // kDead (by this node)
  std::uint64_t lost_leases = 0;  // FinishOutbox answered Conflict
};

class OutboxRelay {
 public:
  // `store`, `peers`, `clock`, `random`, `metrics` (may be null) outlive the relay. Starts the
  // threads.
  static Result<std::unique_ptr<OutboxRelay>> Start(store::Store& store, const PeerDirectory& peers,
                                                    const Clock& clock, RandomSource& random,
                                                    RelayOptions options, server::Metrics* metrics,
                                                    std::shared_ptr<spdlog::logger> log);
  ~OutboxRelay();  // Stop()

  // Look at the outbox now (a command was just enqueued) instead of at the next poll.
  void Wake();
  // Stops claiming, lets attempts in flight finish (each bounded by attempt_timeout), joins.
  void Stop();
  [[nodiscard]] RelayStats stats() const;

  struct Impl;

 private:
  explicit OutboxRelay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- enqueueing commands (the caller's transaction: the command with what caused it) ----------

// send_task: records the instruction (Store::InstructionRow, sent_at = now) and its command in one
// transaction. The deadline (never sent late) is, for a new instruction, its first window's
// start; for a change or cancel, the end of its last window. Invalid when the instruction is not
// valid (codec rules, message names the field), has no window, or its deadline has passed.
Result<std::int64_t> EnqueueInstruction(store::Store& store, const Clock& clock, std::string_view operator_id,
                                        const proto::Instruction& instruction);
// query_task_result for an instruction sent before; the deadline is given by the caller (before
// execution: normally the first window's start).
Result<std::int64_t> EnqueueQueryTaskResult(store::Store& store, const Clock& clock, std::string_view operator_id,
                                            const proto::InstructionRef& ref, SystemTime deadline);
// exchange_inviteplan_push.
Result<std::int64_t> EnqueueSettlement(store::Store& store, const Clock& clock, std::string_view operator_id,
                                       const proto::SettlementPush& push, SystemTime deadline);

}  // namespace vgi::relay
