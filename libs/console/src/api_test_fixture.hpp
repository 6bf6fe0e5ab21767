#pragma once
// Private to the console API's handler tests (api_*_test.cpp): a memory store with a sealer, a
// fake clock at 2026-12-04 16:00 Beijing (a Friday), a Regulator over them and the Services the
// handlers take; reading answers with simdjson.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api_internal.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/store/memory_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/fake_random.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::console::api {

namespace schema_check {
// api_schema_check_test.cpp: the answer's violations of components.schemas[schema] in
// api/openapi.json (required fields, no extra fields, JSON types); empty when it conforms.
std::vector<std::string> Violations(std::string_view json, std::string_view schema);
}  // namespace schema_check

class ApiFixture : public ::testing::Test {
 protected:
  // Call first in SetUp; `config` is the Regulator's.
  void Build(const engine::RegulatorConfig& config = {}) {
    auto sealer = store::Sealer::Create(std::string(store::kMasterKeyBytes, 'k'));
    ASSERT_TRUE(sealer.ok());
    sealer_ = std::make_unique<store::Sealer>(std::move(*sealer));
    clock_.Set(testing::BeijingTime(2026, 12, 4, 16, 0));
    store::StoreOptions o;
    o.clock = &clock_;
    o.sealer = sealer_.get();
    store_ = store::NewMemoryStore(o);
    regulator_ = std::make_unique<engine::Regulator>(*store_, clock_, config, nullptr);
    services_ =
        std::make_unique<Services>(Services{*store_, *regulator_, clock_, random_, ApiConfig{}, nullptr, nullptr});
  }

  // An enabled operator with one station "ST-<op>" of `stakes` stakes (area 120101).
  void AddOperator(const std::string& op, const std::string& name, int stakes) {
    store::PeerRow peer;
    peer.operator_id = op;
    peer.name = name;
    peer.base_url = "https://127.0.0.1:1/evcs/v1";
    ASSERT_TRUE(store_->PutPeer(peer).ok());
    proto::StationInfoPage page = testing::SampleStationInfoPage(1, stakes);
    page.stations[0].operator_id = op;
    page.stations[0].code = "ST-" + op;
    ASSERT_TRUE(store_->PutStationPage(op, page).ok());
  }

  static engine::RegulatorConfig WithoutForecast() {
    engine::RegulatorConfig config;
    config.forecast_days = 0;
    return config;
  }

  // Calls handler `h` as alice from 10.0.0.1 with `roles`: a GET with `query`, or a POST when
  // `body` is given. What the handler notes for the audit log is left in audit_.
  ApiResponse Invoke(Handler h, RoleSet roles, std::vector<std::string> params, const std::string& query,
                     std::string body = "") {
    ApiRequest req;
    req.method = body.empty() ? "GET" : "POST";
    req.query = query;
    req.body = std::move(body);
    Caller caller{"alice", roles, "10.0.0.1", "", ""};
    audit_ = AuditNote{};
    Call call{req, caller, std::move(params), Query(query), &audit_};
    return h(*services_, call);
  }

  simdjson::dom::element Json(const ApiResponse& r) {
    simdjson::dom::element e;
    EXPECT_EQ(parser_.parse(r.body).get(e), simdjson::SUCCESS) << r.body;
    return e;
  }
  static std::string Str(simdjson::dom::element e) {
    std::string_view s;
    EXPECT_EQ(e.get(s), simdjson::SUCCESS);
    return std::string(s);
  }
  static double Num(simdjson::dom::element e) {
    double d = -1;
    EXPECT_EQ(e.get(d), simdjson::SUCCESS);
    return d;
  }
  static std::int64_t Int(simdjson::dom::element e) {
    std::int64_t v = -1;
    EXPECT_EQ(e.get(v), simdjson::SUCCESS);
    return v;
  }

  simdjson::dom::parser parser_;
  testing::FakeClock clock_;
  testing::FakeRandom random_;
  std::unique_ptr<store::Sealer> sealer_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::Regulator> regulator_;
  std::unique_ptr<Services> services_;
  AuditNote audit_;  // the last Invoke's
};

}  // namespace vgi::console::api
