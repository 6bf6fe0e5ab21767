#pragma once
// Private to proto: the character classes and whitespace rules that the envelope, the codec and
// the key checks share, so each rule is written once.

#include <algorithm>
#include <string_view>

namespace vgi::proto::chars {

// JSON whitespace.
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Non-empty, only 0-9.
inline bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
// Only 0-9 and A-Z.
inline bool AllUpperAlnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); });
}
// Only 0-9, A-Z and a-z.
inline bool AllAlnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}
// Only hex digits; upper-case letters only when `upper_only`.
inline bool AllHex(std::string_view s, bool upper_only) {
  return std::all_of(s.begin(), s.end(), [upper_only](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (!upper_only && c >= 'a' && c <= 'f');
  });
}

inline std::string_view TrimEnd(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}
inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return TrimEnd(s);
}
inline bool IsBlank(std::string_view s) { return Trim(s).empty(); }

// Blank text or a bare JSON null: "no Data" (Ret 4000 for a request, none for an ack).
inline bool IsNoData(std::string_view json) {
  const std::string_view t = Trim(json);
  return t.empty() || t == "null";
}

}  // namespace vgi::proto::chars
