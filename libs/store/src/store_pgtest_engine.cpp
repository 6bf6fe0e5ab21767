// PostgreSQL-only engine tests (the conformance suite covers the behaviour on every backend):
// ApplyEngineWrite's batched statements — thousands of rows, outbox ids in command order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "store_pgtest_util.hpp"

namespace vgi::store {
namespace {

using namespace pgtest;  // NOLINT
using ::testing::HasSubstr;

// ---- ApplyEngineWrite in batches -----------------------------------------------------------------

// The engine's write for one demand: a regulation and a send_task with its instruction per row,
// spread over two operators. Rows are given in descending key order, so the outbox ids (command
// order) and the rows' key order (the statements' order) disagree.
EngineWrite LargeEngineWrite(const std::string& task_id, int rows, SystemTime at) {
  EngineWrite w;
  w.demand = DemandRow{task_id, DemandState::kDispatched, R"({"mw":20})", 0, at, at};
  for (int i = rows - 1; i >= 0; --i) {
    const std::string op = i % 2 == 0 ? testing::kSampleOperatorId : "987654321";
    const std::string regulation = task_id + "-R" + std::to_string(100000 + i);
    const SystemTime when = at + std::chrono::milliseconds(i);
    w.regulations.push_back(
        RegulationRow{op, regulation, task_id, 1 + i % 3, R"({"kw":)" + std::to_string(i) + "}", when, when});
    EngineWrite::Command c;
    c.command.operator_id = op;
    c.command.interface = proto::Interface::kSendTask;
    c.command.task_id = task_id;
    c.command.regulation_id = regulation;
    c.command.data_json = R"({"regulationID":")" + regulation + R"(","creditCode":"91110190ENGINECC01"})";
    c.command.created_at = when;
    c.command.deadline = when + std::chrono::minutes(10);
    InstructionRow row;
    row.operator_id = op;
    row.instruction = testing::SampleInstruction();
    row.instruction.task_id = task_id;
    row.instruction.regulation_id = regulation;
    row.instruction.range_type = proto::RangeType::kStation;
    row.instruction.adjust_ids = {"STA" + std::to_string(i)};
    row.instruction.credit_code = testing::kSampleCreditCode;
    row.sent_at = when;
    c.instruction = std::move(row);
    w.commands.push_back(std::move(c));
  }
  return w;
}

TEST_F(PostgresStoreTest, ALargeEngineWriteStoresEveryRowWithOutboxIdsInCommandOrder) {
  auto store = Fresh();
  ASSERT_TRUE(store);
  const SystemTime t = clock_.Now();
  // More rows than one statement takes (10 000), so the chunks are exercised too.
  constexpr int kRows = 12'000;
  EngineWrite w = LargeEngineWrite("T1", kRows, t);
  // A key named twice in one write ends as one upsert after another leaves it: a regulation keeps
  // its first created_at and takes the last fields; an instruction and a settlement are the last.
  RegulationRow again = w.regulations[0];
  again.state = 7;
  again.doc_json = R"({"again":true})";
  again.created_at = t + std::chrono::hours(1);
  again.updated_at = t + std::chrono::hours(1);
  w.regulations.push_back(again);
  EngineWrite::Command resent = w.commands[1];
  resent.instruction->sent_at = t + std::chrono::hours(2);
  resent.instruction->instruction.adjust_ids = {"STA-resent"};
  w.commands.push_back(resent);
  SettlementRow settled{testing::kSampleOperatorId, "T1-S1", "T1", Day("2024-04-09"), R"({"yuan":"1"})", t};
  SettlementRow settled_again = settled;
  settled_again.day = Day("2024-04-10");
  settled_again.doc_json = R"({"yuan":"2"})";
  w.settlements = {settled, settled_again};

  auto r = store->ApplyEngineWrite(w);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->demand_version, 1);
  ASSERT_EQ(r->outbox_ids.size(), w.commands.size());
  for (std::size_t i = 1; i < r->outbox_ids.size(); ++i) {
    ASSERT_LT(r->outbox_ids[i - 1], r->outbox_ids[i]) << "command " << i;
  }

  // Every command, in command order (ListOutbox is by id), as given.
  OutboxFilter all;
  all.limit = 100'000;
  auto outbox = store->ListOutbox(all);
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  ASSERT_EQ(outbox->size(), w.commands.size());
  for (std::size_t i = 0; i < w.commands.size(); ++i) {
    const OutboxCommand& got = (*outbox)[i];
    const OutboxCommand& sent = w.commands[i].command;
    ASSERT_EQ(got.id, r->outbox_ids[i]) << "command " << i;
    ASSERT_EQ(got.operator_id, sent.operator_id) << "command " << i;
    ASSERT_EQ(got.regulation_id, sent.regulation_id) << "command " << i;
    ASSERT_EQ(got.task_id, sent.task_id) << "command " << i;
    ASSERT_EQ(got.interface, sent.interface) << "command " << i;
    ASSERT_EQ(got.data_json, sent.data_json) << "command " << i;
    ASSERT_EQ(got.created_at, sent.created_at) << "command " << i;
    ASSERT_EQ(got.deadline, sent.deadline) << "command " << i;
    ASSERT_EQ(got.next_attempt_at, sent.created_at) << "command " << i;
    ASSERT_EQ(got.state, OutboxState::kPending) << "command " << i;
    ASSERT_EQ(got.attempts, 0) << "command " << i;
    ASSERT_EQ(got.lease_owner, "") << "command " << i;
    ASSERT_FALSE(got.lease_until.has_value()) << "command " << i;
  }
  // Enqueue after the batch continues the ids.
  auto next = store->Enqueue(w.commands[0].command, nullptr);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_GT(*next, r->outbox_ids.back());

  // Every regulation (the twice-named one merged), every instruction (the resent one last).
  RegulationFilter by_task;
  by_task.task_id = "T1";
  auto regulations = store->ListRegulations(by_task);
  ASSERT_TRUE(regulations.ok()) << regulations.status();
  ASSERT_EQ(regulations->size(), static_cast<std::size_t>(kRows));
  std::map<std::pair<std::string, std::string>, RegulationRow> stored;
  for (const RegulationRow& row : *regulations) stored.emplace(std::make_pair(row.operator_id, row.regulation_id), row);
  ASSERT_EQ(stored.size(), static_cast<std::size_t>(kRows));
  RegulationRow merged = again;
  merged.created_at = w.regulations[0].created_at;
  for (std::size_t i = 0; i < static_cast<std::size_t>(kRows); ++i) {
    const RegulationRow& want = i == 0 ? merged : w.regulations[i];
    auto it = stored.find({want.operator_id, want.regulation_id});
    ASSERT_NE(it, stored.end()) << want.regulation_id;
    ASSERT_EQ(it->second, want);
    const EngineWrite::Command& c = i == 1 ? resent : w.commands[i];
    auto instruction = store->GetInstruction(c.instruction->operator_id, c.instruction->instruction.regulation_id);
    ASSERT_TRUE(instruction.ok()) << instruction.status();
    ASSERT_TRUE(instruction->has_value()) << c.instruction->instruction.regulation_id;
    ASSERT_EQ(**instruction, *c.instruction);
  }
  auto settlements = store->ListSettlements({});
  ASSERT_TRUE(settlements.ok()) << settlements.status();
  ASSERT_EQ(settlements->size(), 1u);
  EXPECT_EQ(settlements->front(), settled_again);

  // A refused compare-and-set leaves none of a large write: a taken task_id, then a stale version.
  const std::size_t schema_at = url_.find("search_path%3D") + 14;
  const std::string schema = url_.substr(schema_at, url_.find('&', schema_at) - schema_at);
  auto count = [&](const char* table) -> std::int64_t {
    auto rows = Schemas::Get().Admin("SELECT count(*) FROM " + schema + "." + table);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows->Int64(0, 0) : -1;
  };
  const std::int64_t regulations_before = count("regulations");
  const std::int64_t outbox_before = count("outbox");
  const std::int64_t instructions_before = count("instructions");
  EngineWrite taken = LargeEngineWrite("T1", 2'000, t);
  for (auto& row : taken.regulations) row.regulation_id = "X" + row.regulation_id;
  for (auto& c : taken.commands) {
    c.instruction->instruction.regulation_id = "X" + c.instruction->instruction.regulation_id;
  }
  taken.settlements = {SettlementRow{testing::kSampleOperatorId, "X-S1", "T1", Day("2024-04-09"), "{}", t}};
  auto refused = store->ApplyEngineWrite(taken);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_THAT(refused.status().message(), HasSubstr("already exists"));
  taken.demand->version = 5;  // stored: 1
  refused = store->ApplyEngineWrite(taken);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_EQ(count("regulations"), regulations_before);
  EXPECT_EQ(count("outbox"), outbox_before);
  EXPECT_EQ(count("instructions"), instructions_before);
  EXPECT_EQ(count("settlements"), 1);
  auto demand = store->GetDemand("T1");
  ASSERT_TRUE(demand.ok()) << demand.status();
  ASSERT_TRUE(demand->has_value());
  EXPECT_EQ((*demand)->version, 1);
  auto absent = store->GetInstruction(taken.commands[0].instruction->operator_id,
                                      taken.commands[0].instruction->instruction.regulation_id);
  ASSERT_TRUE(absent.ok()) << absent.status();
  EXPECT_FALSE(absent->has_value());
}

}  // namespace
}  // namespace vgi::store
