#pragma once
// Decimal<Scale>: exact fixed-point numbers for the protocol's quantities.
//
// The seed fixes each quantity's precision (kW with 2 decimals, V and A with 1, coordinates
// with 6). Holding them as integer units keeps sums, comparisons and settlement exact and makes
// "30.00" come out as written. Values arrive as JSON doubles; FromDouble accepts a value whose
// extra digits are only binary noise (25.450000000000003) and refuses one with real extra
// precision (25.456), so strict validation does not punish a peer's float formatting.

#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vgi::proto {

namespace detail {
constexpr std::int64_t Pow10(int n) { return n == 0 ? 1 : 10 * Pow10(n - 1); }
// Writes the decimal text of units/10^scale with exactly `scale` decimals; returns the length.
// `out` needs room for 32 characters.
std::size_t FormatFixed(std::int64_t units, int scale, char* out);
}  // namespace detail

template <int Scale>
class Decimal {
 public:
  static_assert(Scale >= 0 && Scale <= 9);
  static constexpr int kScale = Scale;
  static constexpr std::int64_t kUnit = detail::Pow10(Scale);
  // Largest magnitude accepted from a double; keeps every value exact in a double and in int64.
  static constexpr double kMaxMagnitude = 1e15 / static_cast<double>(kUnit);

  constexpr Decimal() = default;
  static constexpr Decimal FromUnits(std::int64_t units) {
    Decimal d;
    d.units_ = units;
    return d;
  }
  static constexpr Decimal FromInt(std::int64_t whole) { return FromUnits(whole * kUnit); }

  // The exact decimal for `value`, or nullopt when it is not finite, too large, or has more
  // than Scale decimals beyond binary noise (1e-6 of the last place; a double's own noise at
  // kMaxMagnitude is below 1e-6 of a unit).
  static std::optional<Decimal> FromDouble(double value) {
    if (!std::isfinite(value) || std::fabs(value) > kMaxMagnitude) return std::nullopt;
    const double scaled = value * static_cast<double>(kUnit);
    const double rounded = std::nearbyint(scaled);
    if (std::fabs(scaled - rounded) > 1e-6) return std::nullopt;
    return FromUnits(static_cast<std::int64_t>(rounded));
  }

  // Decimal text such as "25.45", "-3", "1e2" (used for field-encrypted numbers and the CLI).
  static std::optional<Decimal> Parse(std::string_view text) {
    double v = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return FromDouble(v);
  }

  [[nodiscard]] constexpr std::int64_t units() const { return units_; }
  [[nodiscard]] double ToDouble() const {
    return static_cast<double>(units_) / static_cast<double>(kUnit);
  }
  // Exactly Scale decimals: "30.00", "-0.50", "116.397128".
  [[nodiscard]] std::string ToString() const {
    char buf[32];
    return std::string(buf, Format(buf));
  }
  // Same as ToString into `out` (room for 32 characters); returns the length.
  std::size_t Format(char* out) const { return detail::FormatFixed(units_, Scale, out); }

  friend constexpr auto operator<=>(const Decimal&, const Decimal&) = default;
  friend constexpr Decimal operator+(Decimal a, Decimal b) { return FromUnits(a.units_ + b.units_); }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return FromUnits(a.units_ - b.units_); }
  friend constexpr Decimal operator-(Decimal a) { return FromUnits(-a.units_); }

 private:
  std::int64_t units_ = 0;
};

using Kilowatts = Decimal<2>;      // power, kW
using KilowattHours = Decimal<2>;  // energy, kWh
using Volts = Decimal<1>;
using Amperes = Decimal<1>;
using Degrees = Decimal<6>;        // GCJ-02 longitude/latitude
using Yuan = Decimal<2>;           // money
using YuanPerKwh = Decimal<4>;     // price

}  // namespace vgi::proto
