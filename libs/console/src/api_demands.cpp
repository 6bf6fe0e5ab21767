// The console API's demand routes (api_internal.hpp): demands through the engine's Regulator
// (create, change, cancel, views with coverage and instructions, live execution). Shapes:
// api/openapi.json. Settlements and alarms: api_settlement.cpp.
#include <charconv>
#include <cmath>
#include <map>

#include "api_internal.hpp"
#include "vgi/engine/demand.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::console::api {
namespace {

// ---- errors

// The engine names fields as stored ("taskId", "windows[0].target"); the API's are snake_case.
std::string ApiField(std::string_view engine_field) {
  std::string f(engine_field);
  auto replace = [&f](std::string_view from, std::string_view to) {
    if (f.starts_with(from)) f = std::string(to) + f.substr(from.size());
  };
  replace("taskId", "task_id");
  replace("acceptDeadline", "accept_deadline");
  if (f.ends_with(".target")) f += "_kw";
  return f;
}

ApiResponse EngineError(const Services& s, const Status& st, std::string_view task = {}) {
  if (st.code() == StatusCode::kNotFound && !task.empty()) {
    return ErrorResponse(404, "no such demand " + std::string(task) + " (see the demand list)");
  }
  if (st.code() == StatusCode::kInvalid) {
    const std::string& m = st.message();
    const auto colon = m.find(':');
    if (colon != std::string::npos && colon > 0 && m.find(' ') > colon) {
      const std::string field = ApiField(std::string_view(m).substr(0, colon));
      return ErrorResponse(400, field + m.substr(colon), field);
    }
  }
  return StatusResponse(s, st);
}

// ---- demands as JSON

std::string Range(const proto::AdjustTarget& w) {
  std::string end = proto::FormatMinute(w.end_time);
  if (proto::DateOf(w.start_time) == proto::DateOf(w.end_time)) end = end.substr(11);
  return proto::FormatMinute(w.start_time) + "\xE2\x80\x93" + end;  // en dash
}

std::string ScopeText(const engine::DemandScope& scope) {
  static const char* const kNoun[] = {"all operators", "operator", "area",   "station",
                                      "stake",         "market",   "transformer area"};
  std::string out = kNoun[static_cast<int>(scope.kind)];
  for (std::size_t i = 0; i < scope.ids.size(); ++i) out += (i == 0 ? " " : ",") + scope.ids[i];
  return out;
}

std::string WindowsText(const std::vector<proto::AdjustTarget>& windows) {
  std::string out;
  for (const auto& w : windows) out += (out.empty() ? "" : ", ") + w.target_power.ToString() + " kW " + Range(w);
  return out;
}

// "peak 20000.00 kW area 1201 2026-12-04 18:00–19:59" (+ further windows).
std::string CreateSummary(const engine::DemandSpec& d) {
  std::string out(engine::RegulationTypeName(d.type));
  if (d.windows.empty()) return out + " " + ScopeText(d.scope) + " (no window)";
  // Appended piece by piece: GCC 12's -Wrestrict misfires on `" " + std::string` (PR 105329).
  const auto& w = d.windows.front();
  out += ' ';
  out += w.target_power.ToString();
  out += " kW ";
  out += ScopeText(d.scope);
  out += ' ';
  out += Range(w);
  for (std::size_t i = 1; i < d.windows.size(); ++i) {
    out += ", ";
    out += d.windows[i].target_power.ToString();
    out += " kW ";
    out += Range(d.windows[i]);
  }
  if (d.is_force) out += " (forced)";
  return out;
}

void WriteWindow(JsonOut& out, const proto::AdjustTarget& w) {
  out.StartObject().Key("start").String(proto::FormatMinute(w.start_time));
  out.Key("end").String(proto::FormatMinute(w.end_time)).Key("target_kw").Kw(w.target_power).EndObject();
}

void WriteWindows(JsonOut& out, std::string_view key, const std::vector<proto::AdjustTarget>& windows) {
  out.Key(key).StartArray();
  for (const auto& w : windows) WriteWindow(out, w);
  out.EndArray();
}

void WriteStrings(JsonOut& out, std::string_view key, const std::vector<std::string>& v) {
  out.Key(key).StartArray();
  for (const auto& x : v) out.String(x);
  out.EndArray();
}

// DemandSummary's fields, without the braces.
void WriteSummaryFields(JsonOut& out, const engine::DemandView& d) {
  const auto& s = d.spec;
  out.Key("task_id").String(s.task_id).Key("type").String(engine::RegulationTypeName(s.type));
  out.Key("state").String(engine::DemandStateName(d.state));
  out.Key("scope").StartObject().Key("kind").String(engine::ScopeKindName(s.scope.kind));
  WriteStrings(out, "ids", s.scope.ids);
  out.EndObject();
  WriteWindows(out, "windows", s.windows);
  out.Key("is_force").Bool(s.is_force).Key("created_by").String(s.created_by);
  out.Key("created_at").Minute(d.created_at).Key("updated_at").Minute(d.updated_at);
  out.Key("instructions").Int(static_cast<std::int64_t>(d.instructions.size()));
}

void WriteInstruction(JsonOut& out, const engine::InstructionView& in) {
  out.StartObject().Key("operator_id").String(in.operator_id).Key("regulation_id").String(in.regulation_id);
  out.Key("state").String(engine::RegulationStateName(in.state));
  out.Key("synchro_type").Int(static_cast<int>(in.synchro)).Key("range_type").Int(static_cast<int>(in.range));
  WriteStrings(out, "adjust_ids", in.adjust_ids);
  WriteWindows(out, "allocated", in.allocated);
  WriteWindows(out, "accepted", in.accepted);
  WriteStrings(out, "explanation", in.explanation);
  out.Key("note").String(in.note).Key("round").Int(in.round);
  out.Key("created_at").Minute(in.created_at).Key("updated_at").Minute(in.updated_at);
  out.Key("measured").StartArray();
  for (const auto& m : in.measured) {
    out.StartObject().Key("start").String(proto::FormatMinute(m.window.start_time));
    out.Key("end").String(proto::FormatMinute(m.window.end_time));
    out.Key("completion_percent").Number(m.completion_percent).Key("delivered_kwh").Decimal(m.delivered.ToString());
    out.Key("baseline_kw").Kw(m.baseline_average).Key("actual_kw").Kw(m.actual_average).EndObject();
  }
  out.EndArray().Key("baseline").String(in.baseline).Key("earnings_yuan");
  if (in.earnings) {
    out.Decimal(in.earnings->ToString());
  } else {
    out.Null();
  }
  out.EndObject();
}

std::string DemandJson(const engine::DemandView& d) {
  JsonOut out;
  out.StartObject();
  WriteSummaryFields(out, d);
  out.Key("version").Int(d.version);
  out.Key("accept_deadline").String(d.spec.accept_deadline ? proto::FormatMinute(*d.spec.accept_deadline) : "");
  out.Key("note").String(d.spec.note);
  out.Key("coverage").StartArray();
  for (const auto& c : d.coverage) {
    out.StartObject().Key("start").String(proto::FormatMinute(c.window.start_time));
    out.Key("end").String(proto::FormatMinute(c.window.end_time)).Key("target_kw").Kw(c.window.target_power);
    out.Key("allocated_kw").Kw(c.allocated).Key("accepted_kw").Kw(c.accepted).Key("uncovered_kw").Kw(c.uncovered);
    out.EndObject();
  }
  out.EndArray().Key("instructions_list").StartArray();
  for (const auto& in : d.instructions) WriteInstruction(out, in);
  out.EndArray();
  WriteStrings(out, "events", d.events);
  out.EndObject();
  return out.Take();
}

// ---- demands from JSON

Result<proto::Kilowatts> KwField(simdjson::dom::element obj, std::string_view key, const std::string& path) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return Status::Invalid(path + ": is required");
  std::optional<proto::Kilowatts> kw;
  double d = 0;
  std::string_view text;
  if (v.get(d) == simdjson::SUCCESS) {  // integers convert too
    kw = proto::Kilowatts::FromDouble(d);
  } else if (v.get(text) == simdjson::SUCCESS) {
    kw = proto::Kilowatts::Parse(text);
  } else {
    return Status::Invalid(path + ": must be a number of kW (or a decimal string)");
  }
  if (!kw) return Status::Invalid(path + ": must be a number of kW with at most 2 decimals");
  return *kw;
}

Result<proto::BeijingMinute> MinuteField(simdjson::dom::element obj, std::string_view key, const std::string& path) {
  VGI_ASSIGN_OR_RETURN(const std::string text, StringField(obj, key, path, true));
  const auto m = proto::ParseMinute(text);
  if (!m) return Status::Invalid(path + ": \"" + text + "\" is not a time; use yyyy-MM-dd HH:mm (Beijing)");
  return *m;
}

Result<std::vector<proto::AdjustTarget>> WindowsField(simdjson::dom::element body) {
  simdjson::dom::element v;
  if (body["windows"].get(v) != simdjson::SUCCESS || v.is_null()) return Status::Invalid("windows: is required");
  simdjson::dom::array arr;
  if (v.get(arr) != simdjson::SUCCESS) return Status::Invalid("windows: must be a list of windows");
  std::vector<proto::AdjustTarget> out;
  std::size_t i = 0;
  for (simdjson::dom::element w : arr) {
    const std::string path = "windows[" + std::to_string(i++) + "]";
    if (w.type() != simdjson::dom::element_type::OBJECT) {
      return Status::Invalid(path + ": must be an object with start, end and target_kw");
    }
    proto::AdjustTarget t;
    VGI_ASSIGN_OR_RETURN(t.start_time, MinuteField(w, "start", path + ".start"));
    VGI_ASSIGN_OR_RETURN(t.end_time, MinuteField(w, "end", path + ".end"));
    VGI_ASSIGN_OR_RETURN(t.target_power, KwField(w, "target_kw", path + ".target_kw"));
    out.push_back(t);
  }
  return out;
}

Result<engine::DemandSpec> SpecOf(simdjson::dom::element body) {
  engine::DemandSpec spec;
  VGI_ASSIGN_OR_RETURN(spec.task_id, StringField(body, "task_id", "task_id", false));
  VGI_ASSIGN_OR_RETURN(const std::string type, StringField(body, "type", "type", true));
  const auto t = engine::ParseRegulationType(type);
  if (!t) return Status::Invalid("type: must be peak (peak shaving) or valley (valley filling)");
  spec.type = *t;
  simdjson::dom::element scope;
  if (body["scope"].get(scope) != simdjson::SUCCESS || scope.is_null()) return Status::Invalid("scope: is required");
  if (scope.type() != simdjson::dom::element_type::OBJECT) {
    return Status::Invalid("scope: must be an object with kind and ids");
  }
  VGI_ASSIGN_OR_RETURN(const std::string kind, StringField(scope, "kind", "scope.kind", true));
  const auto k = engine::ParseScopeKind(kind);
  if (!k) return Status::Invalid("scope.kind: must be " + std::string(engine::ScopeKindChoices()));
  spec.scope.kind = *k;
  simdjson::dom::element ids;
  if (scope["ids"].get(ids) == simdjson::SUCCESS && !ids.is_null()) {
    simdjson::dom::array arr;
    if (ids.get(arr) != simdjson::SUCCESS) return Status::Invalid("scope.ids: must be a list of strings");
    std::size_t i = 0;
    for (simdjson::dom::element id : arr) {
      std::string_view s;
      if (id.get(s) != simdjson::SUCCESS) {
        return Status::Invalid("scope.ids[" + std::to_string(i) + "]: must be a string");
      }
      spec.scope.ids.emplace_back(s);
      ++i;
    }
  }
  VGI_ASSIGN_OR_RETURN(spec.windows, WindowsField(body));
  VGI_ASSIGN_OR_RETURN(const auto force, BoolField(body, "is_force", "is_force"));
  spec.is_force = force.value_or(false);
  VGI_ASSIGN_OR_RETURN(const std::string deadline, StringField(body, "accept_deadline", "accept_deadline", false));
  if (!deadline.empty()) {
    spec.accept_deadline = proto::ParseMinute(deadline);
    if (!spec.accept_deadline) {
      return Status::Invalid("accept_deadline: \"" + deadline + "\" is not a time; use yyyy-MM-dd HH:mm (Beijing)");
    }
  }
  VGI_ASSIGN_OR_RETURN(spec.note, StringField(body, "note", "note", false));
  return spec;
}

std::string DemandObject(std::string_view task) {
  return "demand:" + std::string(task.empty() ? "(new)" : task);
}

}  // namespace

// ---- demands

ApiResponse ListDemands(Services& s, Call& call) {
  store::DemandFilter f;
  if (auto state = call.query.Get("state"); state && !state->empty()) {
    bool found = false;
    for (auto st : {store::DemandState::kDraft, store::DemandState::kDispatched, store::DemandState::kDone,
                    store::DemandState::kCancelled}) {
      if (engine::DemandStateName(st) == *state) {
        f.states.push_back(st);
        found = true;
      }
    }
    if (!found) return ErrorResponse(400, "state: must be draft, dispatched, done or cancelled", "state");
  }
  auto limit = IntParam(call, "limit", 1, 1000, "must be from 1 to 1000");
  if (!limit.ok()) return StatusResponse(s, limit.status());
  f.limit = static_cast<std::size_t>(limit->value_or(100));
  auto demands = s.regulator.ListDemands(f);
  if (!demands.ok()) return StatusResponse(s, demands.status());
  JsonOut out;
  out.StartArray();
  for (const auto& d : *demands) {
    out.StartObject();
    WriteSummaryFields(out, d);
    out.EndObject();
  }
  out.EndArray();
  return JsonResponse(200, out.Take());
}

ApiResponse GetDemand(Services& s, Call& call) {
  auto view = s.regulator.GetDemand(call.params.at(0));
  if (!view.ok()) return EngineError(s, view.status(), call.params.at(0));
  return JsonResponse(200, DemandJson(*view));
}

ApiResponse GetExecution(Services& s, Call& call) {
  const std::string& task = call.params.at(0);
  auto view = s.regulator.GetDemand(task);
  if (!view.ok()) return EngineError(s, view.status(), task);
  auto traces = s.regulator.Execution(task);
  if (!traces.ok()) return EngineError(s, traces.status(), task);
  auto kw = [](JsonOut& out, const std::optional<proto::Kilowatts>& v) -> JsonOut& {
    return v ? out.Kw(*v) : out.Null();
  };
  JsonOut out;
  out.StartObject().Key("task_id").String(task).Key("type").String(engine::RegulationTypeName(view->spec.type));
  out.Key("at").Minute(s.clock.Now()).Key("traces").StartArray();
  for (const auto& t : *traces) {
    out.StartObject().Key("operator_id").String(t.operator_id).Key("regulation_id").String(t.regulation_id);
    out.Key("state").String(engine::RegulationStateName(t.state));
    out.Key("start").String(proto::FormatMinute(t.window.start_time));
    out.Key("end").String(proto::FormatMinute(t.window.end_time));
    out.Key("target_kw").Kw(t.window.target_power).Key("reference").String(t.reference);
    out.Key("minutes").StartArray();
    std::int64_t sum = 0;
    std::int64_t counted = 0;
    for (const auto& m : t.minutes) {
      out.StartObject().Key("minute").String(proto::FormatMinute(m.at)).Key("baseline_kw");
      kw(out, m.baseline).Key("actual_kw");
      kw(out, m.actual).Key("response_kw");
      kw(out, m.response).EndObject();
      if (m.baseline) {  // a judged minute; a missing one responds 0 (as the measurement counts it)
        sum += m.response ? m.response->units() : 0;
        ++counted;
      }
    }
    out.EndArray().Key("response_avg_kw");
    if (counted == 0) {
      out.Null().Key("completion_percent").Null();
    } else {
      const auto avg = proto::Kilowatts::FromUnits(sum / counted);
      out.Kw(avg).Key("completion_percent");
      const std::int64_t target = t.window.target_power.units();
      if (target > 0) {
        out.Number(std::round(static_cast<double>(avg.units()) * 1000.0 / static_cast<double>(target)) / 10.0);
      } else {
        out.Null();
      }
    }
    out.EndObject();
  }
  out.EndArray().EndObject();
  return JsonResponse(200, out.Take());
}

ApiResponse CreateDemand(Services& s, Call& call) {
  call.audit->object = DemandObject("");
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  if (!body.ok()) return StatusResponse(s, body.status());
  // Name the demand in the audit row as early as the body allows.
  if (auto task = StringField(*body, "task_id", "task_id", false); task.ok()) call.audit->object = DemandObject(*task);
  auto spec = SpecOf(*body);
  if (!spec.ok()) return StatusResponse(s, spec.status());
  spec->created_by = call.caller.username;
  call.audit->detail = CreateSummary(*spec);
  auto view = s.regulator.CreateDemand(std::move(*spec));
  if (!view.ok()) return EngineError(s, view.status());
  call.audit->object = DemandObject(view->spec.task_id);
  return JsonResponse(201, DemandJson(*view));
}

ApiResponse ChangeDemand(Services& s, Call& call) {
  const std::string& task = call.params.at(0);
  call.audit->object = DemandObject(task);
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  if (!body.ok()) return StatusResponse(s, body.status());
  auto windows = WindowsField(*body);
  if (!windows.ok()) return StatusResponse(s, windows.status());
  call.audit->detail = "windows: " + WindowsText(*windows);
  auto view = s.regulator.ChangeDemand(task, std::move(*windows));
  if (!view.ok()) return EngineError(s, view.status(), task);
  return JsonResponse(200, DemandJson(*view));
}

ApiResponse CancelDemand(Services& s, Call& call) {
  const std::string& task = call.params.at(0);
  call.audit->object = DemandObject(task);
  std::string reason;
  if (call.request.body.find_first_not_of(" \t\r\n") != std::string::npos) {  // the body is optional
    simdjson::dom::parser parser;
    auto body = ParseBody(parser, call.request.body);
    if (!body.ok()) return StatusResponse(s, body.status());
    auto r = StringField(*body, "reason", "reason", false);
    if (!r.ok()) return StatusResponse(s, r.status());
    reason = std::move(*r);
  }
  if (reason.empty()) reason = "cancelled from the console by " + call.caller.username;
  call.audit->detail = "reason: " + reason;
  auto view = s.regulator.CancelDemand(task, reason);
  if (!view.ok()) return EngineError(s, view.status(), task);
  return JsonResponse(200, DemandJson(*view));
}

}  // namespace vgi::console::api
