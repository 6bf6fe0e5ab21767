#pragma once
// Beijing civil time (UTC+8, no daylight saving): every time on the wire is in it.
//
// BeijingMinute and BeijingDate are plain counts since 1970-01-01 00:00 Beijing time, so a
// station-day's minute slot is `minute - StartOf(date)`. Parsing is strict: the exact form
// (`yyyy-MM-dd HH:mm`, `yyyy-MM-dd`, `yyyyMMddHHmmss`), a real calendar day, and a year in
// 1900..2199 (so every parsed time converts to a SystemTime without overflow).

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vgi/base/clock.hpp"

namespace vgi::proto {

inline constexpr std::chrono::hours kBeijingOffset{8};
inline constexpr int kMinutesPerDay = 1440;

struct BeijingMinute {
  std::int64_t minutes = 0;  // since 1970-01-01 00:00 Beijing time
  friend auto operator<=>(const BeijingMinute&, const BeijingMinute&) = default;
};

struct BeijingDate {
  std::int32_t days = 0;  // since 1970-01-01 (Beijing)
  friend auto operator<=>(const BeijingDate&, const BeijingDate&) = default;
};

// The minute an instant falls in (floored).
BeijingMinute ToBeijingMinute(SystemTime t);
// The instant a Beijing minute starts.
SystemTime ToSystemTime(BeijingMinute m);
BeijingDate DateOf(BeijingMinute m);
BeijingMinute StartOf(BeijingDate d);
// 0..1439.
int MinuteOfDay(BeijingMinute m);
// `m`, or the next midnight when a window of `minutes` (1..1440) from `m` would run past the end
// of m's day: for windows that may not cross midnight (a demand's, one per day).
BeijingMinute StartWithinOneDay(BeijingMinute m, int minutes);

// "yyyy-MM-dd HH:mm", exactly 16 characters, a real date, 00:00..23:59.
std::optional<BeijingMinute> ParseMinute(std::string_view text);
// "yyyy-MM-dd", exactly 10 characters, a real date.
std::optional<BeijingDate> ParseDate(std::string_view text);
std::string FormatMinute(BeijingMinute m);
// Writes exactly 16 characters to `out`.
void FormatMinute(BeijingMinute m, char* out);
std::string FormatDate(BeijingDate d);

// The envelope TimeStamp: 14 to 17 digits whose first 14 are yyyyMMddHHmmss Beijing time
// (the seed's own signature example has 16). Returns the instant of those 14 digits.
std::optional<SystemTime> ParseTimeStamp(std::string_view digits);
// 14 digits, Beijing time, floored to the second.
std::string FormatTimeStamp(SystemTime t);

}  // namespace vgi::proto
