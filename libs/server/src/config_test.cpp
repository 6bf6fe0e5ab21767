#include "vgi/server/config.hpp"

#include <gtest/gtest.h>

namespace vgi::server {
namespace {

constexpr const char* kIssueExample = R"(
grid:
  operator_id: "MA0GRID01"
server:
  listen: "127.0.0.1:8443"
  tls: { cert: "tls/server.crt", key: "tls/server.key" }
data_dir: "var"
database: ""
peers:
  - operator_id: "123456789"
    name: "Example Charging Co."
    base_url: "https://127.0.0.1:9443/evcs/v1"
    inbound:  { operator_secret: "1234567890abcdef", data_secret: "1234567890abcdef", data_iv: "1234567890abcdef", sig_secret: "1234567890abcdeg" }
    outbound: { operator_id: "MA0GRID01", operator_secret: "A234567890abcdef", data_secret: "B234567890abcdef", data_iv: "C234567890abcdef", sig_secret: "D234567890abcdef" }
)";

TEST(ConfigTest, ParsesTheDocumentedExampleAndResolvesPathsAgainstTheConfigFolder) {
  auto c = ParseConfig(kIssueExample, "/etc/vgi");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->grid_operator_id, "MA0GRID01");
  EXPECT_EQ(c->server.listen, "127.0.0.1:8443");
  EXPECT_EQ(c->tls_cert, "/etc/vgi/tls/server.crt");
  EXPECT_EQ(c->tls_key, "/etc/vgi/tls/server.key");
  EXPECT_EQ(c->data_dir, "/etc/vgi/var");
  EXPECT_EQ(c->database, "");
  ASSERT_EQ(c->peers.size(), 1u);
  const PeerConfig& p = c->peers[0];
  EXPECT_EQ(p.operator_id, "123456789");
  EXPECT_EQ(p.name, "Example Charging Co.");
  ASSERT_TRUE(p.inbound.has_value());
  EXPECT_EQ(p.inbound->sig_secret, "1234567890abcdeg");
  EXPECT_EQ(p.outbound_operator_id, "MA0GRID01");
  ASSERT_TRUE(p.outbound.has_value());
  EXPECT_EQ(p.outbound->data_iv, "C234567890abcdef");
}

TEST(ConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  auto c = ParseConfig("", "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.listen, "127.0.0.1:8443");
  EXPECT_EQ(c->data_dir, "var");
  EXPECT_EQ(c->server.limits.max_body_bytes, std::size_t{8} << 20);
  EXPECT_EQ(c->server.limits.read_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->server.limits.idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(c->sync_ttl, std::chrono::hours(1));
  EXPECT_EQ(c->key_rotation_overlap, std::chrono::hours(24));
  EXPECT_EQ(c->log_level, "info");
}

struct BadCase {
  const char* yaml;
  const char* expected;  // a fragment of the message: the key path and the rule
};

class ConfigBadInputTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigBadInputTest, NamesTheKeyAndTheRule) {
  auto c = ParseConfig(GetParam().yaml, "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalid);
  EXPECT_NE(c.status().message().find(GetParam().expected), std::string::npos) << c.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigBadInputTest,
    ::testing::Values(
        BadCase{"servr: {}\n", "servr: unknown key"},
        BadCase{"server: { listn: x }\n", "server.listn: unknown key"},
        BadCase{"server: { listen: \"8443\" }\n", "server.listen"},
        BadCase{"server: { listen: \"127.0.0.1:70000\" }\n", "server.listen"},
        BadCase{"server: { threads: many }\n", "server.threads: must be a whole number"},
        BadCase{"server: { read_timeout: 10x }\n", "server.read_timeout"},
        BadCase{"grid: { operator_id: abc }\n", "grid.operator_id"},
        BadCase{"database: mysql://x\n", "database: must be empty"},
        BadCase{"log: { level: loud }\n", "log.level"},
        BadCase{"data_dir: \"\"\n", "data_dir: must not be empty"},
        BadCase{"peers: [ { operator_id: \"12345678\" } ]\n", "peers[0].operator_id"},
        BadCase{"peers: [ { operator_id: \"123456789\", base_url: \"http://x\" } ]\n", "peers[0].base_url: must start with https://"},
        BadCase{"peers: [ { operator_id: \"123456789\", inbound: { operator_secret: a, data_secret: \"1234567890abcdef\", "
                "data_iv: \"1234567890abcdef\", sig_secret: \"1234567890abcdef\" } } ]\n",
                "peers[0].inbound"},
        BadCase{"peers: [ { operator_id: \"123456789\" }, { operator_id: \"123456789\" } ]\n", "listed twice"},
        BadCase{"peers: [ { operator_id: \"123456789\", profile: { response_dialect: odd } } ]\n",
                "peers[0].profile.response_dialect"},
        BadCase{"relay: { workers: 0 }\n", "relay.workers: must be a whole number from 1 to 256"},
        BadCase{"relay: { lease: 15s, attempt_timeout: 10s }\n", "relay.lease: must be longer than two attempt_timeouts"},
        BadCase{"relay: { backoff_base: 10s, backoff_cap: 1s }\n", "relay.backoff_cap: must be at least"},
        BadCase{"relay: { nodeid: a }\n", "relay.nodeid: unknown key"},
        BadCase{"relay: { node_index: 2, node_count: 2 }\n", "relay.node_index: must be less than relay.node_count"},
        BadCase{"engine: { tick: 5s, lease_ttl: 5s }\n", "engine.lease_ttl: must be longer than engine.tick"},
        BadCase{"engine: { tick: soon }\n", "engine.tick"},
        BadCase{"engine: { reserve_margin: 100 }\n", "engine.reserve_margin: must be a percentage from 0.00 to 99.00"},
        BadCase{"engine: { reserve_margin: 10.125 }\n", "engine.reserve_margin: must be a percentage"},
        BadCase{"engine: { tik: 1s }\n", "engine.tik: unknown key"},
        BadCase{"engine: { accept_lead: 90s }\n", "engine.accept_lead: must be whole minutes"},
        BadCase{"engine: { baseline: { method: high-3-of-5 } }\n",
                "engine.baseline.method: must be high-5-of-10, 10-of-10-adjusted or same-day"},
        BadCase{"engine: { baseline: { x: 11, y: 10 } }\n", "engine.baseline.x: must not exceed engine.baseline.y"},
        BadCase{"engine: { baseline: { methd: same-day } }\n", "engine.baseline.methd: unknown key"},
        BadCase{"engine: { settlement: { price: \"-1\" } }\n",
                "engine.settlement.price: must be a price in yuan per kWh"},
        BadCase{"engine: { settlement: { price: \"3.00001\" } }\n", "engine.settlement.price: must be a price"},
        BadCase{"engine: { settlement: { lower_band_percent: 130 } }\n",
                "engine.settlement.lower_band_percent: must not exceed upper_band_percent"},
        BadCase{"engine: { shortfall_alarm: { share_percent: 0 } }\n",
                "engine.shortfall_alarm.share_percent: must be a whole number from 1 to 100"},
        BadCase{"server: [1, 2\n", "not valid YAML"}));

TEST(ConfigTest, EngineDefaultsMapToTheRegulator) {
  auto c = ParseConfig("relay: { node_id: grid-a }\n", "");
  ASSERT_TRUE(c.ok()) << c.status();
  const EngineConfig& e = c->engine;
  EXPECT_TRUE(e.enabled);
  EXPECT_EQ(e.tick, std::chrono::seconds(1));
  EXPECT_EQ(e.lease_ttl, std::chrono::seconds(20));
  EXPECT_EQ(EngineNodeId(*c), "grid-a");  // the relay's node id when engine.node_id is not set
  const engine::RegulatorConfig r = ToRegulatorConfig(*c);
  EXPECT_EQ(r.reserve_margin_bp, 1000);
  EXPECT_EQ(r.accept_lead, std::chrono::minutes(10));
  EXPECT_EQ(r.measure_delay, std::chrono::minutes(5));
  EXPECT_EQ(r.baseline.method, engine::BaselineMethod::kXOfY);
  EXPECT_EQ(r.baseline.x, 5);
  EXPECT_EQ(r.baseline.y, 10);
  EXPECT_TRUE(r.check_baseline_accuracy);
  EXPECT_EQ(r.settlement.price.ToString(), "3.0000");
  EXPECT_EQ(r.settlement.bands.lower_bp, 5000);
  EXPECT_EQ(r.settlement.bands.upper_bp, 12000);
  EXPECT_FALSE(r.settlement.penalty.has_value());
  EXPECT_EQ(r.shortfall_share_percent, 80);
  EXPECT_EQ(r.shortfall_minutes, 5);
  EXPECT_EQ(r.node_id, "grid-a");

  auto bare = ParseConfig("", "");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(EngineNodeId(*bare), DefaultNodeId());  // <hostname>-<pid>
  EXPECT_NE(DefaultNodeId().find('-'), std::string::npos);
}

TEST(ConfigTest, EngineKeys) {
  auto c = ParseConfig(R"(
engine:
  enabled: false
  node_id: engine-b
  tick: 500ms
  lease_ttl: 10s
  reserve_margin: 12.5
  accept_lead: 30m
  measure_delay: 15m
  baseline: { method: same-day, x: 3, y: 7, before_minutes: 60, after_minutes: 30, use_after: false,
              max_rrmse_percent: 15.5, check_accuracy: false }
  settlement: { price: "2.5", lower_band_percent: 40, upper_band_percent: 150, penalty_price: "1.2345",
                penalty_threshold_percent: 60 }
  shortfall_alarm: { share_percent: 70, minutes: 10 }
)",
                       "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->engine.enabled);
  EXPECT_EQ(c->engine.tick, std::chrono::milliseconds(500));
  EXPECT_EQ(c->engine.lease_ttl, std::chrono::seconds(10));
  EXPECT_EQ(EngineNodeId(*c), "engine-b");
  const engine::RegulatorConfig r = ToRegulatorConfig(*c);
  EXPECT_EQ(r.reserve_margin_bp, 1250);
  EXPECT_EQ(r.accept_lead, std::chrono::minutes(30));
  EXPECT_EQ(r.measure_delay, std::chrono::minutes(15));
  EXPECT_EQ(r.baseline.method, engine::BaselineMethod::kSameDay);
  EXPECT_EQ(r.baseline.x, 3);
  EXPECT_EQ(r.baseline.y, 7);
  EXPECT_EQ(r.baseline.average_days, 7);
  EXPECT_EQ(r.baseline.before_minutes, 60);
  EXPECT_EQ(r.baseline.after_minutes, 30);
  EXPECT_FALSE(r.baseline.use_after);
  EXPECT_DOUBLE_EQ(r.baseline.max_rrmse_percent, 15.5);
  EXPECT_FALSE(r.check_baseline_accuracy);
  EXPECT_EQ(r.settlement.price.ToString(), "2.5000");
  EXPECT_EQ(r.settlement.bands.lower_bp, 4000);
  EXPECT_EQ(r.settlement.bands.upper_bp, 15000);
  ASSERT_TRUE(r.settlement.penalty.has_value());
  EXPECT_EQ(r.settlement.penalty->price.ToString(), "1.2345");
  EXPECT_EQ(r.settlement.penalty->threshold_bp, 6000);
  EXPECT_EQ(r.shortfall_share_percent, 70);
  EXPECT_EQ(r.shortfall_minutes, 10);
  EXPECT_EQ(r.node_id, "engine-b");
  auto adjusted = ParseConfig("engine: { baseline: { method: 10-of-10-adjusted } }\n", "");
  ASSERT_TRUE(adjusted.ok()) << adjusted.status();
  EXPECT_EQ(ToRegulatorConfig(*adjusted).baseline.method, engine::BaselineMethod::kAverageAdjusted);
}

TEST(ConfigTest, RelayKeys) {
  auto c = ParseConfig("relay: { node_id: grid-a, workers: 8, attempt_timeout: 5s, lease: 30s, backoff_base: 500ms, "
                       "backoff_cap: 2m, ca_file: ca.pem, verify_peer: false }\n",
                       "/etc/vgi");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->relay.node_id, "grid-a");
  EXPECT_EQ(c->relay.workers, 8);
  EXPECT_EQ(c->relay.attempt_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->relay.lease, std::chrono::seconds(30));
  EXPECT_EQ(c->relay.backoff_base, std::chrono::milliseconds(500));
  EXPECT_EQ(c->relay.backoff_cap, std::chrono::minutes(2));
  EXPECT_EQ(c->relay.ca_file, "/etc/vgi/ca.pem");
  EXPECT_FALSE(c->relay.verify_peer);
  auto d = ParseConfig("", "");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->relay.enabled);
  EXPECT_EQ(d->relay.lease, std::chrono::seconds(60));
  EXPECT_EQ(d->relay.backoff_cap, std::chrono::minutes(5));
}

TEST(ConfigTest, DataSecretEqualToSigSecretIsRefused) {
  auto c = ParseConfig("peers: [ { operator_id: \"123456789\", inbound: { operator_secret: \"x\", "
                       "data_secret: \"1234567890abcdef\", data_iv: \"1234567890abcdef\", sig_secret: "
                       "\"1234567890abcdef\" } } ]\n",
                       "");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("DataSecret"), std::string::npos) << c.status().message();
  // The message names the secret, never its value.
  EXPECT_EQ(c.status().message().find("1234567890abcdef"), std::string::npos) << c.status().message();
}

TEST(ConfigTest, Durations) {
  EXPECT_EQ(*ParseDuration("24h"), std::chrono::hours(24));
  EXPECT_EQ(*ParseDuration("90m"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseDuration("30"), std::chrono::seconds(30));
  EXPECT_EQ(*ParseDuration("1500ms"), std::chrono::milliseconds(1500));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("3 weeks").ok());
}

TEST(ConfigTest, HostPort) {
  auto hp = ParseHostPort("[::1]:8443");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 8443);
  EXPECT_EQ(ParseHostPort("0.0.0.0:0")->port, 0);
  EXPECT_FALSE(ParseHostPort("::1:8443").ok());
  EXPECT_FALSE(ParseHostPort("host:").ok());
}

TEST(ConfigTest, MissingFileSaysWhichPath) {
  auto c = LoadConfig("/nonexistent/vgi.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/vgi.yaml"), std::string::npos);
}

}  // namespace
}  // namespace vgi::server
