#pragma once
// Operator-day sums recomputed by ListOperatorDays, kept in memory by (operator, day) with the
// version they were computed at (private to the SQLite and PostgreSQL stores). Today's sums are
// not written back (they change every minute), so without this every reader of today — the
// engine's live watch each tick, the console's curves and reports — would sum all the operator's
// station-days again although nothing arrived since. An entry serves only a read that finds the
// same version in the database, so it is never staler than the stored sums would be.
//
// Thread safety: all methods may be called concurrently.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "vgi/store/store.hpp"

namespace vgi::store {

class OperatorDayCache {
 public:
  // At most `capacity` entries (about 40 KB each); the oldest put goes first.
  explicit OperatorDayCache(std::size_t capacity = 512) : capacity_(capacity) {}

  std::optional<OperatorDay> Get(std::string_view operator_id, proto::BeijingDate day, std::int64_t version) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find({std::string(operator_id), day.days});
    if (it == entries_.end() || it->second.version != version) return std::nullopt;
    return it->second.sums;
  }

  void Put(std::string_view operator_id, proto::BeijingDate day, std::int64_t version, const OperatorDay& sums) {
    std::lock_guard lock(mu_);
    Key key{std::string(operator_id), day.days};
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (it->second.version > version) return;  // a newer one is already here
      it->second = Entry{version, ++clock_, sums};
      return;
    }
    if (entries_.size() >= capacity_) {
      auto oldest = entries_.begin();
      for (auto e = entries_.begin(); e != entries_.end(); ++e) {
        if (e->second.put_at < oldest->second.put_at) oldest = e;
      }
      entries_.erase(oldest);
    }
    entries_.emplace(std::move(key), Entry{version, ++clock_, sums});
  }

 private:
  using Key = std::pair<std::string, std::int32_t>;
  struct Entry {
    std::int64_t version = 0;
    std::uint64_t put_at = 0;
    OperatorDay sums;
  };
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::uint64_t clock_ = 0;  // guarded by mu_
  std::map<Key, Entry> entries_;  // guarded by mu_
};

}  // namespace vgi::store
