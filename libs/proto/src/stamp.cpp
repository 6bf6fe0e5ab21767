#include "vgi/proto/stamp.hpp"

#include <algorithm>
#include <cstdio>

#include "vgi/proto/civil_time.hpp"

namespace vgi::proto {

StampGenerator::StampGenerator(const Clock& clock, int node_index, int node_count)
    : clock_(clock),
      first_seq_(std::clamp(node_index, 0, std::max(node_count, 1) - 1) + 1),
      step_(std::clamp(node_count, 1, 9999)) {}

Stamp StampGenerator::Next() {
  const std::int64_t now =
      std::chrono::floor<std::chrono::seconds>(clock_.Now()).time_since_epoch().count();
  std::int64_t second = 0;
  int seq = 0;
  {
    std::lock_guard lock(mu_);
    if (now > second_) {
      second_ = now;
      seq_ = first_seq_;
    } else {
      // Same second, or the clock stepped back: keep counting in the second we are in.
      seq_ += step_;
      if (seq_ > 9999) {
        ++second_;
        seq_ = first_seq_;
      }
    }
    second = second_;
    seq = seq_;
  }
  Stamp s;
  s.timestamp = FormatTimeStamp(SystemTime(std::chrono::seconds(second)));
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04d", seq);
  s.seq = buf;
  return s;
}

}  // namespace vgi::proto
