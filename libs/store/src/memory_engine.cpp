#include "memory_engine.hpp"

#include <algorithm>
#include <tuple>

#include "engine_record.hpp"
#include "record_codec.hpp"

namespace vgi::store::memory {
namespace {

using record::TruncateTime;

template <class T>
bool In(const std::vector<T>& set, const T& v) {
  return set.empty() || std::find(set.begin(), set.end(), v) != set.end();
}

}  // namespace

Status EngineTables::CheckDemand(const DemandRow& demand) const {
  auto it = demands_.find(demand.task_id);
  if (demand.version == 0) {
    if (it != demands_.end()) return record::DemandExists(demand.task_id);
    return Status::Ok();
  }
  const std::int64_t stored = it == demands_.end() ? 0 : it->second.version;
  if (stored != demand.version) return record::DemandConflict(demand.task_id, demand.version, stored);
  return Status::Ok();
}

std::int64_t EngineTables::ApplyChecked(const EngineWrite& write) {
  std::int64_t version = 0;
  if (write.demand) {
    DemandRow row = *write.demand;
    row.version = write.demand->version + 1;
    row.created_at = TruncateTime(row.created_at);
    row.updated_at = TruncateTime(row.updated_at);
    auto it = demands_.find(row.task_id);
    if (it != demands_.end()) row.created_at = it->second.created_at;
    version = row.version;
    demands_[row.task_id] = std::move(row);
  }
  for (const RegulationRow& r : write.regulations) {
    RegulationRow row = r;
    row.created_at = TruncateTime(row.created_at);
    row.updated_at = TruncateTime(row.updated_at);
    Key2 key{row.operator_id, row.regulation_id};
    auto it = regulations_.find(key);
    if (it != regulations_.end()) row.created_at = it->second.created_at;
    regulations_[std::move(key)] = std::move(row);
  }
  for (const SettlementRow& s : write.settlements) {
    SettlementRow row = s;
    row.created_at = TruncateTime(row.created_at);
    settlements_[Key2{row.operator_id, row.regulation_id}] = std::move(row);
  }
  return version;
}

std::optional<DemandRow> EngineTables::GetDemand(std::string_view task_id) const {
  auto it = demands_.find(task_id);
  if (it == demands_.end()) return std::nullopt;
  return it->second;
}

std::vector<DemandRow> EngineTables::ListDemands(const DemandFilter& filter) const {
  std::vector<DemandRow> out;
  for (const auto& [id, row] : demands_) {
    if (In(filter.states, row.state)) out.push_back(row);
  }
  std::sort(out.begin(), out.end(), [](const DemandRow& a, const DemandRow& b) {
    return std::tie(b.created_at, b.task_id) < std::tie(a.created_at, a.task_id);
  });
  if (out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

std::vector<RegulationRow> EngineTables::ListRegulations(const RegulationFilter& filter) const {
  std::vector<RegulationRow> out;
  for (const auto& [key, row] : regulations_) {
    if ((filter.task_id && row.task_id != *filter.task_id) ||
        (filter.operator_id && row.operator_id != *filter.operator_id) || !In(filter.states, row.state)) {
      continue;
    }
    out.push_back(row);
  }
  std::sort(out.begin(), out.end(), [](const RegulationRow& a, const RegulationRow& b) {
    return std::tie(a.task_id, a.created_at, a.operator_id, a.regulation_id) <
           std::tie(b.task_id, b.created_at, b.operator_id, b.regulation_id);
  });
  if (out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

std::vector<SettlementRow> EngineTables::ListSettlements(const SettlementFilter& filter) const {
  std::vector<SettlementRow> out;
  for (const auto& [key, row] : settlements_) {
    if ((filter.operator_id && row.operator_id != *filter.operator_id) ||
        (filter.task_id && row.task_id != *filter.task_id) || (filter.from_day && row.day < *filter.from_day) ||
        (filter.to_day && row.day > *filter.to_day)) {
      continue;
    }
    out.push_back(row);
  }
  std::sort(out.begin(), out.end(), [](const SettlementRow& a, const SettlementRow& b) {
    return std::tie(a.operator_id, a.day, a.regulation_id) < std::tie(b.operator_id, b.day, b.regulation_id);
  });
  if (out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

bool EngineTables::AcquireLease(std::string_view name, std::string_view holder, SystemTime now,
                                std::chrono::milliseconds ttl) {
  const SystemTime until = TruncateTime(now + ttl);
  now = TruncateTime(now);
  auto it = leases_.find(name);
  if (it == leases_.end()) {
    leases_.emplace(std::string(name), Lease{std::string(holder), until});
    return true;
  }
  if (it->second.holder != holder && it->second.until > now) return false;
  it->second = Lease{std::string(holder), until};
  return true;
}

void EngineTables::ReleaseLease(std::string_view name, std::string_view holder) {
  auto it = leases_.find(name);
  if (it != leases_.end() && it->second.holder == holder) leases_.erase(it);
}

}  // namespace vgi::store::memory
