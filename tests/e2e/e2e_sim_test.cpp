// The grid and simulated operators over real HTTPS on loopback, in one process on one accelerated
// clock (two simulated minutes per real second): tokens both ways, model sync, power streaming,
// and instructions through the durable outbox — accepted (the operator's power drops by the
// target), rejected, partially accepted, cancelled, sent while the operator is down (delivered
// once when it is back), and past the deadline while it is down (dead letter and alarm).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "e2e_harness.hpp"
#include "e2e_sim_grid.hpp"
#include "sim_setup.hpp"
#include "vgi/server/grid_server.hpp"
#include "vgi/server/tls.hpp"
#include "vgi/sim/sim_clock.hpp"
#include "vgi/sim/simulator.hpp"

namespace vgi::e2e {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
using proto::Kilowatts;
using store::OutboxState;

constexpr double kSpeed = 120;  // simulated seconds per real second
constexpr const char* kAccepting = "SIM000001";
constexpr const char* kRejecting = "SIM000002";
constexpr const char* kPartial = "SIM000003";

class SimE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto clock = sim::ScaledClock::Create(Clock::System().Now(), kSpeed);
    ASSERT_TRUE(clock.ok());
    clock_ = std::move(*clock);
    const std::string sim_cert = dir_.path() + "/sim.crt", sim_key = dir_.path() + "/sim.key";
    ASSERT_TRUE(server::EnsureSelfSignedCertificate(sim_cert, sim_key, "127.0.0.1").ok());

    server::Config c = SimGridConfig(dir_.path(), sim_cert);
    auto grid = server::GridServer::Start(c, *clock_, std::make_shared<spdlog::logger>("grid", std::make_shared<spdlog::sinks::null_sink_mt>()));
    ASSERT_TRUE(grid.ok()) << grid.status();
    grid_ = std::move(*grid);

    sim::SimOptions o = SimOptionsFor(*grid_, c, sim_cert, sim_key, 7, 3, 8);
    o.policies[kRejecting] = sim::Policy{sim::Policy::Decision::kReject, 1, 0s};
    o.policies[kPartial] = sim::Policy{sim::Policy::Decision::kPartial, 0.5, 0s};
    auto simulator = sim::Simulator::Create(o, *clock_);
    ASSERT_TRUE(simulator.ok()) << simulator.status();
    sim_ = std::move(*simulator);
    ASSERT_TRUE(StartAndStream(*grid_, *sim_, 1));
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (grid_) grid_->Stop();
  }

  // A peak-shaving instruction for the whole operator: `kw` from `start_in` for `minutes`.
  proto::Instruction Instruction(const std::string& op, const std::string& regulation_id, std::int64_t centi_kw,
                                 std::chrono::minutes start_in, int minutes = 4) const {
    return PeakShavingInstruction(op, regulation_id, Kilowatts::FromUnits(centi_kw), clock_->Now() + start_in, minutes);
  }

  std::int64_t Send(const std::string& op, const proto::Instruction& in) {
    auto id = grid_->SendInstruction(op, in);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }

  store::OutboxCommand Outbox(std::int64_t id) {
    auto row = grid_->store().GetOutbox(id);
    return row.ok() && row->has_value() ? **row : store::OutboxCommand{};
  }

  bool WaitOutbox(std::int64_t id, OutboxState state) {
    return WaitFor([&] { return Outbox(id).state == state; });
  }

  std::vector<store::FeedbackRecord> Feedback(const std::string& op, const std::string& regulation_id) {
    auto fb = grid_->store().ListFeedback(op, regulation_id);
    return fb.ok() ? *fb : std::vector<store::FeedbackRecord>{};
  }

  // Waits until the simulator has stepped past `minute`.
  bool WaitStepped(const std::string& op, proto::BeijingMinute minute) {
    return WaitFor([&] {
      const auto s = sim_->Stats(op);
      return s.minute && proto::ToSystemTime(*s.minute) > proto::ToSystemTime(minute);
    });
  }

  // A fair share of the operator's current down-potential (so the target can be met).
  std::int64_t Target(const std::string& op) {
    const auto s = sim_->Stats(op);
    return std::max<std::int64_t>((s.power - s.adjust_bottom).units() / 4, 100);
  }

  // The grid's stored power of the operator's stations at `minute` (centi-kW).
  std::int64_t GridPower(const std::string& op, proto::BeijingMinute minute) {
    std::int64_t sum = 0;
    for (const auto& st : sim_->Stations(op)) {
      auto day = grid_->store().GetStationDay(op, st.code, proto::DateOf(minute));
      if (day.ok() && day->has_value()) sum += (**day).centi_kw[static_cast<std::size_t>(proto::MinuteOfDay(minute))];
    }
    return sum;
  }

  // Baseline minus power over the window's minutes, checked against `expected_cut` where the
  // operator had the room, and never more than the target.
  void ExpectCut(const std::string& op, const proto::AdjustTarget& window, std::int64_t expected_cut) {
    for (auto t = proto::ToSystemTime(window.start_time); t <= proto::ToSystemTime(window.end_time); t += 1min) {
      const auto m = proto::ToBeijingMinute(t);
      auto sample = sim_->OperatorSample(op, m);
      ASSERT_TRUE(sample.ok()) << sample.status();
      const std::int64_t cut = (sample->baseline - sample->power).units();
      const std::int64_t room = (sample->baseline - sample->bottom).units();
      EXPECT_LE(cut, expected_cut + 1) << proto::FormatMinute(m);
      if (room >= expected_cut) {
        EXPECT_NEAR(static_cast<double>(cut), static_cast<double>(expected_cut), 1.0 + 0.01 * expected_cut)
            << proto::FormatMinute(m);
      } else {
        EXPECT_GE(cut, room - 1) << proto::FormatMinute(m);  // all it could
      }
      // What the grid stored is what the operator drew.
      EXPECT_TRUE(WaitFor([&] { return GridPower(op, m) == sample->power.units(); }, 10s))
          << proto::FormatMinute(m) << ": grid " << GridPower(op, m) << " sim " << sample->power.units();
    }
  }

  TempDir dir_;
  std::unique_ptr<sim::ScaledClock> clock_;
  std::unique_ptr<server::GridServer> grid_;
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_F(SimE2eTest, ModelsSyncAndPowerStreamsWithTheGridsTokens) {
  for (const auto& s : sim_->AllStats()) {
    auto stations = grid_->store().ListStations(s.operator_id, false);
    ASSERT_TRUE(stations.ok());
    EXPECT_EQ(stations->size(), s.stations) << s.operator_id;
    EXPECT_EQ(s.requests_refused, 0u);
  }
  const auto minute = *sim_->Stats(kAccepting).minute;
  ASSERT_TRUE(WaitFor([&] {
    auto sample = sim_->OperatorSample(kAccepting, minute);
    return sample.ok() && GridPower(kAccepting, minute) == sample->power.units();
  }));
}

TEST_F(SimE2eTest, AnAcceptedInstructionLowersTheOperatorsPowerByTheTarget) {
  const auto target = Target(kAccepting);
  const auto in = Instruction(kAccepting, "REG-ACCEPT", target, 3min);
  const auto id = Send(kAccepting, in);
  ASSERT_TRUE(WaitOutbox(id, OutboxState::kSent)) << Outbox(id).last_error;
  EXPECT_EQ(Outbox(id).ret, 0);
  // Tokens the other way: the grid fetched one from the operator to deliver.
  EXPECT_GE(sim_->Stats(kAccepting).token_requests_served, 1u);
  ASSERT_TRUE(WaitFor([&] { return !Feedback(kAccepting, "REG-ACCEPT").empty(); }));
  const auto fb = Feedback(kAccepting, "REG-ACCEPT");
  EXPECT_EQ(fb.back().kind, store::FeedbackKind::kOverview);
  EXPECT_EQ(fb.back().status, proto::Feedback::kAccept);
  ASSERT_TRUE(WaitStepped(kAccepting, in.targets[0].end_time));
  ExpectCut(kAccepting, in.targets[0], target);
  EXPECT_EQ(sim_->Stats(kAccepting).accepted, 1u);
}

TEST_F(SimE2eTest, ARejectionIsRecordedAndChangesNothing) {
  const auto in = Instruction(kRejecting, "REG-REJECT", Target(kRejecting), 3min);
  const auto id = Send(kRejecting, in);
  ASSERT_TRUE(WaitOutbox(id, OutboxState::kSent));
  ASSERT_TRUE(WaitFor([&] { return !Feedback(kRejecting, "REG-REJECT").empty(); }));
  EXPECT_EQ(Feedback(kRejecting, "REG-REJECT").back().status, proto::Feedback::kReject);
  ASSERT_TRUE(WaitStepped(kRejecting, in.targets[0].end_time));
  ExpectCut(kRejecting, in.targets[0], 0);
  EXPECT_EQ(sim_->Stats(kRejecting).rejected, 1u);
}

TEST_F(SimE2eTest, APartialAcceptanceCarriesTheOperatorsTargetsAndDeliversThem) {
  const auto target = Target(kPartial);
  const auto in = Instruction(kPartial, "REG-PARTIAL", target, 3min);
  const auto id = Send(kPartial, in);
  ASSERT_TRUE(WaitOutbox(id, OutboxState::kSent));
  ASSERT_TRUE(WaitFor([&] { return !Feedback(kPartial, "REG-PARTIAL").empty(); }));
  const auto fb = Feedback(kPartial, "REG-PARTIAL").back();
  ASSERT_EQ(fb.kind, store::FeedbackKind::kCheck);
  ASSERT_TRUE(fb.adjustment.has_value());
  ASSERT_EQ(fb.adjustment->targets.size(), 1u);
  const std::int64_t lowered = fb.adjustment->targets[0].target_power.units();
  EXPECT_NEAR(static_cast<double>(lowered), target * 0.5, 1.0);
  ASSERT_TRUE(WaitStepped(kPartial, in.targets[0].end_time));
  ExpectCut(kPartial, in.targets[0], lowered);
}

TEST_F(SimE2eTest, ACancelRemovesTheEffect) {
  const auto in = Instruction(kAccepting, "REG-CANCEL-1", Target(kAccepting), 4min);
  const auto first = Send(kAccepting, in);
  ASSERT_TRUE(WaitOutbox(first, OutboxState::kSent));
  auto cancel = in;
  cancel.regulation_id = "REG-CANCEL-2";
  cancel.synchro_type = proto::SynchroType::kCancel;
  const auto second = Send(kAccepting, cancel);
  ASSERT_TRUE(WaitOutbox(second, OutboxState::kSent));
  EXPECT_EQ(sim_->Stats(kAccepting).cancelled, 1u);
  ASSERT_TRUE(WaitStepped(kAccepting, in.targets[0].end_time));
  ExpectCut(kAccepting, in.targets[0], 0);
}

TEST_F(SimE2eTest, AnOperatorDownThenBackGetsTheInstructionOnceWhenItIsBack) {
  sim::Faults down;
  down.offline_until = clock_->Now() + 3min;
  ASSERT_TRUE(sim_->SetFaults(kAccepting, down).ok());
  const auto target = Target(kAccepting);
  const auto in = Instruction(kAccepting, "REG-LATER", target, 8min);
  const auto id = Send(kAccepting, in);
  ASSERT_TRUE(WaitFor([&] { return Outbox(id).attempts >= 2; })) << "the relay did not retry";
  EXPECT_THAT(Outbox(id).last_error, HasSubstr("503"));
  ASSERT_TRUE(WaitOutbox(id, OutboxState::kSent)) << Outbox(id).last_error;
  const auto s = sim_->Stats(kAccepting);
  EXPECT_EQ(s.instructions_received, 1u);
  EXPECT_EQ(s.duplicates, 0u);
  ASSERT_TRUE(WaitStepped(kAccepting, in.targets[0].end_time));
  ExpectCut(kAccepting, in.targets[0], target);
}

TEST_F(SimE2eTest, AnOperatorDownPastTheDeadlineGetsNothingAndAnAlarmIsRaised) {
  sim::Faults down;
  down.offline_until = clock_->Now() + 2h;
  ASSERT_TRUE(sim_->SetFaults(kAccepting, down).ok());
  const auto in = Instruction(kAccepting, "REG-TOO-LATE", Target(kAccepting), 3min);
  const auto id = Send(kAccepting, in);
  ASSERT_TRUE(WaitOutbox(id, OutboxState::kDead)) << Outbox(id).last_error;
  EXPECT_THAT(Outbox(id).last_error, HasSubstr("deadline passed before delivery"));
  // The alarm is raised right after the command is marked dead.
  Result<std::vector<store::AlarmRow>> alarms = std::vector<store::AlarmRow>{};
  ASSERT_TRUE(WaitFor([&] {
    alarms = grid_->store().ListAlarms(false);
    return alarms.ok() && !alarms->empty();
  }));
  ASSERT_EQ(alarms->size(), 1u);
  EXPECT_EQ((*alarms)[0].type, "outbox.dead_letter");
  EXPECT_EQ((*alarms)[0].object, std::string(kAccepting) + "/REG-TOO-LATE");
  EXPECT_EQ(sim_->Stats(kAccepting).instructions_received, 0u);
  EXPECT_THAT(grid_->metrics().Render(), HasSubstr("result=\"dead\"} 1"));
}

}  // namespace
}  // namespace vgi::e2e
