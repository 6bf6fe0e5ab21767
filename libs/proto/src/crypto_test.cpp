// The wire cryptography against ../shared/vectors/crypto-vectors.json (read at run time) and
// the rules around it: strict base64, one uniform error for every decryption failure.
#include "vgi/proto/crypto.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cctype>
#include <vector>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/ret.hpp"
#include "vgi/testing/shared_files.hpp"

namespace vgi::proto {
namespace {

const rapidjson::Document& Vectors() {
  static const rapidjson::Document doc = [] {
    rapidjson::Document d;
    const std::string text = testing::ReadFileOrDie(testing::SharedDir() + "/vectors/crypto-vectors.json");
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError()) std::abort();
    return d;
  }();
  return doc;
}

std::string Str(const rapidjson::Value& v, const char* key) {
  const auto& m = v[key];
  return std::string(m.GetString(), m.GetStringLength());
}

TEST(CryptoVectors, FileHasEveryGroup) {
  ASSERT_TRUE(Vectors().HasMember("aes_128_cbc_pkcs5_base64"));
  EXPECT_GE(Vectors()["aes_128_cbc_pkcs5_base64"].Size(), 4u);
  EXPECT_GE(Vectors()["hmac_md5_request_sig"].Size(), 2u);
  EXPECT_GE(Vectors()["hmac_md5_response_sig"].Size(), 1u);
}

TEST(CryptoVectors, AesEncryptsAndDecryptsByteForByte) {
  for (const auto& v : Vectors()["aes_128_cbc_pkcs5_base64"].GetArray()) {
    SCOPED_TRACE(Str(v, "name"));
    auto cipher = DataCipher::Create(Str(v, "key"), Str(v, "iv"));
    ASSERT_TRUE(cipher.ok());
    EXPECT_EQ(cipher->Encrypt(Str(v, "plaintext")), Str(v, "ciphertext"));
    std::string plain;
    ASSERT_TRUE(cipher->Decrypt(Str(v, "ciphertext"), plain).ok());
    EXPECT_EQ(plain, Str(v, "plaintext"));
    EXPECT_GE(plain.capacity() - plain.size(), kJsonPadding);
  }
}

TEST(CryptoVectors, RequestSignatures) {
  for (const auto& v : Vectors()["hmac_md5_request_sig"].GetArray()) {
    SCOPED_TRACE(Str(v, "name"));
    auto signer = Signer::Create(Str(v, "key"));
    ASSERT_TRUE(signer.ok());
    const auto parts = {std::string_view(v["OperatorID"].GetString()), std::string_view(v["Data"].GetString()),
                        std::string_view(v["TimeStamp"].GetString()), std::string_view(v["Seq"].GetString())};
    EXPECT_EQ(signer->Sign(parts), Str(v, "sig"));
    EXPECT_TRUE(signer->Verify(parts, Str(v, "sig")));
  }
}

TEST(CryptoVectors, ResponseSignatureAndItsData) {
  for (const auto& v : Vectors()["hmac_md5_response_sig"].GetArray()) {
    SCOPED_TRACE(Str(v, "name"));
    auto signer = Signer::Create(Str(v, "key"));
    ASSERT_TRUE(signer.ok());
    const std::string ret = std::to_string(v["Ret"].GetInt());
    EXPECT_EQ(signer->Sign({ret, Str(v, "Msg"), Str(v, "Data")}), Str(v, "sig"));
    // The vector's Data is a query_token answer under the same key used as DataSecret and IV.
    auto cipher = DataCipher::Create(Str(v, "key"), Str(v, "key"));
    std::string json;
    ASSERT_TRUE(cipher->Decrypt(Str(v, "Data"), json).ok());
    auto token = DecodeData<TokenResponse>(json);
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_EQ(token->operator_id, "123456789");
    EXPECT_EQ(token->access_token, "tok");
    EXPECT_EQ(token->token_available_time, 7200);
  }
}

TEST(Signer, AcceptsLowerCaseHexAndRefusesEverythingElse) {
  auto signer = Signer::Create("1234567890abcdef");
  const std::string sig = signer->Sign({"a", "b"});
  EXPECT_EQ(sig.size(), 32u);
  std::string lower = sig;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_TRUE(signer->Verify({"a", "b"}, lower));
  EXPECT_TRUE(signer->Verify({"ab"}, sig));  // the MAC covers the concatenation
  EXPECT_FALSE(signer->Verify({"a", "c"}, sig));
  EXPECT_FALSE(signer->Verify({"a", "b"}, sig.substr(0, 31)));
  EXPECT_FALSE(signer->Verify({"a", "b"}, sig + "0"));
  std::string flipped = sig;
  flipped[31] = flipped[31] == '0' ? '1' : '0';
  EXPECT_FALSE(signer->Verify({"a", "b"}, flipped));
  EXPECT_FALSE(Signer::Create("").ok());
}

TEST(DataCipher, KeyAndIvMustBe16Bytes) {
  EXPECT_EQ(DataCipher::Create("short", "1234567890abcdef").status().message(), "DataSecret: must be exactly 16 bytes");
  EXPECT_EQ(DataCipher::Create("1234567890abcdef", "1234567890abcdefX").status().message(),
            "DataSecretIV: must be exactly 16 bytes");
}

class UniformError : public ::testing::Test {
 protected:
  DataCipher cipher_ = *DataCipher::Create("1234567890abcdef", "1234567890abcdef");
  std::string good_ = cipher_.Encrypt(R"({"taskID":"1","regulationID":"r","status":1})");

  Status Decrypt(const std::string& data) {
    std::string out;
    return cipher_.Decrypt(data, out);
  }
};

TEST_F(UniformError, EveryFailureLooksTheSame) {
  const Status expected = UndecryptableData();
  EXPECT_EQ(RetFor(expected), Ret::kInvalid);

  std::string bad_padding = good_;
  {  // Flip a bit of the second-to-last block: the last block's padding decrypts to garbage.
    auto raw = *Base64Decode(good_);
    raw[raw.size() - 17] = static_cast<char>(raw[raw.size() - 17] ^ 0x01);
    bad_padding = Base64Encode(raw);
  }
  const auto wrong_key = *DataCipher::Create("fedcba0987654321", "1234567890abcdef");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"truncated base64", good_.substr(0, good_.size() - 3)},
      {"not a multiple of 16 bytes", Base64Encode(std::string(15, 'x'))},
      {"characters outside the alphabet", good_.substr(0, 8) + "-_" + good_.substr(10)},
      {"line break", good_.substr(0, 8) + "\n" + good_.substr(8)},
      {"padding in the middle", "AAAA=AAA"},
      {"bad padding", bad_padding},
      {"wrong key", wrong_key.Encrypt("{\"a\":1}")},
  };
  for (const auto& [name, data] : cases) {
    EXPECT_EQ(Decrypt(data), expected) << name;
  }
  EXPECT_TRUE(Decrypt(good_).ok());
}

TEST(Base64, StrictStandardAlphabet) {
  EXPECT_EQ(Base64Encode(std::string_view("")), "");
  EXPECT_EQ(Base64Encode(std::string_view("f")), "Zg==");
  EXPECT_EQ(Base64Encode(std::string_view("fo")), "Zm8=");
  EXPECT_EQ(Base64Encode(std::string_view("foo")), "Zm9v");
  EXPECT_EQ(*Base64Decode("Zg=="), "f");
  EXPECT_EQ(*Base64Decode("Zm8="), "fo");
  EXPECT_EQ(*Base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(*Base64Decode("+/+/"), "\xfb\xff\xbf");
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "=Zm9"}) {
    EXPECT_FALSE(Base64Decode(bad).ok()) << bad;
  }
  // A long text has no line breaks (OpenSSL's BIO base64 would add them every 64 characters).
  EXPECT_EQ(Base64Encode(std::string(1000, 'x')).find('\n'), std::string::npos);
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(HmacKey, Sha256MatchesRfc4231Case2) {
  auto key = HmacKey::Create(HmacKey::Digest::kSha256, "Jefe");
  EXPECT_EQ(HexEncode(key->Mac({"what do ya want ", "for nothing?"}), false),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacKey, StreamedMacEqualsTheOneShotMac) {
  auto key = HmacKey::Create(HmacKey::Digest::kSha256, "Jefe");
  MacStream stream = key->Begin();
  stream.Update("what do ");
  stream.Update("");
  stream.Update("ya want for nothing?");
  EXPECT_EQ(HexEncode(stream.Final(), false), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signer, StreamedSignAndVerify) {
  auto signer = *Signer::Create("FEDCBA9876543210FEDCBA9876543210");
  const std::string sig = signer.Sign({"123456789", "payload", "20261123090000", "0001"});
  auto fed = [&] {
    MacStream m = signer.Begin();
    m.Update("123456789");
    m.Update("pay");
    m.Update("load20261123090000");
    m.Update("0001");
    return m;
  };
  MacStream a = fed();
  EXPECT_EQ(Signer::Finish(a), sig);
  MacStream b = fed();
  EXPECT_TRUE(Signer::Matches(b, sig));
  std::string lower = sig;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  MacStream c = fed();
  EXPECT_TRUE(Signer::Matches(c, lower));
  std::string wrong = sig;
  wrong[5] = wrong[5] == '0' ? '1' : '0';
  for (const std::string& bad : {wrong, sig.substr(0, 31), sig + "0", std::string()}) {
    MacStream m = fed();
    EXPECT_FALSE(Signer::Matches(m, bad)) << bad;
  }
}

// Sizes around the 12 KiB pieces the cipher works in, and several pieces long.
std::vector<std::string> PieceSizedTexts() {
  std::vector<std::string> texts;
  for (std::size_t n : {0, 1, 15, 16, 47, 48, 12271, 12272, 12287, 12288, 12289, 24576, 24577, 100003}) {
    std::string t(n, '\0');
    for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
    texts.push_back(std::move(t));
  }
  return texts;
}

TEST(DataCipher, EncryptAppendEqualsEncryptAndMacsWhatItAppends) {
  const auto cipher = *DataCipher::Create("1234567890abcdef", "1234567890abcdef");
  const auto key = *HmacKey::Create(HmacKey::Digest::kMd5, "sig");
  for (const std::string& text : PieceSizedTexts()) {
    SCOPED_TRACE(text.size());
    std::string out = "prefix:";
    MacStream mac = key.Begin();
    cipher.EncryptAppend(text, out, mac);
    const std::string expected = cipher.Encrypt(text);
    EXPECT_EQ(out, "prefix:" + expected);
    EXPECT_EQ(mac.Final(), key.Mac({expected}));
  }
}

TEST(DataCipher, DecodeSignedThenDecryptDecodedEqualsDecrypt) {
  const auto cipher = *DataCipher::Create("1234567890abcdef", "1234567890abcdef");
  const auto key = *HmacKey::Create(HmacKey::Digest::kMd5, "sig");
  for (const std::string& text : PieceSizedTexts()) {
    SCOPED_TRACE(text.size());
    const std::string data = cipher.Encrypt(text);
    std::string out;
    MacStream mac = key.Begin();
    ASSERT_TRUE(DataCipher::DecodeSigned(data, mac, out));
    EXPECT_EQ(mac.Final(), key.Mac({data}));
    ASSERT_TRUE(cipher.DecryptDecoded(out).ok());
    EXPECT_EQ(out, text);
    EXPECT_GE(out.capacity() - out.size(), kJsonPadding);
  }
}

TEST(DataCipher, DecodeSignedRefusesBadBase64InAnyPieceButStillMacsAllOfIt) {
  const auto cipher = *DataCipher::Create("1234567890abcdef", "1234567890abcdef");
  const auto key = *HmacKey::Create(HmacKey::Digest::kMd5, "sig");
  const std::string good = cipher.Encrypt(std::string(40000, 'x'));  // four pieces of base64
  ASSERT_GT(good.size(), 3 * 16384u);
  std::string outside = good;
  outside[20000] = '-';
  std::string padding_inside = good;
  padding_inside[16383] = '=';  // the end of the first piece: padding only ends the whole text
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"empty", ""},
      {"outside the alphabet in the second piece", outside},
      {"'=' ending a piece that is not the last", padding_inside},
      {"not a multiple of 4", good.substr(0, good.size() - 1)},
      {"not a whole number of blocks", Base64Encode(std::string(16385, 'x'))},
  };
  for (const auto& [name, data] : cases) {
    std::string out = "stale";
    MacStream mac = key.Begin();
    EXPECT_FALSE(DataCipher::DecodeSigned(data, mac, out)) << name;
    EXPECT_TRUE(out.empty()) << name;
    EXPECT_EQ(mac.Final(), key.Mac({data})) << name;
  }
  // Decoded fine but not decryptable (wrong key): the uniform error.
  const auto wrong_key = *DataCipher::Create("fedcba0987654321", "1234567890abcdef");
  std::string out;
  MacStream mac = key.Begin();
  ASSERT_TRUE(DataCipher::DecodeSigned(good, mac, out));
  EXPECT_EQ(wrong_key.DecryptDecoded(out), UndecryptableData());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace vgi::proto
