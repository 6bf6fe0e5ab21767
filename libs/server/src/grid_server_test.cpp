// GridServer's engine wiring: the runner ticks the Regulator while this node holds the lease,
// the ticks show in the metrics, and Stop() hands the lease over at once.
#include "vgi/server/grid_server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "http_test_client.hpp"
#include "vgi/console/password.hpp"
#include "vgi/console/roles.hpp"
#include "vgi/engine/engine_runner.hpp"
#include "vgi/engine/regulator.hpp"

namespace vgi::server {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

template <class Pred>
bool WaitFor(Pred done) {  // a bound, not a timing assertion
  const auto limit = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

struct Dir {
  fs::path path;
  Dir() {
    static std::atomic<int> n{0};
    path =
        fs::temp_directory_path() / ("vgi_grid_server_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(path);
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The value of an unlabelled series in Prometheus text ("name 12"), or -1 when absent.
double SeriesValue(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

struct Captured {
  std::ostringstream lines;
  std::shared_ptr<spdlog::logger> log;
  Captured() {
    log = std::make_shared<spdlog::logger>("grid-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(lines));
    log->set_pattern("%v");
  }
};

TEST(GridServerEngine, TicksWhileLeaderAndHandsTheLeaseOverOnStop) {
  Dir dir;
  Captured captured;
  auto config = ParseConfig(
      "server: { listen: \"127.0.0.1:0\", threads: 1 }\n"
      "engine: { node_id: node-a, tick: 50ms, lease_ttl: 1h }\n",
      dir.path.string());
  ASSERT_TRUE(config.ok()) << config.status();
  auto server = GridServer::Start(*config, Clock::System(), captured.log);
  ASSERT_TRUE(server.ok()) << server.status();
  engine::EngineRunner* runner = (*server)->engine_runner();
  ASSERT_NE(runner, nullptr);
  EXPECT_EQ(runner->node_id(), "node-a");
  ASSERT_TRUE(WaitFor([&] { return runner->leader() && runner->ticks() >= 2; }));
  EXPECT_GE(SeriesValue((*server)->metrics().Render(), "vgi_engine_ticks_total"), 2);
  EXPECT_EQ(SeriesValue((*server)->metrics().Render(), "vgi_engine_errors_total"), 0);
  // GET /metrics reports this node as the leader.
  testing::TestClient client((dir.path / "tls" / "server.crt").string());
  ASSERT_FALSE(client.Connect((*server)->port()));
  auto x = client.Request(testing::http::verb::get, "/metrics");
  ASSERT_FALSE(x.ec) << x.ec.message();
  EXPECT_EQ(x.response.result_int(), 200);
  EXPECT_EQ(SeriesValue(x.response.body(), "vgi_engine_leader"), 1) << x.response.body();

  // The regulator is the server's: a demand created through it is in the server's store.
  engine::DemandSpec spec;
  spec.task_id = "D-GRID-1";
  // 01:00 tomorrow (Beijing): an hour or more away, and the window never crosses midnight.
  const proto::BeijingMinute now = proto::ToBeijingMinute(Clock::System().Now());
  const auto start = proto::BeijingMinute{now.minutes - proto::MinuteOfDay(now) + 24 * 60 + 60};
  spec.windows.push_back({proto::Kilowatts::FromInt(100), start, proto::BeijingMinute{start.minutes + 59}});
  auto created = (*server)->regulator().CreateDemand(spec);
  ASSERT_TRUE(created.ok()) << created.status();
  auto row = (*server)->store().GetDemand("D-GRID-1");
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_TRUE(row->has_value());

  // A one-hour ttl: only the release lets another node in now.
  auto before = (*server)->store().AcquireLease("engine", "node-b", Clock::System().Now(), 1h);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(*before);
  (*server)->Stop();
  EXPECT_FALSE(runner->leader());
  auto after = (*server)->store().AcquireLease("engine", "node-b", Clock::System().Now(), 1h);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(*after);
  const std::string text = captured.lines.str();
  EXPECT_NE(text.find("engine: node node-a is the leader"), std::string::npos) << text;
  EXPECT_NE(text.find("engine: node node-a released the lease \"engine\""), std::string::npos) << text;
}

TEST(GridServerEngine, DisabledEngineLeavesTheLeaseAlone) {
  Dir dir;
  Captured captured;
  auto config = ParseConfig(
      "server: { listen: \"127.0.0.1:0\", threads: 1 }\n"
      "engine: { enabled: false, node_id: node-a }\n",
      dir.path.string());
  ASSERT_TRUE(config.ok()) << config.status();
  auto server = GridServer::Start(*config, Clock::System(), captured.log);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->engine_runner(), nullptr);
  auto demands = (*server)->regulator().ListDemands(store::DemandFilter{});
  ASSERT_TRUE(demands.ok()) << demands.status();
  EXPECT_TRUE(demands->empty());
  auto other = (*server)->store().AcquireLease("engine", "node-b", Clock::System().Now(), 1h);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(*other);
  EXPECT_EQ(SeriesValue((*server)->metrics().Render(), "vgi_engine_ticks_total"), -1);
  EXPECT_NE(captured.lines.str().find("engine: disabled on this node"), std::string::npos) << captured.lines.str();
}

// The console on the server's port: the API behind a session cookie, the files with their
// security headers, nothing outside console.dir.
TEST(GridServerConsole, ServesTheApiAndTheFilesOnTheSamePort) {
  Dir dir;
  Captured captured;
  fs::create_directories(dir.path / "web" / "pages");
  std::ofstream(dir.path / "web" / "index.html") << "<!doctype html><title>vgi</title>";
  std::ofstream(dir.path / "web" / "pages" / "overview.js") << "export const x = 1;";
  std::ofstream(dir.path / "web" / ".secret") << "no";
  std::ofstream(dir.path / "grid.yaml") << "data_dir: var";
  auto config = ParseConfig(
      "server: { listen: \"127.0.0.1:0\", threads: 1 }\n"
      "engine: { enabled: false }\n"
      "console: { dir: web, idle_timeout: 10m }\n",
      dir.path.string());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->console.dir, (dir.path / "web").string());
  auto server = GridServer::Start(*config, Clock::System(), captured.log);
  ASSERT_TRUE(server.ok()) << server.status();
  store::UserRow user;
  user.username = "alice";
  user.display_name = "Alice";
  user.password_hash = *console::HashPassword("Grid-Dispatch-2026", RandomSource::System(), {64, 1, 1});
  user.roles = console::ToSet({console::Role::kDispatcher});
  ASSERT_TRUE((*server)->store().PutUser(user).ok());

  testing::TestClient client((dir.path / "tls" / "server.crt").string());
  ASSERT_FALSE(client.Connect((*server)->port()));
  auto get = [&](std::string_view target, std::string_view cookie = {}) {
    testing::http::request<testing::http::string_body> req(testing::http::verb::get, {target.data(), target.size()},
                                                           11);
    req.set(testing::http::field::host, "localhost");
    if (!cookie.empty()) req.set(testing::http::field::cookie, {cookie.data(), cookie.size()});
    testing::TestClient::Exchange x;
    x.ec = client.Send(req);
    if (!x.ec) x.ec = client.Read(x.response);
    return x;
  };
  auto root = get("/");
  EXPECT_EQ(root.response.result_int(), 302);
  EXPECT_EQ(root.response[testing::http::field::location], "/console/");
  auto index = get("/console/");
  ASSERT_EQ(index.response.result_int(), 200);
  EXPECT_EQ(index.response.body(), "<!doctype html><title>vgi</title>");
  EXPECT_EQ(index.response[testing::http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(std::string(index.response["Content-Security-Policy"]).find("default-src 'self'"), std::string::npos);
  auto js = get("/console/pages/overview.js");
  EXPECT_EQ(js.response.result_int(), 200);
  EXPECT_EQ(js.response[testing::http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/console/../grid.yaml").response.result_int(), 404);
  EXPECT_EQ(get("/console/%2e%2e/grid.yaml").response.result_int(), 404);
  EXPECT_EQ(get("/console/.secret").response.result_int(), 404);

  EXPECT_EQ(get("/api/v1/me").response.result_int(), 401);
  auto login = client.Post("/api/v1/login", R"({"username":"alice","password":"Grid-Dispatch-2026"})");
  ASSERT_EQ(login.response.result_int(), 200) << login.response.body();
  const std::string set_cookie(login.response[testing::http::field::set_cookie]);
  EXPECT_NE(set_cookie.find("HttpOnly; SameSite=Strict"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("Secure"), std::string::npos) << set_cookie;
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  auto me = get("/api/v1/me", cookie);
  EXPECT_EQ(me.response.result_int(), 200);
  EXPECT_NE(me.response.body().find(R"("username":"alice")"), std::string::npos) << me.response.body();
  auto overview = get("/api/v1/overview", cookie);
  EXPECT_EQ(overview.response.result_int(), 200) << overview.response.body();
  EXPECT_NE(overview.response.body().find(R"("total")"), std::string::npos) << overview.response.body();

  // Peer onboarding through the console: the system administrator gets the inbound keys once,
  // the registry has the peer; the security administrator rotates them.
  for (auto [name, role] : {std::pair{"root", console::Role::kSystemAdmin}, {"sec", console::Role::kSecurityAdmin}}) {
    user.username = name;
    user.roles = console::ToSet({role});
    ASSERT_TRUE((*server)->store().PutUser(user).ok());
  }
  auto session = [&](const std::string& name) {
    auto r = client.Post("/api/v1/login", R"({"username":")" + name + R"(","password":"Grid-Dispatch-2026"})");
    EXPECT_EQ(r.response.result_int(), 200) << r.response.body();
    const std::string c(r.response[testing::http::field::set_cookie]);
    const std::string body = r.response.body();
    const auto at = body.find(R"("csrf_token":")") + 14;
    return std::pair{c.substr(0, c.find(';')), body.substr(at, body.find('"', at) - at)};
  };
  auto post = [&](const std::string& target, const std::string& body, const std::pair<std::string, std::string>& s) {
    testing::http::request<testing::http::string_body> req(testing::http::verb::post, target, 11);
    req.set(testing::http::field::host, "localhost");
    req.set(testing::http::field::cookie, s.first);
    req.set("X-CSRF-Token", s.second);
    req.body() = body;
    req.prepare_payload();
    testing::TestClient::Exchange x;
    x.ec = client.Send(req);
    if (!x.ec) x.ec = client.Read(x.response);
    return x;
  };
  const auto admin = session("root");
  auto onboard = post("/api/v1/peers",
                      R"({"operator_id":"MA0OPER01","name":"Op One","base_url":"https://op.example/evcs/v1"})", admin);
  ASSERT_EQ(onboard.response.result_int(), 201) << onboard.response.body();
  EXPECT_NE(onboard.response.body().find(R"("sig_secret":")"), std::string::npos);
  ASSERT_NE((*server)->peers().Find("MA0OPER01"), nullptr);
  EXPECT_EQ(post("/api/v1/peers", R"({"operator_id":"MA0OPER01","name":"again","base_url":"https://x"})", admin)
                .response.result_int(),
            409);
  EXPECT_EQ(
      post("/api/v1/peers", R"({"operator_id":"bad","name":"x","base_url":"https://x"})", admin).response.result_int(),
      400);
  const auto sec = session("sec");
  auto rotated = post("/api/v1/peers/MA0OPER01/rotate", "", sec);
  ASSERT_EQ(rotated.response.result_int(), 200) << rotated.response.body();
  EXPECT_NE(rotated.response.body(), onboard.response.body());
  EXPECT_EQ((*server)->peers().Find("MA0OPER01")->inbound.size(), 2u);  // the old set in its overlap
  EXPECT_EQ(post("/api/v1/peers/MA0OPER01/disable", "", admin).response.result_int(), 200);
  EXPECT_FALSE((*server)->peers().Find("MA0OPER01")->enabled);
  (*server)->Stop();
}

}  // namespace
}  // namespace vgi::server
