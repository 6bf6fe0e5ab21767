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

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

struct Ctx {
  const CodecOptions& options;
  int depth = 0;
  std::string scratch;  // decrypted text of a field-encrypted value
};

// Invalid("<path>: <rule>").
Status Fail(const Path& path, std::string_view rule);
std::string_view TypeName(od::json_type type);
// The Status for a failed read of `v` when `expected` (e.g. "an integer") was wanted: a type
// mismatch or range error names the path; anything else is malformed JSON (the uniform error).
Status ReadError(simdjson::error_code error, od::value& v, const Path& path, std::string_view expected);
// Consumes a value of a key we do not know, checking it is well-formed within the depth limit.
Status SkipValue(od::value v, const Path& path, Ctx& ctx);
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
  Status Read(od::value& v, const Path& path, Ctx& ctx, std::string& out) const;
  void Write(Writer& w, const std::string& value, Ctx& ctx) const;
  Status Check(std::string_view text, const Path& path) const;
};

std::string AllowedText(const int* values, std::size_t n);

// An integer from a fixed set; E is an enum (or int/bool).
template <class E, int... Values>
struct OneOf {
  using Value = E;
  Status Read(od::value& v, const Path& path, Ctx&, E& out) const {
    std::int64_t x = 0;
    if (auto e = v.get_int64().get(x); e != simdjson::SUCCESS) return ReadError(e, v, path, "an integer");
    if (!((x == Values) || ...)) {
      static constexpr int kValues[] = {Values...};
      return Fail(path, std::to_string(x) + " is not one of " + AllowedText(kValues, sizeof...(Values)));
    }
    out = static_cast<E>(x);
    return Status::Ok();
  }
  void Write(Writer& w, E value, Ctx&) const { w.Int(static_cast<int>(value)); }
};

using Flag = OneOf<bool, 0, 1>;

template <class I>
struct IntRange {
  I min;
  I max;
  using Value = I;
  Status Read(od::value& v, const Path& path, Ctx&, I& out) const {
    std::int64_t x = 0;
    if (auto e = v.get_int64().get(x); e != simdjson::SUCCESS) return ReadError(e, v, path, "an integer");
    if (x < static_cast<std::int64_t>(min) || x > static_cast<std::int64_t>(max)) {
      return Fail(path, std::to_string(x) + " is outside " + std::to_string(min) + ".." + std::to_string(max));
    }
    out = static_cast<I>(x);
    return Status::Ok();
  }
  void Write(Writer& w, I value, Ctx&) const { w.Int64(static_cast<std::int64_t>(value)); }
};

// Shared by every Dec<S>: reads the number (or, field-encrypted, its text) into a double.
Status ReadNumber(od::value& v, const Path& path, Ctx& ctx, bool sensitive, double& out);
void WriteNumberText(Writer& w, const char* text, std::size_t len, bool sensitive, Ctx& ctx);

// A decimal with the seed's fixed precision, within [min, max].
template <int S>
struct Dec {
  double min;
  double max;
  bool sensitive = false;

  using Value = Decimal<S>;
  Status Read(od::value& v, const Path& path, Ctx& ctx, Decimal<S>& out) const {
    double x = 0;
    VGI_RETURN_IF_ERROR(ReadNumber(v, path, ctx, sensitive, x));
    auto d = Decimal<S>::FromDouble(x);
    if (!d) {
      return Fail(path, (sensitive ? std::string("value") : NumberText(x)) + " has more than " +
                            std::to_string(S) + " decimal places");
    }
    if (x < min || x > max) {
      return Fail(path, (sensitive ? std::string("value") : NumberText(x)) + " is outside " +
                            NumberText(min) + ".." + NumberText(max));
    }
    out = *d;
    return Status::Ok();
  }
  void Write(Writer& w, Decimal<S> value, Ctx& ctx) const {
    char buf[32];
    WriteNumberText(w, buf, value.Format(buf), sensitive, ctx);
  }
};

struct MinuteRule {  // "yyyy-MM-dd HH:mm"
  using Value = BeijingMinute;
  Status Read(od::value& v, const Path& path, Ctx& ctx, BeijingMinute& out) const;
  void Write(Writer& w, BeijingMinute value, Ctx& ctx) const;
};

struct DateRule {  // "yyyy-MM-dd"
  using Value = BeijingDate;
  Status Read(od::value& v, const Path& path, Ctx& ctx, BeijingDate& out) const;
  void Write(Writer& w, BeijingDate value, Ctx& ctx) const;
};

Status EnterContainer(const Path& path, Ctx& ctx);  // depth check

template <class R>
struct ListOf {
  R element;
  std::size_t min_items;
  std::size_t max_items;

  using Value = std::vector<typename R::Value>;
  Status Read(od::value& v, const Path& path, Ctx& ctx, Value& out) const {
    od::array array;
    if (auto e = v.get_array().get(array); e != simdjson::SUCCESS) return ReadError(e, v, path, "an array");
    VGI_RETURN_IF_ERROR(EnterContainer(path, ctx));
    out.clear();
    std::size_t i = 0;
    for (auto item : array) {
      od::value iv;
      if (item.get(iv) != simdjson::SUCCESS) return UndecryptableData();
      if (i >= max_items) {
        return Fail(path, "more than " + std::to_string(max_items) + " items (the limit)");
      }
      out.emplace_back();
      VGI_RETURN_IF_ERROR(element.Read(iv, path.Item(i), ctx, out.back()));
      ++i;
    }
    --ctx.depth;
    if (i < min_items) {
      return Fail(path, min_items == 1 ? std::string("must not be empty")
                                       : "fewer than " + std::to_string(min_items) + " items");
    }
    return Status::Ok();
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
Status DecodeObject(od::object& object, const Path& path, Ctx& ctx, T& out, bool root = false);
template <class T>
void WriteObject(Writer& w, const T& value, Ctx& ctx);

template <class T>
struct Obj {
  using Value = T;
  Status Read(od::value& v, const Path& path, Ctx& ctx, T& out) const {
    od::object object;
    if (auto e = v.get_object().get(object); e != simdjson::SUCCESS) return ReadError(e, v, path, "an object");
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
Status ReadField(const F& field, od::value& v, const Path& path, Ctx& ctx, T& owner) {
  auto& member = field.get(owner);
  using M = std::remove_cvref_t<decltype(member)>;
  bool is_null = false;
  if (v.is_null().get(is_null) != simdjson::SUCCESS) return UndecryptableData();
  if (is_null) {
    if (field.presence == Presence::kOptional) {
      member = M{};
      return Status::Ok();
    }
    return Fail(path, "must not be null");
  }
  if constexpr (IsOptional<M>::value) {
    static_assert(std::is_same_v<typename M::value_type, typename decltype(field.rule)::Value>);
    typename M::value_type tmp{};
    VGI_RETURN_IF_ERROR(field.rule.Read(v, path, ctx, tmp));
    member = std::move(tmp);
    return Status::Ok();
  } else {
    static_assert(std::is_same_v<M, typename decltype(field.rule)::Value>);
    return field.rule.Read(v, path, ctx, member);
  }
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
  void Add(std::string_view name);
  [[nodiscard]] int Find(std::string_view key, bool ignore_case) const;
  [[nodiscard]] std::string_view name(int i) const { return names_[static_cast<std::size_t>(i)]; }

 private:
  std::vector<std::string_view> names_;
  std::vector<std::string> lower_;
};

template <class Tuple, class Fn, std::size_t... I>
Status VisitAt(const Tuple& fields, int index, Fn&& fn, std::index_sequence<I...>) {
  Status result;
  ((index == static_cast<int>(I) ? (void)(result = fn(std::get<I>(fields))) : void()), ...);
  return result;
}

template <class T>
Status DecodeObject(od::object& object, const Path& path, Ctx& ctx, T& out, bool root) {
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

  VGI_RETURN_IF_ERROR(EnterContainer(path, ctx));
  std::uint64_t seen = 0;
  std::size_t keys = 0;
  for (auto member : object) {
    std::string_view key;
    od::value v;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS || member.value().get(v) != simdjson::SUCCESS) {
      return UndecryptableData();
    }
    ++keys;
    const int i = table.Find(key, ctx.options.case_insensitive_keys);
    if (i < 0) {
      VGI_RETURN_IF_ERROR(SkipValue(v, path.Child(key), ctx));
      continue;
    }
    const std::uint64_t bit = std::uint64_t{1} << i;
    if ((seen & bit) != 0) return Fail(path.Child(table.name(i)), "appears more than once");
    seen |= bit;
    VGI_RETURN_IF_ERROR(VisitAt(
        fields, i, [&](const auto& f) { return ReadField(f, v, path.Child(f.name), ctx, out); },
        std::make_index_sequence<kN>{}));
  }
  --ctx.depth;
  if (root && keys == 0) return Status::Empty("Data: empty");
  if (const std::uint64_t missing = required & ~seen; missing != 0) {
    const int first = __builtin_ctzll(missing);
    return Fail(path.Child(table.name(first)), "required field is missing");
  }
  return Schema<T>::Check(out, path);
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
  Ctx ctx{options, 0, {}};
  T out{};
  VGI_RETURN_IF_ERROR(DecodeObject(root, Path{}, ctx, out, /*root=*/true));
  VGI_RETURN_IF_ERROR(CheckEnd(doc));
  return out;
}

template <class T>
std::string Encode(const T& value, const CodecOptions& options) {
  thread_local rapidjson::StringBuffer buffer;
  buffer.Clear();
  Writer w(buffer);
  Ctx ctx{options, 0, {}};
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
