#include "vgi/engine/allocation.hpp"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace vgi::engine {
namespace {

using proto::Kilowatts;
using Wide = __int128;  // products of two centi-kW sums stay exact

// IDs must be unique: the remainder rule breaks ties by ID, so a repeat would make the result
// depend on input order.
Status CheckIds(const std::vector<Participant>& ps) {
  std::vector<std::string_view> ids;
  ids.reserve(ps.size());
  for (const auto& p : ps) {
    if (p.id.empty()) return Status::Invalid("participant id: must not be empty");
    ids.emplace_back(p.id);
  }
  std::sort(ids.begin(), ids.end());
  auto dup = std::adjacent_find(ids.begin(), ids.end());
  if (dup != ids.end()) {
    return Status::Invalid("participant id '" + std::string(*dup) +
                           "': appears twice; each participant must be listed once");
  }
  return Status::Ok();
}

// Water-filling in exact integers. `total` <= Σ caps. Returns allocations in input order.
std::vector<std::int64_t> WaterFill(std::int64_t total, const std::vector<std::int64_t>& w,
                                    const std::vector<std::int64_t>& cap,
                                    const std::vector<const std::string*>& ids) {
  const std::size_t n = w.size();
  std::vector<std::int64_t> out(n, 0);
  std::vector<std::uint32_t> live;
  live.reserve(n);
  Wide weight_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (w[i] > 0 && cap[i] > 0) {
      live.push_back(static_cast<std::uint32_t>(i));
      weight_sum += w[i];
    }
  }
  // Those with the smallest cap per unit of weight hit their cap first; the level
  // (remaining / weight) only rises as capped ones leave, so one pass in this order suffices.
  std::sort(live.begin(), live.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Wide lhs = static_cast<Wide>(cap[a]) * w[b];
    const Wide rhs = static_cast<Wide>(cap[b]) * w[a];
    if (lhs != rhs) return lhs < rhs;
    return *ids[a] < *ids[b];
  });
  Wide remaining = total;
  std::size_t k = 0;
  for (; k < live.size(); ++k) {
    const std::uint32_t i = live[k];
    if (remaining * w[i] < static_cast<Wide>(cap[i]) * weight_sum) break;
    out[i] = cap[i];
    remaining -= cap[i];
    weight_sum -= w[i];
  }
  if (k == live.size() || remaining <= 0) return out;

  // Largest remainder over the uncapped ones.
  struct Rest {
    Wide remainder;
    std::uint32_t index;
  };
  std::vector<Rest> rests;
  rests.reserve(live.size() - k);
  Wide given = 0;
  for (std::size_t j = k; j < live.size(); ++j) {
    const std::uint32_t i = live[j];
    const Wide exact = remaining * w[i];
    const Wide floor = exact / weight_sum;
    out[i] = static_cast<std::int64_t>(floor);
    given += floor;
    rests.push_back({exact - floor * weight_sum, i});
  }
  auto leftover = static_cast<std::size_t>(remaining - given);  // < rests.size()
  if (leftover > 0) {
    auto by_rule = [&](const Rest& a, const Rest& b) {
      if (a.remainder != b.remainder) return a.remainder > b.remainder;
      return *ids[a.index] < *ids[b.index];
    };
    std::nth_element(rests.begin(), rests.begin() + static_cast<std::ptrdiff_t>(leftover - 1),
                     rests.end(), by_rule);
    // nth_element puts the `leftover` first-by-rule ones before position leftover-1 (inclusive).
    for (std::size_t j = 0; j < leftover; ++j) out[rests[j].index] += 1;
  }
  return out;
}

std::int64_t UsableUnits(std::int64_t potential, int margin_bp) {
  if (potential <= 0) return 0;
  return static_cast<std::int64_t>(static_cast<Wide>(potential) * (kBasisPoints - margin_bp) /
                                   kBasisPoints);
}

}  // namespace

proto::RangeType RangeTypeFor(ParticipantKind kind) {
  switch (kind) {
    case ParticipantKind::kOperator: return proto::RangeType::kOperator;
    case ParticipantKind::kStation: return proto::RangeType::kStation;
    case ParticipantKind::kStake: return proto::RangeType::kStake;
  }
  return proto::RangeType::kOperator;
}

Kilowatts PotentialOf(proto::RegulationType type, Kilowatts current, Kilowatts adjust_bottom,
                      Kilowatts adjust_top) {
  const Kilowatts p = type == proto::RegulationType::kPeakShaving ? current - adjust_bottom
                                                                  : adjust_top - current;
  return std::max(p, Kilowatts{});
}

std::string ExplainText(const ParticipantAllocation& item, Kilowatts covered) {
  const auto& e = item.explanation;
  std::string s = item.id + ": potential " + e.potential.ToString() + " kW, usable " +
                  e.usable.ToString() + " kW after " +
                  proto::Decimal<2>::FromUnits(e.reserve_margin_bp).ToString() +
                  "% reserve, allocated " + item.allocated.ToString() + " kW (";
  // Percent to two places from exact integers: allocated * 10000 / covered, half up.
  std::int64_t pct = 0;
  if (covered.units() > 0) {
    pct = static_cast<std::int64_t>(
        (static_cast<Wide>(item.allocated.units()) * 20000 / covered.units() + 1) / 2);
  }
  s += proto::Decimal<2>::FromUnits(pct).ToString() + "% of " + covered.ToString() + " kW)";
  switch (e.cap) {
    case CapReason::kNone: break;
    case CapReason::kUsablePotential: s += ", capped at usable potential"; break;
    case CapReason::kLimit: s += ", capped at its limit"; break;
  }
  return s;
}

Result<Allocation> Allocate(const AllocationRequest& request) {
  if (request.target.units() < 0) {
    return Status::Invalid("target " + request.target.ToString() + " kW: must be >= 0");
  }
  if (request.reserve_margin_bp < 0 || request.reserve_margin_bp > kBasisPoints) {
    return Status::Invalid("reserve margin " + std::to_string(request.reserve_margin_bp) +
                           " bp: must be within 0..10000 (0 % .. 100 %)");
  }
  VGI_RETURN_IF_ERROR(CheckIds(request.participants));
  const auto& ps = request.participants;
  const std::size_t n = ps.size();
  std::vector<std::int64_t> weight(n), cap(n);
  std::vector<bool> limited(n, false);
  std::vector<const std::string*> ids(n);
  std::int64_t usable_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = ps[i];
    if (p.limit && p.limit->units() < 0) {
      return Status::Invalid("participant '" + p.id + "' limit " + p.limit->ToString() +
                             " kW: must be >= 0");
    }
    weight[i] = std::max<std::int64_t>(p.potential.units(), 0);
    cap[i] = UsableUnits(weight[i], request.reserve_margin_bp);
    if (p.limit && p.limit->units() < cap[i]) {
      cap[i] = p.limit->units();
      limited[i] = true;
    }
    ids[i] = &p.id;
    usable_sum += cap[i];
  }
  const std::int64_t covered = std::min(request.target.units(), usable_sum);
  const auto units = WaterFill(covered, weight, cap, ids);

  Allocation out;
  out.target = request.target;
  out.covered = Kilowatts::FromUnits(covered);
  out.uncovered = request.target - out.covered;
  out.items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ParticipantAllocation item;
    item.kind = ps[i].kind;
    item.id = ps[i].id;
    item.operator_id = ps[i].operator_id;
    item.allocated = Kilowatts::FromUnits(units[i]);
    auto& e = item.explanation;
    e.potential = Kilowatts::FromUnits(weight[i]);
    e.usable = Kilowatts::FromUnits(cap[i]);
    e.reserve_margin_bp = request.reserve_margin_bp;
    e.share_percent = covered > 0 ? 100.0 * static_cast<double>(units[i]) /
                                        static_cast<double>(covered)
                                  : 0.0;
    if (weight[i] > 0 && units[i] == cap[i]) {
      e.cap = limited[i] ? CapReason::kLimit : CapReason::kUsablePotential;
    }
    out.items.push_back(std::move(item));
  }
  return out;
}

Result<GroupedAllocation> AllocateGrouped(const AllocationRequest& request) {
  if (request.reserve_margin_bp < 0 || request.reserve_margin_bp > kBasisPoints) {
    return Status::Invalid("reserve margin " + std::to_string(request.reserve_margin_bp) +
                           " bp: must be within 0..10000 (0 % .. 100 %)");
  }
  VGI_RETURN_IF_ERROR(CheckIds(request.participants));
  const auto& ps = request.participants;
  // Group members by operator, operators in order of first appearance.
  std::unordered_map<std::string_view, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> members;
  std::vector<bool> member_limited;
  AllocationRequest ops;
  ops.type = request.type;
  ops.target = request.target;
  ops.reserve_margin_bp = request.reserve_margin_bp;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const auto& p = ps[i];
    if (p.operator_id.empty()) {
      return Status::Invalid("participant '" + p.id + "' operator_id: must not be empty");
    }
    if (p.limit && p.limit->units() < 0) {
      return Status::Invalid("participant '" + p.id + "' limit " + p.limit->ToString() +
                             " kW: must be >= 0");
    }
    auto [it, fresh] = group_of.try_emplace(p.operator_id, ops.participants.size());
    if (fresh) {
      Participant op;
      op.kind = ParticipantKind::kOperator;
      op.id = p.operator_id;
      op.operator_id = p.operator_id;
      op.limit = Kilowatts{};
      ops.participants.push_back(std::move(op));
      members.emplace_back();
      member_limited.push_back(false);
    }
    auto& op = ops.participants[it->second];
    const std::int64_t w = std::max<std::int64_t>(p.potential.units(), 0);
    std::int64_t c = UsableUnits(w, request.reserve_margin_bp);
    if (p.limit && p.limit->units() < c) {
      c = p.limit->units();
      member_limited[it->second] = true;
    }
    op.potential = op.potential + Kilowatts::FromUnits(w);
    *op.limit = *op.limit + Kilowatts::FromUnits(c);  // the operator can use what its members can
    members[it->second].push_back(i);
  }
  GroupedAllocation out;
  VGI_ASSIGN_OR_RETURN(out.operators, Allocate(ops));
  for (std::size_t g = 0; g < members.size(); ++g) {
    // The operator's "limit" is the sum of its members' usable values; it differs from its own
    // floor(potential × (1 − margin)) by rounding alone unless a member has a limit of its own.
    auto& cap = out.operators.items[g].explanation.cap;
    if (cap == CapReason::kLimit && !member_limited[g]) cap = CapReason::kUsablePotential;
  }

  out.members.target = out.operators.covered;
  out.members.covered = out.operators.covered;
  out.members.items.resize(ps.size());
  AllocationRequest sub;
  sub.type = request.type;
  sub.reserve_margin_bp = request.reserve_margin_bp;
  for (std::size_t g = 0; g < members.size(); ++g) {
    sub.target = out.operators.items[g].allocated;
    sub.participants.clear();
    for (std::size_t i : members[g]) sub.participants.push_back(ps[i]);
    VGI_ASSIGN_OR_RETURN(Allocation part, Allocate(sub));
    for (std::size_t j = 0; j < members[g].size(); ++j) {
      auto& item = part.items[j];
      // Shares are of the whole window, not of the operator.
      const std::int64_t covered = out.members.covered.units();
      item.explanation.share_percent =
          covered > 0 ? 100.0 * item.allocated.ToDouble() / out.members.covered.ToDouble() : 0.0;
      out.members.items[members[g][j]] = std::move(item);
    }
  }
  // An operator's member caps sum to its own cap, so each operator's share is fully placed.
  return out;
}

Result<Redispatch> RedispatchShortfall(const Allocation& previous,
                                       const std::vector<ParticipantResponse>& responses,
                                       const RedispatchOptions& options) {
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < previous.items.size(); ++i) index.emplace(previous.items[i].id, i);
  std::vector<const ParticipantResponse*> answer(previous.items.size(), nullptr);
  for (const auto& r : responses) {
    auto it = index.find(r.id);
    if (it == index.end()) {
      return Status::Invalid("response for '" + r.id + "': not a participant of the allocation");
    }
    if (answer[it->second] != nullptr) {
      return Status::Invalid("response for '" + r.id + "': given twice");
    }
    const auto& prev = previous.items[it->second];
    if (r.acceptance == Acceptance::kPartial &&
        (r.accepted.units() < 0 || r.accepted > prev.allocated)) {
      return Status::Invalid("response for '" + r.id + "' accepted " + r.accepted.ToString() +
                             " kW: must be within 0.." + prev.allocated.ToString() + " kW");
    }
    answer[it->second] = &r;
  }

  Redispatch out;
  AllocationRequest next;
  next.reserve_margin_bp = 0;  // usable values already have the margin taken off
  std::int64_t shortfall = 0;
  for (std::size_t i = 0; i < previous.items.size(); ++i) {
    const auto& prev = previous.items[i];
    const Acceptance a = answer[i] ? answer[i]->acceptance : Acceptance::kFull;
    std::int64_t accepted = prev.allocated.units();
    if (a == Acceptance::kRejected) accepted = 0;
    if (a == Acceptance::kPartial) accepted = answer[i]->accepted.units();
    shortfall += prev.allocated.units() - accepted;
    const bool eligible = a == Acceptance::kFull || (a == Acceptance::kPartial && options.retry_partial);
    const std::int64_t remaining = prev.explanation.usable.units() - accepted;
    if (!eligible || remaining <= 0) continue;
    Participant p;
    p.kind = prev.kind;
    p.id = prev.id;
    p.operator_id = prev.operator_id;
    p.potential = Kilowatts::FromUnits(remaining);
    next.participants.push_back(std::move(p));
  }
  out.shortfall = Kilowatts::FromUnits(shortfall);
  next.target = out.shortfall;
  VGI_ASSIGN_OR_RETURN(out.allocation, Allocate(next));
  return out;
}

}  // namespace vgi::engine
