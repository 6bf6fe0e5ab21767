#pragma once
// The outbox's records (the Store methods Enqueue, ClaimOutbox, ... are in store.hpp): commands
// for operator platforms waiting in the durable outbox, what a relay reports about them, and the
// filter to list them. Pure values; thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "vgi/base/clock.hpp"
#include "vgi/proto/interfaces.hpp"

namespace vgi::store {

// A command for an operator platform (send_task, query_task_result, exchange_inviteplan_push)
// waiting in the durable outbox until a relay delivers it (libs/relay). The command and the row
// that caused it (e.g. the instruction) are written in one transaction (Enqueue).
//
// States: kPending (waiting for its first or next attempt; a relay node may hold a lease on it),
// kSent (the operator answered with a valid Sig; ret/msg/response_json hold the answer, whatever
// its Ret), kFailed (refused in a way a retry cannot fix: Ret 4000/4003, HTTP 4xx; last_error says
// why), kDead (its deadline passed before it was delivered: never sent late).
enum class OutboxState : int { kPending = 0, kSent = 1, kFailed = 2, kDead = 3 };

struct OutboxCommand {
  std::int64_t id = 0;  // assigned by Enqueue, increasing
  std::string operator_id;
  proto::Interface interface = proto::Interface::kSendTask;
  std::string task_id;        // business IDs, the same on every attempt (receivers dedupe on them)
  std::string regulation_id;
  std::string data_json;      // the request Data; sealed at rest (it may carry credit codes)
  SystemTime created_at{};
  SystemTime deadline{};      // never attempted at or after this instant
  OutboxState state = OutboxState::kPending;
  int attempts = 0;           // claims so far (each claim is one attempt)
  SystemTime next_attempt_at{};
  std::string lease_owner;    // the relay node that holds it ("" = none)
  std::optional<SystemTime> lease_until;
  std::string last_error;     // why the last attempt did not deliver, or why it failed/died
  std::optional<int> ret;     // the operator's Ret once sent
  std::string msg;            // its Msg
  std::string response_json;  // its decrypted Data ("" = none); sealed at rest
  std::optional<SystemTime> finished_at;  // when it left kPending
  friend bool operator==(const OutboxCommand&, const OutboxCommand&) = default;
};

// What a relay node reports about a command it holds.
struct OutboxOutcome {
  OutboxState state = OutboxState::kSent;  // kPending = retry at next_attempt_at
  SystemTime at{};                         // when it happened (finished_at for final states)
  SystemTime next_attempt_at{};            // kPending only
  std::string error;                       // kPending/kFailed/kDead: stored as last_error
  std::optional<int> ret;                  // kSent
  std::string msg;                         // kSent
  std::string response_json;               // kSent
};

struct OutboxFilter {
  std::optional<std::string> operator_id;
  std::optional<std::string> regulation_id;
  std::optional<OutboxState> state;
  std::size_t limit = 1000;
};

}  // namespace vgi::store
