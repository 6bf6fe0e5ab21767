#include "vgi/engine/demand.hpp"

#include <algorithm>
#include <set>

#include "vgi/proto/keys.hpp"
#include "vgi/store/topology.hpp"

namespace vgi::engine {
namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '"').append(s).append(1, '"');
  return out;
}

// "OPERATORID/CODE": a 9-character OperatorID and a code of 1..64 characters.
bool IsQualifiedCode(std::string_view id) {
  const auto slash = id.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view code = id.substr(slash + 1);
  return proto::IsOperatorId(id.substr(0, slash)) && !code.empty() && code.size() <= 64 &&
         code.find('/') == std::string_view::npos;
}

Status CheckScope(const DemandScope& scope) {
  if (scope.kind == ScopeKind::kAll) {
    if (!scope.ids.empty()) return Status::Invalid("scope.ids: scope \"all\" takes no IDs");
    return Status::Ok();
  }
  if (scope.ids.empty()) {
    return Status::Invalid("scope.ids: scope \"" + std::string(ScopeKindName(scope.kind)) + "\" needs at least one ID");
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < scope.ids.size(); ++i) {
    const std::string& id = scope.ids[i];
    const std::string where = "scope.ids[" + std::to_string(i) + "]: " + Quote(id);
    switch (scope.kind) {
      case ScopeKind::kOperators:
        if (!proto::IsOperatorId(id)) return Status::Invalid(where + " is not an OperatorID (9 characters of [0-9A-Z])");
        break;
      case ScopeKind::kAreas:
        if (!IsDigits(id) || id.size() < 2 || id.size() > 6) {
          return Status::Invalid(where + " is not an area code prefix (2 to 6 digits of GB/T 2260)");
        }
        break;
      case ScopeKind::kStations:
      case ScopeKind::kStakes:
        if (!IsQualifiedCode(id)) {
          return Status::Invalid(where + " is not OPERATORID/" +
                                 (scope.kind == ScopeKind::kStations ? "STATIONCODE" : "STAKECODE"));
        }
        break;
      case ScopeKind::kMarkets:
      case ScopeKind::kTransformerAreas:
        if (!store::IsTopologyId(id)) {
          return Status::Invalid(where + " is not a " +
                                 (scope.kind == ScopeKind::kMarkets ? "market" : "transformer-area") +
                                 " ID (1 to 64 characters of [0-9A-Za-z_.-])");
        }
        break;
      case ScopeKind::kAll:
        break;
    }
    if (!seen.insert(id).second) return Status::Invalid(where + " is listed twice");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ScopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kAll: return "all";
    case ScopeKind::kOperators: return "operators";
    case ScopeKind::kAreas: return "areas";
    case ScopeKind::kStations: return "stations";
    case ScopeKind::kStakes: return "stakes";
    case ScopeKind::kMarkets: return "markets";
    case ScopeKind::kTransformerAreas: return "transformer-areas";
  }
  return "?";
}

std::string_view ScopeKindChoices() {
  return "all, operators, areas, stations, stakes, markets or transformer-areas";
}

std::optional<ScopeKind> ParseScopeKind(std::string_view name) {
  for (ScopeKind k : {ScopeKind::kAll, ScopeKind::kOperators, ScopeKind::kAreas, ScopeKind::kStations,
                      ScopeKind::kStakes, ScopeKind::kMarkets, ScopeKind::kTransformerAreas}) {
    if (name == ScopeKindName(k)) return k;
  }
  return std::nullopt;
}

std::optional<proto::RegulationType> ParseRegulationType(std::string_view text) {
  if (text == "peak" || text == "1" || text == "peak-shaving") return proto::RegulationType::kPeakShaving;
  if (text == "valley" || text == "2" || text == "valley-filling") return proto::RegulationType::kValleyFilling;
  return std::nullopt;
}

std::string_view RegulationTypeName(proto::RegulationType type) {
  return type == proto::RegulationType::kValleyFilling ? "valley" : "peak";
}

Result<proto::AdjustTarget> ParseWindow(std::string_view text) {
  const auto c1 = text.find(',');
  const auto c2 = c1 == std::string_view::npos ? c1 : text.find(',', c1 + 1);
  const std::string bad = "window \"" + std::string(text) + "\": expected KW,yyyy-MM-dd HH:mm,yyyy-MM-dd HH:mm";
  if (c2 == std::string_view::npos) return Status::Invalid(bad);
  auto kw = proto::Kilowatts::Parse(text.substr(0, c1));
  auto start = proto::ParseMinute(text.substr(c1 + 1, c2 - c1 - 1));
  auto end = proto::ParseMinute(text.substr(c2 + 1));
  if (!kw || !start || !end) return Status::Invalid(bad);
  return proto::AdjustTarget{*kw, *start, *end};
}

Status ValidateDemand(const DemandSpec& spec, proto::BeijingMinute now) {
  if (!spec.task_id.empty()) {
    if (spec.task_id.size() > 60 || !std::all_of(spec.task_id.begin(), spec.task_id.end(), IsIdChar)) {
      return Status::Invalid("taskId: " + Quote(spec.task_id) + " must be 1 to 60 characters of [0-9A-Za-z_-]");
    }
  }
  if (spec.type != proto::RegulationType::kPeakShaving && spec.type != proto::RegulationType::kValleyFilling) {
    return Status::Invalid("type: must be peak shaving (1) or valley filling (2)");
  }
  VGI_RETURN_IF_ERROR(CheckScope(spec.scope));
  if (spec.windows.empty()) return Status::Invalid("windows: a demand needs at least one window");
  if (spec.windows.size() > proto::kMaxAdjustTargets) {
    return Status::Invalid("windows: at most " + std::to_string(proto::kMaxAdjustTargets) + " windows");
  }
  for (std::size_t i = 0; i < spec.windows.size(); ++i) {
    const auto& w = spec.windows[i];
    const std::string where = "windows[" + std::to_string(i) + "]";
    if (w.target_power.units() <= 0) {
      return Status::Invalid(where + ".target: " + w.target_power.ToString() + " kW must be greater than 0");
    }
    if (w.end_time < w.start_time) {
      return Status::Invalid(where + ".end: " + proto::FormatMinute(w.end_time) + " is before its start " +
                             proto::FormatMinute(w.start_time));
    }
    if (w.start_time <= now) {
      return Status::Invalid(where + ".start: " + proto::FormatMinute(w.start_time) + " has passed (now " +
                             proto::FormatMinute(now) + ")");
    }
    if (proto::DateOf(w.start_time) != proto::DateOf(w.end_time)) {
      return Status::Invalid(where + ": " + proto::FormatMinute(w.start_time) + " to " + proto::FormatMinute(w.end_time) +
                             " crosses midnight; split it into one window per day");
    }
    if (i > 0 && w.start_time <= spec.windows[i - 1].end_time) {
      return Status::Invalid(where + ".start: " + proto::FormatMinute(w.start_time) + " overlaps windows[" +
                             std::to_string(i - 1) + "] (ends " + proto::FormatMinute(spec.windows[i - 1].end_time) +
                             "); windows must be in time order without overlap");
    }
  }
  if (spec.accept_deadline) {
    if (*spec.accept_deadline <= now) {
      return Status::Invalid("acceptDeadline: " + proto::FormatMinute(*spec.accept_deadline) + " has passed");
    }
    if (*spec.accept_deadline > spec.windows.front().start_time) {
      return Status::Invalid("acceptDeadline: " + proto::FormatMinute(*spec.accept_deadline) +
                             " is after the first window's start " + proto::FormatMinute(spec.windows.front().start_time));
    }
  }
  if (spec.reserve_margin_bp && (*spec.reserve_margin_bp < 0 || *spec.reserve_margin_bp >= 10000)) {
    return Status::Invalid("reserveMargin: must be at least 0 % and below 100 %");
  }
  if (spec.note.size() > 1000) return Status::Invalid("note: at most 1000 characters");
  return Status::Ok();
}

}  // namespace vgi::engine
