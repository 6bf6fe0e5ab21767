// `vgi serve --config FILE`: runs the grid server until SIGINT/SIGTERM; SIGHUP re-reads the config.
#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/logs.hpp"

namespace vgi::app {
namespace {

int Serve(const std::string& config_path, const std::string& port_file) {
  // glibc gives each thread that allocates its own arena (up to 8 per core) and keeps their freed
  // multi-MiB request buffers: 150-260 MiB of the server's RSS in BENCHMARKS.md. Two arenas hold
  // it down; MALLOC_ARENA_MAX in the environment still decides when set.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  auto config = server::LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "vgi serve: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  auto logs = server::Logs::Open(config->log_dir, config->log_level, config->log_debug);
  if (!logs.ok()) {
    std::fprintf(stderr, "vgi serve: %s\n", logs.status().message().c_str());
    return kExitUsage;
  }
  auto log = (*logs)->run();
  spdlog::set_default_logger(log);

  // Block the signals in every thread; this thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = server::GridServer::Start(*config, Clock::System(), log, (*logs)->login());
  if (!server.ok()) {
    log->critical("cannot start: {}", server.status().ToString());
    return kExitFailed;
  }
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << (*server)->port() << "\n";
    std::rename(tmp.c_str(), port_file.c_str());
  }
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) {
      (*logs)->SetDebug(!(*logs)->debug());
      continue;
    }
    if (sig == SIGHUP) {
      auto fresh = server::LoadConfig(config_path);
      if (!fresh.ok()) {
        log->error("SIGHUP: config not reloaded, keeping the running one: {}", fresh.status().message());
        continue;
      }
      if (Status st = (*server)->Reload(*fresh); !st.ok()) log->error("SIGHUP: reload failed: {}", st.ToString());
      (*logs)->SetLevel(fresh->log_level);
      if (fresh->log_debug != (*logs)->debug()) (*logs)->SetDebug(fresh->log_debug);
      continue;
    }
    log->info("signal {}: stopping (finishing queued commits)", sig);
    break;
  }
  (*server)->Stop();
  log->info("stopped");
  log->flush();
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the grid server (HTTPS, the operator→grid interfaces)");
  auto config = std::make_shared<std::string>();
  auto port_file = std::make_shared<std::string>();
  cmd->add_option("--config,-c", *config, "YAML config file (docs/config.md)")->required();
  cmd->add_option("--port-file", *port_file, "Write the bound port here once serving (for listen port 0)");
  cmd->footer(
      "Signals: SIGHUP re-reads the config (log level and debug, peers); SIGUSR1 switches the debug log on or off; "
      "SIGINT/SIGTERM stop after queued commits.");
  cmd->callback([=] { *exit_code = Serve(*config, *port_file); });
}

}  // namespace vgi::app
