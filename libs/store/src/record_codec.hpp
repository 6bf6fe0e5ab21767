#pragma once
// Private to the store: how rows are encoded, shared by every backend so they store the same
// bytes and give the same answers (and the same messages) for the same input.
//
//   - Times are whole microseconds since the Unix epoch (PostgreSQL's timestamptz precision), so
//     a value read back equals the value written once truncated with TruncateTime.
//   - A station-day is 1440 x int32 little-endian centi-kW (kSlotsBytes) plus a 180-byte bitmask
//     (kPresentBytes; bit m % 8 of byte m / 8 set when minute m was reported with a value).
//   - A station (stakes included) is the compact binary encoding of station_codec.cpp; the
//     instruction and feedback documents are the protocol codec's JSON. Sensitive parts are
//     sealed, each bound to the row it belongs to through the sealing context (*Context).
//
// Thread safety: free functions on values; call from any thread.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/store/store.hpp"

namespace vgi::store::record {

// ---- time and days -----------------------------------------------------------------------------

std::int64_t ToMicros(SystemTime t);  // floored
SystemTime FromMicros(std::int64_t micros);
inline SystemTime TruncateTime(SystemTime t) { return FromMicros(ToMicros(t)); }

// The Beijing day as yyyymmdd (e.g. 20240409), the form `day` columns hold.
std::int32_t DayNumber(proto::BeijingDate day);
// Inverse of DayNumber; Internal when `yyyymmdd` is not a real date (a corrupted row).
Result<proto::BeijingDate> DateFromDayNumber(std::int64_t yyyymmdd);

// ---- sealing contexts --------------------------------------------------------------------------

std::string StationContext(std::string_view operator_id, std::string_view station_code);
std::string InstructionContext(std::string_view operator_id, std::string_view regulation_id);
std::string FeedbackContext(std::string_view operator_id, std::string_view regulation_id);
// A staged page of an open model sync.
std::string SyncPageContext(std::string_view operator_id, std::int64_t page_no);

// ---- station model -----------------------------------------------------------------------------

// Binary station encoding (station_codec.cpp): every field, exactly; ~0.9 KB for a station with
// 10 stakes. DecodeStation's errors are Internal naming `what` (a corrupted row).
void AppendStation(const proto::Station& station, std::string& out);
std::string EncodeStation(const proto::Station& station);
Result<proto::Station> DecodeStation(std::string_view bytes, std::string_view what);

// A list of stations (a staged page): each station's encoding kept whole, so a station can be
// sealed into its own row without encoding it again.
std::string EncodeStationList(const std::vector<proto::Station>& stations);
struct EncodedStation {
  proto::Station station;
  std::string_view bytes;  // its EncodeStation form, inside the list's buffer
};
Result<std::vector<EncodedStation>> DecodeStationList(std::string_view bytes, std::string_view what);

// The station (stakes included) sealed under StationContext(operator_id, station.code).
std::string SealStation(const Sealer& sealer, std::string_view operator_id, const proto::Station& station);
// The same for an EncodeStation form already at hand.
std::string SealEncodedStation(const Sealer& sealer, std::string_view operator_id, std::string_view station_code,
                               std::string_view encoded);
// Opens and decodes what SealStation made. Errors name the station.
Result<proto::Station> OpenStation(const Sealer& sealer, std::string_view operator_id,
                                   std::string_view station_code, std::string_view sealed);

// Snapshot checks (store.hpp PutStationPage). Shared so every backend words them the same.
Status TotalCountMismatch(std::int64_t total_count, std::int64_t stations_held);
Status DuplicateStation(std::string_view code, std::int64_t page_a, std::int64_t page_b);
Status DuplicateStake(std::string_view code, std::int64_t page_a, std::int64_t page_b);
// page_no within 1..page_count, counts non-negative, operator_id not empty.
Status CheckPage(std::string_view operator_id, const proto::StationInfoPage& page);

// The stakes a re-synced station keeps: `fresh`'s stakes in snapshot order, then those of
// `previous` that are in `retired_codes` (absent from the whole snapshot), in their old order.
void KeepRetiredStakes(const proto::Station& previous, const std::vector<std::string>& retired_codes,
                       proto::Station& fresh);

// ---- instructions and feedback -----------------------------------------------------------------

// The *Checked forms also check the value reads back (the protocol codec's rules, e.g. one
// adjustID for a single-station range): Invalid naming the rule otherwise, so nothing is stored
// that OpenInstruction/OpenAdjustment would later refuse as corrupted. Backends use them (the
// conformance suite's WhatWouldNotReadBackIsRefusedOnWrite); the unchecked forms remain for
// values already known to be valid.
Result<std::string> SealInstructionChecked(const Sealer& sealer, std::string_view operator_id,
                                           const proto::Instruction& in);
std::string SealInstruction(const Sealer& sealer, std::string_view operator_id, const proto::Instruction& in);
Result<proto::Instruction> OpenInstruction(const Sealer& sealer, std::string_view operator_id,
                                           std::string_view regulation_id, std::string_view sealed);
Result<std::string> SealAdjustmentChecked(const Sealer& sealer, std::string_view operator_id,
                                          const proto::InstructionAdjustment& adjustment,
                                          std::string_view regulation_id);
std::string SealAdjustment(const Sealer& sealer, std::string_view operator_id,
                           const proto::InstructionAdjustment& adjustment, std::string_view regulation_id);
Result<proto::InstructionAdjustment> OpenAdjustment(const Sealer& sealer, std::string_view operator_id,
                                                    std::string_view regulation_id, std::string_view sealed);

// A feedback record must carry what its kind needs: status for kOverview, adjustment for
// kCheck. `index` is its position in the WriteBatch (for the message).
Status CheckFeedback(const FeedbackRecord& feedback, std::size_t index);

// ---- power -------------------------------------------------------------------------------------

inline constexpr std::size_t kSlotsBytes = 4 * kMinutesPerDay;  // 5760
inline constexpr std::size_t kPresentBytes = kMinutesPerDay / 8;  // 180

// Consecutive points of one update that fall on the same Beijing day.
struct DaySlice {
  proto::BeijingDate day;
  std::size_t begin = 0;  // indices into PowerUpdate::power.points
  std::size_t end = 0;
  int min_slot = 0;  // smallest and largest minute of day touched
  int max_slot = 0;
};

// Splits an update's points by day, in order, after checking every value fits a slot (int32
// centi-kW; Invalid naming the point otherwise). An update without points still records its
// adjust powers: it yields one empty slice (begin == end) on `today`.
Result<std::vector<DaySlice>> SliceByDay(const PowerUpdate& update, std::size_t index, proto::BeijingDate today);

// Writes the slice's points into a station-day's slots (kSlotsBytes) and present mask
// (kPresentBytes). `slots` and `present` may be windows that start at byte `slot_offset` and
// `present_offset` of the full arrays (for in-place partial updates).
void ApplySlice(const DaySlice& slice, const std::vector<proto::PowerPoint>& points, std::uint8_t* slots,
                std::size_t slot_offset, std::uint8_t* present, std::size_t present_offset);

// The update's latest point with a value as its station's LatestPower (of two points at the
// same minute the later wins); nullopt when no point has a value.
std::optional<LatestPower> LatestOf(const PowerUpdate& update);

// Hour rows (SQLite power_hour, PostgreSQL power_hours): a station-day is up to 24 rows of 60
// slots (int32 little-endian centi-kW, kHourSlotsBytes) and a present mask (bit m: minute m of
// the hour has a value); every row carries the adjust powers and time of the update that wrote
// it last, and a write_seq that grows with every write, so the day's are those of its row with
// the greatest write_seq.
inline constexpr int kMinutesPerHour = 60;
inline constexpr std::size_t kHourSlotsBytes = 4 * kMinutesPerHour;  // 240
struct HourRow {
  std::int64_t hour = 0;
  std::string_view slots;
  std::uint64_t present = 0;
  std::int64_t adjust_top = 0;  // centi-kW
  std::int64_t adjust_bottom = 0;
  SystemTime updated_at{};
  std::int64_t write_seq = 0;
};
// Folds one hour row into `day` (which starts default-constructed); a station-day's rows may
// come in any order. `latest_seq` is the greatest write_seq folded so far: kNoWriteSeq before
// the first. Internal naming `table` and the station when the row is malformed (hour outside
// 0..23, slots not kHourSlotsBytes): the database is damaged.
inline constexpr std::int64_t kNoWriteSeq = std::numeric_limits<std::int64_t>::min();
Status FoldHourRow(const HourRow& row, std::string_view table, StationDay& day, std::int64_t& latest_seq);

// Full arrays <-> StationDay fields.
void UnpackDay(std::span<const std::uint8_t> slots, std::span<const std::uint8_t> present, StationDay& day);
// An OperatorDay as stored (power_operator_day.sums): i32 stations, then load, down, up as
// 1440 x i64 and present as 1440 x i32, little-endian (kOperatorDayBytes).
inline constexpr std::size_t kOperatorDayBytes = 4 + kMinutesPerDay * (8 + 8 + 8 + 4);
std::string EncodeOperatorDay(const OperatorDay& day);
// False when `bytes` is not kOperatorDayBytes long (the reader then recomputes the sums).
bool DecodeOperatorDay(std::string_view bytes, OperatorDay& day);
// Invalid unless from <= to <= from + kMaxDayRange (ListStationHistory, ListOperatorDays).
Status CheckDayRange(proto::BeijingDate from, proto::BeijingDate to);
// `days` sorted, without repeats; Invalid past kMaxDayRange of them (ListStationDaysOn).
Result<std::vector<proto::BeijingDate>> SortedDays(std::span<const proto::BeijingDate> days);
std::string EmptySlots();    // kSlotsBytes zero bytes
std::string EmptyPresent();  // kPresentBytes zero bytes

}  // namespace vgi::store::record
