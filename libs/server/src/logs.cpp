#include "vgi/server/logs.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

namespace vgi::server {
namespace {

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%e%z %l %v";

Result<std::shared_ptr<spdlog::sinks::sink>> FileSink(const std::filesystem::path& file) {
  try {
    return std::shared_ptr<spdlog::sinks::sink>(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string()));
  } catch (const spdlog::spdlog_ex& e) {
    return Status::Io("log file " + file.string() + ": " + e.what() + " (check log.dir and its permissions)");
  }
}

}  // namespace

Result<std::unique_ptr<Logs>> Logs::Open(const std::string& dir, const std::string& level, bool debug) {
  std::unique_ptr<Logs> logs(new Logs());
  std::vector<spdlog::sink_ptr> run_sinks;
  // Async would hide the last lines before a crash; stdout with a mutex is fast enough at the
  // request rates a line per request implies, and journald/docker collect stdout.
  logs->run_sink_ = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  run_sinks.push_back(logs->run_sink_);
  std::vector<spdlog::sink_ptr> login_sinks;
  if (dir.empty()) {
    auto errors = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    errors->set_level(spdlog::level::warn);
    run_sinks.push_back(errors);
    login_sinks.push_back(logs->run_sink_);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::Io("log.dir " + dir + ": " + ec.message());
    const std::filesystem::path d(dir);
    VGI_ASSIGN_OR_RETURN(logs->file_sink_, FileSink(d / "run.log"));
    VGI_ASSIGN_OR_RETURN(auto errors, FileSink(d / "error.log"));
    VGI_ASSIGN_OR_RETURN(logs->debug_sink_, FileSink(d / "debug.log"));
    VGI_ASSIGN_OR_RETURN(auto login, FileSink(d / "login.log"));
    errors->set_level(spdlog::level::warn);
    run_sinks.push_back(logs->file_sink_);
    run_sinks.push_back(errors);
    run_sinks.push_back(logs->debug_sink_);
    login_sinks.push_back(login);
  }
  logs->run_ = std::make_shared<spdlog::logger>("vgi", run_sinks.begin(), run_sinks.end());
  logs->login_ = std::make_shared<spdlog::logger>("vgi-login", login_sinks.begin(), login_sinks.end());
  for (const auto& l : {logs->run_, logs->login_}) {
    l->set_pattern(kPattern);
    l->flush_on(spdlog::level::info);  // lines reach the files as they happen (an ops tail -f)
  }
  logs->login_->set_level(spdlog::level::info);
  logs->level_ = static_cast<int>(spdlog::level::from_str(level));
  logs->debug_ = debug;
  logs->Apply();
  return logs;
}

void Logs::Apply() {
  const auto level = static_cast<spdlog::level::level_enum>(level_);
  run_sink_->set_level(level);
  if (file_sink_) file_sink_->set_level(level);
  if (debug_sink_) debug_sink_->set_level(debug_ ? spdlog::level::debug : spdlog::level::off);
  // The logger lets through what any sink wants.
  run_->set_level(debug_ && debug_sink_ ? std::min(level, spdlog::level::debug) : level);
}

void Logs::SetLevel(const std::string& level) {
  level_ = static_cast<int>(spdlog::level::from_str(level));
  Apply();
}

void Logs::SetDebug(bool on) {
  debug_ = on;
  Apply();
  run_->info("debug log {}", on ? "on" : "off");
}

bool Logs::debug() const {
  return debug_;
}

}  // namespace vgi::server
