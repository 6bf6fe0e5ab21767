// One HTTPS connection: TLS handshake, then requests one at a time (keep-alive), each parsed
// from a reused buffer, answered through a Responder, and written as one TLS record when small.
//
// Timeouts are deadlines checked by the worker's sweep timer (SweepDeadlines) rather than a
// timer per operation: arming and cancelling a timer per read and per write would cost more than
// the rest of a small request's bookkeeping.

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <new>
#include <optional>

#include "http_internal.hpp"

namespace vgi::server::internal {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;

constexpr std::size_t kMinRead = 4096;
constexpr std::size_t kMaxRead = 64 << 10;
// After a response that closes the connection the peer gets this long to close its side.
constexpr std::chrono::milliseconds kCloseGrace{2000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kPlain = "text/plain; charset=utf-8";

void AppendInt(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

std::string_view View(beast::string_view s) {
  return {s.data(), s.size()};
}

// A header value from a handler must not smuggle in another header line (nor cut one short).
bool SafeHeaderValue(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// RFC 7230 token: 1*tchar.
bool IsToken(std::string_view name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && kSymbols.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// A handler's extra header line may be sent: a well-formed line the server does not write itself.
bool AllowedExtraHeader(std::string_view name, std::string_view value) {
  static constexpr std::string_view kReserved[] = {"Content-Length", "Content-Type", "Connection", "Date",
                                                   "Transfer-Encoding"};
  if (!IsToken(name) || !SafeHeaderValue(value)) return false;
  const beast::string_view n(name.data(), name.size());
  for (const std::string_view reserved : kReserved) {
    if (beast::iequals(n, beast::string_view(reserved.data(), reserved.size()))) return false;
  }
  return true;
}

// A request's header fields come from this bump arena, emptied when the next request starts:
// Beast otherwise makes one heap allocation per field. Headers beyond it use the heap.
class FieldArena {
 public:
  void* Allocate(std::size_t n, std::size_t align) {
    const std::size_t offset = (used_ + align - 1) & ~(align - 1);
    if (align <= alignof(std::max_align_t) && offset + n <= kSize) {
      used_ = offset + n;
      return storage_ + offset;
    }
    return ::operator new(n);
  }
  void Deallocate(void* p) {
    const std::less<const void*> before;  // a total order even across unrelated objects
    if (!before(p, storage_) && before(p, storage_ + kSize)) return;
    ::operator delete(p);
  }
  void Reset() { used_ = 0; }

 private:
  static constexpr std::size_t kSize = 2048;
  alignas(std::max_align_t) char storage_[kSize];
  std::size_t used_ = 0;
};

template <class T>
struct ArenaAllocator {
  using value_type = T;
  explicit ArenaAllocator(FieldArena* a) : arena(a) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>& other) : arena(other.arena) {}  // NOLINT: rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(arena->Allocate(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t) { arena->Deallocate(p); }
  template <class U>
  bool operator==(const ArenaAllocator<U>& other) const {
    return arena == other.arena;
  }
  FieldArena* arena;
};

using Fields = http::basic_fields<ArenaAllocator<char>>;
using RequestParser = http::request_parser<http::string_body, ArenaAllocator<char>>;

}  // namespace

class Connection;

namespace {

// Shared by every copy of one request's Responder: the first call wins; when the last copy goes
// without a call, the client gets a 500 (a handler that forgot to answer must not hang it).
struct Reply {
  Reply(std::shared_ptr<Connection> c, std::uint64_t g) : conn(std::move(c)), generation(g) {}
  ~Reply();
  std::shared_ptr<Connection> conn;
  std::uint64_t generation;
  std::atomic<bool> done{false};
};

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Shared> shared, Worker& worker, Socket socket)
      : shared_(std::move(shared)), worker_(worker), stream_(std::move(socket), shared_->tls) {}

  ~Connection() {
    if (!closed_) Close();
  }

  void Start() {
    self_ = shared_from_this();
    Link();
    if (shared_->stopping.load()) return Close();
    boost::system::error_code ec;
    const auto endpoint = socket().remote_endpoint(ec);
    if (ec) return Close();
    remote_ip_ = endpoint.address().to_string();
    SetPhase(Phase::kHandshake, shared_->limits.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](const beast::error_code& error) { self->OnHandshake(error); });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    phase_ = Phase::kClosed;
    deadline_ = SteadyClock::time_point::max();
    Unlink();
    boost::system::error_code ignored;
    socket().close(ignored);  // pending operations complete with operation_aborted
    shared_->open.fetch_sub(1, std::memory_order_relaxed);
    shared_->open_gauge.Add(-1);
    auto keep = std::move(self_);  // may destroy *this on return
  }

  void CheckDeadline(SteadyClock::time_point now) {
    if (now < deadline_) return;
    // Shutdown and linger are courtesy waits after the last response, not client timeouts.
    if (phase_ != Phase::kShutdown && phase_ != Phase::kLinger) {
      shared_->timed_out.fetch_add(1, std::memory_order_relaxed);
      shared_->timeouts_counter.Increment();
    }
    Close();
  }

  void Deliver(std::uint64_t generation, HttpResponse response) {
    if (worker_.ctx.get_executor().running_in_this_thread()) return Respond(generation, std::move(response));
    shared_->posting.fetch_add(1);
    if (!shared_->stopping.load()) {
      net::post(worker_.ctx, [self = shared_from_this(), generation, r = std::move(response)]() mutable {
        self->Respond(generation, std::move(r));
      });
    }
    shared_->posting.fetch_sub(1);
  }

  Connection* prev_ = nullptr;
  Connection* next_ = nullptr;
  std::shared_ptr<Connection> self_;  // owns *this while open

 private:
  enum class Phase : std::uint8_t { kHandshake, kIdle, kReading, kHandler, kWriting, kShutdown, kLinger, kClosed };

  Socket& socket() { return stream_.next_layer(); }

  void Link() {
    next_ = worker_.head;
    if (next_ != nullptr) next_->prev_ = this;
    worker_.head = this;
    linked_ = true;
  }
  void Unlink() {
    if (!linked_) return;
    if (prev_ != nullptr) {
      prev_->next_ = next_;
    } else {
      worker_.head = next_;
    }
    if (next_ != nullptr) next_->prev_ = prev_;
    prev_ = next_ = nullptr;
    linked_ = false;
  }

  void SetPhase(Phase phase, std::chrono::milliseconds timeout) {
    phase_ = phase;
    deadline_ = SteadyClock::now() + timeout;
  }

  void OnHandshake(const beast::error_code& ec) {
    if (closed_) return;
    if (ec) return Close();  // scanners, old TLS versions, wrong protocol
    ReadRequest();
  }

  void ReadRequest() {
    ++generation_;
    parser_.reset();  // returns its fields to the arena before the arena forgets them
    arena_.Reset();
    parser_.emplace(http::request_header<Fields>(ArenaAllocator<char>(&arena_)));
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(shared_->limits.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(shared_->limits.max_body_bytes);
    parser_->eager(true);
    route_ = nullptr;
    continue_sent_ = false;
    head_only_ = false;
    if (buffer_.size() == 0) {
      SetPhase(Phase::kIdle, shared_->limits.idle_timeout);
    } else {
      SetPhase(Phase::kReading, shared_->limits.read_timeout);
    }
    Parse();
  }

  void Parse() {
    while (buffer_.size() > 0) {
      beast::error_code ec;
      const std::size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      if (ec == http::error::need_more) break;
      if (ec) return OnBadRequest(ec);
      if (parser_->is_done()) return OnRequest();
      if (n == 0) break;
    }
    if (parser_->is_header_done() && !continue_sent_ && ExpectsContinue()) return SendContinue();
    Read();
  }

  void Read() {
    const std::size_t spare = buffer_.capacity() - buffer_.size();
    stream_.async_read_some(
        buffer_.prepare(std::clamp(spare, kMinRead, kMaxRead)),
        [self = shared_from_this()](const beast::error_code& ec, std::size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const beast::error_code& ec, std::size_t n) {
    if (closed_) return;
    if (ec) return Close();  // end of stream, reset, or close_notify: nothing to answer
    buffer_.commit(n);
    if (phase_ == Phase::kIdle) SetPhase(Phase::kReading, shared_->limits.read_timeout);
    Parse();
  }

  bool ExpectsContinue() {
    const auto& req = parser_->get();
    const auto it = req.find(http::field::expect);
    return req.version() >= 11 && it != req.end() && beast::iequals(it->value(), "100-continue");
  }

  // The client waits for this before sending a body (curl does for large ones).
  void SendContinue() {
    continue_sent_ = true;
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       if (self->closed_) return;
                       if (ec) return self->Close();
                       self->Read();
                     });
  }

  void OnBadRequest(const beast::error_code& ec) {
    // The request line may have been parsed (body_limit is found at the end of the header).
    route_ = shared_->FindRoute(Path());
    if (route_ == nullptr) route_ = &shared_->other;
    started_ = SteadyClock::now();
    keep_alive_ = false;
    linger_ = true;  // the client may still be sending: read and drop it rather than reset
    if (ec == http::error::body_limit) {
      Write(413, kPlain, "request body too large\n", {});
    } else if (ec == http::error::header_limit) {
      Write(431, kPlain, "request header too large\n", {});
    } else {
      Write(400, kPlain, "malformed HTTP request\n", {});
    }
  }

  std::string_view Path() {
    const std::string_view target = View(parser_->get().target());
    return target.substr(0, target.find('?'));
  }

  void OnRequest() {
    auto& req = parser_->get();
    started_ = SteadyClock::now();
    keep_alive_ = req.keep_alive();
    head_only_ = req.method() == http::verb::head;
    const std::string_view target = View(req.target());
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    route_ = shared_->FindRoute(path);
    if (route_ == nullptr) {
      route_ = &shared_->other;
      return Write(404, kPlain, "no such path\n", {});
    }
    const Handler* handler = route_->Find(View(req.method_string()));
    if (handler == nullptr) return Write(405, kPlain, "method not allowed\n", route_->allow);

    // Filled in place: the strings keep their capacity from the last request unless the
    // handler moved them away.
    request_.method.assign(View(req.method_string()));
    request_.path.assign(path);
    request_.query.assign(question == std::string_view::npos ? std::string_view() : target.substr(question + 1));
    request_.authorization.assign(View(req[http::field::authorization]));
    request_.content_type.assign(View(req[http::field::content_type]));
    request_.cookie.assign(View(req[http::field::cookie]));
    request_.csrf_token.assign(View(req["X-CSRF-Token"]));
    request_.origin.assign(View(req[http::field::origin]));
    request_.body = std::move(req.body());
    request_.remote_ip.assign(remote_ip_);
    phase_ = Phase::kHandler;  // no deadline: the handler's time is its own business
    deadline_ = SteadyClock::time_point::max();
    // `reply` outlives the call: a handler that throws (or keeps no copy) is answered with 500
    // when it goes below, after the error is counted.
    auto reply = std::make_shared<Reply>(shared_from_this(), generation_);
    try {
      (*handler)(std::move(request_), Responder([reply](HttpResponse response) {
                   if (!reply->done.exchange(true)) reply->conn->Deliver(reply->generation, std::move(response));
                 }));
    } catch (...) {
      shared_->errors.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void Respond(std::uint64_t generation, HttpResponse response) {
    if (closed_ || phase_ != Phase::kHandler || generation != generation_) return;
    int status = response.status;
    if (status < 200 || status > 599) status = 500;
    std::string_view type = response.content_type;
    if (!SafeHeaderValue(type)) type = "application/octet-stream";
    extra_.clear();  // keeps its capacity: no allocation per response once warm
    for (const auto& [name, value] : response.headers) {
      if (!AllowedExtraHeader(name, value)) {
        shared_->errors.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      extra_ += name;
      extra_ += ": ";
      extra_ += value;
      extra_ += "\r\n";
    }
    Write(status, type, std::move(response.body), extra_);
  }

  void Write(int status, std::string_view content_type, std::string body, std::string_view extra_headers) {
    // Recorded before the write so that a client holding the response sees it counted.
    route_->Requests(shared_->metrics, status).Increment();
    route_->duration->Observe(std::chrono::duration<double>(SteadyClock::now() - started_).count());
    head_.clear();
    head_ += "HTTP/1.1 ";
    AppendInt(head_, static_cast<unsigned>(status));
    head_ += ' ';
    const std::string_view reason = View(http::obsolete_reason(static_cast<http::status>(status)));
    head_ += reason.starts_with('<') ? "Status" : reason;
    head_ += "\r\nDate: ";
    head_ += worker_.Date();
    if (!content_type.empty()) {
      head_ += "\r\nContent-Type: ";
      head_ += content_type;
    }
    head_ += "\r\nContent-Length: ";
    AppendInt(head_, body.size());
    head_ += keep_alive_ ? "\r\n" : "\r\nConnection: close\r\n";
    head_ += extra_headers;
    head_ += "\r\n";
    body_ = std::move(body);
    if (head_only_) body_.clear();
    SetPhase(Phase::kWriting, shared_->limits.read_timeout);
    // One buffer: head and body go out in as few TLS records as possible, and Beast 1.74's
    // flat_stream stalled on a two-buffer write whose body exceeded its 16 KiB coalescing limit
    // (the body was never sent; see http_server_test LargeResponseBodyIsSentWhole).
    head_ += body_;
    net::async_write(stream_, net::buffer(head_),
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) { self->OnWritten(ec); });
  }

  void OnWritten(const beast::error_code& ec) {
    if (closed_) return;
    if (ec) return Close();
    if (linger_) return Linger();
    if (!keep_alive_) return Shutdown();
    ReadRequest();
  }

  // The client asked to close: TLS close_notify both ways, then close.
  void Shutdown() {
    SetPhase(Phase::kShutdown, std::min(shared_->limits.read_timeout, kCloseGrace));
    stream_.async_shutdown([self = shared_from_this()](const beast::error_code&) { self->Close(); });
  }

  // We refused the request: drop whatever the client still sends until it closes (or the
  // grace ends), so that closing does not reset the connection before it read our answer.
  void Linger() {
    if (phase_ != Phase::kLinger) SetPhase(Phase::kLinger, std::min(shared_->limits.read_timeout, kCloseGrace));
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kMinRead),
                            [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                              if (self->closed_) return;
                              if (ec) return self->Close();
                              self->Linger();
                            });
  }

  std::shared_ptr<Shared> shared_;
  Worker& worker_;
  beast::ssl_stream<internal::Socket> stream_;
  beast::flat_buffer buffer_;
  FieldArena arena_;  // before parser_: outlives it
  std::optional<RequestParser> parser_;
  HttpRequest request_;
  std::string head_;
  std::string extra_;  // the handler's extra header lines, for Write
  std::string body_;
  std::string remote_ip_;
  Route* route_ = nullptr;
  SteadyClock::time_point started_;
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  std::uint64_t generation_ = 0;
  Phase phase_ = Phase::kHandshake;
  bool linked_ = false;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool linger_ = false;
  bool continue_sent_ = false;
  bool head_only_ = false;
};

namespace {

Reply::~Reply() {
  if (done.load()) return;
  try {
    conn->Deliver(generation, HttpResponse{500, std::string(kPlain), "the handler gave no response\n"});
  } catch (...) {
    // Out of memory while posting: the connection times out or closes at Stop instead.
  }
}

}  // namespace

Counter& Route::Requests(Metrics& metrics, int status) {
  std::atomic<Counter*>& slot = by_status[static_cast<std::size_t>(std::clamp(status, 100, 599) - 100)];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Two threads may both get here; the registry returns the same series to both.
    counter = &metrics.counter(kRequestsTotal, kRequestsHelp, {"path", "status"}, {label, std::to_string(status)});
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

std::string_view Worker::Date() {
  const auto now = std::chrono::system_clock::now();
  const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (second != date_second) {
    // RFC 9110 IMF-fixdate, written without strftime so that the locale cannot change it.
    static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01: Thu
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto days = std::chrono::floor<std::chrono::days>(now);
    const std::chrono::year_month_day ymd(days);
    const std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(now - days));
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                                kDays[((days.time_since_epoch().count() % 7) + 7) % 7],
                                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    date.assign(buf, static_cast<std::size_t>(std::max(n, 0)));
    date_second = second;
  }
  return date;
}

void ServeConnection(const std::shared_ptr<Shared>& shared, Worker& worker, Socket socket) {
  auto conn = std::make_shared<Connection>(shared, worker, std::move(socket));
  net::post(worker.ctx, [conn = std::move(conn)] { conn->Start(); });
}

void SweepDeadlines(Worker& worker) {
  const auto now = SteadyClock::now();
  for (auto* c = worker.head; c != nullptr;) {
    auto* next = c->next_;
    const auto keep = c->self_;  // Close may drop the last owner
    c->CheckDeadline(now);
    c = next;
  }
}

void CloseAll(Worker& worker) {
  while (worker.head != nullptr) {
    auto* c = worker.head;
    const auto keep = c->self_;
    c->Close();
  }
}

}  // namespace vgi::server::internal
