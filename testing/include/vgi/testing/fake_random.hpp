#pragma once
// FakeRandom: a deterministic RandomSource (splitmix64) so generated secrets are reproducible.

#include <cstdint>
#include <mutex>

#include "vgi/base/random.hpp"

namespace vgi::testing {

class FakeRandom final : public RandomSource {
 public:
  explicit FakeRandom(std::uint64_t seed = 42) : state_(seed) {}
  void Fill(std::span<std::uint8_t> out) override;

 private:
  std::mutex mu_;
  std::uint64_t state_;
};

}  // namespace vgi::testing
