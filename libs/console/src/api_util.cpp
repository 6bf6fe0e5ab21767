// The console API's shared helpers (api_internal.hpp): query strings, JSON in and out, and the
// mapping of library errors to answers.
#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>

#include "api_internal.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::console::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

Query::Query(std::string_view raw) {
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    params_.emplace_back(Decode(pair.substr(0, eq)), eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1)));
  }
}

std::optional<std::string> Query::Get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return std::nullopt;
}

Result<std::optional<std::int64_t>> IntParam(const Call& call, std::string_view name, std::int64_t lo, std::int64_t hi,
                                             std::string_view rule) {
  const auto raw = call.query.Get(name);
  if (!raw) return std::optional<std::int64_t>();
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size() || v < lo || v > hi) {
    return Status::Invalid(std::string(name) + ": \"" + *raw + "\" " + std::string(rule));
  }
  return std::optional<std::int64_t>(v);
}

ApiResponse JsonResponse(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

ApiResponse ErrorResponse(int status, std::string_view message, std::string_view field) {
  JsonOut out;
  out.StartObject().Key("error").String(message);
  if (!field.empty()) out.Key("field").String(field);
  out.EndObject();
  return JsonResponse(status, out.Take());
}

ApiResponse StatusResponse(const Services& s, const Status& status) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kInvalid: {
      // "windows[0].start: ..." names the field; a sentence does not.
      const auto colon = m.find(':');
      std::string_view field;
      if (colon != std::string::npos && colon > 0 && m.find(' ') > colon) field = std::string_view(m).substr(0, colon);
      return ErrorResponse(400, m, field);
    }
    case StatusCode::kNotFound:
      return ErrorResponse(404, m);
    case StatusCode::kConflict:
    case StatusCode::kRefused:
      return ErrorResponse(409, m);
    case StatusCode::kUnavailable:
      return ErrorResponse(503, m + " (try again shortly; if it persists, tell the operations team)");
    default:
      if (s.log) s.log->error("console api: {}", status.ToString());
      return ErrorResponse(500, "internal error: the server log has the details; tell the operations team");
  }
}

JsonOut& JsonOut::Key(std::string_view k) {
  writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  return *this;
}
JsonOut& JsonOut::String(std::string_view v) {
  writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  return *this;
}
JsonOut& JsonOut::Int(std::int64_t v) {
  writer_.Int64(v);
  return *this;
}
JsonOut& JsonOut::Bool(bool v) {
  writer_.Bool(v);
  return *this;
}
JsonOut& JsonOut::Null() {
  writer_.Null();
  return *this;
}
JsonOut& JsonOut::Number(double v) {
  writer_.Double(v);
  return *this;
}
JsonOut& JsonOut::Decimal(std::string_view digits) {
  writer_.RawValue(digits.data(), digits.size(), rapidjson::kNumberType);
  return *this;
}
JsonOut& JsonOut::Minute(SystemTime t) {
  return String(proto::FormatMinute(proto::ToBeijingMinute(t)));
}
JsonOut& JsonOut::StartObject() {
  writer_.StartObject();
  return *this;
}
JsonOut& JsonOut::EndObject() {
  writer_.EndObject();
  return *this;
}
JsonOut& JsonOut::StartArray() {
  writer_.StartArray();
  return *this;
}
JsonOut& JsonOut::EndArray() {
  writer_.EndArray();
  return *this;
}

Result<simdjson::dom::element> ParseBody(simdjson::dom::parser& parser, std::string_view body) {
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return Status::Invalid("request body: not valid JSON; send a JSON object (Content-Type: application/json)");
  }
  if (root.type() != simdjson::dom::element_type::OBJECT) {
    return Status::Invalid("request body: must be a JSON object");
  }
  return root;
}

Result<std::string> StringField(simdjson::dom::element obj, std::string_view key, std::string_view path,
                                bool required) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) {
    if (required) return Status::Invalid(std::string(path) + ": is required");
    return std::string();
  }
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) return Status::Invalid(std::string(path) + ": must be a string");
  return std::string(s);
}

Result<std::optional<bool>> BoolField(simdjson::dom::element obj, std::string_view key, std::string_view path) {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::optional<bool>();
  bool b = false;
  if (v.get(b) != simdjson::SUCCESS) return Status::Invalid(std::string(path) + ": must be true or false");
  return std::optional<bool>(b);
}

}  // namespace vgi::console::api
