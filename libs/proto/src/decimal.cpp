#include "vgi/proto/decimal.hpp"

namespace vgi::proto::detail {

std::size_t FormatFixed(std::int64_t units, int scale, char* out) {
  char* p = out;
  // Work in unsigned so INT64_MIN negates safely.
  std::uint64_t mag = units < 0 ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  if (units < 0) *p++ = '-';
  const auto unit = static_cast<std::uint64_t>(Pow10(scale));
  auto [end, ec] = std::to_chars(p, p + 21, mag / unit);
  (void)ec;  // 21 characters always suffice for a uint64
  p = end;
  if (scale > 0) {
    *p++ = '.';
    std::uint64_t frac = mag % unit;
    for (int i = scale - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    p += scale;
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace vgi::proto::detail
