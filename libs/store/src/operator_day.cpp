// Operator-day sums (store.hpp OperatorDay): computing them from station-days, and their stored
// form, shared by the SQLite and PostgreSQL stores.
#include <algorithm>
#include <type_traits>

#include "record_codec.hpp"

namespace vgi::store {

OperatorDay SumStationDays(std::string_view operator_id, proto::BeijingDate day, std::span<const StationDay> days) {
  constexpr auto kSlots = static_cast<std::size_t>(kMinutesPerDay);
  OperatorDay out;
  out.operator_id = operator_id;
  out.day = day;
  for (const StationDay& d : days) {
    if (d.day != day || d.centi_kw.size() != kSlots) continue;
    ++out.stations;
    const std::int64_t top = d.adjust_top_power.units();
    const std::int64_t bottom = d.adjust_bottom_power.units();
    const bool full = d.present.all();  // the common case: a branch-free loop that vectorizes
    for (std::size_t m = 0; m < kSlots; ++m) {
      // A minute without data adds no load and, like a stale reading, no potential.
      const std::int64_t here = full || d.present.test(m) ? 1 : 0;
      const std::int64_t load = here * d.centi_kw[m];
      out.load[m] += load;
      out.down[m] += here * std::max<std::int64_t>(load - bottom, 0);
      out.up[m] += here * std::max<std::int64_t>(top - load, 0);
      out.present[m] += static_cast<std::int32_t>(here);
    }
  }
  return out;
}

namespace record {
namespace {

// Little-endian whatever the host (compilers turn these loops into plain moves on x86).
template <class T>
void PutArray(const std::vector<T>& values, char*& p) {
  for (const T v : values) {
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (std::size_t b = 0; b < sizeof(T); ++b, u >>= 8) *p++ = static_cast<char>(u & 0xff);
  }
}

template <class T>
T GetOne(const char*& p) {
  std::make_unsigned_t<T> u = 0;
  for (std::size_t b = 0; b < sizeof(T); ++b) {
    u |= static_cast<std::make_unsigned_t<T>>(static_cast<unsigned char>(*p++)) << (8 * b);
  }
  return static_cast<T>(u);
}

template <class T>
void GetArray(const char*& p, std::vector<T>& values) {
  values.resize(static_cast<std::size_t>(kMinutesPerDay));
  for (T& v : values) v = GetOne<T>(p);
}

}  // namespace

std::string EncodeOperatorDay(const OperatorDay& day) {
  std::string out(kOperatorDayBytes, '\0');
  char* p = out.data();
  PutArray(std::vector<std::int32_t>{day.stations}, p);
  PutArray(day.load, p);
  PutArray(day.down, p);
  PutArray(day.up, p);
  PutArray(day.present, p);
  return out;
}

bool DecodeOperatorDay(std::string_view bytes, OperatorDay& day) {
  if (bytes.size() != kOperatorDayBytes) return false;
  const char* p = bytes.data();
  day.stations = GetOne<std::int32_t>(p);
  GetArray(p, day.load);
  GetArray(p, day.down);
  GetArray(p, day.up);
  GetArray(p, day.present);
  return true;
}

Status CheckDayRange(proto::BeijingDate from, proto::BeijingDate to) {
  if (to < from) return Status::Invalid("to: " + proto::FormatDate(to) + " is before from " + proto::FormatDate(from));
  if (to.days - from.days > kMaxDayRange) {
    return Status::Invalid("to: at most " + std::to_string(kMaxDayRange) + " days after from (" +
                           proto::FormatDate(from) + ")");
  }
  return Status::Ok();
}

Result<std::vector<proto::BeijingDate>> SortedDays(std::span<const proto::BeijingDate> days) {
  std::vector<proto::BeijingDate> out(days.begin(), days.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() > static_cast<std::size_t>(kMaxDayRange)) {
    return Status::Invalid("days: at most " + std::to_string(kMaxDayRange) + " in one call, got " +
                           std::to_string(out.size()));
  }
  return out;
}

}  // namespace record
}  // namespace vgi::store
