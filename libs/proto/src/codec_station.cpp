// Schemas of Station, Stake (seed 6.1, 6.2) and send_station_info Data (seed 7.1.2).
#include "json_codec.hpp"

namespace vgi::proto {
namespace codec {

// Physical ceilings that catch unit mistakes (W sent as kW) without limiting real sites.
constexpr double kMaxKw = 1e6;
constexpr Text kId{.max_len = 64, .id = true};
constexpr Text kName{.max_len = 256, .sensitive = true};

template <>
struct Schema<Stake> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("code", VGI_AT(code), kId),
        Required("name", VGI_AT(name), kName),
        Optional("depositorNo", VGI_AT(depositor_no), kId),
        Optional("electricMeterNo", VGI_AT(electric_meter_no), kId),
        Required("operatingState", VGI_AT(operating_state), OneOf<OperatingState, 1, 2, 3, 4>{}),
        Optional("debugStatus", VGI_AT(debug_status), OneOf<DebugStatus, 1, 2, 3>{}),
        Optional("productionDate", VGI_AT(production_date), DateRule{}),
        Required("putDate", VGI_AT(put_date), DateRule{}),
        Required("isPublic", VGI_AT(is_public), Flag{}),
        Required("isAdjust", VGI_AT(is_adjust), Flag{}),
        Required("type", VGI_AT(type), OneOf<StakeType, 1, 2, 3, 4, 5, 6, 7>{}),
        Required("model", VGI_AT(model), Text{.max_len = 128}),
        Optional("longitude", VGI_AT(longitude), Dec<6>{-180, 180, true}),
        Optional("latitude", VGI_AT(latitude), Dec<6>{-90, 90, true}),
        Required("ratedPower", VGI_AT(rated_power), Dec<2>{0, kMaxKw}),
        Optional("ratedVoltage", VGI_AT(rated_voltage), Dec<1>{0, 1e5}),
        Optional("ratedAmpere", VGI_AT(rated_ampere), Dec<1>{0, 1e5}),
        Required("topPower", VGI_AT(top_power), Dec<2>{-kMaxKw, kMaxKw}),
        Required("bottomPower", VGI_AT(bottom_power), Dec<2>{-kMaxKw, kMaxKw}));
    return fields;
  }
  static Status Check(const Stake& s, const Path& path) {
    if (s.bottom_power > s.top_power) {
      return Fail(path.Child("bottomPower"),
                  s.bottom_power.ToString() + " is above topPower " + s.top_power.ToString());
    }
    return Status::Ok();
  }
};

template <>
struct Schema<Station> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("code", VGI_AT(code), kId),
        Required("operatorID", VGI_AT(operator_id), Text{.id = true, .form = Form::kOperatorId}),
        Required("creditCode", VGI_AT(credit_code), Text{.sensitive = true, .form = Form::kCreditCode}),
        Required("name", VGI_AT(name), kName),
        Optional("depositorNoList", VGI_AT(depositor_nos), ListOf<Text>{kId, 0, 1000}),
        Optional("electricMeterNoList", VGI_AT(electric_meter_nos), ListOf<Text>{kId, 0, 1000}),
        Required("countryCode", VGI_AT(country_code), Text{.form = Form::kCountryCode}),
        Required("areaCode", VGI_AT(area_code), Text{.id = true, .form = Form::kAreaCode}),
        Required("address", VGI_AT(address), Text{.max_len = 512, .sensitive = true}),
        Required("type", VGI_AT(type), OneOf<StationType, 1, 50, 100, 101, 102, 103, 255>{}),
        Required("equipmentType", VGI_AT(equipment_type), OneOf<EquipmentType, 1, 2, 3, 4, 5, 6>{}),
        Required("isPublic", VGI_AT(is_public), Flag{}),
        Required("state", VGI_AT(state), OneOf<StationState, 0, 1, 5, 6, 50>{}),
        Optional("openTime", VGI_AT(open_time), MinuteRule{}),
        Optional("closeTime", VGI_AT(close_time), MinuteRule{}),
        Required("longitude", VGI_AT(longitude), Dec<6>{-180, 180, true}),
        Required("latitude", VGI_AT(latitude), Dec<6>{-90, 90, true}),
        Optional("construction", VGI_AT(construction),
                 OneOf<Construction, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255>{}),
        Optional("putDate", VGI_AT(put_date), DateRule{}),
        Required("stakeList", VGI_AT(stakes), ListOf<Obj<Stake>>{{}, 0, kMaxStakesPerStation}));
    return fields;
  }
};

template <>
struct Schema<StationInfoPage> {
  static const auto& Fields() {
    static const auto fields = std::make_tuple(
        Required("totalCount", VGI_AT(total_count), IntRange<std::int64_t>{0, 10'000'000}),
        Required("pageCount", VGI_AT(page_count), IntRange<std::int64_t>{1, 100'000}),
        Required("pageNo", VGI_AT(page_no), IntRange<std::int64_t>{1, 100'000}),
        Required("stationList", VGI_AT(stations), ListOf<Obj<Station>>{{}, 0, kMaxStationsPerPage}));
    return fields;
  }
  static Status Check(const StationInfoPage& p, const Path& path) {
    if (p.page_no > p.page_count) {
      return Fail(path.Child("pageNo"), std::to_string(p.page_no) + " is above pageCount " + std::to_string(p.page_count));
    }
    if (static_cast<std::int64_t>(p.stations.size()) > p.total_count) {
      return Fail(path.Child("stationList"), std::to_string(p.stations.size()) + " stations on one page exceed totalCount " +
                                                 std::to_string(p.total_count));
    }
    if (p.stations.empty() && p.total_count > 0) {
      return Fail(path.Child("stationList"), "must not be empty when totalCount is above 0");
    }
    return Status::Ok();
  }
};

}  // namespace codec

VGI_PROTO_DEFINE_CODEC(StationInfoPage)

}  // namespace vgi::proto
