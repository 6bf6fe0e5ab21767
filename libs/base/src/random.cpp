#include "vgi/base/random.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

namespace vgi {
namespace {

class SystemRandom final : public RandomSource {
 public:
  void Fill(std::span<std::uint8_t> out) override {
    if (out.empty()) return;
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
      std::fputs("vgi: the system random generator failed; refusing to continue\n", stderr);
      std::abort();
    }
  }
};

}  // namespace

RandomSource& RandomSource::System() {
  static SystemRandom random;
  return random;
}

std::string RandomString(RandomSource& random, std::size_t length, std::string_view alphabet) {
  std::string out;
  out.reserve(length);
  const std::size_t n = alphabet.size();
  // Reject bytes at or above the largest multiple of n so every character is equally likely.
  const std::size_t limit = (std::numeric_limits<std::uint8_t>::max() + 1) / n * n;
  std::uint8_t buf[64];
  while (out.size() < length) {
    random.Fill(buf);
    for (std::uint8_t b : buf) {
      if (b < limit && out.size() < length) out.push_back(alphabet[b % n]);
    }
  }
  return out;
}

}  // namespace vgi
