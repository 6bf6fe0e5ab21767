// The SQLite store's group-committed writes (WriteBatch: power, feedback, replay keys) and their
// reads. Power is kept in hour rows (migrations/sqlite/0010_power_hour.sql): a minute's update is
// one UPDATE per station and hour that patches the stored slots inside SQLite (vgi_hour_slots
// below), or an INSERT for the hour's first minute; the operator-day it wrote gets its version
// bumped (power_operator_day, read by ListOperatorDays).
#include <algorithm>
#include <array>
#include <cstring>
#include <set>
#include <thread>
#include <unordered_map>

#include "migrations.hpp"
#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"

namespace vgi::store::sqlite {

namespace {

using record::FromMicros;
using record::kHourSlotsBytes;
using record::kMinutesPerHour;
using record::ToMicros;

constexpr int kHoursPerDay = kMinutesPerDay / kMinutesPerHour;

// An hour row's points as vgi_hour_slots applies them: per point, u8 minute of the hour and i32
// centi-kW little-endian; later points win.
constexpr std::size_t kPatchEntry = 5;

// The points of one day slice, by hour.
struct HourPatches {
  std::array<std::string, kHoursPerDay> slots;  // kPatchEntry per point
  std::array<std::uint64_t, kHoursPerDay> written{};  // minutes of the hour the slice writes
  std::array<std::uint64_t, kHoursPerDay> present{};  // of those, the ones with a value
  std::uint32_t hours = 0;                            // bit h: hour h has points

  void Build(const PowerUpdate& u, const record::DaySlice& slice) {
    for (std::uint32_t h = hours; h != 0; h &= h - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(h));
      slots[i].clear();
      written[i] = present[i] = 0;
    }
    hours = 0;
    for (std::size_t i = slice.begin; i < slice.end; ++i) {
      const proto::PowerPoint& p = u.power.points[i];
      const int minute = proto::MinuteOfDay(p.point);
      const auto hour = static_cast<std::size_t>(minute / kMinutesPerHour);
      const int slot = minute % kMinutesPerHour;
      const auto value = static_cast<std::uint32_t>(p.power ? static_cast<std::int32_t>(p.power->units()) : 0);
      const char entry[kPatchEntry] = {static_cast<char>(slot), static_cast<char>(value & 0xff),
                                       static_cast<char>((value >> 8) & 0xff), static_cast<char>((value >> 16) & 0xff),
                                       static_cast<char>(value >> 24)};
      slots[hour].append(entry, kPatchEntry);
      const std::uint64_t bit = std::uint64_t{1} << slot;
      written[hour] |= bit;
      present[hour] = p.power ? (present[hour] | bit) : (present[hour] & ~bit);
      hours |= std::uint32_t{1} << hour;
    }
  }
};

// vgi_hour_slots(slots, patch): the row's new slots, computed inside the upsert from the stored
// ones (NULL or the wrong size starts from zeros).
void HourSlots(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  auto* out = static_cast<std::uint8_t*>(sqlite3_malloc64(kHourSlotsBytes));
  if (out == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  const auto* old = static_cast<const std::uint8_t*>(sqlite3_value_blob(argv[0]));
  if (old != nullptr && static_cast<std::size_t>(sqlite3_value_bytes(argv[0])) == kHourSlotsBytes) {
    std::memcpy(out, old, kHourSlotsBytes);
  } else {
    std::memset(out, 0, kHourSlotsBytes);
  }
  const auto* patch = static_cast<const std::uint8_t*>(sqlite3_value_blob(argv[1]));
  const auto n = static_cast<std::size_t>(sqlite3_value_bytes(argv[1])) / kPatchEntry;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* e = patch + i * kPatchEntry;
    if (e[0] < kMinutesPerHour) std::memcpy(out + std::size_t{e[0]} * 4, e + 1, 4);  // already little-endian
  }
  sqlite3_result_blob64(ctx, out, kHourSlotsBytes, sqlite3_free);
}

// vgi_hour_present(day_mask, hour): hour `hour`'s 60 bits of a 180-byte station-day mask (bit
// m % 8 of byte m / 8 for minute m of the day), as migration 0010 converts power_day.
void HourPresent(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  const auto* mask = static_cast<const std::uint8_t*>(sqlite3_value_blob(argv[0]));
  const auto bytes = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
  const std::int64_t hour = sqlite3_value_int64(argv[1]);
  std::uint64_t out = 0;
  if (mask != nullptr && hour >= 0 && hour < kHoursPerDay) {
    for (int m = 0; m < kMinutesPerHour; ++m) {
      const auto minute = static_cast<std::size_t>(hour * kMinutesPerHour + m);
      if (minute / 8 < bytes && (mask[minute / 8] >> (minute % 8) & 1U) != 0) out |= std::uint64_t{1} << m;
    }
  }
  sqlite3_result_int64(ctx, static_cast<std::int64_t>(out));
}

// Writes one day slice: one row per hour it has points in (hour 0 when it has none, so that its
// adjust powers are kept). `seq` is the last write_seq given; each row written takes the next.
Status ApplyPowerSlice(Connection& c, const PowerUpdate& u, const record::DaySlice& slice, std::int64_t now,
                       std::int64_t& seq) {
  thread_local HourPatches patches;
  patches.Build(u, slice);
  const std::uint32_t hours = patches.hours != 0 ? patches.hours : 1U;
  const std::int32_t day = record::DayNumber(slice.day);
  for (std::uint32_t h = hours; h != 0; h &= h - 1) {
    const auto hour = static_cast<std::size_t>(std::countr_zero(h));
    // UPDATE, then INSERT when there was no row: most minutes find their hour's row, and an
    // upsert would descend the key twice for them (the failed insert, then the update).
    const auto bind = [&](Stmt& s) {
      s.Text(1, u.operator_id).Int(2, day).Int(3, static_cast<std::int64_t>(hour)).Text(4, u.power.station_code);
      s.Int(5, u.power.adjust_top_power.units()).Int(6, u.power.adjust_bottom_power.units()).Int(7, now).Int(8, seq + 1);
      s.Int(9, static_cast<std::int64_t>(patches.written[hour])).Int(10, static_cast<std::int64_t>(patches.present[hour]));
      s.Blob(11, patches.slots[hour]);
    };
    {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE power_hour SET adjust_top=?5, adjust_bottom=?6, updated_at=?7,"
                                             " write_seq=?8, present=(present & ~?9) | ?10,"
                                             " slots=vgi_hour_slots(slots,?11)"
                                             " WHERE operator_id=?1 AND day=?2 AND hour=?3 AND station_code=?4",
                                             "Commit"));
      bind(s);
      VGI_RETURN_IF_ERROR(s.Run());
    }
    if (sqlite3_changes(c.db()) == 0) {
      // `?10 & ?9` is ?10 (present is a subset of written): both statements take all 11 values.
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO power_hour(operator_id, day, hour, station_code, adjust_top,"
                                             " adjust_bottom, updated_at, write_seq, present, slots)"
                                             " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?10 & ?9,vgi_hour_slots(NULL,?11))",
                                             "Commit"));
      bind(s);
      VGI_RETURN_IF_ERROR(s.Run());
    }
    ++seq;
  }
  return Status::Ok();
}

// Keeps the station's latest reading (LatestPower): replaced unless the stored one is later.
Status ApplyLatest(Connection& c, const PowerUpdate& u) {
  const std::optional<LatestPower> latest = record::LatestOf(u);
  if (!latest) return Status::Ok();
  VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO power_latest(operator_id, station_code, minute, centi_kw,"
                                         " adjust_top, adjust_bottom) VALUES(?1,?2,?3,?4,?5,?6)"
                                         " ON CONFLICT(operator_id, station_code) DO UPDATE SET minute=excluded.minute,"
                                         " centi_kw=excluded.centi_kw, adjust_top=excluded.adjust_top,"
                                         " adjust_bottom=excluded.adjust_bottom WHERE excluded.minute >= power_latest.minute",
                                         "Commit"));
  s.Text(1, latest->operator_id).Text(2, latest->station_code).Int(3, latest->at.minutes).Int(4, latest->power.units());
  return s.Int(5, latest->adjust_top_power.units()).Int(6, latest->adjust_bottom_power.units()).Run();
}

}  // namespace

int RegisterMigrationFunctions(sqlite3* db) {
  using Fn = void (*)(sqlite3_context*, int, sqlite3_value**);
  for (const auto& [name, fn] : {std::pair<const char*, Fn>{"vgi_hour_slots", &HourSlots},
                                 std::pair<const char*, Fn>{"vgi_hour_present", &HourPresent}}) {
    const int rc = sqlite3_create_function_v2(db, name, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                              nullptr, fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

Status RegisterPowerFunctions(Connection& c) {
  return RegisterMigrationFunctions(c.db()) == SQLITE_OK ? Status::Ok() : c.Error("open");
}

Status SqliteStore::Commit(const WriteBatch& batch) {
  if (batch.empty()) return Status::Ok();
  // Seal outside the writer's lock: it is CPU work the next group can overlap with.
  std::vector<std::string> sealed(batch.feedback.size());
  for (std::size_t i = 0; i < batch.feedback.size(); ++i) {
    const FeedbackRecord& f = batch.feedback[i];
    if (f.adjustment) {
      VGI_ASSIGN_OR_RETURN(sealed[i], record::SealAdjustmentChecked(*options_.sealer, f.operator_id, *f.adjustment, f.regulation_id));
    }
  }
  std::lock_guard lock(write_mu_);
  const std::int64_t now = NowMicros();
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(FromMicros(now)));
  return WriteTx("Commit", [&](Connection& c) -> Status {
    for (std::size_t i = 0; i < batch.request_keys.size(); ++i) {
      const RequestKey& k = batch.request_keys[i];
      if (k.operator_id.empty()) {
        return Status::Invalid("request_keys[" + std::to_string(i) + "].operator_id: must not be empty");
      }
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO request_key(operator_id, timestamp, seq, forget_after)"
                                             " VALUES(?,?,?,?) ON CONFLICT DO NOTHING",
                                             "Commit"));
      VGI_RETURN_IF_ERROR(s.Text(1, k.operator_id).Text(2, k.timestamp).Text(3, k.seq).Int(4, ToMicros(k.forget_after)).Run());
    }
    std::set<std::pair<std::string_view, std::int32_t>> operator_days;
    if (!batch.power.empty()) {
      // The last write_seq given, read and written in this transaction (another process may
      // write the file between two of ours).
      std::int64_t seq = 0;
      {
        VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT seq FROM power_write_seq WHERE id=0", "Commit"));
        VGI_RETURN_IF_ERROR(s.RowOrNotFound());
        seq = s.ColInt(0);
      }
      for (std::size_t i = 0; i < batch.power.size(); ++i) {
        const PowerUpdate& u = batch.power[i];
        VGI_ASSIGN_OR_RETURN(const auto slices, record::SliceByDay(u, i, today));
        for (const record::DaySlice& slice : slices) {
          VGI_RETURN_IF_ERROR(ApplyPowerSlice(c, u, slice, now, seq));
          operator_days.emplace(u.operator_id, record::DayNumber(slice.day));
        }
        VGI_RETURN_IF_ERROR(ApplyLatest(c, u));
      }
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE power_write_seq SET seq=? WHERE id=0", "Commit"));
      VGI_RETURN_IF_ERROR(s.Int(1, seq).Run());
    }
    for (const auto& [op, day] : operator_days) {
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO power_operator_day(operator_id, day, version) VALUES(?,?,1)"
                                             " ON CONFLICT(operator_id, day) DO UPDATE SET version=version+1",
                                             "Commit"));
      VGI_RETURN_IF_ERROR(s.Text(1, op).Int(2, day).Run());
    }
    for (std::size_t i = 0; i < batch.feedback.size(); ++i) {
      const FeedbackRecord& f = batch.feedback[i];
      VGI_RETURN_IF_ERROR(record::CheckFeedback(f, i));
      std::int64_t seq = 0;
      {
        VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM feedback"
                                               " WHERE operator_id=? AND regulation_id=?",
                                               "Commit"));
        VGI_RETURN_IF_ERROR(s.Text(1, f.operator_id).Text(2, f.regulation_id).RowOrNotFound());
        seq = s.ColInt(0);
      }
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO feedback(operator_id, regulation_id, seq, task_id, kind,"
                                             " status, sealed_adjustment, received_at) VALUES(?,?,?,?,?,?,?,?)",
                                             "Commit"));
      s.Text(1, f.operator_id).Text(2, f.regulation_id).Int(3, seq).Text(4, f.task_id).Int(5, static_cast<int>(f.kind));
      if (f.status) {
        s.Int(6, static_cast<int>(*f.status));
      } else {
        s.Null(6);
      }
      if (f.adjustment) {
        s.Blob(7, sealed[i]);
      } else {
        s.Null(7);
      }
      VGI_RETURN_IF_ERROR(s.Int(8, ToMicros(f.received_at)).Run());
    }
    return Status::Ok();
  });
}

namespace {

// An hour row's columns as the readers select them, from `col`.
#define VGI_HOUR_COLUMNS "hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq"

Status FoldHourRow(const Stmt& s, int col, StationDay& day, std::int64_t& latest_seq) {
  record::HourRow row;
  row.hour = s.ColInt(col);
  row.slots = s.ColBlob(col + 1);
  row.present = static_cast<std::uint64_t>(s.ColInt(col + 2));
  row.adjust_top = s.ColInt(col + 3);
  row.adjust_bottom = s.ColInt(col + 4);
  row.updated_at = FromMicros(s.ColInt(col + 5));
  row.write_seq = s.ColInt(col + 6);
  return record::FoldHourRow(row, "power_hour", day, latest_seq);
}

// One station-day, or nothing when it has no row. The key leads with the day: the IN list makes
// it 24 key probes.
Result<std::optional<StationDay>> ReadStationDay(Connection& c, std::string_view operator_id,
                                                 std::string_view station_code, proto::BeijingDate day,
                                                 std::string_view op) {
  VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT " VGI_HOUR_COLUMNS " FROM power_hour WHERE operator_id=?1 AND day=?2"
                                         " AND hour IN (0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23)"
                                         " AND station_code=?3",
                                         op));
  s.Text(1, operator_id).Int(2, record::DayNumber(day)).Text(3, station_code);
  std::optional<StationDay> out;
  std::int64_t latest = record::kNoWriteSeq;
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return out;
    if (!out) {
      out.emplace();
      out->operator_id = operator_id;
      out->station_code = station_code;
      out->day = day;
    }
    VGI_RETURN_IF_ERROR(FoldHourRow(s, 0, *out, latest));
  }
}

// Every station-day of the operator's day, by station code. The rows come hour by hour.
Status ReadStationDays(Connection& c, std::string_view operator_id, proto::BeijingDate day, std::vector<StationDay>& out) {
  VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT station_code, " VGI_HOUR_COLUMNS
                                         " FROM power_hour WHERE operator_id=? AND day=?",
                                         "ListStationDays"));
  s.Text(1, operator_id).Int(2, record::DayNumber(day));
  std::vector<StationDay> days;
  std::vector<std::int64_t> latest;
  std::unordered_map<std::string, std::size_t> index;
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) break;
    const std::string_view code = s.ColText(0);
    const auto [it, inserted] = index.try_emplace(std::string(code), days.size());
    if (inserted) {
      StationDay& d = days.emplace_back();
      d.operator_id = operator_id;
      d.station_code = code;
      d.day = day;
      latest.push_back(record::kNoWriteSeq);
    }
    VGI_RETURN_IF_ERROR(FoldHourRow(s, 1, days[it->second], latest[it->second]));
  }
  std::sort(days.begin(), days.end(),
            [](const StationDay& a, const StationDay& b) { return a.station_code < b.station_code; });
  out.insert(out.end(), std::make_move_iterator(days.begin()), std::make_move_iterator(days.end()));
  return Status::Ok();
}

}  // namespace

Result<std::optional<StationDay>> SqliteStore::GetStationDay(std::string_view operator_id,
                                                             std::string_view station_code, proto::BeijingDate day) {
  std::optional<StationDay> out;
  VGI_RETURN_IF_ERROR(ReadTx("GetStationDay", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(out, ReadStationDay(c, operator_id, station_code, day, "GetStationDay"));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<StationDay>> SqliteStore::ListStationDays(std::string_view operator_id, proto::BeijingDate day) {
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(
      ReadTx("ListStationDays", [&](Connection& c) -> Status { return ReadStationDays(c, operator_id, day, out); }));
  return out;
}

// 24 key probes per day (the key leads with the day).
Result<std::vector<StationDay>> SqliteStore::ReadStationDaysOn(std::string_view operator_id,
                                                               std::string_view station_code,
                                                               const std::vector<proto::BeijingDate>& sorted,
                                                               std::string_view op) {
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(ReadTx(op, [&](Connection& c) -> Status {
    out.clear();
    for (const proto::BeijingDate day : sorted) {
      VGI_ASSIGN_OR_RETURN(std::optional<StationDay> d, ReadStationDay(c, operator_id, station_code, day, op));
      if (d) out.push_back(std::move(*d));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<StationDay>> SqliteStore::ListStationHistory(std::string_view operator_id,
                                                                std::string_view station_code, proto::BeijingDate from,
                                                                proto::BeijingDate to) {
  VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
  std::vector<proto::BeijingDate> days;
  for (proto::BeijingDate d = from; !(to < d); d.days += 1) days.push_back(d);
  return ReadStationDaysOn(operator_id, station_code, days, "ListStationHistory");
}

Result<std::vector<StationDay>> SqliteStore::ListStationDaysOn(std::string_view operator_id,
                                                               std::string_view station_code,
                                                               std::span<const proto::BeijingDate> days) {
  VGI_ASSIGN_OR_RETURN(const std::vector<proto::BeijingDate> sorted, record::SortedDays(days));
  return ReadStationDaysOn(operator_id, station_code, sorted, "ListStationDaysOn");
}

Result<std::vector<OperatorDay>> SqliteStore::ListOperatorDays(std::string_view operator_id, proto::BeijingDate from,
                                                               proto::BeijingDate to) {
  VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
  std::vector<OperatorDay> out;
  struct Recomputed {
    std::size_t index;
    std::int64_t version;
  };
  std::vector<Recomputed> recomputed;
  // One read transaction: the versions and the station-days summed for stale ones are one
  // snapshot, so sums are never tagged with a version newer than their data.
  VGI_RETURN_IF_ERROR(ReadTx("ListOperatorDays", [&](Connection& c) -> Status {
    out.clear();
    recomputed.clear();
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT day, version, sums_version, sums FROM power_operator_day"
                                           " WHERE operator_id=? AND day BETWEEN ? AND ? ORDER BY day",
                                           "ListOperatorDays"));
    s.Text(1, operator_id).Int(2, record::DayNumber(from)).Int(3, record::DayNumber(to));
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) break;
      OperatorDay& d = out.emplace_back();
      d.operator_id = operator_id;
      VGI_ASSIGN_OR_RETURN(d.day, record::DateFromDayNumber(s.ColInt(0)));
      const std::int64_t version = s.ColInt(1);
      if (s.ColInt(2) == version && record::DecodeOperatorDay(s.ColBlob(3), d)) continue;
      if (auto cached = operator_days_.Get(operator_id, d.day, version)) {
        d = std::move(*cached);
        continue;
      }
      recomputed.push_back({out.size() - 1, version});
    }
    for (const Recomputed& r : recomputed) {
      std::vector<StationDay> days;
      VGI_RETURN_IF_ERROR(ReadStationDays(c, operator_id, out[r.index].day, days));
      out[r.index] = SumStationDays(operator_id, out[r.index].day, days);
      operator_days_.Put(operator_id, out[r.index].day, r.version, out[r.index]);
    }
    return Status::Ok();
  }));
  // Keep the sums of past days (today's change every minute). A failure here costs only the
  // next reader's recomputation, so the answer stands.
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(FromMicros(NowMicros())));
  if (std::any_of(recomputed.begin(), recomputed.end(), [&](const Recomputed& r) { return out[r.index].day < today; })) {
    std::lock_guard lock(write_mu_);
    (void)WriteTx("ListOperatorDays", [&](Connection& c) -> Status {
      for (const Recomputed& r : recomputed) {
        if (!(out[r.index].day < today)) continue;
        VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE power_operator_day SET sums_version=?1, sums=?2"
                                               " WHERE operator_id=?3 AND day=?4 AND version=?1",
                                               "ListOperatorDays"));
        const std::string sums = record::EncodeOperatorDay(out[r.index]);  // bound SQLITE_STATIC
        s.Int(1, r.version).Blob(2, sums).Text(3, operator_id);
        VGI_RETURN_IF_ERROR(s.Int(4, record::DayNumber(out[r.index].day)).Run());
      }
      return Status::Ok();
    });
  }
  std::erase_if(out, [](const OperatorDay& d) { return d.stations == 0; });
  return out;
}

Result<std::vector<LatestPower>> SqliteStore::ListLatestPower(std::string_view operator_id) {
  std::vector<LatestPower> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListLatestPower", [&](Connection& c) -> Status {
    // Two statements: an OR on the key would keep SQLite from using it for one operator.
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare(operator_id.empty()
                                               ? "SELECT operator_id, station_code, minute, centi_kw, adjust_top,"
                                                 " adjust_bottom FROM power_latest ORDER BY operator_id, station_code"
                                               : "SELECT operator_id, station_code, minute, centi_kw, adjust_top,"
                                                 " adjust_bottom FROM power_latest WHERE operator_id = ?1"
                                                 " ORDER BY operator_id, station_code",
                                           "ListLatestPower"));
    if (!operator_id.empty()) s.Text(1, operator_id);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(LatestPower{std::string(s.ColText(0)), std::string(s.ColText(1)), proto::BeijingMinute{s.ColInt(2)},
                                proto::Kilowatts::FromUnits(s.ColInt(3)), proto::Kilowatts::FromUnits(s.ColInt(4)),
                                proto::Kilowatts::FromUnits(s.ColInt(5))});
    }
  }));
  return out;
}

Result<std::vector<RequestKey>> SqliteStore::LoadRequestKeys() {
  const std::int64_t now = NowMicros();
  std::vector<RequestKey> out;
  VGI_RETURN_IF_ERROR(ReadTx("LoadRequestKeys", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT operator_id, timestamp, seq, forget_after FROM request_key"
                                           " WHERE forget_after > ? ORDER BY operator_id, timestamp, seq",
                                           "LoadRequestKeys"));
    s.Int(1, now);
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      out.push_back(RequestKey{std::string(s.ColText(0)), std::string(s.ColText(1)), std::string(s.ColText(2)),
                               FromMicros(s.ColInt(3))});
    }
  }));
  return out;
}

Result<std::int64_t> SqliteStore::PurgeRequestKeys() {
  // A minute of keys at 10 000 requests/s is 600 000 rows: deleted in one transaction, that
  // would hold the writer (and every group commit behind it) for a second or more. Chunks of
  // kPurgeChunk rows, each its own short transaction, let the commits in between.
  constexpr int kPurgeChunk = 1000;
  const std::int64_t now = NowMicros();
  std::int64_t purged = 0;
  for (;;) {
    std::int64_t deleted = 0;
    {
      std::lock_guard lock(write_mu_);
      VGI_RETURN_IF_ERROR(WriteTx("PurgeRequestKeys", [&](Connection& c) -> Status {
        VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("DELETE FROM request_key WHERE (operator_id, timestamp, seq) IN"
                                               " (SELECT operator_id, timestamp, seq FROM request_key"
                                               " WHERE forget_after <= ?1 ORDER BY forget_after LIMIT ?2)",
                                               "PurgeRequestKeys"));
        VGI_RETURN_IF_ERROR(s.Int(1, now).Int(2, kPurgeChunk).Run());
        deleted = sqlite3_changes64(c.db());
        return Status::Ok();
      }));
    }
    purged += deleted;
    if (deleted < kPurgeChunk) return purged;
    // std::mutex is not fair: without a pause this thread could take the writer's lock again
    // before the committer it just let in wakes up.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace vgi::store::sqlite
