// The store conformance suite, continued (see store_conformance.cpp): the regulation engine's
// tables (ApplyEngineWrite's demand compare-and-set, regulations, settlements and commands in one
// transaction; the lists and their filters), ListStationDays, and the named leases.
#include <algorithm>
#include <atomic>
#include <thread>

#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT
using namespace std::chrono_literals;

DemandRow Demand(const std::string& task_id, DemandState state, std::int64_t version, SystemTime at) {
  DemandRow d;
  d.task_id = task_id;
  d.state = state;
  d.doc_json = R"({"task":")" + task_id + R"(","mw":20,"v":)" + std::to_string(version) + "}";
  d.version = version;
  d.created_at = at;
  d.updated_at = at;
  return d;
}

RegulationRow Regulation(const std::string& operator_id, const std::string& regulation_id, const std::string& task_id,
                         int state, SystemTime at) {
  RegulationRow r;
  r.operator_id = operator_id;
  r.regulation_id = regulation_id;
  r.task_id = task_id;
  r.state = state;
  r.doc_json = R"({"regulation":")" + regulation_id + R"(","state":)" + std::to_string(state) + "}";
  r.created_at = at;
  r.updated_at = at;
  return r;
}

SettlementRow Settlement(const std::string& operator_id, const std::string& regulation_id, const char* day,
                         SystemTime at, const std::string& task_id = "T1") {
  SettlementRow s;
  s.operator_id = operator_id;
  s.regulation_id = regulation_id;
  s.task_id = task_id;
  s.day = Day(day);
  s.doc_json = R"({"regulation":")" + regulation_id + R"(","yuan":"12.50"})";
  s.created_at = at;
  return s;
}

EngineWrite::Command SendTask(const std::string& regulation_id, SystemTime at, bool with_instruction) {
  EngineWrite::Command c;
  c.command.operator_id = kOp;
  c.command.interface = proto::Interface::kSendTask;
  c.command.task_id = "T1";
  c.command.regulation_id = regulation_id;
  c.command.data_json = R"({"regulationID":")" + regulation_id + R"(","creditCode":"91110190ENGINECC01"})";
  c.command.created_at = at;
  c.command.deadline = at + 10min;
  if (with_instruction) {
    InstructionRow row;
    row.operator_id = kOp;
    row.instruction = vgi::testing::SampleInstruction();
    row.instruction.regulation_id = regulation_id;
    row.instruction.range_type = proto::RangeType::kStation;
    row.instruction.adjust_ids = {"STA1"};
    row.instruction.credit_code = vgi::testing::kSampleCreditCode;
    row.sent_at = at;
    c.instruction = row;
  }
  return c;
}

// `d` as stored after a write with its version: version + 1.
DemandRow Stored(DemandRow d) {
  ++d.version;
  return d;
}

std::vector<std::string> TaskIds(const std::vector<DemandRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.task_id);
  return out;
}

std::vector<std::string> RegulationIds(const std::vector<RegulationRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.operator_id + "/" + r.regulation_id);
  return out;
}

std::vector<std::string> RegulationIds(const std::vector<SettlementRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.operator_id + "/" + r.regulation_id);
  return out;
}

EngineWrite WithDemand(DemandRow d) {
  EngineWrite w;
  w.demand = std::move(d);
  return w;
}

// ---- demands ------------------------------------------------------------------------------------

TEST_P(StoreConformance, ANewDemandIsStoredWithVersionOneAndATakenTaskIdIsRefused) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const DemandRow d = Demand("T1", DemandState::kDraft, 0, t);
  VGI_ASSERT_OK_AND_ASSIGN(EngineWriteResult r, h.store().ApplyEngineWrite(WithDemand(d)));
  EXPECT_EQ(r.demand_version, 1);
  EXPECT_TRUE(r.outbox_ids.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetDemand("T1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, Stored(d));
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().GetDemand("T2"));
  EXPECT_FALSE(none.has_value());

  // Inserting it again (version 0) is refused with everything else the write carried.
  EngineWrite again = WithDemand(Demand("T1", DemandState::kDispatched, 0, t + 1min));
  again.regulations.push_back(Regulation(kOp, "R1", "T1", 1, t + 1min));
  again.settlements.push_back(Settlement(kOp, "R1", "2024-04-09", t + 1min));
  again.commands.push_back(SendTask("R1", t + 1min, true));
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(again).status(), StatusCode::kConflict, "already exists"));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetDemand("T1"));
  EXPECT_EQ(*got, Stored(d));
  VGI_ASSERT_OK_AND_ASSIGN(auto regulations, h.store().ListRegulations({}));
  EXPECT_TRUE(regulations.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto settlements, h.store().ListSettlements({}));
  EXPECT_TRUE(settlements.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto outbox, h.store().ListOutbox({}));
  EXPECT_TRUE(outbox.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto instruction, h.store().GetInstruction(kOp, "R1"));
  EXPECT_FALSE(instruction.has_value());
}

TEST_P(StoreConformance, ADemandUpdateComparesAndSetsItsVersion) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(WithDemand(Demand("T1", DemandState::kDraft, 0, t))).status());

  // The version last read (1): stored with 2; created_at stays the insert's.
  DemandRow update = Demand("T1", DemandState::kDispatched, 1, t + 5min);
  update.created_at = t + 1h;  // ignored: kept from the insert
  VGI_ASSERT_OK_AND_ASSIGN(EngineWriteResult r, h.store().ApplyEngineWrite(WithDemand(update)));
  EXPECT_EQ(r.demand_version, 2);
  DemandRow want = Stored(update);
  want.created_at = t;
  VGI_ASSERT_OK_AND_ASSIGN(auto got, h.store().GetDemand("T1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, want);

  // A stale version (1 again) is a Conflict, and nothing else from that write is stored.
  EngineWrite stale = WithDemand(Demand("T1", DemandState::kDone, 1, t + 6min));
  stale.regulations.push_back(Regulation(kOp, "R1", "T1", 1, t + 6min));
  stale.settlements.push_back(Settlement(kOp, "R1", "2024-04-09", t + 6min));
  stale.commands.push_back(SendTask("R1", t + 6min, true));
  stale.commands.push_back(SendTask("R2", t + 6min, false));
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(stale).status(), StatusCode::kConflict, "stale"));
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetDemand("T1"));
  EXPECT_EQ(*got, want);
  VGI_ASSERT_OK_AND_ASSIGN(auto regulations, h.store().ListRegulations({}));
  EXPECT_TRUE(regulations.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto settlements, h.store().ListSettlements({}));
  EXPECT_TRUE(settlements.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto outbox, h.store().ListOutbox({}));
  EXPECT_TRUE(outbox.empty());
  VGI_ASSERT_OK_AND_ASSIGN(auto instruction, h.store().GetInstruction(kOp, "R1"));
  EXPECT_FALSE(instruction.has_value());

  // A version for a demand never stored is a Conflict too.
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(WithDemand(Demand("T9", DemandState::kDraft, 3, t))).status(),
                        StatusCode::kConflict, "no such demand"));
  VGI_ASSERT_OK_AND_ASSIGN(auto none, h.store().GetDemand("T9"));
  EXPECT_FALSE(none.has_value());

  // The current version (2) applies.
  VGI_ASSERT_OK_AND_ASSIGN(r, h.store().ApplyEngineWrite(WithDemand(Demand("T1", DemandState::kDone, 2, t + 7min))));
  EXPECT_EQ(r.demand_version, 3);
  VGI_ASSERT_OK_AND_ASSIGN(got, h.store().GetDemand("T1"));
  EXPECT_EQ(got->state, DemandState::kDone);
  EXPECT_EQ(got->created_at, t);
}

TEST_P(StoreConformance, ListDemandsIsNewestFirstThenTaskIdDescendingFilteredAndLimited) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(WithDemand(Demand("T-A", DemandState::kDraft, 0, t))).status());
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(WithDemand(Demand("T-B", DemandState::kDone, 0, t + 1min))).status());
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(WithDemand(Demand("T-C", DemandState::kCancelled, 0, t + 1min))).status());
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(WithDemand(Demand("T-D", DemandState::kDispatched, 0, t - 1min))).status());

  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListDemands({}));
  EXPECT_EQ(TaskIds(all), (std::vector<std::string>{"T-C", "T-B", "T-A", "T-D"}));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], Stored(Demand("T-C", DemandState::kCancelled, 0, t + 1min)));

  DemandFilter finished;
  finished.states = {DemandState::kDone, DemandState::kCancelled, DemandState::kDraft};
  VGI_ASSERT_OK_AND_ASSIGN(auto some, h.store().ListDemands(finished));
  EXPECT_EQ(TaskIds(some), (std::vector<std::string>{"T-C", "T-B", "T-A"}));
  finished.limit = 2;
  VGI_ASSERT_OK_AND_ASSIGN(some, h.store().ListDemands(finished));
  EXPECT_EQ(TaskIds(some), (std::vector<std::string>{"T-C", "T-B"}));

  DemandFilter dispatched;
  dispatched.states = {DemandState::kDispatched};
  VGI_ASSERT_OK_AND_ASSIGN(some, h.store().ListDemands(dispatched));
  EXPECT_EQ(TaskIds(some), (std::vector<std::string>{"T-D"}));
  DemandFilter none;
  none.limit = 0;
  VGI_ASSERT_OK_AND_ASSIGN(some, h.store().ListDemands(none));
  EXPECT_TRUE(some.empty());
}

// ---- regulations and settlements ------------------------------------------------------------------

TEST_P(StoreConformance, RegulationsUpsertKeepingCreatedAtAndListByTaskOperatorAndState) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  EngineWrite w;
  w.regulations = {Regulation(kOp2, "R1", "T1", 1, t), Regulation(kOp, "R2", "T1", 2, t),
                   Regulation(kOp, "R1", "T1", 1, t + 1min), Regulation(kOp, "R3", "T2", 3, t - 1min),
                   Regulation(kOp2, "R4", "T2", 1, t)};
  VGI_ASSERT_OK_AND_ASSIGN(EngineWriteResult r, h.store().ApplyEngineWrite(w));
  EXPECT_EQ(r.demand_version, 0);

  // Ordered by task_id, then created_at, then operator_id, then regulation_id.
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListRegulations({}));
  EXPECT_EQ(RegulationIds(all),
            (std::vector<std::string>{kOp + std::string("/R2"), kOp2 + std::string("/R1"), kOp + std::string("/R1"),
                                      kOp + std::string("/R3"), kOp2 + std::string("/R4")}));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0], w.regulations[1]);

  // Replacing by key keeps created_at; state, doc and updated_at are the new ones.
  RegulationRow changed = Regulation(kOp, "R2", "T1", 4, t + 10min);
  EngineWrite again;
  again.regulations = {changed};
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(again).status());
  RegulationFilter by_task;
  by_task.task_id = "T1";
  VGI_ASSERT_OK_AND_ASSIGN(auto t1, h.store().ListRegulations(by_task));
  RegulationRow want = changed;
  want.created_at = t;
  ASSERT_EQ(t1.size(), 3u);
  EXPECT_EQ(t1[0], want);
  EXPECT_EQ(RegulationIds(t1),
            (std::vector<std::string>{kOp + std::string("/R2"), kOp2 + std::string("/R1"), kOp + std::string("/R1")}));

  RegulationFilter by_operator;
  by_operator.operator_id = kOp2;
  VGI_ASSERT_OK_AND_ASSIGN(auto op2, h.store().ListRegulations(by_operator));
  EXPECT_EQ(RegulationIds(op2), (std::vector<std::string>{kOp2 + std::string("/R1"), kOp2 + std::string("/R4")}));

  RegulationFilter by_state;
  by_state.states = {1, 4};
  VGI_ASSERT_OK_AND_ASSIGN(auto s14, h.store().ListRegulations(by_state));
  EXPECT_EQ(RegulationIds(s14), (std::vector<std::string>{kOp + std::string("/R2"), kOp2 + std::string("/R1"),
                                                          kOp + std::string("/R1"), kOp2 + std::string("/R4")}));

  RegulationFilter combined;
  combined.task_id = "T1";
  combined.operator_id = kOp;
  combined.states = {1};
  VGI_ASSERT_OK_AND_ASSIGN(auto one, h.store().ListRegulations(combined));
  EXPECT_EQ(RegulationIds(one), (std::vector<std::string>{kOp + std::string("/R1")}));
  combined.states = {2};
  VGI_ASSERT_OK_AND_ASSIGN(one, h.store().ListRegulations(combined));
  EXPECT_TRUE(one.empty());

  RegulationFilter limited;
  limited.limit = 2;
  VGI_ASSERT_OK_AND_ASSIGN(auto two, h.store().ListRegulations(limited));
  EXPECT_EQ(RegulationIds(two), (std::vector<std::string>{kOp + std::string("/R2"), kOp2 + std::string("/R1")}));
}

TEST_P(StoreConformance, SettlementsListByOperatorAndInclusiveDayRange) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  EngineWrite w;
  w.settlements = {Settlement(kOp, "R3", "2024-04-10", t), Settlement(kOp, "R1", "2024-04-09", t),
                   Settlement(kOp, "R2", "2024-04-11", t, "T2"), Settlement(kOp2, "R9", "2024-04-10", t),
                   Settlement(kOp, "R0", "2024-04-10", t)};
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(w).status());

  // Ordered by operator_id, then day, then regulation_id.
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListSettlements({}));
  const std::string a = kOp;
  const std::string b = kOp2;
  EXPECT_EQ(RegulationIds(all), (std::vector<std::string>{a + "/R1", a + "/R0", a + "/R3", a + "/R2", b + "/R9"}));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0], w.settlements[1]);

  SettlementFilter f;
  f.operator_id = kOp;
  f.from_day = Day("2024-04-10");
  f.to_day = Day("2024-04-11");
  VGI_ASSERT_OK_AND_ASSIGN(auto range, h.store().ListSettlements(f));
  EXPECT_EQ(RegulationIds(range), (std::vector<std::string>{a + "/R0", a + "/R3", a + "/R2"}));
  f.to_day = Day("2024-04-10");
  VGI_ASSERT_OK_AND_ASSIGN(range, h.store().ListSettlements(f));
  EXPECT_EQ(RegulationIds(range), (std::vector<std::string>{a + "/R0", a + "/R3"}));
  f.from_day.reset();
  VGI_ASSERT_OK_AND_ASSIGN(range, h.store().ListSettlements(f));
  EXPECT_EQ(RegulationIds(range), (std::vector<std::string>{a + "/R1", a + "/R0", a + "/R3"}));

  SettlementFilter day_only;
  day_only.from_day = Day("2024-04-10");
  day_only.to_day = Day("2024-04-10");
  VGI_ASSERT_OK_AND_ASSIGN(range, h.store().ListSettlements(day_only));
  EXPECT_EQ(RegulationIds(range), (std::vector<std::string>{a + "/R0", a + "/R3", b + "/R9"}));

  SettlementFilter by_task;
  by_task.task_id = "T2";
  VGI_ASSERT_OK_AND_ASSIGN(range, h.store().ListSettlements(by_task));
  EXPECT_EQ(RegulationIds(range), (std::vector<std::string>{a + "/R2"}));

  // Insert or replace by key.
  SettlementRow moved = Settlement(kOp, "R1", "2024-04-12", t + 1h);
  moved.doc_json = R"({"yuan":"99.00"})";
  EngineWrite again;
  again.settlements = {moved};
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(again).status());
  SettlementFilter op_a;
  op_a.operator_id = kOp;
  VGI_ASSERT_OK_AND_ASSIGN(range, h.store().ListSettlements(op_a));
  ASSERT_EQ(range.size(), 4u);
  EXPECT_EQ(range.back(), moved);
}

// ---- commands -------------------------------------------------------------------------------------

TEST_P(StoreConformance, EngineCommandsAreEnqueuedWithTheirInstructionsInOneWrite) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  const EngineWrite::Command before = SendTask("R0", t, false);
  VGI_ASSERT_OK_AND_ASSIGN(const std::int64_t first, h.store().Enqueue(before.command, nullptr));

  EngineWrite w = WithDemand(Demand("T1", DemandState::kDispatched, 0, t));
  w.regulations = {Regulation(kOp, "R1", "T1", 1, t), Regulation(kOp, "R2", "T1", 1, t)};
  w.commands = {SendTask("R1", t, true), SendTask("R2", t + 1s, false)};
  VGI_ASSERT_OK_AND_ASSIGN(EngineWriteResult r, h.store().ApplyEngineWrite(w));
  EXPECT_EQ(r.demand_version, 1);
  ASSERT_EQ(r.outbox_ids.size(), 2u);
  EXPECT_GT(r.outbox_ids[0], first);
  EXPECT_GT(r.outbox_ids[1], r.outbox_ids[0]);

  VGI_ASSERT_OK_AND_ASSIGN(auto outbox, h.store().ListOutbox({}));
  ASSERT_EQ(outbox.size(), 3u);
  for (std::size_t i = 0; i < 2; ++i) {
    const OutboxCommand& got = outbox[i + 1];
    const OutboxCommand& sent = w.commands[i].command;
    EXPECT_EQ(got.id, r.outbox_ids[i]);
    EXPECT_EQ(got.regulation_id, sent.regulation_id);
    EXPECT_EQ(got.data_json, sent.data_json);
    EXPECT_EQ(got.state, OutboxState::kPending);
    EXPECT_EQ(got.attempts, 0);
    EXPECT_EQ(got.next_attempt_at, sent.created_at);
    EXPECT_EQ(got.deadline, sent.deadline);
    VGI_ASSERT_OK_AND_ASSIGN(auto one, h.store().GetOutbox(r.outbox_ids[i]));
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(*one, got);
  }
  VGI_ASSERT_OK_AND_ASSIGN(auto instruction, h.store().GetInstruction(kOp, "R1"));
  ASSERT_TRUE(instruction.has_value());
  EXPECT_EQ(*instruction, *w.commands[0].instruction);
  VGI_ASSERT_OK_AND_ASSIGN(instruction, h.store().GetInstruction(kOp, "R2"));
  EXPECT_FALSE(instruction.has_value());

  // An invalid command refuses the whole write.
  EngineWrite bad = WithDemand(Demand("T2", DemandState::kDraft, 0, t));
  bad.commands = {SendTask("R5", t, true), SendTask("R6", t, false)};
  bad.commands[1].command.operator_id.clear();
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(bad).status(), StatusCode::kInvalid, "commands[1]"));
  VGI_ASSERT_OK_AND_ASSIGN(auto demand, h.store().GetDemand("T2"));
  EXPECT_FALSE(demand.has_value());
  VGI_ASSERT_OK_AND_ASSIGN(outbox, h.store().ListOutbox({}));
  EXPECT_EQ(outbox.size(), 3u);
  VGI_ASSERT_OK_AND_ASSIGN(instruction, h.store().GetInstruction(kOp, "R5"));
  EXPECT_FALSE(instruction.has_value());
}

TEST_P(StoreConformance, EngineWritesRefuseEmptyKeys) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(WithDemand(Demand("", DemandState::kDraft, 0, t))).status(),
                        StatusCode::kInvalid, "demand task_id"));
  EngineWrite w;
  w.regulations = {Regulation(kOp, "", "T1", 1, t)};
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(w).status(), StatusCode::kInvalid, "regulations[0]"));
  w.regulations.clear();
  w.settlements = {Settlement("", "R1", "2024-04-09", t)};
  EXPECT_TRUE(HasStatus(h.store().ApplyEngineWrite(w).status(), StatusCode::kInvalid, "settlements[0]"));
  EXPECT_TRUE(HasStatus(h.store().AcquireLease("", "node-a", t, 10s).status(), StatusCode::kInvalid, "lease name"));
  EXPECT_TRUE(HasStatus(h.store().AcquireLease("engine", "node-a", t, 0s).status(), StatusCode::kInvalid, "ttl"));
}

// ---- leases -----------------------------------------------------------------------------------------

TEST_P(StoreConformance, ALeaseIsHeldByOneHolderUntilItExpiresOrIsReleased) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(bool held, h.store().AcquireLease("engine", "node-a", t, 30s));
  EXPECT_TRUE(held);
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-b", t + 29s, 30s));
  EXPECT_FALSE(held);
  // Another name is another lease.
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("settlement", "node-b", t, 30s));
  EXPECT_TRUE(held);
  // The holder renews: now + ttl from the renewal.
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-a", t + 20s, 30s));
  EXPECT_TRUE(held);
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-b", t + 49s, 30s));
  EXPECT_FALSE(held);
  // Expired (until <= now): another holder takes it, and the old one is out.
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-b", t + 50s, 30s));
  EXPECT_TRUE(held);
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-a", t + 51s, 30s));
  EXPECT_FALSE(held);

  // Released by someone else: no-op.
  VGI_ASSERT_OK(h.store().ReleaseLease("engine", "node-a"));
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-a", t + 52s, 30s));
  EXPECT_FALSE(held);
  // Released by its holder: another takes it at once.
  VGI_ASSERT_OK(h.store().ReleaseLease("engine", "node-b"));
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-a", t + 53s, 30s));
  EXPECT_TRUE(held);
  VGI_ASSERT_OK(h.store().ReleaseLease("never-taken", "node-a"));
}

TEST_P(StoreConformance, ALeaseIsSharedByStoresOnOneDatabase) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, h.OpenAnother());
  if (!other) GTEST_SKIP() << "the memory store keeps nothing across instances";
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(bool held, h.store().AcquireLease("engine", "node-a", t, 30s));
  EXPECT_TRUE(held);
  VGI_ASSERT_OK_AND_ASSIGN(held, other->AcquireLease("engine", "node-b", t + 1s, 30s));
  EXPECT_FALSE(held);
  VGI_ASSERT_OK(h.store().ReleaseLease("engine", "node-a"));
  VGI_ASSERT_OK_AND_ASSIGN(held, other->AcquireLease("engine", "node-b", t + 2s, 30s));
  EXPECT_TRUE(held);
  VGI_ASSERT_OK_AND_ASSIGN(held, h.store().AcquireLease("engine", "node-a", t + 3s, 30s));
  EXPECT_FALSE(held);
}

TEST_P(StoreConformance, ConcurrentAcquirersOfAFreeLeaseGetItOnce) {
  VGI_OPEN(h);
  // Each contender has its own store on the database (as another process would) when the backend
  // allows it, else shares the one.
  constexpr int kContenders = 4;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kContenders; ++i) {
    VGI_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> s, h.OpenAnother());
    stores.push_back(std::move(s));
  }
  const SystemTime t = h.now();
  for (int round = 0; round < 5; ++round) {
    const std::string name = "engine-" + std::to_string(round);
    std::atomic<int> winners{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kContenders; ++i) {
      threads.emplace_back([&, i] {
        Store& store = stores[static_cast<std::size_t>(i)] ? *stores[static_cast<std::size_t>(i)] : h.store();
        auto held = store.AcquireLease(name, "node-" + std::to_string(i), t, 30s);
        if (!held.ok()) {
          ++errors;
        } else if (*held) {
          ++winners;
        }
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0) << name;
    EXPECT_EQ(winners.load(), 1) << name;
  }
}

TEST_P(StoreConformance, EngineRowsSurviveAReopen) {
  VGI_OPEN(h);
  if (!GetParam().reopen) GTEST_SKIP() << "the memory store keeps nothing across instances";
  const SystemTime t = h.now();
  EngineWrite w = WithDemand(Demand("T1", DemandState::kDispatched, 0, t));
  w.regulations = {Regulation(kOp, "R1", "T1", 2, t)};
  w.settlements = {Settlement(kOp, "R1", "2024-04-09", t)};
  VGI_ASSERT_OK(h.store().ApplyEngineWrite(w).status());
  VGI_ASSERT_OK(h.Reopen());
  VGI_ASSERT_OK_AND_ASSIGN(auto demand, h.store().GetDemand("T1"));
  ASSERT_TRUE(demand.has_value());
  EXPECT_EQ(*demand, Stored(*w.demand));
  VGI_ASSERT_OK_AND_ASSIGN(auto regulations, h.store().ListRegulations({}));
  EXPECT_EQ(regulations, w.regulations);
  VGI_ASSERT_OK_AND_ASSIGN(auto settlements, h.store().ListSettlements({}));
  EXPECT_EQ(settlements, w.settlements);
}

}  // namespace
}  // namespace vgi::store
