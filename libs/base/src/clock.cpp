#include "vgi/base/clock.hpp"

namespace vgi {
namespace {

class SystemClock final : public Clock {
 public:
  [[nodiscard]] SystemTime Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace

const Clock& Clock::System() {
  static const SystemClock clock;
  return clock;
}

}  // namespace vgi
