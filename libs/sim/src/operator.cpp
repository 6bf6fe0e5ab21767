// SimOperator: construction, control, the instructions it holds, stats (operator.hpp).
#include "operator.hpp"

#include <algorithm>
#include <cmath>

namespace vgi::sim {

using proto::BeijingMinute;
using proto::InstructionStatus;
using proto::Kilowatts;
using proto::SynchroType;

namespace {

proto::KeySet WithWrongSigSecret(proto::KeySet keys) {
  // Another valid SigSecret: flipping every hex digit keeps the form and changes every MAC.
  for (char& c : keys.sig_secret) c = c == 'F' ? '0' : 'F';
  return keys;
}

}  // namespace

Result<std::unique_ptr<SimOperator>> SimOperator::Create(OperatorFleet fleet, std::size_t index,
                                                         const SimOptions& options, const Clock& clock,
                                                         RandomSource& random,
                                                         std::shared_ptr<client::TlsClientContext> grid_tls) {
  proto::KeySet issued = proto::GenerateKeySet(random);
  VGI_ASSIGN_OR_RETURN(proto::PreparedKeys prepared, proto::PreparedKeys::Create(issued));
  VGI_ASSIGN_OR_RETURN(proto::PreparedKeys broken, proto::PreparedKeys::Create(WithWrongSigSecret(issued)));
  const std::string secret = RandomString(random, 48, "0123456789abcdefghijklmnopqrstuvwxyz");
  VGI_ASSIGN_OR_RETURN(proto::TokenAuthority tokens,
                       proto::TokenAuthority::Create({proto::TokenKey{"sim1", secret}}, clock, nullptr));
  return std::unique_ptr<SimOperator>(new SimOperator(std::move(fleet), index, options, clock, std::move(issued), std::move(prepared), std::move(broken),
                                                      std::move(tokens), std::move(grid_tls)));
}

SimOperator::SimOperator(OperatorFleet fleet, std::size_t index, const SimOptions& options, const Clock& clock,
                         proto::KeySet issued, proto::PreparedKeys issued_prepared,
                         proto::PreparedKeys broken_prepared, proto::TokenAuthority tokens,
                         std::shared_ptr<client::TlsClientContext> grid_tls)
    : fleet_(std::move(fleet)),
      index_(index),
      options_(options),
      clock_(clock),
      issued_(std::move(issued)),
      issued_prepared_(std::move(issued_prepared)),
      broken_prepared_(std::move(broken_prepared)),
      tokens_(std::move(tokens)),
      replay_(clock),
      grid_tls_(std::move(grid_tls)),
      fault_rng_(MixSeed(options.fleet.seed, 7'000'000 + index)) {
  std::uint32_t stake = 0;
  for (std::size_t s = 0; s < fleet_.stations.size(); ++s) {
    station_index_.emplace(fleet_.stations[s].code, s);
    const std::uint32_t begin = stake;
    for (const auto& k : fleet_.stations[s].stakes) stake_index_.emplace(k.code, stake++);
    station_stakes_.emplace_back(begin, stake);
  }
  const auto it = options.policies.find(fleet_.operator_id);
  policy_ = it != options.policies.end() ? it->second : options.default_policy;
  pending_.resize(fleet_.stations.size());
  latest_.resize(fleet_.stations.size());
  stats_.operator_id = fleet_.operator_id;
  stats_.stations = fleet_.stations.size();
  stats_.stakes = fleet_.stake_count();
}

SimPeer SimOperator::Peer() const {
  return SimPeer{fleet_.operator_id, fleet_.name, fleet_.credit_code, "", issued_, options_.grid_operator_id};
}

Status SimOperator::SetGridKeys(const proto::KeySet& keys, std::string known_as) {
  VGI_RETURN_IF_ERROR(proto::ValidateKeySet(keys, proto::KeyPolicy::kPeer).WithPrefix("grid keys"));
  if (known_as.empty()) known_as = fleet_.operator_id;
  if (!proto::IsOperatorId(known_as)) {
    return Status::Invalid("known_as: \"" + known_as + "\" is not 9 characters of 0-9 and A-Z");
  }
  std::lock_guard lock(mu_);
  grid_keys_ = keys;
  known_as_ = std::move(known_as);
  ++grid_keys_generation_;
  stats_.grid_keys = true;
  return Status::Ok();
}

Status ValidatePolicy(const Policy& policy) {
  if (policy.decision == Policy::Decision::kPartial &&
      !(std::isfinite(policy.partial_ratio) && policy.partial_ratio > 0 && policy.partial_ratio <= 10)) {
    return Status::Invalid("partial_ratio: must be above 0 and at most 10 (e.g. 0.6 accepts 60 % of each target)");
  }
  if (policy.delay.count() < 0) return Status::Invalid("delay: must not be negative");
  return Status::Ok();
}

Status ValidateFaults(const Faults& faults) {
  if (!(faults.drop_points >= 0 && faults.drop_points <= 1)) return Status::Invalid("drop_points: must be 0..1");
  if (faults.late.count() < 0 || faults.late.count() > 1440) return Status::Invalid("late: must be 0..1440 minutes");
  if (faults.http_status != 0 && (faults.http_status < 400 || faults.http_status > 599)) {
    return Status::Invalid("http_status: must be 0 (off) or 400..599");
  }
  if (faults.answer_delay < std::chrono::milliseconds::zero() || faults.answer_delay > std::chrono::seconds(60)) {
    return Status::Invalid("answer_delay: must be 0..60 s");
  }
  return Status::Ok();
}

Status SimOperator::SetPolicy(const Policy& policy) {
  VGI_RETURN_IF_ERROR(ValidatePolicy(policy));
  std::lock_guard lock(mu_);
  policy_ = policy;
  return Status::Ok();
}

Status SimOperator::SetFaults(const Faults& faults) {
  VGI_RETURN_IF_ERROR(ValidateFaults(faults));
  std::lock_guard lock(mu_);
  faults_ = faults;
  return Status::Ok();
}

bool SimOperator::OfflineLocked(SystemTime now) const {
  return faults_.offline_until.has_value() && now < *faults_.offline_until;
}

Result<std::vector<std::uint32_t>> SimOperator::ResolveScope(const proto::Instruction& in) const {
  std::vector<std::uint32_t> scope;
  const auto all = [&] {
    for (const auto& [begin, end] : station_stakes_) {
      for (std::uint32_t i = begin; i < end; ++i) scope.push_back(i);
    }
  };
  switch (in.range_type) {
    case proto::RangeType::kOperator: {
      const bool named = std::any_of(in.adjust_ids.begin(), in.adjust_ids.end(), [&](const std::string& id) {
        return id == fleet_.operator_id || id == known_as_;
      });
      if (!named) {
        return Status::Invalid("adjustIDList: does not name this operator (" + fleet_.operator_id +
                               ") although rangeType is 3 (operator)");
      }
      all();
      break;
    }
    case proto::RangeType::kMarket:
    case proto::RangeType::kTransformerArea: {
      // The stations the fleet's topology places in the named markets (transformer areas).
      const bool market = in.range_type == proto::RangeType::kMarket;
      const auto& where = market ? fleet_.markets : fleet_.transformer_areas;
      for (std::size_t s = 0; s < where.size() && s < station_stakes_.size(); ++s) {
        if (std::find(in.adjust_ids.begin(), in.adjust_ids.end(), where[s]) == in.adjust_ids.end()) continue;
        for (std::uint32_t k = station_stakes_[s].first; k < station_stakes_[s].second; ++k) scope.push_back(k);
      }
      if (scope.empty()) {
        return Status::Invalid(std::string("adjustIDList: operator ") + fleet_.operator_id + " has no station in " +
                               (market ? "market" : "transformer area") + (in.adjust_ids.size() == 1 ? " " : "s ") +
                               (in.adjust_ids.empty() ? std::string("(none named)") : in.adjust_ids.front()) +
                               (in.adjust_ids.size() > 1 ? ", ..." : ""));
      }
      break;
    }
    case proto::RangeType::kStation:
    case proto::RangeType::kStake: {
      const bool stations = in.range_type == proto::RangeType::kStation;
      for (std::size_t i = 0; i < in.adjust_ids.size(); ++i) {
        const std::string& id = in.adjust_ids[i];
        if (stations) {
          const auto it = station_index_.find(id);
          if (it == station_index_.end()) {
            return Status::Invalid("adjustIDList[" + std::to_string(i) + "]: " + id + " is not a station of operator " +
                                   fleet_.operator_id);
          }
          for (std::uint32_t k = station_stakes_[it->second].first; k < station_stakes_[it->second].second; ++k) {
            scope.push_back(k);
          }
        } else {
          const auto it = stake_index_.find(id);
          if (it == stake_index_.end()) {
            return Status::Invalid("adjustIDList[" + std::to_string(i) + "]: " + id + " is not a stake of operator " +
                                   fleet_.operator_id);
          }
          scope.push_back(it->second);
        }
      }
      if (in.credit_code && *in.credit_code != fleet_.credit_code) {
        return Status::Invalid("creditCode: is not the credit code of operator " + fleet_.operator_id +
                               "'s stations");
      }
      break;
    }
  }
  std::sort(scope.begin(), scope.end());
  scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
  return scope;
}

Status SimOperator::Submit(const proto::Instruction& instruction) {
  const SystemTime now = clock_.Now();
  std::lock_guard lock(mu_);
  return SubmitLocked(instruction, now);
}

Status SimOperator::SubmitLocked(const proto::Instruction& in, SystemTime now) {
  if (held_.contains(in.regulation_id)) {
    ++stats_.duplicates;  // at-least-once delivery: the same regulationID acts once
    return Status::Ok();
  }
  Held held;
  if (in.synchro_type != SynchroType::kCancel) {
    VGI_ASSIGN_OR_RETURN(held.scope, ResolveScope(in));
  }
  held.instruction = in;
  held.policy = policy_;
  held.decide_at = now + policy_.delay;
  held.seq = ++seq_;
  task_latest_[in.task_id] = held.seq;
  ++stats_.instructions_received;
  if (in.synchro_type == SynchroType::kCancel) {
    // A cancel is taken at once whatever the policy: nothing of the task stays in force.
    effects_.erase(in.task_id);
    held.status = InstructionStatus::kAccepted;
    ++stats_.cancelled;
    callbacks_.push_back({proto::InstructionFeedback{in.task_id, in.regulation_id, proto::Feedback::kAccept}, 0});
    held_.emplace(in.regulation_id, std::move(held));
    return Status::Ok();
  }
  auto [it, inserted] = held_.emplace(in.regulation_id, std::move(held));
  if (it->second.policy.delay.count() <= 0) {
    DecideLocked(it->second, now);
  } else {
    undecided_.push_back(in.regulation_id);
    ++stats_.pending;
  }
  return Status::Ok();
}

void SimOperator::DecideLocked(Held& held, SystemTime now) {
  proto::Instruction& in = held.instruction;
  bool install = false;
  switch (held.policy.decision) {
    case Policy::Decision::kAccept:
      held.status = InstructionStatus::kAccepted;
      ++stats_.accepted;
      callbacks_.push_back({proto::InstructionFeedback{in.task_id, in.regulation_id, proto::Feedback::kAccept}, 0});
      install = true;
      break;
    case Policy::Decision::kReject:
      held.status = InstructionStatus::kRejected;
      ++stats_.rejected;
      callbacks_.push_back({proto::InstructionFeedback{in.task_id, in.regulation_id, proto::Feedback::kReject}, 0});
      break;
    case Policy::Decision::kPartial: {
      for (auto& t : in.targets) {
        t.target_power = Kilowatts::FromUnits(static_cast<std::int64_t>(
            std::llround(static_cast<double>(t.target_power.units()) * held.policy.partial_ratio)));
      }
      held.status = InstructionStatus::kAccepted;
      ++stats_.partial;
      proto::InstructionAdjustment adjustment{in.task_id,     in.regulation_id, in.type,        in.synchro_type,
                                              in.range_type,  in.adjust_ids,    in.credit_code, in.targets};
      callbacks_.push_back({std::move(adjustment), 0});
      install = true;
      break;
    }
  }
  // Only the latest word on a task takes effect: an older instruction decided late (or one
  // cancelled meanwhile) does not come back.
  if (install && task_latest_[in.task_id] == held.seq) {
    effects_[in.task_id] =
        Effect{held.seq, in.regulation_id, Regulation{in.type, held.scope, in.targets, proto::ToBeijingMinute(now)}};
  }
}

void SimOperator::DecideDueLocked(SystemTime now) {
  auto keep = undecided_.begin();
  for (auto it = undecided_.begin(); it != undecided_.end(); ++it) {
    Held& held = held_.at(*it);
    if (held.decide_at <= now) {
      DecideLocked(held, now);
      --stats_.pending;
    } else {
      if (keep != it) *keep = std::move(*it);
      ++keep;
    }
  }
  undecided_.erase(keep, undecided_.end());
}

std::vector<const Regulation*> SimOperator::RegulationsLocked() const {
  std::vector<const Effect*> effects;
  for (const auto& [task, effect] : effects_) effects.push_back(&effect);
  std::sort(effects.begin(), effects.end(), [](const Effect* a, const Effect* b) { return a->seq < b->seq; });
  std::vector<const Regulation*> out;
  for (const Effect* e : effects) out.push_back(&e->regulation);
  return out;
}

OperatorStats SimOperator::Stats() const {
  const SystemTime now = clock_.Now();
  std::lock_guard lock(mu_);
  OperatorStats s = stats_;
  s.online = !OfflineLocked(now);
  s.backlog_points = 0;
  for (const auto& q : pending_) s.backlog_points += q.size();
  s.regulations_in_force = effects_.size();
  return s;
}

Result<PowerSample> SimOperator::StationSample(std::string_view station_code, BeijingMinute minute) const {
  const auto it = station_index_.find(std::string(station_code));
  if (it == station_index_.end()) {
    return Status::NotFound("station " + std::string(station_code) + " is not one of operator " + fleet_.operator_id +
                            "'s");
  }
  std::lock_guard lock(mu_);
  const auto sample = model_ ? model_->StationAt(it->second, minute) : std::nullopt;
  if (!sample) return Status::NotFound("minute " + proto::FormatMinute(minute) + " is not stepped or no longer kept");
  return *sample;
}

Result<PowerSample> SimOperator::OperatorSample(BeijingMinute minute) const {
  std::lock_guard lock(mu_);
  const auto sample = model_ ? model_->TotalAt(minute) : std::nullopt;
  if (!sample) return Status::NotFound("minute " + proto::FormatMinute(minute) + " is not stepped or no longer kept");
  return *sample;
}

std::optional<proto::InstructionResult> SimOperator::Instruction(std::string_view regulation_id) const {
  std::lock_guard lock(mu_);
  const auto it = held_.find(std::string(regulation_id));
  if (it == held_.end()) return std::nullopt;
  return proto::InstructionResult{it->second.instruction, it->second.status};
}

std::vector<proto::SettlementPush> SimOperator::Settlements() const {
  std::lock_guard lock(mu_);
  return {settlements_.begin(), settlements_.end()};
}

}  // namespace vgi::sim
