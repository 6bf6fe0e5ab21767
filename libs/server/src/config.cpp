#include "vgi/server/config.hpp"

#include <yaml-cpp/yaml.h>

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vgi::server {
namespace {

namespace fs = std::filesystem;

// Walks one YAML mapping, remembering which keys were read so unknown ones can be refused.
class Section {
 public:
  Section(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {}

  [[nodiscard]] std::string KeyPath(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  [[nodiscard]] const std::string& path() const { return path_; }

  // Null when absent.
  YAML::Node Get(std::string_view key) {
    seen_.insert(std::string(key));
    return node_[std::string(key)];
  }

  Status String(std::string_view key, std::string& out) {
    const YAML::Node n = Get(key);
    if (!n) return {};
    if (!n.IsScalar()) return Status::Invalid(KeyPath(key) + ": must be a string");
    out = n.Scalar();
    return {};
  }

  Status Bool(std::string_view key, bool& out) {
    const YAML::Node n = Get(key);
    if (!n) return {};
    const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "true" || s == "yes" || s == "on") {
      out = true;
    } else if (s == "false" || s == "no" || s == "off") {
      out = false;
    } else {
      return Status::Invalid(KeyPath(key) + ": must be true or false");
    }
    return {};
  }

  template <class Int>
  Status Integer(std::string_view key, Int& out, Int min, Int max) {
    const YAML::Node n = Get(key);
    if (!n) return {};
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    Int v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
      return Status::Invalid(KeyPath(key) + ": must be a whole number from " + std::to_string(min) + " to " +
                             std::to_string(max));
    }
    out = v;
    return {};
  }

  template <class Duration>
  Status Time(std::string_view key, Duration& out) {
    const YAML::Node n = Get(key);
    if (!n) return {};
    auto d = ParseDuration(n.IsScalar() ? n.Scalar() : std::string());
    if (!d.ok()) return d.status().WithPrefix(KeyPath(key));
    if (d->count() <= 0) return Status::Invalid(KeyPath(key) + ": must be positive");
    out = std::chrono::duration_cast<Duration>(*d);
    return {};
  }

  // A percentage with at most two decimals ("10", "12.5"), kept in basis points.
  Status Percent(std::string_view key, int& out_bp, int min_bp, int max_bp) {
    const YAML::Node n = Get(key);
    if (!n) return {};
    const auto v = proto::Decimal<2>::Parse(n.IsScalar() ? n.Scalar() : std::string());
    if (!v || v->units() < min_bp || v->units() > max_bp) {
      return Status::Invalid(KeyPath(key) + ": must be a percentage from " +
                             proto::Decimal<2>::FromUnits(min_bp).ToString() + " to " +
                             proto::Decimal<2>::FromUnits(max_bp).ToString() + " (at most 2 decimals)");
    }
    out_bp = static_cast<int>(v->units());
    return {};
  }

  // A price in 元/kWh, at most 4 decimals, >= 0 ("3.00").
  Status Price(std::string_view key, std::optional<proto::YuanPerKwh>& out) {
    const YAML::Node n = Get(key);
    if (!n || n.IsNull()) return {};
    const auto v = proto::YuanPerKwh::Parse(n.IsScalar() ? n.Scalar() : std::string());
    if (!v || v->units() < 0) {
      return Status::Invalid(KeyPath(key) + ": must be a price in yuan per kWh, 0 or more with at most 4 decimals "
                             "(e.g. \"3.00\")");
    }
    out = *v;
    return {};
  }

  Status Sub(std::string_view key, std::optional<Section>& out) {
    const YAML::Node n = Get(key);
    if (!n || n.IsNull()) return {};
    if (!n.IsMap()) return Status::Invalid(KeyPath(key) + ": must be a mapping");
    out.emplace(n, KeyPath(key));
    return {};
  }

  // Refuses keys that were never asked for.
  Status CheckNoUnknownKeys() const {
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (!seen_.contains(key)) {
        return Status::Invalid(KeyPath(key) + ": unknown key (see docs/config.md for the keys vgi reads)");
      }
    }
    return {};
  }

 private:
  YAML::Node node_;
  std::string path_;
  std::set<std::string> seen_;
};

std::string Resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || base_dir.empty()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

Status ParseKeySet(Section& s, proto::KeySet& keys, proto::KeyPolicy policy) {
  VGI_RETURN_IF_ERROR(s.String("operator_secret", keys.operator_secret));
  VGI_RETURN_IF_ERROR(s.String("data_secret", keys.data_secret));
  VGI_RETURN_IF_ERROR(s.String("data_iv", keys.data_iv));
  VGI_RETURN_IF_ERROR(s.String("sig_secret", keys.sig_secret));
  if (Status st = proto::ValidateKeySet(keys, policy); !st.ok()) return st.WithPrefix(s.path());
  return {};
}

Status ParseProfile(Section& s, proto::WireProfile& p) {
  std::string dialect;
  VGI_RETURN_IF_ERROR(s.String("response_dialect", dialect));
  if (dialect == "example") {
    p.response_dialect = proto::ResponseDialect::kExample;
  } else if (dialect.empty() || dialect == "standard") {
    p.response_dialect = proto::ResponseDialect::kStandard;
  } else {
    return Status::Invalid(s.KeyPath("response_dialect") + ": must be standard or example");
  }
  VGI_RETURN_IF_ERROR(s.Bool("unescape_html_entities", p.unescape_html_entities));
  VGI_RETURN_IF_ERROR(s.Bool("field_encryption", p.field_encryption));
  VGI_RETURN_IF_ERROR(s.Bool("replay_check", p.replay_check));
  VGI_RETURN_IF_ERROR(s.Time("clock_skew", p.clock_skew));
  VGI_RETURN_IF_ERROR(s.Bool("require_response_sig", p.require_response_sig));
  return s.CheckNoUnknownKeys();
}

Status ParsePeer(Section& s, PeerConfig& peer) {
  VGI_RETURN_IF_ERROR(s.String("operator_id", peer.operator_id));
  if (!proto::IsOperatorId(peer.operator_id)) {
    return Status::Invalid(s.KeyPath("operator_id") + ": must be 9 characters of 0-9 A-Z");
  }
  VGI_RETURN_IF_ERROR(s.String("name", peer.name));
  VGI_RETURN_IF_ERROR(s.String("base_url", peer.base_url));
  if (!peer.base_url.empty() && peer.base_url.rfind("https://", 0) != 0) {
    return Status::Invalid(s.KeyPath("base_url") + ": must start with https://");
  }
  VGI_RETURN_IF_ERROR(s.Bool("enabled", peer.enabled));
  if (YAML::Node ips = s.Get("allow_ips"); ips) {
    if (!ips.IsSequence()) return Status::Invalid(s.KeyPath("allow_ips") + ": must be a list of addresses");
    for (const auto& ip : ips) peer.allow_ips.push_back(ip.as<std::string>());
  }
  std::optional<Section> sub;
  VGI_RETURN_IF_ERROR(s.Sub("inbound", sub));
  if (sub) {
    peer.inbound.emplace();
    VGI_RETURN_IF_ERROR(ParseKeySet(*sub, *peer.inbound, proto::KeyPolicy::kPeer));
    VGI_RETURN_IF_ERROR(sub->CheckNoUnknownKeys());
  }
  sub.reset();
  VGI_RETURN_IF_ERROR(s.Sub("outbound", sub));
  if (sub) {
    VGI_RETURN_IF_ERROR(sub->String("operator_id", peer.outbound_operator_id));
    if (!proto::IsOperatorId(peer.outbound_operator_id)) {
      return Status::Invalid(sub->KeyPath("operator_id") + ": must be 9 characters of 0-9 A-Z");
    }
    peer.outbound.emplace();
    VGI_RETURN_IF_ERROR(ParseKeySet(*sub, *peer.outbound, proto::KeyPolicy::kPeer));
    VGI_RETURN_IF_ERROR(sub->CheckNoUnknownKeys());
  }
  sub.reset();
  VGI_RETURN_IF_ERROR(s.Sub("profile", sub));
  if (sub) VGI_RETURN_IF_ERROR(ParseProfile(*sub, peer.profile));
  return s.CheckNoUnknownKeys();
}

Status ParseConsole(Section& top, ConsoleConfig& c) {
  std::optional<Section> sub;
  VGI_RETURN_IF_ERROR(top.Sub("console", sub));
  if (!sub) return {};
  Section& s = *sub;
  VGI_RETURN_IF_ERROR(s.Bool("enabled", c.enabled));
  VGI_RETURN_IF_ERROR(s.String("dir", c.dir));
  VGI_RETURN_IF_ERROR(s.Time("idle_timeout", c.idle_timeout));
  VGI_RETURN_IF_ERROR(s.Time("max_lifetime", c.max_lifetime));
  if (c.idle_timeout > c.max_lifetime) {
    return Status::Invalid("console.idle_timeout: must not exceed console.max_lifetime");
  }
  VGI_RETURN_IF_ERROR(s.Integer("workers", c.workers, 1, 64));
  return s.CheckNoUnknownKeys();
}

Status ParseEngine(Section& top, EngineConfig& e) {
  std::optional<Section> sub;
  VGI_RETURN_IF_ERROR(top.Sub("engine", sub));
  if (!sub) return {};
  Section& s = *sub;
  VGI_RETURN_IF_ERROR(s.Bool("enabled", e.enabled));
  VGI_RETURN_IF_ERROR(s.String("node_id", e.node_id));
  VGI_RETURN_IF_ERROR(s.Time("tick", e.tick));
  VGI_RETURN_IF_ERROR(s.Time("lease_ttl", e.lease_ttl));
  if (e.lease_ttl <= e.tick) {
    return Status::Invalid(
        "engine.lease_ttl: must be longer than engine.tick (the leader renews its lease every tick)");
  }
  VGI_RETURN_IF_ERROR(s.Percent("reserve_margin", e.reserve_margin_bp, 0, 9900));
  for (auto [key, out] : {std::pair{"accept_lead", &e.accept_lead}, std::pair{"measure_delay", &e.measure_delay}}) {
    std::chrono::milliseconds ms = *out;
    VGI_RETURN_IF_ERROR(s.Time(key, ms));
    if (ms % std::chrono::minutes(1) != std::chrono::milliseconds(0)) {
      return Status::Invalid(s.KeyPath(key) + ": must be whole minutes (e.g. 10m)");
    }
    *out = std::chrono::duration_cast<std::chrono::minutes>(ms);
  }

  std::optional<Section> b;
  VGI_RETURN_IF_ERROR(s.Sub("baseline", b));
  if (b) {
    VGI_RETURN_IF_ERROR(b->String("method", e.baseline_method));
    if (e.baseline_method != "high-5-of-10" && e.baseline_method != "10-of-10-adjusted" &&
        e.baseline_method != "same-day") {
      return Status::Invalid("engine.baseline.method: must be high-5-of-10, 10-of-10-adjusted or same-day");
    }
    VGI_RETURN_IF_ERROR(b->Integer("x", e.baseline_x, 1, 60));
    VGI_RETURN_IF_ERROR(b->Integer("y", e.baseline_y, 1, 60));
    if (e.baseline_x > e.baseline_y) return Status::Invalid("engine.baseline.x: must not exceed engine.baseline.y");
    VGI_RETURN_IF_ERROR(b->Integer("before_minutes", e.baseline_before_minutes, 1, 1440));
    VGI_RETURN_IF_ERROR(b->Integer("after_minutes", e.baseline_after_minutes, 0, 1440));
    VGI_RETURN_IF_ERROR(b->Bool("use_after", e.baseline_use_after));
    int rrmse_bp = static_cast<int>(e.baseline_max_rrmse_percent * 100 + 0.5);
    VGI_RETURN_IF_ERROR(b->Percent("max_rrmse_percent", rrmse_bp, 1, 100000));
    e.baseline_max_rrmse_percent = rrmse_bp / 100.0;
    VGI_RETURN_IF_ERROR(b->Bool("check_accuracy", e.baseline_check_accuracy));
    VGI_RETURN_IF_ERROR(b->CheckNoUnknownKeys());
  }

  std::optional<Section> st;
  VGI_RETURN_IF_ERROR(s.Sub("settlement", st));
  if (st) {
    std::optional<proto::YuanPerKwh> price;
    VGI_RETURN_IF_ERROR(st->Price("price", price));
    if (price) e.price = *price;
    VGI_RETURN_IF_ERROR(st->Percent("lower_band_percent", e.lower_band_bp, 0, 100000));
    VGI_RETURN_IF_ERROR(st->Percent("upper_band_percent", e.upper_band_bp, 0, 100000));
    if (e.lower_band_bp > e.upper_band_bp) {
      return Status::Invalid("engine.settlement.lower_band_percent: must not exceed upper_band_percent");
    }
    VGI_RETURN_IF_ERROR(st->Price("penalty_price", e.penalty_price));
    VGI_RETURN_IF_ERROR(st->Percent("penalty_threshold_percent", e.penalty_threshold_bp, 0, 100000));
    VGI_RETURN_IF_ERROR(st->CheckNoUnknownKeys());
  }

  std::optional<Section> al;
  VGI_RETURN_IF_ERROR(s.Sub("shortfall_alarm", al));
  if (al) {
    VGI_RETURN_IF_ERROR(al->Integer("share_percent", e.shortfall_share_percent, 1, 100));
    VGI_RETURN_IF_ERROR(al->Integer("minutes", e.shortfall_minutes, 1, 1440));
    VGI_RETURN_IF_ERROR(al->CheckNoUnknownKeys());
  }
  return s.CheckNoUnknownKeys();
}

Status ParseRoot(const YAML::Node& root, const std::string& base_dir, Config& c) {
  Section top(root, "");
  std::optional<Section> sub;

  VGI_RETURN_IF_ERROR(top.Sub("grid", sub));
  if (sub) {
    VGI_RETURN_IF_ERROR(sub->String("operator_id", c.grid_operator_id));
    VGI_RETURN_IF_ERROR(sub->CheckNoUnknownKeys());
  }
  if (!proto::IsOperatorId(c.grid_operator_id)) {
    return Status::Invalid("grid.operator_id: must be 9 characters of 0-9 A-Z");
  }

  sub.reset();
  VGI_RETURN_IF_ERROR(top.Sub("server", sub));
  if (sub) {
    Section& s = *sub;
    VGI_RETURN_IF_ERROR(s.String("listen", c.server.listen));
    if (auto hp = ParseHostPort(c.server.listen); !hp.ok()) return hp.status().WithPrefix("server.listen");
    VGI_RETURN_IF_ERROR(s.Integer("threads", c.server.threads, 0, 256));
    std::optional<Section> tls;
    VGI_RETURN_IF_ERROR(s.Sub("tls", tls));
    if (tls) {
      VGI_RETURN_IF_ERROR(tls->String("cert", c.tls_cert));
      VGI_RETURN_IF_ERROR(tls->String("key", c.tls_key));
      VGI_RETURN_IF_ERROR(tls->CheckNoUnknownKeys());
    }
    auto& l = c.server.limits;
    VGI_RETURN_IF_ERROR(s.Integer<std::size_t>("max_body_bytes", l.max_body_bytes, 1024, std::size_t{64} << 20));
    VGI_RETURN_IF_ERROR(s.Integer<std::size_t>("max_connections", l.max_connections, 1, 1'000'000));
    VGI_RETURN_IF_ERROR(s.Time("read_timeout", l.read_timeout));
    VGI_RETURN_IF_ERROR(s.Time("idle_timeout", l.idle_timeout));
    VGI_RETURN_IF_ERROR(s.CheckNoUnknownKeys());
  }

  VGI_RETURN_IF_ERROR(top.String("data_dir", c.data_dir));
  if (c.data_dir.empty()) return Status::Invalid("data_dir: must not be empty");
  VGI_RETURN_IF_ERROR(top.String("database", c.database));
  if (!c.database.empty() && c.database.rfind("postgresql://", 0) != 0 && c.database.rfind("postgres://", 0) != 0) {
    return Status::Invalid("database: must be empty (SQLite in data_dir) or a postgresql:// URL");
  }

  sub.reset();
  VGI_RETURN_IF_ERROR(top.Sub("log", sub));
  if (sub) {
    VGI_RETURN_IF_ERROR(sub->String("level", c.log_level));
    VGI_RETURN_IF_ERROR(sub->String("dir", c.log_dir));
    VGI_RETURN_IF_ERROR(sub->Bool("debug", c.log_debug));
    VGI_RETURN_IF_ERROR(sub->CheckNoUnknownKeys());
  }
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.contains(c.log_level)) {
    return Status::Invalid("log.level: must be one of trace, debug, info, warn, error, off");
  }

  sub.reset();
  VGI_RETURN_IF_ERROR(top.Sub("protocol", sub));
  if (sub) {
    VGI_RETURN_IF_ERROR(sub->Time("model_sync_expiry", c.sync_ttl));
    VGI_RETURN_IF_ERROR(sub->Time("token_lifetime", c.token_lifetime));
    VGI_RETURN_IF_ERROR(sub->Time("key_rotation_overlap", c.key_rotation_overlap));
    VGI_RETURN_IF_ERROR(sub->CheckNoUnknownKeys());
  }

  sub.reset();
  VGI_RETURN_IF_ERROR(top.Sub("relay", sub));
  if (sub) {
    auto& r = c.relay;
    VGI_RETURN_IF_ERROR(sub->Bool("enabled", r.enabled));
    VGI_RETURN_IF_ERROR(sub->String("node_id", r.node_id));
    VGI_RETURN_IF_ERROR(sub->Integer("node_index", r.node_index, 0, 98));
    VGI_RETURN_IF_ERROR(sub->Integer("node_count", r.node_count, 1, 99));
    if (r.node_index >= r.node_count) return Status::Invalid("relay.node_index: must be less than relay.node_count");
    VGI_RETURN_IF_ERROR(sub->Integer("workers", r.workers, 1, 256));
    VGI_RETURN_IF_ERROR(sub->Time("attempt_timeout", r.attempt_timeout));
    VGI_RETURN_IF_ERROR(sub->Time("lease", r.lease));
    VGI_RETURN_IF_ERROR(sub->Time("backoff_base", r.backoff_base));
    VGI_RETURN_IF_ERROR(sub->Time("backoff_cap", r.backoff_cap));
    VGI_RETURN_IF_ERROR(sub->String("ca_file", r.ca_file));
    VGI_RETURN_IF_ERROR(sub->Bool("verify_peer", r.verify_peer));
    VGI_RETURN_IF_ERROR(sub->CheckNoUnknownKeys());
    if (r.backoff_cap < r.backoff_base) return Status::Invalid("relay.backoff_cap: must be at least relay.backoff_base");
    if (r.lease <= r.attempt_timeout * 2) {
      return Status::Invalid("relay.lease: must be longer than two attempt_timeouts (a token fetch and a call), "
                             "or a slow attempt loses its lease and the command is sent twice");
    }
  }

  VGI_RETURN_IF_ERROR(ParseEngine(top, c.engine));
  VGI_RETURN_IF_ERROR(ParseConsole(top, c.console));

  if (YAML::Node peers = top.Get("peers"); peers && !peers.IsNull()) {
    if (!peers.IsSequence()) return Status::Invalid("peers: must be a list");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      const std::string path = "peers[" + std::to_string(i) + "]";
      if (!peers[i].IsMap()) return Status::Invalid(path + ": must be a mapping");
      Section ps(peers[i], path);
      PeerConfig peer;
      VGI_RETURN_IF_ERROR(ParsePeer(ps, peer));
      if (!ids.insert(peer.operator_id).second) {
        return Status::Invalid(path + ".operator_id: " + peer.operator_id + " is listed twice");
      }
      c.peers.push_back(std::move(peer));
    }
  }
  VGI_RETURN_IF_ERROR(top.CheckNoUnknownKeys());

  c.tls_cert = Resolve(base_dir, c.tls_cert);
  c.tls_key = Resolve(base_dir, c.tls_key);
  c.data_dir = Resolve(base_dir, c.data_dir);
  c.relay.ca_file = Resolve(base_dir, c.relay.ca_file);
  if (!c.console.dir.empty()) c.console.dir = Resolve(base_dir, c.console.dir);
  if (!c.log_dir.empty()) c.log_dir = Resolve(base_dir, c.log_dir);
  return {};
}

// "\"text\"" built by appending: GCC 12's -Wrestrict misfires on `"\"" + std::string(x)` (PR 105329).
std::string Quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

}  // namespace

std::string DefaultNodeId() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "vgi");
  return std::string(host) + "-" + std::to_string(::getpid());
}

std::string EngineNodeId(const Config& config) {
  if (!config.engine.node_id.empty()) return config.engine.node_id;
  if (!config.relay.node_id.empty()) return config.relay.node_id;
  return DefaultNodeId();
}

engine::RegulatorConfig ToRegulatorConfig(const Config& config) {
  const EngineConfig& e = config.engine;
  engine::RegulatorConfig r;
  r.reserve_margin_bp = e.reserve_margin_bp;
  r.accept_lead = e.accept_lead;
  r.measure_delay = e.measure_delay;
  if (e.baseline_method == "10-of-10-adjusted") {
    r.baseline.method = engine::BaselineMethod::kAverageAdjusted;
  } else if (e.baseline_method == "same-day") {
    r.baseline.method = engine::BaselineMethod::kSameDay;
  } else {
    r.baseline.method = engine::BaselineMethod::kXOfY;
  }
  r.baseline.x = e.baseline_x;
  r.baseline.y = e.baseline_y;
  r.baseline.average_days = e.baseline_y;
  r.baseline.before_minutes = e.baseline_before_minutes;
  r.baseline.after_minutes = e.baseline_after_minutes;
  r.baseline.use_after = e.baseline_use_after;
  r.baseline.max_rrmse_percent = e.baseline_max_rrmse_percent;
  r.check_baseline_accuracy = e.baseline_check_accuracy;
  r.shortfall_share_percent = e.shortfall_share_percent;
  r.shortfall_minutes = e.shortfall_minutes;
  r.settlement.price = e.price;
  r.settlement.bands.lower_bp = e.lower_band_bp;
  r.settlement.bands.upper_bp = e.upper_band_bp;
  if (e.penalty_price) {
    engine::PenaltyRule penalty;
    penalty.price = *e.penalty_price;
    penalty.threshold_bp = e.penalty_threshold_bp;
    r.settlement.penalty = penalty;
  }
  r.node_id = EngineNodeId(config);
  return r;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || n < 0) {
    return Status::Invalid(Quoted(text) + " is not a duration (e.g. 30s, 90m, 24h, 1500ms)");
  }
  const std::string_view unit(end, text.data() + text.size() - end);
  using namespace std::chrono;
  if (unit.empty() || unit == "s") return duration_cast<milliseconds>(seconds(n));
  if (unit == "ms") return milliseconds(n);
  if (unit == "m") return duration_cast<milliseconds>(minutes(n));
  if (unit == "h") return duration_cast<milliseconds>(hours(n));
  if (unit == "d") return duration_cast<milliseconds>(hours(24 * n));
  return Status::Invalid(Quoted(text) + " has an unknown unit (use ms, s, m, h or d)");
}

Result<HostPort> ParseHostPort(std::string_view text) {
  const std::string bad = Quoted(text) + " is not host:port (e.g. 127.0.0.1:8443 or [::1]:8443)";
  std::size_t colon;
  HostPort hp;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::Invalid(bad);
    }
    hp.host = std::string(text.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return Status::Invalid(bad);
    hp.host = std::string(text.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) return Status::Invalid(bad);
  }
  const std::string_view port = text.substr(colon + 1);
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || v > 65535) {
    return Status::Invalid(bad);
  }
  hp.port = static_cast<std::uint16_t>(v);
  return hp;
}

Result<Config> ParseConfig(std::string_view yaml_text, const std::string& base_dir) {
  Config c;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    if (root.IsNull()) return c;  // an empty file: every default
    if (!root.IsMap()) return Status::Invalid("config: the top level must be a mapping of keys");
    VGI_RETURN_IF_ERROR(ParseRoot(root, base_dir, c));
  } catch (const YAML::Exception& e) {
    // yaml-cpp's message carries line and column; it never contains values beyond the token.
    return Status::Invalid(std::string("config: not valid YAML: ") + e.what());
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(path + ": cannot read the config file (check the path given with --config)");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string base = fs::absolute(fs::path(path)).parent_path().string();
  auto c = ParseConfig(text.str(), base);
  if (!c.ok()) return c.status().WithPrefix(path);
  c->path = path;
  return c;
}

}  // namespace vgi::server
