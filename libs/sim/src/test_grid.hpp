#pragma once
// Test-only: a stand-in for the grid on loopback (a vgi::http HttpServer on 127.0.0.1:0 with a
// self-signed certificate in a temporary folder). It serves query_token, send_station_info,
// send_station_power_1440, callback_task_overview and callback_task_check at /evcs/v1/ for the
// operators registered with AddOperator, opens each request with proto functions and records the
// decoded Data. Thread-safe.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vgi/base/clock.hpp"
#include "vgi/proto/keys.hpp"
#include "vgi/proto/station.hpp"
#include "vgi/proto/station_power.hpp"
#include "vgi/proto/task.hpp"

namespace vgi::sim::test {

class FakeGrid {
 public:
  explicit FakeGrid(const Clock& clock);
  ~FakeGrid();
  FakeGrid(const FakeGrid&) = delete;
  FakeGrid& operator=(const FakeGrid&) = delete;

  // Registers an operator and returns the key set the grid issued to it.
  proto::KeySet AddOperator(const std::string& operator_id);
  [[nodiscard]] std::string base_url() const;  // "https://127.0.0.1:<port>/evcs/v1"
  [[nodiscard]] const std::string& ca_file() const;

  // Knobs: every Data interface answers this Ret (0 = process normally), or this HTTP status.
  std::atomic<int> ret{0};
  std::atomic<int> http_status{200};

  // What it received (decoded), per operator, in arrival order.
  struct Received {
    std::vector<proto::StationInfoPage> pages;
    std::vector<proto::StationPowerBatch> power;
    std::vector<proto::InstructionFeedback> overviews;
    std::vector<proto::InstructionAdjustment> checks;
    int tokens = 0;
    int refused = 0;  // requests answered other than Ret 0
  };
  [[nodiscard]] Received Of(const std::string& operator_id) const;

  // Waits until `done` holds, at most `limit` (a generous bound, never a timing assertion).
  bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30)) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::sim::test
