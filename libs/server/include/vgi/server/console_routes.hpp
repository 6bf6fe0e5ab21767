#pragma once
// ConsoleRoutes: the dispatcher's console on the grid server's HTTPS port (issue 6).
//   /api/v1/…   the admin API (console::AdminApi), run on a small worker pool: its calls read the
//               store and hash passwords (argon2id, tens of ms), which must not block the
//               connection threads that serve the operators' protocol traffic
//   /console/…  the console's files from `dir` (web/ of the source tree), GET and HEAD only;
//               paths with ".." or hidden names are refused; HTML is sent with a strict
//               Content-Security-Policy (scripts and styles from the same origin only)
//   /           redirects to /console/
//
// Thread safety: Register before HttpServer::Start; Stop before the store goes (waits for the
// pool's running calls).

#include <memory>
#include <string>

#include "vgi/base/clock.hpp"
#include "vgi/base/random.hpp"
#include "vgi/console/admin_api.hpp"
#include "vgi/server/http_server.hpp"

namespace vgi::server {

struct ConsoleOptions {
  std::string dir = "web";  // the console's files; "" serves the API only
  int workers = 2;
  console::ApiConfig api;
  std::shared_ptr<spdlog::logger> login_log;  // logins and audit rows (logs.hpp); null = the main log
  console::PeerAdmin* peers = nullptr;         // peer administration; must outlive the routes
};

class ConsoleRoutes {
 public:
  ConsoleRoutes(store::Store& store, engine::Regulator& regulator, const Clock& clock, RandomSource& random,
                ConsoleOptions options, std::shared_ptr<spdlog::logger> log);
  ~ConsoleRoutes();  // Stop()
  void Register(HttpServer& http);
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vgi::server
