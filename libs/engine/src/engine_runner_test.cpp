#include "vgi/engine/engine_runner.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <sstream>

#include "vgi/store/sealer.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::engine {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Polls `done` every 5 ms for at most 10 s (a bound, not a timing assertion).
template <class Pred>
bool WaitFor(Pred done) {
  const auto limit = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Two nodes sharing one SQLite database (two connections, as two processes would have), on a
// fake clock: leases expire only when the test moves the clock.
struct Fixture {
  testing::FakeClock clock;
  store::Sealer sealer = *store::Sealer::Create(std::string(32, 's'));
  store::StoreOptions options;
  fs::path dir;
  std::unique_ptr<store::Store> a, b;

  Fixture() {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() /
          ("vgi_engine_runner_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(dir);
    options.clock = &clock;
    options.sealer = &sealer;
    a = Open();
    b = Open();
  }
  ~Fixture() {
    a.reset();
    b.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::unique_ptr<store::Store> Open() {
    auto s = store::OpenStore("", dir.string(), options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static EngineRunnerOptions Options(std::string node) {
    EngineRunnerOptions o;
    o.node_id = std::move(node);
    o.tick_interval = 20ms;
    o.lease_ttl = 300ms;
    return o;
  }
  std::unique_ptr<EngineRunner> Start(store::Store& store, std::string node, EngineRunner::Work work = nullptr,
                                      std::shared_ptr<spdlog::logger> log = nullptr) {
    if (!work) work = [] { return Status::Ok(); };
    auto r = EngineRunner::Start(store, clock, std::move(work), Options(std::move(node)), std::move(log));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : nullptr;
  }
};

TEST(EngineRunner, RefusesBadOptions) {
  Fixture f;
  auto ok = [] { return Status::Ok(); };
  auto o = Fixture::Options("n1");
  o.lease_ttl = o.tick_interval;
  auto r = EngineRunner::Start(*f.a, f.clock, ok, o, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_NE(r.status().message().find("lease_ttl: must be longer than tick_interval"), std::string::npos) << r.status();
  o = Fixture::Options("");
  r = EngineRunner::Start(*f.a, f.clock, ok, o, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("node_id: must not be empty"), std::string::npos) << r.status();
}

TEST(EngineRunner, ExactlyOneLeaderAtATime) {
  Fixture f;
  std::atomic<int> ran_a{0}, ran_b{0};
  auto ra = f.Start(*f.a, "node-a", [&] {
    ++ran_a;
    return Status::Ok();
  });
  auto rb = f.Start(*f.b, "node-b", [&] {
    ++ran_b;
    return Status::Ok();
  });
  ASSERT_TRUE(ra && rb);
  ASSERT_TRUE(WaitFor([&] { return ra->leader() || rb->leader(); }));
  // ~2 s of ticks while the clock moves on (slower than the ttl, so the leader keeps renewing).
  int both = 0, with_leader = 0;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(20ms);
    f.clock.Advance(10ms);
    const bool la = ra->leader(), lb = rb->leader();
    both += la && lb ? 1 : 0;
    with_leader += la || lb ? 1 : 0;
  }
  EXPECT_EQ(both, 0);
  EXPECT_GT(with_leader, 0);
  EXPECT_GT(ran_a.load() + ran_b.load(), 0);
  EXPECT_EQ(ra->errors() + rb->errors(), 0u);
}

TEST(EngineRunner, StopHandsOverWithoutWaitingForTheTtl) {
  Fixture f;
  auto ra = f.Start(*f.a, "node-a");
  ASSERT_TRUE(ra);
  ASSERT_TRUE(WaitFor([&] { return ra->leader(); }));
  auto rb = f.Start(*f.b, "node-b");
  ASSERT_TRUE(WaitFor([&] { return rb->attempts() >= 3; }));
  EXPECT_FALSE(rb->leader());
  EXPECT_EQ(rb->ticks(), 0u);
  ra->Stop();
  EXPECT_FALSE(ra->leader());
  // The clock does not move: only the release lets node-b in.
  ASSERT_TRUE(WaitFor([&] { return rb->leader(); }));
  ASSERT_TRUE(WaitFor([&] { return rb->ticks() > 0; }));
  ra->Stop();  // idempotent
  // node-a's release did not touch node-b's lease.
  auto still = f.a->AcquireLease("engine", "node-a", f.clock.Now(), 300ms);
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_FALSE(*still);
}

TEST(EngineRunner, AbandonedLeaseIsTakenOverAfterTheTtl) {
  Fixture f;
  // A node that took the lease and died without releasing it.
  auto ghost = f.a->AcquireLease("engine", "ghost", f.clock.Now(), 300ms);
  ASSERT_TRUE(ghost.ok()) << ghost.status();
  ASSERT_TRUE(*ghost);
  auto rb = f.Start(*f.b, "node-b");
  ASSERT_TRUE(WaitFor([&] { return rb->attempts() >= 5; }));
  EXPECT_FALSE(rb->leader());
  EXPECT_EQ(rb->ticks(), 0u);
  f.clock.Advance(299ms);
  const auto seen = rb->attempts();
  ASSERT_TRUE(WaitFor([&] { return rb->attempts() >= seen + 3; }));
  EXPECT_FALSE(rb->leader());
  f.clock.Advance(1ms);  // the ghost's lease has run out
  ASSERT_TRUE(WaitFor([&] { return rb->leader() && rb->ticks() > 0; }));
}

TEST(EngineRunner, StuckLeaderLosesTheLeaseAndNoticesWhenItComesBack) {
  Fixture f;
  std::ostringstream lines;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines);
  auto log = std::make_shared<spdlog::logger>("engine-test", sink);
  log->set_pattern("%v");

  std::mutex mu;
  std::condition_variable cv;
  bool stuck = false, release = false;
  auto ra = f.Start(
      *f.a, "node-a",
      [&] {
        std::unique_lock lock(mu);
        stuck = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        return Status::Ok();
      },
      log);
  ASSERT_TRUE(ra);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return stuck; }));
  }
  EXPECT_TRUE(ra->leader());
  auto rb = f.Start(*f.b, "node-b", nullptr, log);
  ASSERT_TRUE(WaitFor([&] { return rb->attempts() >= 3; }));
  EXPECT_FALSE(rb->leader());
  f.clock.Advance(300ms);  // node-a's lease runs out while its work is stuck
  EXPECT_FALSE(ra->leader());
  ASSERT_TRUE(WaitFor([&] { return rb->leader(); }));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  // node-a comes back, fails to renew, and stands down; node-b stays the leader.
  const auto seen = ra->attempts();
  ASSERT_TRUE(WaitFor([&] { return ra->attempts() >= seen + 2; }));
  EXPECT_FALSE(ra->leader());
  EXPECT_TRUE(rb->leader());
  EXPECT_EQ(ra->ticks(), 1u);
  ra->Stop();
  rb->Stop();
  log->flush();
  const std::string text = lines.str();
  EXPECT_NE(text.find("engine: node node-a is the leader"), std::string::npos) << text;
  EXPECT_NE(text.find("engine: node node-b is the leader"), std::string::npos) << text;
  EXPECT_NE(text.find("engine: node node-a is no longer the leader (the lease is held by another node)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("engine: node node-b released the lease \"engine\""), std::string::npos) << text;
}

TEST(EngineRunner, WorkErrorsAreCountedAndTheLoopGoesOn) {
  Fixture f;
  std::atomic<int> calls{0};
  auto ra = f.Start(*f.a, "node-a",
                    [&] { return ++calls % 2 == 1 ? Status::Internal("demand D1: store unavailable") : Status::Ok(); });
  ASSERT_TRUE(WaitFor([&] { return ra->ticks() >= 6; }));
  ra->Stop();
  EXPECT_EQ(ra->ticks(), static_cast<std::uint64_t>(calls.load()));
  EXPECT_EQ(ra->errors(), static_cast<std::uint64_t>((calls.load() + 1) / 2));
  EXPECT_TRUE(WaitFor([&] { return !ra->leader(); }));
}

}  // namespace
}  // namespace vgi::engine
