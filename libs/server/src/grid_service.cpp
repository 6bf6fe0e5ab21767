#include "vgi/server/grid_service.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <array>

#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/ret.hpp"

namespace vgi::server {

using proto::Interface;
using proto::Ret;

namespace {

constexpr std::array<Ret, 6> kRets = {Ret::kOk, Ret::kFailed, Ret::kSystemError,
                                      Ret::kEmpty, Ret::kInvalid, Ret::kAuthFailed};
constexpr std::array<Interface, 5> kServed = {Interface::kQueryToken, Interface::kSendStationInfo,
                                              Interface::kSendStationPower1440, Interface::kCallbackTaskOverview,
                                              Interface::kCallbackTaskCheck};

std::size_t RetIndex(Ret r) {
  for (std::size_t i = 0; i < kRets.size(); ++i) {
    if (kRets[i] == r) return i;
  }
  return 2;  // unreachable: every Ret is listed
}

}  // namespace

struct GridService::Instruments {
  struct PerInterface {
    std::array<Counter*, kRets.size()> by_ret{};
    Histogram* latency = nullptr;
  };
  std::array<PerInterface, 8> per_interface{};
  Counter* power_points = nullptr;
  Counter* power_stations = nullptr;
  Counter* model_pages = nullptr;
  Counter* model_syncs = nullptr;
  Counter* feedback = nullptr;
  Counter* storage_errors = nullptr;
  Gauge* storage_alarm = nullptr;

  explicit Instruments(Metrics& m) {
    for (Interface i : kServed) {
      const std::string name(proto::Info(i).name);
      auto& pi = per_interface[static_cast<std::size_t>(i)];
      for (std::size_t r = 0; r < kRets.size(); ++r) {
        pi.by_ret[r] = &m.counter("vgi_protocol_requests_total", "Protocol requests by interface and Ret",
                                  {"interface", "ret"}, {name, std::to_string(static_cast<int>(kRets[r]))});
      }
      pi.latency = &m.histogram("vgi_protocol_request_duration_seconds",
                                "Time from request read to response handed to the connection", {"interface"},
                                {name});
    }
    power_points = &m.counter("vgi_ingest_power_points_total", "Minute power points committed", {}, {});
    power_stations = &m.counter("vgi_ingest_power_stations_total", "StationPower entries committed", {}, {});
    model_pages = &m.counter("vgi_ingest_model_pages_total", "send_station_info pages stored", {}, {});
    model_syncs = &m.counter("vgi_ingest_model_syncs_applied_total", "Complete model syncs applied", {}, {});
    feedback = &m.counter("vgi_ingest_feedback_total", "Task callbacks committed", {}, {});
    storage_errors = &m.counter("vgi_storage_errors_total", "Failed durable writes (answered Ret 500)", {}, {});
    storage_alarm = &m.gauge("vgi_storage_alarm", "1 while the last durable write failed", {}, {});
  }
};

struct GridService::Pool {
  explicit Pool(int threads) : pool(static_cast<std::size_t>(std::max(1, threads))) {}
  boost::asio::thread_pool pool;
};

struct GridService::Call {
  Interface iface{};
  HttpRequest req;
  Responder respond;
  std::chrono::steady_clock::time_point start;
  proto::RequestEnvelope env;
  std::shared_ptr<const Peer> peer;
  const proto::PreparedKeys* keys = nullptr;  // the inbound set the request verified under
  std::string data_json;
  std::optional<store::RequestKey> request_key;
};

GridService::GridService(Deps deps, GridServiceOptions options)
    : deps_(std::move(deps)),
      options_(options),
      metrics_(std::make_unique<Instruments>(*deps_.metrics)),
      pool_(std::make_unique<Pool>(options.blocking_threads)) {}

GridService::~GridService() {
  pool_->pool.join();  // blocking work may still submit commits
  std::unique_lock lock(commits_mu_);
  commits_done_.wait(lock, [this] { return commits_in_flight_ == 0; });
}

void GridService::Commit(store::WriteBatch batch, std::function<void(const Status&)> then) {
  {
    std::lock_guard lock(commits_mu_);
    ++commits_in_flight_;
  }
  deps_.committer->Submit(std::move(batch), [this, then = std::move(then)](const Status& st) {
    then(st);
    // Notified under the lock: the destructor cannot free the mutex before this unlocks.
    std::lock_guard lock(commits_mu_);
    if (--commits_in_flight_ == 0) commits_done_.notify_all();
  });
}

void GridService::RegisterRoutes(HttpServer& server) {
  for (Interface i : kServed) {
    const std::string path = std::string(proto::kPathPrefix) + std::string(proto::Info(i).name);
    server.AddRoute("POST", path, [this, i](HttpRequest&& r, Responder done) { Handle(i, std::move(r), std::move(done)); });
  }
  server.AddRoute("POST", std::string(proto::kQueryTokenAlias), [this](HttpRequest&& r, Responder done) {
    Handle(Interface::kQueryToken, std::move(r), std::move(done));
  });
}

void GridService::RunBlocking(std::function<void()> work) { boost::asio::post(pool_->pool, std::move(work)); }

void GridService::Handle(Interface iface, HttpRequest&& request, Responder respond) {
  auto call = std::make_shared<Call>();
  call->iface = iface;
  call->req = std::move(request);
  call->respond = std::move(respond);
  call->start = std::chrono::steady_clock::now();

  auto env = proto::ParseRequestEnvelope(call->req.body, options_.limits);
  if (!env.ok()) return AnswerUnsigned(*call, env.status());
  call->env = std::move(*env);

  call->peer = deps_.peers->Find(call->env.operator_id);
  if (!call->peer || !call->peer->enabled) {
    return AnswerUnsigned(*call, Status::Unauthenticated("OperatorID: " + call->env.operator_id +
                                                         " is not a connected operator (ask the grid to onboard or "
                                                         "enable it)"));
  }
  const SystemTime now = deps_.clock->Now();
  const auto valid = call->peer->ValidInbound(now);
  if (valid.empty()) {
    return AnswerUnsigned(*call, Status::Unauthenticated("OperatorID: " + call->env.operator_id +
                                                         " has no valid keys (ask the grid to rotate them)"));
  }
  call->keys = &call->peer->inbound_prepared[valid.front()];
  if (!call->peer->AllowsIp(call->req.remote_ip)) {
    return Answer(*call, Status::Unauthenticated("source address " + call->req.remote_ip +
                                                 " is not on this operator's allow-list"));
  }
  if (proto::Info(iface).needs_token) {
    const std::string_view token = proto::BearerToken(call->req.authorization);
    if (token.empty()) {
      return Answer(*call, Status::Unauthenticated(
                               "Authorization: missing \"Bearer <token>\" (get one from query_token first)"));
    }
    if (Status st = deps_.tokens->Validate(token, call->env.operator_id); !st.ok()) return Answer(*call, st);
  }
  // With several valid key sets (a rotation overlap) find the one the Sig verifies under.
  if (valid.size() > 1) {
    for (std::size_t i : valid) {
      const auto& k = call->peer->inbound_prepared[i];
      if (k.signer().Verify({call->env.operator_id, call->env.data, call->env.timestamp, call->env.seq},
                            call->env.sig)) {
        call->keys = &k;
        break;
      }
    }
  }
  const auto& profile = call->peer->profile;
  auto json = proto::OpenRequest(call->env, *call->keys, profile, *deps_.clock,
                                 profile.replay_check ? deps_.replay : nullptr);
  if (!json.ok()) return Answer(*call, json.status());
  call->data_json = std::move(*json);
  if (profile.replay_check) {
    if (const auto t = proto::ParseTimeStamp(call->env.timestamp)) {
      call->request_key = store::RequestKey{call->env.operator_id, call->env.timestamp, call->env.seq,
                                            *t + profile.clock_skew};
    }
  }
  Dispatch(std::move(call));
}

void GridService::Dispatch(std::shared_ptr<Call> call) {
  switch (call->iface) {
    case Interface::kQueryToken: return HandleToken(std::move(call));
    case Interface::kSendStationInfo:
      return RunBlocking([this, call = std::move(call)]() mutable { HandleStationInfo(std::move(call)); });
    case Interface::kSendStationPower1440: return HandlePower(std::move(call));
    case Interface::kCallbackTaskOverview:
    case Interface::kCallbackTaskCheck:
      return RunBlocking([this, call = std::move(call)]() mutable { HandleFeedback(std::move(call)); });
    default: return Answer(*call, Status::Internal("interface not served by the grid"));
  }
}

void GridService::HandleToken(std::shared_ptr<Call> call) {
  const auto options = proto::CodecOptionsFor(call->peer->profile, *call->keys, false);
  auto request = proto::DecodeData<proto::TokenRequest>(call->data_json, options);
  if (!request.ok()) return Answer(*call, request.status());
  if (request->operator_id != call->env.operator_id) {
    return Answer(*call, Status::Invalid("OperatorID: " + request->operator_id +
                                         " in Data differs from the envelope's OperatorID " + call->env.operator_id));
  }
  bool secret_ok = false;
  for (std::size_t i : call->peer->ValidInbound(deps_.clock->Now())) {
    // Every valid set is checked (no early exit) so timing does not tell which one matched.
    secret_ok |= call->peer->inbound_prepared[i].CheckOperatorSecret(request->operator_secret);
  }
  proto::TokenResponse response;
  response.operator_id = call->env.operator_id;
  store::WriteBatch batch;
  if (call->request_key) batch.request_keys.push_back(*call->request_key);
  if (!secret_ok) {
    response.code = 1;
    response.message = "OperatorSecret is wrong: use the OperatorSecret the grid issued to this operator";
    // The refusal is committed too: its replay key must survive a restart like any other.
    const std::string data = proto::EncodeData(response, options);
    Commit(std::move(batch), [this, call, data](const Status& st) {
      if (!st.ok()) {
        StorageFailed(st);
        return Answer(*call, st);
      }
      StorageOk();
      Answer(*call, Status::Unauthenticated("OperatorSecret: wrong secret (see Data.Message)"), data);
    });
    return;
  }
  const auto issued = deps_.tokens->Issue(call->env.operator_id);
  response.code = 0;
  response.access_token = issued.token;
  response.token_available_time = issued.available.count();
  response.message = "ok";
  CommitAndAnswer(std::move(call), std::move(batch), proto::EncodeData(response, options));
}

void GridService::HandleStationInfo(std::shared_ptr<Call> call) {
  const auto options = proto::CodecOptionsFor(call->peer->profile, *call->keys, false);
  auto page = proto::DecodeData<proto::StationInfoPage>(call->data_json, options);
  if (!page.ok()) return Answer(*call, page.status());
  for (std::size_t i = 0; i < page->stations.size(); ++i) {
    const auto& s = page->stations[i];
    if (s.operator_id != call->env.operator_id) {
      return Answer(*call, Status::Invalid("stationList[" + std::to_string(i) + "].operatorID: " + s.operator_id +
                                           " is not the caller's OperatorID " + call->env.operator_id));
    }
  }
  auto receipt = deps_.store->PutStationPage(call->env.operator_id, *page);
  if (!receipt.ok()) {
    const StatusCode code = receipt.status().code();
    if (code == StatusCode::kIo || code == StatusCode::kUnavailable || code == StatusCode::kInternal) {
      StorageFailed(receipt.status());
    }
    return Answer(*call, receipt.status());
  }
  StorageOk();
  metrics_->model_pages->Increment();
  if (receipt->applied) {
    metrics_->model_syncs->Increment();
    if (deps_.log) {
      deps_.log->info("model sync applied: peer={} stations={} stakes={} retired_stations={} retired_stakes={}",
                      call->env.operator_id, receipt->stations_applied, receipt->stakes_applied,
                      receipt->stations_retired, receipt->stakes_retired);
    }
    if (deps_.after_model_sync) deps_.after_model_sync();
  }
  store::WriteBatch batch;
  if (call->request_key) batch.request_keys.push_back(*call->request_key);
  CommitAndAnswer(std::move(call), std::move(batch), {});
}

void GridService::HandlePower(std::shared_ptr<Call> call) {
  const auto options = proto::CodecOptionsFor(call->peer->profile, *call->keys, false);
  auto batch_data = proto::DecodeData<proto::StationPowerBatch>(call->data_json, options);
  if (!batch_data.ok()) return Answer(*call, batch_data.status());
  // Points must fall on today ± 1 day (Beijing): anything else is a clock or date bug at the
  // operator, and accepting it would file data under the wrong day.
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(deps_.clock->Now()));
  const proto::BeijingMinute first = proto::StartOf(proto::BeijingDate{today.days - 1});
  const proto::BeijingMinute end = proto::StartOf(proto::BeijingDate{today.days + 2});
  std::uint64_t points = 0;
  store::WriteBatch batch;
  batch.power.reserve(batch_data->stations.size());
  for (std::size_t i = 0; i < batch_data->stations.size(); ++i) {
    auto& station = batch_data->stations[i];
    for (std::size_t j = 0; j < station.points.size(); ++j) {
      const auto m = station.points[j].point;
      if (m < first || m >= end) {
        return Answer(*call, Status::Invalid("stationPowerList[" + std::to_string(i) + "].powerPointList[" +
                                             std::to_string(j) + "].point: " + proto::FormatMinute(m) +
                                             " is outside today ± 1 day (" +
                                             proto::FormatDate(proto::BeijingDate{today.days - 1}) + " .. " +
                                             proto::FormatDate(proto::BeijingDate{today.days + 1}) +
                                             ", Beijing time)"));
      }
    }
    points += station.points.size();
    batch.power.push_back(store::PowerUpdate{call->env.operator_id, std::move(station)});
  }
  if (call->request_key) batch.request_keys.push_back(*call->request_key);
  const std::uint64_t stations = batch.power.size();
  Commit(std::move(batch), [this, call = std::move(call), points, stations](const Status& st) {
    if (!st.ok()) {
      StorageFailed(st);
      return Answer(*call, st);
    }
    StorageOk();
    metrics_->power_points->Increment(points);
    metrics_->power_stations->Increment(stations);
    Answer(*call, Status::Ok());
  });
}

void GridService::HandleFeedback(std::shared_ptr<Call> call) {
  const auto options = proto::CodecOptionsFor(call->peer->profile, *call->keys, false);
  store::FeedbackRecord record;
  record.operator_id = call->env.operator_id;
  record.received_at = deps_.clock->Now();
  if (call->iface == Interface::kCallbackTaskOverview) {
    auto fb = proto::DecodeData<proto::InstructionFeedback>(call->data_json, options);
    if (!fb.ok()) return Answer(*call, fb.status());
    record.kind = store::FeedbackKind::kOverview;
    record.task_id = fb->task_id;
    record.regulation_id = fb->regulation_id;
    record.status = fb->status;
  } else {
    auto adj = proto::DecodeData<proto::InstructionAdjustment>(call->data_json, options);
    if (!adj.ok()) return Answer(*call, adj.status());
    record.kind = store::FeedbackKind::kCheck;
    record.task_id = adj->task_id;
    record.regulation_id = adj->regulation_id;
    record.adjustment = std::move(*adj);
  }
  auto sent = deps_.store->GetInstruction(call->env.operator_id, record.regulation_id);
  if (!sent.ok()) {
    StorageFailed(sent.status());
    return Answer(*call, sent.status());
  }
  if (!*sent) {
    return Answer(*call, Status::Invalid("regulationID: unknown regulationID " + record.regulation_id +
                                         " (the grid never sent it to operator " + call->env.operator_id + ")"));
  }
  if ((*sent)->instruction.task_id != record.task_id) {
    return Answer(*call, Status::Invalid("taskID: " + record.task_id + " is not the task of regulationID " +
                                         record.regulation_id + " (" + (*sent)->instruction.task_id + ")"));
  }
  store::WriteBatch batch;
  batch.feedback.push_back(std::move(record));
  if (call->request_key) batch.request_keys.push_back(*call->request_key);
  Commit(std::move(batch), [this, call = std::move(call)](const Status& st) {
    if (!st.ok()) {
      StorageFailed(st);
      return Answer(*call, st);
    }
    StorageOk();
    metrics_->feedback->Increment();
    Answer(*call, Status::Ok());
  });
}

void GridService::CommitAndAnswer(std::shared_ptr<Call> call, store::WriteBatch batch, std::string data_json) {
  Commit(std::move(batch), [this, call = std::move(call), data = std::move(data_json)](const Status& st) {
    if (!st.ok()) {
      StorageFailed(st);
      return Answer(*call, st);
    }
    StorageOk();
    Answer(*call, Status::Ok(), data);
  });
}

void GridService::StorageFailed(const Status& status) {
  metrics_->storage_errors->Increment();
  metrics_->storage_alarm->Set(1);
  if (!alarm_.exchange(true) && deps_.log) {
    deps_.log->error("ALARM storage: a durable write failed, answering Ret 500 until writes succeed: {}",
                     status.ToString());
  }
}

void GridService::StorageOk() {
  if (alarm_.exchange(false)) {
    metrics_->storage_alarm->Set(0);
    if (deps_.log) deps_.log->warn("storage alarm cleared: writes succeed again");
  }
}

void GridService::Answer(Call& call, const Status& status, std::string_view data_json) {
  const Ret ret = proto::RetFor(status);
  // A storage failure's detail goes to the log, not to the peer.
  const bool internal = ret == Ret::kSystemError;
  const std::string msg = status.ok() ? std::string(proto::DefaultMsg(ret))
                          : internal  ? std::string(proto::DefaultMsg(ret)) + ": storage unavailable, retry later"
                                      : status.message();
  HttpResponse response;
  response.body = proto::SealResponse(ret, msg, data_json, *call.keys, call.peer->profile, *deps_.clock);
  const std::size_t out_bytes = response.body.size();
  // Counted before the answer leaves, so a client that reads /metrics after its answer sees it.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - call.start).count();
  auto& pi = metrics_->per_interface[static_cast<std::size_t>(call.iface)];
  pi.by_ret[RetIndex(ret)]->Increment();
  pi.latency->Observe(seconds);
  call.respond(std::move(response));
  if (deps_.log && deps_.log->should_log(status.ok() ? spdlog::level::info : spdlog::level::warn)) {
    deps_.log->log(status.ok() ? spdlog::level::info : spdlog::level::warn,
                   "peer={} if={} ret={} in={} out={} ms={:.2f} ip={}{}{}", call.env.operator_id,
                   proto::Info(call.iface).name, static_cast<int>(ret), call.req.body.size(), out_bytes,
                   seconds * 1e3, call.req.remote_ip, status.ok() ? "" : " msg=", status.ok() ? "" : status.message());
  }
}

void GridService::AnswerUnsigned(Call& call, const Status& status) {
  const Ret ret = proto::RetFor(status);
  HttpResponse response;
  const proto::WireProfile standard;
  response.body = proto::UnsignedResponse(ret, status.message(), standard, *deps_.clock);
  const std::size_t out_bytes = response.body.size();
  // Counted before the answer leaves, so a client that reads /metrics after its answer sees it.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - call.start).count();
  auto& pi = metrics_->per_interface[static_cast<std::size_t>(call.iface)];
  pi.by_ret[RetIndex(ret)]->Increment();
  pi.latency->Observe(seconds);
  call.respond(std::move(response));
  if (deps_.log) {
    deps_.log->warn("peer={} if={} ret={} in={} out={} ms={:.2f} ip={} msg={} (unsigned)",
                    call.env.operator_id.empty() ? "-" : call.env.operator_id, proto::Info(call.iface).name,
                    static_cast<int>(ret), call.req.body.size(), out_bytes, seconds * 1e3, call.req.remote_ip,
                    status.message());
  }
}

}  // namespace vgi::server
