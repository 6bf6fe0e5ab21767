#include "vgi/engine/baseline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace vgi::engine {
namespace {

using Wide = __int128;  // products of day sums and factors overflow int64 (2^35 × 2^38)

Wide RoundWide(Wide num, Wide den) {
  if (num < 0) return -RoundWide(-num, den);
  const Wide q = num / den;
  return 2 * (num % den) >= den ? q + 1 : q;  // a remainder of at least half rounds up
}

std::string KindPlural(DayKind kind) {
  return kind == DayKind::kWeekday ? "non-event weekdays" : "non-event weekend days or holidays";
}

Status CheckCurve(const DayCurve& day, const char* what) {
  if (day.centi_kw.size() != static_cast<std::size_t>(kSlotsPerDay)) {
    return Status::Invalid(std::string(what) + " " + proto::FormatDate(day.date) + ": has " +
                           std::to_string(day.centi_kw.size()) + " slots, need 1440");
  }
  return Status::Ok();
}

Status CheckConfig(const BaselineConfig& c, const MinuteWindow& w) {
  if (w.begin < 0 || w.end > kSlotsPerDay || w.begin >= w.end) {
    return Status::Invalid("window: [" + std::to_string(w.begin) + ", " + std::to_string(w.end) +
                           ") must satisfy 0 <= begin < end <= 1440");
  }
  if (c.lookback_days < 1) return Status::Invalid("baseline lookback_days: must be >= 1");
  switch (c.method) {
    case BaselineMethod::kXOfY:
      if (c.x < 1 || c.y < c.x) return Status::Invalid("baseline X-of-Y: need 1 <= x <= y");
      break;
    case BaselineMethod::kAverageAdjusted:
      if (c.average_days < 1) return Status::Invalid("baseline average_days: must be >= 1");
      if (c.adjustment_minutes < 1 || c.adjustment_gap_minutes < 0) {
        return Status::Invalid("baseline adjustment window: minutes must be >= 1 and gap >= 0");
      }
      if (c.adjustment_cap_percent < 0 || c.adjustment_cap_percent > 100) {
        return Status::Invalid("baseline adjustment_cap_percent: must be in 0..100");
      }
      if (w.begin - c.adjustment_gap_minutes - c.adjustment_minutes < 0) {
        return Status::Invalid("baseline adjustment window: " + std::to_string(c.adjustment_minutes) +
                               " minutes ending " + std::to_string(c.adjustment_gap_minutes) +
                               " minutes before the event start (minute " + std::to_string(w.begin) +
                               ") begins before 00:00; use same-day or a shorter window");
      }
      break;
    case BaselineMethod::kSameDay:
      if (c.before_minutes < 0 || c.after_minutes < 0) {
        return Status::Invalid("baseline same-day: before/after minutes must be >= 0");
      }
      break;
  }
  return Status::Ok();
}

// Eligible history days, most recent first (see the header).
Result<std::vector<const DayCurve*>> Eligible(const BaselineConfig& c, const BaselineRequest& r, DayKind kind) {
  std::vector<const DayCurve*> out;
  out.reserve(r.history.size());
  const std::int32_t oldest = r.event_day.date.days - c.lookback_days;
  for (const DayCurve& d : r.history) {
    if (d.event_day || d.date >= r.event_day.date || d.date.days < oldest) continue;
    if (KindOf(d.date, r.holidays) != kind) continue;
    out.push_back(&d);
  }
  std::sort(out.begin(), out.end(), [](const DayCurve* a, const DayCurve* b) { return a->date > b->date; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0 && out[i]->date == out[i - 1]->date) {
      return Status::Invalid("baseline history: date " + proto::FormatDate(out[i]->date) + " appears twice");
    }
    VGI_RETURN_IF_ERROR(CheckCurve(*out[i], "baseline history day"));
  }
  return out;
}

Status TooFew(const BaselineConfig& c, const BaselineRequest& r, DayKind kind, std::size_t have, int need) {
  return Status::Refused(BaselineName(c) + ": only " + std::to_string(have) + " " + KindPlural(kind) + " in the last " +
                         std::to_string(c.lookback_days) + " days before " + proto::FormatDate(r.event_day.date) +
                         ", need " + std::to_string(need));
}

std::int64_t WindowSum(const DayCurve& d, int begin, int end) {
  std::int64_t s = 0;
  for (int m = begin; m < end; ++m) s += d.centi_kw[static_cast<std::size_t>(m)];
  return s;
}

Result<Baseline> XOfY(const BaselineConfig& c, const BaselineRequest& r) {
  const DayKind kind = KindOf(r.event_day.date, r.holidays);
  VGI_ASSIGN_OR_RETURN(std::vector<const DayCurve*> days, Eligible(c, r, kind));
  if (days.size() < static_cast<std::size_t>(c.x)) return TooFew(c, r, kind, days.size(), c.x);
  if (days.size() > static_cast<std::size_t>(c.y)) days.resize(static_cast<std::size_t>(c.y));

  const MinuteWindow w = r.window;
  std::vector<std::pair<std::int64_t, std::size_t>> ranked;  // (window sum, recency index)
  ranked.reserve(days.size());
  for (std::size_t i = 0; i < days.size(); ++i) ranked.emplace_back(WindowSum(*days[i], w.begin, w.end), i);
  // Highest load first; on a tie the more recent day (smaller index) first.
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  ranked.resize(static_cast<std::size_t>(c.x));
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second < b.second; });

  Baseline out;
  out.window = w;
  out.centi_kw.assign(static_cast<std::size_t>(w.size()), 0);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(w.size()), 0);
  for (const auto& [sum, i] : ranked) {
    out.days_used.push_back(days[i]->date);
    const std::int32_t* src = days[i]->centi_kw.data() + w.begin;
    for (std::size_t k = 0; k < sums.size(); ++k) sums[k] += src[k];
  }
  for (std::size_t k = 0; k < sums.size(); ++k) {
    out.centi_kw[k] = static_cast<std::int32_t>(RoundHalfAwayFromZero(sums[k], c.x));
  }
  return out;
}

Result<Baseline> AverageAdjusted(const BaselineConfig& c, const BaselineRequest& r) {
  VGI_RETURN_IF_ERROR(CheckCurve(r.event_day, "event day"));
  const DayKind kind = KindOf(r.event_day.date, r.holidays);
  VGI_ASSIGN_OR_RETURN(std::vector<const DayCurve*> days, Eligible(c, r, kind));
  const auto n = static_cast<std::size_t>(c.average_days);
  if (days.size() < n) return TooFew(c, r, kind, days.size(), c.average_days);
  days.resize(n);

  const MinuteWindow w = r.window;
  const int adj_end = w.begin - c.adjustment_gap_minutes;
  const int adj_begin = adj_end - c.adjustment_minutes;
  std::int64_t history_adj = 0;  // Σ over days and adjustment minutes (N × the average's sum)
  for (const DayCurve* d : days) history_adj += WindowSum(*d, adj_begin, adj_end);
  const std::int64_t actual_adj = WindowSum(r.event_day, adj_begin, adj_end);

  Baseline out;
  out.window = w;
  // f = actual_adj / (history_adj / N) = actual_adj·N / history_adj, capped.
  if (history_adj > 0) {
    const Wide num = static_cast<Wide>(actual_adj) * c.average_days;
    const Wide den = history_adj;
    const int lo = 100 - c.adjustment_cap_percent;
    const int hi = 100 + c.adjustment_cap_percent;
    if (num * 100 < den * lo) {
      out.adjustment_num = lo, out.adjustment_den = 100;
    } else if (num * 100 > den * hi) {
      out.adjustment_num = hi, out.adjustment_den = 100;
    } else {
      out.adjustment_num = actual_adj * c.average_days;
      out.adjustment_den = history_adj;
    }
    const std::int64_t g = std::gcd(out.adjustment_num, out.adjustment_den);
    if (g > 1) out.adjustment_num /= g, out.adjustment_den /= g;
  }
  for (const DayCurve* d : days) out.days_used.push_back(d->date);

  out.centi_kw.assign(static_cast<std::size_t>(w.size()), 0);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(w.size()), 0);
  for (const DayCurve* d : days) {
    const std::int32_t* src = d->centi_kw.data() + w.begin;
    for (std::size_t k = 0; k < sums.size(); ++k) sums[k] += src[k];
  }
  const Wide den = static_cast<Wide>(c.average_days) * out.adjustment_den;
  for (std::size_t k = 0; k < sums.size(); ++k) {
    out.centi_kw[k] = static_cast<std::int32_t>(RoundWide(static_cast<Wide>(sums[k]) * out.adjustment_num, den));
  }
  return out;
}

Result<Baseline> SameDay(const BaselineConfig& c, const BaselineRequest& r) {
  VGI_RETURN_IF_ERROR(CheckCurve(r.event_day, "event day"));
  const MinuteWindow w = r.window;
  const int before_begin = std::max(0, w.begin - c.before_minutes);
  std::int64_t sum = WindowSum(r.event_day, before_begin, w.begin);
  std::int64_t count = w.begin - before_begin;
  const int after_end = w.end + c.after_minutes;
  if (c.use_after && c.after_minutes > 0 && after_end <= kSlotsPerDay) {
    bool all = true;
    for (int m = w.end; m < after_end && all; ++m) all = r.event_day.Present(m);
    if (all) {
      sum += WindowSum(r.event_day, w.end, after_end);
      count += c.after_minutes;
    }
  }
  if (count == 0) {
    return Status::Refused(BaselineName(c) + ": no reference minutes on " + proto::FormatDate(r.event_day.date) +
                           " (the event starts at 00:00 and the hours after it are not available)");
  }
  Baseline out;
  out.window = w;
  out.centi_kw.assign(static_cast<std::size_t>(w.size()), static_cast<std::int32_t>(RoundHalfAwayFromZero(sum, count)));
  return out;
}

std::string FormatFixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

DayKind KindOf(proto::BeijingDate date, std::span<const proto::BeijingDate> holidays) {
  // 1970-01-01 was a Thursday; 0 = Sunday … 6 = Saturday.
  const int dow = static_cast<int>(((date.days % 7) + 7 + 4) % 7);
  if (dow == 0 || dow == 6) return DayKind::kWeekendOrHoliday;
  for (const proto::BeijingDate& h : holidays) {
    if (h == date) return DayKind::kWeekendOrHoliday;
  }
  return DayKind::kWeekday;
}

std::int64_t RoundHalfAwayFromZero(std::int64_t num, std::int64_t den) {
  return static_cast<std::int64_t>(RoundWide(num, den));
}

std::string BaselineName(const BaselineConfig& c) {
  switch (c.method) {
    case BaselineMethod::kXOfY:
      return "high-" + std::to_string(c.x) + "-of-" + std::to_string(c.y);
    case BaselineMethod::kAverageAdjusted:
      return std::to_string(c.average_days) + "-of-" + std::to_string(c.average_days) + "-adjusted";
    case BaselineMethod::kSameDay:
      return "same-day";
  }
  return "unknown";
}

Result<Baseline> ComputeBaseline(const BaselineConfig& config, const BaselineRequest& request) {
  VGI_RETURN_IF_ERROR(CheckConfig(config, request.window));
  switch (config.method) {
    case BaselineMethod::kXOfY:
      return XOfY(config, request);
    case BaselineMethod::kAverageAdjusted:
      return AverageAdjusted(config, request);
    case BaselineMethod::kSameDay:
      return SameDay(config, request);
  }
  return Status::Invalid("baseline method: unknown");
}

Result<Accuracy> BacktestAccuracy(const BaselineConfig& config, const BaselineRequest& request) {
  VGI_RETURN_IF_ERROR(CheckConfig(config, request.window));
  if (config.backtest_days < 1) return Status::Invalid("baseline backtest_days: must be >= 1");
  const DayKind kind = KindOf(request.event_day.date, request.holidays);
  VGI_ASSIGN_OR_RETURN(std::vector<const DayCurve*> days, Eligible(config, request, kind));
  if (days.size() < static_cast<std::size_t>(config.backtest_days)) {
    return TooFew(config, request, kind, days.size(), config.backtest_days).WithPrefix("back-test");
  }
  days.resize(static_cast<std::size_t>(config.backtest_days));

  const MinuteWindow w = request.window;
  double squared = 0;
  std::int64_t actual_sum = 0;
  Accuracy acc;
  for (const DayCurve* d : days) {
    BaselineRequest as_of = request;
    as_of.event_day = *d;
    Result<Baseline> b = ComputeBaseline(config, as_of);
    if (!b.ok()) return b.status().WithPrefix("back-test on " + proto::FormatDate(d->date));
    for (int m = w.begin; m < w.end; ++m) {
      const std::int64_t a = d->centi_kw[static_cast<std::size_t>(m)];
      const auto diff = static_cast<double>(b->centi_kw[static_cast<std::size_t>(m - w.begin)] - a);
      squared += diff * diff;
      actual_sum += a;
    }
    acc.backtest_dates.push_back(d->date);
  }
  acc.days = config.backtest_days;
  const double minutes = static_cast<double>(w.size()) * acc.days;
  if (actual_sum <= 0) {
    return Status::Refused("baseline " + BaselineName(config) + " refused: the mean actual load over " +
                           std::to_string(acc.days) + " back-test days is " +
                           FormatFixed(static_cast<double>(actual_sum) / minutes / 100.0, 2) +
                           " kW, RRMSE is undefined");
  }
  acc.rrmse_percent = 100.0 * std::sqrt(squared / minutes) / (static_cast<double>(actual_sum) / minutes);
  return acc;
}

Result<CheckedBaseline> ComputeCheckedBaseline(const BaselineConfig& config, const BaselineRequest& request) {
  VGI_ASSIGN_OR_RETURN(Accuracy acc, BacktestAccuracy(config, request));
  if (acc.rrmse_percent > config.max_rrmse_percent) {
    return Status::Refused("baseline " + BaselineName(config) + " refused: RRMSE " + FormatFixed(acc.rrmse_percent, 1) +
                           " % on " + std::to_string(acc.days) + " back-test days exceeds " +
                           FormatFixed(config.max_rrmse_percent, 1) + " %");
  }
  VGI_ASSIGN_OR_RETURN(Baseline b, ComputeBaseline(config, request));
  return CheckedBaseline{std::move(b), std::move(acc)};
}

}  // namespace vgi::engine
