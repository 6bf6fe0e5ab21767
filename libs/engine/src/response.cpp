#include "vgi/engine/response.hpp"

#include <algorithm>
#include <string>

namespace vgi::engine {

Result<WindowResponse> MeasureResponse(const ResponseRequest& r) {
  const MinuteWindow w = r.window;
  if (w.begin < 0 || w.end > kSlotsPerDay || w.begin >= w.end) {
    return Status::Invalid("response window: [" + std::to_string(w.begin) + ", " + std::to_string(w.end) +
                           ") must satisfy 0 <= begin < end <= 1440");
  }
  if (r.baseline.size() != static_cast<std::size_t>(w.size())) {
    return Status::Invalid("response baseline: has " + std::to_string(r.baseline.size()) + " slots, the window " +
                           std::to_string(w.size()));
  }
  if (r.actual.centi_kw.size() != static_cast<std::size_t>(kSlotsPerDay)) {
    return Status::Invalid("response actual " + proto::FormatDate(r.actual.date) + ": has " +
                           std::to_string(r.actual.centi_kw.size()) + " slots, need 1440");
  }
  if (r.target_centi_kw <= 0) return Status::Invalid("response target: must be > 0 kW");

  WindowResponse out;
  out.window = w;
  out.target_centi_kw = r.target_centi_kw;
  out.per_minute_centi_kw.resize(static_cast<std::size_t>(w.size()));
  const bool shaving = r.direction == Direction::kPeakShaving;
  const std::int32_t* actual = r.actual.centi_kw.data();
  Deviation* open = nullptr;  // the run being extended, if the previous minute was short
  for (int m = w.begin; m < w.end; ++m) {
    const auto k = static_cast<std::size_t>(m - w.begin);
    const std::int64_t b = r.baseline[k];
    const std::int64_t a = actual[m];
    // No data, no credit: a missing minute responds 0 (its actual of 0 kW would otherwise count
    // as full delivery when shaving).
    const bool present = r.actual.Present(m);
    const std::int64_t resp = !present ? 0 : shaving ? b - a : a - b;
    out.per_minute_centi_kw[k] = resp;
    out.sum_centi_kw_minutes += resp;
    if (resp >= r.target_centi_kw) {
      open = nullptr;
      continue;
    }
    const DeviationCause cause = (r.offline != nullptr && r.offline->test(static_cast<std::size_t>(m)))
                                     ? DeviationCause::kOffline
                                 : !present ? DeviationCause::kMissingData
                                            : DeviationCause::kUnderDelivery;
    const std::int64_t shortfall = r.target_centi_kw - resp;
    if (open == nullptr || open->cause != cause) {
      out.deviations.push_back(Deviation{{m, m}, cause, 0, 0});
      open = &out.deviations.back();
    }
    open->minutes.end = m + 1;
    open->shortfall_centi_kw_minutes += shortfall;
    open->max_shortfall_centi_kw = std::max(open->max_shortfall_centi_kw, shortfall);
  }
  return out;
}

std::optional<int> FirstSustainedShortfall(const WindowResponse& response, int share_percent, int minutes) {
  SustainedShortfallDetector detector(response.target_centi_kw, share_percent, minutes);
  for (std::size_t k = 0; k < response.per_minute_centi_kw.size(); ++k) {
    if (detector.Add(response.per_minute_centi_kw[k])) return response.window.begin + static_cast<int>(k);
  }
  return std::nullopt;
}

}  // namespace vgi::engine
