#pragma once
// RandomSource: where secrets and identifiers get their randomness, so tests can make it
// deterministic (testing/include/vgi/testing/fake_random.hpp).
//
// Thread safety: implementations must be safe to call from any thread.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace vgi {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes. The system source is cryptographically strong.
  virtual void Fill(std::span<std::uint8_t> out) = 0;

  // OpenSSL's CSPRNG (RAND_bytes); aborts the process if it cannot be seeded, because
  // continuing with weak secrets is worse than stopping.
  static RandomSource& System();
};

// `length` characters drawn uniformly from `alphabet` (no modulo bias).
std::string RandomString(RandomSource& random, std::size_t length, std::string_view alphabet);

}  // namespace vgi
