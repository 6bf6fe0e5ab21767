#pragma once
// Private: a small deterministic PRNG (xoshiro256**, seeded through splitmix64) and the few
// distributions the simulator needs. Written out rather than taken from <random> so a seed gives
// the same fleet and the same curves with any standard library.

#include <cmath>
#include <cstdint>

namespace vgi::sim {

// Mixes two values into a seed (splitmix64 finaliser); used to derive per-operator, per-station
// streams from the fleet seed.
inline std::uint64_t MixSeed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) {
    std::uint64_t x = seed;
    for (auto& s : s_) {
      x += 0x9E3779B97F4A7C15ULL;
      s = MixSeed(x, 0);
    }
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // lo..hi inclusive.
  int UniformInt(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(Next() % span);  // span is tiny: the modulo bias is negligible
  }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Poisson(lambda): Knuth's method for the small rates of arrivals per minute, a rounded normal
  // approximation above 30.
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      const double u1 = Uniform() + 1e-300, u2 = Uniform();
      const double z = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
      const double v = std::round(lambda + std::sqrt(lambda) * z);
      return v < 0 ? 0 : static_cast<int>(v);
    }
    const double limit = std::exp(-lambda);
    int k = 0;
    double p = Uniform();
    while (p > limit) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace vgi::sim
