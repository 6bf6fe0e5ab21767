#include "vgi/server/console_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace vgi::server {
namespace {

namespace fs = std::filesystem;

std::string_view ContentType(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

// The file under `root` that `rel` names, or nullopt when it names none we serve.
std::optional<fs::path> Resolve(const fs::path& root, std::string_view rel) {
  if (rel.empty() || rel.back() == '/') rel = std::string_view("index.html");
  fs::path out = root;
  std::string_view rest = rel;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part.front() == '.' || part.find('\\') != std::string_view::npos ||
        part.find('%') != std::string_view::npos || part == "node_modules") {
      return std::nullopt;
    }
    out /= std::string(part);
  }
  std::error_code ec;
  if (!fs::is_regular_file(out, ec)) return std::nullopt;
  return out;
}

HttpResponse Plain(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

}  // namespace

struct ConsoleRoutes::Impl {
  console::AdminApi api;
  ConsoleOptions options;
  std::shared_ptr<spdlog::logger> log;
  boost::asio::thread_pool pool;
  std::mutex mu;
  bool stopped = false;

  Impl(store::Store& store, engine::Regulator& regulator, const Clock& clock, RandomSource& random, ConsoleOptions o,
       std::shared_ptr<spdlog::logger> l)
      : api(store, regulator, clock, random, o.api, l, o.login_log),
        options(std::move(o)),
        log(std::move(l)),
        pool(static_cast<std::size_t>(std::max(1, options.workers))) {
    api.SetPeerAdmin(options.peers);
  }

  HttpResponse ServeFile(const HttpRequest& req) {
    if (req.method != "GET" && req.method != "HEAD") {
      HttpResponse r = Plain(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    if (options.dir.empty()) return Plain(404, "the console is not installed on this server (console.dir)\n");
    const std::string_view rel = std::string_view(req.path).substr(std::string_view("/console/").size());
    const auto file = Resolve(options.dir, rel);
    if (!file) return Plain(404, "no such file\n");
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in && !in.eof()) return Plain(500, "could not read the file\n");
    HttpResponse r;
    r.content_type = ContentType(*file);
    r.body = body.str();
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "no-cache");
    if (file->extension() == ".html") {
      r.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; "
                             "base-uri 'none'; form-action 'self'");
      r.headers.emplace_back("X-Frame-Options", "DENY");
      r.headers.emplace_back("Referrer-Policy", "no-referrer");
    }
    return r;
  }
};

ConsoleRoutes::ConsoleRoutes(store::Store& store, engine::Regulator& regulator, const Clock& clock,
                             RandomSource& random, ConsoleOptions options, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<Impl>(store, regulator, clock, random, std::move(options), std::move(log))) {}

ConsoleRoutes::~ConsoleRoutes() {
  Stop();
}

void ConsoleRoutes::Register(HttpServer& http) {
  std::weak_ptr<Impl> weak = impl_;
  http.AddPrefixRoute("/api/v1/", [weak](HttpRequest&& req, Responder done) {
    auto impl = weak.lock();
    if (!impl) return done(Plain(503, "shutting down\n"));
    console::ApiRequest a{std::move(req.method), std::move(req.path),       std::move(req.query),
                          std::move(req.cookie), std::move(req.csrf_token), std::move(req.origin),
                          std::move(req.body),   std::move(req.remote_ip)};
    boost::asio::post(impl->pool, [impl, a = std::move(a), done = std::move(done)]() mutable {
      console::ApiResponse r = impl->api.Handle(a);
      HttpResponse h;
      h.status = r.status;
      h.content_type = std::move(r.content_type);
      h.body = std::move(r.body);
      h.headers = std::move(r.headers);
      done(std::move(h));
    });
  });
  http.AddPrefixRoute("/console/", [weak](HttpRequest&& req, Responder done) {
    auto impl = weak.lock();
    if (!impl) return done(Plain(503, "shutting down\n"));
    done(impl->ServeFile(req));
  });
  http.AddRoute("GET", "/", [](HttpRequest&&, Responder done) {
    HttpResponse r = Plain(302, "see /console/\n");
    r.headers.emplace_back("Location", "/console/");
    done(std::move(r));
  });
}

void ConsoleRoutes::Stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->pool.join();
}

}  // namespace vgi::server
