#include "vgi/server/peer_registry.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>

namespace vgi::server {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::int64_t ToMs(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
SystemTime FromMs(std::int64_t ms) { return SystemTime(std::chrono::milliseconds(ms)); }

std::string Context(std::string_view operator_id) { return "peer:" + std::string(operator_id); }

void WriteString(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void WriteKeySet(Writer& w, const proto::KeySet& k) {
  w.StartObject();
  WriteString(w, "operator_secret", k.operator_secret);
  WriteString(w, "data_secret", k.data_secret);
  WriteString(w, "data_iv", k.data_iv);
  WriteString(w, "sig_secret", k.sig_secret);
  w.EndObject();
}

// Reads a key set written by WriteKeySet; false on any shape error.
bool ReadKeySet(simdjson::dom::element e, proto::KeySet& k) {
  std::string_view a, b, c, d;
  if (e["operator_secret"].get(a) || e["data_secret"].get(b) || e["data_iv"].get(c) || e["sig_secret"].get(d)) {
    return false;
  }
  k = {std::string(a), std::string(b), std::string(c), std::string(d)};
  return true;
}

std::string Finish(const rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

Status Corrupt(std::string_view operator_id, std::string_view what) {
  return Status::Internal("peer " + std::string(operator_id) + ": stored " + std::string(what) +
                          " is corrupt; re-add the peer with `vgi peer`");
}

}  // namespace

std::vector<std::size_t> Peer::ValidInbound(SystemTime now) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < inbound.size(); ++i) {
    if (!inbound[i].valid_until || *inbound[i].valid_until > now) out.push_back(i);
  }
  return out;
}

bool Peer::AllowsIp(std::string_view ip) const {
  return allow_ips.empty() || std::find(allow_ips.begin(), allow_ips.end(), ip) != allow_ips.end();
}

PeerRegistry::PeerRegistry(store::Store& store, const store::Sealer& sealer, const Clock& clock)
    : store_(store), sealer_(sealer), clock_(clock) {}

Result<store::PeerRow> PeerRegistry::Encode(const Peer& p) const {
  rapidjson::StringBuffer keys;
  {
    Writer w(keys);
    w.StartObject();
    w.Key("inbound");
    w.StartArray();
    for (const auto& in : p.inbound) {
      w.StartObject();
      w.Key("keys");
      WriteKeySet(w, in.keys);
      if (in.valid_until) {
        w.Key("valid_until_ms");
        w.Int64(ToMs(*in.valid_until));
      }
      w.EndObject();
    }
    w.EndArray();
    if (p.outbound) {
      w.Key("outbound");
      WriteKeySet(w, *p.outbound);
    }
    w.EndObject();
  }
  rapidjson::StringBuffer settings;
  {
    Writer w(settings);
    w.StartObject();
    WriteString(w, "outbound_operator_id", p.outbound_operator_id);
    w.Key("from_config");
    w.Bool(p.from_config);
    w.Key("allow_ips");
    w.StartArray();
    for (const auto& ip : p.allow_ips) w.String(ip.data(), static_cast<rapidjson::SizeType>(ip.size()));
    w.EndArray();
    w.Key("profile");
    w.StartObject();
    WriteString(w, "response_dialect",
                p.profile.response_dialect == proto::ResponseDialect::kExample ? "example" : "standard");
    w.Key("unescape_html_entities");
    w.Bool(p.profile.unescape_html_entities);
    w.Key("field_encryption");
    w.Bool(p.profile.field_encryption);
    w.Key("replay_check");
    w.Bool(p.profile.replay_check);
    w.Key("clock_skew_s");
    w.Int64(p.profile.clock_skew.count());
    w.Key("require_response_sig");
    w.Bool(p.profile.require_response_sig);
    w.EndObject();
    w.EndObject();
  }
  store::PeerRow row;
  row.operator_id = p.operator_id;
  row.name = p.name;
  row.base_url = p.base_url;
  row.enabled = p.enabled;
  row.sealed_keys = sealer_.Seal(Finish(keys), Context(p.operator_id));
  row.settings_json = Finish(settings);
  row.tokens_revoked_before = p.tokens_revoked_before;
  row.created_at = p.created_at;
  row.updated_at = clock_.Now();
  return row;
}

Result<std::shared_ptr<const Peer>> PeerRegistry::Decode(const store::PeerRow& row) const {
  auto peer = std::make_shared<Peer>();
  peer->operator_id = row.operator_id;
  peer->name = row.name;
  peer->base_url = row.base_url;
  peer->enabled = row.enabled;
  peer->tokens_revoked_before = row.tokens_revoked_before;
  peer->created_at = row.created_at;

  VGI_ASSIGN_OR_RETURN(const std::string keys_json, sealer_.Open(row.sealed_keys, Context(row.operator_id)));
  simdjson::dom::parser parser;
  simdjson::dom::element keys;
  if (parser.parse(keys_json).get(keys)) return Corrupt(row.operator_id, "keys");
  simdjson::dom::array inbound;
  if (keys["inbound"].get(inbound)) return Corrupt(row.operator_id, "keys");
  for (simdjson::dom::element in : inbound) {
    InboundKeySet set;
    simdjson::dom::element k;
    if (in["keys"].get(k) || !ReadKeySet(k, set.keys)) return Corrupt(row.operator_id, "keys");
    std::int64_t until = 0;
    if (!in["valid_until_ms"].get(until)) set.valid_until = FromMs(until);
    auto prepared = proto::PreparedKeys::Create(set.keys);
    if (!prepared.ok()) return prepared.status().WithPrefix("peer " + row.operator_id + " inbound keys");
    peer->inbound.push_back(std::move(set));
    peer->inbound_prepared.push_back(std::move(*prepared));
  }
  if (simdjson::dom::element out; !keys["outbound"].get(out)) {
    peer->outbound.emplace();
    if (!ReadKeySet(out, *peer->outbound)) return Corrupt(row.operator_id, "keys");
  }

  simdjson::dom::parser settings_parser;
  simdjson::dom::element s;
  if (settings_parser.parse(row.settings_json).get(s)) return Corrupt(row.operator_id, "settings");
  std::string_view sv;
  if (!s["outbound_operator_id"].get(sv)) peer->outbound_operator_id = std::string(sv);
  bool b = false;
  if (!s["from_config"].get(b)) peer->from_config = b;
  if (simdjson::dom::array ips; !s["allow_ips"].get(ips)) {
    for (auto ip : ips) {
      if (!ip.get(sv)) peer->allow_ips.emplace_back(sv);
    }
  }
  if (simdjson::dom::element pr; !s["profile"].get(pr)) {
    auto& p = peer->profile;
    if (!pr["response_dialect"].get(sv)) {
      p.response_dialect = sv == "example" ? proto::ResponseDialect::kExample : proto::ResponseDialect::kStandard;
    }
    if (!pr["unescape_html_entities"].get(b)) p.unescape_html_entities = b;
    if (!pr["field_encryption"].get(b)) p.field_encryption = b;
    if (!pr["replay_check"].get(b)) p.replay_check = b;
    if (!pr["require_response_sig"].get(b)) p.require_response_sig = b;
    if (std::int64_t skew = 0; !pr["clock_skew_s"].get(skew)) p.clock_skew = std::chrono::seconds(skew);
  }
  return std::shared_ptr<const Peer>(std::move(peer));
}

Status PeerRegistry::Load() {
  VGI_ASSIGN_OR_RETURN(const auto rows, store_.ListPeers());
  std::unordered_map<std::string, std::shared_ptr<const Peer>> loaded;
  for (const auto& row : rows) {
    VGI_ASSIGN_OR_RETURN(auto peer, Decode(row));
    loaded.emplace(row.operator_id, std::move(peer));
  }
  std::lock_guard lock(mu_);
  peers_ = std::move(loaded);
  return {};
}

Status PeerRegistry::Save(const Peer& peer) {
  VGI_ASSIGN_OR_RETURN(const store::PeerRow row, Encode(peer));
  VGI_RETURN_IF_ERROR(store_.PutPeer(row));
  VGI_ASSIGN_OR_RETURN(auto snapshot, Decode(row));
  std::lock_guard lock(mu_);
  peers_[peer.operator_id] = std::move(snapshot);
  return {};
}

Status PeerRegistry::ApplyConfig(const std::vector<PeerConfig>& configured) {
  std::lock_guard admin(admin_mu_);
  const SystemTime now = clock_.Now();
  for (const PeerConfig& c : configured) {
    const auto existing = Find(c.operator_id);
    Peer p = existing ? *existing : Peer{};
    p.operator_id = c.operator_id;
    p.name = c.name;
    p.base_url = c.base_url;
    p.enabled = c.enabled;
    p.from_config = true;
    p.outbound_operator_id = c.outbound_operator_id;
    p.outbound = c.outbound;
    p.profile = c.profile;
    p.allow_ips = c.allow_ips;
    if (!existing) p.created_at = now;
    if (!c.inbound) {
      return Status::Invalid("peers: " + c.operator_id +
                             ": inbound keys are required for a peer in the config (or add it with `vgi peer add`)");
    }
    if (p.inbound.empty() || p.inbound.front().keys != *c.inbound) {
      // The config's set becomes current; a set the store held stays valid for nothing: the
      // config is the operator's word on which keys are live.
      p.inbound = {InboundKeySet{*c.inbound, std::nullopt}};
    }
    p.inbound_prepared.clear();
    VGI_RETURN_IF_ERROR(Save(p));
  }
  return {};
}

std::shared_ptr<const Peer> PeerRegistry::Find(std::string_view operator_id) const {
  std::lock_guard lock(mu_);
  const auto it = peers_.find(std::string(operator_id));
  return it == peers_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Peer>> PeerRegistry::List() const {
  std::vector<std::shared_ptr<const Peer>> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, p] : peers_) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->operator_id < b->operator_id; });
  return out;
}

Result<proto::KeySet> PeerRegistry::Add(const NewPeer& spec, RandomSource& random) {
  std::lock_guard admin(admin_mu_);
  if (!proto::IsOperatorId(spec.operator_id)) {
    return Status::Invalid("operator_id: " + spec.operator_id + " is not 9 characters of 0-9 A-Z");
  }
  if (spec.outbound) VGI_RETURN_IF_ERROR(proto::ValidateKeySet(*spec.outbound, proto::KeyPolicy::kPeer));
  VGI_ASSIGN_OR_RETURN(const auto stored, store_.GetPeer(spec.operator_id));
  if (stored) {
    return Status::Conflict("peer " + spec.operator_id + " exists; use `vgi peer rotate` for new keys");
  }
  Peer p;
  p.operator_id = spec.operator_id;
  p.name = spec.name;
  p.base_url = spec.base_url;
  p.outbound_operator_id = spec.outbound_operator_id;
  p.outbound = spec.outbound;
  p.profile = spec.profile;
  p.allow_ips = spec.allow_ips;
  p.created_at = clock_.Now();
  const proto::KeySet keys = proto::GenerateKeySet(random);
  p.inbound = {InboundKeySet{keys, std::nullopt}};
  VGI_RETURN_IF_ERROR(Save(p));
  return keys;
}

Result<proto::KeySet> PeerRegistry::Rotate(std::string_view operator_id, std::chrono::seconds overlap,
                                           RandomSource& random) {
  std::lock_guard admin(admin_mu_);
  const auto existing = Find(operator_id);
  if (!existing) return Status::NotFound("peer " + std::string(operator_id) + " does not exist (see `vgi peer list`)");
  Peer p = *existing;
  const SystemTime now = clock_.Now();
  std::vector<InboundKeySet> kept;
  const proto::KeySet keys = proto::GenerateKeySet(random);
  kept.push_back({keys, std::nullopt});
  for (auto& in : p.inbound) {
    if (!in.valid_until) in.valid_until = now + overlap;  // the set that was current
    if (*in.valid_until > now) kept.push_back(in);
  }
  p.inbound = std::move(kept);
  p.inbound_prepared.clear();
  VGI_RETURN_IF_ERROR(Save(p));
  return keys;
}

Status PeerRegistry::SetEnabled(std::string_view operator_id, bool enabled) {
  std::lock_guard admin(admin_mu_);
  const auto existing = Find(operator_id);
  if (!existing) return Status::NotFound("peer " + std::string(operator_id) + " does not exist (see `vgi peer list`)");
  Peer p = *existing;
  p.enabled = enabled;
  if (!enabled) p.tokens_revoked_before = clock_.Now();
  p.inbound_prepared.clear();
  return Save(p);
}

std::optional<SystemTime> PeerRegistry::RevokedBefore(std::string_view operator_id) const {
  const auto p = Find(operator_id);
  if (!p) return std::nullopt;
  return p->tokens_revoked_before;
}

}  // namespace vgi::server
