#pragma once
// Private to the conformance suite (store_conformance*.cpp): the per-test harness, status
// assertions and model builders.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "store_conformance.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::store::conformance {

using namespace std::chrono_literals;
using proto::BeijingDate;
using proto::Kilowatts;
using proto::ParseDate;
using proto::ParseMinute;
using proto::Station;
using proto::StationInfoPage;
using vgi::testing::BeijingTime;
using vgi::testing::FakeClock;
using vgi::testing::kSampleOperatorId;
using vgi::testing::SampleStation;

inline constexpr const char* kOp = kSampleOperatorId;
inline constexpr const char* kOp2 = "987654321";  // a second operator

inline ::testing::AssertionResult HasStatus(const Status& st, StatusCode code, std::string_view fragment) {
  if (st.code() == code && st.message().find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << st << ", want " << StatusCodeName(code) << " containing \""
                                       << fragment << "\"";
}

#define VGI_ASSERT_OK(expr)                       \
  do {                                            \
    const ::vgi::Status vgi_st_ = (expr);         \
    ASSERT_TRUE(vgi_st_.ok()) << vgi_st_;         \
  } while (false)

// Evaluates a Result, fails the test on error, else assigns the value.
#define VGI_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  VGI_ASSERT_OK_AND_ASSIGN_IMPL_(VGI_STATUS_CONCAT_(vgi_r_, __LINE__), lhs, rexpr)
#define VGI_ASSERT_OK_AND_ASSIGN_IMPL_(r, lhs, rexpr) \
  auto r = (rexpr);                                   \
  ASSERT_TRUE(r.ok()) << r.status();                  \
  lhs = std::move(r).value()

// One store under test with its fake clock and sealer.
class Harness {
 public:
  explicit Harness(const StoreFactory& factory) : factory_(factory), sealer_(*Sealer::Create(std::string(32, 'k'))) {
    options_.clock = &clock_;
    options_.sealer = &sealer_;
    options_.sync_ttl = 1h;
  }
  Status Open() {
    auto made = factory_.make(options_);
    if (!made.ok()) return made.status();
    store_ = std::move(*made);
    return Status::Ok();
  }
  Status Reopen() {
    store_.reset();  // as after a restart: the old instance is gone first
    auto made = factory_.reopen(options_);
    if (!made.ok()) return made.status();
    store_ = std::move(*made);
    return Status::Ok();
  }
  // A second store on the same database beside the first (as another process would open it);
  // null when the backend keeps nothing across instances (memory).
  Result<std::unique_ptr<Store>> OpenAnother() {
    if (!factory_.reopen) return std::unique_ptr<Store>();
    return factory_.reopen(options_);
  }
  Store& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  SystemTime now() const { return clock_.Now(); }

 private:
  const StoreFactory& factory_;
  FakeClock clock_;
  Sealer sealer_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

#define VGI_OPEN(h)              \
  Harness h(GetParam());         \
  VGI_ASSERT_OK((h).Open())

// Page `no` of `count` of a sync with `total` stations.
inline StationInfoPage Page(std::int64_t total, std::int64_t count, std::int64_t no, std::vector<Station> stations) {
  StationInfoPage p;
  p.total_count = total;
  p.page_count = count;
  p.page_no = no;
  p.stations = std::move(stations);
  return p;
}

// One-page sync of `stations`.
inline StationInfoPage Snapshot(std::vector<Station> stations) {
  const auto n = static_cast<std::int64_t>(stations.size());
  return Page(n, 1, 1, std::move(stations));
}

inline StationRecord Expected(const Station& station, SystemTime updated_at) {
  StationRecord r;
  r.operator_id = kOp;
  r.station = station;
  r.updated_at = updated_at;
  return r;
}

inline std::vector<std::string> Codes(const std::vector<StationRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.station.code);
  return out;
}

inline proto::BeijingMinute At(const char* text) { return *ParseMinute(text); }
inline BeijingDate Day(const char* text) { return *ParseDate(text); }

inline PowerUpdate Power(const std::string& station, std::vector<proto::PowerPoint> points, std::int64_t top = 30000,
                  std::int64_t bottom = 100) {
  PowerUpdate u;
  u.operator_id = kOp;
  u.power.station_code = station;
  u.power.credit_code = vgi::testing::kSampleCreditCode;
  u.power.adjust_top_power = Kilowatts::FromUnits(top);
  u.power.adjust_bottom_power = Kilowatts::FromUnits(bottom);
  u.power.points = std::move(points);
  return u;
}

inline proto::PowerPoint Point(const char* minute, std::optional<std::int64_t> centi_kw) {
  proto::PowerPoint p;
  p.point = At(minute);
  if (centi_kw) p.power = Kilowatts::FromUnits(*centi_kw);
  return p;
}

inline WriteBatch PowerBatch(std::vector<PowerUpdate> updates) {
  WriteBatch b;
  b.power = std::move(updates);
  return b;
}

inline FeedbackRecord Overview(const std::string& regulation_id, proto::Feedback status, SystemTime at) {
  FeedbackRecord f;
  f.operator_id = kOp;
  f.task_id = "T1";
  f.regulation_id = regulation_id;
  f.kind = FeedbackKind::kOverview;
  f.status = status;
  f.received_at = at;
  return f;
}

inline FeedbackRecord Check(const std::string& regulation_id, SystemTime at) {
  FeedbackRecord f;
  f.operator_id = kOp;
  f.task_id = "T1";
  f.regulation_id = regulation_id;
  f.kind = FeedbackKind::kCheck;
  f.adjustment = vgi::testing::SampleInstructionAdjustment();
  f.adjustment->regulation_id = regulation_id;
  f.adjustment->range_type = proto::RangeType::kStation;
  f.adjustment->adjust_ids = {"STA1"};
  f.adjustment->credit_code = vgi::testing::kSampleCreditCode;
  f.received_at = at;
  return f;
}

inline PeerRow Peer(const std::string& id, const std::string& name, SystemTime at) {
  PeerRow p;
  p.operator_id = id;
  p.name = name;
  p.base_url = "https://" + id + ".example.com/evcs/v1";
  p.enabled = true;
  p.sealed_keys = std::string("\x01\x00\xff sealed", 10);
  p.settings_json = R"({"ip_allow":["10.0.0.0/8"]})";
  p.created_at = at;
  p.updated_at = at;
  return p;
}

}  // namespace vgi::store::conformance
