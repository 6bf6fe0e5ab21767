// SimOperator's driver: decisions due, minute steps, pushes to the grid and callbacks.
#include <algorithm>

#include "operator.hpp"
#include "vgi/proto/codec.hpp"

namespace vgi::sim {

using proto::BeijingMinute;
using proto::Interface;

namespace {

constexpr int kDailySyncMinute = 9 * 60;          // 09:00 Beijing
constexpr std::int64_t kSyncRestartMinutes = 50;  // the grid expires an incomplete sync after 1 h
constexpr std::size_t kMaxPointsPerPush = 20'000;  // keeps one request well under the body limit
constexpr int kMaxCallbackAttempts = 60;           // about an hour of retries, one per minute

// A push's outcome: Ok for Ret 0, Refused naming the grid's Ret and Msg, or the transport error.
Status Outcome(const Result<proto::OpenedResponse>& reply) {
  if (!reply.ok()) return reply.status();
  if (reply->ok()) return Status::Ok();
  return Status(StatusCode::kRefused, "Ret " + std::to_string(reply->wire_ret) + ": " + reply->msg);
}

}  // namespace

void SimOperator::Pass() {
  const SystemTime now = clock_.Now();
  const BeijingMinute due = proto::ToBeijingMinute(now);
  EnsureClient();
  {
    std::lock_guard lock(mu_);
    DecideDueLocked(now);
    if (!model_) {
      model_ = std::make_unique<LoadModel>(fleet_, options_.fleet.seed, due, options_.history_minutes);
    }
  }
  bool push_failed = false;
  while (true) {
    BeijingMinute minute;
    {
      std::lock_guard lock(mu_);
      minute = model_->next_minute();
      if (minute > due) break;
      StepLocked(minute);
    }
    // Catching up: after one failure the remaining minutes of this pass only queue their points.
    if (!push_failed) push_failed = !PushDue(now, minute);
  }
  // Callbacks have their own retry pace: the grid waits on them before it executes.
  SendCallbacks(due);
}

void SimOperator::StepLocked(BeijingMinute minute) {
  const std::vector<const Regulation*> regulations = RegulationsLocked();
  const std::vector<PowerSample>& samples = model_->Step(regulations);
  const auto max_backlog = static_cast<std::size_t>(std::max(1, options_.max_backlog_minutes));
  for (std::size_t s = 0; s < samples.size(); ++s) {
    latest_[s] = samples[s];
    if (grid_tls_ == nullptr) continue;  // no grid to push to: nothing is queued
    if (faults_.drop_points > 0 && fault_rng_.Bernoulli(faults_.drop_points)) {
      ++stats_.points_dropped;
      continue;
    }
    auto& queue = pending_[s];
    queue.push_back(proto::PowerPoint{minute, samples[s].power});
    while (queue.size() > max_backlog) {
      queue.pop_front();
      ++stats_.points_discarded;
    }
  }
  if (const auto total = model_->TotalAt(minute)) {
    stats_.minute = minute;
    stats_.power = total->power;
    stats_.baseline = total->baseline;
    stats_.adjust_top = total->top;
    stats_.adjust_bottom = total->bottom;
  }
  // A full model sync at the first minute and daily at 09:00 (one already under way goes on).
  if (!sync_ && (!stats_.model_synced || proto::MinuteOfDay(minute) == kDailySyncMinute)) {
    const auto size = static_cast<std::int64_t>(std::max(1, options_.page_size));
    const auto stations = static_cast<std::int64_t>(fleet_.stations.size());
    sync_ = ModelSync{1, std::max<std::int64_t>(1, (stations + size - 1) / size), minute};
  }
}

void SimOperator::EnsureClient() {
  if (grid_tls_ == nullptr) return;
  proto::KeySet keys;
  std::string known_as;
  {
    std::lock_guard lock(mu_);
    if (!grid_keys_ || grid_keys_generation_ == client_generation_) return;
    keys = *grid_keys_;
    known_as = known_as_;
    client_generation_ = grid_keys_generation_;
  }
  client::ProtocolClient::Options o;
  o.base_url = options_.grid_base_url;
  o.operator_id = known_as;
  o.responder_keys = keys;
  o.profile = options_.profile;
  o.tls_context = grid_tls_;
  o.timeout = options_.push_timeout;
  auto created = client::ProtocolClient::Create(std::move(o), clock_);
  if (!created.ok()) {
    client_.reset();
    PushFailed("grid client", created.status());
    return;
  }
  client_ = std::move(*created);
}

void SimOperator::PushFailed(const std::string& what, const Status& status) {
  std::lock_guard lock(mu_);
  stats_.last_error = what + ": " + status.ToString();
}

bool SimOperator::PushDue(SystemTime now, BeijingMinute minute) {
  {
    std::lock_guard lock(mu_);
    if (client_ == nullptr || OfflineLocked(now)) return true;  // nothing to try: points stay queued
  }
  if (!PushModel(now)) return false;
  return PushPower(minute);
}

bool SimOperator::PushModel(SystemTime now) {
  std::optional<ModelSync> sync;
  {
    std::lock_guard lock(mu_);
    if (sync_ && stats_.minute && stats_.minute->minutes - sync_->started.minutes > kSyncRestartMinutes) {
      sync_->next_page = 1;  // what the grid holds of this sync has expired: start over
      sync_->started = *stats_.minute;
    }
    sync = sync_;
  }
  if (!sync) return true;
  const auto size = static_cast<std::size_t>(std::max(1, options_.page_size));
  for (std::int64_t page = sync->next_page; page <= sync->page_count; ++page) {
    proto::StationInfoPage data;
    data.total_count = static_cast<std::int64_t>(fleet_.stations.size());
    data.page_count = sync->page_count;
    data.page_no = page;
    const std::size_t begin = static_cast<std::size_t>(page - 1) * size;
    const std::size_t end = std::min(fleet_.stations.size(), begin + size);
    data.stations.assign(fleet_.stations.begin() + static_cast<std::ptrdiff_t>(begin),
                         fleet_.stations.begin() + static_cast<std::ptrdiff_t>(end));
    auto reply = client_->Send(Interface::kSendStationInfo, data);
    const Status failure = Outcome(reply);
    std::lock_guard lock(mu_);
    if (!failure.ok()) {
      ++stats_.model_page_failures;
      stats_.last_error = "send_station_info page " + std::to_string(page) + ": " + failure.ToString();
      return false;
    }
    ++stats_.model_pages_sent;
    if (sync_) sync_->next_page = page + 1;
  }
  std::lock_guard lock(mu_);
  sync_.reset();
  stats_.model_synced = true;
  stats_.model_synced_at = now;
  ++stats_.model_syncs;
  return true;
}

bool SimOperator::PushPower(BeijingMinute minute) {
  // Points due: up to `late` minutes before this one. Per station, how many are in the batch.
  proto::StationPowerBatch batch;
  std::vector<std::pair<std::size_t, std::size_t>> taken;  // (station, points)
  std::size_t points = 0;
  bool more = true;
  while (more) {
    batch.stations.clear();
    taken.clear();
    points = 0;
    more = false;
    {
      std::lock_guard lock(mu_);
      const BeijingMinute last{minute.minutes - faults_.late.count()};
      for (std::size_t s = 0; s < pending_.size(); ++s) {
        const auto& queue = pending_[s];
        std::size_t n = 0;
        while (n < queue.size() && queue[n].point <= last && n < proto::kMaxPowerPoints) ++n;
        if (n == 0) continue;
        if (points + n > kMaxPointsPerPush && points > 0) {
          more = true;  // the rest goes in the next request of this push
          break;
        }
        proto::StationPower sp;
        sp.station_code = fleet_.stations[s].code;
        sp.credit_code = fleet_.stations[s].credit_code;
        sp.adjust_top_power = latest_[s].top;
        sp.adjust_bottom_power = latest_[s].bottom;
        sp.points.assign(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
        batch.stations.push_back(std::move(sp));
        taken.emplace_back(s, n);
        points += n;
      }
    }
    if (batch.stations.empty()) return true;
    auto reply = client_->Send(Interface::kSendStationPower1440, batch);
    const Status failure = Outcome(reply);
    std::lock_guard lock(mu_);
    if (!failure.ok()) {
      ++stats_.power_pushes_failed;
      stats_.last_error = "send_station_power_1440: " + failure.ToString();
      // A refusal of the content (4000/4003) would be refused again: those points are given up.
      const bool refused = reply.ok() && (reply->ret == proto::Ret::kEmpty || reply->ret == proto::Ret::kInvalid);
      if (!refused) return false;
      for (const auto& [s, n] : taken) {
        auto& queue = pending_[s];
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(std::min(n, queue.size())));
      }
      stats_.points_discarded += points;
      continue;
    }
    for (const auto& [s, n] : taken) {
      auto& queue = pending_[s];
      queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(std::min(n, queue.size())));
    }
    ++stats_.power_pushes_ok;
    stats_.points_sent += points;
  }
  return true;
}

void SimOperator::SendCallbacks(BeijingMinute now_minute) {
  if (client_ == nullptr || now_minute.minutes < callback_retry_minute_) return;
  while (true) {
    std::optional<CallbackData> data;
    {
      std::lock_guard lock(mu_);
      if (callbacks_.empty() || OfflineLocked(clock_.Now())) return;
      data = callbacks_.front().data;
    }
    auto reply = std::visit(
        [&](const auto& d) {
          using T = std::decay_t<decltype(d)>;
          return client_->Send(std::is_same_v<T, proto::InstructionFeedback> ? Interface::kCallbackTaskOverview
                                                                             : Interface::kCallbackTaskCheck,
                               d);
        },
        *data);
    std::lock_guard lock(mu_);
    if (reply.ok() && reply->ok()) {
      callbacks_.pop_front();
      ++stats_.callbacks_sent;
      continue;
    }
    const bool retry = !reply.ok() || reply->ret == proto::Ret::kSystemError;
    stats_.last_error = "callback: " + (reply.ok() ? "Ret " + std::to_string(reply->wire_ret) + ": " + reply->msg
                                                   : reply.status().ToString());
    if (!retry || ++callbacks_.front().attempts >= kMaxCallbackAttempts) {
      // Refused for good (the grid does not know the instruction, or it keeps failing): drop it.
      callbacks_.pop_front();
      ++stats_.callbacks_dropped;
      continue;
    }
    ++stats_.callbacks_failed;
    callback_retry_minute_ = now_minute.minutes + 1;
    return;
  }
}

}  // namespace vgi::sim
