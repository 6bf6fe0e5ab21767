#include <iterator>

#include "vgi/store/store.hpp"

namespace vgi::store {

namespace {
template <class T>
void MoveAppend(std::vector<T>& to, std::vector<T>&& from) {
  if (to.empty()) {
    to = std::move(from);  // steals the buffer: the common case for the first batch of a group
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  }
  from.clear();
}
}  // namespace

void WriteBatch::Append(WriteBatch&& other) {
  if (&other == this) return;
  MoveAppend(request_keys, std::move(other.request_keys));
  MoveAppend(power, std::move(other.power));
  MoveAppend(feedback, std::move(other.feedback));
}

}  // namespace vgi::store
