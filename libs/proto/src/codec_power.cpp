// Schemas of StationPower, PowerPoint (seed 6.3, 6.4) and send_station_power_1440 Data (7.2.2).
#include "json_codec.hpp"

namespace vgi::proto {
namespace codec {

constexpr double kMaxKw = 1e6;

template <>
struct Schema<PowerPoint> {
  static const auto& Fields() {
    // power: a null (or absent) point is "missing", counted as 0 kW (seed 7.2.1).
    static const auto fields = std::make_tuple(
        Required("point", VGI_AT(point), MinuteRule{}),
        Optional("power", VGI_AT(power), Dec<2>{-kMaxKw, kMaxKw}));
    return fields;
  }
};

template <>
struct Schema<StationPower> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("stationCode", VGI_AT(station_code), Text{.max_len = 64, .id = true}),
        Required("creditCode", VGI_AT(credit_code), Text{.sensitive = true, .form = Form::kCreditCode}),
        Required("adjustTopPower", VGI_AT(adjust_top_power), Dec<2>{-kMaxKw, kMaxKw}),
        Required("adjustBottomPower", VGI_AT(adjust_bottom_power), Dec<2>{-kMaxKw, kMaxKw}),
        Required("powerPointList", VGI_AT(points), ListOf<Obj<PowerPoint>>{{}, 0, kMaxPowerPoints}));
    return fields;
  }
  static Status Check(const StationPower& s, const Path& path) {
    if (s.adjust_bottom_power > s.adjust_top_power) {
      return Fail(path.Child("adjustBottomPower"), s.adjust_bottom_power.ToString() +
                                                       " is above adjustTopPower " + s.adjust_top_power.ToString());
    }
    return Status::Ok();
  }
};

template <>
struct Schema<StationPowerBatch> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(Required(
        "stationPowerList", VGI_AT(stations), ListOf<Obj<StationPower>>{{}, 1, kMaxStationPowers}));
    return fields;
  }
};

}  // namespace codec

VGI_PROTO_DEFINE_CODEC(StationPowerBatch)

}  // namespace vgi::proto
