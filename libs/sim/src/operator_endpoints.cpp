// SimOperator's endpoints: query_token, send_task, query_task_result, exchange_inviteplan_push,
// checked in the protocol's order (see vgi/proto/envelope.hpp) with the keys the operator issued.
#include <thread>

#include "operator.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/ret.hpp"

namespace vgi::sim {

using proto::Interface;
using proto::Ret;

namespace {

constexpr std::string_view kJson = "application/json; charset=utf-8";
constexpr std::size_t kMaxSettlements = 1000;

}  // namespace

void SimOperator::Answer(const server::Responder& respond, bool broken_sig, const Status& status,
                         std::string_view data_json) {
  const Ret ret = proto::RetFor(status);
  if (ret == Ret::kAuthFailed) {
    std::lock_guard lock(mu_);
    ++stats_.requests_refused;
  }
  const std::string msg = status.ok() ? std::string(proto::DefaultMsg(ret)) : status.message();
  respond(server::HttpResponse{200, std::string(kJson),
                               proto::SealResponse(ret, msg, data_json, broken_sig ? broken_prepared_ : issued_prepared_,
                                                   options_.profile, clock_)});
}

void SimOperator::AnswerUnsigned(const server::Responder& respond, const Status& status) {
  const Ret ret = proto::RetFor(status);
  if (ret == Ret::kAuthFailed) {
    std::lock_guard lock(mu_);
    ++stats_.requests_refused;
  }
  respond(server::HttpResponse{200, std::string(kJson),
                               proto::UnsignedResponse(ret, status.message(), options_.profile, clock_)});
}

void SimOperator::Handle(Interface iface, server::HttpRequest&& request, server::Responder respond) {
  const SystemTime now = clock_.Now();
  Faults faults;
  {
    std::lock_guard lock(mu_);
    faults = faults_;
    ++stats_.requests;
    if (OfflineLocked(now)) {
      return respond(server::HttpResponse{503, "text/plain; charset=utf-8",
                                          "operator platform " + fleet_.operator_id + " is offline (simulated)\n"});
    }
  }
  if (faults.answer_delay > std::chrono::milliseconds::zero() && iface != Interface::kQueryToken) {
    // The answer is made now and sent later from a thread of its own (the io thread stays free).
    // The thread holds only the Responder, which does nothing once the connection is gone.
    respond = [inner = std::move(respond), delay = faults.answer_delay](server::HttpResponse r) {
      std::thread([inner, delay, r = std::move(r)]() mutable {
        std::this_thread::sleep_for(delay);
        inner(std::move(r));
      }).detach();
    };
  }
  if (faults.http_status != 0) {
    return respond(server::HttpResponse{faults.http_status, "text/plain; charset=utf-8",
                                        "simulated HTTP " + std::to_string(faults.http_status) + "\n"});
  }
  proto::Limits limits;
  auto envelope = proto::ParseRequestEnvelope(request.body, limits);
  if (!envelope.ok()) return AnswerUnsigned(respond, envelope.status());
  if (envelope->operator_id != options_.grid_operator_id) {
    return AnswerUnsigned(respond, Status::Unauthenticated("OperatorID: " + envelope->operator_id +
                                                           " is not known to operator platform " +
                                                           fleet_.operator_id + " (it serves the grid " +
                                                           options_.grid_operator_id + ")"));
  }
  const bool broken = faults.broken_sig;
  if (proto::Info(iface).needs_token) {
    const std::string_view token = proto::BearerToken(request.authorization);
    if (token.empty()) {
      return Answer(respond, broken,
                    Status::Unauthenticated("Authorization: missing \"Bearer <token>\" (get one from query_token first)"),
                    {});
    }
    if (Status st = tokens_.Validate(token, envelope->operator_id); !st.ok()) return Answer(respond, broken, st, {});
  }
  auto json = proto::OpenRequest(*envelope, issued_prepared_, options_.profile, clock_,
                                 options_.profile.replay_check ? &replay_ : nullptr);
  if (!json.ok()) return Answer(respond, broken, json.status(), {});
  if (faults.answer_500) {
    return Answer(respond, broken, Status::Internal("system error (simulated fault)"), {});
  }
  switch (iface) {
    case Interface::kQueryToken: return HandleToken(respond, broken, envelope->operator_id, *json);
    case Interface::kSendTask: return HandleTask(respond, broken, *json);
    case Interface::kQueryTaskResult: return HandleQuery(respond, broken, *json);
    case Interface::kExchangeInviteplanPush: return HandleSettlement(respond, broken, *json);
    default: return Answer(respond, broken, Status::Internal("interface not served by an operator platform"), {});
  }
}

void SimOperator::HandleToken(const server::Responder& respond, bool broken_sig, const std::string& caller,
                              const std::string& json) {
  const auto codec = proto::CodecOptionsFor(options_.profile, issued_prepared_, false);
  auto request = proto::DecodeData<proto::TokenRequest>(json, codec);
  if (!request.ok()) return Answer(respond, broken_sig, request.status(), {});
  if (request->operator_id != caller) {
    return Answer(respond, broken_sig,
                  Status::Invalid("OperatorID: " + request->operator_id +
                                  " in Data differs from the envelope's OperatorID " + caller),
                  {});
  }
  proto::TokenResponse response;
  response.operator_id = caller;
  if (!issued_prepared_.CheckOperatorSecret(request->operator_secret)) {
    response.code = 1;
    response.message = "OperatorSecret is wrong: use the OperatorSecret operator " + fleet_.operator_id + " issued";
    return Answer(respond, broken_sig, Status::Unauthenticated("OperatorSecret: wrong secret (see Data.Message)"),
                  proto::EncodeData(response, codec));
  }
  const auto issued = tokens_.Issue(caller);
  response.access_token = issued.token;
  response.token_available_time = issued.available.count();
  response.message = "ok";
  {
    std::lock_guard lock(mu_);
    ++stats_.token_requests_served;
  }
  Answer(respond, broken_sig, Status::Ok(), proto::EncodeData(response, codec));
}

void SimOperator::HandleTask(const server::Responder& respond, bool broken_sig, const std::string& json) {
  const auto codec = proto::CodecOptionsFor(options_.profile, issued_prepared_, false);
  auto instruction = proto::DecodeData<proto::Instruction>(json, codec);
  if (!instruction.ok()) return Answer(respond, broken_sig, instruction.status(), {});
  Answer(respond, broken_sig, Submit(*instruction), {});
}

void SimOperator::HandleQuery(const server::Responder& respond, bool broken_sig, const std::string& json) {
  const auto codec = proto::CodecOptionsFor(options_.profile, issued_prepared_, false);
  auto ref = proto::DecodeData<proto::InstructionRef>(json, codec);
  if (!ref.ok()) return Answer(respond, broken_sig, ref.status(), {});
  std::optional<proto::InstructionResult> held;
  {
    const SystemTime now = clock_.Now();
    std::lock_guard lock(mu_);
    DecideDueLocked(now);  // a decision due by now is given, even between driver passes
    const auto it = held_.find(ref->regulation_id);
    if (it != held_.end()) held = proto::InstructionResult{it->second.instruction, it->second.status};
  }
  if (!held) {
    return Answer(respond, broken_sig,
                  Status::Invalid("regulationID: " + ref->regulation_id + " was never received by operator " +
                                  fleet_.operator_id),
                  {});
  }
  if (held->instruction.task_id != ref->task_id) {
    return Answer(respond, broken_sig,
                  Status::Invalid("taskID: " + ref->task_id + " is not the task of regulationID " + ref->regulation_id +
                                  " (" + held->instruction.task_id + ")"),
                  {});
  }
  Answer(respond, broken_sig, Status::Ok(), proto::EncodeData(*held, codec));
}

void SimOperator::HandleSettlement(const server::Responder& respond, bool broken_sig, const std::string& json) {
  const auto codec = proto::CodecOptionsFor(options_.profile, issued_prepared_, false);
  auto push = proto::DecodeData<proto::SettlementPush>(json, codec);
  if (!push.ok()) return Answer(respond, broken_sig, push.status(), {});
  {
    std::lock_guard lock(mu_);
    settlements_.push_back(std::move(*push));
    if (settlements_.size() > kMaxSettlements) settlements_.pop_front();
    ++stats_.settlements_received;
  }
  Answer(respond, broken_sig, Status::Ok(), {});
}

}  // namespace vgi::sim
