#pragma once
// Private to proto: the machinery behind DecodeData/EncodeData (codec.hpp).
//
// A model is described once by a Schema<T>: a tuple of fields, each with its wire name, whether
// it is required, how to reach the member, and a rule (Text, OneOf, Dec, ...) that both reads it
// from simdjson On-Demand and writes it with RapidJSON's Writer. Cross-field rules go in
// Schema<T>::Check. The JSON path of the value being read is kept as a chain of stack frames and
// rendered only when something fails, so the success path does no string work.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <concepts>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/decimal.hpp"

namespace vgi::proto::codec {

namespace od = simdjson::ondemand;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// ---------------------------------------------------------------------------------------------
// Paths and errors

struct Path {
  static constexpr std::size_t kNoIndex = SIZE_MAX;
  const Path* parent = nullptr;
  std::string_view key;
  std::size_t index = kNoIndex;

  [[nodiscard]] Path Child(std::string_view k) const { return Path{this, k, kNoIndex}; }
  [[nodiscard]] Path Item(std::size_t i) const { return Path{this, {}, i}; }
  // "stationList[3].stakeList[0].type"; the root renders as "Data".
  [[nodiscard]] std::string Render() const;
};

// Readers return true on success; on failure they return false with the error in `error`.
// (Returning a Status from every field read costs more than parsing the field.)
struct Ctx {
  explicit Ctx(const CodecOptions& o) : options(o) {}
  const CodecOptions& options;
  Status error;
  // Set instead of `error` when a read failed because the value is JSON null, so an optional
  // field can take it as absent without a message being formatted.
  bool got_null = false;
  int depth = 0;
  std::string scratch;  // decrypted text of a field-encrypted value
  // The date part of the last date or minute time parsed: a 1440-point curve repeats one date,
  // and a model page repeats a handful.
  char last_date[10] = {};
  BeijingDate last_day{};
  char scratch_minute[16] = {};
  // The last few dates read (DateRule): a model page alternates a handful of dates (production
  // and put dates), which a single-entry cache misses every time.
  static constexpr int kDateCache = 4;
  char date_text[kDateCache][10] = {};
  BeijingDate date_day[kDateCache] = {};
  int next_date = 0;
  // Item count of the last list read for each list field (keyed by its rule): the stakeLists of
  // one page tend to be the same length, so the next one is reserved that size instead of growing
  // (and moving its elements) several times. Capped, so one long list does not make every later
  // one reserve that much.
  static constexpr std::size_t kMaxListHint = 64;
  struct ListHint {
    const void* list = nullptr;
    std::size_t size = 0;
  };
  ListHint list_hints[8] = {};
  // The hint slot of `list`, claiming a free one; null when all are taken.
  std::size_t* ListHintFor(const void* list) {
    for (ListHint& h : list_hints) {
      if (h.list == list) return &h.size;
      if (h.list == nullptr) {
        h.list = list;
        return &h.size;
      }
    }
    return nullptr;
  }
};

// Invalid("<path>: <rule>").
Status Fail(const Path& path, std::string_view rule);
// Stores Fail(path, rule) in ctx.error; returns false.
bool Fail(Ctx& ctx, const Path& path, std::string_view rule);
// Stores UndecryptableData() in ctx.error; returns false.
bool Malformed(Ctx& ctx);
std::string_view TypeName(od::json_type type);
// A failed read of `v` when `expected` (e.g. "an integer") was wanted: a null sets
// ctx.got_null; a type mismatch or range error names the path; anything else is malformed JSON
// (the uniform error). Returns false.
// `echo` false keeps a sensitive field's value out of the message.
bool ReadError(Ctx& ctx, simdjson::error_code error, od::value& v, const Path& path, std::string_view expected,
               bool echo = true);
// Reads a string value in place, without simdjson's unescaping copy, when it is a string with
// nothing to unescape; otherwise returns false having consumed nothing (use get_string()).
// simdjson has already tokenised the document, validated its UTF-8 and refused raw control
// characters in strings (UNESCAPED_CHARS); this only skips the copy.
bool GetStringInPlace(od::value& v, std::string_view& out);
// Consumes a value of a key we do not know, checking it is well-formed within the depth limit.
bool SkipValue(od::value v, const Path& path, Ctx& ctx);
// Shortest text of a double, for messages.
std::string NumberText(double value);

// ---------------------------------------------------------------------------------------------
// Rules

enum class Form { kAny, kOperatorId, kCreditCode, kAreaCode, kCountryCode };

struct Text {
  std::size_t max_len = 64;  // bytes
  bool id = false;           // an ID: a JSON integer is accepted as its decimal text
  bool sensitive = false;    // "(加密)": field-encrypted on the wire when enabled; never echoed
  bool allow_empty = false;
  Form form = Form::kAny;

  using Value = std::string;
  bool Read(od::value& v, const Path& path, Ctx& ctx, std::string& out) const;
  void Write(Writer& w, const std::string& value, Ctx& ctx) const;
  // `may_have_control` false: the text is a JSON string's raw content without escapes, which
  // the parser has already checked for control characters.
  bool Check(std::string_view text, const Path& path, Ctx& ctx, bool may_have_control = true) const;
};

std::string AllowedText(const int* values, std::size_t n);

// An integer from a fixed set; E is an enum (or int/bool).
template <class E, int... Values>
struct OneOf {
  using Value = E;
  bool Read(od::value& v, const Path& path, Ctx& ctx, E& out) const {
    std::int64_t x = 0;
    if (auto e = v.get_int64().get(x); e != simdjson::SUCCESS) return ReadError(ctx, e, v, path, "an integer");
    if (!((x == Values) || ...)) {
      static constexpr int kValues[] = {Values...};
      return Fail(ctx, path, std::to_string(x) + " is not one of " + AllowedText(kValues, sizeof...(Values)));
    }
    out = static_cast<E>(x);
    return true;
  }
  void Write(Writer& w, E value, Ctx&) const { w.Int(static_cast<int>(value)); }
};

using Flag = OneOf<bool, 0, 1>;

template <class I>
struct IntRange {
  I min;
  I max;
  using Value = I;
  bool Read(od::value& v, const Path& path, Ctx& ctx, I& out) const {
    std::int64_t x = 0;
    if (auto e = v.get_int64().get(x); e != simdjson::SUCCESS) return ReadError(ctx, e, v, path, "an integer");
    if (x < static_cast<std::int64_t>(min) || x > static_cast<std::int64_t>(max)) {
      return Fail(ctx, path, std::to_string(x) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    }
    out = static_cast<I>(x);
    return true;
  }
  void Write(Writer& w, I value, Ctx&) const { w.Int64(static_cast<std::int64_t>(value)); }
};

// Shared by every Dec<S>: reads the number (or, field-encrypted, its text) into a double.
bool ReadEncryptedNumber(od::value& v, const Path& path, Ctx& ctx, double& out);
inline bool ReadNumber(od::value& v, const Path& path, Ctx& ctx, bool sensitive, double& out) {
  if (sensitive && ctx.options.field_cipher != nullptr) return ReadEncryptedNumber(v, path, ctx, out);
  if (auto e = v.get_double().get(out); e != simdjson::SUCCESS) return ReadError(ctx, e, v, path, "a number", !sensitive);
  return true;
}
void WriteNumberText(Writer& w, const char* text, std::size_t len, bool sensitive, Ctx& ctx);

// A decimal with the seed's fixed precision, within [min, max].
template <int S>
struct Dec {
  double min;
  double max;
  bool sensitive = false;

  using Value = Decimal<S>;
  bool Read(od::value& v, const Path& path, Ctx& ctx, Decimal<S>& out) const {
    double x = 0;
    if (!ReadNumber(v, path, ctx, sensitive, x)) return false;
    if (!(x >= min && x <= max)) {  // first: a value beyond any Decimal is out of range, not imprecise
      return Fail(ctx, path, (sensitive ? std::string("value") : NumberText(x)) + " is outside " +
                                 NumberText(min) + ".." + NumberText(max));
    }
    auto d = Decimal<S>::FromDouble(x);
    if (!d) {
      return Fail(ctx, path, (sensitive ? std::string("value") : NumberText(x)) + " has more than " +
                                 std::to_string(S) + " decimal places");
    }
    out = *d;
    return true;
  }
  void Write(Writer& w, Decimal<S> value, Ctx& ctx) const {
    char buf[32];
    WriteNumberText(w, buf, value.Format(buf), sensitive, ctx);
  }
};

struct MinuteRule {  // "yyyy-MM-dd HH:mm"
  using Value = BeijingMinute;
  bool Read(od::value& v, const Path& path, Ctx& ctx, BeijingMinute& out) const;
  void Write(Writer& w, BeijingMinute value, Ctx& ctx) const;
};

struct DateRule {  // "yyyy-MM-dd"
  using Value = BeijingDate;
  bool Read(od::value& v, const Path& path, Ctx& ctx, BeijingDate& out) const;
  void Write(Writer& w, BeijingDate value, Ctx& ctx) const;
};

bool TooDeep(const Path& path, Ctx& ctx);
inline bool EnterContainer(const Path& path, Ctx& ctx) {
  if (++ctx.depth > ctx.options.max_depth) return TooDeep(path, ctx);
  return true;
}

template <class R>
struct ListOf {
  R element;
  std::size_t min_items;
  std::size_t max_items;

  using Value = std::vector<typename R::Value>;
  bool Read(od::value& v, const Path& path, Ctx& ctx, Value& out) const {
    od::array array;
    if (auto e = v.get_array().get(array); e != simdjson::SUCCESS) return ReadError(ctx, e, v, path, "an array");
    if (!EnterContainer(path, ctx)) return false;
    out.clear();
    std::size_t* hint = ctx.ListHintFor(this);
    if (hint != nullptr && *hint > out.capacity()) out.reserve(std::min(*hint, Ctx::kMaxListHint));
    std::size_t i = 0;
    for (auto item : array) {
      if (item.error() != simdjson::SUCCESS) return Malformed(ctx);
      od::value& iv = item.value_unsafe();  // by reference: see DecodeObject
      if (i >= max_items) return Fail(ctx, path, "more than " + std::to_string(max_items) + " items (the limit)");
      out.emplace_back();
      if (!element.Read(iv, path.Item(i), ctx, out.back())) {
        // A null element is not an absent field: it is the wrong type.
        if (ctx.got_null) {
          ctx.got_null = false;
          return Fail(ctx, path.Item(i), "must not be null");
        }
        return false;
      }
      ++i;
    }
    if (hint != nullptr) *hint = i;
    --ctx.depth;
    if (i < min_items) {
      return Fail(ctx, path, min_items == 1 ? std::string("must not be empty")
                                            : "fewer than " + std::to_string(min_items) + " items");
    }
    return true;
  }
  void Write(Writer& w, const Value& values, Ctx& ctx) const {
    w.StartArray();
    for (const auto& x : values) element.Write(w, x, ctx);
    w.EndArray();
  }
};

template <class T>
struct Schema;  // specialised per model: static const auto& Fields(); static Status Check(...)

template <class T>
bool DecodeObject(od::object& object, const Path& path, Ctx& ctx, T& out, bool root = false);
template <class T>
void WriteObject(Writer& w, const T& value, Ctx& ctx);

template <class T>
struct Obj {
  using Value = T;
  bool Read(od::value& v, const Path& path, Ctx& ctx, T& out) const {
    od::object object;
    if (auto e = v.get_object().get(object); e != simdjson::SUCCESS) return ReadError(ctx, e, v, path, "an object");
    return DecodeObject(object, path, ctx, out);
  }
  void Write(Writer& w, const T& value, Ctx& ctx) const { WriteObject(w, value, ctx); }
};

// ---------------------------------------------------------------------------------------------
// Fields

enum class Presence { kRequired, kOptional };

template <class Get, class Rule>
struct Field {
  std::string_view name;
  Presence presence;
  Get get;  // generic lambda: (auto& owner) -> auto& member
  Rule rule;
};

template <class Get, class Rule>
constexpr Field<Get, Rule> Required(std::string_view name, Get get, Rule rule) {
  return {name, Presence::kRequired, get, rule};
}
template <class Get, class Rule>
constexpr Field<Get, Rule> Optional(std::string_view name, Get get, Rule rule) {
  return {name, Presence::kOptional, get, rule};
}

// The accessor of a member (or a member of a member) of the object being coded.
#define VGI_AT(member) [](auto& owner) -> auto& { return owner.member; }

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};

template <class F, class T>
bool ReadField(const F& field, od::value& v, const Path& path, Ctx& ctx, T& owner) {
  auto& member = field.get(owner);
  using M = std::remove_cvref_t<decltype(member)>;
  bool ok = false;
  if constexpr (IsOptional<M>::value) {
    static_assert(std::is_same_v<typename M::value_type, typename decltype(field.rule)::Value>);
    ok = field.rule.Read(v, path, ctx, member.emplace());
  } else {
    static_assert(std::is_same_v<M, typename decltype(field.rule)::Value>);
    ok = field.rule.Read(v, path, ctx, member);
  }
  if (ok || !ctx.got_null) return ok;
  // The value is null: absent for an optional field, an error for a required one.
  ctx.got_null = false;
  if (field.presence == Presence::kRequired) return Fail(ctx, path, "must not be null");
  member = M{};
  return true;
}

template <class F, class T>
void WriteField(Writer& w, const F& field, const T& owner, Ctx& ctx) {
  const auto& member = field.get(owner);
  using M = std::remove_cvref_t<decltype(member)>;
  if constexpr (IsOptional<M>::value) {
    if (!member) return;
    w.Key(field.name.data(), static_cast<rapidjson::SizeType>(field.name.size()));
    field.rule.Write(w, *member, ctx);
  } else {
    if constexpr (IsVector<M>::value) {
      if (field.presence == Presence::kOptional && member.empty()) return;
    }
    w.Key(field.name.data(), static_cast<rapidjson::SizeType>(field.name.size()));
    field.rule.Write(w, member, ctx);
  }
}

// Finds a field by its wire name, exactly or ignoring ASCII case.
class KeyTable {
 public:
  static constexpr std::size_t kMaxName = 31;  // every wire name is shorter

  void Add(std::string_view name);
  [[nodiscard]] int Find(std::string_view key, bool ignore_case) const;
  // Exact match against the key as it appears in the JSON text (no unescaping): the fast path.
  // A key written with escapes matches nothing here and is looked up again unescaped.
  // `hint` is tried first: peers write an object's keys in the same order every time, so the
  // key after the last one matched is almost always the next one.
  [[nodiscard]] int FindRaw(od::raw_json_string key, std::size_t hint) const {
    const char* raw = key.raw();
    if (hint < names_.size() && Equal(raw, hint)) return static_cast<int>(hint);
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (Equal(raw, i)) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] std::string_view name(int i) const { return names_[static_cast<std::size_t>(i)]; }

 private:
  // Does the raw key (the bytes after its opening quote) equal name i, closing quote included?
  // Reading 32 bytes past `raw` is safe: simdjson keeps SIMDJSON_PADDING readable bytes after
  // the document, and every key is followed by at least `":` and a value.
  [[nodiscard]] bool Equal(const char* raw, std::size_t i) const {
    const Padded& name = padded_[i];  // the name, its closing quote, then zeros
    const std::size_t n = names_[i].size() + 1;
    std::uint64_t a[4];
    std::memcpy(a, raw, 32);
    std::uint64_t diff = 0;
    for (std::size_t w = 0; w < 4; ++w) {
      const std::size_t left = n > w * 8 ? n - w * 8 : 0;
      const std::uint64_t mask = left >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * left)) - 1;
      diff |= (a[w] ^ name.words[w]) & mask;
    }
    return diff == 0;
  }
  struct Padded {
    std::uint64_t words[4] = {};
  };
  std::vector<std::string_view> names_;
  std::vector<Padded> padded_;
  std::vector<std::string> lower_;
};

template <class Tuple, class Fn, std::size_t... I>
bool VisitAt(const Tuple& fields, int index, Fn&& fn, std::index_sequence<I...>) {
  bool result = false;
  ((index == static_cast<int>(I) ? (void)(result = fn(std::get<I>(fields))) : void()), ...);
  return result;
}

// Cross-field rules: Schema<T>::Check(const T&, const Path&) -> Status, where a model has any.
template <class T>
concept HasCheck = requires(const T& t, const Path& p) {
  { Schema<T>::Check(t, p) } -> std::same_as<Status>;
};

template <class T>
bool DecodeObject(od::object& object, const Path& path, Ctx& ctx, T& out, bool root) {
  const auto& fields = Schema<T>::Fields();
  using Tuple = std::remove_cvref_t<decltype(fields)>;
  constexpr std::size_t kN = std::tuple_size_v<Tuple>;
  static_assert(kN <= 64);
  struct Index {
    KeyTable table;
    std::uint64_t required = 0;  // bit i: field i is required
  };
  static const Index index = [&] {
    Index x;
    std::size_t i = 0;
    std::apply([&](const auto&... f) {
      ((x.table.Add(f.name), x.required |= (f.presence == Presence::kRequired ? std::uint64_t{1} << i : 0), ++i), ...);
    }, fields);
    return x;
  }();
  const KeyTable& table = index.table;
  const std::uint64_t required = index.required;

  if (!EnterContainer(path, ctx)) return false;
  std::uint64_t seen = 0;
  std::size_t keys = 0;
  std::size_t hint = 0;
  for (auto member : object) {
    // The field and its value are used in place, never copied out: copying simdjson's value makes
    // GCC reload it with one wide load right after narrower stores (a store-forwarding stall on
    // every field, measured at a third of the loop).
    if (member.error() != simdjson::SUCCESS) return Malformed(ctx);
    od::field& field = member.value_unsafe();
    int i = ctx.options.case_insensitive_keys ? -1 : table.FindRaw(field.key(), hint);
    std::string_view key;
    if (i < 0) {
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return Malformed(ctx);
      i = table.Find(key, ctx.options.case_insensitive_keys);
    }
    od::value& v = field.value();
    ++keys;
    if (i < 0) {
      if (!SkipValue(v, path.Child(key), ctx)) return false;
      continue;
    }
    const std::uint64_t bit = std::uint64_t{1} << i;
    if ((seen & bit) != 0) return Fail(ctx, path.Child(table.name(i)), "appears more than once");
    seen |= bit;
    hint = static_cast<std::size_t>(i) + 1;
    if (!VisitAt(
            fields, i, [&](const auto& f) { return ReadField(f, v, path.Child(f.name), ctx, out); },
            std::make_index_sequence<kN>{})) {
      return false;
    }
  }
  --ctx.depth;
  if (root && keys == 0) {
    ctx.error = Status::Empty("Data: empty");
    return false;
  }
  if (const std::uint64_t missing = required & ~seen; missing != 0) {
    const int first = __builtin_ctzll(missing);
    return Fail(ctx, path.Child(table.name(first)), "required field is missing");
  }
  if constexpr (HasCheck<T>) {
    if (Status s = Schema<T>::Check(out, path); !s.ok()) {
      ctx.error = std::move(s);
      return false;
    }
  }
  return true;
}

template <class T>
void WriteObject(Writer& w, const T& value, Ctx& ctx) {
  w.StartObject();
  std::apply([&](const auto&... f) { (WriteField(w, f, value, ctx), ...); }, Schema<T>::Fields());
  w.EndObject();
}

// ---------------------------------------------------------------------------------------------
// Entry points used by the explicit instantiations

// A view of `json` the parser can read past its end: in place when the string has the spare
// capacity, else a copy in a per-thread buffer.
simdjson::padded_string_view PaddedView(const std::string& json);
od::parser& ThreadParser();
// Runs after the root object: refuses trailing content.
Status CheckEnd(od::document& doc);
// Parses the root; returns the root object or the Empty/Invalid/uniform error.
Status OpenRoot(const std::string& json, const CodecOptions& options, od::document& doc, od::object& root);

template <class T>
Result<T> Decode(const std::string& json, const CodecOptions& options) {
  od::document doc;
  od::object root;
  VGI_RETURN_IF_ERROR(OpenRoot(json, options, doc, root));
  Ctx ctx(options);
  T out{};
  if (!DecodeObject(root, Path{}, ctx, out, /*root=*/true)) return std::move(ctx.error);
  VGI_RETURN_IF_ERROR(CheckEnd(doc));
  return out;
}

template <class T>
std::string Encode(const T& value, const CodecOptions& options) {
  thread_local rapidjson::StringBuffer buffer;
  buffer.Clear();
  Writer w(buffer);
  Ctx ctx(options);
  WriteObject(w, value, ctx);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace vgi::proto::codec

namespace vgi::proto {

// The public templates; each model's TU instantiates them explicitly (VGI_PROTO_DEFINE_CODEC).
template <class T>
Result<T> DecodeData(const std::string& json, const CodecOptions& options) {
  return codec::Decode<T>(json, options);
}
template <class T>
std::string EncodeData(const T& value, const CodecOptions& options) {
  return codec::Encode<T>(value, options);
}

}  // namespace vgi::proto

#define VGI_PROTO_DEFINE_CODEC(T)                                                  \
  template Result<T> DecodeData<T>(const std::string&, const CodecOptions&);      \
  template std::string EncodeData<T>(const T&, const CodecOptions&);
