#pragma once
// Private to the engine: the documents the Regulator keeps in store rows (DemandRow::doc_json,
// RegulationRow::doc_json) and their JSON form (RapidJSON writes, simdjson reads). A document
// that does not decode is a corrupted row: Internal naming the row.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vgi/base/status.hpp"
#include "vgi/engine/demand.hpp"
#include "vgi/engine/regulator.hpp"

namespace vgi::engine::doc {

struct DemandDoc {
  DemandSpec spec;                  // task_id filled, accept_deadline and margin resolved
  std::vector<std::string> events;  // "2026-12-04 17:40 decomposed over 5 operators ..."
  int next_seq = 1;                 // the next regulationID suffix
  int rounds = 0;                   // re-dispatch rounds so far
  bool uncovered_alarmed = false;   // the "uncovered" alarm was raised for the latest round
  std::int64_t redispatch_tried_at = 0;  // BeijingMinute of the last look for more potential
};

struct RegulationDoc {
  proto::RegulationType type = proto::RegulationType::kPeakShaving;
  proto::SynchroType synchro = proto::SynchroType::kNew;
  proto::RangeType range = proto::RangeType::kOperator;
  bool is_force = false;
  std::vector<std::string> adjust_ids;
  std::vector<proto::AdjustTarget> allocated;
  std::vector<proto::AdjustTarget> accepted;  // empty until answered
  std::vector<std::string> explanation;
  std::string note;
  int round = 0;
  std::string replaces;  // the regulationID this change or cancel is about
  bool query_asked = false;    // query_task_result enqueued (past the acceptance deadline)
  bool push_enqueued = false;  // exchange_inviteplan_push enqueued
  std::vector<std::string> stations;  // measured stations; empty = all the operator's
  // Execution watch.
  std::int64_t checked_through = -1;  // last minute (BeijingMinute) checked for the live alarm
  int below_run = 0;
  // Per accepted window (in order), the reference the live watch compares with: the configured
  // baseline without its back-test, or the same-day average when that is refused. Empty = not yet.
  std::vector<std::vector<std::int32_t>> live_reference;
  bool shortfall_alarmed = false;
  // Measurement and settlement.
  std::vector<InstructionView::Measured> measured;
  std::string baseline;
  std::optional<proto::Yuan> earnings;
  std::int64_t measure_retry_at = 0;  // BeijingMinute; 0 = now
};

// SettlementRow::doc_json: every figure of the settlement, so statements add up to the cent.
std::string Encode(const InstructionSettlement& s);
Result<InstructionSettlement> DecodeSettlement(std::string_view json, std::string_view what);

std::string Encode(const DemandDoc& d);
Result<DemandDoc> DecodeDemand(std::string_view json, std::string_view what);
std::string Encode(const RegulationDoc& d);
Result<RegulationDoc> DecodeRegulation(std::string_view json, std::string_view what);

}  // namespace vgi::engine::doc
