#pragma once
// Test-only helpers shared by the per-model codec tests (codec_*_test.cpp): edit one value of an
// encoded model's JSON by JSON Pointer, decode it, and check the 4000/4003 refusal and its message.

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "vgi/proto/codec.hpp"
#include "vgi/proto/crypto.hpp"
#include "vgi/proto/ret.hpp"

namespace vgi::proto::test_util {

inline constexpr std::string_view kMark = "\"@@raw@@\"";

inline std::string Serialize(const rapidjson::Document& doc) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

inline rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(json.c_str());
  EXPECT_FALSE(doc.HasParseError()) << json;
  return doc;
}

// `json` with the value at JSON Pointer `pointer` (e.g. "/stationList/3/stakeList/0/type")
// replaced by the JSON text `raw`, inserted exactly as written (so "25.450000000000003" reaches
// the decoder digit for digit). A missing object member is added.
inline std::string Set(const std::string& json, const char* pointer, std::string_view raw) {
  rapidjson::Document doc = Parse(json);
  rapidjson::Pointer(pointer).Set(doc, "@@raw@@");
  std::string out = Serialize(doc);
  const auto pos = out.find(kMark);
  EXPECT_NE(pos, std::string::npos) << pointer;
  if (pos != std::string::npos) out.replace(pos, kMark.size(), raw);
  return out;
}

// `s` as a JSON string literal (no escaping needed for the test values).
inline std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '"').append(s).append(1, '"');
  return out;
}

// `json` without the member (or item) at `pointer`.
inline std::string Erase(const std::string& json, const char* pointer) {
  rapidjson::Document doc = Parse(json);
  EXPECT_TRUE(rapidjson::Pointer(pointer).Erase(doc)) << pointer << " is not in " << json;
  return Serialize(doc);
}

// The text of the value at `pointer` (a string's content, or a number's JSON text).
inline std::string ValueAt(const std::string& json, const char* pointer) {
  rapidjson::Document doc = Parse(json);
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc);
  if (v == nullptr) {
    ADD_FAILURE() << pointer << " is not in " << json;
    return {};
  }
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v->Accept(writer);
  return buffer.GetString();
}

inline ::testing::AssertionResult IsInvalid(const Status& s, std::string_view message) {
  if (RetFor(s) != Ret::kInvalid) {
    return ::testing::AssertionFailure() << "Ret " << static_cast<int>(RetFor(s)) << " (want 4003) for " << s;
  }
  if (s.message() != message) {
    return ::testing::AssertionFailure() << "message\n  actual:   " << s.message() << "\n  expected: " << message;
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult IsEmpty(const Status& s) {
  if (RetFor(s) != Ret::kEmpty || s.message() != "Data: empty") {
    return ::testing::AssertionFailure() << "want Ret 4000 \"Data: empty\", got Ret " << static_cast<int>(RetFor(s)) << " for " << s;
  }
  return ::testing::AssertionSuccess();
}

// Decodes `model` encoded, with the value at `pointer` replaced by the JSON text `raw`.
template <class T>
Status DecodeWith(const T& model, const char* pointer, std::string_view raw, const CodecOptions& options = {}) {
  return DecodeData<T>(Set(EncodeData(model, options), pointer, raw), options).status();
}

// Decodes `model` encoded, without the member at `pointer`.
template <class T>
Status DecodeWithout(const T& model, const char* pointer) {
  return DecodeData<T>(Erase(EncodeData(model), pointer)).status();
}

// As DecodeWith, for a change that must be accepted: returns the decoded model.
template <class T>
T AcceptedWith(const T& model, const char* pointer, std::string_view raw) {
  auto decoded = DecodeData<T>(Set(EncodeData(model), pointer, raw));
  EXPECT_TRUE(decoded.ok()) << pointer << " = " << raw << ": " << decoded.status();
  return decoded.ok() ? *decoded : T{};
}

// One refused change: the value at `pointer` replaced by `raw` must give 4003 with `message`.
struct Case {
  const char* pointer;
  const char* raw;
  const char* message;
};

template <class T>
void ExpectRefused(const T& model, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pointer) + " = " + c.raw);
    EXPECT_TRUE(IsInvalid(DecodeWith(model, c.pointer, c.raw), c.message));
  }
}

// Two unrelated field-level encryption keys.
inline DataCipher Cipher() { return *DataCipher::Create("1234567890abcdef", "abcdef1234567890"); }
inline DataCipher OtherCipher() { return *DataCipher::Create("fedcba0987654321", "0987654321fedcba"); }

}  // namespace vgi::proto::test_util
