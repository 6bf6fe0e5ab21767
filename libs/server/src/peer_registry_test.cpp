#include "vgi/server/peer_registry.hpp"

#include <gtest/gtest.h>

#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"

namespace vgi::server {
namespace {

using namespace std::chrono_literals;

class PeerRegistryTest : public ::testing::Test {
 protected:
  PeerRegistryTest()
      : sealer_(*store::Sealer::Create(std::string(32, 'k'))),
        store_(store::NewMemoryStore({&clock_, &sealer_, 3600s, {}, {}})),
        peers_(*store_, sealer_, clock_) {}

  testing::FakeClock clock_;
  testing::FakeRandom random_;
  store::Sealer sealer_;
  std::unique_ptr<store::Store> store_;
  PeerRegistry peers_;
};

TEST_F(PeerRegistryTest, AddGeneratesStrongKeysPersistsThemSealedAndReloads) {
  NewPeer spec{"123456789", "Example Charging Co.", "https://127.0.0.1:9443/evcs/v1", "", std::nullopt, {}, {}};
  auto keys = peers_.Add(spec, random_);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(proto::ValidateKeySet(*keys, proto::KeyPolicy::kIssued).ok());

  auto row = store_->GetPeer("123456789");
  ASSERT_TRUE(row.ok() && row->has_value());
  // The secrets are not in the row in clear.
  EXPECT_EQ((*row)->sealed_keys.find(keys->sig_secret), std::string::npos);
  EXPECT_EQ((*row)->settings_json.find(keys->sig_secret), std::string::npos);

  PeerRegistry reloaded(*store_, sealer_, clock_);
  ASSERT_TRUE(reloaded.Load().ok());
  auto p = reloaded.Find("123456789");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "Example Charging Co.");
  ASSERT_EQ(p->inbound.size(), 1u);
  EXPECT_EQ(p->inbound[0].keys, *keys);
  EXPECT_EQ(p->inbound_prepared.size(), 1u);
}

TEST_F(PeerRegistryTest, AddTwiceIsConflictAndBadIdIsInvalid) {
  NewPeer spec{"123456789", "A", "", "", std::nullopt, {}, {}};
  ASSERT_TRUE(peers_.Add(spec, random_).ok());
  auto again = peers_.Add(spec, random_);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  spec.operator_id = "12345";
  EXPECT_EQ(peers_.Add(spec, random_).status().code(), StatusCode::kInvalid);
}

TEST_F(PeerRegistryTest, RotationKeepsThePreviousKeysForTheOverlapOnly) {
  auto first = peers_.Add({"123456789", "A", "", "", std::nullopt, {}, {}}, random_);
  ASSERT_TRUE(first.ok());
  auto second = peers_.Rotate("123456789", 24h, random_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(*first, *second);
  auto p = peers_.Find("123456789");
  ASSERT_EQ(p->inbound.size(), 2u);
  EXPECT_EQ(p->inbound[0].keys, *second);
  EXPECT_EQ(p->ValidInbound(clock_.Now()).size(), 2u);
  clock_.Advance(24h + 1s);
  EXPECT_EQ(p->ValidInbound(clock_.Now()).size(), 1u);
  // A later rotation drops the expired set.
  ASSERT_TRUE(peers_.Rotate("123456789", 1h, random_).ok());
  EXPECT_EQ(peers_.Find("123456789")->inbound.size(), 2u);
}

TEST_F(PeerRegistryTest, DisableRevokesTokensIssuedBefore) {
  ASSERT_TRUE(peers_.Add({"123456789", "A", "", "", std::nullopt, {}, {}}, random_).ok());
  EXPECT_FALSE(peers_.RevokedBefore("123456789").has_value());
  ASSERT_TRUE(peers_.SetEnabled("123456789", false).ok());
  EXPECT_FALSE(peers_.Find("123456789")->enabled);
  EXPECT_EQ(peers_.RevokedBefore("123456789"), clock_.Now());
  EXPECT_EQ(peers_.SetEnabled("999999999", false).code(), StatusCode::kNotFound);
}

TEST_F(PeerRegistryTest, ConfigPeersAreAppliedAndWin) {
  PeerConfig c;
  c.operator_id = "123456789";
  c.name = "From config";
  c.inbound = proto::KeySet{"1234567890abcdef", "1234567890abcdef", "1234567890abcdef", "abcdef1234567890"};
  c.allow_ips = {"10.0.0.1"};
  c.profile.response_dialect = proto::ResponseDialect::kExample;
  ASSERT_TRUE(peers_.ApplyConfig({c}).ok());
  auto p = peers_.Find("123456789");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->from_config);
  EXPECT_EQ(p->inbound[0].keys, *c.inbound);
  EXPECT_TRUE(p->AllowsIp("10.0.0.1"));
  EXPECT_FALSE(p->AllowsIp("10.0.0.2"));
  EXPECT_EQ(p->profile.response_dialect, proto::ResponseDialect::kExample);

  c.inbound.reset();
  EXPECT_EQ(peers_.ApplyConfig({c}).code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace vgi::server
