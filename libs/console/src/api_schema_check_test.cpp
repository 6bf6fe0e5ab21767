// The OpenAPI schema checker the handler tests hold answers to (api_test_fixture.hpp
// schema_check::Violations): an answer against components.schemas[schema] of api/openapi.json
// (VGI_OPENAPI_JSON) — required members present, no member the schema does not name, JSON types
// as declared; the violations named by path ("$.items[0].latest: missing").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "api_test_fixture.hpp"

namespace vgi::console::api::schema_check {

namespace {

using simdjson::dom::element;

element Doc() {
  static simdjson::dom::parser parser;
  static const simdjson::padded_string text = [] {
    simdjson::padded_string t;
    EXPECT_EQ(simdjson::padded_string::load(VGI_OPENAPI_JSON).get(t), simdjson::SUCCESS);
    return t;
  }();
  static const element doc = parser.parse(text).value();
  return doc;
}

element Resolve(element schema) {
  std::string_view ref;
  while (schema["$ref"].get(ref) == simdjson::SUCCESS) {
    schema = Doc()["components"]["schemas"][ref.substr(ref.rfind('/') + 1)].value();
  }
  return schema;
}

bool TypeIs(element v, std::string_view type) {
  using T = simdjson::dom::element_type;
  switch (v.type()) {
    case T::INT64:
    case T::UINT64:
      return type == "integer" || type == "number";
    case T::DOUBLE:
      return type == "number";
    case T::STRING:
      return type == "string";
    case T::BOOL:
      return type == "boolean";
    case T::NULL_VALUE:
      return type == "null";
    case T::ARRAY:
      return type == "array";
    case T::OBJECT:
      return type == "object";
  }
  return false;
}

void Check(element v, element schema, const std::string& path, std::vector<std::string>& out) {
  schema = Resolve(schema);
  simdjson::dom::array alternatives;
  if (schema["oneOf"].get(alternatives) == simdjson::SUCCESS) {
    for (element alt : alternatives) {
      std::vector<std::string> mine;
      Check(v, alt, path, mine);
      if (mine.empty()) return;
    }
    out.push_back(path + ": matches no alternative");
    return;
  }
  // allOf: the members of every part together.
  std::vector<element> parts;
  simdjson::dom::array all;
  if (schema["allOf"].get(all) == simdjson::SUCCESS) {
    for (element p : all) parts.push_back(Resolve(p));
  } else {
    parts.push_back(schema);
  }
  std::vector<std::string> types;
  for (element p : parts) {
    std::string_view t;
    simdjson::dom::array ts;
    if (p["type"].get(t) == simdjson::SUCCESS) types.emplace_back(t);
    if (p["type"].get(ts) == simdjson::SUCCESS) {
      for (element x : ts) {
        std::string_view name;
        if (x.get(name) == simdjson::SUCCESS) types.emplace_back(name);
      }
    }
  }
  if (!types.empty() && std::none_of(types.begin(), types.end(), [&](const auto& t) { return TypeIs(v, t); })) {
    out.push_back(path + ": wrong type");
    return;
  }
  if (v.is_array()) {
    for (element p : parts) {
      element items;
      if (p["items"].get(items) != simdjson::SUCCESS) continue;
      simdjson::dom::array values;
      if (v.get(values) != simdjson::SUCCESS) continue;
      std::size_t i = 0;
      for (element x : values) Check(x, items, path + "[" + std::to_string(i++) + "]", out);
    }
  }
  if (v.is_object()) {
    std::map<std::string, element, std::less<>> props;
    for (element p : parts) {
      simdjson::dom::object o;
      if (p["properties"].get(o) == simdjson::SUCCESS) {
        for (auto [k, s] : o) props.emplace(std::string(k), s);
      }
      simdjson::dom::array req;
      if (p["required"].get(req) == simdjson::SUCCESS) {
        for (element r : req) {
          std::string_view name;
          if (r.get(name) == simdjson::SUCCESS && v[name].error() != simdjson::SUCCESS) {
            out.push_back(path + "." + std::string(name) + ": missing");
          }
        }
      }
    }
    simdjson::dom::object members;
    if (v.get(members) != simdjson::SUCCESS) return;
    for (auto [k, x] : members) {
      const auto it = props.find(k);
      if (it == props.end()) {
        out.push_back(path + "." + std::string(k) + ": not in the schema");
      } else {
        Check(x, it->second, path + "." + std::string(k), out);
      }
    }
  }
}

}  // namespace

std::vector<std::string> Violations(std::string_view json, std::string_view schema) {
  simdjson::dom::parser parser;
  element v;
  if (parser.parse(json.data(), json.size()).get(v) != simdjson::SUCCESS) return {"$: not JSON"};
  std::vector<std::string> out;
  Check(v, Doc()["components"]["schemas"][schema].value(), "$", out);
  return out;
}

}  // namespace vgi::console::api::schema_check

namespace vgi::console::api {
namespace {

TEST(SchemaCheck, FindsAWrongTypeAndAnUnknownMemberAndPassesAConformingAnswer) {
  EXPECT_THAT(schema_check::Violations(R"({"error": 1, "extra": true})", "Error"),
              ::testing::ElementsAre("$.error: wrong type", "$.extra: not in the schema"));
  EXPECT_THAT(schema_check::Violations(R"({"error": "x"})", "Error"), ::testing::IsEmpty());
  EXPECT_THAT(schema_check::Violations("not json", "Error"), ::testing::ElementsAre("$: not JSON"));
}

}  // namespace
}  // namespace vgi::console::api
