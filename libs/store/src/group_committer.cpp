#include "vgi/store/group_committer.hpp"

#include <utility>

namespace vgi::store {

namespace {
GroupCommitter::Options Sanitized(GroupCommitter::Options o) {
  if (o.max_group_batches == 0) o.max_group_batches = 1;
  return o;
}
}  // namespace

GroupCommitter::GroupCommitter(Store& store, Options options)
    : store_(store), options_(Sanitized(options)), thread_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GroupCommitter::Submit(WriteBatch batch, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(batch), std::move(done));
  }
  cv_.notify_one();
}

GroupCommitter::Stats GroupCommitter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void GroupCommitter::Run() {
  std::vector<std::pair<WriteBatch, Done>> taken;
  std::vector<std::pair<Done, bool>> group;  // completion, batch was empty
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // Take at most max_group_batches, oldest first; the rest waits for the next round.
      const std::size_t n = std::min(queue_.size(), options_.max_group_batches);
      if (n == queue_.size()) {
        taken.swap(queue_);  // the usual case: take all, hand back the drained buffer
      } else {
        taken.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      }
    }

    // Empty batches change nothing: they complete with Ok, in submission order. Those ahead of
    // every non-empty batch of the group complete before the commit; the others after it,
    // behind the batches submitted before them.
    WriteBatch merged;
    std::size_t non_empty = 0;
    group.clear();
    for (auto& [batch, done] : taken) {
      const bool empty = batch.empty();
      if (empty && non_empty == 0) {
        if (done) done(Status::Ok());
        continue;
      }
      if (!empty) {
        merged.Append(std::move(batch));
        ++non_empty;
      }
      group.emplace_back(std::move(done), empty);
    }
    taken.clear();
    if (group.empty()) continue;

    const Status status = store_.Commit(merged);
    {
      std::lock_guard lock(mu_);
      ++stats_.commits;
      if (!status.ok()) ++stats_.failed_commits;
      stats_.batches += non_empty;
    }
    for (auto& [done, empty] : group) {
      if (done) done(empty ? Status::Ok() : status);
    }
    group.clear();
  }
}

}  // namespace vgi::store
