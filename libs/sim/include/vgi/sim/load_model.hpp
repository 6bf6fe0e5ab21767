#pragma once
// LoadModel: the simulated load of one operator's stations, stepped minute by minute.
//
// Charging sites: vehicles arrive by an hourly profile per kind of site (Poisson per minute),
// take a free stake (or leave when none is free), want an energy drawn per session, and depart
// after a dwell time that does not depend on how much they got (so regulation never changes who
// is plugged in, only how much they draw). A vehicle draws its natural power (its acceptance,
// or less under managed charging) until its energy is delivered. Storage units follow a
// charge-at-night / discharge-at-peaks schedule within their state of charge; heating units
// follow a winter-day profile.
//
// Each minute every stake has a natural power n, and a range [lo, hi] regulation may move it
// within: adjustable stakes from 0 (V2G and storage down to -rated while they hold energy to give;
// heating keeps 20 % running) up to what the vehicle or unit can take this minute; stakes that are
// not adjustable stay at n. Regulations in force then move the power of the stakes in their scope
// so that the scope draws its counterfactual minus the target (peak shaving) or plus it (valley
// filling), split in proportion to each stake's room, never beyond [lo, hi]; when the room is
// smaller than the move, each stake goes to its bound. The counterfactual is what the stakes
// would draw had no regulation ever applied: an unregulated twin of the model stepped alongside.
// So a platform makes up for the energy its curtailed vehicles still want (the rebound) by
// curtailing more, as an aggregator held to a baseline must, and PowerSample::baseline is the
// twin's power: the true "without the regulations" figure a test can judge delivery by.
// Powers are integers of 0.01 kW throughout, so station and operator sums are exact.
//
// Deterministic: the same fleet, seed, first minute and regulations give the same samples.
// Thread safety: none (the operator that owns it locks).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/decimal.hpp"
#include "vgi/proto/task.hpp"
#include "vgi/sim/fleet.hpp"

namespace vgi::sim {

// One minute of one station, or of a whole operator.
struct PowerSample {
  proto::Kilowatts power;     // what it drew (what is reported)
  proto::Kilowatts baseline;  // what it would have drawn had no regulation ever applied (the twin)
  proto::Kilowatts top;       // adjustTopPower: the most it could draw this minute
  proto::Kilowatts bottom;    // adjustBottomPower: the least (negative when it can discharge)
  friend bool operator==(const PowerSample&, const PowerSample&) = default;
};

// A regulation in force on this operator.
struct Regulation {
  proto::RegulationType type{};
  std::vector<std::uint32_t> stakes;        // scope: stake indices (see LoadModel::FindStake)
  std::vector<proto::AdjustTarget> targets;  // windows, endTime inclusive
  proto::BeijingMinute active_from;         // minutes before it are not affected
};

class LoadModel {
 public:
  // `fleet` is read here only. The day before `first` is simulated unrecorded (warm-up), so
  // the first minute starts with the vehicles a real day would have plugged in. Keeps the samples
  // of the last `history_minutes` minutes (at least 1).
  LoadModel(const OperatorFleet& fleet, std::uint64_t seed, proto::BeijingMinute first, int history_minutes = 1440);
  ~LoadModel();
  LoadModel(const LoadModel&) = delete;
  LoadModel& operator=(const LoadModel&) = delete;

  // The minute the next Step computes.
  [[nodiscard]] proto::BeijingMinute next_minute() const { return next_; }

  // Computes next_minute() with `regulations` applied in order (each takes its target from the room
  // the ones before left) and moves on. Returns each station's sample (index = station index).
  const std::vector<PowerSample>& Step(std::span<const Regulation* const> regulations);

  // Samples of a minute already stepped and still in the history.
  [[nodiscard]] std::optional<PowerSample> StationAt(std::size_t station, proto::BeijingMinute minute) const;
  [[nodiscard]] std::optional<PowerSample> TotalAt(proto::BeijingMinute minute) const;

  // Scope lookups.
  [[nodiscard]] std::optional<std::size_t> FindStation(std::string_view code) const;
  [[nodiscard]] std::optional<std::uint32_t> FindStake(std::string_view code) const;
  [[nodiscard]] std::vector<std::uint32_t> StakesOf(std::size_t station) const;
  [[nodiscard]] std::vector<std::uint32_t> AllStakes() const;
  [[nodiscard]] std::size_t station_count() const;
  [[nodiscard]] std::size_t stake_count() const;

 private:
  struct StationState;
  struct StakeState;
  struct Stored {  // one station-minute in the history, 0.01 kW
    std::int32_t power, baseline, top, bottom;
  };
  struct StoredTotal {
    std::int64_t power, baseline, top, bottom;
  };

  struct Twin {};  // builds the unregulated twin (which has no twin of its own)
  LoadModel(const OperatorFleet& fleet, std::uint64_t seed, proto::BeijingMinute first, Twin);
  void Build(const OperatorFleet& fleet, std::uint64_t seed);
  void StepMinute(proto::BeijingMinute minute, std::span<const Regulation* const> regulations, bool record);
  void Arrive(StationState& station, proto::BeijingMinute minute, int hour);
  void Bounds(StakeState& stake, const StationState& station, int hour, std::size_t i);
  void Apply(const Regulation& regulation, proto::BeijingMinute minute);

  std::vector<StationState> stations_;
  std::vector<StakeState> stakes_;
  std::unordered_map<std::string, std::size_t> station_index_;
  std::unordered_map<std::string, std::uint32_t> stake_index_;
  // Per stake, this minute: natural power, range, power (0.01 kW).
  std::vector<std::int64_t> natural_, lo_, hi_, power_;
  std::vector<PowerSample> samples_;
  proto::BeijingMinute first_;
  proto::BeijingMinute next_;
  int history_;
  std::vector<Stored> ring_;         // history_ x stations
  std::vector<StoredTotal> totals_;  // history_
  std::unique_ptr<LoadModel> twin_;  // null in the twin itself
};

// Splits `amount` (>= 0) over `rooms` (each >= 0) in proportion, never giving one more than its
// room; gives min(amount, sum of rooms) in all, exactly (largest remainders, ties to the lower
// index). Exposed for tests.
std::vector<std::int64_t> SplitByRoom(std::int64_t amount, std::span<const std::int64_t> rooms);

}  // namespace vgi::sim
