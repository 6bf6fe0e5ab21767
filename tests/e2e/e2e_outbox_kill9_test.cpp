// kill -9 of the grid during delivery: `vgi serve` (SQLite) sends an instruction to a simulated
// operator that takes it and holds its answer; the grid is killed before it can mark the command
// sent. Restarted, it delivers once more when the dead process's lease ends, and the operator,
// which dedupes by regulationID, takes effect once.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "e2e_relay_process.hpp"
#include "vgi/relay/outbox_relay.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/tls.hpp"

namespace vgi::e2e {
namespace {

using namespace std::chrono_literals;

TEST(OutboxKill9Test, AGridKilledBetweenSendAndMarkSentDeliversOnceMoreAndTakesEffectOnce) {
  TempDir dir;
  const std::string tls_dir = dir.path() + "/tls";
  ASSERT_TRUE(server::EnsureSelfSignedCertificate(tls_dir + "/server.crt", tls_dir + "/server.key", "127.0.0.1").ok());
  const std::uint16_t port = FreePort();
  SimSide sim = MakeSimSide(dir.path(), 1, "https://127.0.0.1:" + std::to_string(port) + "/evcs/v1",
                            tls_dir + "/server.crt");
  const std::string op = sim.simulator->Peers()[0].operator_id;

  NodeSetup node;
  node.node_id = "grid-a";
  node.data_dir = dir.path() + "/data";
  node.tls_dir = tls_dir;
  node.port = port;
  node.sim_cert = dir.path() + "/sim.crt";
  const std::string config_path = dir.path() + "/grid.yaml", port_file = dir.path() + "/port",
                    log = dir.path() + "/grid.log";
  WriteFile(config_path, NodeConfigYaml(node, sim));

  auto grid = std::make_unique<ServerProcess>(VGI_BINARY, config_path, port_file, log);
  ASSERT_EQ(WaitForPort(port_file, *grid), port) << Tail(log);

  // The operator takes the instruction and holds its answer long past the kill.
  sim::Faults hold;
  hold.answer_delay = 10s;
  ASSERT_TRUE(sim.simulator->SetFaults(op, hold).ok());

  auto config = server::LoadConfig(config_path);
  ASSERT_TRUE(config.ok()) << config.status();
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
  ASSERT_TRUE(db.ok()) << db.status();
  auto id = relay::EnqueueInstruction(*db->store, Clock::System(), op, HourAheadInstruction(op, "REG-KILL9"));
  ASSERT_TRUE(id.ok()) << id.status();

  ASSERT_TRUE(WaitFor([&] { return sim.simulator->Stats(op).instructions_received == 1; })) << Tail(log);
  grid->Kill();

  auto row = db->store->GetOutbox(*id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((**row).state, store::OutboxState::kPending) << "marked sent although the answer never came";
  EXPECT_EQ((**row).lease_owner, "grid-a");
  EXPECT_EQ((**row).attempts, 1);

  ASSERT_TRUE(sim.simulator->SetFaults(op, sim::Faults{}).ok());
  std::filesystem::remove(port_file);
  grid = std::make_unique<ServerProcess>(VGI_BINARY, config_path, port_file, log);
  ASSERT_EQ(WaitForPort(port_file, *grid), port) << Tail(log);

  ASSERT_TRUE(WaitFor([&] {
    auto r = db->store->GetOutbox(*id);
    return r.ok() && r->has_value() && (**r).state == store::OutboxState::kSent;
  })) << Tail(log);
  row = db->store->GetOutbox(*id);
  EXPECT_EQ((**row).attempts, 2);
  EXPECT_EQ((**row).ret, 0);
  const auto stats = sim.simulator->Stats(op);
  EXPECT_EQ(stats.instructions_received, 1u);  // one instruction, taking effect once
  EXPECT_EQ(stats.duplicates, 1u);             // the redelivery, recognised by its regulationID
  EXPECT_TRUE(sim.simulator->Instruction(op, "REG-KILL9").has_value());
}

}  // namespace
}  // namespace vgi::e2e
