#include "vgi/proto/keys.hpp"

#include <gtest/gtest.h>

#include "vgi/testing/fake_random.hpp"

namespace vgi::proto {
namespace {

TEST(Keys, GeneratedSetsAreStrongAndValid) {
  auto keys = GenerateKeySet(RandomSource::System());
  EXPECT_TRUE(ValidateKeySet(keys, KeyPolicy::kIssued).ok()) << ValidateKeySet(keys, KeyPolicy::kIssued);
  EXPECT_EQ(keys.operator_secret.size(), 64u);
  EXPECT_EQ(keys.sig_secret.size(), 64u);
  EXPECT_EQ(keys.data_secret.size(), 16u);
  EXPECT_EQ(keys.data_iv.size(), 16u);
  EXPECT_NE(keys, GenerateKeySet(RandomSource::System()));
  EXPECT_TRUE(PreparedKeys::Create(keys).ok());
}

TEST(Keys, GenerationIsDeterministicUnderAFakeRandomSource) {
  testing::FakeRandom a(7);
  testing::FakeRandom b(7);
  EXPECT_EQ(GenerateKeySet(a), GenerateKeySet(b));
}

TEST(Keys, RandomStringHasNoBiasAtTheEdges) {
  testing::FakeRandom random(1);
  const std::string s = RandomString(random, 62000, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
  std::array<int, 256> count{};
  for (char c : s) ++count[static_cast<unsigned char>(c)];
  // Each of 62 symbols is expected 1000 times; modulo bias would push the first 8 to ~1250.
  for (char c : std::string("0123456789xyz")) EXPECT_NEAR(count[static_cast<unsigned char>(c)], 1000, 150) << c;
}

TEST(Keys, IssuedPolicy) {
  KeySet k{"0123456789ABCDEF0123456789ABCDEF", "abcdefghij012345", "ABCDEFGHIJ012345",
           "FEDCBA9876543210FEDCBA9876543210"};
  EXPECT_TRUE(ValidateKeySet(k, KeyPolicy::kIssued).ok());
  auto bad = k;
  bad.operator_secret = "0123";
  EXPECT_EQ(ValidateKeySet(bad, KeyPolicy::kIssued).message(), "OperatorSecret: must be 32, 48 or 64 characters of 0-9 and A-F");
  bad = k;
  bad.sig_secret = std::string(32, 'g');
  EXPECT_EQ(ValidateKeySet(bad, KeyPolicy::kIssued).message(), "SigSecret: must be 32, 48 or 64 characters of 0-9 and A-F");
  bad = k;
  bad.data_secret = "abcdefghij01234!";
  EXPECT_EQ(ValidateKeySet(bad, KeyPolicy::kIssued).message(), "DataSecret: must be 16 characters of 0-9, A-Z and a-z");
  bad = k;
  bad.data_iv = "short";
  EXPECT_EQ(ValidateKeySet(bad, KeyPolicy::kIssued).message(), "DataSecretIV: must be 16 characters of 0-9, A-Z and a-z");
}

TEST(Keys, PeerPolicyAcceptsTheSeedsOwnExampleKeys) {
  const KeySet seed{"1234567890abcdef", "1234567890abcdef", "1234567890abcdef", "0123456789abcdefX"};
  EXPECT_TRUE(ValidateKeySet(seed, KeyPolicy::kPeer).ok()) << ValidateKeySet(seed, KeyPolicy::kPeer);
  EXPECT_FALSE(ValidateKeySet(seed, KeyPolicy::kIssued).ok());
}

TEST(Keys, DataSecretEqualToSigSecretIsRefused) {
  KeySet same{"1234567890abcdef", "1234567890abcdef", "1234567890abcdef", "1234567890abcdef"};
  EXPECT_EQ(ValidateKeySet(same, KeyPolicy::kPeer).message(), "SigSecret: must differ from DataSecret (and not start with it)");
  same.sig_secret = "1234567890abcdef00";
  EXPECT_FALSE(ValidateKeySet(same, KeyPolicy::kPeer).ok());
  const std::string message = ValidateKeySet(same, KeyPolicy::kPeer).message();
  EXPECT_EQ(message.find("1234567890abcdef"), std::string::npos) << "a message must never show a secret";
}

TEST(Keys, OperatorIdForm) {
  EXPECT_TRUE(IsOperatorId("400007201"));
  EXPECT_TRUE(IsOperatorId("MA0GRID01"));
  EXPECT_FALSE(IsOperatorId("40000720"));
  EXPECT_FALSE(IsOperatorId("4000072011"));
  EXPECT_FALSE(IsOperatorId("ma0grid01"));
  EXPECT_FALSE(IsOperatorId("MA0-RID01"));
}

TEST(Keys, OperatorSecretCheck) {
  auto keys = GenerateKeySet(RandomSource::System());
  auto prepared = PreparedKeys::Create(keys);
  EXPECT_TRUE(prepared->CheckOperatorSecret(keys.operator_secret));
  EXPECT_FALSE(prepared->CheckOperatorSecret(keys.operator_secret.substr(1)));
  EXPECT_FALSE(prepared->CheckOperatorSecret(""));
}

}  // namespace
}  // namespace vgi::proto
