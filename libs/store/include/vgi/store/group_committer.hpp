#pragma once
// GroupCommitter: many requests' writes in one durable transaction.
//
// A per-request fsync caps a disk at a few thousand commits per second. Requests instead Submit
// their WriteBatch with a completion; one committer thread takes everything queued, merges it
// into one WriteBatch, calls Store::Commit once, and then completes every submitter with that
// commit's Status. A submitter acknowledges its peer only from the completion, so nothing is
// acknowledged before it is durable. While one commit runs the next group gathers.
//
// Completions run on the committer thread: they must be quick (post to an io_context).
// Thread safety: Submit may be called from any thread. The destructor commits what is queued,
// completes it, and joins the thread.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "vgi/store/store.hpp"

namespace vgi::store {

class GroupCommitter {
 public:
  using Done = std::function<void(const Status&)>;

  struct Options {
    std::size_t max_group_batches = 4096;  // batches merged into one commit at most
  };

  GroupCommitter(Store& store, Options options);
  explicit GroupCommitter(Store& store) : GroupCommitter(store, Options{}) {}
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // An empty batch completes at once with Ok (still in order after earlier submissions).
  void Submit(WriteBatch batch, Done done);

  struct Stats {
    std::uint64_t commits = 0;
    std::uint64_t batches = 0;  // submissions committed (ok or not)
    std::uint64_t failed_commits = 0;
  };
  [[nodiscard]] Stats stats() const;

 private:
  void Run();

  Store& store_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<WriteBatch, Done>> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace vgi::store
