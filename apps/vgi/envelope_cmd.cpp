// `vgi envelope seal|open`: build or take apart one protocol message by hand.
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <iostream>
#include <iterator>
#include <string>

#include "commands.hpp"
#include "vgi/base/clock.hpp"
#include "vgi/proto/civil_time.hpp"
#include "vgi/proto/codec.hpp"
#include "vgi/proto/envelope.hpp"
#include "vgi/proto/interfaces.hpp"

namespace vgi::app {
namespace {

struct KeyFlags {
  std::string data_secret;
  std::string data_iv;
  std::string sig_secret;
};

struct EnvelopeOptions {
  KeyFlags keys;
  std::string operator_id;
  std::string interface;
  bool response = false;
  int ret = 0;
  std::string msg;
  std::string dialect = "standard";
  std::string timestamp;
  std::string seq;
  bool field_encryption = false;
  bool no_unescape = false;
  bool check_freshness = false;
  int skew_seconds = 300;
  bool pretty = false;
};

void AddKeyFlags(CLI::App* cmd, KeyFlags& keys) {
  cmd->add_option("--data-secret", keys.data_secret, "DataSecret (16 bytes); or env VGI_DATA_SECRET")
      ->envname("VGI_DATA_SECRET")
      ->required();
  cmd->add_option("--data-iv", keys.data_iv, "DataSecretIV (16 bytes); or env VGI_DATA_IV")
      ->envname("VGI_DATA_IV")
      ->required();
  cmd->add_option("--sig-secret", keys.sig_secret, "SigSecret; or env VGI_SIG_SECRET")
      ->envname("VGI_SIG_SECRET")
      ->required();
}

std::string ReadStdin() {
  std::string s((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Prints "Ret <n> <msg>" the way the grid would answer, and returns kExitFailed.
int Refuse(const Status& status) {
  const proto::Ret ret = proto::RetFor(status);
  std::cerr << "Ret " << static_cast<int>(ret) << " (" << proto::DefaultMsg(ret) << "): " << status.message() << "\n";
  return kExitFailed;
}

Result<proto::PreparedKeys> Prepare(const KeyFlags& k) {
  // The operator secret plays no part in sealing or opening.
  return proto::PreparedKeys::Create(proto::KeySet{"-", k.data_secret, k.data_iv, k.sig_secret});
}

const proto::InterfaceInfo* InterfaceNamed(const std::string& name) {
  if (name.empty()) return nullptr;
  return proto::FindInterface(name);
}

std::string Pretty(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError()) return json;
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::string> CheckData(const EnvelopeOptions& o, const proto::PreparedKeys& keys, const std::string& json) {
  const auto* info = InterfaceNamed(o.interface);
  if (info == nullptr) return json;
  proto::WireProfile profile;
  profile.field_encryption = o.field_encryption;
  return proto::CanonicalData(info->id, o.response, json, proto::CodecOptionsFor(profile, keys, o.response));
}

int Seal(const EnvelopeOptions& o) {
  auto keys = Prepare(o.keys);
  if (!keys.ok()) return Refuse(keys.status());
  std::string data = ReadStdin();
  auto checked = CheckData(o, *keys, data);
  if (!checked.ok()) return Refuse(checked.status().WithPrefix("Data read from stdin"));
  data = std::move(checked).value();

  if (o.response) {
    proto::WireProfile profile;
    profile.response_dialect = o.dialect == "example" ? proto::ResponseDialect::kExample : proto::ResponseDialect::kStandard;
    const std::string msg = o.msg.empty() ? std::string(proto::DefaultMsg(static_cast<proto::Ret>(o.ret))) : o.msg;
    std::cout << proto::SealResponse(static_cast<proto::Ret>(o.ret), msg, data, *keys, profile, Clock::System())
              << "\n";
    return kExitOk;
  }
  if (!proto::IsOperatorId(o.operator_id)) {
    std::cerr << "--operator-id: must be 9 characters of 0-9 and A-Z (your platform's ID as the receiver knows it)\n";
    return kExitUsage;
  }
  proto::StampGenerator stamps(Clock::System());
  proto::Stamp stamp = stamps.Next();
  if (!o.timestamp.empty()) stamp.timestamp = o.timestamp;
  if (!o.seq.empty()) stamp.seq = o.seq;
  if (data.empty()) {
    std::cerr << "stdin: empty; give the Data JSON to seal, e.g. echo '{\"taskID\":\"1\"}' | vgi envelope seal ...\n";
    return kExitUsage;
  }
  std::cout << proto::SerializeRequestEnvelope(proto::SealRequest(o.operator_id, data, stamp, *keys)) << "\n";
  return kExitOk;
}

int Open(const EnvelopeOptions& o) {
  auto keys = Prepare(o.keys);
  if (!keys.ok()) return Refuse(keys.status());
  const std::string body = ReadStdin();
  proto::WireProfile profile;
  profile.unescape_html_entities = !o.no_unescape;
  profile.clock_skew = std::chrono::seconds(o.skew_seconds);
  std::string json;

  if (o.response) {
    profile.require_response_sig = false;  // report a missing Sig below rather than refuse outright
    auto r = proto::OpenResponse(body, *keys, profile);
    if (!r.ok()) return Refuse(r.status());
    std::cerr << "Ret: " << r->wire_ret << "\nMsg: " << r->msg << "\n";
    std::cerr << "Sig: " << (r->sig_verified ? "ok" : "absent (nothing to verify; the grid refuses this by default)")
              << "\n";
    if (!r->data_json) {
      std::cerr << "Data: none\n";
      return kExitOk;
    }
    json = *r->data_json;
  } else {
    auto env = proto::ParseRequestEnvelope(body);
    if (!env.ok()) return Refuse(env.status());
    profile.replay_check = o.check_freshness;
    proto::MemoryReplayGuard guard(Clock::System());
    auto opened = proto::OpenRequest(*env, *keys, profile, Clock::System(), &guard);
    if (!opened.ok()) return Refuse(opened.status());
    const auto sent = proto::ParseTimeStamp(env->timestamp);
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(Clock::System().Now() - *sent).count();
    std::cerr << "OperatorID: " << env->operator_id << "\nTimeStamp: " << env->timestamp << " ("
              << proto::FormatMinute(proto::ToBeijingMinute(*sent)) << " Beijing, " << age << " s ago"
              << (o.check_freshness ? ", fresh" : ", freshness not checked") << ")\nSeq: " << env->seq
              << "\nSig: ok\n";
    json = std::move(opened).value();
  }
  auto checked = CheckData(o, *keys, json);
  if (!checked.ok()) {
    std::cout << json << "\n";
    return Refuse(checked.status());
  }
  if (InterfaceNamed(o.interface) != nullptr) std::cerr << "Data: valid " << o.interface << (o.response ? " response" : " request") << "\n";
  std::cout << (o.pretty ? Pretty(json) : json) << "\n";
  return kExitOk;
}

}  // namespace

void RegisterEnvelope(CLI::App& app, int* exit_code) {
  auto* envelope = app.add_subcommand("envelope", "Seal or open one protocol message by hand (debug a peer)");
  envelope->require_subcommand(1);
  auto options = std::make_shared<EnvelopeOptions>();
  std::string interfaces;
  for (const auto& i : proto::AllInterfaces()) interfaces += (interfaces.empty() ? "" : ", ") + std::string(i.name);

  auto* seal = envelope->add_subcommand(
      "seal", "Read Data JSON on stdin; print the sealed request (or --response) envelope on stdout");
  AddKeyFlags(seal, options->keys);
  seal->add_option("--operator-id", options->operator_id, "Caller's OperatorID as the receiver knows it (requests)");
  seal->add_option("--interface", options->interface, "Validate and canonicalise Data as this interface's: " + interfaces)
      ->check(CLI::IsMember([] {
        std::vector<std::string> names;
        for (const auto& i : proto::AllInterfaces()) names.emplace_back(i.name);
        return names;
      }()));
  seal->add_flag("--response", options->response, "Seal a response (Ret, Msg, Data, Sig) instead of a request");
  seal->add_option("--ret", options->ret, "Response Ret: 0, 1, 500, 4000, 4003 or 4009")
      ->check(CLI::IsMember({0, 1, 500, 4000, 4003, 4009}));
  seal->add_option("--msg", options->msg, "Response Msg (default: the seed's wording for --ret)");
  seal->add_option("--dialect", options->dialect, "Response dialect: standard (5.3.2) or example (ret 200, lower-case keys)")
      ->check(CLI::IsMember({"standard", "example"}));
  seal->add_option("--timestamp", options->timestamp, "TimeStamp to use (default: now, Beijing time)");
  seal->add_option("--seq", options->seq, "Seq to use (default: 0001)");
  seal->add_flag("--field-encryption", options->field_encryption, "Sensitive fields travel encrypted (needs --interface)");
  seal->callback([options, exit_code] { *exit_code = Seal(*options); });

  auto* open = envelope->add_subcommand(
      "open", "Read an envelope on stdin; verify Sig, decrypt, print Data on stdout and the checks on stderr");
  AddKeyFlags(open, options->keys);
  open->add_option("--interface", options->interface, "Also validate Data as this interface's: " + interfaces);
  open->add_flag("--response", options->response, "The input is a response envelope (parsed leniently)");
  open->add_flag("--check-freshness", options->check_freshness, "Refuse a TimeStamp more than --skew from now");
  open->add_option("--skew", options->skew_seconds, "Allowed clock skew in seconds (default 300)");
  open->add_flag("--no-unescape", options->no_unescape, "Keep HTML entities (&lt; &amp; ...) as sent");
  open->add_flag("--field-encryption", options->field_encryption, "Sensitive fields travel encrypted (needs --interface)");
  open->add_flag("--pretty", options->pretty, "Indent the printed Data");
  open->callback([options, exit_code] { *exit_code = Open(*options); });
}

}  // namespace vgi::app
