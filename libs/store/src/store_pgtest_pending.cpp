// PostgreSQL's pending power (postgres_pending.cpp): acknowledged in power_pending, folded into
// power_hours / power_latest later. Whatever is folded, every reader must answer as the memory
// store does for the same commits; folds running beside commits (in this process and another)
// must lose or repeat nothing.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "postgres_store_impl.hpp"
#include "store_pgtest_util.hpp"
#include "vgi/store/memory_store.hpp"

namespace vgi::store {
namespace {

using namespace pgtest;  // NOLINT

constexpr const char* kOperators[] = {"OPA", "OPB"};

class PendingPowerTest : public PostgresStoreTest {
 protected:
  // A random update: points on the clock's day and the days beside it, clustered in a few hours
  // so that updates overlap minutes and hour rows; some null, some repeated, in any order.
  PowerUpdate RandomUpdate(std::mt19937& rng) {
    PowerUpdate u;
    u.operator_id = kOperators[rng() % 2];
    u.power.station_code = "S" + std::to_string(rng() % 12);
    u.power.adjust_top_power = proto::Kilowatts::FromUnits(static_cast<std::int64_t>(rng() % 100000));
    u.power.adjust_bottom_power = proto::Kilowatts::FromUnits(-static_cast<std::int64_t>(rng() % 100000));
    const proto::BeijingMinute now = proto::ToBeijingMinute(clock_.Now());
    const std::int64_t today = now.minutes - proto::MinuteOfDay(now);
    const int n = static_cast<int>(rng() % 6);  // 0: an adjust-only update
    for (int i = 0; i < n; ++i) {
      proto::PowerPoint p;
      const std::int64_t day = today + kMinutesPerDay * (static_cast<std::int64_t>(rng() % 3) - 1);
      static constexpr int kHours[] = {0, 1, 12, 23};
      p.point = proto::BeijingMinute{day + 60 * kHours[rng() % 4] + static_cast<std::int64_t>(rng() % 60)};
      if (rng() % 5 != 0) p.power = proto::Kilowatts::FromUnits(static_cast<std::int64_t>(rng() % 2000001) - 1000000);
      u.power.points.push_back(p);
    }
    return u;
  }

  // Every reader of both stores, compared.
  void ExpectSameAnswers(Store& pg, Store& memory, const std::string& where) {
    SCOPED_TRACE(where);
    const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(clock_.Now()));
    const proto::BeijingDate from{today.days - 2};
    const proto::BeijingDate to{today.days + 1};
    for (const char* op : kOperators) {
      auto a = pg.ListLatestPower(op);
      auto b = memory.ListLatestPower(op);
      ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
      EXPECT_EQ(*a, *b) << "ListLatestPower(" << op << ")";
      for (proto::BeijingDate d = from; d <= to; d = proto::BeijingDate{d.days + 1}) {
        auto x = pg.ListStationDays(op, d);
        auto y = memory.ListStationDays(op, d);
        ASSERT_TRUE(x.ok() && y.ok()) << x.status() << y.status();
        EXPECT_EQ(*x, *y) << "ListStationDays(" << op << ", " << d.days << ")";
      }
      auto od = pg.ListOperatorDays(op, from, to);
      auto om = memory.ListOperatorDays(op, from, to);
      ASSERT_TRUE(od.ok() && om.ok()) << od.status() << om.status();
      EXPECT_EQ(*od, *om) << "ListOperatorDays(" << op << ")";
      for (int s = 0; s < 12; ++s) {
        const std::string st = "S" + std::to_string(s);
        auto h = pg.ListStationHistory(op, st, from, to);
        auto k = memory.ListStationHistory(op, st, from, to);
        ASSERT_TRUE(h.ok() && k.ok()) << h.status() << k.status();
        EXPECT_EQ(*h, *k) << "ListStationHistory(" << op << ", " << st << ")";
        const proto::BeijingDate days[] = {today, from};
        auto on = pg.ListStationDaysOn(op, st, days);
        auto om2 = memory.ListStationDaysOn(op, st, days);
        ASSERT_TRUE(on.ok() && om2.ok()) << on.status() << om2.status();
        EXPECT_EQ(*on, *om2) << "ListStationDaysOn(" << op << ", " << st << ")";
        auto g = pg.GetStationDay(op, st, today);
        auto m = memory.GetStationDay(op, st, today);
        ASSERT_TRUE(g.ok() && m.ok()) << g.status() << m.status();
        EXPECT_EQ(*g, *m) << "GetStationDay(" << op << ", " << st << ")";
      }
    }
    auto all = pg.ListLatestPower("");
    auto all_memory = memory.ListLatestPower("");
    ASSERT_TRUE(all.ok() && all_memory.ok());
    EXPECT_EQ(*all, *all_memory) << "ListLatestPower(all)";
  }
};

TEST_F(PendingPowerTest, ReadersAnswerAsTheMemoryStoreWhateverIsFolded) {
  PostgresOptions manual;
  manual.fold = PowerFold::kManual;
  manual.fold_points = 16 * 5;  // a fold transaction takes ~5 points: folds go in many steps
  auto pg = Fresh("vgi-test", manual);
  ASSERT_TRUE(pg);
  auto memory = NewMemoryStore(options_);
  std::mt19937 rng(20261205);
  int folds = 0;
  for (int step = 1; step <= 240; ++step) {
    WriteBatch batch;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) batch.power.push_back(RandomUpdate(rng));
    const Status a = pg->Commit(batch);
    const Status b = memory->Commit(batch);
    ASSERT_TRUE(a.ok() && b.ok()) << a << " / " << b;
    if (rng() % 4 == 0) {
      auto folded = FoldPendingPower(*pg);
      ASSERT_TRUE(folded.ok()) << folded.status();
      ++folds;
    }
    // Time moves on, across midnight once: an adjust-only update lands on the commit's day.
    clock_.Advance(std::chrono::minutes(step == 120 ? 12 * 60 : static_cast<int>(rng() % 3)));
    if (step % 40 == 0) ExpectSameAnswers(*pg, *memory, "after step " + std::to_string(step));
  }
  EXPECT_GT(folds, 30);
  auto folded = FoldPendingPower(*pg);
  ASSERT_TRUE(folded.ok()) << folded.status();
  ExpectSameAnswers(*pg, *memory, "all folded");
}

TEST_F(PendingPowerTest, PendingPowerSurvivesAReopenAndTheBackgroundFolderFoldsIt) {
  PostgresOptions manual;
  manual.fold = PowerFold::kManual;
  auto pg = Fresh("vgi-test", manual);
  ASSERT_TRUE(pg);
  auto memory = NewMemoryStore(options_);
  std::mt19937 rng(7);
  for (int step = 0; step < 30; ++step) {
    WriteBatch batch;
    batch.power.push_back(RandomUpdate(rng));
    ASSERT_TRUE(pg->Commit(batch).ok());
    ASSERT_TRUE(memory->Commit(batch).ok());
  }
  pg.reset();

  // Reopened with a folder that finds everything due at once.
  PostgresOptions eager;
  eager.fold_after = std::chrono::seconds(0);
  eager.fold_check_every = std::chrono::milliseconds(20);
  auto reopened = OpenPostgresStore(url_, options_, eager);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ExpectSameAnswers(**reopened, *memory, "reopened");
  std::int64_t pending = -1;
  const std::string schema = url_.substr(url_.find("search_path%3D") + 14, url_.find('&') - url_.find("search_path%3D") - 14);
  for (int i = 0; i < 500 && pending != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto r = Schemas::Get().Admin("SELECT count(*) FROM " + schema + ".power_pending");
    ASSERT_TRUE(r.ok()) << r.status();
    pending = *r->Int64(0, 0);
  }
  EXPECT_EQ(pending, 0) << "the background folder did not fold within 10 s";
  ExpectSameAnswers(**reopened, *memory, "folded in the background");
}

TEST_F(PendingPowerTest, FoldsInTwoProcessesBesideCommitsLoseAndRepeatNothing) {
  // Store `a` commits and folds in the background; store `b` (another process's pool on the
  // same schema) folds in a loop. Each station's values only grow, so a repeated or reordered
  // fold would show as a smaller value than the memory store's.
  PostgresOptions eager;
  eager.fold_after = std::chrono::seconds(0);
  eager.fold_check_every = std::chrono::milliseconds(5);
  auto a = Fresh("vgi-test", eager);
  ASSERT_TRUE(a);
  PostgresOptions manual;
  manual.fold = PowerFold::kManual;
  auto b = OpenPostgresStore(url_, options_, manual);
  ASSERT_TRUE(b.ok()) << b.status();
  auto memory = NewMemoryStore(options_);
  std::atomic<bool> done{false};
  std::atomic<int> b_folds{0};
  std::thread folder([&] {
    while (!done) {
      auto n = FoldPendingPower(**b);
      if (!n.ok()) {
        ADD_FAILURE() << n.status();
        return;
      }
      ++b_folds;
    }
  });
  const proto::BeijingMinute noon = proto::ToBeijingMinute(clock_.Now());
  for (int i = 1; i <= 200; ++i) {
    WriteBatch batch;
    for (int s = 0; s < 6; ++s) {
      PowerUpdate u;
      u.operator_id = kOperators[s % 2];
      u.power.station_code = "S" + std::to_string(s);
      u.power.adjust_top_power = proto::Kilowatts::FromUnits(i);
      proto::PowerPoint p;
      p.point = proto::BeijingMinute{noon.minutes + (i % 7)};  // seven minutes, rewritten again and again
      p.power = proto::Kilowatts::FromUnits(i * 10 + s);
      u.power.points.push_back(p);
      batch.power.push_back(u);
    }
    ASSERT_TRUE((*a).Commit(batch).ok());
    ASSERT_TRUE(memory->Commit(batch).ok());
  }
  done = true;
  folder.join();
  EXPECT_GT(b_folds.load(), 0);
  ASSERT_TRUE(FoldPendingPower(**b).ok());
  ExpectSameAnswers(*a, *memory, "after concurrent folds");
}

TEST_F(PendingPowerTest, AFullFoldWaitsForAPartitionFoldedElsewhereAndLeavesNothingPending) {
  PostgresOptions manual;
  manual.fold = PowerFold::kManual;
  auto pg = Fresh("vgi-test", manual);
  ASSERT_TRUE(pg);
  WriteBatch batch;
  batch.power.push_back(Update("S1", {{"2024-04-09 11:00", 150}}));
  ASSERT_TRUE(pg->Commit(batch).ok());
  const std::string schema = url_.substr(url_.find("search_path%3D") + 14, url_.find('&') - url_.find("search_path%3D") - 14);

  // Another process folds S1's partition: it holds that partition's lock in its transaction.
  auto other = pg::Pool::Open(url_, 1);
  ASSERT_TRUE(other.ok()) << other.status();
  auto held = (*other)->Acquire();
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_TRUE((*held)->Run("BEGIN").ok());
  // The same key as postgres_pending.cpp: hashtext('vgi-fold ' || schema), partition.
  auto locked = (*held)->Exec(
      "SELECT true FROM (SELECT pg_advisory_xact_lock(hashtext('vgi-fold ' || current_schema()), $1)) l",
      pg::Params().Int32(PendingPartOf("S1")));
  ASSERT_TRUE(locked.ok()) << locked.status();

  std::atomic<bool> returned{false};
  Result<std::size_t> folded = Status::Internal("not run");
  std::thread fold([&] {
    folded = FoldPendingPower(*pg);
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(returned.load()) << "the fold returned while the partition was being folded elsewhere";
  ASSERT_TRUE((*held)->Run("COMMIT").ok());
  fold.join();
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_EQ(*folded, 1U);
  auto left = Schemas::Get().Admin("SELECT count(*) FROM " + schema + ".power_pending");
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(*left->Int64(0, 0), 0);
}

TEST_F(PendingPowerTest, AMalformedPendingRowFailsReadersAndTheFoldLoudlyAndIsKept) {
  std::mutex mu;
  std::vector<Status> reported;
  options_.on_background_error = [&](const Status& st) {
    std::lock_guard lock(mu);
    reported.push_back(st);
  };
  PostgresOptions eager;
  eager.fold_after = std::chrono::seconds(0);
  eager.fold_check_every = std::chrono::milliseconds(20);
  eager.fold = PowerFold::kManual;
  auto pg = Fresh("vgi-test", eager);
  ASSERT_TRUE(pg);
  WriteBatch batch;
  batch.power.push_back(Update("S1", {{"2024-04-09 11:00", 150}}));
  ASSERT_TRUE(pg->Commit(batch).ok());
  const std::string schema = url_.substr(url_.find("search_path%3D") + 14, url_.find('&') - url_.find("search_path%3D") - 14);
  ASSERT_TRUE(Schemas::Get().Admin("UPDATE " + schema + ".power_pending SET body = '\\x0500'").ok());

  // Readers refuse to answer from damaged data rather than leave the update out.
  auto day = pg->GetStationDay(testing::kSampleOperatorId, "S1", Day("2024-04-09"));
  ASSERT_FALSE(day.ok());
  EXPECT_EQ(day.status().code(), StatusCode::kInternal);
  EXPECT_THAT(day.status().message(), ::testing::HasSubstr("power_pending: a malformed body for operator"));
  EXPECT_FALSE(pg->ListLatestPower("").ok());

  // The background folder reports it (once a minute at most) and deletes nothing.
  pg.reset();
  eager.fold = PowerFold::kBackground;
  auto folding = OpenPostgresStore(url_, options_, eager);
  ASSERT_TRUE(folding.ok()) << folding.status();
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (!reported.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // more rounds fail: still one report
  folding->reset();
  std::lock_guard lock(mu);
  ASSERT_EQ(reported.size(), 1U);
  EXPECT_THAT(reported[0].message(), ::testing::HasSubstr("folding pending power"));
  EXPECT_THAT(reported[0].message(), ::testing::HasSubstr("malformed body"));
  auto left = Schemas::Get().Admin("SELECT count(*) FROM " + schema + ".power_pending");
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(*left->Int64(0, 0), 1);
}

}  // namespace
}  // namespace vgi::store
