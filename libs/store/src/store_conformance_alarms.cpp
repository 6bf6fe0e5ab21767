// The store conformance suite, continued (see store_conformance.cpp): alarms — one live row per
// (type, object) counting occurrences, states, listing order, concurrent raises.
#include <mutex>
#include <thread>

#include "store_conformance_util.hpp"

namespace vgi::store {
namespace {

using namespace conformance;  // NOLINT
using namespace std::chrono_literals;

AlarmRow Alarm(const std::string& type, const std::string& object, SystemTime at) {
  AlarmRow a;
  a.type = type;
  a.object = object;
  a.level = AlarmLevel::kWarning;
  a.module = "relay";
  a.title = "Command not delivered";
  a.detail = "first occurrence";
  a.first_at = at;
  a.last_at = at;
  return a;
}

std::vector<std::int64_t> Ids(const std::vector<AlarmRow>& alarms) {
  std::vector<std::int64_t> out;
  for (const auto& a : alarms) out.push_back(a.id);
  return out;
}

TEST_P(StoreConformance, RaisingALiveAlarmAgainCountsAnOccurrence) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  AlarmRow first = Alarm("outbox.dead_letter", "123456789/REG-1", t);
  first.id = 42;  // ignored, as are state and count: a new alarm is open with one occurrence
  first.state = AlarmState::kClosed;
  first.count = 9;
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow opened, h.store().RaiseAlarm(first));
  AlarmRow want = first;
  want.id = opened.id;
  want.state = AlarmState::kOpen;
  want.count = 1;
  EXPECT_EQ(opened, want);

  AlarmRow again = Alarm("outbox.dead_letter", "123456789/REG-1", t + 1min);
  again.first_at = t + 1min;
  again.level = AlarmLevel::kCritical;
  again.title = "Command dead";
  again.detail = "second occurrence";
  again.module = "engine";  // not replaced
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow counted, h.store().RaiseAlarm(again));
  want.count = 2;
  want.last_at = t + 1min;
  want.level = AlarmLevel::kCritical;
  want.title = "Command dead";
  want.detail = "second occurrence";
  EXPECT_EQ(counted, want);

  // Another object, or another type, is another alarm.
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow other_object,
                           h.store().RaiseAlarm(Alarm("outbox.dead_letter", "123456789/REG-2", t)));
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow other_type,
                           h.store().RaiseAlarm(Alarm("storage.failed", "123456789/REG-1", t)));
  EXPECT_NE(other_object.id, opened.id);
  EXPECT_NE(other_type.id, opened.id);
  EXPECT_NE(other_type.id, other_object.id);
  EXPECT_EQ(other_object.count, 1);

  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListAlarms(false));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], want);  // the latest occurrence first

  EXPECT_TRUE(HasStatus(h.store().RaiseAlarm(Alarm("", "x", t)).status(), StatusCode::kInvalid,
                        "alarm type: must not be empty"));
  AlarmRow bad_level = Alarm("t", "x", t);
  bad_level.level = static_cast<AlarmLevel>(7);
  EXPECT_TRUE(HasStatus(h.store().RaiseAlarm(bad_level).status(), StatusCode::kInvalid, "alarm level: 7 is not 1..4"));
}

TEST_P(StoreConformance, AnAcknowledgedAlarmStaysAcknowledgedAndAClosedOneStartsANewRow) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow first, h.store().RaiseAlarm(Alarm("peer.unreachable", "123456789", t)));
  VGI_ASSERT_OK(h.store().SetAlarmState(first.id, AlarmState::kAcknowledged));
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow counted,
                           h.store().RaiseAlarm(Alarm("peer.unreachable", "123456789", t + 1s)));
  EXPECT_EQ(counted.id, first.id);
  EXPECT_EQ(counted.state, AlarmState::kAcknowledged);
  EXPECT_EQ(counted.count, 2);
  EXPECT_EQ(counted.first_at, t);
  EXPECT_EQ(counted.last_at, t + 1s);

  VGI_ASSERT_OK(h.store().SetAlarmState(first.id, AlarmState::kClosed));
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow fresh, h.store().RaiseAlarm(Alarm("peer.unreachable", "123456789", t + 2s)));
  EXPECT_GT(fresh.id, first.id);
  EXPECT_EQ(fresh.state, AlarmState::kOpen);
  EXPECT_EQ(fresh.count, 1);
  EXPECT_EQ(fresh.first_at, t + 2s);

  VGI_ASSERT_OK_AND_ASSIGN(auto live, h.store().ListAlarms(false));
  EXPECT_EQ(live, std::vector<AlarmRow>{fresh});
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListAlarms(true));
  AlarmRow closed = counted;
  closed.state = AlarmState::kClosed;
  EXPECT_EQ(all, (std::vector<AlarmRow>{fresh, closed}));

  // The closed row cannot come back beside the live one; once that one is closed it can.
  EXPECT_TRUE(HasStatus(h.store().SetAlarmState(first.id, AlarmState::kOpen), StatusCode::kConflict,
                        "alarm " + std::to_string(first.id) + " cannot be reopened: alarm " + std::to_string(fresh.id) +
                            " with the same type and object is not closed"));
  VGI_ASSERT_OK(h.store().SetAlarmState(fresh.id, AlarmState::kClosed));
  VGI_ASSERT_OK(h.store().SetAlarmState(first.id, AlarmState::kAcknowledged));
  VGI_ASSERT_OK_AND_ASSIGN(live, h.store().ListAlarms(false));
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, first.id);
  EXPECT_EQ(live[0].state, AlarmState::kAcknowledged);
}

TEST_P(StoreConformance, AlarmsListByLastOccurrenceThenIdNewestFirst) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow a, h.store().RaiseAlarm(Alarm("a", "x", t)));
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow b, h.store().RaiseAlarm(Alarm("b", "x", t + 1s)));
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow c, h.store().RaiseAlarm(Alarm("c", "x", t + 1s)));
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow d, h.store().RaiseAlarm(Alarm("d", "x", t + 2s)));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListAlarms(false));
  EXPECT_EQ(Ids(all), (std::vector<std::int64_t>{d.id, c.id, b.id, a.id}));

  // A new occurrence moves an alarm to the front; closing one drops it from the live list.
  VGI_ASSERT_OK(h.store().RaiseAlarm(Alarm("a", "x", t + 3s)).status());
  VGI_ASSERT_OK(h.store().SetAlarmState(c.id, AlarmState::kClosed));
  VGI_ASSERT_OK_AND_ASSIGN(all, h.store().ListAlarms(false));
  EXPECT_EQ(Ids(all), (std::vector<std::int64_t>{a.id, d.id, b.id}));
  VGI_ASSERT_OK_AND_ASSIGN(all, h.store().ListAlarms(true));
  EXPECT_EQ(Ids(all), (std::vector<std::int64_t>{a.id, d.id, c.id, b.id}));
}

TEST_P(StoreConformance, SetAlarmStateNamesAMissingAlarm) {
  VGI_OPEN(h);
  VGI_ASSERT_OK_AND_ASSIGN(const AlarmRow a, h.store().RaiseAlarm(Alarm("a", "x", h.now())));
  EXPECT_TRUE(HasStatus(h.store().SetAlarmState(a.id + 100, AlarmState::kAcknowledged), StatusCode::kNotFound,
                        "alarm " + std::to_string(a.id + 100) + ": no such alarm"));
  EXPECT_TRUE(HasStatus(h.store().SetAlarmState(a.id, static_cast<AlarmState>(0)), StatusCode::kInvalid,
                        "alarm state: 0 is not 1..3"));
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListAlarms(true));
  EXPECT_EQ(all, std::vector<AlarmRow>{a});
}

TEST_P(StoreConformance, ConcurrentRaisesOfOneAlarmCountEveryOccurrence) {
  VGI_OPEN(h);
  const SystemTime t = h.now();
  constexpr int kThreads = 4;
  constexpr int kRaises = 25;
  // Half the raisers on a second store on the same database, as another process would be.
  VGI_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second, h.OpenAnother());
  std::mutex mu;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int n = 0; n < kThreads; ++n) {
    Store* store = (second != nullptr && n % 2 == 1) ? second.get() : &h.store();
    threads.emplace_back([&, n, store] {
      for (int i = 0; i < kRaises; ++i) {
        auto raised = store->RaiseAlarm(Alarm("storage.failed", "vgi.db", t + std::chrono::seconds(n * kRaises + i)));
        if (!raised.ok()) {
          std::lock_guard lock(mu);
          errors.push_back(raised.status().ToString());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  VGI_ASSERT_OK_AND_ASSIGN(auto all, h.store().ListAlarms(true));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].count, kThreads * kRaises);
}

}  // namespace
}  // namespace vgi::store
