#pragma once
// Private to the PostgreSQL tests (store_pgtest*.cpp): the server named by VGI_TEST_PG_URL, a
// fresh schema per store (dropped by the environment store_pgtest.cpp registers), and the
// fixture of the PostgreSQL-only tests.

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "postgres_conn.hpp"
#include "vgi/store/postgres_store.hpp"
#include "vgi/testing/fake_clock.hpp"
#include "vgi/testing/samples.hpp"

namespace vgi::store::pgtest {

inline constexpr const char* kNoServer =
    "VGI_TEST_PG_URL is not set: the pg tests need a PostgreSQL server. Run ./test.sh, or start one "
    "with `scripts/pg-test-server.sh start /tmp/vgi-pg` and export VGI_TEST_PG_URL=<the URL it prints>";

inline Result<std::string> ServerUrl() {
  const char* url = std::getenv("VGI_TEST_PG_URL");
  if (url == nullptr || *url == '\0') return Status::Unavailable(kNoServer);
  return std::string(url);
}

inline std::string WithQuery(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

// Schemas made for this program's stores; dropped by the environment at exit.
class Schemas {
 public:
  static Schemas& Get() {
    static Schemas* s = new Schemas();  // lives until exit; TearDown empties it
    return *s;
  }

  // A fresh schema; returns a URL whose search_path is that schema.
  Result<std::string> Create(const std::string& app_name = "vgi-test") {
    VGI_ASSIGN_OR_RETURN(std::string url, ServerUrl());
    std::lock_guard lock(mu_);
    if (!admin_) {
      VGI_ASSIGN_OR_RETURN(admin_, pg::Pool::Open(url, 1));
    }
    // Generated from the pid and a counter: a safe identifier (DDL takes no parameters).
    const std::string name = "vgi_t" + std::to_string(::getpid()) + "_" + std::to_string(++count_);
    VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, admin_->Acquire());
    VGI_RETURN_IF_ERROR(c->Run("CREATE SCHEMA " + name));
    names_.push_back(name);
    return WithQuery(WithQuery(url, "options=-csearch_path%3D" + name), "application_name=" + app_name);
  }

  // Runs SQL on the server as the admin connection (outside any test schema unless qualified).
  Result<pg::Rows> Admin(const std::string& sql, const pg::Params& params = {}) {
    VGI_ASSIGN_OR_RETURN(std::string url, ServerUrl());
    std::lock_guard lock(mu_);
    if (!admin_) {
      VGI_ASSIGN_OR_RETURN(admin_, pg::Pool::Open(url, 1));
    }
    VGI_ASSIGN_OR_RETURN(pg::Pool::Lease c, admin_->Acquire());
    return c->Exec(sql, params);
  }

  void DropAll() {
    std::lock_guard lock(mu_);
    if (!admin_) return;
    for (const std::string& name : names_) {
      auto c = admin_->Acquire();
      if (c.ok()) (void)(*c)->Run("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }
    names_.clear();
    admin_.reset();
  }

 private:
  std::mutex mu_;
  std::unique_ptr<pg::Pool> admin_;
  std::vector<std::string> names_;
  int count_ = 0;
};

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sealer = Sealer::Create(std::string(kMasterKeyBytes, 'k'));
    ASSERT_TRUE(sealer.ok()) << sealer.status();
    sealer_ = std::make_unique<Sealer>(std::move(sealer).value());
    options_.clock = &clock_;
    options_.sealer = sealer_.get();
  }

  // A store on a fresh schema; fails the test when there is no server.
  std::unique_ptr<Store> Fresh(const std::string& app_name = "vgi-test", PostgresOptions pg = {}) {
    auto url = Schemas::Get().Create(app_name);
    if (!url.ok()) {
      ADD_FAILURE() << url.status();
      return nullptr;
    }
    url_ = *url;
    auto store = OpenPostgresStore(url_, options_, pg);
    if (!store.ok()) {
      ADD_FAILURE() << store.status();
      return nullptr;
    }
    return std::move(store).value();
  }

  // Points for one station: {"yyyy-MM-dd HH:mm", centi-kW or -1 for null}.
  static PowerUpdate Update(const std::string& station, std::vector<std::pair<std::string, int>> points,
                            int top = 1000, int bottom = 0) {
    PowerUpdate u;
    u.operator_id = testing::kSampleOperatorId;
    u.power.station_code = station;
    u.power.adjust_top_power = proto::Kilowatts::FromUnits(top);
    u.power.adjust_bottom_power = proto::Kilowatts::FromUnits(bottom);
    for (const auto& [minute, value] : points) {
      proto::PowerPoint p;
      p.point = *proto::ParseMinute(minute);
      if (value >= 0) p.power = proto::Kilowatts::FromUnits(value);
      u.power.points.push_back(p);
    }
    return u;
  }

  static proto::BeijingDate Day(const char* text) { return *proto::ParseDate(text); }

  testing::FakeClock clock_{testing::BeijingTime(2024, 4, 9, 12, 0)};
  std::unique_ptr<Sealer> sealer_;
  StoreOptions options_;
  std::string url_;
};

}  // namespace vgi::store::pgtest
