#include "vgi/proto/keys.hpp"

#include "chars.hpp"

#include <algorithm>

namespace vgi::proto {
namespace {

Status CheckHexSecret(std::string_view name, std::string_view value) {
  if ((value.size() != 32 && value.size() != 48 && value.size() != 64) || !chars::AllHex(value, /*upper_only=*/true)) {
    return Status::Invalid(std::string(name) + ": must be 32, 48 or 64 characters of 0-9 and A-F");
  }
  return Status::Ok();
}

Status CheckPeerSecret(std::string_view name, std::string_view value) {
  if (value.empty() || value.size() > 128) {
    return Status::Invalid(std::string(name) + ": must be 1 to 128 bytes");
  }
  return Status::Ok();
}

constexpr std::string_view kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

Status ValidateKeySet(const KeySet& keys, KeyPolicy policy) {
  if (policy == KeyPolicy::kIssued) {
    VGI_RETURN_IF_ERROR(CheckHexSecret("OperatorSecret", keys.operator_secret));
    VGI_RETURN_IF_ERROR(CheckHexSecret("SigSecret", keys.sig_secret));
    if (keys.data_secret.size() != 16 || !chars::AllAlnum(keys.data_secret)) {
      return Status::Invalid("DataSecret: must be 16 characters of 0-9, A-Z and a-z");
    }
    if (keys.data_iv.size() != 16 || !chars::AllAlnum(keys.data_iv)) {
      return Status::Invalid("DataSecretIV: must be 16 characters of 0-9, A-Z and a-z");
    }
  } else {
    VGI_RETURN_IF_ERROR(CheckPeerSecret("OperatorSecret", keys.operator_secret));
    VGI_RETURN_IF_ERROR(CheckPeerSecret("SigSecret", keys.sig_secret));
    if (keys.data_secret.size() != 16) return Status::Invalid("DataSecret: must be exactly 16 bytes");
    if (keys.data_iv.size() != 16) return Status::Invalid("DataSecretIV: must be exactly 16 bytes");
  }
  // One secret doing two jobs would let a leak of either break both encryption and signatures.
  if (keys.data_secret == keys.sig_secret || keys.sig_secret.starts_with(keys.data_secret)) {
    return Status::Invalid("SigSecret: must differ from DataSecret (and not start with it)");
  }
  return Status::Ok();
}

KeySet GenerateKeySet(RandomSource& random) {
  KeySet k;
  k.operator_secret = RandomString(random, 64, "0123456789ABCDEF");
  k.data_secret = RandomString(random, 16, kAlnum);
  k.data_iv = RandomString(random, 16, kAlnum);
  k.sig_secret = RandomString(random, 64, "0123456789ABCDEF");
  return k;
}

bool IsOperatorId(std::string_view id) { return id.size() == 9 && chars::AllUpperAlnum(id); }

Result<PreparedKeys> PreparedKeys::Create(const KeySet& keys) {
  auto cipher = DataCipher::Create(keys.data_secret, keys.data_iv);
  if (!cipher.ok()) return cipher.status();
  auto signer = Signer::Create(keys.sig_secret);
  if (!signer.ok()) return signer.status();
  return PreparedKeys(*cipher, std::move(signer).value(), keys.operator_secret);
}

bool PreparedKeys::CheckOperatorSecret(std::string_view candidate) const {
  return !operator_secret_.empty() && ConstantTimeEquals(operator_secret_, candidate);
}

}  // namespace vgi::proto
