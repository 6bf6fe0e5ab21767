// Power in PostgreSQL: one row per (operator, station, Beijing day, hour) holding 60 slots
// (migrations/postgres/0001_init.sql, power_hours), and each station's latest reading
// (power_latest). A Commit appends its power to power_pending; a fold (postgres_pending.cpp)
// writes a partition's pending updates here as one batch, with the statements built below. The
// readers at the end of this file merge the pending updates in.
//
// A batch may carry millions of stations' points. They are first folded in memory into one
// entry per hour row (later points of a minute overwrite earlier ones, in batch order; the day's
// adjust powers and time are the last update's), then written with one INSERT ... SELECT FROM
// unnest(...) ON CONFLICT DO UPDATE per chunk of rows: binary array parameters, one index probe
// per row.
//
// The update merges only the minutes the batch wrote: overlay() of the written run onto the
// stored slots, and bit operations on the present mask. ON CONFLICT's `excluded` row carries only
// table columns, so the merge finds its row's run through write_seq, whose low 20 bits are the
// row's ordinal in the statement: ($n::int4[])[ordinal] is an O(1) lookup in a fixed-width array
// parameter. A run must be contiguous; a row written at scattered minutes is written in several
// passes, one run per pass.
//
// Each operator-day a Commit writes gets its version bumped in the Commit's transaction
// (power_operator_days); ListOperatorDays recomputes the stored sums of days whose version moved.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "postgres_store_impl.hpp"

namespace vgi::store {
namespace {

using record::kHourSlotsBytes;
using record::kMinutesPerHour;
// Rows per statement: the ordinal must fit write_seq's low 20 bits, and a chunk's parameters
// stay a few tens of MB.
constexpr std::size_t kChunkRows = 100'000;
static_assert(kChunkRows < (std::size_t{1} << 20), "the ordinal must fit write_seq's low 20 bits");

struct RowKey {
  std::string_view op;
  std::string_view station;
  std::int32_t day;  // days since 1970-01-01 (Beijing date)
  std::int32_t hour;
  friend bool operator==(const RowKey&, const RowKey&) = default;
};

struct RowKeyHash {
  std::size_t operator()(const RowKey& k) const {
    const std::size_t h = std::hash<std::string_view>()(k.station);
    return h ^ (std::hash<std::string_view>()(k.op) * 31) ^ (static_cast<std::size_t>(k.day) * 0x9e3779b97f4a7c15ULL) ^
           static_cast<std::size_t>(k.hour) << 7;
  }
};

struct DayKey {
  std::string_view op;
  std::string_view station;
  std::int32_t day;
  friend bool operator==(const DayKey&, const DayKey&) = default;
};

struct DayKeyHash {
  std::size_t operator()(const DayKey& k) const {
    return std::hash<std::string_view>()(k.station) ^ (std::hash<std::string_view>()(k.op) * 31) ^
           (static_cast<std::size_t>(k.day) * 0x9e3779b97f4a7c15ULL);
  }
};

struct HourRow {
  RowKey key;
  std::size_t day_index = 0;  // into the adjust list
  std::uint64_t written = 0;  // minutes this batch wrote (bit m)
  std::uint64_t present = 0;  // of those, the ones with a value
  std::array<std::int32_t, kMinutesPerHour> slots{};
};

// The day's adjust powers and time: those of the batch's last update of the day.
struct Adjust {
  std::int64_t top = 0;
  std::int64_t bottom = 0;
  SystemTime at{};
};

void PutLe32(char* p, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  p[0] = static_cast<char>(u & 0xff);
  p[1] = static_cast<char>((u >> 8) & 0xff);
  p[2] = static_cast<char>((u >> 16) & 0xff);
  p[3] = static_cast<char>((u >> 24) & 0xff);
}

// The contiguous runs of set bits in `mask`, as [first, last + 1).
std::vector<std::pair<int, int>> Runs(std::uint64_t mask) {
  std::vector<std::pair<int, int>> runs;
  int m = 0;
  while (m < kMinutesPerHour) {
    if ((mask >> m & 1U) == 0) {
      ++m;
      continue;
    }
    const int start = m;
    while (m < kMinutesPerHour && (mask >> m & 1U) != 0) ++m;
    runs.emplace_back(start, m);
  }
  return runs;
}

}  // namespace

const char* const kPowerUpsertName = "vgi_power_upsert";
const char* const kPowerUpsertSql = R"sql(
WITH b AS MATERIALIZED (SELECT nextval('power_write_seq') * 1048576 AS base)
INSERT INTO power_hours AS t
  (operator_id, station_code, day, hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq)
SELECT s.op, s.st, s.day, s.hour, s.image, s.present, s.top, s.bottom, s.at, b.base + s.n
FROM b, unnest($1::text[], $2::text[], $3::date[], $4::int2[], $5::bytea[], $6::int8[], $7::int8[], $8::int8[],
               $9::timestamptz[])
          WITH ORDINALITY AS s(op, st, day, hour, image, present, top, bottom, at, n)
ON CONFLICT (operator_id, station_code, day, hour) DO UPDATE SET
  slots = overlay(t.slots
                  PLACING substring(excluded.slots FROM ($10::int4[])[(excluded.write_seq % 1048576)::int4]
                                                   FOR ($11::int4[])[(excluded.write_seq % 1048576)::int4])
                  FROM ($10::int4[])[(excluded.write_seq % 1048576)::int4]),
  present = (t.present & ~($12::int8[])[(excluded.write_seq % 1048576)::int4]) | excluded.present,
  adjust_top = excluded.adjust_top,
  adjust_bottom = excluded.adjust_bottom,
  updated_at = excluded.updated_at,
  write_seq = excluded.write_seq
)sql";

namespace {

// One statement's worth of (row, run) pairs.
class Chunk {
 public:
  Chunk()
      : op_(pg::kTextOid),
        st_(pg::kTextOid),
        day_(pg::kDateOid),
        hour_(pg::kInt2Oid),
        image_(pg::kByteaOid),
        present_(pg::kInt8Oid),
        top_(pg::kInt8Oid),
        bottom_(pg::kInt8Oid),
        at_(pg::kTimestamptzOid),
        off_(pg::kInt4Oid),
        len_(pg::kInt4Oid),
        written_(pg::kInt8Oid) {}

  void Add(const HourRow& r, const Adjust& a, int first, int end) {
    std::uint64_t run_mask = 0;
    std::array<char, kHourSlotsBytes> image{};
    for (int m = first; m < end; ++m) {
      run_mask |= std::uint64_t{1} << m;
      PutLe32(image.data() + 4 * m, r.slots[static_cast<std::size_t>(m)]);
    }
    op_.Add(r.key.op);
    st_.Add(r.key.station);
    day_.AddDate(r.key.day);
    hour_.AddInt16(static_cast<std::int16_t>(r.key.hour));
    image_.Add(std::string_view(image.data(), image.size()));
    present_.AddInt64(static_cast<std::int64_t>(r.present & run_mask));
    top_.AddInt64(a.top);
    bottom_.AddInt64(a.bottom);
    at_.AddTime(a.at);
    off_.AddInt32(4 * first + 1);
    len_.AddInt32(4 * (end - first));
    written_.AddInt64(static_cast<std::int64_t>(run_mask));
  }

  [[nodiscard]] std::size_t size() const { return op_.size(); }

  [[nodiscard]] pg::Params Finish() const {
    pg::Params p;
    p.Array(pg::kTextArrayOid, op_)
        .Array(pg::kTextArrayOid, st_)
        .Array(pg::kDateArrayOid, day_)
        .Array(pg::kInt2ArrayOid, hour_)
        .Array(pg::kByteaArrayOid, image_)
        .Array(pg::kInt8ArrayOid, present_)
        .Array(pg::kInt8ArrayOid, top_)
        .Array(pg::kInt8ArrayOid, bottom_)
        .Array(pg::kTimestamptzArrayOid, at_)
        .Array(pg::kInt4ArrayOid, off_)
        .Array(pg::kInt4ArrayOid, len_)
        .Array(pg::kInt8ArrayOid, written_);
    return p;
  }

 private:
  pg::ArrayBuilder op_, st_, day_, hour_, image_, present_, top_, bottom_, at_, off_, len_, written_;
};

}  // namespace

std::vector<pg::Params> PowerUpsertParams(const std::vector<PowerUpdate>& power,
                                          const std::vector<std::vector<record::DaySlice>>& slices,
                                          std::span<const SystemTime> times) {
  std::vector<pg::Params> statements;
  // Fold the batch into hour rows. Keys are views into `power`, which outlives this call.
  std::vector<HourRow> rows;
  std::unordered_map<RowKey, std::size_t, RowKeyHash> row_index;
  std::vector<Adjust> adjusts;
  std::unordered_map<DayKey, std::size_t, DayKeyHash> day_index;
  auto row_for = [&](const RowKey& key, std::size_t day) -> HourRow& {
    auto [it, inserted] = row_index.try_emplace(key, rows.size());
    if (inserted) {
      rows.emplace_back();
      rows.back().key = key;
      rows.back().day_index = day;
    }
    return rows[it->second];
  };

  for (std::size_t i = 0; i < power.size(); ++i) {
    const PowerUpdate& u = power[i];
    const std::string_view op = u.operator_id;
    const std::string_view station = u.power.station_code;
    for (const record::DaySlice& slice : slices[i]) {
      const DayKey dk{op, station, slice.day.days};
      auto [dit, inserted] = day_index.try_emplace(dk, adjusts.size());
      if (inserted) adjusts.emplace_back();
      // The day's adjust powers are the last update's: every row of the day written by this
      // batch carries them, and the row written last is the one read back.
      adjusts[dit->second] = Adjust{u.power.adjust_top_power.units(), u.power.adjust_bottom_power.units(), times[i]};
      if (slice.begin == slice.end) {
        // An update without points still records its adjust powers: touch the day's hour 0.
        (void)row_for(RowKey{op, station, slice.day.days, 0}, dit->second);
        continue;
      }
      HourRow* row = nullptr;
      for (std::size_t j = slice.begin; j < slice.end; ++j) {
        const proto::PowerPoint& p = u.power.points[j];
        const int minute = proto::MinuteOfDay(p.point);
        const int hour = minute / kMinutesPerHour;
        const int slot = minute % kMinutesPerHour;
        if (row == nullptr || row->key.hour != hour)
          row = &row_for(RowKey{op, station, slice.day.days, hour}, dit->second);
        const std::uint64_t bit = std::uint64_t{1} << slot;
        row->written |= bit;
        if (p.power.has_value()) {
          row->slots[static_cast<std::size_t>(slot)] = static_cast<std::int32_t>(p.power->units());
          row->present |= bit;
        } else {
          row->slots[static_cast<std::size_t>(slot)] = 0;  // missing: counts as 0 kW
          row->present &= ~bit;
        }
      }
    }
  }
  if (rows.empty()) return statements;

  // Key order: concurrent commits lock rows in the same order (no deadlocks).
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const RowKey& x = rows[a].key;
    const RowKey& y = rows[b].key;
    return std::tie(x.op, x.station, x.day, x.hour) < std::tie(y.op, y.station, y.day, y.hour);
  });
  std::vector<std::vector<std::pair<int, int>>> runs(rows.size());
  std::size_t passes = 1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    runs[i] = Runs(rows[i].written);
    if (runs[i].empty()) runs[i].emplace_back(0, 0);  // adjust-only touch
    passes = std::max(passes, runs[i].size());
  }

  for (std::size_t pass = 0; pass < passes; ++pass) {
    Chunk chunk;
    for (std::size_t i : order) {
      if (pass >= runs[i].size()) continue;
      chunk.Add(rows[i], adjusts[rows[i].day_index], runs[i][pass].first, runs[i][pass].second);
      if (chunk.size() == kChunkRows) {
        statements.push_back(chunk.Finish());
        chunk = Chunk();
      }
    }
    if (chunk.size() > 0) statements.push_back(chunk.Finish());
  }
  return statements;
}

const char* const kOperatorDayBumpName = "vgi_operator_day_bump";
const char* const kOperatorDayBumpSql = R"sql(
INSERT INTO power_operator_days AS t (operator_id, day, version)
SELECT op, day, 1 FROM unnest($1::text[], $2::date[]) AS s(op, day)
ON CONFLICT (operator_id, day) DO UPDATE SET version = t.version + 1
)sql";

std::optional<pg::Params> OperatorDayBumpParams(const std::vector<PowerUpdate>& power,
                                                const std::vector<std::vector<record::DaySlice>>& slices) {
  // Each (operator, day) once (ON CONFLICT may not touch a row twice), in key order like the
  // power rows so that concurrent commits lock them in the same order.
  std::set<std::pair<std::string_view, std::int32_t>> keys;
  for (std::size_t i = 0; i < power.size(); ++i) {
    for (const record::DaySlice& slice : slices[i]) keys.emplace(power[i].operator_id, slice.day.days);
  }
  if (keys.empty()) return std::nullopt;
  pg::ArrayBuilder op(pg::kTextOid), day(pg::kDateOid);
  for (const auto& [o, d] : keys) {
    op.Add(o);
    day.AddDate(d);
  }
  pg::Params p;
  p.Array(pg::kTextArrayOid, op).Array(pg::kDateArrayOid, day);
  return p;
}

const char* const kLatestUpsertName = "vgi_power_latest_upsert";
const char* const kLatestUpsertSql = R"sql(
INSERT INTO power_latest AS t (operator_id, station_code, minute, centi_kw, adjust_top, adjust_bottom)
SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[])
ON CONFLICT (operator_id, station_code) DO UPDATE SET
  minute = excluded.minute,
  centi_kw = excluded.centi_kw,
  adjust_top = excluded.adjust_top,
  adjust_bottom = excluded.adjust_bottom
WHERE excluded.minute >= t.minute
)sql";

std::optional<pg::Params> LatestUpsertParams(const std::vector<PowerUpdate>& power) {
  // One row per station (ON CONFLICT may not touch a row twice in one statement): the batch's
  // latest, a later update winning a tie as in the slots; key order like the power rows.
  std::map<std::pair<std::string_view, std::string_view>, LatestPower> latest;
  for (const PowerUpdate& u : power) {
    std::optional<LatestPower> l = record::LatestOf(u);
    if (!l) continue;
    auto [it, inserted] = latest.try_emplace({u.operator_id, u.power.station_code}, *l);
    if (!inserted && l->at >= it->second.at) it->second = std::move(*l);
  }
  if (latest.empty()) return std::nullopt;
  pg::ArrayBuilder op(pg::kTextOid), st(pg::kTextOid), minute(pg::kInt8Oid), kw(pg::kInt8Oid), top(pg::kInt8Oid),
      bottom(pg::kInt8Oid);
  for (const auto& [key, l] : latest) {
    op.Add(key.first);
    st.Add(key.second);
    minute.AddInt64(l.at.minutes);
    kw.AddInt64(l.power.units());
    top.AddInt64(l.adjust_top_power.units());
    bottom.AddInt64(l.adjust_bottom_power.units());
  }
  pg::Params p;
  p.Array(pg::kTextArrayOid, op)
      .Array(pg::kTextArrayOid, st)
      .Array(pg::kInt8ArrayOid, minute)
      .Array(pg::kInt8ArrayOid, kw)
      .Array(pg::kInt8ArrayOid, top)
      .Array(pg::kInt8ArrayOid, bottom);
  return p;
}

Result<std::vector<StationDay>> PostgresStore::ListStationDays(std::string_view operator_id, proto::BeijingDate day) {
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(Snapshot(*pool_, [&](pg::Connection& c) -> Status {
    out.clear();
    VGI_ASSIGN_OR_RETURN(
        pg::Rows r,
        c.Prepared("vgi_list_station_days",
                   "SELECT station_code, hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq "
                   "FROM power_hours WHERE operator_id = $1 AND day = $2 ORDER BY station_code, hour",
                   pg::Params().Text(operator_id).Date(day.days)));
    // Rows come grouped by station: each run of one code is one station-day.
    for (int begin = 0; begin < r.size();) {
      VGI_ASSIGN_OR_RETURN(std::string_view code, r.Bytes(begin, 0));
      int end = begin + 1;
      for (; end < r.size(); ++end) {
        VGI_ASSIGN_OR_RETURN(std::string_view next, r.Bytes(end, 0));
        if (next != code) break;
      }
      StationDay d;
      d.operator_id = operator_id;
      d.station_code = code;
      d.day = day;
      VGI_RETURN_IF_ERROR(ReadStationDayHours(r, begin, end, 1, d));
      out.push_back(std::move(d));
      begin = end;
    }
    VGI_ASSIGN_OR_RETURN(const PendingRows pending, PendingRows::Read(c, operator_id, {}));
    return MergeIntoDays(pending, [&](std::int32_t d) { return d == day.days; }, out);
  }));
  return out;
}

Result<std::vector<StationDay>> PostgresStore::ReadStationDaysOf(std::string_view operator_id,
                                                                 std::string_view station_code, const char* name,
                                                                 std::string_view sql, const pg::Params& params,
                                                                 const std::function<bool(std::int32_t)>& want_day) {
  std::vector<StationDay> out;
  VGI_RETURN_IF_ERROR(Snapshot(*pool_, [&](pg::Connection& c) -> Status {
    out.clear();
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c.Prepared(name, sql, params));
    // Rows come grouped by day: each run of one day is one station-day.
    for (int begin = 0; begin < r.size();) {
      VGI_ASSIGN_OR_RETURN(const std::int32_t day, r.Date(begin, 0));
      int end = begin + 1;
      for (; end < r.size(); ++end) {
        VGI_ASSIGN_OR_RETURN(const std::int32_t next, r.Date(end, 0));
        if (next != day) break;
      }
      StationDay d;
      d.operator_id = operator_id;
      d.station_code = station_code;
      d.day = proto::BeijingDate{day};
      VGI_RETURN_IF_ERROR(ReadStationDayHours(r, begin, end, 1, d));
      out.push_back(std::move(d));
      begin = end;
    }
    VGI_ASSIGN_OR_RETURN(const PendingRows pending, PendingRows::Read(c, operator_id, station_code));
    return MergeIntoDays(pending, want_day, out);  // one station: by day
  }));
  return out;
}

Result<std::optional<StationDay>> PostgresStore::GetStationDay(std::string_view operator_id,
                                                               std::string_view station_code, proto::BeijingDate day) {
  VGI_ASSIGN_OR_RETURN(
      std::vector<StationDay> days,
      ReadStationDaysOf(operator_id, station_code, "vgi_get_station_day",
                        "SELECT day, hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq "
                        "FROM power_hours WHERE operator_id = $1 AND station_code = $2 AND day = $3",
                        pg::Params().Text(operator_id).Text(station_code).Date(day.days),
                        [&](std::int32_t d) { return d == day.days; }));
  if (days.empty()) return std::optional<StationDay>();
  return std::optional<StationDay>(std::move(days.front()));
}

Result<std::vector<StationDay>> PostgresStore::ListStationHistory(std::string_view operator_id,
                                                                  std::string_view station_code,
                                                                  proto::BeijingDate from, proto::BeijingDate to) {
  VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
  return ReadStationDaysOf(operator_id, station_code, "vgi_list_station_history",
                           "SELECT day, hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq "
                           "FROM power_hours WHERE operator_id = $1 AND station_code = $2 AND day BETWEEN $3 AND $4 "
                           "ORDER BY day, hour",
                           pg::Params().Text(operator_id).Text(station_code).Date(from.days).Date(to.days),
                           [&](std::int32_t d) { return from.days <= d && d <= to.days; });
}

Result<std::vector<StationDay>> PostgresStore::ListStationDaysOn(std::string_view operator_id,
                                                                 std::string_view station_code,
                                                                 std::span<const proto::BeijingDate> days) {
  VGI_ASSIGN_OR_RETURN(const std::vector<proto::BeijingDate> sorted, record::SortedDays(days));
  pg::ArrayBuilder wanted(pg::kDateOid);
  for (const proto::BeijingDate d : sorted) wanted.AddDate(d.days);
  return ReadStationDaysOf(operator_id, station_code, "vgi_list_station_days_on",
                           "SELECT day, hour, slots, present, adjust_top, adjust_bottom, updated_at, write_seq "
                           "FROM power_hours WHERE operator_id = $1 AND station_code = $2 AND day = ANY($3::date[]) "
                           "ORDER BY day, hour",
                           pg::Params().Text(operator_id).Text(station_code).Array(pg::kDateArrayOid, wanted),
                           [&](std::int32_t d) {
                             return std::binary_search(sorted.begin(), sorted.end(), proto::BeijingDate{d});
                           });
}

Result<std::vector<OperatorDay>> PostgresStore::ListOperatorDays(std::string_view operator_id,
                                                                 proto::BeijingDate from, proto::BeijingDate to) {
  VGI_RETURN_IF_ERROR(record::CheckDayRange(from, to));
  std::vector<OperatorDay> out;
  struct Recomputed {
    std::size_t index;
    std::int64_t version;
  };
  std::vector<Recomputed> recomputed;
  {
    VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_list_operator_days",
                                                 "SELECT day, version, sums_version, sums FROM power_operator_days "
                                                 "WHERE operator_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
                                                 pg::Params().Text(operator_id).Date(from.days).Date(to.days)));
    for (int i = 0; i < r.size(); ++i) {
      OperatorDay& d = out.emplace_back();
      d.operator_id = operator_id;
      VGI_ASSIGN_OR_RETURN(d.day.days, r.Date(i, 0));
      VGI_ASSIGN_OR_RETURN(const std::int64_t version, r.Int64(i, 1));
      VGI_ASSIGN_OR_RETURN(const std::int64_t sums_version, r.Int64(i, 2));
      std::string_view sums;
      if (!r.IsNull(i, 3)) {
        VGI_ASSIGN_OR_RETURN(sums, r.Bytes(i, 3));
      }
      if (sums_version == version && record::DecodeOperatorDay(sums, d)) continue;
      if (auto cached = operator_days_.Get(operator_id, d.day, version)) {
        d = std::move(*cached);
        continue;
      }
      recomputed.push_back({out.size() - 1, version});
    }
  }
  // The station-days are read after the versions (READ COMMITTED): they are as new as the
  // version or newer, so sums are never tagged with a version newer than their data.
  for (const Recomputed& x : recomputed) {
    VGI_ASSIGN_OR_RETURN(auto days, ListStationDays(operator_id, out[x.index].day));
    out[x.index] = SumStationDays(operator_id, out[x.index].day, days);
    operator_days_.Put(operator_id, out[x.index].day, x.version, out[x.index]);
  }
  // Keep the sums of past days (today's change every minute). A failure here costs only the
  // next reader's recomputation, so the answer stands.
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(options_.clock->Now()));
  for (const Recomputed& x : recomputed) {
    if (!(out[x.index].day < today)) continue;
    auto c = pool_->Acquire();
    if (!c.ok()) break;
    (void)(*c)->Prepared("vgi_put_operator_day_sums",
                         "UPDATE power_operator_days SET sums_version = $1, sums = $2 "
                         "WHERE operator_id = $3 AND day = $4 AND version = $1",
                         pg::Params()
                             .Int64(x.version)
                             .Bytes(record::EncodeOperatorDay(out[x.index]))
                             .Text(operator_id)
                             .Date(out[x.index].day.days));
  }
  std::erase_if(out, [](const OperatorDay& d) { return d.stations == 0; });
  return out;
}

Result<std::vector<LatestPower>> PostgresStore::ListLatestPower(std::string_view operator_id) {
  std::vector<LatestPower> out;
  VGI_RETURN_IF_ERROR(Snapshot(*pool_, [&](pg::Connection& c) -> Status {
    out.clear();
    VGI_ASSIGN_OR_RETURN(
        pg::Rows r, operator_id.empty()
                        ? c.Prepared("vgi_list_latest_power_all",
                                     "SELECT operator_id, station_code, minute, centi_kw, adjust_top, adjust_bottom "
                                     "FROM power_latest ORDER BY operator_id, station_code",
                                     pg::Params())
                        : c.Prepared("vgi_list_latest_power",
                                     "SELECT operator_id, station_code, minute, centi_kw, adjust_top, adjust_bottom "
                                     "FROM power_latest WHERE operator_id = $1 ORDER BY operator_id, station_code",
                                     pg::Params().Text(operator_id)));
    out.reserve(static_cast<std::size_t>(r.size()));
    for (int i = 0; i < r.size(); ++i) {
      LatestPower l;
      VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 0));
      VGI_ASSIGN_OR_RETURN(std::string_view st, r.Bytes(i, 1));
      VGI_ASSIGN_OR_RETURN(std::int64_t minute, r.Int64(i, 2));
      VGI_ASSIGN_OR_RETURN(std::int64_t kw, r.Int64(i, 3));
      VGI_ASSIGN_OR_RETURN(std::int64_t top, r.Int64(i, 4));
      VGI_ASSIGN_OR_RETURN(std::int64_t bottom, r.Int64(i, 5));
      l.operator_id = op;
      l.station_code = st;
      l.at = proto::BeijingMinute{minute};
      l.power = proto::Kilowatts::FromUnits(kw);
      l.adjust_top_power = proto::Kilowatts::FromUnits(top);
      l.adjust_bottom_power = proto::Kilowatts::FromUnits(bottom);
      out.push_back(std::move(l));
    }
    VGI_ASSIGN_OR_RETURN(const PendingRows pending, PendingRows::Read(c, operator_id, {}));
    if (pending.empty()) return Status::Ok();
    PendingLatestMap latest;
    for (LatestPower& l : out) latest.try_emplace({l.operator_id, l.station_code}, std::move(l));
    VGI_RETURN_IF_ERROR(MergePendingLatest(pending, latest));
    out.clear();
    for (auto& [key, l] : latest) out.push_back(std::move(l));  // by (operator, station), COLLATE "C" order
    return Status::Ok();
  }));
  return out;
}

}  // namespace vgi::store
