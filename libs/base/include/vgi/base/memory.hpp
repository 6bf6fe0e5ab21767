#pragma once
// The process's heap and resident memory.

#include <cstdint>
#include <optional>

namespace vgi {

// Returns the heap's free pages to the operating system (glibc malloc_trim), wherever they are
// in the heap. glibc keeps memory freed inside its arenas, so a transient peak (a model sync
// holding two models, a day of power decoded at once) otherwise stays in the RSS for good.
// Takes each arena's lock in turn: call it after a peak or now and then, not per request.
// True when memory was returned; false when there was none, or off glibc (a no-op there).
bool ReleaseFreeHeap();

// The process's resident set in bytes (/proc/self/statm), nullopt where unavailable.
std::optional<std::int64_t> ResidentBytes();

}  // namespace vgi
