#pragma once
// The server's logs, kept apart as the seed asks (002 §8, issue 6 "Audit and logs"):
//   run    what the server does, at log.level and above: stdout, and <dir>/run.log
//   error  warnings and errors only: <dir>/error.log (stderr without a dir)
//   login  console logins, logouts and every audit row appended (number and hash: a witness of
//          the audit chain's head outside the database): <dir>/login.log (stdout without a dir)
//   debug  everything at debug level: <dir>/debug.log, written only while debug is on; SetDebug
//          switches it at run time (SIGUSR1 toggles it in `vgi serve`; log.debug on SIGHUP)
// No log carries secrets or decrypted fields (the callers' rule).
//
// Thread safety: the loggers are spdlog's thread-safe ones; SetDebug and SetLevel from one thread
// at a time (vgi serve's signal loop).

#include <memory>
#include <string>

#include "vgi/base/status.hpp"

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace vgi::server {

class Logs {
 public:
  // `dir` "" = the console only (stdout/stderr); else created if missing. `level` is spdlog's name
  // (trace, debug, info, warn, error, off). Io when a file cannot be opened, naming it.
  static Result<std::unique_ptr<Logs>> Open(const std::string& dir, const std::string& level, bool debug);

  [[nodiscard]] std::shared_ptr<spdlog::logger> run() const { return run_; }
  [[nodiscard]] std::shared_ptr<spdlog::logger> login() const { return login_; }
  void SetLevel(const std::string& level);
  void SetDebug(bool on);
  [[nodiscard]] bool debug() const;

 private:
  Logs() = default;
  void Apply();

  std::shared_ptr<spdlog::logger> run_;
  std::shared_ptr<spdlog::logger> login_;
  std::shared_ptr<spdlog::sinks::sink> run_sink_;    // stdout (+ run.log)
  std::shared_ptr<spdlog::sinks::sink> file_sink_;   // run.log, or null
  std::shared_ptr<spdlog::sinks::sink> debug_sink_;  // debug.log, or null
  int level_ = 2;                                    // spdlog::level::info
  bool debug_ = false;
};

}  // namespace vgi::server
