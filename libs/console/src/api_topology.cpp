// The console API's grid topology routes: which market and transformer area (台区) each station
// is in (store.hpp "grid topology"), read as a summary or the whole CSV, and replaced by an
// administrator's import (engine/topology.hpp reads the file).
#include <string>

#include "api_internal.hpp"
#include "vgi/engine/topology.hpp"

namespace vgi::console::api {
namespace {

// What the importer may call the file: shown in the info and the audit log.
constexpr std::size_t kMaxSourceChars = 200;

void WriteGroups(JsonOut& out, const std::vector<engine::TopologyGroup>& groups) {
  out.StartArray();
  for (const auto& g : groups) {
    out.StartObject().Key("id").String(g.id).Key("stations").Int(g.stations).Key("operators").Int(g.operators);
    out.EndObject();
  }
  out.EndArray();
}

// The answer of GET and POST (schema Topology).
ApiResponse TopologyResponse(Services& s, const store::TopologyInfo& info) {
  auto entries = s.store.ListTopology(store::TopologyFilter{});
  if (!entries.ok()) return StatusResponse(s, entries.status());
  auto check = engine::CheckTopologyAgainstModels(s.store, *entries);
  if (!check.ok()) return StatusResponse(s, check.status());
  const engine::TopologySummary summary = engine::SummarizeTopology(*entries);
  JsonOut out;
  out.StartObject().Key("version").Int(info.version).Key("imported_at");
  if (info.version == 0) {
    out.Null();
  } else {
    out.Minute(info.imported_at);
  }
  out.Key("source").String(info.source).Key("stations").Int(info.stations);
  out.Key("unmodelled").Int(check->unmodelled);
  out.Key("markets");
  WriteGroups(out, summary.markets);
  out.Key("transformer_areas");
  WriteGroups(out, summary.transformer_areas);
  out.EndObject();
  return JsonResponse(200, out.Take());
}

Status CheckSource(std::string_view source) {
  if (source.size() > kMaxSourceChars) {
    return Status::Invalid("source: at most " + std::to_string(kMaxSourceChars) + " characters");
  }
  for (char c : source) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return Status::Invalid("source: no control characters");
  }
  return Status::Ok();
}

}  // namespace

ApiResponse GetTopology(Services& s, Call&) {
  auto info = s.store.GetTopologyInfo();
  if (!info.ok()) return StatusResponse(s, info.status());
  return TopologyResponse(s, *info);
}

ApiResponse GetTopologyCsv(Services& s, Call&) {
  auto entries = s.store.ListTopology(store::TopologyFilter{});
  if (!entries.ok()) return StatusResponse(s, entries.status());
  auto info = s.store.GetTopologyInfo();
  if (!info.ok()) return StatusResponse(s, info.status());
  ApiResponse r = JsonResponse(200, engine::FormatTopologyCsv(*entries));
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"vgi-topology-v" + std::to_string(info->version) + ".csv\"");
  return r;
}

ApiResponse ImportTopology(Services& s, Call& call) {
  call.audit->object = "topology";
  simdjson::dom::parser parser;
  auto body = ParseBody(parser, call.request.body);
  if (!body.ok()) return StatusResponse(s, body.status());
  auto csv = StringField(*body, "csv", "csv", true);
  if (!csv.ok()) return StatusResponse(s, csv.status());
  auto source = StringField(*body, "source", "source", false);
  if (!source.ok()) return StatusResponse(s, source.status());
  if (Status st = CheckSource(*source); !st.ok()) return StatusResponse(s, st);
  const std::string named = source->empty() ? std::string("console") : *source;
  call.audit->detail = named;
  // Bodies beyond server.limits.max_body_bytes never get here (the HTTP server answers 413; the
  // page then says to use `vgi topology import`).
  auto entries = engine::ParseTopologyCsv(*csv);
  if (!entries.ok()) return ErrorResponse(400, entries.status().message(), "csv");
  auto info = s.store.ReplaceTopology(*entries, named + " by " + call.caller.username);
  if (!info.ok()) return StatusResponse(s, info.status());
  call.audit->object = "topology:v" + std::to_string(info->version);
  call.audit->detail = named + ": " + std::to_string(info->stations) + " stations";
  return TopologyResponse(s, *info);
}

}  // namespace vgi::console::api
