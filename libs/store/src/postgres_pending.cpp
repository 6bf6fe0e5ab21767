// Pending power (migrations/postgres/0010_power_pending.sql): Commit appends each operator's
// updates as one power_pending row per partition; FoldPendingPart writes a partition's rows into
// power_hours and power_latest in one batch and deletes them; readers merge pending rows on top
// of folded ones (postgres_power.cpp).
//
// Body format (little-endian), one entry per station update in batch order:
//   u16 code length, code bytes, i64 adjust top, i64 adjust bottom (centi-kW), u32 point count,
//   then per point: i64 Beijing minute, u8 1 = a value follows / 0 = null, i64 centi-kW (0 if null).
// credit_code is not kept (sensitive, and not part of the stored power).
#include <algorithm>
#include <map>

#include "postgres_store_impl.hpp"

namespace vgi::store {
namespace {

constexpr std::size_t kPointBytes = 8 + 1 + 8;

void PutLe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool Le(int bytes, std::uint64_t& v) {
    if (s_.size() < static_cast<std::size_t>(bytes)) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(s_[i])} << (8 * i);
    s_.remove_prefix(static_cast<std::size_t>(bytes));
    return true;
  }
  bool Take(std::size_t n, std::string_view& out) {
    if (s_.size() < n) return false;
    out = s_.substr(0, n);
    s_.remove_prefix(n);
    return true;
  }
  [[nodiscard]] bool done() const { return s_.empty(); }

 private:
  std::string_view s_;
};

Status Malformed(std::string_view operator_id) {
  return Status::Internal("power_pending: a malformed body for operator " + std::string(operator_id) +
                          " (the database is damaged; restore it from a backup)");
}

proto::BeijingDate DayOf(SystemTime t) { return proto::DateOf(proto::ToBeijingMinute(t)); }

}  // namespace

int PendingPartOf(std::string_view station_code) {
  // FNV-1a: stable across builds and processes (std::hash is not), as stored rows depend on it.
  std::uint32_t h = 2166136261U;
  for (const char ch : station_code) {
    h ^= static_cast<unsigned char>(ch);
    h *= 16777619U;
  }
  return static_cast<int>(h % kPendingParts);
}

void AppendPendingEntry(const proto::StationPower& p, std::string& body) {
  PutLe(body, p.station_code.size(), 2);
  body.append(p.station_code);
  PutLe(body, static_cast<std::uint64_t>(p.adjust_top_power.units()), 8);
  PutLe(body, static_cast<std::uint64_t>(p.adjust_bottom_power.units()), 8);
  PutLe(body, p.points.size(), 4);
  for (const proto::PowerPoint& pt : p.points) {
    PutLe(body, static_cast<std::uint64_t>(pt.point.minutes), 8);
    body.push_back(pt.power ? '\1' : '\0');
    PutLe(body, static_cast<std::uint64_t>(pt.power ? pt.power->units() : 0), 8);
  }
}

Status DecodePendingBody(std::string_view body, std::string_view operator_id, std::string_view station,
                         const std::function<Status(const PowerUpdate&)>& visit) {
  // One update object reused for every entry: a reader visits millions without allocating each.
  PowerUpdate u;
  u.operator_id = operator_id;
  Reader r(body);
  while (!r.done()) {
    std::uint64_t len = 0, top = 0, bottom = 0, n = 0;
    std::string_view code;
    if (!r.Le(2, len) || !r.Take(len, code) || !r.Le(8, top) || !r.Le(8, bottom) || !r.Le(4, n)) {
      return Malformed(operator_id);
    }
    std::string_view points;
    if (!r.Take(n * kPointBytes, points)) return Malformed(operator_id);
    if (!station.empty() && code != station) continue;
    u.power.station_code = code;
    u.power.adjust_top_power = proto::Kilowatts::FromUnits(static_cast<std::int64_t>(top));
    u.power.adjust_bottom_power = proto::Kilowatts::FromUnits(static_cast<std::int64_t>(bottom));
    u.power.points.resize(n);
    Reader pr(points);
    for (proto::PowerPoint& pt : u.power.points) {
      std::uint64_t minute = 0, has = 0, units = 0;
      (void)pr.Le(8, minute);
      (void)pr.Le(1, has);
      (void)pr.Le(8, units);
      pt.point = proto::BeijingMinute{static_cast<std::int64_t>(minute)};
      pt.power.reset();
      if (has == 1) pt.power = proto::Kilowatts::FromUnits(static_cast<std::int64_t>(units));
    }
    VGI_RETURN_IF_ERROR(visit(u));
  }
  return Status::Ok();
}

std::optional<pg::Params> PendingInsertParams(const std::vector<PowerUpdate>& power, SystemTime now) {
  if (power.empty()) return std::nullopt;
  // One body per (operator, partition), entries in batch order (a station is in one partition,
  // so its updates keep their order).
  std::map<std::pair<std::string_view, int>, std::pair<std::int64_t, std::string>> bodies;
  for (const PowerUpdate& u : power) {
    auto& [points, body] = bodies[{u.operator_id, PendingPartOf(u.power.station_code)}];
    points += std::max<std::int64_t>(1, static_cast<std::int64_t>(u.power.points.size()));
    AppendPendingEntry(u.power, body);
  }
  pg::ArrayBuilder op(pg::kTextOid), part(pg::kInt2Oid), points(pg::kInt4Oid), body(pg::kByteaOid);
  for (const auto& [key, value] : bodies) {
    op.Add(key.first);
    part.AddInt16(static_cast<std::int16_t>(key.second));
    // A body is at most a batch (a few requests of <= 8 MiB each): far below 2^31 points.
    points.AddInt32(static_cast<std::int32_t>(value.first));
    body.Add(value.second);
  }
  pg::Params p;
  p.Array(pg::kTextArrayOid, op)
      .Array(pg::kInt2ArrayOid, part)
      .Array(pg::kInt4ArrayOid, points)
      .Array(pg::kByteaArrayOid, body)
      .Time(now);
  return p;
}

const char* const kPendingInsertName = "vgi_power_pending_insert";
const char* const kPendingInsertSql =
    "INSERT INTO power_pending (operator_id, part, committed_at, points, body) "
    "SELECT op, part, $5, n, body FROM unnest($1::text[], $2::int2[], $3::int4[], $4::bytea[]) AS s(op, part, n, body)";

Status Snapshot(pg::Pool& pool, const std::function<Status(pg::Connection&)>& body) {
  return pool.Transaction([&](pg::Connection& c) -> Status {
    VGI_RETURN_IF_ERROR(c.Run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    return body(c);
  });
}

Result<PendingRows> PendingRows::Read(pg::Connection& c, std::string_view operator_id, std::string_view station) {
  Result<pg::Rows> rows = [&]() -> Result<pg::Rows> {
    if (operator_id.empty()) {
      return c.Prepared("vgi_pending_all", "SELECT operator_id, committed_at, body FROM power_pending ORDER BY seq",
                        pg::Params());
    }
    if (station.empty()) {
      return c.Prepared("vgi_pending_operator",
                        "SELECT operator_id, committed_at, body FROM power_pending WHERE operator_id = $1 "
                        "ORDER BY seq",
                        pg::Params().Text(operator_id));
    }
    return c.Prepared("vgi_pending_station",
                      "SELECT operator_id, committed_at, body FROM power_pending WHERE operator_id = $1 AND part = $2 "
                      "ORDER BY seq",
                      pg::Params().Text(operator_id).Int16(static_cast<std::int16_t>(PendingPartOf(station))));
  }();
  if (!rows.ok()) return rows.status();
  return PendingRows(std::move(rows).value(), std::string(station));
}

Status PendingRows::ForEach(const std::function<Status(const PowerUpdate&, SystemTime)>& visit) const {
  for (int i = 0; i < rows_.size(); ++i) {
    VGI_ASSIGN_OR_RETURN(std::string_view op, rows_.Bytes(i, 0));
    VGI_ASSIGN_OR_RETURN(SystemTime at, rows_.Time(i, 1));
    VGI_ASSIGN_OR_RETURN(std::string_view body, rows_.Bytes(i, 2));
    VGI_RETURN_IF_ERROR(DecodePendingBody(body, op, station_, [&](const PowerUpdate& u) { return visit(u, at); }));
  }
  return Status::Ok();
}

namespace {

using PendingDayMap = std::map<std::pair<std::string, std::int32_t>, StationDay>;

Status MergePendingDays(const PendingRows& pending, const std::function<bool(std::int32_t)>& want_day,
                        PendingDayMap& days) {
  return pending.ForEach([&](const PowerUpdate& u, SystemTime at) -> Status {
    auto slices = record::SliceByDay(u, 0, DayOf(at));
    if (!slices.ok()) return Status::Internal("power_pending: " + slices.status().message());
    for (const record::DaySlice& slice : *slices) {
      if (!want_day(slice.day.days)) continue;
      auto [it, inserted] = days.try_emplace({u.power.station_code, slice.day.days});
      StationDay& d = it->second;
      if (inserted) {
        d.operator_id = u.operator_id;
        d.station_code = u.power.station_code;
        d.day = slice.day;
      }
      for (std::size_t j = slice.begin; j < slice.end; ++j) {
        const proto::PowerPoint& p = u.power.points[j];
        const auto m = static_cast<std::size_t>(proto::MinuteOfDay(p.point));
        d.centi_kw[m] = p.power ? static_cast<std::int32_t>(p.power->units()) : 0;
        d.present.set(m, p.power.has_value());
      }
      d.adjust_top_power = u.power.adjust_top_power;
      d.adjust_bottom_power = u.power.adjust_bottom_power;
      d.updated_at = at;
    }
    return Status::Ok();
  });
}

}  // namespace

Status MergeIntoDays(const PendingRows& pending, const std::function<bool(std::int32_t)>& want_day,
                     std::vector<StationDay>& days) {
  if (pending.empty()) return Status::Ok();
  PendingDayMap merged;
  for (StationDay& d : days) merged.try_emplace({d.station_code, d.day.days}, std::move(d));
  VGI_RETURN_IF_ERROR(MergePendingDays(pending, want_day, merged));
  days.clear();
  days.reserve(merged.size());
  for (auto& [key, d] : merged) days.push_back(std::move(d));
  return Status::Ok();
}

Status MergePendingLatest(const PendingRows& pending, PendingLatestMap& latest) {
  return pending.ForEach([&](const PowerUpdate& u, SystemTime) -> Status {
    std::optional<LatestPower> l = record::LatestOf(u);
    if (!l) return Status::Ok();
    auto [it, inserted] = latest.try_emplace({u.operator_id, u.power.station_code}, *l);
    if (!inserted && l->at >= it->second.at) it->second = std::move(*l);
    return Status::Ok();
  });
}

Result<std::size_t> PostgresStore::FoldPendingPart(int part, bool wait) {
  std::size_t folded = 0;
  VGI_RETURN_IF_ERROR(pool_->Transaction([&](pg::Connection& c) -> Status {
    folded = 0;
    // One fold of a partition at a time, across processes: two would apply the same rows twice,
    // the second on top of newer data. The lock is keyed by schema and partition (stores in other
    // schemas of the database fold on their own).
    VGI_ASSIGN_OR_RETURN(
        pg::Rows lock,
        wait ? c.Prepared("vgi_pending_fold_lock_wait",
                          "SELECT true FROM (SELECT pg_advisory_xact_lock(hashtext('vgi-fold ' || current_schema()), "
                          "$1)) l",
                          pg::Params().Int32(part))
             : c.Prepared("vgi_pending_fold_lock_try",
                          "SELECT pg_try_advisory_xact_lock(hashtext('vgi-fold ' || current_schema()), $1)",
                          pg::Params().Int32(part)));
    VGI_ASSIGN_OR_RETURN(const bool locked, lock.Bool(0, 0));
    if (!locked) return Status::Ok();
    // The oldest rows up to FoldPoints() points (at least one row).
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c.Prepared("vgi_pending_fold_read",
                                                "SELECT operator_id, seq, committed_at, body FROM ("
                                                "  SELECT operator_id, seq, committed_at, body, "
                                                "         sum(points) OVER (ORDER BY seq) - points AS before "
                                                "  FROM power_pending WHERE part = $1) p "
                                                "WHERE before < $2 ORDER BY seq",
                                                pg::Params()
                                                    .Int16(static_cast<std::int16_t>(part))
                                                    .Int64(FoldPoints())));
    if (r.size() == 0) return Status::Ok();
    struct {
      std::vector<PowerUpdate> updates;
      std::vector<SystemTime> times;
    } pending;
    // Delete exactly the rows read: a commit that took a smaller seq but committed after this
    // snapshot stays pending for the next fold.
    pg::ArrayBuilder seqs(pg::kInt8Oid);
    for (int i = 0; i < r.size(); ++i) {
      VGI_ASSIGN_OR_RETURN(std::string_view op, r.Bytes(i, 0));
      VGI_ASSIGN_OR_RETURN(std::int64_t seq, r.Int64(i, 1));
      VGI_ASSIGN_OR_RETURN(SystemTime at, r.Time(i, 2));
      VGI_ASSIGN_OR_RETURN(std::string_view body, r.Bytes(i, 3));
      VGI_RETURN_IF_ERROR(DecodePendingBody(body, op, {}, [&](const PowerUpdate& u) {
        pending.updates.push_back(u);
        pending.times.push_back(at);
        return Status::Ok();
      }));
      seqs.AddInt64(seq);
    }
    std::vector<std::vector<record::DaySlice>> slices;
    slices.reserve(pending.updates.size());
    for (std::size_t i = 0; i < pending.updates.size(); ++i) {
      auto s = record::SliceByDay(pending.updates[i], i, DayOf(pending.times[i]));
      if (!s.ok()) return Status::Internal("power_pending: " + s.status().message());
      slices.push_back(std::move(*s));
    }
    for (const pg::Params& p : PowerUpsertParams(pending.updates, slices, pending.times)) {
      VGI_RETURN_IF_ERROR(c.Prepared(kPowerUpsertName, kPowerUpsertSql, p).status());
    }
    if (std::optional<pg::Params> latest = LatestUpsertParams(pending.updates)) {
      VGI_RETURN_IF_ERROR(c.Prepared(kLatestUpsertName, kLatestUpsertSql, *latest).status());
    }
    VGI_RETURN_IF_ERROR(c.Prepared("vgi_pending_fold_delete",
                                   "DELETE FROM power_pending WHERE part = $1 AND seq = ANY($2::int8[])",
                                   pg::Params()
                                       .Int16(static_cast<std::int16_t>(part))
                                       .Array(pg::kInt8ArrayOid, seqs))
                           .status());
    folded = pending.updates.size();
    return Status::Ok();
  }));
  return folded;
}

Result<std::size_t> PostgresStore::FoldPendingPower() {
  std::size_t folded = 0;
  for (int part = 0; part < kPendingParts; ++part) {
    // In steps of FoldPoints(), waiting for a fold of the partition elsewhere; 0 when it is empty.
    for (;;) {
      VGI_ASSIGN_OR_RETURN(const std::size_t n, FoldPendingPart(part, /*wait=*/true));
      if (n == 0) break;
      folded += n;
    }
  }
  return folded;
}

Result<std::size_t> PostgresStore::FoldDuePendingPower() {
  struct Due {
    int part;
    std::int64_t points;
    SystemTime oldest;
  };
  std::vector<Due> parts;
  {
    VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, pool_->Acquire());
    VGI_ASSIGN_OR_RETURN(pg::Rows r, c->Prepared("vgi_pending_due",
                                                 "SELECT part, sum(points)::int8, min(committed_at) FROM power_pending "
                                                 "GROUP BY part",
                                                 pg::Params()));
    for (int i = 0; i < r.size(); ++i) {
      Due& d = parts.emplace_back();
      VGI_ASSIGN_OR_RETURN(const std::int64_t part, r.Int64(i, 0));
      d.part = static_cast<int>(part);
      VGI_ASSIGN_OR_RETURN(d.points, r.Int64(i, 1));
      VGI_ASSIGN_OR_RETURN(d.oldest, r.Time(i, 2));
    }
  }
  const SystemTime now = options_.clock->Now();
  std::size_t folded = 0;
  for (const Due& d : parts) {
    if (folder_stop_) break;  // the store is going away: what is left stays pending
    if (d.points < FoldPoints() && now - d.oldest < pg_options_.fold_after) continue;
    VGI_ASSIGN_OR_RETURN(const std::size_t n, FoldPendingPart(d.part, /*wait=*/false));
    folded += n;
  }
  return folded;
}

void PostgresStore::StartFolder() {
  folder_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(folder_mu_);
    bool failing = false;                           // since the last success
    std::chrono::steady_clock::time_point reported;  // when a failure was last reported
    while (!folder_stop_) {
      folder_cv_.wait_for(lock, pg_options_.fold_check_every, [this] { return folder_stop_.load(); });
      if (folder_stop_) break;
      lock.unlock();
      // A failure leaves the rows pending (readers still see them); the next round retries.
      const Result<std::size_t> folded = FoldDuePendingPower();
      const auto now = std::chrono::steady_clock::now();
      if (folded.ok()) {
        failing = false;
      } else if (options_.on_background_error && (!failing || now - reported >= std::chrono::minutes(1))) {
        failing = true;
        reported = now;
        options_.on_background_error(folded.status().WithPrefix("folding pending power"));
      }
      lock.lock();
    }
  });
}

void PostgresStore::StopFolder() {
  {
    std::lock_guard<std::mutex> lock(folder_mu_);
    folder_stop_ = true;
  }
  folder_cv_.notify_all();
  if (folder_.joinable()) folder_.join();
}

Result<std::size_t> FoldPendingPower(Store& store) {
  auto* pg = dynamic_cast<PostgresStore*>(&store);
  if (pg == nullptr) {
    return Status::Invalid("FoldPendingPower: the store is " + std::string(store.backend()) +
                           ", not PostgreSQL (only PostgreSQL keeps power pending)");
  }
  return pg->FoldPendingPower();
}

}  // namespace vgi::store
