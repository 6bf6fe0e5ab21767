#include "vgi/proto/civil_time.hpp"

namespace vgi::proto {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;

// Floor division for negative counts too.
constexpr std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Years outside this range are refused: they are never real protocol times, and beyond ~2262 an
// instant no longer fits the clock's 64-bit nanosecond count (found by fuzzing).
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2199;

std::optional<std::int32_t> DaysOf(int y, int m, int d) {
  if (y < kMinYear || y > kMaxYear) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<std::int32_t>(sys_days(ymd).time_since_epoch().count());
}

void Put(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Writes yyyy?MM?dd into out using `sep` between parts (or none when sep == 0); returns length.
std::size_t PutDate(BeijingDate d, char sep, char* out) {
  const std::chrono::year_month_day ymd{sys_days{days{d.days}}};
  std::size_t n = 0;
  Put(out, static_cast<int>(ymd.year()), 4);
  n = 4;
  if (sep != 0) out[n++] = sep;
  Put(out + n, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  n += 2;
  if (sep != 0) out[n++] = sep;
  Put(out + n, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  return n + 2;
}

}  // namespace

BeijingMinute ToBeijingMinute(SystemTime t) {
  const auto m = std::chrono::floor<minutes>(t + kBeijingOffset);
  return BeijingMinute{m.time_since_epoch().count()};
}

SystemTime ToSystemTime(BeijingMinute m) {
  return SystemTime(minutes(m.minutes) - kBeijingOffset);
}

BeijingDate DateOf(BeijingMinute m) {
  return BeijingDate{static_cast<std::int32_t>(FloorDiv(m.minutes, kMinutesPerDay))};
}

BeijingMinute StartOf(BeijingDate d) { return BeijingMinute{std::int64_t{d.days} * kMinutesPerDay}; }

int MinuteOfDay(BeijingMinute m) {
  return static_cast<int>(m.minutes - FloorDiv(m.minutes, kMinutesPerDay) * kMinutesPerDay);
}

BeijingMinute StartWithinOneDay(BeijingMinute m, int minutes) {
  const int of_day = MinuteOfDay(m);
  if (of_day + minutes <= kMinutesPerDay) return m;
  return BeijingMinute{m.minutes - of_day + kMinutesPerDay};
}

std::optional<BeijingDate> ParseDate(std::string_view s) {
  int y = 0, mo = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, y) || !Digits(s, 5, 2, mo) ||
      !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  auto days_count = DaysOf(y, mo, d);
  if (!days_count) return std::nullopt;
  return BeijingDate{*days_count};
}

std::optional<BeijingMinute> ParseMinute(std::string_view s) {
  int h = 0, mi = 0;
  if (s.size() != 16 || s[10] != ' ' || s[13] != ':' || !Digits(s, 11, 2, h) || !Digits(s, 14, 2, mi) ||
      h > 23 || mi > 59) {
    return std::nullopt;
  }
  auto date = ParseDate(s.substr(0, 10));
  if (!date) return std::nullopt;
  return BeijingMinute{StartOf(*date).minutes + h * 60 + mi};
}

void FormatMinute(BeijingMinute m, char* out) {
  PutDate(DateOf(m), '-', out);
  const int mod = MinuteOfDay(m);
  out[10] = ' ';
  Put(out + 11, mod / 60, 2);
  out[13] = ':';
  Put(out + 14, mod % 60, 2);
}

std::string FormatMinute(BeijingMinute m) {
  char buf[16];
  FormatMinute(m, buf);
  return std::string(buf, 16);
}

std::string FormatDate(BeijingDate d) {
  char buf[10];
  return std::string(buf, PutDate(d, '-', buf));
}

std::optional<SystemTime> ParseTimeStamp(std::string_view s) {
  if (s.size() < 14 || s.size() > 17) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  Digits(s, 0, 4, y);
  Digits(s, 4, 2, mo);
  Digits(s, 6, 2, d);
  Digits(s, 8, 2, h);
  Digits(s, 10, 2, mi);
  Digits(s, 12, 2, sec);
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  auto day_count = DaysOf(y, mo, d);
  if (!day_count) return std::nullopt;
  return SystemTime(days(*day_count)) + std::chrono::hours(h) + minutes(mi) + std::chrono::seconds(sec) -
         kBeijingOffset;
}

std::string FormatTimeStamp(SystemTime t) {
  const auto local = std::chrono::floor<std::chrono::seconds>(t + kBeijingOffset);
  const auto day_point = std::chrono::floor<days>(local);
  const std::int64_t sod = (local - day_point).count();
  char buf[14];
  PutDate(BeijingDate{static_cast<std::int32_t>(day_point.time_since_epoch().count())}, 0, buf);
  Put(buf + 8, static_cast<int>(sod / 3600), 2);
  Put(buf + 10, static_cast<int>(sod / 60 % 60), 2);
  Put(buf + 12, static_cast<int>(sod % 60), 2);
  return std::string(buf, 14);
}

}  // namespace vgi::proto
