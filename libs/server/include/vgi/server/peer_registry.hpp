#pragma once
// PeerRegistry: the operator platforms the grid talks to, with their key sets, held in memory
// for the request path and persisted in the store (secrets sealed under the master key,
// context "peer:<operator_id>").
//
// Inbound keys (issued by the grid) may be several during a rotation: the current set first,
// then earlier sets each valid until its overlap ends. A request verifies under any valid set
// and is answered under the set it verified with. OperatorSecret likewise.
//
// Disabling a peer revokes its tokens (TokenRevocations) and refuses its requests.
//
// Thread safety: Find/List/RevokedBefore are lock-cheap (a shared_ptr snapshot under a mutex)
// and may be called from any thread; management calls are serialised.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/base/random.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/token.hpp"
#include "vgi/proto/wire_profile.hpp"
#include "vgi/server/config.hpp"
#include "vgi/store/store.hpp"

namespace vgi::server {

struct InboundKeySet {
  proto::KeySet keys;
  std::optional<SystemTime> valid_until;  // nullopt: the current set
  friend bool operator==(const InboundKeySet&, const InboundKeySet&) = default;
};

// An immutable snapshot of one peer.
struct Peer {
  std::string operator_id;
  std::string name;
  std::string base_url;
  bool enabled = true;
  bool from_config = false;  // defined in the config file (which wins at every start)
  std::vector<InboundKeySet> inbound;             // current first
  std::vector<proto::PreparedKeys> inbound_prepared;  // parallel to inbound
  std::string outbound_operator_id;
  std::optional<proto::KeySet> outbound;
  proto::WireProfile profile;
  std::vector<std::string> allow_ips;  // empty = any
  std::optional<SystemTime> tokens_revoked_before;
  SystemTime created_at{};

  // Inbound sets still valid at `now` (indices into inbound/inbound_prepared).
  [[nodiscard]] std::vector<std::size_t> ValidInbound(SystemTime now) const;
  [[nodiscard]] bool AllowsIp(std::string_view ip) const;
};

struct NewPeer {
  std::string operator_id;
  std::string name;
  std::string base_url;
  std::string outbound_operator_id;
  std::optional<proto::KeySet> outbound;
  proto::WireProfile profile;
  std::vector<std::string> allow_ips;
};

class PeerRegistry final : public proto::TokenRevocations {
 public:
  // All must outlive the registry.
  PeerRegistry(store::Store& store, const store::Sealer& sealer, const Clock& clock);

  // (Re)reads every peer from the store.
  Status Load();
  // Makes the store agree with the config's peers (config wins for the peers it lists; peers
  // only in the store are left alone), then reloads.
  Status ApplyConfig(const std::vector<PeerConfig>& peers);

  [[nodiscard]] std::shared_ptr<const Peer> Find(std::string_view operator_id) const;
  [[nodiscard]] std::vector<std::shared_ptr<const Peer>> List() const;

  // Onboards a peer with freshly generated inbound keys and returns them (to hand to the
  // operator). Conflict when the OperatorID exists.
  Result<proto::KeySet> Add(const NewPeer& peer, RandomSource& random);
  // New inbound keys; the previous current set stays valid for `overlap`. Returns the new set.
  Result<proto::KeySet> Rotate(std::string_view operator_id, std::chrono::seconds overlap, RandomSource& random);
  // Disabling refuses its requests and revokes every token issued so far.
  Status SetEnabled(std::string_view operator_id, bool enabled);

  [[nodiscard]] std::optional<SystemTime> RevokedBefore(std::string_view operator_id) const override;

 private:
  Result<std::shared_ptr<const Peer>> Decode(const store::PeerRow& row) const;
  Result<store::PeerRow> Encode(const Peer& peer) const;
  Status Save(const Peer& peer);  // persists and replaces the snapshot

  store::Store& store_;
  const store::Sealer& sealer_;
  const Clock& clock_;
  std::mutex admin_mu_;  // serialises management calls
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Peer>> peers_;
};

}  // namespace vgi::server
