#pragma once
// StampGenerator: the TimeStamp and Seq of outgoing requests (seed 5.3.1).
//
// TimeStamp is 14 digits of Beijing time; Seq is 4 digits that count up from 0001 within one
// second and restart each new second. Defined edge cases:
//  - Past 9999 in one second the generator moves on to the next second (its TimeStamp runs ahead
//    of the clock) rather than blocking or repeating: no (TimeStamp, Seq) pair is ever repeated.
//  - If the clock steps backwards, the generator keeps its last second until the clock catches up.
//  - Several vgi nodes sharing one OperatorID take disjoint Seq values: node k of n uses
//    k+1, k+1+n, k+1+2n, ... so their requests never collide at a peer's replay guard.
//
// Thread safety: Next() may be called from any thread.

#include <cstdint>
#include <mutex>
#include <string>

#include "vgi/base/clock.hpp"

namespace vgi::proto {

struct Stamp {
  std::string timestamp;  // yyyyMMddHHmmss
  std::string seq;        // 0001..9999
};

class StampGenerator {
 public:
  // `node_index` in [0, node_count), node_count in [1, 9999].
  explicit StampGenerator(const Clock& clock, int node_index = 0, int node_count = 1);

  Stamp Next();

 private:
  const Clock& clock_;
  const int first_seq_;
  const int step_;
  std::mutex mu_;
  std::int64_t second_ = 0;  // unix seconds of the current TimeStamp
  int seq_ = 0;              // last Seq issued in second_
};

}  // namespace vgi::proto
