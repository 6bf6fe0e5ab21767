// GroupCommitter: queued batches merged into one Store::Commit, every submitter completed with
// that commit's status.
#include "vgi/store/group_committer.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "vgi/store/memory_store.hpp"
#include "vgi/store/sqlite_store.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::store {
namespace {

using namespace std::chrono_literals;

// A Store that forwards to a memory store, records each Commit's batch size, can hold a commit
// until released, and fails the commits it is told to.
class GatedStore final : public Store {
 public:
  explicit GatedStore(const StoreOptions& o) : inner_(NewMemoryStore(o)) {}

  // The next Commit waits in Commit until Release().
  void HoldNextCommit() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void WaitUntilHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return held_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    held_ = false;
    cv_.notify_all();
  }
  void FailCommit(int call) {  // 1-based call number
    std::lock_guard lock(mu_);
    fail_call_ = call;
  }
  std::vector<std::size_t> commit_sizes() {
    std::lock_guard lock(mu_);
    return sizes_;
  }

  Status Commit(const WriteBatch& batch) override {
    std::unique_lock lock(mu_);
    sizes_.push_back(batch.request_keys.size());
    const int call = static_cast<int>(sizes_.size());
    if (hold_) {
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return !hold_; });
    }
    if (call == fail_call_) return Status::Io("Commit: SQLite vgi.db: database or disk is full (code 13)");
    lock.unlock();
    return inner_->Commit(batch);
  }

  [[nodiscard]] std::string_view backend() const override { return "gated"; }
  Result<int> SchemaVersion() override { return 0; }
  Status PutPeer(const PeerRow& p) override { return inner_->PutPeer(p); }
  Result<std::optional<PeerRow>> GetPeer(std::string_view id) override { return inner_->GetPeer(id); }
  Result<std::vector<PeerRow>> ListPeers() override { return inner_->ListPeers(); }
  Result<PageReceipt> PutStationPage(std::string_view op, const proto::StationInfoPage& p) override {
    return inner_->PutStationPage(op, p);
  }
  Result<std::int64_t> ExpireSyncs() override { return inner_->ExpireSyncs(); }
  Result<std::optional<StationRecord>> GetStation(std::string_view op, std::string_view code) override {
    return inner_->GetStation(op, code);
  }
  Result<std::vector<StationRecord>> ListStations(std::string_view op, bool retired) override {
    return inner_->ListStations(op, retired);
  }
  Result<std::optional<StationDay>> GetStationDay(std::string_view op, std::string_view code,
                                                  proto::BeijingDate day) override {
    return inner_->GetStationDay(op, code, day);
  }
  Status PutInstruction(const InstructionRow& r) override { return inner_->PutInstruction(r); }
  Result<std::optional<InstructionRow>> GetInstruction(std::string_view op, std::string_view id) override {
    return inner_->GetInstruction(op, id);
  }
  Result<std::vector<FeedbackRecord>> ListFeedback(std::string_view op, std::string_view id) override {
    return inner_->ListFeedback(op, id);
  }
  Result<std::int64_t> Enqueue(const OutboxCommand& c, const InstructionRow* in) override { return inner_->Enqueue(c, in); }
  Result<std::vector<OutboxCommand>> ClaimOutbox(std::string_view node, SystemTime now, std::chrono::milliseconds lease,
                                                 std::size_t limit) override {
    return inner_->ClaimOutbox(node, now, lease, limit);
  }
  Status FinishOutbox(std::int64_t id, std::string_view node, const OutboxOutcome& o) override {
    return inner_->FinishOutbox(id, node, o);
  }
  Result<std::vector<OutboxCommand>> ExpireOutbox(SystemTime now) override { return inner_->ExpireOutbox(now); }
  Result<std::optional<OutboxCommand>> GetOutbox(std::int64_t id) override { return inner_->GetOutbox(id); }
  Result<std::vector<OutboxCommand>> ListOutbox(const OutboxFilter& f) override { return inner_->ListOutbox(f); }
  Result<AlarmRow> RaiseAlarm(const AlarmRow& a) override { return inner_->RaiseAlarm(a); }
  Result<std::vector<AlarmRow>> ListAlarms(bool closed) override { return inner_->ListAlarms(closed); }
  Status SetAlarmState(std::int64_t id, AlarmState s) override { return inner_->SetAlarmState(id, s); }
  Result<EngineWriteResult> ApplyEngineWrite(const EngineWrite& w) override { return inner_->ApplyEngineWrite(w); }
  Result<std::optional<DemandRow>> GetDemand(std::string_view id) override { return inner_->GetDemand(id); }
  Result<std::vector<DemandRow>> ListDemands(const DemandFilter& f) override { return inner_->ListDemands(f); }
  Result<std::vector<RegulationRow>> ListRegulations(const RegulationFilter& f) override {
    return inner_->ListRegulations(f);
  }
  Result<std::vector<SettlementRow>> ListSettlements(const SettlementFilter& f) override {
    return inner_->ListSettlements(f);
  }
  Status PutUser(const UserRow& u) override { return inner_->PutUser(u); }
  Result<std::optional<UserRow>> GetUser(std::string_view u) override { return inner_->GetUser(u); }
  Result<std::vector<UserRow>> ListUsers() override { return inner_->ListUsers(); }
  Status PutSession(const SessionRow& s) override { return inner_->PutSession(s); }
  Result<std::optional<SessionRow>> GetSession(std::string_view d) override { return inner_->GetSession(d); }
  Status TouchSession(std::string_view d, SystemTime at) override { return inner_->TouchSession(d, at); }
  Status DeleteSession(std::string_view d) override { return inner_->DeleteSession(d); }
  Result<std::int64_t> DeleteUserSessions(std::string_view u) override { return inner_->DeleteUserSessions(u); }
  Result<std::int64_t> PurgeSessions(SystemTime idle, SystemTime now) override {
    return inner_->PurgeSessions(idle, now);
  }
  Result<AuditRow> AppendAudit(const AuditRow& row) override { return inner_->AppendAudit(row); }
  Result<std::vector<AuditRow>> ListAudit(std::int64_t after, std::size_t limit) override {
    return inner_->ListAudit(after, limit);
  }
  Result<std::vector<StationIndexEntry>> ListStationIndex(std::string_view op) override {
    return inner_->ListStationIndex(op);
  }
  Result<std::vector<LatestPower>> ListLatestPower(std::string_view op) override {
    return inner_->ListLatestPower(op);
  }
  Result<std::vector<StationDay>> ListStationDays(std::string_view op, proto::BeijingDate day) override {
    return inner_->ListStationDays(op, day);
  }
  Result<std::vector<StationDay>> ListStationHistory(std::string_view op, std::string_view station,
                                                     proto::BeijingDate from, proto::BeijingDate to) override {
    return inner_->ListStationHistory(op, station, from, to);
  }
  Result<std::vector<StationDay>> ListStationDaysOn(std::string_view op, std::string_view station,
                                                    std::span<const proto::BeijingDate> days) override {
    return inner_->ListStationDaysOn(op, station, days);
  }
  Result<std::vector<OperatorDay>> ListOperatorDays(std::string_view op, proto::BeijingDate from,
                                                    proto::BeijingDate to) override {
    return inner_->ListOperatorDays(op, from, to);
  }
  Result<TopologyInfo> ReplaceTopology(const std::vector<TopologyEntry>& entries,
                                           std::string_view source) override {
    return inner_->ReplaceTopology(entries, source);
  }
  Result<TopologyInfo> GetTopologyInfo() override { return inner_->GetTopologyInfo(); }
  Result<std::vector<TopologyEntry>> ListTopology(const TopologyFilter& filter) override {
    return inner_->ListTopology(filter);
  }
  Result<bool> AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                            std::chrono::milliseconds ttl) override {
    return inner_->AcquireLease(name, holder, now, ttl);
  }
  Status ReleaseLease(std::string_view name, std::string_view holder) override {
    return inner_->ReleaseLease(name, holder);
  }
  Result<std::vector<RequestKey>> LoadRequestKeys() override { return inner_->LoadRequestKeys(); }
  Result<std::int64_t> PurgeRequestKeys() override { return inner_->PurgeRequestKeys(); }

 private:
  std::unique_ptr<Store> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool held_ = false;
  int fail_call_ = 0;
  std::vector<std::size_t> sizes_;
};

struct Env {
  vgi::testing::FakeClock clock;
  Sealer sealer = *Sealer::Create(std::string(32, 'k'));
  StoreOptions options;
  Env() {
    options.clock = &clock;
    options.sealer = &sealer;
  }
  SystemTime later() const { return clock.Now() + 1h; }
};

WriteBatch KeyBatch(const std::string& seq, SystemTime forget_after) {
  WriteBatch b;
  b.request_keys.push_back(RequestKey{"123456789", "20240409100000", seq, forget_after});
  return b;
}

// Collects completions; Wait blocks until `n` arrived.
class Completions {
 public:
  GroupCommitter::Done Add(int id) {
    return [this, id](const Status& st) {
      std::lock_guard lock(mu_);
      order_.push_back(id);
      statuses_[id] = st;
      cv_.notify_all();
    };
  }
  void Wait(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return order_.size() >= n; });
  }
  Status status(int id) {
    std::lock_guard lock(mu_);
    return statuses_.at(id);
  }
  std::vector<int> order() {
    std::lock_guard lock(mu_);
    return order_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> order_;
  std::map<int, Status> statuses_;
};

std::set<std::string> StoredSeqs(Store& store) {
  std::set<std::string> out;
  auto keys = store.LoadRequestKeys();
  EXPECT_TRUE(keys.ok());
  for (const RequestKey& k : *keys) out.insert(k.seq);
  return out;
}

TEST(GroupCommitter, MergesWhatQueuedWhileACommitRanAndCompletesEachInOrder) {
  Env env;
  GatedStore store(env.options);
  Completions done;
  GroupCommitter committer(store);
  store.HoldNextCommit();
  committer.Submit(KeyBatch("0001", env.later()), done.Add(1));
  store.WaitUntilHeld();  // commit #1 runs (held); the next ones queue behind it
  for (int i = 2; i <= 5; ++i) committer.Submit(KeyBatch("000" + std::to_string(i), env.later()), done.Add(i));
  store.Release();
  done.Wait(5);

  EXPECT_EQ(store.commit_sizes(), (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(done.order(), (std::vector<int>{1, 2, 3, 4, 5}));
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE(done.status(i).ok()) << i;
  EXPECT_EQ(StoredSeqs(store), (std::set<std::string>{"0001", "0002", "0003", "0004", "0005"}));
  const auto stats = committer.stats();
  EXPECT_EQ(stats.commits, 2u);
  EXPECT_EQ(stats.batches, 5u);
  EXPECT_EQ(stats.failed_commits, 0u);
}

TEST(GroupCommitter, AFailedCommitFailsEveryBatchInItsGroupAndTheNextGroupSucceeds) {
  Env env;
  GatedStore store(env.options);
  Completions done;
  GroupCommitter committer(store);
  store.HoldNextCommit();
  store.FailCommit(2);
  committer.Submit(KeyBatch("0001", env.later()), done.Add(1));
  store.WaitUntilHeld();
  for (int i = 2; i <= 4; ++i) committer.Submit(KeyBatch("000" + std::to_string(i), env.later()), done.Add(i));
  store.Release();
  done.Wait(4);
  committer.Submit(KeyBatch("0005", env.later()), done.Add(5));
  done.Wait(5);

  EXPECT_TRUE(done.status(1).ok());
  for (int i = 2; i <= 4; ++i) {
    EXPECT_EQ(done.status(i), Status::Io("Commit: SQLite vgi.db: database or disk is full (code 13)")) << i;
  }
  EXPECT_TRUE(done.status(5).ok());
  EXPECT_EQ(store.commit_sizes(), (std::vector<std::size_t>{1, 3, 1}));
  EXPECT_EQ(StoredSeqs(store), (std::set<std::string>{"0001", "0005"}));
  const auto stats = committer.stats();
  EXPECT_EQ(stats.commits, 3u);
  EXPECT_EQ(stats.batches, 5u);
  EXPECT_EQ(stats.failed_commits, 1u);
}

TEST(GroupCommitter, AGroupHoldsAtMostMaxGroupBatches) {
  Env env;
  GatedStore store(env.options);
  Completions done;
  GroupCommitter committer(store, GroupCommitter::Options{.max_group_batches = 2});
  store.HoldNextCommit();
  committer.Submit(KeyBatch("0001", env.later()), done.Add(1));
  store.WaitUntilHeld();
  for (int i = 2; i <= 6; ++i) committer.Submit(KeyBatch("000" + std::to_string(i), env.later()), done.Add(i));
  store.Release();
  done.Wait(6);
  EXPECT_EQ(store.commit_sizes(), (std::vector<std::size_t>{1, 2, 2, 1}));
  EXPECT_EQ(done.order(), (std::vector<int>{1, 2, 3, 4, 5, 6}));
}

TEST(GroupCommitter, AnEmptyBatchCompletesOkWithoutACommit) {
  Env env;
  GatedStore store(env.options);
  Completions done;
  GroupCommitter committer(store);
  committer.Submit(WriteBatch{}, done.Add(1));
  done.Wait(1);
  EXPECT_TRUE(done.status(1).ok());
  EXPECT_TRUE(store.commit_sizes().empty());
  EXPECT_EQ(committer.stats().commits, 0u);

  // Behind a failing batch, an empty one still completes Ok, after it.
  store.HoldNextCommit();
  store.FailCommit(2);
  committer.Submit(KeyBatch("0001", env.later()), done.Add(2));
  store.WaitUntilHeld();
  committer.Submit(KeyBatch("0002", env.later()), done.Add(3));
  committer.Submit(WriteBatch{}, done.Add(4));
  store.Release();
  done.Wait(4);
  EXPECT_EQ(done.order(), (std::vector<int>{1, 2, 3, 4}));
  EXPECT_FALSE(done.status(3).ok());
  EXPECT_TRUE(done.status(4).ok());
}

TEST(GroupCommitter, TheDestructorCommitsWhatIsQueued) {
  Env env;
  GatedStore store(env.options);
  Completions done;
  std::thread release;
  {
    GroupCommitter committer(store);
    store.HoldNextCommit();
    committer.Submit(KeyBatch("0001", env.later()), done.Add(1));
    store.WaitUntilHeld();
    for (int i = 2; i <= 9; ++i) committer.Submit(KeyBatch("000" + std::to_string(i), env.later()), done.Add(i));
    release = std::thread([&] {
      std::this_thread::sleep_for(10ms);  // lets the destructor start while a commit is held
      store.Release();
    });
  }  // ~GroupCommitter: drains the queue
  release.join();
  EXPECT_EQ(done.order().size(), 9u);
  for (int i = 1; i <= 9; ++i) EXPECT_TRUE(done.status(i).ok()) << i;
  EXPECT_EQ(StoredSeqs(store).size(), 9u);
}

void ManyThreadsSubmitting(Store& store, SystemTime forget_after) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::atomic<int> completed{0};
  std::atomic<int> failed{0};
  GroupCommitter::Stats stats;
  {
    GroupCommitter committer(store);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          WriteBatch b;
          const std::string seq = std::to_string(t * 1000 + i);
          b.request_keys.push_back(RequestKey{"123456789", "20240409100000", seq, forget_after});
          PowerUpdate u;
          u.operator_id = "123456789";
          u.power.station_code = "STA" + std::to_string(t);
          u.power.points.push_back(proto::PowerPoint{
              proto::BeijingMinute{proto::ParseMinute("2024-04-09 00:00")->minutes + i}, proto::Kilowatts::FromUnits(i + 1)});
          b.power.push_back(std::move(u));
          std::promise<Status> p;
          auto f = p.get_future();
          committer.Submit(std::move(b), [&p](const Status& st) { p.set_value(st); });
          // Like a request handler: wait for durability before the next one.
          if (!f.get().ok()) ++failed;
          ++completed;
        }
      });
    }
    for (auto& th : threads) th.join();
    stats = committer.stats();
  }
  EXPECT_EQ(completed.load(), kThreads * kPerThread);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stats.batches, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_LE(stats.commits, stats.batches);
  EXPECT_GE(stats.commits, 1u);
  EXPECT_EQ(stats.failed_commits, 0u);
  auto keys = store.LoadRequestKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    auto d = store.GetStationDay("123456789", "STA" + std::to_string(t), *proto::ParseDate("2024-04-09"));
    ASSERT_TRUE(d.ok() && d->has_value()) << t;
    EXPECT_EQ((*d)->present.count(), static_cast<std::size_t>(kPerThread)) << t;
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ((*d)->centi_kw[static_cast<std::size_t>(i)], i + 1) << t << "/" << i;
  }
}

TEST(GroupCommitter, ManyThreadsSubmittingConcurrentlyAllLandInMemory) {
  Env env;
  auto store = NewMemoryStore(env.options);
  ManyThreadsSubmitting(*store, env.later());
}

TEST(GroupCommitter, ManyThreadsSubmittingConcurrentlyAllLandInSqlite) {
  Env env;
  const auto dir = std::filesystem::temp_directory_path() / ("vgi_group_committer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = OpenSqliteStore((dir / "vgi.db").string(), env.options);
    ASSERT_TRUE(store.ok()) << store.status();
    ManyThreadsSubmitting(**store, env.later());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vgi::store
