#include "regulator_docs.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

namespace vgi::engine::doc {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, const char* k) { w.Key(k); }
void Str(Writer& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void Int(Writer& w, const char* k, std::int64_t v) {
  w.Key(k);
  w.Int64(v);
}
void Bool(Writer& w, const char* k, bool v) {
  w.Key(k);
  w.Bool(v);
}
void Strings(Writer& w, const char* k, const std::vector<std::string>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : v) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}
void Windows(Writer& w, const char* k, const std::vector<proto::AdjustTarget>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& t : v) {
    w.StartObject();
    Str(w, "kw", t.target_power.ToString());
    Str(w, "start", proto::FormatMinute(t.start_time));
    Str(w, "end", proto::FormatMinute(t.end_time));
    w.EndObject();
  }
  w.EndArray();
}

// Reading: a thin layer over simdjson's DOM that turns every miss into one Internal error.
struct Reader {
  std::string_view what;
  Status error;
  bool Fail(std::string_view field) {
    if (error.ok()) error = Status::Internal(std::string(what) + ": stored document is corrupted at \"" + std::string(field) + "\"");
    return false;
  }
};

using Obj = simdjson::dom::object;

bool GetStr(Reader& r, const Obj& o, const char* k, std::string& out) {
  std::string_view v;
  if (o[k].get_string().get(v) != simdjson::SUCCESS) return r.Fail(k);
  out.assign(v);
  return true;
}
bool GetInt(Reader& r, const Obj& o, const char* k, std::int64_t& out) {
  if (o[k].get_int64().get(out) != simdjson::SUCCESS) return r.Fail(k);
  return true;
}
template <class I>
bool GetSmall(Reader& r, const Obj& o, const char* k, I& out) {
  std::int64_t v = 0;
  if (!GetInt(r, o, k, v)) return false;
  out = static_cast<I>(v);
  return true;
}
bool GetBool(Reader& r, const Obj& o, const char* k, bool& out) {
  if (o[k].get_bool().get(out) != simdjson::SUCCESS) return r.Fail(k);
  return true;
}
bool GetStrings(Reader& r, const Obj& o, const char* k, std::vector<std::string>& out) {
  simdjson::dom::array a;
  if (o[k].get_array().get(a) != simdjson::SUCCESS) return r.Fail(k);
  for (auto e : a) {
    std::string_view v;
    if (e.get_string().get(v) != simdjson::SUCCESS) return r.Fail(k);
    out.emplace_back(v);
  }
  return true;
}
bool GetDecimalText(Reader& r, const Obj& o, const char* k, std::string& out) { return GetStr(r, o, k, out); }
bool GetWindows(Reader& r, const Obj& o, const char* k, std::vector<proto::AdjustTarget>& out) {
  simdjson::dom::array a;
  if (o[k].get_array().get(a) != simdjson::SUCCESS) return r.Fail(k);
  for (auto e : a) {
    Obj w;
    if (e.get_object().get(w) != simdjson::SUCCESS) return r.Fail(k);
    std::string kw, start, end;
    if (!GetStr(r, w, "kw", kw) || !GetStr(r, w, "start", start) || !GetStr(r, w, "end", end)) return false;
    auto p = proto::Kilowatts::Parse(kw);
    auto s = proto::ParseMinute(start);
    auto f = proto::ParseMinute(end);
    if (!p || !s || !f) return r.Fail(k);
    out.push_back({*p, *s, *f});
  }
  return true;
}

Result<Obj> Parse(simdjson::dom::parser& parser, std::string_view json, Reader& r) {
  Obj o;
  if (parser.parse(json.data(), json.size()).get_object().get(o) != simdjson::SUCCESS) {
    r.Fail("(document)");
    return r.error;
  }
  return o;
}

template <class D>
bool GetDecimal(Reader& r, const Obj& o, const char* k, D& out) {
  std::string text;
  if (!GetStr(r, o, k, text)) return false;
  auto v = D::Parse(text);
  if (!v) return r.Fail(k);
  out = *v;
  return true;
}

}  // namespace

std::string Encode(const InstructionSettlement& s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "operatorId", s.operator_id);
  Str(w, "taskId", s.task_id);
  Str(w, "regulationId", s.regulation_id);
  Int(w, "type", static_cast<int>(s.type));
  Str(w, "earnings", s.earnings.ToString());
  Key(w, "periods");
  w.StartArray();
  for (const auto& p : s.periods) {
    w.StartObject();
    Str(w, "start", proto::FormatMinute(p.start));
    Str(w, "end", proto::FormatMinute(p.end));
    Str(w, "targetKwh", p.target_energy.ToString());
    Str(w, "deliveredKwh", p.delivered_energy.ToString());
    Str(w, "paidKwh", p.paid_energy.ToString());
    Str(w, "price", p.price.ToString());
    Int(w, "band", static_cast<int>(p.band));
    Str(w, "ratioPercent", std::to_string(p.ratio_percent));
    Str(w, "payment", p.payment.ToString());
    Str(w, "penalty", p.penalty.ToString());
    Str(w, "earnings", p.earnings.ToString());
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

Result<InstructionSettlement> DecodeSettlement(std::string_view json, std::string_view what) {
  Reader r{what, Status::Ok()};
  simdjson::dom::parser parser;
  auto o = Parse(parser, json, r);
  if (!o.ok()) return o.status();
  InstructionSettlement s;
  if (!GetStr(r, *o, "operatorId", s.operator_id) || !GetStr(r, *o, "taskId", s.task_id) ||
      !GetStr(r, *o, "regulationId", s.regulation_id) || !GetSmall(r, *o, "type", s.type) ||
      !GetDecimal(r, *o, "earnings", s.earnings)) {
    return r.error;
  }
  simdjson::dom::array periods;
  if ((*o)["periods"].get_array().get(periods) != simdjson::SUCCESS) {
    r.Fail("periods");
    return r.error;
  }
  for (auto e : periods) {
    Obj p;
    if (e.get_object().get(p) != simdjson::SUCCESS) {
      r.Fail("periods");
      return r.error;
    }
    PeriodSettlement x;
    std::string start, end, ratio;
    if (!GetStr(r, p, "start", start) || !GetStr(r, p, "end", end) || !GetDecimal(r, p, "targetKwh", x.target_energy) ||
        !GetDecimal(r, p, "deliveredKwh", x.delivered_energy) || !GetDecimal(r, p, "paidKwh", x.paid_energy) ||
        !GetDecimal(r, p, "price", x.price) || !GetSmall(r, p, "band", x.band) || !GetStr(r, p, "ratioPercent", ratio) ||
        !GetDecimal(r, p, "payment", x.payment) || !GetDecimal(r, p, "penalty", x.penalty) ||
        !GetDecimal(r, p, "earnings", x.earnings)) {
      return r.error;
    }
    auto a = proto::ParseMinute(start);
    auto b = proto::ParseMinute(end);
    if (!a || !b) {
      r.Fail("periods");
      return r.error;
    }
    x.start = *a;
    x.end = *b;
    x.ratio_percent = std::strtod(ratio.c_str(), nullptr);
    s.periods.push_back(x);
  }
  return s;
}

std::string Encode(const DemandDoc& d) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "taskId", d.spec.task_id);
  Int(w, "type", static_cast<int>(d.spec.type));
  Str(w, "scope", ScopeKindName(d.spec.scope.kind));
  Strings(w, "ids", d.spec.scope.ids);
  Windows(w, "windows", d.spec.windows);
  Bool(w, "isForce", d.spec.is_force);
  Str(w, "acceptDeadline", d.spec.accept_deadline ? proto::FormatMinute(*d.spec.accept_deadline) : "");
  Int(w, "reserveMarginBp", d.spec.reserve_margin_bp.value_or(-1));
  Str(w, "createdBy", d.spec.created_by);
  Str(w, "note", d.spec.note);
  Strings(w, "events", d.events);
  Int(w, "nextSeq", d.next_seq);
  Int(w, "rounds", d.rounds);
  Bool(w, "uncoveredAlarmed", d.uncovered_alarmed);
  Int(w, "redispatchTriedAt", d.redispatch_tried_at);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

Result<DemandDoc> DecodeDemand(std::string_view json, std::string_view what) {
  Reader r{what, Status::Ok()};
  simdjson::dom::parser parser;
  auto o = Parse(parser, json, r);
  if (!o.ok()) return o.status();
  DemandDoc d;
  std::string scope, deadline;
  std::int64_t margin = -1;
  const bool ok = GetStr(r, *o, "taskId", d.spec.task_id) && GetSmall(r, *o, "type", d.spec.type) &&
                  GetStr(r, *o, "scope", scope) && GetStrings(r, *o, "ids", d.spec.scope.ids) &&
                  GetWindows(r, *o, "windows", d.spec.windows) && GetBool(r, *o, "isForce", d.spec.is_force) &&
                  GetStr(r, *o, "acceptDeadline", deadline) && GetInt(r, *o, "reserveMarginBp", margin) &&
                  GetStr(r, *o, "createdBy", d.spec.created_by) && GetStr(r, *o, "note", d.spec.note) &&
                  GetStrings(r, *o, "events", d.events) && GetSmall(r, *o, "nextSeq", d.next_seq) &&
                  GetSmall(r, *o, "rounds", d.rounds) && GetBool(r, *o, "uncoveredAlarmed", d.uncovered_alarmed) &&
                  GetInt(r, *o, "redispatchTriedAt", d.redispatch_tried_at);
  if (!ok) return r.error;
  auto kind = ParseScopeKind(scope);
  if (!kind) return Status::Internal(std::string(what) + ": stored document is corrupted at \"scope\"");
  d.spec.scope.kind = *kind;
  if (!deadline.empty()) {
    d.spec.accept_deadline = proto::ParseMinute(deadline);
    if (!d.spec.accept_deadline) return Status::Internal(std::string(what) + ": stored document is corrupted at \"acceptDeadline\"");
  }
  if (margin >= 0) d.spec.reserve_margin_bp = static_cast<int>(margin);
  return d;
}

std::string Encode(const RegulationDoc& d) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Int(w, "type", static_cast<int>(d.type));
  Int(w, "synchro", static_cast<int>(d.synchro));
  Int(w, "range", static_cast<int>(d.range));
  Bool(w, "isForce", d.is_force);
  Strings(w, "adjustIds", d.adjust_ids);
  Windows(w, "allocated", d.allocated);
  Windows(w, "accepted", d.accepted);
  Strings(w, "explanation", d.explanation);
  Str(w, "note", d.note);
  Int(w, "round", d.round);
  Str(w, "replaces", d.replaces);
  Bool(w, "queryAsked", d.query_asked);
  Bool(w, "pushEnqueued", d.push_enqueued);
  Strings(w, "stations", d.stations);
  Int(w, "checkedThrough", d.checked_through);
  Int(w, "belowRun", d.below_run);
  Key(w, "liveReference");
  w.StartArray();
  for (const auto& ref : d.live_reference) {
    w.StartArray();
    for (auto v : ref) w.Int(v);
    w.EndArray();
  }
  w.EndArray();
  Bool(w, "shortfallAlarmed", d.shortfall_alarmed);
  Key(w, "measured");
  w.StartArray();
  for (const auto& m : d.measured) {
    w.StartObject();
    Windows(w, "window", {m.window});
    Str(w, "completionPercent", std::to_string(m.completion_percent));
    Str(w, "deliveredKwh", m.delivered.ToString());
    Str(w, "baselineKw", m.baseline_average.ToString());
    Str(w, "actualKw", m.actual_average.ToString());
    w.EndObject();
  }
  w.EndArray();
  Str(w, "baseline", d.baseline);
  Str(w, "earnings", d.earnings ? d.earnings->ToString() : "");
  Int(w, "measureRetryAt", d.measure_retry_at);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

Result<RegulationDoc> DecodeRegulation(std::string_view json, std::string_view what) {
  Reader r{what, Status::Ok()};
  simdjson::dom::parser parser;
  auto o = Parse(parser, json, r);
  if (!o.ok()) return o.status();
  RegulationDoc d;
  std::string earnings;
  bool ok = GetSmall(r, *o, "type", d.type) && GetSmall(r, *o, "synchro", d.synchro) &&
            GetSmall(r, *o, "range", d.range) && GetBool(r, *o, "isForce", d.is_force) &&
            GetStrings(r, *o, "adjustIds", d.adjust_ids) && GetWindows(r, *o, "allocated", d.allocated) &&
            GetWindows(r, *o, "accepted", d.accepted) && GetStrings(r, *o, "explanation", d.explanation) &&
            GetStr(r, *o, "note", d.note) && GetSmall(r, *o, "round", d.round) &&
            GetStr(r, *o, "replaces", d.replaces) && GetBool(r, *o, "queryAsked", d.query_asked) &&
            GetBool(r, *o, "pushEnqueued", d.push_enqueued) &&
            GetStrings(r, *o, "stations", d.stations) && GetInt(r, *o, "checkedThrough", d.checked_through) &&
            GetSmall(r, *o, "belowRun", d.below_run) && GetBool(r, *o, "shortfallAlarmed", d.shortfall_alarmed) &&
            GetStr(r, *o, "baseline", d.baseline) && GetDecimalText(r, *o, "earnings", earnings) &&
            GetInt(r, *o, "measureRetryAt", d.measure_retry_at);
  if (!ok) return r.error;
  simdjson::dom::array refs;
  if ((*o)["liveReference"].get_array().get(refs) != simdjson::SUCCESS) {
    r.Fail("liveReference");
    return r.error;
  }
  for (auto ref : refs) {
    simdjson::dom::array values;
    if (ref.get_array().get(values) != simdjson::SUCCESS) {
      r.Fail("liveReference");
      return r.error;
    }
    auto& out = d.live_reference.emplace_back();
    for (auto v : values) {
      std::int64_t x = 0;
      if (v.get_int64().get(x) != simdjson::SUCCESS) {
        r.Fail("liveReference");
        return r.error;
      }
      out.push_back(static_cast<std::int32_t>(x));
    }
  }
  simdjson::dom::array measured;
  if ((*o)["measured"].get_array().get(measured) != simdjson::SUCCESS) {
    r.Fail("measured");
    return r.error;
  }
  for (auto e : measured) {
    Obj m;
    if (e.get_object().get(m) != simdjson::SUCCESS) {
      r.Fail("measured");
      return r.error;
    }
    InstructionView::Measured x;
    std::vector<proto::AdjustTarget> window;
    std::string completion, delivered, baseline, actual;
    if (!GetWindows(r, m, "window", window) || !GetStr(r, m, "completionPercent", completion) ||
        !GetStr(r, m, "deliveredKwh", delivered) || !GetStr(r, m, "baselineKw", baseline) ||
        !GetStr(r, m, "actualKw", actual)) {
      return r.error;
    }
    auto dk = proto::KilowattHours::Parse(delivered);
    auto bk = proto::Kilowatts::Parse(baseline);
    auto ak = proto::Kilowatts::Parse(actual);
    if (window.size() != 1 || !dk || !bk || !ak) {
      r.Fail("measured");
      return r.error;
    }
    x.window = window[0];
    x.completion_percent = std::strtod(completion.c_str(), nullptr);
    x.delivered = *dk;
    x.baseline_average = *bk;
    x.actual_average = *ak;
    d.measured.push_back(x);
  }
  if (!earnings.empty()) {
    d.earnings = proto::Yuan::Parse(earnings);
    if (!d.earnings) {
      r.Fail("earnings");
      return r.error;
    }
  }
  return d;
}

}  // namespace vgi::engine::doc
