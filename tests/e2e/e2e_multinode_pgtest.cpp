// Two grid nodes (`vgi serve` processes) on one PostgreSQL database share the outbox: every
// command is delivered once while both run, and when the node holding a command in flight dies,
// the other takes it over once the lease ends. Needs VGI_TEST_PG_URL (./test.sh starts a
// throwaway PostgreSQL); skipped without it.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "e2e_relay_process.hpp"
#include "vgi/relay/outbox_relay.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/tls.hpp"

namespace vgi::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A database of its own on the test server, dropped at the end.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(std::string admin_url) : admin_url_(std::move(admin_url)) {
    name_ = "vgi_multinode_" + std::to_string(::getpid());
    ok_ = Exec("DROP DATABASE IF EXISTS " + name_) && Exec("CREATE DATABASE " + name_);
    const auto slash = admin_url_.rfind('/');
    url_ = admin_url_.substr(0, slash + 1) + name_;
  }
  ~ScratchDatabase() { Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  bool Exec(const std::string& sql) {
    PGconn* conn = PQconnectdb(admin_url_.c_str());
    bool good = PQstatus(conn) == CONNECTION_OK;
    if (good) {
      PGresult* r = PQexec(conn, sql.c_str());
      good = PQresultStatus(r) == PGRES_COMMAND_OK;
      if (!good) std::fprintf(stderr, "%s: %s", sql.c_str(), PQerrorMessage(conn));
      PQclear(r);
    }
    PQfinish(conn);
    return good;
  }
  std::string admin_url_, name_, url_;
  bool ok_ = false;
};

struct Node {
  NodeSetup setup;
  std::string config, port_file, log;
  std::unique_ptr<ServerProcess> process;
};

TEST(MultiNodeTest, TwoGridNodesShareTheOutboxAndTakeOverADeadNodesClaims) {
  const char* admin = std::getenv("VGI_TEST_PG_URL");
  if (admin == nullptr || *admin == '\0') GTEST_SKIP() << "VGI_TEST_PG_URL is not set (./test.sh sets it)";
  ScratchDatabase database(admin);
  ASSERT_TRUE(database.ok());

  TempDir dir;
  const std::string tls_dir = dir.path() + "/tls";
  ASSERT_TRUE(server::EnsureSelfSignedCertificate(tls_dir + "/server.crt", tls_dir + "/server.key", "127.0.0.1").ok());
  Node nodes[2];
  for (int i = 0; i < 2; ++i) {
    auto& s = nodes[i].setup;
    s.node_id = i == 0 ? "node-a" : "node-b";
    s.node_index = i;
    s.node_count = 2;
    s.data_dir = dir.path() + "/" + s.node_id;
    s.tls_dir = tls_dir;
    s.port = FreePort();
    s.database = database.url();
    s.sim_cert = dir.path() + "/sim.crt";
    nodes[i].config = dir.path() + "/" + s.node_id + ".yaml";
    nodes[i].port_file = dir.path() + "/" + s.node_id + ".port";
    nodes[i].log = dir.path() + "/" + s.node_id + ".log";
  }
  SimSide sim = MakeSimSide(dir.path(), 3, "https://127.0.0.1:" + std::to_string(nodes[0].setup.port) + "/evcs/v1",
                            tls_dir + "/server.crt");
  for (int i = 0; i < 2; ++i) {
    WriteFile(nodes[i].config, NodeConfigYaml(nodes[i].setup, sim));
    if (i == 1) {  // the nodes share the database, so they share the master key that seals it
      fs::create_directories(nodes[1].setup.data_dir);
      fs::copy_file(nodes[0].setup.data_dir + "/master.key", nodes[1].setup.data_dir + "/master.key");
      ::chmod((nodes[1].setup.data_dir + "/master.key").c_str(), 0600);
    }
    nodes[i].process = std::make_unique<ServerProcess>(VGI_BINARY, nodes[i].config, nodes[i].port_file, nodes[i].log);
    ASSERT_EQ(WaitForPort(nodes[i].port_file, *nodes[i].process), nodes[i].setup.port) << Tail(nodes[i].log);
  }

  auto config = server::LoadConfig(nodes[0].config);
  ASSERT_TRUE(config.ok()) << config.status();
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
  ASSERT_TRUE(db.ok()) << db.status();
  const auto peers = sim.simulator->Peers();
  constexpr int kCommands = 30;
  for (int i = 0; i < kCommands; ++i) {
    const std::string op = peers[static_cast<std::size_t>(i) % peers.size()].operator_id;
    auto id = relay::EnqueueInstruction(*db->store, Clock::System(), op, HourAheadInstruction(op, "REG-" + std::to_string(i)));
    ASSERT_TRUE(id.ok()) << id.status();
  }
  auto sent = [&] {
    store::OutboxFilter f;
    f.state = store::OutboxState::kSent;
    auto rows = db->store->ListOutbox(f);
    return rows.ok() ? rows->size() : 0u;
  };
  ASSERT_TRUE(WaitFor([&] { return sent() == kCommands; })) << Tail(nodes[0].log) << Tail(nodes[1].log);
  std::uint64_t received = 0, duplicates = 0;
  for (const auto& s : sim.simulator->AllStats()) received += s.instructions_received, duplicates += s.duplicates;
  EXPECT_EQ(received, static_cast<std::uint64_t>(kCommands));
  EXPECT_EQ(duplicates, 0u) << "a command was in flight from two nodes";

  // A command in flight from one node whose process dies: the other takes it over.
  const std::string op = peers[0].operator_id;
  sim::Faults hold;
  hold.answer_delay = 10s;
  ASSERT_TRUE(sim.simulator->SetFaults(op, hold).ok());
  const auto before = sim.simulator->Stats(op).instructions_received;
  auto id = relay::EnqueueInstruction(*db->store, Clock::System(), op, HourAheadInstruction(op, "REG-TAKEOVER"));
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(WaitFor([&] { return sim.simulator->Stats(op).instructions_received == before + 1; }));
  auto row = db->store->GetOutbox(*id);
  ASSERT_TRUE(row.ok() && row->has_value());
  const std::string holder = (**row).lease_owner;
  ASSERT_TRUE(holder == "node-a" || holder == "node-b") << holder;
  const int dead = holder == "node-a" ? 0 : 1;
  nodes[dead].process->Kill();
  ASSERT_TRUE(sim.simulator->SetFaults(op, sim::Faults{}).ok());

  ASSERT_TRUE(WaitFor([&] {
    auto r = db->store->GetOutbox(*id);
    return r.ok() && r->has_value() && (**r).state == store::OutboxState::kSent;
  })) << Tail(nodes[1 - dead].log);
  row = db->store->GetOutbox(*id);
  EXPECT_EQ((**row).attempts, 2);
  const auto stats = sim.simulator->Stats(op);
  EXPECT_EQ(stats.instructions_received, before + 1);
  EXPECT_EQ(stats.duplicates, 1u);  // the survivor's redelivery, recognised by regulationID
}

}  // namespace
}  // namespace vgi::e2e
