// `vgi topology import|list|export|simulate`: the grid topology — which market and transformer area
// (台区) each station is in — that market and transformer-area demand scopes need (store.hpp "grid
// topology", engine/topology.hpp for the file). An import replaces the whole topology at once and
// is audited; it warns about rows the operators' models do not (yet) hold.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <string>

#include "cli_util.hpp"
#include "commands.hpp"
#include "sim_setup.hpp"
#include "vgi/engine/topology.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"

namespace vgi::app {
namespace {

struct TopologyArgs {
  std::string config;
  std::string file;
  std::string source;
  bool dry_run = false;
  std::string kind;  // list: "" = both, "markets", "transformer-areas"
  std::string operator_id;
  std::string market;
  std::string transformer_area;
  sim::FleetOptions fleet;
};

Result<std::string> ReadInput(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) return Status::Invalid(file + ": " + ec.message());
    if (size > engine::kMaxTopologyBytes) {
      return Status::Invalid(file + ": " + std::to_string(size) + " bytes; at most " +
                             std::to_string(engine::kMaxTopologyBytes) + " (split the file by operator)");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::Invalid(file + ": cannot be read");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return text;
}

Result<std::unique_ptr<store::Store>> OpenStore(const std::string& config_file) {
  auto config = server::LoadConfig(config_file);
  if (!config.ok()) return config.status();
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
  if (!db.ok()) return db.status();
  return std::move(db->store);
}

int RunImport(const TopologyArgs& a) {
  auto text = ReadInput(a.file);
  if (!text.ok()) return FromStatus("topology import", text.status());
  auto entries = engine::ParseTopologyCsv(*text);
  if (!entries.ok()) {
    return Usage((a.file == "-" ? std::string("stdin") : a.file) + ": " + entries.status().message() +
                 "; nothing was imported");
  }
  auto store = OpenStore(a.config);
  if (!store.ok()) return FromStatus("store", store.status());
  const engine::TopologySummary summary = engine::SummarizeTopology(*entries);
  std::set<std::string> operators;
  for (const auto& e : *entries) operators.insert(e.operator_id);
  std::printf("%s: %zu stations of %zu operators in %zu markets and %zu transformer areas\n",
              a.file == "-" ? "stdin" : a.file.c_str(), entries->size(), operators.size(), summary.markets.size(),
              summary.transformer_areas.size());
  auto check = engine::CheckTopologyAgainstModels(**store, *entries);
  if (!check.ok()) return FromStatus("store", check.status());
  for (const auto& op : check->unknown_operators) {
    std::printf("warning: %s is not a peer of this grid (vgi peer add); its rows wait for it\n", op.c_str());
  }
  if (check->unmodelled > 0) {
    std::printf(
        "warning: %lld stations (first %s) are not active stations of their operator's model; demands cover only "
        "active ones\n",
        static_cast<long long>(check->unmodelled), check->first_unmodelled.c_str());
  }
  if (a.dry_run) {
    std::printf("dry run: nothing imported\n");
    return kExitOk;
  }
  const std::string source =
      (a.source.empty() ? std::filesystem::path(a.file).filename().string() : a.source) + " by " + CliActor();
  auto info = (*store)->ReplaceTopology(*entries, source);
  if (!info.ok()) return FromStatus("topology import", info.status());
  AuditLocal(**store, "topology.import", "topology v" + std::to_string(info->version),
             std::to_string(info->stations) + " stations from " + source);
  std::printf("imported as topology version %lld; market and transformer-area demands use it from now on\n",
              static_cast<long long>(info->version));
  return kExitOk;
}

void PrintGroups(const char* title, const std::vector<engine::TopologyGroup>& groups) {
  std::printf("%-24s %9s %9s\n", title, "STATIONS", "OPERATORS");
  for (const auto& g : groups) std::printf("%-24s %9d %9d\n", g.id.c_str(), g.stations, g.operators);
}

int RunList(const TopologyArgs& a) {
  auto store = OpenStore(a.config);
  if (!store.ok()) return FromStatus("store", store.status());
  auto info = (*store)->GetTopologyInfo();
  if (!info.ok()) return FromStatus("store", info.status());
  if (info->version == 0) {
    std::printf("no topology imported yet: vgi topology import -c %s FILE.csv\n", a.config.c_str());
    return kExitOk;
  }
  auto entries = (*store)->ListTopology({});
  if (!entries.ok()) return FromStatus("store", entries.status());
  std::printf("topology version %lld, imported %s Beijing time from %s: %lld stations\n",
              static_cast<long long>(info->version),
              proto::FormatMinute(proto::ToBeijingMinute(info->imported_at)).c_str(), info->source.c_str(),
              static_cast<long long>(info->stations));
  const engine::TopologySummary s = engine::SummarizeTopology(*entries);
  if (a.kind != "transformer-areas") PrintGroups("MARKET", s.markets);
  if (a.kind.empty()) std::printf("\n");
  if (a.kind != "markets") PrintGroups("TRANSFORMER AREA", s.transformer_areas);
  return kExitOk;
}

int RunExport(const TopologyArgs& a) {
  if (!a.market.empty() && !a.transformer_area.empty()) {
    return Usage("topology export: give --market or --transformer-area, not both");
  }
  auto store = OpenStore(a.config);
  if (!store.ok()) return FromStatus("store", store.status());
  store::TopologyFilter f;
  f.operator_id = a.operator_id;
  if (!a.market.empty()) f.ids = {a.market};
  if (!a.transformer_area.empty()) {
    f.kind = store::TopologyKind::kTransformerArea;
    f.ids = {a.transformer_area};
  }
  auto entries = (*store)->ListTopology(f);
  if (!entries.ok()) return FromStatus("store", entries.status());
  std::fputs(engine::FormatTopologyCsv(*entries).c_str(), stdout);
  return kExitOk;
}

int RunSimulate(const TopologyArgs& a) {
  auto fleets = sim::BuildFleet(a.fleet);
  if (!fleets.ok()) return FromStatus("topology simulate", fleets.status());
  std::fputs(engine::FormatTopologyCsv(FleetTopology(*fleets)).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void RegisterTopology(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("topology",
                                 "The grid topology: which market and transformer area (台区) each station is in, "
                                 "for market and transformer-area demands");
  cmd->require_subcommand(1);
  auto a = std::make_shared<TopologyArgs>();

  auto* import = cmd->add_subcommand("import", "Replace the whole topology with a CSV file (audited)");
  import->add_option("--config,-c", a->config, "The grid's YAML (its store is written)")->required();
  import->add_option("file", a->file, "The CSV file, - for stdin")->required();
  import->add_option("--source", a->source, "What the file is, kept with the import (default: its name)");
  import->add_flag("--dry-run", a->dry_run, "Check the file and compare it with the models; import nothing");
  import->footer(
      "The file: a header naming operator_id,station_code,market_id,transformer_area_id (any order), then one line "
      "per station; a station may lack a market or a transformer area, not both; # lines are comments.\n"
      "Example: vgi topology import -c vgi.yaml pms-2026-12.csv");
  import->callback([a, exit_code] { *exit_code = RunImport(*a); });

  auto* list = cmd->add_subcommand("list", "The topology in force: its markets and transformer areas with counts");
  list->add_option("--config,-c", a->config, "The grid's YAML")->required();
  list->add_option("--kind", a->kind, "Only markets or transformer-areas")
      ->check(CLI::IsMember({"markets", "transformer-areas"}));
  list->callback([a, exit_code] { *exit_code = RunList(*a); });

  auto* exp = cmd->add_subcommand("export", "Write the topology in force as CSV (what import reads) to stdout");
  exp->add_option("--config,-c", a->config, "The grid's YAML")->required();
  exp->add_option("--operator", a->operator_id, "Only this operator's stations");
  exp->add_option("--market", a->market, "Only this market's stations");
  exp->add_option("--transformer-area", a->transformer_area, "Only this transformer area's stations");
  exp->callback([a, exit_code] { *exit_code = RunExport(*a); });

  auto* simulate = cmd->add_subcommand(
      "simulate", "Write the topology of the fleet `vgi sim` simulates with the same options, as CSV to stdout");
  AddFleetOptions(*simulate, a->fleet);
  simulate->footer("Example: vgi topology simulate --operators 5 > sim.csv && vgi topology import -c vgi.yaml sim.csv");
  simulate->callback([a, exit_code] { *exit_code = RunSimulate(*a); });
}

}  // namespace vgi::app
