// The SQLite store's group-committed writes (WriteBatch: power, feedback, replay keys) and their
// reads. A minute's power update is one UPDATE per station-day that patches the stored slots
// inside SQLite (vgi_patch_slots / vgi_patch_present below), or an INSERT for a new day; the
// operator-day it wrote gets its version bumped (power_operator_day, read by ListOperatorDays).
#include <algorithm>
#include <cstring>
#include <set>
#include <thread>

#include "record_codec.hpp"
#include "sqlite_store_impl.hpp"

namespace vgi::store::sqlite {

namespace {

using record::FromMicros;
using record::ToMicros;

// A station-day's points as SQL functions apply them (PatchSlots / PatchPresent): per point,
// u16 minute of day, i32 centi-kW and u8 present, little-endian; later points win.
constexpr std::size_t kPatchEntry = 7;

void BuildPatch(const PowerUpdate& u, const record::DaySlice& slice, std::string& patch) {
  patch.clear();
  for (std::size_t i = slice.begin; i < slice.end; ++i) {
    const proto::PowerPoint& p = u.power.points[i];
    const auto slot = static_cast<std::uint16_t>(proto::MinuteOfDay(p.point));
    const auto value = static_cast<std::uint32_t>(p.power ? static_cast<std::int32_t>(p.power->units()) : 0);
    const char entry[kPatchEntry] = {static_cast<char>(slot & 0xff), static_cast<char>(slot >> 8),
                                     static_cast<char>(value & 0xff), static_cast<char>((value >> 8) & 0xff),
                                     static_cast<char>((value >> 16) & 0xff), static_cast<char>(value >> 24),
                                     static_cast<char>(p.power ? 1 : 0)};
    patch.append(entry, kPatchEntry);
  }
}

// vgi_patch_slots(slots, patch) and vgi_patch_present(present, patch): the column's new value,
// computed inside the UPDATE from the stored one (NULL or the wrong size starts from zeros). One
// statement per station-day, and the 6 KB row is copied once, into the new record; SQLite then
// writes back only the pages whose bytes changed.
void PatchColumn(sqlite3_context* ctx, sqlite3_value** argv, std::size_t size, bool slots) {
  auto* out = static_cast<std::uint8_t*>(sqlite3_malloc64(size));
  if (out == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  const auto* old = static_cast<const std::uint8_t*>(sqlite3_value_blob(argv[0]));
  if (old != nullptr && static_cast<std::size_t>(sqlite3_value_bytes(argv[0])) == size) {
    std::memcpy(out, old, size);
  } else {
    std::memset(out, 0, size);
  }
  const auto* patch = static_cast<const std::uint8_t*>(sqlite3_value_blob(argv[1]));
  const auto n = static_cast<std::size_t>(sqlite3_value_bytes(argv[1])) / kPatchEntry;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* e = patch + i * kPatchEntry;
    const std::size_t slot = std::size_t{e[0]} | (std::size_t{e[1]} << 8);
    if (slot >= static_cast<std::size_t>(kMinutesPerDay)) continue;
    if (slots) {
      std::memcpy(out + slot * 4, e + 2, 4);  // already little-endian
    } else {
      const auto bit = static_cast<std::uint8_t>(1U << (slot % 8));
      out[slot / 8] = e[6] != 0 ? static_cast<std::uint8_t>(out[slot / 8] | bit) : static_cast<std::uint8_t>(out[slot / 8] & ~bit);
    }
  }
  sqlite3_result_blob64(ctx, out, size, sqlite3_free);
}

void PatchSlots(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  PatchColumn(ctx, argv, record::kSlotsBytes, true);
}
void PatchPresent(sqlite3_context* ctx, int /*argc*/, sqlite3_value** argv) {
  PatchColumn(ctx, argv, record::kPresentBytes, false);
}

Status ApplyPowerSlice(Connection& c, const PowerUpdate& u, const record::DaySlice& slice, std::int64_t now) {
  thread_local std::string patch;
  BuildPatch(u, slice, patch);
  const std::int32_t day = record::DayNumber(slice.day);
  {
    VGI_ASSIGN_OR_RETURN(Stmt upd, c.Prepare("UPDATE power_day SET adjust_top=?1, adjust_bottom=?2, updated_at=?3,"
                                             " present=vgi_patch_present(present, ?4), slots=vgi_patch_slots(slots, ?4)"
                                             " WHERE operator_id=?5 AND station_code=?6 AND day=?7",
                                             "Commit"));
    upd.Int(1, u.power.adjust_top_power.units()).Int(2, u.power.adjust_bottom_power.units()).Int(3, now);
    upd.Blob(4, patch).Text(5, u.operator_id).Text(6, u.power.station_code).Int(7, day);
    VGI_RETURN_IF_ERROR(upd.Run());
    if (sqlite3_changes(c.db()) > 0) return Status::Ok();
  }
  VGI_ASSIGN_OR_RETURN(Stmt ins, c.Prepare("INSERT INTO power_day(operator_id, station_code, day, adjust_top,"
                                           " adjust_bottom, updated_at, present, slots)"
                                           " VALUES(?1,?2,?3,?4,?5,?6,vgi_patch_present(NULL, ?7),"
                                           " vgi_patch_slots(NULL, ?7))",
                                           "Commit"));
  ins.Text(1, u.operator_id).Text(2, u.power.station_code).Int(3, day);
  ins.Int(4, u.power.adjust_top_power.units()).Int(5, u.power.adjust_bottom_power.units()).Int(6, now);
  return ins.Blob(7, patch).Run();
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

Status RegisterPowerFunctions(Connection& c) {
  for (const auto& [name, fn] : {std::pair{"vgi_patch_slots", &PatchSlots}, std::pair{"vgi_patch_present", &PatchPresent}}) {
    if (sqlite3_create_function_v2(c.db(), name, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr, fn,
                                   nullptr, nullptr, nullptr) != SQLITE_OK) {
      return c.Error("open");
    }
  }
  return Status::Ok();
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
    for (std::size_t i = 0; i < batch.power.size(); ++i) {
      const PowerUpdate& u = batch.power[i];
      VGI_ASSIGN_OR_RETURN(const auto slices, record::SliceByDay(u, i, today));
      for (const record::DaySlice& slice : slices) {
        VGI_RETURN_IF_ERROR(ApplyPowerSlice(c, u, slice, now));
        operator_days.emplace(u.operator_id, record::DayNumber(slice.day));
      }
      VGI_RETURN_IF_ERROR(ApplyLatest(c, u));
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

void ReadStationDay(const Stmt& s, int col, StationDay& d) {
  d.adjust_top_power = proto::Kilowatts::FromUnits(s.ColInt(col));
  d.adjust_bottom_power = proto::Kilowatts::FromUnits(s.ColInt(col + 1));
  d.updated_at = FromMicros(s.ColInt(col + 2));
  const std::string_view present = s.ColBlob(col + 3);
  const std::string_view slots = s.ColBlob(col + 4);
  record::UnpackDay({reinterpret_cast<const std::uint8_t*>(slots.data()), slots.size()},
                    {reinterpret_cast<const std::uint8_t*>(present.data()), present.size()}, d);
}

Result<std::optional<StationDay>> SqliteStore::GetStationDay(std::string_view operator_id,
                                                             std::string_view station_code, proto::BeijingDate day) {
  std::optional<StationDay> out;
  VGI_RETURN_IF_ERROR(ReadTx("GetStationDay", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT adjust_top, adjust_bottom, updated_at, present, slots FROM power_day"
                                           " WHERE operator_id=? AND station_code=? AND day=?",
                                           "GetStationDay"));
    VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, operator_id).Text(2, station_code).Int(3, record::DayNumber(day)).Step());
    if (!row) return Status::Ok();
    StationDay d;
    d.operator_id = operator_id;
    d.station_code = station_code;
    d.day = day;
    ReadStationDay(s, 0, d);
    out = std::move(d);
    return Status::Ok();
  }));
  return out;
}

namespace {

// Every station-day of the operator's day, by station code.
Status ReadStationDays(Connection& c, std::string_view operator_id, proto::BeijingDate day, std::vector<StationDay>& out) {
  VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT station_code, adjust_top, adjust_bottom, updated_at, present, slots"
                                         " FROM power_day INDEXED BY power_day_by_day"
                                         " WHERE operator_id=? AND day=? ORDER BY station_code",
                                         "ListStationDays"));
  s.Text(1, operator_id).Int(2, record::DayNumber(day));
  for (;;) {
    VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return Status::Ok();
    StationDay d;
    d.operator_id = operator_id;
    d.station_code = s.ColText(0);
    d.day = day;
    ReadStationDay(s, 1, d);
    out.push_back(std::move(d));
  }
}

}  // namespace

Result<std::vector<StationDay>> SqliteStore::ListStationDays(std::string_view operator_id, proto::BeijingDate day) {
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(
      ReadTx("ListStationDays", [&](Connection& c) -> Status { return ReadStationDays(c, operator_id, day, out); }));
  return out;
}

Result<std::vector<StationDay>> SqliteStore::ListStationHistory(std::string_view operator_id,
                                                                std::string_view station_code, proto::BeijingDate from,
                                                                proto::BeijingDate to) {
  VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListStationHistory", [&](Connection& c) -> Status {
    VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT day, adjust_top, adjust_bottom, updated_at, present, slots FROM power_day"
                                           " WHERE operator_id=? AND station_code=? AND day BETWEEN ? AND ? ORDER BY day",
                                           "ListStationHistory"));
    s.Text(1, operator_id).Text(2, station_code).Int(3, record::DayNumber(from)).Int(4, record::DayNumber(to));
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const bool row, s.Step());
      if (!row) return Status::Ok();
      StationDay d;
      d.operator_id = operator_id;
      d.station_code = station_code;
      VGI_ASSIGN_OR_RETURN(d.day, record::DateFromDayNumber(s.ColInt(0)));
      ReadStationDay(s, 1, d);
      out.push_back(std::move(d));
    }
  }));
  return out;
}

Result<std::vector<StationDay>> SqliteStore::ListStationDaysOn(std::string_view operator_id,
                                                               std::string_view station_code,
                                                               std::span<const proto::BeijingDate> days) {
  VGI_ASSIGN_OR_RETURN(const std::vector<proto::BeijingDate> sorted, record::SortedDays(days));
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(ReadTx("ListStationDaysOn", [&](Connection& c) -> Status {
    out.clear();
    for (const proto::BeijingDate day : sorted) {  // one primary-key probe each
      VGI_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT adjust_top, adjust_bottom, updated_at, present, slots FROM power_day"
                                             " WHERE operator_id=? AND station_code=? AND day=?",
                                             "ListStationDaysOn"));
      VGI_ASSIGN_OR_RETURN(const bool row, s.Text(1, operator_id).Text(2, station_code).Int(3, record::DayNumber(day)).Step());
      if (!row) continue;
      StationDay& d = out.emplace_back();
      d.operator_id = operator_id;
      d.station_code = station_code;
      d.day = day;
      ReadStationDay(s, 0, d);
    }
    return Status::Ok();
  }));
  return out;
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
