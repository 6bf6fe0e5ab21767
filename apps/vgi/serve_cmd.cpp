// `vgi serve --config FILE`: runs the grid server until SIGINT/SIGTERM; SIGHUP re-reads the config.
#include <signal.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "vgi/server/config.hpp"
#include "vgi/server/grid_server.hpp"

namespace vgi::app {
namespace {

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& level) {
  // Async would hide the last lines before a crash; stdout with a mutex is fast enough at the
  // request rates a line per request implies, and journald/docker collect stdout.
  auto log = std::make_shared<spdlog::logger>("vgi", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  log->set_level(spdlog::level::from_str(level));
  log->flush_on(spdlog::level::warn);
  return log;
}

int Serve(const std::string& config_path, const std::string& port_file) {
  auto config = server::LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "vgi serve: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  auto log = MakeLogger(config->log_level);
  spdlog::set_default_logger(log);

  // Block the signals in every thread; this thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto server = server::GridServer::Start(*config, Clock::System(), log);
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
    if (sig == SIGHUP) {
      auto fresh = server::LoadConfig(config_path);
      if (!fresh.ok()) {
        log->error("SIGHUP: config not reloaded, keeping the running one: {}", fresh.status().message());
        continue;
      }
      if (Status st = (*server)->Reload(*fresh); !st.ok()) log->error("SIGHUP: reload failed: {}", st.ToString());
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
  cmd->footer("Signals: SIGHUP re-reads the config (log level, peers); SIGINT/SIGTERM stop after queued commits.");
  cmd->callback([=] { *exit_code = Serve(*config, *port_file); });
}

}  // namespace vgi::app
