// `vgi db fold`: fold PostgreSQL's pending power into the hour rows now. The server does this in
// the background (a partition at a time, when it is due); the command is for the moments when
// nothing should be left pending: before a backup that other tools read, before a downgrade, and
// to measure what folding costs (scripts/bench.sh).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli_util.hpp"
#include "commands.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/store/postgres_store.hpp"

namespace vgi::app {
namespace {

int RunFold(const std::string& config_file) {
  auto config = server::LoadConfig(config_file);
  if (!config.ok()) return FromStatus("config", config.status());
  auto db = server::OpenConfiguredStore(*config, Clock::System(), /*create_key=*/false);
  if (!db.ok()) return FromStatus("store", db.status());
  store::Store& store = *db->store;
  if (store.backend() != "postgres") {
    std::printf("nothing to fold: the %s store writes power straight into its hour rows\n",
                std::string(store.backend()).c_str());
    return kExitOk;
  }
  const auto start = std::chrono::steady_clock::now();
  auto folded = store::FoldPendingPower(store);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!folded.ok()) {
    return Fail("db fold: " + folded.status().ToString() +
                " (what was folded before the failure stays folded; the rest stays pending and readers still see it)");
  }
  std::printf("folded %zu pending station updates in %.2f s\n", *folded, seconds);
  return kExitOk;
}

}  // namespace

void RegisterDb(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("db", "Maintenance of the grid's database");
  cmd->require_subcommand(1);
  auto config = std::make_shared<std::string>();
  auto* fold = cmd->add_subcommand(
      "fold", "PostgreSQL: fold the pending power into the hour rows now (the server folds in the background)");
  fold->add_option("--config,-c", *config, "The grid's YAML")->required();
  fold->callback([config, exit_code] { *exit_code = RunFold(*config); });
}

}  // namespace vgi::app
