#include "json_codec.hpp"

#include "chars.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace vgi::proto::codec {
namespace {

// At most `max` bytes of `s`, never ending inside a UTF-8 character (the Msg must stay UTF-8).
std::string_view Cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] continues a character
  return s.substr(0, n);
}

// A value echoed in a message: quoted, and cut short so a huge input cannot bloat the reply.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(Cut(s, 40));
  if (s.size() > 40) out.append("...");
  out += '"';
  return out;
}

bool ReadStringLike(od::value& v, const Path& path, Ctx& ctx, std::string_view expected, std::string_view& out,
                    bool echo = true) {
  if (auto e = v.get_string().get(out); e != simdjson::SUCCESS) return ReadError(ctx, e, v, path, expected, echo);
  return true;
}

}  // namespace

std::string Path::Render() const {
  // Collect the frames root-first; the root itself has neither key nor index.
  std::vector<const Path*> frames;
  for (const Path* p = this; p != nullptr; p = p->parent) {
    if (!p->key.empty() || p->index != kNoIndex) frames.push_back(p);
  }
  if (frames.empty()) return "Data";
  std::string out;
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    const Path* p = *it;
    if (p->index != kNoIndex) {
      out += '[';
      out += std::to_string(p->index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out.append(p->key.substr(0, 64));
    }
  }
  return out;
}

Status Fail(const Path& path, std::string_view rule) {
  std::string m = path.Render();
  m += ": ";
  m += rule;
  return Status::Invalid(std::move(m));
}

bool Fail(Ctx& ctx, const Path& path, std::string_view rule) {
  ctx.error = Fail(path, rule);
  return false;
}

bool Malformed(Ctx& ctx) {
  ctx.error = UndecryptableData();
  return false;
}

std::string_view TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "array";
    case od::json_type::object: return "object";
    case od::json_type::number: return "number";
    case od::json_type::string: return "string";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "value";
}

std::string NumberText(double value) {
  char buf[32];
  // Whole numbers as plain digits (1000000, not 1e+06); others in their shortest form.
  const bool whole = std::fabs(value) < 1e18 && value == std::trunc(value);
  auto [end, ec] = whole ? std::to_chars(buf, buf + sizeof buf, static_cast<long long>(value))
                         : std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("number");
}

bool ReadError(Ctx& ctx, simdjson::error_code error, od::value& v, const Path& path, std::string_view expected,
               bool echo) {
  switch (error) {
    case simdjson::INCORRECT_TYPE: {
      od::json_type t;
      if (v.type().get(t) != simdjson::SUCCESS) return Malformed(ctx);
      if (t == od::json_type::null) {
        bool is_null = false;
        if (v.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return Malformed(ctx);
        ctx.got_null = true;
        return false;
      }
      std::string got(TypeName(t));
      if (t == od::json_type::number) {
        std::string_view token = chars::TrimEnd(v.raw_json_token());
        const std::string_view digits = token.starts_with('-') ? token.substr(1) : token;
        // simdjson reports an integer beyond 64 bits as a type mismatch; it is a range error.
        if (expected == "an integer" && chars::AllDigits(digits)) return Fail(ctx, path, "number is out of range");
        if (echo) got = token.substr(0, 40);
      }
      return Fail(ctx, path, "expected " + std::string(expected) + ", got " + got);
    }
    case simdjson::NUMBER_OUT_OF_RANGE:
    case simdjson::NUMBER_ERROR:
      return Fail(ctx, path, "number is out of range");
    default:
      return Malformed(ctx);
  }
}

bool TooDeep(const Path& path, Ctx& ctx) {
  return Fail(ctx, path, "JSON nested deeper than " + std::to_string(ctx.options.max_depth) + " levels");
}

bool SkipValue(od::value v, const Path& path, Ctx& ctx) {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS) return Malformed(ctx);
  switch (t) {
    case od::json_type::array: {
      od::array a;
      if (v.get_array().get(a) != simdjson::SUCCESS) return Malformed(ctx);
      if (!EnterContainer(path, ctx)) return false;
      std::size_t i = 0;
      for (auto item : a) {
        od::value iv;
        if (item.get(iv) != simdjson::SUCCESS) return Malformed(ctx);
        if (!SkipValue(iv, path.Item(i++), ctx)) return false;
      }
      --ctx.depth;
      return true;
    }
    case od::json_type::object: {
      od::object o;
      if (v.get_object().get(o) != simdjson::SUCCESS) return Malformed(ctx);
      if (!EnterContainer(path, ctx)) return false;
      for (auto member : o) {
        std::string_view key;
        od::value fv;
        if (member.unescaped_key().get(key) != simdjson::SUCCESS || member.value().get(fv) != simdjson::SUCCESS) {
          return Malformed(ctx);
        }
        if (!SkipValue(fv, path.Child(key), ctx)) return false;
      }
      --ctx.depth;
      return true;
    }
    case od::json_type::number: {
      double d = 0;
      return v.get_double().get(d) == simdjson::SUCCESS || Malformed(ctx);
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s) == simdjson::SUCCESS || Malformed(ctx);
    }
    case od::json_type::boolean: {
      bool b = false;
      return v.get_bool().get(b) == simdjson::SUCCESS || Malformed(ctx);
    }
    case od::json_type::null: {
      bool is_null = false;
      return (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) || Malformed(ctx);
    }
  }
  return Malformed(ctx);
}

std::string AllowedText(const int* values, std::size_t n) {
  bool contiguous = n > 2;
  for (std::size_t i = 1; i < n && contiguous; ++i) contiguous = values[i] == values[i - 1] + 1;
  if (contiguous) return std::to_string(values[0]) + ".." + std::to_string(values[n - 1]);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  return out;
}

bool GetStringInPlace(od::value& v, std::string_view& out) {
  const std::string_view raw = chars::TrimEnd(v.raw_json_token());
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"' ||
      std::memchr(raw.data() + 1, '\\', raw.size() - 2) != nullptr) {
    return false;
  }
  od::raw_json_string consumed;
  if (v.get_raw_json_string().get(consumed) != simdjson::SUCCESS) return false;
  out = raw.substr(1, raw.size() - 2);
  return true;
}

// ---- Text

bool Text::Read(od::value& v, const Path& path, Ctx& ctx, std::string& out) const {
  std::string_view s;
  bool may_have_control = true;
  if (sensitive && ctx.options.field_cipher != nullptr) {
    if (!ReadStringLike(v, path, ctx, "a base64 string (field-level encryption is on)", s, false)) return false;
    if (!ctx.options.field_cipher->Decrypt(s, ctx.scratch).ok()) {
      return Fail(ctx, path, "cannot be decrypted (field-level encryption is on for this peer)");
    }
    s = ctx.scratch;
  } else if (GetStringInPlace(v, s)) {
    may_have_control = false;
  } else if (auto e = v.get_string().get(s); e != simdjson::SUCCESS) {
    od::json_type t;
    if (!(id && e == simdjson::INCORRECT_TYPE && v.type().get(t) == simdjson::SUCCESS &&
          t == od::json_type::number)) {
      return ReadError(ctx, e, v, path, "a string", !sensitive);
    }
    // protocol.md: an ID typed string may arrive as a JSON integer; take its decimal text.
    s = chars::TrimEnd(v.raw_json_token());
    if (!chars::AllDigits(s)) return Fail(ctx, path, "expected a string or an integer ID, got " + std::string(s.substr(0, 40)));
    double ignored = 0;
    if (v.get_double().get(ignored) != simdjson::SUCCESS) {
      // Too large for a double, but its digits are all we need: nothing more to consume.
    }
  }
  if (!Check(s, path, ctx, may_have_control)) return false;
  out.assign(s.data(), s.size());
  return true;
}

bool Text::Check(std::string_view s, const Path& path, Ctx& ctx, bool may_have_control) const {
  if (s.empty()) return allow_empty || Fail(ctx, path, "must not be empty");
  if (s.size() > max_len) return Fail(ctx, path, "longer than " + std::to_string(max_len) + " bytes");
  if (may_have_control) {
    bool control = false;
    for (char c : s) control |= static_cast<unsigned char>(c) < 0x20;  // branch-free: vectorises
    if (control) return Fail(ctx, path, "contains a control character");
  }
  if (form == Form::kAny) return true;
  // The value as a message shows it: built only on failure (the success path allocates nothing).
  const auto shown = [&] { return sensitive ? std::string("value") : Quote(s); };
  switch (form) {
    case Form::kAny: break;
    case Form::kOperatorId:
      if (!IsOperatorId(s)) return Fail(ctx, path, shown() + " is not 9 characters of 0-9 and A-Z");
      break;
    case Form::kCreditCode:
      if (s.size() != 18 || !chars::AllUpperAlnum(s)) return Fail(ctx, path, shown() + " is not 18 characters of 0-9 and A-Z");
      break;
    case Form::kAreaCode:
      if (s.size() != 6 || !chars::AllDigits(s)) return Fail(ctx, path, shown() + " is not 6 digits (GB/T 2260 area code)");
      break;
    case Form::kCountryCode:
      if (s.size() != 2 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
        return Fail(ctx, path, shown() + " is not 2 capital letters (e.g. CN)");
      }
      break;
  }
  return true;
}

void Text::Write(Writer& w, const std::string& value, Ctx& ctx) const {
  if (sensitive && ctx.options.field_cipher != nullptr) {
    const std::string enc = ctx.options.field_cipher->Encrypt(value);
    w.String(enc.data(), static_cast<rapidjson::SizeType>(enc.size()));
    return;
  }
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// ---- numbers

bool ReadEncryptedNumber(od::value& v, const Path& path, Ctx& ctx, double& out) {
  std::string_view s;
  if (!ReadStringLike(v, path, ctx, "a base64 string (field-level encryption is on)", s, false)) return false;
  if (!ctx.options.field_cipher->Decrypt(s, ctx.scratch).ok()) {
    return Fail(ctx, path, "cannot be decrypted (field-level encryption is on for this peer)");
  }
  const char* end = ctx.scratch.data() + ctx.scratch.size();
  auto [p, ec] = std::from_chars(ctx.scratch.data(), end, out);
  if (ec != std::errc() || p != end) return Fail(ctx, path, "decrypted value is not a number");
  return true;
}

void WriteNumberText(Writer& w, const char* text, std::size_t len, bool sensitive, Ctx& ctx) {
  if (sensitive && ctx.options.field_cipher != nullptr) {
    const std::string enc = ctx.options.field_cipher->Encrypt(std::string_view(text, len));
    w.String(enc.data(), static_cast<rapidjson::SizeType>(enc.size()));
    return;
  }
  w.RawValue(text, len, rapidjson::kNumberType);
}

// ---- times

namespace {

// "HH:mm" at s[11..15] with s[10] == ' ' and s[13] == ':'; -1 if not a real time of day.
int MinuteOfDayAt(const char* s) {
  const auto d = [&](int i) { return static_cast<unsigned>(s[i] - '0'); };
  if (s[10] != ' ' || s[13] != ':' || d(11) > 9 || d(12) > 9 || d(14) > 9 || d(15) > 9) return -1;
  const unsigned hour = d(11) * 10 + d(12);
  const unsigned minute = d(14) * 10 + d(15);
  return hour < 24 && minute < 60 ? static_cast<int>(hour * 60 + minute) : -1;
}

}  // namespace

bool MinuteRule::Read(od::value& v, const Path& path, Ctx& ctx, BeijingMinute& out) const {
  // Fast path: a 1440-point curve repeats one date, and its times are plain 16-character strings.
  // Look at the raw token (no copy, no unescaping); when it is `"<same date> HH:mm"` we are done.
  const std::string_view raw = v.raw_json_token();
  if (ctx.last_date[0] != 0 && raw.size() >= 18 && raw[0] == '"' && raw[17] == '"' &&
      std::memcmp(raw.data() + 1, ctx.last_date, 10) == 0) {
    const int mod = MinuteOfDayAt(raw.data() + 1);
    od::raw_json_string consumed;
    if (mod >= 0 && v.get_raw_json_string().get(consumed) == simdjson::SUCCESS) {
      out = BeijingMinute{StartOf(ctx.last_day).minutes + mod};
      return true;
    }
  }
  std::string_view s;
  if (!ReadStringLike(v, path, ctx, "a string", s)) return false;
  auto m = ParseMinute(s);
  if (m) {
    std::memcpy(ctx.last_date, s.data(), 10);
    ctx.last_day = DateOf(*m);
  }
  if (!m) return Fail(ctx, path, Quote(s) + " is not a yyyy-MM-dd HH:mm time");
  out = *m;
  return true;
}

namespace {

// Writes "yyyy-MM-dd" for `day` to out, from the context's cache when it is the last day written.
void PutDate(BeijingDate day, Ctx& ctx, char* out) {
  if (ctx.last_date[0] == 0 || ctx.last_day != day) {
    FormatMinute(StartOf(day), ctx.scratch_minute);
    std::memcpy(ctx.last_date, ctx.scratch_minute, 10);
    ctx.last_day = day;
  }
  std::memcpy(out, ctx.last_date, 10);
}

}  // namespace

void MinuteRule::Write(Writer& w, BeijingMinute value, Ctx& ctx) const {
  char buf[16];
  PutDate(DateOf(value), ctx, buf);
  const int mod = MinuteOfDay(value);
  buf[10] = ' ';
  buf[11] = static_cast<char>('0' + mod / 600);
  buf[12] = static_cast<char>('0' + mod / 60 % 10);
  buf[13] = ':';
  buf[14] = static_cast<char>('0' + mod % 60 / 10);
  buf[15] = static_cast<char>('0' + mod % 10);
  w.String(buf, 16);
}

bool DateRule::Read(od::value& v, const Path& path, Ctx& ctx, BeijingDate& out) const {
  std::string_view s;
  if (!ReadStringLike(v, path, ctx, "a string", s)) return false;
  if (s.size() == 10) {
    for (int k = 0; k < Ctx::kDateCache; ++k) {
      if (ctx.date_text[k][0] != 0 && std::memcmp(s.data(), ctx.date_text[k], 10) == 0) {
        out = ctx.date_day[k];
        std::memcpy(ctx.last_date, s.data(), 10);  // MinuteRule's fast path keys on the last date
        ctx.last_day = out;
        return true;
      }
    }
  }
  auto d = ParseDate(s);
  if (!d) return Fail(ctx, path, Quote(s) + " is not a yyyy-MM-dd date");
  // ParseDate accepted it, so it is 10 characters.
  std::memcpy(ctx.date_text[ctx.next_date], s.data(), 10);
  ctx.date_day[ctx.next_date] = *d;
  ctx.next_date = (ctx.next_date + 1) % Ctx::kDateCache;
  std::memcpy(ctx.last_date, s.data(), 10);
  ctx.last_day = *d;
  out = *d;
  return true;
}

void DateRule::Write(Writer& w, BeijingDate value, Ctx& ctx) const {
  char buf[10];
  PutDate(value, ctx, buf);
  w.String(buf, 10);
}

// ---- keys

void KeyTable::Add(std::string_view name) {
  if (name.size() > kMaxName) std::abort();  // a schema bug, caught by every test run
  names_.push_back(name);
  Padded p;
  char bytes[32] = {};
  std::memcpy(bytes, name.data(), name.size());
  bytes[name.size()] = '"';
  std::memcpy(p.words, bytes, 32);
  padded_.push_back(p);
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  lower_.push_back(std::move(lower));
}

int KeyTable::Find(std::string_view key, bool ignore_case) const {
  const std::size_t n = names_.size();
  if (!ignore_case) {
    for (std::size_t i = 0; i < n; ++i) {
      if (names_[i].size() == key.size() && std::memcmp(names_[i].data(), key.data(), key.size()) == 0) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& l = lower_[i];
    if (l.size() != key.size()) continue;
    bool same = true;
    for (std::size_t j = 0; j < key.size() && same; ++j) {
      char c = key[j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == l[j];
    }
    if (same) return static_cast<int>(i);
  }
  return -1;
}

// ---- roots

od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

simdjson::padded_string_view PaddedView(const std::string& json) {
  if (json.capacity() - json.size() >= simdjson::SIMDJSON_PADDING) {
    return simdjson::padded_string_view(json.data(), json.size(), json.capacity());
  }
  thread_local std::string copy;
  copy.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  copy.assign(json);
  return simdjson::padded_string_view(copy.data(), copy.size(), copy.capacity());
}

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);

Status OpenRoot(const std::string& json, const CodecOptions& options, od::document& doc, od::object& root) {
  if (json.size() > options.max_bytes) {
    return Status::Invalid("Data: " + std::to_string(json.size()) + " bytes exceed the limit of " +
                           std::to_string(options.max_bytes));
  }
  if (chars::IsNoData(json)) return Status::Empty("Data: empty");
  if (ThreadParser().iterate(PaddedView(json)).get(doc) != simdjson::SUCCESS) return UndecryptableData();
  od::json_type t;
  if (doc.type().get(t) != simdjson::SUCCESS) return UndecryptableData();
  if (t == od::json_type::null) {
    bool is_null = false;
    if (doc.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return UndecryptableData();
    VGI_RETURN_IF_ERROR(CheckEnd(doc));
    return Status::Empty("Data: empty");
  }
  if (t != od::json_type::object) {
    return Status::Invalid("Data: expected a JSON object, got " + std::string(TypeName(t)));
  }
  if (doc.get_object().get(root) != simdjson::SUCCESS) return UndecryptableData();
  return Status::Ok();
}

Status CheckEnd(od::document& doc) {
  const char* loc = nullptr;
  // current_location() fails with OUT_OF_BOUNDS exactly when nothing follows the document.
  if (doc.current_location().get(loc) == simdjson::SUCCESS) return UndecryptableData();
  return Status::Ok();
}

}  // namespace vgi::proto::codec

namespace vgi::proto {

#define VGI_STRINGIFY_INNER(x) #x
#define VGI_STRINGIFY(x) VGI_STRINGIFY_INNER(x)
const char* JsonKernel() { return VGI_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION); }

}  // namespace vgi::proto
