// The store's binary encoding of a Station (stakes included), declared in record_codec.hpp.
//
// Why not the protocol's JSON: a station with 10 stakes is ~4.3 KB of JSON (long key names) and
// ~0.9 KB here, so a 30 000-station model is ~30 MB instead of ~130 MB to seal, write, sync and
// read back, and it stays inside its b-tree leaf instead of spilling to overflow pages. Every
// field is written, in declaration order; the leading tag names the format, so a later format
// can be read beside this one.
//
// Integers are LEB128 varints (signed ones zigzag-mapped); strings are a varint length and the
// bytes; an optional is a 0/1 byte and then the value.
#include <cstring>

#include "record_codec.hpp"

namespace vgi::store::record {
namespace {

constexpr char kStationTag[2] = {'S', 1};
constexpr char kListTag[2] = {'L', 1};

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void U(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I(std::int64_t v) { U((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
  void B(bool v) { out_.push_back(v ? 1 : 0); }
  void S(std::string_view s) {
    U(s.size());
    out_.append(s);
  }
  template <class E>
  void Enum(E e) {
    I(static_cast<std::int64_t>(e));
  }
  template <class T, class F>
  void Opt(const std::optional<T>& v, F&& put) {
    B(v.has_value());
    if (v) put(*v);
  }
  void Raw(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool done() const { return p_ == end_; }
  [[nodiscard]] const char* pos() const { return p_; }

  std::uint64_t U() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      const auto b = static_cast<std::uint8_t>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  std::int64_t I() {
    const std::uint64_t u = U();
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  bool B() {
    if (p_ == end_) return Fail() != 0;
    const char c = *p_++;
    if (c != 0 && c != 1) Fail();
    return c == 1;
  }
  std::string_view View() {
    const std::uint64_t n = U();
    if (!ok_ || n > static_cast<std::uint64_t>(end_ - p_)) {
      Fail();
      return {};
    }
    std::string_view s(p_, static_cast<std::size_t>(n));
    p_ += n;
    return s;
  }
  std::string S() { return std::string(View()); }
  template <class E>
  E En() {
    return static_cast<E>(I());
  }
  bool Tag(const char (&tag)[2]) {
    if (end_ - p_ < 2 || p_[0] != tag[0] || p_[1] != tag[1]) return Fail() != 0;
    p_ += 2;
    return true;
  }
  template <class T, class F>
  std::optional<T> Opt(F&& get) {
    if (!B()) return std::nullopt;
    return get();
  }
  // A count of items that each take at least one byte: more than remain is corruption.
  std::size_t Count() {
    const std::uint64_t n = U();
    if (n > static_cast<std::uint64_t>(end_ - p_)) return static_cast<std::size_t>(Fail());
    return static_cast<std::size_t>(n);
  }

 private:
  std::uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

void PutStake(Writer& w, const proto::Stake& k) {
  w.S(k.code);
  w.S(k.name);
  w.Opt(k.depositor_no, [&](const std::string& v) { w.S(v); });
  w.Opt(k.electric_meter_no, [&](const std::string& v) { w.S(v); });
  w.Enum(k.operating_state);
  w.Opt(k.debug_status, [&](proto::DebugStatus v) { w.Enum(v); });
  w.Opt(k.production_date, [&](proto::BeijingDate v) { w.I(v.days); });
  w.I(k.put_date.days);
  w.B(k.is_public);
  w.B(k.is_adjust);
  w.Enum(k.type);
  w.S(k.model);
  w.Opt(k.longitude, [&](proto::Degrees v) { w.I(v.units()); });
  w.Opt(k.latitude, [&](proto::Degrees v) { w.I(v.units()); });
  w.I(k.rated_power.units());
  w.Opt(k.rated_voltage, [&](proto::Volts v) { w.I(v.units()); });
  w.Opt(k.rated_ampere, [&](proto::Amperes v) { w.I(v.units()); });
  w.I(k.top_power.units());
  w.I(k.bottom_power.units());
}

proto::Stake GetStake(Reader& r) {
  proto::Stake k;
  k.code = r.S();
  k.name = r.S();
  k.depositor_no = r.Opt<std::string>([&] { return r.S(); });
  k.electric_meter_no = r.Opt<std::string>([&] { return r.S(); });
  k.operating_state = r.En<proto::OperatingState>();
  k.debug_status = r.Opt<proto::DebugStatus>([&] { return r.En<proto::DebugStatus>(); });
  k.production_date = r.Opt<proto::BeijingDate>([&] { return proto::BeijingDate{static_cast<std::int32_t>(r.I())}; });
  k.put_date = proto::BeijingDate{static_cast<std::int32_t>(r.I())};
  k.is_public = r.B();
  k.is_adjust = r.B();
  k.type = r.En<proto::StakeType>();
  k.model = r.S();
  k.longitude = r.Opt<proto::Degrees>([&] { return proto::Degrees::FromUnits(r.I()); });
  k.latitude = r.Opt<proto::Degrees>([&] { return proto::Degrees::FromUnits(r.I()); });
  k.rated_power = proto::Kilowatts::FromUnits(r.I());
  k.rated_voltage = r.Opt<proto::Volts>([&] { return proto::Volts::FromUnits(r.I()); });
  k.rated_ampere = r.Opt<proto::Amperes>([&] { return proto::Amperes::FromUnits(r.I()); });
  k.top_power = proto::Kilowatts::FromUnits(r.I());
  k.bottom_power = proto::Kilowatts::FromUnits(r.I());
  return k;
}

proto::Station GetStation(Reader& r) {
  proto::Station s;
  if (!r.Tag(kStationTag)) return s;
  s.code = r.S();
  s.operator_id = r.S();
  s.credit_code = r.S();
  s.name = r.S();
  for (std::size_t n = r.Count(); n > 0 && r.ok(); --n) s.depositor_nos.push_back(r.S());
  for (std::size_t n = r.Count(); n > 0 && r.ok(); --n) s.electric_meter_nos.push_back(r.S());
  s.country_code = r.S();
  s.area_code = r.S();
  s.address = r.S();
  s.type = r.En<proto::StationType>();
  s.equipment_type = r.En<proto::EquipmentType>();
  s.is_public = r.B();
  s.state = r.En<proto::StationState>();
  s.open_time = r.Opt<proto::BeijingMinute>([&] { return proto::BeijingMinute{r.I()}; });
  s.close_time = r.Opt<proto::BeijingMinute>([&] { return proto::BeijingMinute{r.I()}; });
  s.longitude = proto::Degrees::FromUnits(r.I());
  s.latitude = proto::Degrees::FromUnits(r.I());
  s.construction = r.Opt<proto::Construction>([&] { return r.En<proto::Construction>(); });
  s.put_date = r.Opt<proto::BeijingDate>([&] { return proto::BeijingDate{static_cast<std::int32_t>(r.I())}; });
  const std::size_t stakes = r.Count();
  s.stakes.reserve(stakes);
  for (std::size_t i = 0; i < stakes && r.ok(); ++i) s.stakes.push_back(GetStake(r));
  return s;
}

Status Corrupted(std::string_view what) {
  return Status::Internal(std::string(what) +
                          ": stored model does not decode; the database is corrupted, restore a backup or re-sync "
                          "the operator");
}

}  // namespace

void AppendStation(const proto::Station& s, std::string& out) {
  Writer w(out);
  w.Raw(std::string_view(kStationTag, 2));
  w.S(s.code);
  w.S(s.operator_id);
  w.S(s.credit_code);
  w.S(s.name);
  w.U(s.depositor_nos.size());
  for (const auto& v : s.depositor_nos) w.S(v);
  w.U(s.electric_meter_nos.size());
  for (const auto& v : s.electric_meter_nos) w.S(v);
  w.S(s.country_code);
  w.S(s.area_code);
  w.S(s.address);
  w.Enum(s.type);
  w.Enum(s.equipment_type);
  w.B(s.is_public);
  w.Enum(s.state);
  w.Opt(s.open_time, [&](proto::BeijingMinute v) { w.I(v.minutes); });
  w.Opt(s.close_time, [&](proto::BeijingMinute v) { w.I(v.minutes); });
  w.I(s.longitude.units());
  w.I(s.latitude.units());
  w.Opt(s.construction, [&](proto::Construction v) { w.Enum(v); });
  w.Opt(s.put_date, [&](proto::BeijingDate v) { w.I(v.days); });
  w.U(s.stakes.size());
  for (const proto::Stake& k : s.stakes) PutStake(w, k);
}

std::string EncodeStation(const proto::Station& station) {
  std::string out;
  out.reserve(256 + 128 * station.stakes.size());
  AppendStation(station, out);
  return out;
}

Result<proto::Station> DecodeStation(std::string_view bytes, std::string_view what) {
  Reader r(bytes);
  proto::Station s = GetStation(r);
  if (!r.ok() || !r.done()) return Corrupted(what);
  return s;
}

std::string EncodeStationList(const std::vector<proto::Station>& stations) {
  std::string out;
  out.reserve(16 + stations.size() * 1024);
  Writer w(out);
  w.Raw(std::string_view(kListTag, 2));
  w.U(stations.size());
  std::string one;
  for (const proto::Station& s : stations) {
    one.clear();
    AppendStation(s, one);
    w.S(one);
  }
  return out;
}

Result<std::vector<EncodedStation>> DecodeStationList(std::string_view bytes, std::string_view what) {
  Reader r(bytes);
  std::vector<EncodedStation> out;
  if (!r.Tag(kListTag)) return Corrupted(what);
  const std::size_t n = r.Count();
  out.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    const std::string_view one = r.View();
    if (!r.ok()) break;
    VGI_ASSIGN_OR_RETURN(proto::Station s, DecodeStation(one, what));
    out.push_back(EncodedStation{std::move(s), one});
  }
  if (!r.ok() || !r.done()) return Corrupted(what);
  return out;
}

}  // namespace vgi::store::record
