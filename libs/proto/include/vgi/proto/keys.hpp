#pragma once
// Key sets (seed 5.4.1, 5.5.1): the identity and four secrets one side issues to the other.
//
// The requester always uses the responder's keys, so per peer the grid keeps two sets:
// inbound (issued by the grid; the operator calls the grid with them) and outbound (issued by
// the operator; the grid calls the operator with them).

#include <memory>
#include <string>
#include <string_view>

#include "vgi/base/random.hpp"
#include "vgi/base/status.hpp"
#include "vgi/proto/crypto.hpp"

namespace vgi::proto {

struct KeySet {
  std::string operator_secret;  // obtains a token only
  std::string data_secret;      // AES-128 key, 16 bytes
  std::string data_iv;          // AES IV, 16 bytes
  std::string sig_secret;       // HMAC-MD5 key
  friend bool operator==(const KeySet&, const KeySet&) = default;
};

enum class KeyPolicy {
  // What vgi issues: OperatorSecret and SigSecret 32/48/64 upper-case hex (0-F), DataSecret and
  // DataSecretIV 16 characters of [0-9A-Za-z].
  kIssued,
  // What vgi accepts from a peer: OperatorSecret and SigSecret 1..128 bytes (the seed's own
  // examples use a 16-character SigSecret), DataSecret and DataSecretIV exactly 16 bytes.
  kPeer,
};

// Checks the forms above and that DataSecret differs from SigSecret. The message names the
// secret and the rule, never the secret's value.
Status ValidateKeySet(const KeySet& keys, KeyPolicy policy);

// Fresh strong secrets under KeyPolicy::kIssued: 64 hex OperatorSecret and SigSecret (256 bits),
// 16-character DataSecret and DataSecretIV from [0-9A-Za-z] (about 95 bits each; the seed's Java
// reference takes them as 16-character strings, so they stay printable).
KeySet GenerateKeySet(RandomSource& random);

// OperatorID: 9 characters of [0-9A-Z] (characters 9-17 of the unified social credit code).
bool IsOperatorId(std::string_view id);

// The crypto of one key set, prepared once. Thread-safe; cheap to copy.
class PreparedKeys {
 public:
  static Result<PreparedKeys> Create(const KeySet& keys);

  [[nodiscard]] const DataCipher& cipher() const { return cipher_; }
  [[nodiscard]] const Signer& signer() const { return signer_; }
  // Constant-time comparison with the OperatorSecret.
  [[nodiscard]] bool CheckOperatorSecret(std::string_view candidate) const;

 private:
  PreparedKeys(DataCipher cipher, Signer signer, std::string operator_secret)
      : cipher_(cipher), signer_(std::move(signer)), operator_secret_(std::move(operator_secret)) {}
  DataCipher cipher_;
  Signer signer_;
  std::string operator_secret_;
};

}  // namespace vgi::proto
