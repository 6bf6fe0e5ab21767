// PostgreSQL-only outbox tests (the conformance suite covers the behaviour on every backend):
// the instruction and the command in one statement, the documents sealed in their columns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_pgtest_util.hpp"

namespace vgi::store {
namespace {

using namespace pgtest;  // NOLINT
using ::testing::HasSubstr;

OutboxCommand SecretCommand(SystemTime now, const std::string& task_id, const std::string& secret) {
  OutboxCommand c;
  c.operator_id = testing::kSampleOperatorId;
  c.interface = proto::Interface::kSendTask;
  c.task_id = task_id;
  c.regulation_id = "REG-PG";
  c.data_json = R"({"regulationID":"REG-PG","creditCode":")" + secret + R"("})";
  c.created_at = now;
  c.deadline = now + std::chrono::hours(1);
  return c;
}

TEST_F(PostgresStoreTest, AnEnqueueWhoseCommandTheServerRefusesLeavesNoInstruction) {
  auto store = Fresh("vgi-test", PostgresOptions{1});
  ASSERT_TRUE(store);
  InstructionRow instruction{testing::kSampleOperatorId, testing::SampleInstruction(), clock_.Now()};
  instruction.instruction.regulation_id = "REG-PG";
  instruction.instruction.range_type = proto::RangeType::kStation;
  instruction.instruction.adjust_ids = {"STA1"};
  instruction.instruction.credit_code = testing::kSampleCreditCode;
  // PostgreSQL text cannot hold NUL: the command's insert fails after the instruction's upsert.
  const Status refused = store->Enqueue(SecretCommand(clock_.Now(), std::string("T\0", 2), "x"), &instruction).status();
  EXPECT_EQ(refused.code(), StatusCode::kInvalid) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("vgi_enqueue_with_instruction"));
  auto none = store->GetInstruction(testing::kSampleOperatorId, "REG-PG");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  auto empty = store->ListOutbox({});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->empty());

  auto id = store->Enqueue(SecretCommand(clock_.Now(), "T1", "x"), &instruction);
  ASSERT_TRUE(id.ok()) << id.status();
  auto both = store->GetInstruction(testing::kSampleOperatorId, "REG-PG");
  ASSERT_TRUE(both.ok() && both->has_value()) << both.status();
  EXPECT_EQ(**both, instruction);
}

TEST_F(PostgresStoreTest, OutboxDocumentsAreSealedInTheirColumns) {
  auto store = Fresh();
  ASSERT_TRUE(store);
  const std::string data_secret = "91110190DATAOUTBOX";
  const std::string response_secret = "91110190RESPONSE42";
  auto id = store->Enqueue(SecretCommand(clock_.Now(), "T1", data_secret), nullptr);
  ASSERT_TRUE(id.ok()) << id.status();
  auto claimed = store->ClaimOutbox("node-a", clock_.Now(), std::chrono::seconds(30), 1);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u) << claimed.status();
  OutboxOutcome sent;
  sent.state = OutboxState::kSent;
  sent.at = clock_.Now();
  sent.ret = 0;
  sent.response_json = R"({"creditCode":")" + response_secret + R"("})";
  ASSERT_TRUE(store->FinishOutbox(*id, "node-a", sent).ok());

  auto pool = pg::Pool::Open(url_, 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  auto c = (*pool)->Acquire();
  ASSERT_TRUE(c.ok()) << c.status();
  auto rows = (*c)->Exec("SELECT data, response, regulation_id FROM outbox");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1);
  const std::string data(*rows->Bytes(0, 0));
  const std::string response(*rows->Bytes(0, 1));
  EXPECT_EQ(data.find(data_secret), std::string::npos);
  EXPECT_EQ(response.find(response_secret), std::string::npos);
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data[0], '\x01');  // the Sealer's format byte
  EXPECT_EQ(*rows->Bytes(0, 2), "REG-PG");
  auto got = store->GetOutbox(*id);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  EXPECT_NE((*got)->data_json.find(data_secret), std::string::npos);
  EXPECT_EQ((*got)->response_json, sent.response_json);
}

}  // namespace
}  // namespace vgi::store
