// `vgi peer add|list|show|rotate|disable|enable`: onboarding and key management for operator
// platforms. Works on the store the config names (the running server picks changes up within
// seconds). Secrets are printed only by `add`, `rotate` and `show --secrets`.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "vgi/base/random.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/interfaces.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/peer_registry.hpp"

namespace vgi::app {
namespace {

struct PeerArgs {
  std::string config;
  std::string operator_id;
  std::string name;
  std::string base_url;
  std::string outbound_file;
  std::vector<std::string> allow_ips;
  std::string overlap = "24h";
  bool secrets = false;
};

int Fail(const std::string& what) {
  std::fprintf(stderr, "vgi peer: %s\n", what.c_str());
  return kExitFailed;
}

void PrintKeys(const std::string& operator_id, const proto::KeySet& k) {
  std::printf("  OperatorID:     %s\n  OperatorSecret: %s\n  DataSecret:     %s\n  DataSecretIV:   %s\n"
              "  SigSecret:      %s\n",
              operator_id.c_str(), k.operator_secret.c_str(), k.data_secret.c_str(), k.data_iv.c_str(),
              k.sig_secret.c_str());
}

std::string Mask(const std::string& s) { return s.empty() ? "unset" : "set (" + std::to_string(s.size()) + " chars)"; }

// Reads the operator-issued keys (outbound) from a YAML file:
//   operator_id: "MA0GRID01"   # the grid's ID as the operator knows it
//   operator_secret: ... data_secret: ... data_iv: ... sig_secret: ...
Status ReadOutbound(const std::string& file, server::NewPeer& peer) {
  try {
    const YAML::Node n = YAML::LoadFile(file);
    peer.outbound_operator_id = n["operator_id"].as<std::string>("");
    proto::KeySet k{n["operator_secret"].as<std::string>(""), n["data_secret"].as<std::string>(""),
                    n["data_iv"].as<std::string>(""), n["sig_secret"].as<std::string>("")};
    if (!proto::IsOperatorId(peer.outbound_operator_id)) {
      return Status::Invalid(file + ": operator_id must be 9 characters of 0-9 A-Z");
    }
    if (Status st = proto::ValidateKeySet(k, proto::KeyPolicy::kPeer); !st.ok()) return st.WithPrefix(file);
    peer.outbound = std::move(k);
    return {};
  } catch (const YAML::Exception& e) {
    return Status::Invalid(file + ": " + e.what());
  }
}

int Run(const std::string& action, const PeerArgs& a) {
  auto config = server::LoadConfig(a.config);
  if (!config.ok()) return Fail(config.status().message());
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/action == "add");
  if (!db.ok()) return Fail(db.status().ToString());
  server::PeerRegistry peers(*db->store, *db->sealer, Clock::System());
  if (Status st = peers.Load(); !st.ok()) return Fail(st.ToString());

  if (action == "list") {
    std::printf("%-10s %-8s %-7s %-4s %s\n", "OPERATOR", "STATE", "SOURCE", "KEYS", "NAME / BASE URL");
    for (const auto& p : peers.List()) {
      std::printf("%-10s %-8s %-7s %-4zu %s  %s\n", p->operator_id.c_str(), p->enabled ? "enabled" : "disabled",
                  p->from_config ? "config" : "cli", p->ValidInbound(Clock::System().Now()).size(), p->name.c_str(),
                  p->base_url.c_str());
    }
    return kExitOk;
  }
  if (action == "add") {
    server::NewPeer spec;
    spec.operator_id = a.operator_id;
    spec.name = a.name;
    spec.base_url = a.base_url;
    spec.allow_ips = a.allow_ips;
    if (!a.outbound_file.empty()) {
      if (Status st = ReadOutbound(a.outbound_file, spec); !st.ok()) return Fail(st.message());
    }
    auto keys = peers.Add(spec, RandomSource::System());
    if (!keys.ok()) return Fail(keys.status().message());
    std::printf("peer %s added. Hand these keys to the operator over a secure channel; they call the grid at\n"
                "https://%s%s with them:\n",
                a.operator_id.c_str(), config->server.listen.c_str(), std::string(proto::kPathPrefix).c_str());
    PrintKeys(a.operator_id, *keys);
    return kExitOk;
  }
  const auto peer = peers.Find(a.operator_id);
  if (!peer) return Fail("peer " + a.operator_id + " does not exist (see `vgi peer list`)");
  if (action == "show") {
    std::printf("OperatorID:  %s\nName:        %s\nBase URL:    %s\nState:       %s\nSource:      %s\n",
                peer->operator_id.c_str(), peer->name.c_str(), peer->base_url.c_str(),
                peer->enabled ? "enabled" : "disabled", peer->from_config ? "config file" : "vgi peer");
    std::printf("Allow IPs:   %s\n", peer->allow_ips.empty() ? "any" : "");
    for (const auto& ip : peer->allow_ips) std::printf("  %s\n", ip.c_str());
    for (std::size_t i = 0; i < peer->inbound.size(); ++i) {
      const auto& in = peer->inbound[i];
      std::printf("Inbound keys #%zu (%s):\n", i + 1,
                  in.valid_until ? ("valid until " + proto::FormatMinute(proto::ToBeijingMinute(*in.valid_until)) +
                                    " Beijing")
                                       .c_str()
                                 : "current");
      if (a.secrets) {
        PrintKeys(peer->operator_id, in.keys);
      } else {
        std::printf("  OperatorSecret %s, DataSecret %s, DataSecretIV %s, SigSecret %s (--secrets shows them)\n",
                    Mask(in.keys.operator_secret).c_str(), Mask(in.keys.data_secret).c_str(),
                    Mask(in.keys.data_iv).c_str(), Mask(in.keys.sig_secret).c_str());
      }
    }
    std::printf("Outbound keys: %s\n", peer->outbound ? ("set, the grid calls as " + peer->outbound_operator_id).c_str()
                                                      : "not set (the grid cannot call this operator)");
    return kExitOk;
  }
  if (peer->from_config && action != "show") {
    std::fprintf(stderr, "vgi peer: note: %s is defined in %s, which wins at the next start or SIGHUP; "
                 "change it there too\n", a.operator_id.c_str(), a.config.c_str());
  }
  if (action == "rotate") {
    auto overlap = server::ParseDuration(a.overlap);
    if (!overlap.ok()) return Fail("--overlap: " + overlap.status().message());
    auto keys = peers.Rotate(a.operator_id, std::chrono::duration_cast<std::chrono::seconds>(*overlap),
                             RandomSource::System());
    if (!keys.ok()) return Fail(keys.status().message());
    std::printf("peer %s: new inbound keys; the previous ones stay valid for %s. Hand these to the operator:\n",
                a.operator_id.c_str(), a.overlap.c_str());
    PrintKeys(a.operator_id, *keys);
    return kExitOk;
  }
  const bool enable = action == "enable";
  if (Status st = peers.SetEnabled(a.operator_id, enable); !st.ok()) return Fail(st.message());
  std::printf("peer %s %s%s\n", a.operator_id.c_str(), enable ? "enabled" : "disabled",
              enable ? "" : "; its tokens are revoked and its requests refused");
  return kExitOk;
}

}  // namespace

void RegisterPeer(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("peer", "Onboard operator platforms and manage their keys");
  cmd->require_subcommand(1);
  auto args = std::make_shared<PeerArgs>();
  auto add_common = [&](CLI::App* sub, bool needs_id) {
    sub->add_option("--config,-c", args->config, "YAML config file (names data_dir and database)")->required();
    if (needs_id) sub->add_option("operator_id", args->operator_id, "The operator's 9-character OperatorID")->required();
  };
  auto* add = cmd->add_subcommand("add", "Add an operator: generates the keys the grid issues to it and prints them");
  add_common(add, true);
  add->add_option("--name", args->name, "Display name")->required();
  add->add_option("--base-url", args->base_url, "Where the grid calls the operator, https://host:port/evcs/v1");
  add->add_option("--outbound-keys", args->outbound_file,
                  "YAML file with the keys the operator issued to the grid (operator_id, operator_secret, "
                  "data_secret, data_iv, sig_secret)");
  add->add_option("--allow-ip", args->allow_ips, "Accept this operator's requests only from these addresses");
  auto* list = cmd->add_subcommand("list", "List operators");
  add_common(list, false);
  auto* show = cmd->add_subcommand("show", "Show one operator (secrets masked unless --secrets)");
  add_common(show, true);
  show->add_flag("--secrets", args->secrets, "Print the inbound secrets in full");
  auto* rotate = cmd->add_subcommand("rotate", "Issue new inbound keys; the old ones stay valid for an overlap");
  add_common(rotate, true);
  rotate->add_option("--overlap", args->overlap, "How long the previous keys stay valid (default 24h)");
  auto* disable = cmd->add_subcommand("disable", "Refuse an operator's requests and revoke its tokens");
  add_common(disable, true);
  auto* enable = cmd->add_subcommand("enable", "Accept an operator's requests again");
  add_common(enable, true);
  for (auto* sub : {add, list, show, rotate, disable, enable}) {
    sub->callback([args, exit_code, name = sub->get_name()] { *exit_code = Run(name, *args); });
  }
}

}  // namespace vgi::app
