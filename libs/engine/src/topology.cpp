#include "vgi/engine/topology.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "vgi/base/csv.hpp"

namespace vgi::engine {
namespace {

constexpr std::array<std::string_view, 4> kColumns = {"operator_id", "station_code", "market_id", "transformer_area_id"};

std::string Line(std::size_t n) { return "line " + std::to_string(n); }

}  // namespace

Result<std::vector<store::TopologyEntry>> ParseTopologyCsv(std::string_view text) {
  if (text.size() > kMaxTopologyBytes) {
    return Status::Invalid("the file is " + std::to_string(text.size()) + " bytes; at most " +
                           std::to_string(kMaxTopologyBytes) + " are read (split the import by operator)");
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<store::TopologyEntry> out;
  std::array<int, 4> column{-1, -1, -1, -1};  // kColumns[i] is field column[i]
  std::size_t fields = 0;
  std::map<std::pair<std::string, std::string>, std::size_t> seen;  // station -> its line
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.starts_with('#')) continue;
    auto split = SplitCsvLine(line);
    if (!split.ok()) return split.status().WithPrefix(Line(line_no));
    std::vector<std::string>& f = *split;
    if (fields == 0) {
      for (std::size_t i = 0; i < f.size(); ++i) {
        std::string name = f[i];
        while (!name.empty() && name.back() == ' ') name.pop_back();
        while (!name.empty() && name.front() == ' ') name.erase(0, 1);
        std::size_t k = 0;
        while (k < kColumns.size() && kColumns[k] != name) ++k;
        if (k == kColumns.size()) {
          return Status::Invalid(Line(line_no) + ": the header names an unknown column \"" + name +
                                 "\" (columns: operator_id, station_code, market_id, transformer_area_id)");
        }
        if (column[k] >= 0) return Status::Invalid(Line(line_no) + ": the header names " + name + " twice");
        column[k] = static_cast<int>(i);
      }
      for (std::size_t k = 0; k < kColumns.size(); ++k) {
        if (column[k] < 0) {
          return Status::Invalid(Line(line_no) + ": the header lacks column " + std::string(kColumns[k]) +
                                 " (it needs operator_id, station_code, market_id, transformer_area_id)");
        }
      }
      fields = f.size();
      continue;
    }
    if (f.size() != fields) {
      return Status::Invalid(Line(line_no) + ": " + std::to_string(f.size()) + " fields where the header has " +
                             std::to_string(fields));
    }
    if (out.size() == kMaxTopologyRows) {
      return Status::Invalid(Line(line_no) + ": more than " + std::to_string(kMaxTopologyRows) + " stations");
    }
    store::TopologyEntry e;
    e.operator_id = std::move(f[static_cast<std::size_t>(column[0])]);
    e.station_code = std::move(f[static_cast<std::size_t>(column[1])]);
    e.market_id = std::move(f[static_cast<std::size_t>(column[2])]);
    e.transformer_area_id = std::move(f[static_cast<std::size_t>(column[3])]);
    VGI_RETURN_IF_ERROR(store::CheckTopologyEntry(e).WithPrefix(Line(line_no)));
    const auto [it, fresh] = seen.emplace(std::pair{e.operator_id, e.station_code}, line_no);
    if (!fresh) {
      return Status::Invalid(Line(line_no) + ": station " + e.operator_id + "/" + e.station_code + " repeats " +
                             Line(it->second));
    }
    out.push_back(std::move(e));
  }
  if (fields == 0) {
    return Status::Invalid("the file has no header line (operator_id,station_code,market_id,transformer_area_id)");
  }
  return out;
}

std::string FormatTopologyCsv(const std::vector<store::TopologyEntry>& entries) {
  std::string out = "operator_id,station_code,market_id,transformer_area_id\n";
  for (const auto& e : entries) {
    // IDs cannot hold a comma or a quote (CheckTopologyEntry); a station code can.
    out += e.operator_id;
    out += ',';
    out += CsvField(e.station_code);
    out += ',';
    out += e.market_id;
    out += ',';
    out += e.transformer_area_id;
    out += '\n';
  }
  return out;
}

TopologySummary SummarizeTopology(const std::vector<store::TopologyEntry>& entries) {
  struct Acc {
    int stations = 0;
    std::set<std::string_view> operators;
  };
  std::map<std::string_view, Acc> markets;
  std::map<std::string_view, Acc> areas;
  for (const auto& e : entries) {
    if (!e.market_id.empty()) {
      Acc& a = markets[e.market_id];
      ++a.stations;
      a.operators.insert(e.operator_id);
    }
    if (!e.transformer_area_id.empty()) {
      Acc& a = areas[e.transformer_area_id];
      ++a.stations;
      a.operators.insert(e.operator_id);
    }
  }
  auto list = [](const std::map<std::string_view, Acc>& m) {
    std::vector<TopologyGroup> out;
    out.reserve(m.size());
    for (const auto& [id, a] : m) out.push_back({std::string(id), a.stations, static_cast<int>(a.operators.size())});
    return out;
  };
  return TopologySummary{list(markets), list(areas)};
}

Result<ModelCheck> CheckTopologyAgainstModels(store::Store& store, const std::vector<store::TopologyEntry>& entries) {
  ModelCheck c;
  std::map<std::string_view, std::set<std::string, std::less<>>> active;  // by operator
  for (const auto& e : entries) {
    auto it = active.find(e.operator_id);
    if (it == active.end()) {
      VGI_ASSIGN_OR_RETURN(const auto peer, store.GetPeer(e.operator_id));
      if (!peer) c.unknown_operators.push_back(e.operator_id);
      VGI_ASSIGN_OR_RETURN(const auto index, store.ListStationIndex(e.operator_id));
      std::set<std::string, std::less<>> codes;
      for (const auto& s : index) codes.insert(s.station_code);
      it = active.emplace(e.operator_id, std::move(codes)).first;
    }
    if (!it->second.contains(e.station_code) && c.unmodelled++ == 0) {
      c.first_unmodelled = e.operator_id + "/" + e.station_code;
    }
  }
  std::sort(c.unknown_operators.begin(), c.unknown_operators.end());
  return c;
}

}  // namespace vgi::engine
