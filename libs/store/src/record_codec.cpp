#include "record_codec.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <limits>

#include "vgi/proto/codec.hpp"

namespace vgi::store::record {

namespace {

std::string Join3(std::string_view kind, std::string_view a, std::string_view b) {
  std::string s;
  s.reserve(kind.size() + a.size() + b.size() + 2);
  s.append(kind).append(":").append(a).append(":").append(b);
  return s;
}

void PutLe32(std::uint8_t* p, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  p[0] = static_cast<std::uint8_t>(u);
  p[1] = static_cast<std::uint8_t>(u >> 8);
  p[2] = static_cast<std::uint8_t>(u >> 16);
  p[3] = static_cast<std::uint8_t>(u >> 24);
}

// Big-endian hosts only (UnpackDay copies little-endian slots as they are).
[[maybe_unused]] std::int32_t GetLe32(const std::uint8_t* p) {
  const std::uint32_t u = std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
                          (std::uint32_t{p[3]} << 24);
  return static_cast<std::int32_t>(u);
}

}  // namespace

// ---- time and days -----------------------------------------------------------------------------

std::int64_t ToMicros(SystemTime t) {
  return std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SystemTime FromMicros(std::int64_t micros) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::microseconds(micros)));
}

std::int32_t DayNumber(proto::BeijingDate day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day.days}}};
  return static_cast<int>(ymd.year()) * 10000 + static_cast<int>(static_cast<unsigned>(ymd.month())) * 100 +
         static_cast<int>(static_cast<unsigned>(ymd.day()));
}

Result<proto::BeijingDate> DateFromDayNumber(std::int64_t yyyymmdd) {
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(yyyymmdd / 10000)},
                                        std::chrono::month{static_cast<unsigned>(yyyymmdd / 100 % 100)},
                                        std::chrono::day{static_cast<unsigned>(yyyymmdd % 100)}};
  if (yyyymmdd < 10000101 || yyyymmdd > 99991231 || !ymd.ok()) {
    return Status::Internal("power_day.day: " + std::to_string(yyyymmdd) +
                            " is not a yyyymmdd date; the database is corrupted, restore a backup");
  }
  return proto::BeijingDate{static_cast<std::int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count())};
}

// ---- sealing contexts --------------------------------------------------------------------------

std::string StationContext(std::string_view operator_id, std::string_view station_code) {
  return Join3("station", operator_id, station_code);
}
std::string InstructionContext(std::string_view operator_id, std::string_view regulation_id) {
  return Join3("instruction", operator_id, regulation_id);
}
std::string FeedbackContext(std::string_view operator_id, std::string_view regulation_id) {
  return Join3("feedback", operator_id, regulation_id);
}

// ---- station model -----------------------------------------------------------------------------

std::string SyncPageContext(std::string_view operator_id, std::int64_t page_no) {
  return Join3("sync_page", operator_id, std::to_string(page_no));
}

std::string SealStation(const Sealer& sealer, std::string_view operator_id, const proto::Station& station) {
  return sealer.Seal(EncodeStation(station), StationContext(operator_id, station.code));
}

std::string SealEncodedStation(const Sealer& sealer, std::string_view operator_id, std::string_view station_code,
                               std::string_view encoded) {
  return sealer.Seal(encoded, StationContext(operator_id, station_code));
}

Result<proto::Station> OpenStation(const Sealer& sealer, std::string_view operator_id,
                                   std::string_view station_code, std::string_view sealed) {
  const std::string what = "station " + std::string(operator_id) + "/" + std::string(station_code);
  auto bytes = sealer.Open(sealed, StationContext(operator_id, station_code));
  if (!bytes.ok()) return bytes.status().WithPrefix(what);
  return DecodeStation(*bytes, what);
}

Status TotalCountMismatch(std::int64_t total_count, std::int64_t stations_held) {
  return Status::Invalid("totalCount: the sync's pages hold " + std::to_string(stations_held) +
                         " stations but totalCount is " + std::to_string(total_count) +
                         "; the sync was dropped, send every page again");
}

Status DuplicateStation(std::string_view code, std::int64_t page_a, std::int64_t page_b) {
  return Status::Invalid("stationList: station code " + std::string(code) + " appears on pages " +
                         std::to_string(page_a) + " and " + std::to_string(page_b) +
                         "; station codes must be unique across a sync; the sync was dropped");
}

Status DuplicateStake(std::string_view code, std::int64_t page_a, std::int64_t page_b) {
  return Status::Invalid("stakeList: stake code " + std::string(code) + " appears on pages " + std::to_string(page_a) +
                         " and " + std::to_string(page_b) +
                         "; stake codes must be unique within the operator; the sync was dropped");
}

Status CheckPage(std::string_view operator_id, const proto::StationInfoPage& page) {
  if (operator_id.empty()) return Status::Invalid("operator_id: must not be empty");
  if (page.page_count < 1) return Status::Invalid("pageCount: must be at least 1, got " + std::to_string(page.page_count));
  if (page.page_no < 1 || page.page_no > page.page_count) {
    return Status::Invalid("pageNo: " + std::to_string(page.page_no) + " is outside 1.." +
                           std::to_string(page.page_count));
  }
  if (page.total_count < 0) return Status::Invalid("totalCount: must not be negative");
  return Status::Ok();
}

void KeepRetiredStakes(const proto::Station& previous, const std::vector<std::string>& retired_codes,
                       proto::Station& fresh) {
  for (const proto::Stake& stake : previous.stakes) {
    for (const std::string& code : retired_codes) {
      if (stake.code == code) {
        fresh.stakes.push_back(stake);
        break;
      }
    }
  }
}

// ---- instructions and feedback -----------------------------------------------------------------

std::string SealInstruction(const Sealer& sealer, std::string_view operator_id, const proto::Instruction& in) {
  return sealer.Seal(proto::EncodeData(in), InstructionContext(operator_id, in.regulation_id));
}

Result<std::string> SealInstructionChecked(const Sealer& sealer, std::string_view operator_id,
                                           const proto::Instruction& in) {
  const std::string json = proto::EncodeData(in);
  if (auto back = proto::DecodeData<proto::Instruction>(json); !back.ok()) {
    return Status::Invalid("instruction " + in.regulation_id + ": " + back.status().message() +
                           "; it would not read back, so it is not stored");
  }
  return sealer.Seal(json, InstructionContext(operator_id, in.regulation_id));
}

Result<proto::Instruction> OpenInstruction(const Sealer& sealer, std::string_view operator_id,
                                           std::string_view regulation_id, std::string_view sealed) {
  const std::string what = "instruction " + std::string(operator_id) + "/" + std::string(regulation_id);
  auto json = sealer.Open(sealed, InstructionContext(operator_id, regulation_id));
  if (!json.ok()) return json.status().WithPrefix(what);
  auto in = proto::DecodeData<proto::Instruction>(*json);
  if (!in.ok()) {
    return Status::Internal(what + ": stored instruction does not decode (" + in.status().message() +
                            "); the database is corrupted, restore a backup");
  }
  return in;
}

std::string SealAdjustment(const Sealer& sealer, std::string_view operator_id,
                           const proto::InstructionAdjustment& adjustment, std::string_view regulation_id) {
  return sealer.Seal(proto::EncodeData(adjustment), FeedbackContext(operator_id, regulation_id));
}

Result<std::string> SealAdjustmentChecked(const Sealer& sealer, std::string_view operator_id,
                                          const proto::InstructionAdjustment& adjustment,
                                          std::string_view regulation_id) {
  const std::string json = proto::EncodeData(adjustment);
  if (auto back = proto::DecodeData<proto::InstructionAdjustment>(json); !back.ok()) {
    return Status::Invalid("feedback " + std::string(regulation_id) + " adjustment: " + back.status().message() +
                           "; it would not read back, so it is not stored");
  }
  return sealer.Seal(json, FeedbackContext(operator_id, regulation_id));
}

Result<proto::InstructionAdjustment> OpenAdjustment(const Sealer& sealer, std::string_view operator_id,
                                                    std::string_view regulation_id, std::string_view sealed) {
  const std::string what = "feedback " + std::string(operator_id) + "/" + std::string(regulation_id);
  auto json = sealer.Open(sealed, FeedbackContext(operator_id, regulation_id));
  if (!json.ok()) return json.status().WithPrefix(what);
  auto adj = proto::DecodeData<proto::InstructionAdjustment>(*json);
  if (!adj.ok()) {
    return Status::Internal(what + ": stored adjustment does not decode (" + adj.status().message() +
                            "); the database is corrupted, restore a backup");
  }
  return adj;
}

Status CheckFeedback(const FeedbackRecord& feedback, std::size_t index) {
  const std::string where = "feedback[" + std::to_string(index) + "]";
  if (feedback.operator_id.empty() || feedback.regulation_id.empty()) {
    return Status::Invalid(where + ": operator_id and regulation_id must not be empty");
  }
  switch (feedback.kind) {
    case FeedbackKind::kOverview:
      if (!feedback.status.has_value() || feedback.adjustment.has_value()) {
        return Status::Invalid(where + ": an overview (callback_task_overview) carries a status and no adjustment");
      }
      return Status::Ok();
    case FeedbackKind::kCheck:
      if (!feedback.adjustment.has_value() || feedback.status.has_value()) {
        return Status::Invalid(where + ": a check (callback_task_check) carries an adjustment and no status");
      }
      return Status::Ok();
  }
  return Status::Invalid(where + ".kind: " + std::to_string(static_cast<int>(feedback.kind)) + " is not 1 or 2");
}

// ---- power -------------------------------------------------------------------------------------

Result<std::vector<DaySlice>> SliceByDay(const PowerUpdate& update, std::size_t index, proto::BeijingDate today) {
  const auto& points = update.power.points;
  std::vector<DaySlice> slices;
  if (update.operator_id.empty() || update.power.station_code.empty()) {
    return Status::Invalid("power[" + std::to_string(index) + "]: operator_id and stationCode must not be empty");
  }
  if (points.empty()) {
    slices.push_back(DaySlice{today, 0, 0, 0, 0});
    return slices;
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (p.power.has_value() && (p.power->units() > std::numeric_limits<std::int32_t>::max() ||
                                p.power->units() < std::numeric_limits<std::int32_t>::min())) {
      return Status::Invalid("power[" + std::to_string(index) + "] (station " + update.power.station_code +
                             ") powerPointList[" + std::to_string(i) + "].power: " + p.power->ToString() +
                             " kW does not fit a slot (at most ±21474836.47 kW); nothing of the batch was stored");
    }
    const proto::BeijingDate day = proto::DateOf(p.point);
    const int slot = proto::MinuteOfDay(p.point);
    if (slices.empty() || slices.back().day != day) {
      slices.push_back(DaySlice{day, i, i + 1, slot, slot});
    } else {
      DaySlice& s = slices.back();
      s.end = i + 1;
      s.min_slot = std::min(s.min_slot, slot);
      s.max_slot = std::max(s.max_slot, slot);
    }
  }
  return slices;
}

void ApplySlice(const DaySlice& slice, const std::vector<proto::PowerPoint>& points, std::uint8_t* slots,
                std::size_t slot_offset, std::uint8_t* present, std::size_t present_offset) {
  for (std::size_t i = slice.begin; i < slice.end; ++i) {
    const auto& p = points[i];
    const auto slot = static_cast<std::size_t>(proto::MinuteOfDay(p.point));
    PutLe32(slots + slot * 4 - slot_offset, p.power.has_value() ? static_cast<std::int32_t>(p.power->units()) : 0);
    std::uint8_t& byte = present[slot / 8 - present_offset];
    const auto bit = static_cast<std::uint8_t>(1U << (slot % 8));
    byte = p.power.has_value() ? static_cast<std::uint8_t>(byte | bit) : static_cast<std::uint8_t>(byte & ~bit);
  }
}

std::optional<LatestPower> LatestOf(const PowerUpdate& update) {
  const proto::PowerPoint* latest = nullptr;
  for (const auto& p : update.power.points) {
    if (p.power.has_value() && (latest == nullptr || p.point >= latest->point)) latest = &p;
  }
  if (latest == nullptr) return std::nullopt;
  return LatestPower{update.operator_id, update.power.station_code, latest->point, *latest->power,
                     update.power.adjust_top_power, update.power.adjust_bottom_power};
}

void UnpackDay(std::span<const std::uint8_t> slots, std::span<const std::uint8_t> present, StationDay& day) {
  day.centi_kw.assign(kMinutesPerDay, 0);
  const std::size_t whole = std::min<std::size_t>(slots.size() / 4, kMinutesPerDay);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(day.centi_kw.data(), slots.data(), whole * 4);
  } else {
    for (std::size_t i = 0; i < whole; ++i) day.centi_kw[i] = GetLe32(slots.data() + i * 4);
  }
  // Measurement unpacks tens of thousands of station-days: full and empty bytes (the common
  // cases) cost one test each, not eight.
  day.present.reset();
  const std::size_t bytes = std::min<std::size_t>(present.size(), kPresentBytes);
  if (bytes == kPresentBytes && std::all_of(present.begin(), present.begin() + kPresentBytes,
                                            [](std::uint8_t b) { return b == 0xff; })) {
    day.present.set();
    return;
  }
  for (std::size_t k = 0; k < bytes; ++k) {
    const std::uint8_t b = present[k];
    if (b == 0) continue;
    for (std::size_t bit = 0; bit < 8; ++bit) {
      if ((b >> bit & 1U) != 0) day.present.set(k * 8 + bit);
    }
  }
}

Status FoldHourRow(const HourRow& row, std::string_view table, StationDay& day, std::int64_t& latest_seq) {
  if (row.hour < 0 || row.hour >= kMinutesPerDay / kMinutesPerHour || row.slots.size() != kHourSlotsBytes) {
    std::string message(table);
    message += ": a row of station ";
    message += day.operator_id;
    message += '/';
    message += day.station_code;
    message += " is malformed; the database is corrupted, restore a backup";
    return Status::Internal(std::move(message));
  }
  const auto first = static_cast<std::size_t>(row.hour * kMinutesPerHour);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(day.centi_kw.data() + first, row.slots.data(), kHourSlotsBytes);
  } else {
    const auto* p = reinterpret_cast<const std::uint8_t*>(row.slots.data());
    for (std::size_t m = 0; m < kMinutesPerHour; ++m) day.centi_kw[first + m] = GetLe32(p + 4 * m);
  }
  for (std::uint64_t mask = row.present; mask != 0; mask &= mask - 1) {
    const auto m = static_cast<std::size_t>(std::countr_zero(mask));
    if (m < kMinutesPerHour) day.present.set(first + m);
  }
  if (row.write_seq > latest_seq) {
    latest_seq = row.write_seq;
    day.adjust_top_power = proto::Kilowatts::FromUnits(row.adjust_top);
    day.adjust_bottom_power = proto::Kilowatts::FromUnits(row.adjust_bottom);
    day.updated_at = row.updated_at;
  }
  return Status::Ok();
}

std::string EmptySlots() { return std::string(kSlotsBytes, '\0'); }
std::string EmptyPresent() { return std::string(kPresentBytes, '\0'); }

}  // namespace vgi::store::record
