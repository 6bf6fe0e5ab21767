#pragma once
// Private to the Regulator's tests (regulator_test.cpp, regulator_measure_test.cpp): the Regulator
// over a real SQLite store that is closed and reopened (with a new Regulator) before every step,
// so every lifecycle state is also a restart: nothing lives in memory. Operators are played by
// hand: the test delivers outbox commands (as the relay would), writes their callbacks (as the
// server would) and their power.
#include "vgi/engine/regulator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <set>

#include "vgi/proto/codec.hpp"
#include "vgi/store/sqlite_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::engine {
namespace {

using proto::Kilowatts;
using testing::BeijingTime;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
using namespace std::string_literals;

constexpr const char* kA = "OPA000001";
constexpr const char* kB = "OPB000002";
constexpr const char* kC = "OPC000003";

Kilowatts Kw(std::int64_t kw) {
  return Kilowatts::FromInt(kw);
}
proto::BeijingMinute At(int hour, int minute) {
  return proto::ToBeijingMinute(BeijingTime(2026, 12, 4, hour, minute));
}

class RegulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vgi_regulator_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto sealer = store::Sealer::Create(std::string(store::kMasterKeyBytes, 'k'));
    ASSERT_TRUE(sealer.ok());
    sealer_ = std::make_unique<store::Sealer>(std::move(*sealer));
    clock_.Set(BeijingTime(2026, 12, 4, 16, 0));  // a Friday
    config_.baseline.method = BaselineMethod::kSameDay;
    config_.baseline.use_after = false;
    config_.check_baseline_accuracy = false;
    config_.settlement.price = *proto::YuanPerKwh::Parse("3.0000");
    config_.forecast_days = 0;
    Reopen();
    for (const char* op : {kA, kB, kC}) {
      store::PeerRow peer;
      peer.operator_id = op;
      peer.name = op;
      peer.base_url = "https://127.0.0.1:1/evcs/v1";
      ASSERT_TRUE(store_->PutPeer(peer).ok());
      proto::StationInfoPage page = testing::SampleStationInfoPage(1, 2);
      page.stations[0].operator_id = op;
      page.stations[0].code = std::string("ST-") + op;
      ASSERT_TRUE(store_->PutStationPage(op, page).ok());
    }
    // 100 kW everywhere from 14:00 to now, bounds 0..200 kW.
    for (const char* op : {kA, kB, kC}) Power(op, At(14, 0), At(16, 0), 100);
  }
  void TearDown() override {
    regulator_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // A restart: the store closed and opened again, a new Regulator.
  void Reopen() {
    regulator_.reset();
    store_.reset();
    store::StoreOptions o;
    o.clock = &clock_;
    o.sealer = sealer_.get();
    auto s = store::OpenSqliteStore((dir_ / "vgi.db").string(), o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    regulator_ = std::make_unique<Regulator>(*store_, clock_, config_, nullptr);
  }

  // Station power for minutes [from, to) at `kw`; the operator's first station "ST-<op>" unless
  // `station` names another.
  void Power(const std::string& op, proto::BeijingMinute from, proto::BeijingMinute to, std::int64_t kw,
             const std::string& station = "") {
    proto::StationPower p;
    p.station_code = station.empty() ? "ST-" + op : station;
    p.credit_code = testing::kSampleCreditCode;
    p.adjust_top_power = Kw(200);
    p.adjust_bottom_power = Kw(0);
    for (auto m = from; m < to; m = proto::BeijingMinute{m.minutes + 1}) p.points.push_back({m, Kw(kw)});
    store::WriteBatch b;
    b.power.push_back({op, p});
    ASSERT_TRUE(store_->Commit(b).ok());
  }

  TickStats Tick() {
    Reopen();
    auto s = regulator_->Tick();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : TickStats{};
  }

  // Plays the relay: every due command is delivered and acknowledged with Ret 0.
  std::vector<store::OutboxCommand> Deliver(const std::string& response_json = "") {
    auto claimed = store_->ClaimOutbox("test", clock_.Now(), std::chrono::seconds(30), 100);
    EXPECT_TRUE(claimed.ok());
    for (const auto& c : *claimed) {
      store::OutboxOutcome o;
      o.state = store::OutboxState::kSent;
      o.at = clock_.Now();
      o.ret = 0;
      o.response_json = response_json;
      EXPECT_TRUE(store_->FinishOutbox(c.id, "test", o).ok());
    }
    return *claimed;
  }

  proto::Instruction Decode(const store::OutboxCommand& c) {
    auto in = proto::DecodeData<proto::Instruction>(c.data_json);
    EXPECT_TRUE(in.ok()) << in.status();
    return *in;
  }

  void Overview(const std::string& op, const std::string& task, const std::string& reg, bool accept) {
    store::WriteBatch b;
    store::FeedbackRecord f{op,
                            task,
                            reg,
                            store::FeedbackKind::kOverview,
                            accept ? proto::Feedback::kAccept : proto::Feedback::kReject,
                            std::nullopt,
                            clock_.Now()};
    b.feedback.push_back(f);
    ASSERT_TRUE(store_->Commit(b).ok());
  }
  void Check(const std::string& op, const proto::Instruction& in, Kilowatts kw) {
    proto::InstructionAdjustment a{in.task_id,    in.regulation_id, in.type,        in.synchro_type,
                                   in.range_type, in.adjust_ids,    in.credit_code, in.targets};
    for (auto& t : a.targets) t.target_power = kw;
    store::WriteBatch b;
    b.feedback.push_back(
        {op, in.task_id, in.regulation_id, store::FeedbackKind::kCheck, std::nullopt, a, clock_.Now()});
    ASSERT_TRUE(store_->Commit(b).ok());
  }

  DemandSpec PeakSpec(std::int64_t kw) {
    DemandSpec s;
    s.task_id = "T1";
    s.type = proto::RegulationType::kPeakShaving;
    s.windows = {{Kw(kw), At(18, 0), At(18, 59)}};
    s.created_by = "test";
    return s;
  }

  // Sends the demand, has every operator accept, runs it from 18:00 with `before` (16:00–18:00)
  // and `during` (18:00–19:05) powers written by the caller, and measures at 19:05 (every
  // instruction measured, or none when `expect_measured` is false).
  void RunToMeasurement(const DemandSpec& spec, const std::function<void()>& before, const std::function<void()>& during,
                        bool expect_measured = true) {
    ASSERT_TRUE(regulator_->CreateDemand(spec).ok());
    Tick();
    auto sent = Deliver();
    ASSERT_FALSE(sent.empty());
    clock_.Advance(std::chrono::minutes(1));
    for (const auto& c : sent) Overview(c.operator_id, spec.task_id, Decode(c).regulation_id, true);
    Tick();
    before();
    clock_.Set(BeijingTime(2026, 12, 4, 18, 0));
    Tick();
    during();
    clock_.Set(BeijingTime(2026, 12, 4, 19, 5));
    EXPECT_EQ(Tick().measured, expect_measured ? static_cast<int>(sent.size()) : 0);
  }

  DemandView View(const std::string& task) {
    auto v = regulator_->GetDemand(task);
    EXPECT_TRUE(v.ok()) << v.status();
    return *v;
  }
  const InstructionView* Of(const DemandView& v, const std::string& op, RegulationState state) {
    for (const auto& i : v.instructions) {
      if (i.operator_id == op && i.state == state) return &i;
    }
    return nullptr;
  }

  fs::path dir_;
  testing::FakeClock clock_;
  std::unique_ptr<store::Sealer> sealer_;
  RegulatorConfig config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Regulator> regulator_;
};

}  // namespace
}  // namespace vgi::engine
