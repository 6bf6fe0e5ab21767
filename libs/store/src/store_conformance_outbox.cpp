// The store conformance suite, continued (see store_conformance.cpp): the durable outbox —
// Enqueue with its instruction, claims and leases, outcomes, expiry, listing, concurrent claimers.
#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kLease = 30s;
constexpr const char* kCreditCode = "91110190OUTBOXCC01";

OutboxCommand Command(const std::string& regulation_id, SystemTime created_at, SystemTime deadline,
                      const std::string& operator_id = kOp) {
  OutboxCommand c;
  c.operator_id = operator_id;
  c.interface = proto::Interface::kSendTask;
  c.task_id = "T-" + regulation_id;
  c.regulation_id = regulation_id;
  c.data_json = std::string(R"({"regulationID":")") + regulation_id + R"(","creditCode":")" + kCreditCode + R"("})";
  c.created_at = created_at;
  c.deadline = deadline;
  return c;
}

// What Enqueue stores for `c` under `id`.
OutboxCommand Pending(OutboxCommand c, std::int64_t id) {
  c.id = id;
  c.state = OutboxState::kPending;
  c.attempts = 0;
  c.next_attempt_at = c.created_at;
  c.lease_owner.clear();
  c.lease_until.reset();
  c.last_error.clear();
  c.ret.reset();
  c.msg.clear();
  c.response_json.clear();
  c.finished_at.reset();
  return c;
}

// `c` after one more claim by `node` at `now`.
OutboxCommand Claimed(OutboxCommand c, const std::string& node, SystemTime now,
                      std::chrono::milliseconds lease = kLease) {
  c.lease_owner = node;
  c.lease_until = now + lease;
  ++c.attempts;
  return c;
}

InstructionRow Instruction(const std::string& regulation_id, SystemTime sent_at) {
  InstructionRow row;
  row.operator_id = kOp;
  row.instruction = vgi::testing::SampleInstruction();
  row.instruction.regulation_id = regulation_id;
  row.instruction.range_type = proto::RangeType::kStation;
  row.instruction.adjust_ids = {"STA1"};
  row.instruction.credit_code = vgi::testing::kSampleCreditCode;
  row.sent_at = sent_at;
  return row;
}

OutboxFilter Filter(std::optional<std::string> operator_id, std::optional<std::string> regulation_id = std::nullopt,
                    std::optional<OutboxState> state = std::nullopt, std::size_t limit = 1000) {
  OutboxFilter f;
  f.operator_id = std::move(operator_id);
  f.regulation_id = std::move(regulation_id);
  f.state = state;
  f.limit = limit;
  return f;
}

std::vector<std::int64_t> Ids(const std::vector<OutboxCommand>& commands) {
  std::vector<std::int64_t> out;
  for (const auto& c : commands) out.push_back(c.id);
  return out;
}

// ---- enqueue ----------------------------------------------------------------------------------

TEST_P(StoreConformance, EnqueueStoresAPendingCommandWithItsInstruction) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  OutboxCommand first = Command("R1", t, t + 1h);
  // Fields Enqueue ignores: a new command is pending, unleased and unanswered whatever they hold.
  first.id = 77;
  first.state = OutboxState::kSent;
  first.attempts = 5;
  first.next_attempt_at = t + 1min;
  first.lease_owner = "node-x";
  first.lease_until = t + 1min;
  first.last_error = "old";
  first.ret = 0;
  first.msg = "ok";
  first.response_json = "{}";
  first.finished_at = t;
  const InstructionRow instruction = Instruction("R1", t);
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id1, h.store().Enqueue(first, &instruction));
  OutboxCommand second = Command("R2", t + 1s, t + 2h);
  second.interface = proto::Interface::kQueryTaskResult;
  second.data_json.clear();  // an empty Data is a document like any other
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id2, h.store().Enqueue(second, nullptr));
  EXPECT_GT(id2, id1);

  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetOutbox(id1));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Pending(first, id1));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetOutbox(id2));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Pending(second, id2));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetOutbox(id2 + 1000));
  EXPECT_FALSE(got.has_value());

  VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetInstruction(kOp, "R1"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, instruction);
  VGI_ASSERT_OK_AND_ASSIGN(stored, h.store().GetInstruction(kOp, "R2"));
  EXPECT_FALSE(stored.has_value());

  // The instruction replaces the one held for its regulation_id, as PutInstruction does.
  InstructionRow cancel = instruction;
  cancel.instruction.synchro_type = proto::SynchroType::kCancel;
  cancel.sent_at = t + 1h;
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id3, h.store().Enqueue(Command("R1", t + 1h, t + 2h), &cancel));
  EXPECT_GT(id3, id2);
  VGI_ASSERT_OK_AND_ASSIGN(stored, h.store().GetInstruction(kOp, "R1"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, cancel);
}

TEST_P(StoreConformance, ARefusedEnqueueWritesNeitherCommandNorInstruction) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  InstructionRow bad = Instruction("R1", t);
  bad.instruction.adjust_ids = {"STA1", "STA2"};  // rangeType 4 needs exactly one adjustID
  EXPECT_TRUE(HasStatus(h.store().Enqueue(Command("R1", t, t + 1h), &bad).status(), StatusCode::kInvalid,
                        "instruction R1: adjustIDList: must hold exactly one ID when rangeType is 4"));

  const InstructionRow good = Instruction("R2", t);
  EXPECT_TRUE(HasStatus(h.store().Enqueue(Command("R2", t, t + 1h, ""), &good).status(), StatusCode::kInvalid,
                        "outbox command operator_id: must not be empty"));
  OutboxCommand unknown = Command("R2", t, t + 1h);
  unknown.interface = static_cast<proto::Interface>(99);
  EXPECT_TRUE(HasStatus(h.store().Enqueue(unknown, &good).status(), StatusCode::kInvalid,
                        "outbox command interface: 99 is not a protocol interface"));

  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListOutbox({}));
  EXPECT_TRUE(all.empty());
  for (const char* reg : {"R1", "R2"}) {
    VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetInstruction(kOp, reg));
    EXPECT_FALSE(stored.has_value()) << reg;
  }
}

// ---- claims and leases ------------------------------------------------------------------------

TEST_P(StoreConformance, ClaimTakesDueCommandsOldestFirstUpToTheLimit) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const OutboxCommand a = Command("A", t + 2s, t + 1h);
  const OutboxCommand b = Command("B", t + 1s, t + 1h);
  const OutboxCommand c = Command("C", t + 1s, t + 1h);
  const OutboxCommand d = Command("D", t + 10s, t + 1h);  // not due at t + 5s
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t ia, h.store().Enqueue(a, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t ib, h.store().Enqueue(b, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t ic, h.store().Enqueue(c, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id, h.store().Enqueue(d, nullptr));

  const SystemTime now = t + 5s;
  VGI_ASSERT_OK_AND_ASSIGN(auto first, h.store().ClaimOutbox("node-a", now, kLease, 2));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], Claimed(Pending(b, ib), "node-a", now));  // same next_attempt_at: by id
  EXPECT_EQ(first[1], Claimed(Pending(c, ic), "node-a", now));
  VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetOutbox(ib));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, first[0]);  // returned as stored

  VGI_ASSERT_OK_AND_ASSIGN(auto rest, h.store().ClaimOutbox("node-a", now, kLease, 10));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0], Claimed(Pending(a, ia), "node-a", now));
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ClaimOutbox("node-a", now, kLease, 10));
  EXPECT_TRUE(none.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto later, h.store().ClaimOutbox("node-a", t + 10s, kLease, 0));
  EXPECT_TRUE(later.empty());  // limit 0 claims nothing
  VGI_ASSERT_OK_AND_ASSIGN(later, h.store().ClaimOutbox("node-a", t + 10s, kLease, 10));
  EXPECT_EQ(Ids(later), std::vector<std::int64_t>{id});

  EXPECT_TRUE(HasStatus(h.store().ClaimOutbox("", now, kLease, 1).status(), StatusCode::kInvalid,
                        "ClaimOutbox node: must not be empty"));
  EXPECT_TRUE(HasStatus(h.store().ClaimOutbox("node-a", now, 0ms, 1).status(), StatusCode::kInvalid,
                        "ClaimOutbox lease: must be positive, got 0 ms"));
}

TEST_P(StoreConformance, ALeasedCommandGoesToAnotherNodeOnlyWhenItsLeaseEnds) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const OutboxCommand x = Command("X", t, t + 1h);
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t ix, h.store().Enqueue(x, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(auto by_a, h.store().ClaimOutbox("node-a", t, kLease, 10));
  ASSERT_EQ(by_a.size(), 1u);
  EXPECT_EQ(by_a[0], Claimed(Pending(x, ix), "node-a", t));

  for (const SystemTime at : {t, t + kLease - 1us}) {
    VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ClaimOutbox("node-b", at, kLease, 10));
    EXPECT_TRUE(none.empty()) << "claimed while node-a's lease lives";
  }
  // node-a died: at lease_until its claim is taken over, one more attempt.
  VGI_ASSERT_OK_AND_ASSIGN(auto by_b, h.store().ClaimOutbox("node-b", t + kLease, kLease, 10));
  ASSERT_EQ(by_b.size(), 1u);
  const OutboxCommand want = Claimed(by_a[0], "node-b", t + kLease);
  EXPECT_EQ(want.attempts, 2);
  EXPECT_EQ(by_b[0], want);

  // node-a comes back: its outcome is refused and changes nothing.
  OutboxOutcome sent;
  sent.state = OutboxState::kSent;
  sent.at = t + kLease + 1s;
  sent.ret = 0;
  EXPECT_TRUE(
      HasStatus(h.store().FinishOutbox(ix, "node-a", sent), StatusCode::kConflict,
                "outbox command " + std::to_string(ix) +
                    " is leased to node-b, not node-a: another node owns it now; the outcome was not recorded"));
  VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetOutbox(ix));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, want);
  VGI_ASSERT_OK(h.store().FinishOutbox(ix, "node-b", sent));
}

TEST_P(StoreConformance, ACommandPastItsDeadlineIsNeverClaimed) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t short_lived, h.store().Enqueue(Command("S", t, t + 10s), nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t long_lived, h.store().Enqueue(Command("L", t, t + 1h), nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(auto claimed, h.store().ClaimOutbox("node-a", t + 10s, kLease, 10));  // deadline == now
  EXPECT_EQ(Ids(claimed), std::vector<std::int64_t>{long_lived});

  // A retry due at or after its deadline is never attempted either.
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t retried, h.store().Enqueue(Command("R", t, t + 1min), nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(claimed, h.store().ClaimOutbox("node-a", t + 10s, kLease, 10));
  EXPECT_EQ(Ids(claimed), std::vector<std::int64_t>{retried});
  OutboxOutcome retry;
  retry.state = OutboxState::kPending;
  retry.next_attempt_at = t + 1min;
  retry.error = "HTTP 503";
  VGI_ASSERT_OK(h.store().FinishOutbox(retried, "node-a", retry));
  VGI_ASSERT_OK_AND_ASSIGN(claimed, h.store().ClaimOutbox("node-b", t + 1min, kLease, 10));
  EXPECT_EQ(Ids(claimed), std::vector<std::int64_t>{long_lived});  // node-a's lease on it ended
  VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetOutbox(short_lived));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->attempts, 0);
  EXPECT_EQ(stored->state, OutboxState::kPending);  // until ExpireOutbox moves it
}

// ---- outcomes ---------------------------------------------------------------------------------

TEST_P(StoreConformance, FinishRecordsEachOutcomeExactly) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const std::chrono::milliseconds long_lease = 1h;  // node-a holds the others throughout
  std::vector<OutboxCommand> want;
  for (const char* reg : {"RETRY", "SENT", "FAILED", "DEAD"}) {
    const OutboxCommand c = Command(reg, t, t + 2h);
    VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id, h.store().Enqueue(c, nullptr));
    want.push_back(Claimed(Pending(c, id), "node-a", t, long_lease));
  }
  VGI_ASSERT_OK_AND_ASSIGN(auto claimed, h.store().ClaimOutbox("node-a", t, long_lease, 10));
  ASSERT_EQ(claimed, want);
  auto expect_stored = [&](const OutboxCommand& w) {
    auto got = h.store().GetOutbox(w.id);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, w);
  };

  // kPending: retry later; the lease is released, the attempt's error kept.
  OutboxOutcome retry;
  retry.state = OutboxState::kPending;
  retry.at = t + 1s;
  retry.next_attempt_at = t + 1min;
  retry.error = "HTTP 503 from the operator";
  VGI_ASSERT_OK(h.store().FinishOutbox(want[0].id, "node-a", retry));
  want[0].lease_owner.clear();
  want[0].lease_until.reset();
  want[0].next_attempt_at = t + 1min;
  want[0].last_error = retry.error;
  expect_stored(want[0]);
  VGI_ASSERT_OK_AND_ASSIGN(auto early, h.store().ClaimOutbox("node-b", t + 1min - 1us, kLease, 10));
  EXPECT_TRUE(early.empty());

  // kSent: the answer is kept whatever its Ret.
  OutboxOutcome sent;
  sent.state = OutboxState::kSent;
  sent.at = t + 2s;
  sent.ret = 4002;
  sent.msg = "regulationID unknown";
  sent.response_json = R"({"status":1,"creditCode":"91110190RESPONSE01"})";
  VGI_ASSERT_OK(h.store().FinishOutbox(want[1].id, "node-a", sent));
  want[1].state = OutboxState::kSent;
  want[1].lease_owner.clear();
  want[1].lease_until.reset();
  want[1].finished_at = sent.at;
  want[1].ret = 4002;
  want[1].msg = sent.msg;
  want[1].response_json = sent.response_json;
  expect_stored(want[1]);

  OutboxOutcome failed;
  failed.state = OutboxState::kFailed;
  failed.at = t + 3s;
  failed.error = "Ret 4003: signature refused";
  VGI_ASSERT_OK(h.store().FinishOutbox(want[2].id, "node-a", failed));
  want[2].state = OutboxState::kFailed;
  want[2].lease_owner.clear();
  want[2].lease_until.reset();
  want[2].finished_at = failed.at;
  want[2].last_error = failed.error;
  expect_stored(want[2]);

  OutboxOutcome dead;
  dead.state = OutboxState::kDead;
  dead.at = t + 4s;
  dead.error = "deadline reached during delivery";
  VGI_ASSERT_OK(h.store().FinishOutbox(want[3].id, "node-a", dead));
  want[3].state = OutboxState::kDead;
  want[3].lease_owner.clear();
  want[3].lease_until.reset();
  want[3].finished_at = dead.at;
  want[3].last_error = dead.error;
  expect_stored(want[3]);

  // The retry goes to whichever node claims it next; its delivery keeps the earlier error and an
  // empty response stays empty.
  VGI_ASSERT_OK_AND_ASSIGN(auto again, h.store().ClaimOutbox("node-b", t + 1min, kLease, 10));
  want[0] = Claimed(want[0], "node-b", t + 1min);
  ASSERT_EQ(again, std::vector<OutboxCommand>{want[0]});
  OutboxOutcome ok;
  ok.state = OutboxState::kSent;
  ok.at = t + 1min + 1s;
  ok.ret = 0;
  ok.msg = "";
  VGI_ASSERT_OK(h.store().FinishOutbox(want[0].id, "node-b", ok));
  want[0].state = OutboxState::kSent;
  want[0].lease_owner.clear();
  want[0].lease_until.reset();
  want[0].finished_at = ok.at;
  want[0].ret = 0;
  expect_stored(want[0]);
}

TEST_P(StoreConformance, FinishRefusesAFinishedCommandAnUnleasedOneAndAnUnknownId) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t done, h.store().Enqueue(Command("D", t, t + 1h), nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(auto claimed, h.store().ClaimOutbox("node-a", t, kLease, 10));
  ASSERT_EQ(claimed.size(), 1u);
  OutboxOutcome failed;
  failed.state = OutboxState::kFailed;
  failed.at = t + 1s;
  failed.error = "HTTP 400";
  VGI_ASSERT_OK(h.store().FinishOutbox(done, "node-a", failed));
  VGI_ASSERT_OK_AND_ASSIGN(auto before, h.store().GetOutbox(done));

  OutboxOutcome sent;
  sent.state = OutboxState::kSent;
  sent.at = t + 2s;
  sent.ret = 0;
  EXPECT_TRUE(HasStatus(h.store().FinishOutbox(done, "node-a", sent), StatusCode::kConflict,
                        "outbox command " + std::to_string(done) +
                            " is already finished (failed); the outcome from node-a was not recorded"));
  VGI_ASSERT_OK_AND_ASSIGN(auto after, h.store().GetOutbox(done));
  EXPECT_EQ(after, before);

  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t waiting, h.store().Enqueue(Command("W", t, t + 1h), nullptr));
  EXPECT_TRUE(HasStatus(h.store().FinishOutbox(waiting, "node-a", sent), StatusCode::kConflict,
                        "outbox command " + std::to_string(waiting) + " is not leased to node-a (no node holds it)"));
  EXPECT_TRUE(HasStatus(h.store().FinishOutbox(waiting + 1000, "node-a", sent), StatusCode::kNotFound,
                        "outbox command " + std::to_string(waiting + 1000) + ": no such command"));
  OutboxOutcome bogus;
  bogus.state = static_cast<OutboxState>(9);
  EXPECT_TRUE(HasStatus(h.store().FinishOutbox(waiting, "node-a", bogus), StatusCode::kInvalid,
                        "outbox outcome state: 9 is not 0..3"));
}

// ---- expiry -----------------------------------------------------------------------------------

TEST_P(StoreConformance, ExpireMovesOnlyDueUnleasedPendingCommandsToDead) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const OutboxCommand due = Command("DUE", t, t + 10s);
  const OutboxCommand leased = Command("LEASED", t + 5s, t + 10s);
  const OutboxCommand alive = Command("ALIVE", t + 6s, t + 1h);
  const OutboxCommand sent = Command("SENT", t + 6s, t + 10s);
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t i_due, h.store().Enqueue(due, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t i_sent, h.store().Enqueue(sent, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t i_leased, h.store().Enqueue(leased, nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t i_alive, h.store().Enqueue(alive, nullptr));
  // At t + 5s node-a claims DUE and LEASED; DUE's attempt fails at once (retry after its
  // deadline), LEASED's is still under way at the deadline.
  VGI_ASSERT_OK_AND_ASSIGN(auto claimed, h.store().ClaimOutbox("node-a", t + 5s, kLease, 10));
  ASSERT_EQ(Ids(claimed), (std::vector<std::int64_t>{i_due, i_leased}));
  OutboxOutcome retry;
  retry.state = OutboxState::kPending;
  retry.next_attempt_at = t + 20s;
  retry.error = "connection refused";
  VGI_ASSERT_OK(h.store().FinishOutbox(i_due, "node-a", retry));
  VGI_ASSERT_OK_AND_ASSIGN(claimed, h.store().ClaimOutbox("node-b", t + 6s, kLease, 10));
  ASSERT_EQ(Ids(claimed), (std::vector<std::int64_t>{i_sent, i_alive}));
  OutboxOutcome ok;
  ok.state = OutboxState::kSent;
  ok.at = t + 7s;
  ok.ret = 0;
  VGI_ASSERT_OK(h.store().FinishOutbox(i_sent, "node-b", ok));
  VGI_ASSERT_OK_AND_ASSIGN(auto sent_before, h.store().GetOutbox(i_sent));

  VGI_ASSERT_OK_AND_ASSIGN(auto expired, h.store().ExpireOutbox(t + 10s));
  OutboxCommand want_due = Claimed(Pending(due, i_due), "node-a", t + 5s);
  want_due.lease_owner.clear();
  want_due.lease_until.reset();
  want_due.next_attempt_at = t + 20s;
  want_due.state = OutboxState::kDead;
  want_due.last_error = "deadline passed before delivery";
  want_due.finished_at = t + 10s;
  ASSERT_EQ(expired, std::vector<OutboxCommand>{want_due});

  // LEASED dies once node-a's lease has ended without an outcome.
  VGI_ASSERT_OK_AND_ASSIGN(expired, h.store().ExpireOutbox(t + 5s + kLease - 1us));
  EXPECT_TRUE(expired.empty());
  VGI_ASSERT_OK_AND_ASSIGN(expired, h.store().ExpireOutbox(t + 5s + kLease));
  OutboxCommand want_leased = Pending(leased, i_leased);
  want_leased.attempts = 1;
  want_leased.state = OutboxState::kDead;
  want_leased.last_error = "deadline passed before delivery";
  want_leased.finished_at = t + 5s + kLease;
  ASSERT_EQ(expired, std::vector<OutboxCommand>{want_leased});
  VGI_ASSERT_OK_AND_ASSIGN(expired, h.store().ExpireOutbox(t + 1min));
  EXPECT_TRUE(expired.empty());

  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetOutbox(i_due));
  EXPECT_EQ(got, std::optional<OutboxCommand>(want_due));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetOutbox(i_sent));
  EXPECT_EQ(got, sent_before);
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetOutbox(i_alive));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, OutboxState::kPending);
  // A dead command is never claimed, nor can its old holder finish it.
  VGI_ASSERT_OK_AND_ASSIGN(claimed, h.store().ClaimOutbox("node-c", t + 1min, kLease, 10));
  EXPECT_EQ(Ids(claimed), std::vector<std::int64_t>{i_alive});
  EXPECT_EQ(h.store().FinishOutbox(i_leased, "node-a", ok).code(), StatusCode::kConflict);
}

// ---- listing ----------------------------------------------------------------------------------

TEST_P(StoreConformance, ListOutboxFiltersByOperatorRegulationAndStateInIdOrder) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const std::string other = "987654321";
  std::vector<std::int64_t> ids;
  for (const auto& [op, reg] : std::vector<std::pair<std::string, std::string>>{
           {kOp, "R1"}, {kOp, "R2"}, {other, "R1"}, {kOp, "R1"}, {other, "R2"}}) {
    VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id, h.store().Enqueue(Command(reg, t, t + 1h, op), nullptr));
    ids.push_back(id);
  }
  // ids[3] is sent.
  VGI_ASSERT_OK_AND_ASSIGN(auto claimed, h.store().ClaimOutbox("node-a", t, kLease, 10));
  ASSERT_EQ(claimed.size(), 5u);
  OutboxOutcome ok;
  ok.state = OutboxState::kSent;
  ok.at = t;
  ok.ret = 0;
  VGI_ASSERT_OK(h.store().FinishOutbox(ids[3], "node-a", ok));

  auto list = [&](OutboxFilter f) {
    auto got = h.store().ListOutbox(f);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? Ids(*got) : std::vector<std::int64_t>{-1};
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(list({}), ids);
  EXPECT_EQ(list(Filter(kOp)), (V{ids[0], ids[1], ids[3]}));
  EXPECT_EQ(list(Filter(std::nullopt, "R1")), (V{ids[0], ids[2], ids[3]}));
  EXPECT_EQ(list(Filter(kOp, "R1")), (V{ids[0], ids[3]}));
  EXPECT_EQ(list(Filter(std::nullopt, std::nullopt, OutboxState::kSent)), (V{ids[3]}));
  EXPECT_EQ(list(Filter(other, std::nullopt, OutboxState::kPending)), (V{ids[2], ids[4]}));
  EXPECT_EQ(list(Filter(kOp, "R1", OutboxState::kPending)), (V{ids[0]}));
  EXPECT_EQ(list(Filter(std::nullopt, std::nullopt, std::nullopt, 2)), (V{ids[0], ids[1]}));
  EXPECT_EQ(list(Filter(std::nullopt, "R2", std::nullopt, 1)), (V{ids[1]}));
  EXPECT_EQ(list(Filter(std::nullopt, std::nullopt, std::nullopt, 0)), V{});
  EXPECT_EQ(list(Filter("000000000")), V{});
  EXPECT_EQ(list(Filter(std::nullopt, std::nullopt, OutboxState::kDead)), V{});

  // Listed rows are whole and opened, as GetOutbox returns them.
  VGI_ASSERT_OK_AND_ASSIGN(auto rows, h.store().ListOutbox(Filter(other)));
  ASSERT_EQ(rows.size(), 2u);
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetOutbox(ids[2]));
  EXPECT_EQ(std::optional<OutboxCommand>(rows[0]), got);
  EXPECT_NE(rows[0].data_json.find(kCreditCode), std::string::npos);
}

// ---- concurrency and restart ------------------------------------------------------------------

TEST_P(StoreConformance, ConcurrentClaimersNeverReceiveTheSameCommand) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  constexpr int kCommands = 60;
  constexpr int kThreads = 4;
  std::vector<std::int64_t> enqueued;
  for (int i = 0; i < kCommands; ++i) {
    std::string reg = "R";
    reg += std::to_string(i);  // (not "R" + ...: GCC 12 -O3 warns falsely about it, -Wrestrict)
    VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t id,
                             h.store().Enqueue(Command(reg, t + std::chrono::seconds(i % 7), t + 1h), nullptr));
    enqueued.push_back(id);
  }
  // Half the claimers on a second store on the same database, as another process would be.
  VGI_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, h.OpenAnother());
  std::mutex mu;
  std::map<std::int64_t, std::string> owner;  // id -> the node that received it
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    Store* store = (second != nullptr && n % 2 == 1) ? second.get() : &h.store();
    threads.emplace_back([&, n, store] {
      const std::string node = "node-" + std::to_string(n);
      for (;;) {
        auto got = store->ClaimOutbox(node, t + 10s, 1h, 3);
        std::lock_guard lock(mu);
        if (!got.ok()) {
          errors.push_back(got.status().ToString());
          return;
        }
        if (got->empty()) return;  // nothing due and unleased is left (a locked row is being claimed)
        for (const OutboxCommand& c : *got) {
          if (c.lease_owner != node || c.attempts != 1) errors.push_back("bad claim of " + std::to_string(c.id));
          if (!owner.emplace(c.id, node).second) {
            errors.push_back("command " + std::to_string(c.id) + " claimed by " + owner[c.id] + " and " + node);
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(owner.size(), enqueued.size());
  for (const std::int64_t id : enqueued) {
    VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetOutbox(id));
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->lease_owner, owner[id]) << id;
    EXPECT_EQ(stored->attempts, 1) << id;
  }
}

TEST_P(StoreConformance, TheOutboxSurvivesARestart) {
  if (!GetParam().reopen) GTEST_SKIP() << "the memory store keeps nothing across instances";
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const InstructionRow instruction = Instruction("R1", t);
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t sent, h.store().Enqueue(Command("R1", t, t + 1h), &instruction));
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t leased, h.store().Enqueue(Command("R2", t, t + 1h), nullptr));
  VGI_ASSERT_OK_AND_ASSIGN(auto claimed, h.store().ClaimOutbox("node-a", t, kLease, 10));
  ASSERT_EQ(claimed.size(), 2u);
  OutboxOutcome ok;
  ok.state = OutboxState::kSent;
  ok.at = t + 1s;
  ok.ret = 0;
  ok.msg = "ok";
  ok.response_json = R"({"status":1})";
  VGI_ASSERT_OK(h.store().FinishOutbox(sent, "node-a", ok));
  VGI_ASSERT_OK_AND_ASSIGN(auto before, h.store().ListOutbox({}));

  VGI_ASSERT_OK(h.Reopen());
  VGI_ASSERT_OK_AND_ASSIGN(auto after, h.store().ListOutbox({}));
  EXPECT_EQ(after, before);
  VGI_ASSERT_OK_AND_ASSIGN(auto stored, h.store().GetInstruction(kOp, "R1"));
  EXPECT_EQ(stored, std::optional<InstructionRow>(instruction));
  // The lease taken before the restart still holds; ids go on increasing.
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().ClaimOutbox("node-b", t + 1s, kLease, 10));
  EXPECT_TRUE(none.empty());
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t next, h.store().Enqueue(Command("R3", t, t + 1h), nullptr));
  EXPECT_GT(next, leased);
}

}  // namespace
}  // namespace vgi::store
