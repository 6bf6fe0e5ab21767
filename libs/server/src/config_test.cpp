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
        BadCase{"server: [1, 2\n", "not valid YAML"}));

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
