#pragma once
// Valid protocol models for tests, benchmarks and fuzz seeds. Deterministic: the same arguments
// give the same model.

#include <string>

#include "vgi/proto/auth.hpp"
#include "vgi/proto/settlement.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/station_power.hpp"
#include "vgi/proto/task.hpp"

namespace vgi::testing {

// Operator 123456789 (credit code 911101901234567890) is the one every sample belongs to.
inline constexpr const char* kSampleOperatorId = "123456789";
inline constexpr const char* kSampleCreditCode = "911101901234567890";

proto::Stake SampleStake(int station, int stake);
proto::Station SampleStation(int station, int stakes);
proto::StationInfoPage SampleStationInfoPage(int stations, int stakes_per_station);
// `points` consecutive minutes from 2024-04-09 00:00 (at most 1440), every 7th one null.
proto::StationPower SampleStationPower(int station, int points);
proto::StationPowerBatch SampleStationPowerBatch(int stations, int points);
proto::Instruction SampleInstruction();
proto::InstructionResult SampleInstructionResult();
proto::InstructionFeedback SampleInstructionFeedback();
proto::InstructionAdjustment SampleInstructionAdjustment();
proto::SettlementPush SampleSettlementPush();
proto::TokenRequest SampleTokenRequest();
proto::TokenResponse SampleTokenResponse();

}  // namespace vgi::testing
