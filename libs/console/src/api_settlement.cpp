// The console API's settlement and alarm routes: settlement rows, daily and monthly statements
// (JSON or CSV), alarms with acknowledge and close.
#include <algorithm>
#include <charconv>
#include <map>

#include "api_internal.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/engine/settlement.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::console::api {
namespace {

// ---- query parameters

Result<std::optional<proto::BeijingDate>> DateParam(const Call& call, std::string_view name) {
  const auto raw = call.query.Get(name);
  if (!raw || raw->empty()) return std::optional<proto::BeijingDate>();
  const auto d = proto::ParseDate(*raw);
  if (!d) return Status::Invalid(std::string(name) + ": \"" + *raw + "\" is not a date; use yyyy-MM-dd (Beijing)");
  return std::optional<proto::BeijingDate>(*d);
}

Result<store::SettlementFilter> SettlementFilterOf(const Call& call) {
  store::SettlementFilter f;
  if (auto op = call.query.Get("operator"); op && !op->empty()) f.operator_id = *op;
  VGI_ASSIGN_OR_RETURN(f.from_day, DateParam(call, "from"));
  VGI_ASSIGN_OR_RETURN(f.to_day, DateParam(call, "to"));
  if (f.from_day && f.to_day && *f.to_day < *f.from_day) return Status::Invalid("to: must not be before from");
  return f;
}

// ---- alarms

std::string_view LevelName(store::AlarmLevel l) {
  switch (l) {
    case store::AlarmLevel::kInfo:
      return "info";
    case store::AlarmLevel::kWarning:
      return "warning";
    case store::AlarmLevel::kMajor:
      return "major";
    case store::AlarmLevel::kCritical:
      return "critical";
  }
  return "warning";
}

std::string_view AlarmStateName(store::AlarmState s) {
  switch (s) {
    case store::AlarmState::kOpen:
      return "open";
    case store::AlarmState::kAcknowledged:
      return "acknowledged";
    case store::AlarmState::kClosed:
      return "closed";
  }
  return "open";
}

// `time` is the latest occurrence (the list is ordered by it).
void WriteAlarm(JsonOut& out, const store::AlarmRow& a) {
  out.StartObject().Key("id").Int(a.id).Key("time").Minute(a.last_at).Key("type").String(a.type);
  out.Key("level").String(LevelName(a.level)).Key("state").String(AlarmStateName(a.state));
  out.Key("module").String(a.module).Key("title").String(a.title).Key("detail").String(a.detail);
  out.Key("count").Int(a.count).Key("first_at").Minute(a.first_at).Key("last_at").Minute(a.last_at).EndObject();
}

ApiResponse SetAlarm(Services& s, Call& call, store::AlarmState to) {
  const std::string& raw = call.params.at(0);
  call.audit->object = "alarm:" + raw;
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  if (raw.empty() || ec != std::errc() || ptr != raw.data() + raw.size() || id <= 0) {
    return ErrorResponse(400, "id: \"" + raw + "\" is not an alarm number", "id");
  }
  auto find = [&]() -> Result<std::optional<store::AlarmRow>> {
    VGI_ASSIGN_OR_RETURN(auto all, s.store.ListAlarms(true));
    for (auto& a : all) {
      if (a.id == id) return std::optional<store::AlarmRow>(std::move(a));
    }
    return std::optional<store::AlarmRow>();
  };
  auto before = find();
  if (!before.ok()) return StatusResponse(s, before.status());
  if (!*before) return ErrorResponse(404, "no such alarm " + raw + " (see the alarm list)");
  if ((*before)->state == store::AlarmState::kClosed) {
    // Closing again changes nothing; acknowledging would reopen it: refuse.
    if (to != store::AlarmState::kClosed) return ErrorResponse(409, "alarm " + raw + " is already closed");
    JsonOut out;
    WriteAlarm(out, **before);
    return JsonResponse(200, out.Take());
  }
  call.audit->detail = std::string(AlarmStateName((*before)->state)) + " -> " + std::string(AlarmStateName(to)) + ": " +
                       (*before)->type + " " + (*before)->object;
  if (Status st = s.store.SetAlarmState(id, to); !st.ok()) return StatusResponse(s, st);
  auto after = find();
  if (!after.ok()) return StatusResponse(s, after.status());
  if (!*after) return ErrorResponse(404, "no such alarm " + raw + " (see the alarm list)");
  JsonOut out;
  WriteAlarm(out, **after);
  return JsonResponse(200, out.Take());
}

}  // namespace

// ---- settlements

ApiResponse ListSettlements(Services& s, Call& call) {
  auto f = SettlementFilterOf(call);
  if (!f.ok()) return StatusResponse(s, f.status());
  auto rows = s.store.ListSettlements(*f);
  if (!rows.ok()) return StatusResponse(s, rows.status());
  // The state is the instruction's: evaluated (push pending) or settled (the operator has it).
  std::map<std::string, std::map<std::string, int>> states;  // task -> "op/reg" -> state
  JsonOut out;
  out.StartArray();
  simdjson::dom::parser parser;
  for (const auto& r : *rows) {
    auto [it, fresh] = states.try_emplace(r.task_id);
    if (fresh) {
      store::RegulationFilter rf;
      rf.task_id = r.task_id;
      auto regs = s.store.ListRegulations(rf);
      if (!regs.ok()) return StatusResponse(s, regs.status());
      for (const auto& g : *regs) it->second[g.operator_id + "/" + g.regulation_id] = g.state;
    }
    // The engine's settlement document: {"earnings": "12.34", "periods": [{"deliveredKwh": "5.00", ...}]}.
    proto::KilowattHours delivered;
    proto::Yuan earnings;
    simdjson::dom::element doc;
    std::string_view text;
    bool ok = parser.parse(r.doc_json).get(doc) == simdjson::SUCCESS && doc["earnings"].get(text) == simdjson::SUCCESS;
    if (ok) {
      const auto e = proto::Yuan::Parse(text);
      ok = e.has_value();
      if (e) earnings = *e;
    }
    simdjson::dom::array periods;
    if (ok && doc["periods"].get(periods) == simdjson::SUCCESS) {
      for (simdjson::dom::element p : periods) {
        std::optional<proto::KilowattHours> kwh;
        if (p["deliveredKwh"].get(text) == simdjson::SUCCESS) kwh = proto::KilowattHours::Parse(text);
        if (!kwh) {
          ok = false;
          break;
        }
        delivered = delivered + *kwh;
      }
    } else {
      ok = false;
    }
    if (!ok) {
      return StatusResponse(s, Status::Internal("settlement " + r.operator_id + "/" + r.regulation_id +
                                                ": the stored document does not decode"));
    }
    const auto st = it->second.find(r.operator_id + "/" + r.regulation_id);
    out.StartObject().Key("operator_id").String(r.operator_id).Key("regulation_id").String(r.regulation_id);
    out.Key("task_id").String(r.task_id).Key("day").String(proto::FormatDate(r.day));
    out.Key("delivered_kwh").Decimal(delivered.ToString()).Key("earnings_yuan").Decimal(earnings.ToString());
    out.Key("state").String(st == it->second.end()
                                ? std::string_view("unknown")
                                : engine::RegulationStateName(static_cast<engine::RegulationState>(st->second)));
    out.EndObject();
  }
  out.EndArray();
  return JsonResponse(200, out.Take());
}

ApiResponse GetStatements(Services& s, Call& call) {
  const std::string period = call.query.Get("period").value_or("day");
  if (period != "day" && period != "month") return ErrorResponse(400, "period: must be day or month", "period");
  const std::string format = call.query.Get("format").value_or("json");
  if (format != "json" && format != "csv") return ErrorResponse(400, "format: must be json or csv", "format");
  auto f = SettlementFilterOf(call);
  if (!f.ok()) return StatusResponse(s, f.status());
  auto statements = s.regulator.Statements(*f, period == "month");
  if (!statements.ok()) return StatusResponse(s, statements.status());
  if (format == "csv") {
    std::string csv =
        "operator_id,period,instructions,target_kwh,delivered_kwh,paid_kwh,payments_yuan,penalties_yuan,"
        "earnings_yuan\r\n";
    for (const auto& st : *statements) {
      csv += CsvCell(st.operator_id) + "," + CsvCell(st.period) + "," + std::to_string(st.instructions) + "," +
             st.target_energy.ToString() + "," + st.delivered_energy.ToString() + "," + st.paid_energy.ToString() +
             "," + st.payments.ToString() + "," + st.penalties.ToString() + "," + st.earnings.ToString() + "\r\n";
    }
    ApiResponse r = JsonResponse(200, std::move(csv));
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"vgi-statements-" + period + ".csv\"");
    return r;
  }
  JsonOut out;
  out.StartArray();
  for (const auto& st : *statements) {
    out.StartObject().Key("operator_id").String(st.operator_id).Key("period").String(st.period);
    out.Key("instructions").Int(static_cast<std::int64_t>(st.instructions));
    out.Key("target_kwh")
        .Decimal(st.target_energy.ToString())
        .Key("delivered_kwh")
        .Decimal(st.delivered_energy.ToString());
    out.Key("paid_kwh").Decimal(st.paid_energy.ToString()).Key("payments_yuan").Decimal(st.payments.ToString());
    out.Key("penalties_yuan").Decimal(st.penalties.ToString()).Key("earnings_yuan").Decimal(st.earnings.ToString());
    out.EndObject();
  }
  out.EndArray();
  return JsonResponse(200, out.Take());
}

// ---- alarms

ApiResponse ListAlarms(Services& s, Call& call) {
  const std::string raw = call.query.Get("include_closed").value_or("false");
  if (raw != "true" && raw != "false" && raw != "1" && raw != "0") {
    return ErrorResponse(400, "include_closed: must be true or false", "include_closed");
  }
  auto alarms = s.store.ListAlarms(raw == "true" || raw == "1");
  if (!alarms.ok()) return StatusResponse(s, alarms.status());
  JsonOut out;
  out.StartArray();
  for (const auto& a : *alarms) WriteAlarm(out, a);
  out.EndArray();
  return JsonResponse(200, out.Take());
}

ApiResponse AckAlarm(Services& s, Call& call) {
  return SetAlarm(s, call, store::AlarmState::kAcknowledged);
}

ApiResponse CloseAlarm(Services& s, Call& call) {
  return SetAlarm(s, call, store::AlarmState::kClosed);
}

}  // namespace vgi::console::api
