#include "topology_record.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "vgi/proto/keys.hpp"

namespace vgi::store {
namespace {

constexpr std::size_t kMaxIdLength = 64;

std::string Quote(std::string_view text) {
  std::string out;
  out.reserve(kMaxIdLength + 10);
  out += '"';
  out += text.substr(0, kMaxIdLength + 8);
  out += '"';
  return out;
}

bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '.' ||
         c == '-';
}

Status CheckId(std::string_view field, std::string_view id) {
  if (id.empty()) return Status::Ok();
  if (!IsTopologyId(id)) {
    return Status::Invalid(std::string(field) + ": " + Quote(id) + " is not 1..64 characters of [0-9A-Za-z_.-]");
  }
  return Status::Ok();
}

}  // namespace

bool IsTopologyId(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdLength && std::all_of(id.begin(), id.end(), IsIdChar);
}

Status CheckTopologyEntry(const TopologyEntry& entry) {
  if (!proto::IsOperatorId(entry.operator_id)) {
    return Status::Invalid("operator_id: " + Quote(entry.operator_id) + " is not 9 characters of [0-9A-Z]");
  }
  const std::string& code = entry.station_code;
  const bool control = std::any_of(code.begin(), code.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (code.empty() || code.size() > kMaxIdLength || control) {
    return Status::Invalid("station_code: " + Quote(code) + " is not 1..64 characters without control characters");
  }
  VGI_RETURN_IF_ERROR(CheckId("market_id", entry.market_id));
  VGI_RETURN_IF_ERROR(CheckId("transformer_area_id", entry.transformer_area_id));
  if (entry.market_id.empty() && entry.transformer_area_id.empty()) {
    return Status::Invalid(
        "market_id, transformer_area_id: both empty (a row must place the station in a market, a transformer area or "
        "both)");
  }
  return Status::Ok();
}

namespace record {

Status CheckTopology(const std::vector<TopologyEntry>& entries) {
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const TopologyEntry& e = entries[i];
    const std::string where = "topology[" + std::to_string(i) + "]";
    VGI_RETURN_IF_ERROR(CheckTopologyEntry(e).WithPrefix(where));
    const auto [it, fresh] = seen.emplace(std::pair<std::string_view, std::string_view>{e.operator_id, e.station_code}, i);
    if (!fresh) {
      return Status::Invalid(where + ": station " + e.operator_id + "/" + e.station_code + " repeats topology[" +
                             std::to_string(it->second) + "]");
    }
  }
  return Status::Ok();
}

bool TopologyMatches(const TopologyEntry& entry, const TopologyFilter& filter) {
  if (!filter.operator_id.empty() && entry.operator_id != filter.operator_id) return false;
  if (filter.ids.empty()) return true;
  const std::string& id = filter.kind == TopologyKind::kMarket ? entry.market_id : entry.transformer_area_id;
  return !id.empty() && std::find(filter.ids.begin(), filter.ids.end(), id) != filter.ids.end();
}

}  // namespace record
}  // namespace vgi::store
