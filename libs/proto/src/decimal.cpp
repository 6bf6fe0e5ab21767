#include "vgi/proto/decimal.hpp"

namespace vgi::proto::detail {
namespace {

// `mag` as whole.fraction with `scale` fraction digits (`unit` = 10^scale). Inlined where the
// scale is a constant, the divisions by `unit` become multiplications (numbers are a tenth of
// the time to encode a model page).
[[gnu::always_inline]] inline std::size_t FormatMagnitude(std::uint64_t mag, bool negative, std::uint64_t unit,
                                                          int scale, char* out) {
  char* p = out;
  if (negative) *p++ = '-';
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

template <int kScale>
std::size_t FormatScaled(std::uint64_t mag, bool negative, char* out) {
  return FormatMagnitude(mag, negative, static_cast<std::uint64_t>(Pow10(kScale)), kScale, out);
}

}  // namespace

std::size_t FormatFixed(std::int64_t units, int scale, char* out) {
  // Work in unsigned so INT64_MIN negates safely.
  const bool negative = units < 0;
  const std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(units) : static_cast<std::uint64_t>(units);
  switch (scale) {
    case 0: return FormatScaled<0>(mag, negative, out);
    case 1: return FormatScaled<1>(mag, negative, out);
    case 2: return FormatScaled<2>(mag, negative, out);
    case 3: return FormatScaled<3>(mag, negative, out);
    case 4: return FormatScaled<4>(mag, negative, out);
    case 5: return FormatScaled<5>(mag, negative, out);
    case 6: return FormatScaled<6>(mag, negative, out);
    case 7: return FormatScaled<7>(mag, negative, out);
    case 8: return FormatScaled<8>(mag, negative, out);
    case 9: return FormatScaled<9>(mag, negative, out);
    default: return FormatMagnitude(mag, negative, static_cast<std::uint64_t>(Pow10(scale)), scale, out);
  }
}

}  // namespace vgi::proto::detail
