#pragma once
// The server's configuration: a YAML file, validated at start (docs/config.md lists every key).
//
// Relative paths (tls.cert, tls.key, data_dir) are resolved against the config file's folder,
// so a service started from any working directory finds the same files. Unknown keys are
// refused (a typo must not silently fall back to a default). Every error names the key path
// and the rule, e.g. `server.listen: "8443" is not host:port`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/wire_profile.hpp"
#include "vgi/server/http_server.hpp"

namespace vgi::server {

// One operator platform as configured (peers may also be managed with `vgi peer`).
struct PeerConfig {
  std::string operator_id;
  std::string name;
  std::string base_url;  // where the grid calls the operator ("https://host:port/evcs/v1")
  std::optional<proto::KeySet> inbound;   // issued by the grid; the operator calls us with it
  std::string outbound_operator_id;       // the grid's ID as the operator knows it
  std::optional<proto::KeySet> outbound;  // issued by the operator; we call it with it
  proto::WireProfile profile;
  std::vector<std::string> allow_ips;  // empty = any
  bool enabled = true;
};

// The outbox relay: how the grid delivers commands to operators (vgi/relay/outbox_relay.hpp).
struct RelayConfig {
  bool enabled = true;
  std::string node_id;  // this node among those sharing one database; "" = "<hostname>-<pid>"
  // Node i of n (nodes calling operators under one OperatorID need distinct Seq spaces).
  int node_index = 0, node_count = 1;
  int workers = 4;
  std::chrono::milliseconds attempt_timeout{10'000};
  std::chrono::milliseconds lease{60'000};
  std::chrono::milliseconds backoff_base{1'000};
  std::chrono::milliseconds backoff_cap{300'000};
  std::string ca_file;       // trust for the operators' certificates ("" = the system store)
  bool verify_peer = true;   // off only in a lab
  friend bool operator==(const RelayConfig&, const RelayConfig&) = default;
};

// The regulation engine (issue 5; engine/regulator.hpp, engine/engine_runner.hpp). Percentages
// are exact to 0.01 % and kept in basis points.
struct EngineConfig {
  bool enabled = true;                       // run the engine's ticks on this node (leader only)
  std::string node_id;                       // "" = relay.node_id, or "<hostname>-<pid>"
  std::chrono::milliseconds tick{1'000};
  std::chrono::milliseconds lease_ttl{20'000};  // > tick
  int reserve_margin_bp = 1000;
  std::chrono::minutes accept_lead{10};
  std::chrono::minutes measure_delay{5};
  // baseline:
  std::string baseline_method = "high-5-of-10";  // high-5-of-10, 10-of-10-adjusted, same-day
  int baseline_x = 5, baseline_y = 10;
  int baseline_before_minutes = 120, baseline_after_minutes = 120;
  bool baseline_use_after = true;
  double baseline_max_rrmse_percent = 20.0;
  bool baseline_check_accuracy = true;
  // settlement:
  proto::YuanPerKwh price = proto::YuanPerKwh::FromUnits(30'000);  // 3.00 元/kWh
  int lower_band_bp = 5000, upper_band_bp = 12000;
  std::optional<proto::YuanPerKwh> penalty_price;  // none = no shortfall penalty
  int penalty_threshold_bp = 5000;
  // shortfall_alarm:
  int shortfall_share_percent = 80;
  int shortfall_minutes = 5;
  friend bool operator==(const EngineConfig&, const EngineConfig&) = default;
};

// The dispatcher's console (issue 6; server/console_routes.hpp, console/admin_api.hpp).
struct ConsoleConfig {
  bool enabled = true;                         // serve /api/v1/ and /console/
  std::string dir = "web";                     // the console's files (relative to the config file)
  std::chrono::seconds idle_timeout{1800};     // a session ends after this long without a request
  std::chrono::seconds max_lifetime{43200};    // and after this long in any case
  int workers = 2;                             // threads serving API calls
  friend bool operator==(const ConsoleConfig&, const ConsoleConfig&) = default;
};

struct Config {
  std::string path;  // the file it came from ("" when parsed from text)
  std::string grid_operator_id = "MA0GRID01";
  ServerOptions server;  // listen, threads, limits
  std::string tls_cert = "tls/server.crt";
  std::string tls_key = "tls/server.key";
  std::string data_dir = "var";
  std::string database;  // "" = SQLite in data_dir; postgresql://... = PostgreSQL
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  std::string log_dir;             // "" = stdout/stderr only; else run, error, login, debug logs (logs.hpp)
  bool log_debug = false;          // the debug log (log_dir/debug.log); SIGUSR1 toggles it
  std::chrono::seconds sync_ttl{3600};
  std::chrono::seconds token_lifetime{7200};
  std::chrono::seconds key_rotation_overlap{24 * 3600};
  std::vector<PeerConfig> peers;
  RelayConfig relay;
  EngineConfig engine;
  ConsoleConfig console;
};

// The engine's node id: engine.node_id, else relay.node_id, else "<hostname>-<pid>".
std::string EngineNodeId(const Config& config);
// "<hostname>-<pid>": a node id unique among the processes sharing one database.
std::string DefaultNodeId();
// The Regulator's settings from engine: (node id from EngineNodeId).
engine::RegulatorConfig ToRegulatorConfig(const Config& config);

// `base_dir` resolves relative paths ("" = the current directory).
Result<Config> ParseConfig(std::string_view yaml_text, const std::string& base_dir);
Result<Config> LoadConfig(const std::string& path);

// Parses "24h", "90m", "30s", "1500ms" or a plain number of seconds; Invalid otherwise.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// "host:port" with port 0..65535; IPv6 as "[::1]:8443".
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace vgi::server
