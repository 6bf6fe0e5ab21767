// Two grid nodes (`vgi serve` processes) on one PostgreSQL database share the outbox: every
// command is delivered once while both run, and when the node holding a command in flight dies,
// the other takes it over once the lease ends. They also share the regulation engine: exactly one
// runs its ticks at a time, and another takes over within 30 s when it dies. Needs
// VGI_TEST_PG_URL (./test.sh starts a throwaway PostgreSQL); skipped without it.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
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
  ScratchDatabase(std::string admin_url, const std::string& tag) : admin_url_(std::move(admin_url)) {
    name_ = "vgi_multinode_" + tag + "_" + std::to_string(::getpid());
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

// The setups of node-a and node-b in `dir` on `database`, sharing one certificate in dir/tls.
void PrepareNodes(const std::string& dir, const std::string& database, Node (&nodes)[2]) {
  const std::string tls_dir = dir + "/tls";
  ASSERT_TRUE(server::EnsureSelfSignedCertificate(tls_dir + "/server.crt", tls_dir + "/server.key", "127.0.0.1").ok());
  for (int i = 0; i < 2; ++i) {
    auto& s = nodes[i].setup;
    s.node_id = i == 0 ? "node-a" : "node-b";
    s.node_index = i;
    s.node_count = 2;
    s.data_dir = dir + "/" + s.node_id;
    s.tls_dir = tls_dir;
    s.port = FreePort();
    s.database = database;
    s.sim_cert = dir + "/sim.crt";
    nodes[i].config = dir + "/" + s.node_id + ".yaml";
    nodes[i].port_file = dir + "/" + s.node_id + ".port";
    nodes[i].log = dir + "/" + s.node_id + ".log";
  }
}

// (Re)starts `node` from its config and waits until it serves on its port.
void StartNode(Node& node) {
  std::remove(node.port_file.c_str());  // a restarted node must not be taken as up by its old file
  node.process = std::make_unique<ServerProcess>(VGI_BINARY, node.config, node.port_file, node.log);
  ASSERT_EQ(WaitForPort(node.port_file, *node.process), node.setup.port) << Tail(node.log);
}

// Writes both configs and starts node-a, then node-b.
void StartNodes(Node (&nodes)[2], const SimSide& sim) {
  for (int i = 0; i < 2; ++i) {
    WriteFile(nodes[i].config, NodeConfigYaml(nodes[i].setup, sim));
    if (i == 1) {  // the nodes share the database, so they share the master key that seals it
      fs::create_directories(nodes[1].setup.data_dir);
      fs::copy_file(nodes[0].setup.data_dir + "/master.key", nodes[1].setup.data_dir + "/master.key");
      ::chmod((nodes[1].setup.data_dir + "/master.key").c_str(), 0600);
    }
    ASSERT_NO_FATAL_FAILURE(StartNode(nodes[i]));
  }
}

TEST(MultiNodeTest, TwoGridNodesShareTheOutboxAndTakeOverADeadNodesClaims) {
  const char* admin = std::getenv("VGI_TEST_PG_URL");
  if (admin == nullptr || *admin == '\0') GTEST_SKIP() << "VGI_TEST_PG_URL is not set (./test.sh sets it)";
  ScratchDatabase database(admin, "outbox");
  ASSERT_TRUE(database.ok());

  TempDir dir;
  Node nodes[2];
  ASSERT_NO_FATAL_FAILURE(PrepareNodes(dir.path(), database.url(), nodes));
  SimSide sim = MakeSimSide(dir.path(), 3, "https://127.0.0.1:" + std::to_string(nodes[0].setup.port) + "/evcs/v1",
                            nodes[0].setup.tls_dir + "/server.crt");
  ASSERT_NO_FATAL_FAILURE(StartNodes(nodes, sim));

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

// One sample of a running node's /metrics: `vgi_engine_leader` (0/1) and
// `vgi_engine_ticks_total`; -1 each when the page cannot be read or lacks the sample.
struct EngineSample {
  int leader = -1;
  long ticks = -1;
};

EngineSample SampleEngine(const Node& node) {
  EngineSample s;
  auto page = FetchMetrics(node.setup.port, node.setup.tls_dir + "/server.crt");
  if (!page.ok()) return s;
  if (auto v = MetricValue(*page, "vgi_engine_leader"); v && (*v == 0 || *v == 1)) s.leader = static_cast<int>(*v);
  if (auto v = MetricValue(*page, "vgi_engine_ticks_total")) s.ticks = static_cast<long>(*v);
  return s;
}

// The holder of store lease `name` as the shared database records it ("" when there is none).
std::string LeaseHolder(const std::string& url, const std::string& name) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string holder;
  if (PQstatus(conn) == CONNECTION_OK) {
    const char* params[] = {name.c_str()};
    PGresult* r = PQexecParams(conn, "SELECT holder FROM leases WHERE name = $1", 1, nullptr, params, nullptr,
                               nullptr, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) holder = PQgetvalue(r, 0, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) std::fprintf(stderr, "leases: %s", PQerrorMessage(conn));
    PQclear(r);
  }
  PQfinish(conn);
  return holder;
}

// The state word of `vgi demand show` ("demand ID: STATE (version N)"); "" when it failed.
std::string DemandState(const CommandResult& show, const std::string& task_id) {
  const std::string prefix = "demand " + task_id + ": ";
  if (show.exit_code != 0 || show.output.rfind(prefix, 0) != 0) return "";
  const auto end = show.output.find(' ', prefix.size());
  return show.output.substr(prefix.size(), end == std::string::npos ? std::string::npos : end - prefix.size());
}

// The issue's requirement: "With several vgi nodes on one PostgreSQL, exactly one runs the
// engine's clock-driven work at a time; another takes over within 30 s when it dies." The nodes
// run the engine with its defaults (tick 1 s, lease_ttl 20 s).
TEST(MultiNodeTest, ExactlyOneNodeRunsTheEngineAndAnotherTakesOverWithin30sOfItsDeath) {
  const char* admin = std::getenv("VGI_TEST_PG_URL");
  if (admin == nullptr || *admin == '\0') GTEST_SKIP() << "VGI_TEST_PG_URL is not set (./test.sh sets it)";
  ScratchDatabase database(admin, "engine");
  ASSERT_TRUE(database.ok());

  TempDir dir;
  Node nodes[2];
  ASSERT_NO_FATAL_FAILURE(PrepareNodes(dir.path(), database.url(), nodes));
  nodes[0].setup.engine_node_id = "engine-a";
  nodes[1].setup.engine_node_id = "engine-b";
  SimSide sim = MakeSimSide(dir.path(), 1, "https://127.0.0.1:" + std::to_string(nodes[0].setup.port) + "/evcs/v1",
                            nodes[0].setup.tls_dir + "/server.crt");
  ASSERT_NO_FATAL_FAILURE(StartNodes(nodes, sim));
  auto logs = [&] { return "\nnode-a:\n" + Tail(nodes[0].log) + "\nnode-b:\n" + Tail(nodes[1].log); };

  // Exactly one leader, and never both over a few ticks.
  int leader = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        const int a = SampleEngine(nodes[0]).leader, b = SampleEngine(nodes[1]).leader;
        if (a >= 0 && b >= 0 && a + b == 1) leader = a == 1 ? 0 : 1;
        return leader >= 0;
      },
      15s))
      << logs();
  const int follower = 1 - leader;
  int samples = 0;
  for (const auto until = std::chrono::steady_clock::now() + 4s; std::chrono::steady_clock::now() < until; ++samples) {
    const EngineSample l = SampleEngine(nodes[leader]), f = SampleEngine(nodes[follower]);
    ASSERT_FALSE(l.leader == 1 && f.leader == 1) << "both nodes report vgi_engine_leader 1" << logs();
    ASSERT_EQ(l.leader, 1) << logs();
    ASSERT_EQ(f.leader, 0) << logs();
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(samples, 10);
  const EngineSample leader_before = SampleEngine(nodes[leader]), follower_before = SampleEngine(nodes[follower]);
  EXPECT_GE(leader_before.ticks, 3) << "the leader runs a tick every second";
  EXPECT_EQ(follower_before.ticks, 0) << "the follower must not run the engine's work";
  EXPECT_EQ(LeaseHolder(database.url(), "engine"), nodes[leader].setup.engine_node_id);

  // kill -9 the leader: its lease is not released, so the survivor takes over when it lapses.
  nodes[leader].process->Kill();
  const auto killed = std::chrono::steady_clock::now();
  auto takeover = std::chrono::steady_clock::duration::max();
  while (std::chrono::steady_clock::now() - killed < 45s) {
    if (SampleEngine(nodes[follower]).leader == 1) {
      takeover = std::chrono::steady_clock::now() - killed;
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(takeover, std::chrono::steady_clock::duration::max()) << "no takeover within 45 s" << logs();
  const double seconds = std::chrono::duration<double>(takeover).count();
  std::printf("[ takeover ] engine leader %s killed; %s took over after %.3f s (limit 30 s)\n",
              nodes[leader].setup.engine_node_id.c_str(), nodes[follower].setup.engine_node_id.c_str(), seconds);
  std::fflush(stdout);
  EXPECT_LE(takeover, 30s) << "the requirement: another node takes over within 30 s";
  EXPECT_EQ(LeaseHolder(database.url(), "engine"), nodes[follower].setup.engine_node_id);

  // The survivor runs the clock-driven work: a demand made through the shared store leaves draft
  // at its next tick (with no operator reporting potential, as done: "nothing sent").
  const auto start = std::chrono::system_clock::now() + 20min;
  auto first = proto::ToBeijingMinute(start);
  if (proto::DateOf(first) != proto::DateOf(proto::BeijingMinute{first.minutes + 4})) {
    first = MinuteOf(proto::DateOf(proto::BeijingMinute{first.minutes + 4}), 10);  // not across midnight
  }
  const std::string window = "100," + proto::FormatMinute(first) + "," +
                             proto::FormatMinute(proto::BeijingMinute{first.minutes + 4});
  const std::string task = "LEADER-TAKEOVER-1";
  const std::string capture = dir.path() + "/cli.out";
  const CommandResult created =
      RunCommand(VGI_BINARY,
                 {"demand", "create", "--config", nodes[follower].config, "--type", "peak", "--scope", "all",
                  "--window", window, "--task-id", task},
                 capture);
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_NE(created.output.find("created demand " + task + " (draft)"), std::string::npos) << created.output;
  const auto created_at = std::chrono::steady_clock::now();
  CommandResult shown;
  std::string state = "draft";
  while (state == "draft" && std::chrono::steady_clock::now() - created_at < 10s) {
    std::this_thread::sleep_for(250ms);
    shown = RunCommand(VGI_BINARY, {"demand", "show", "--config", nodes[follower].config, task}, capture);
    state = DemandState(shown, task);
    ASSERT_FALSE(state.empty()) << shown.output;
  }
  std::printf("[ takeover ] demand %s made through the store: %s %.3f s later on the survivor\n", task.c_str(),
              state.c_str(), std::chrono::duration<double>(std::chrono::steady_clock::now() - created_at).count());
  std::fflush(stdout);
  EXPECT_TRUE(state == "done" || state == "dispatched") << shown.output << logs();
  if (state == "done") {
    EXPECT_NE(shown.output.find("nothing sent: no operator in scope reports usable potential"), std::string::npos)
        << shown.output;
  }

  // The killed node comes back: it stays a follower while the survivor lives.
  ASSERT_NO_FATAL_FAILURE(StartNode(nodes[leader]));
  samples = 0;
  for (const auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until; ++samples) {
    const EngineSample back = SampleEngine(nodes[leader]), survivor = SampleEngine(nodes[follower]);
    ASSERT_EQ(back.leader, 0) << "the restarted node took the lease from a live leader" << logs();
    ASSERT_EQ(survivor.leader, 1) << logs();
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_GE(samples, 10);
  EXPECT_EQ(SampleEngine(nodes[leader]).ticks, 0) << "the restarted node ran the engine's work";
  EXPECT_EQ(LeaseHolder(database.url(), "engine"), nodes[follower].setup.engine_node_id);
}

}  // namespace
}  // namespace vgi::e2e
