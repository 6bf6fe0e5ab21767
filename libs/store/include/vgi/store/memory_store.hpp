#pragma once
// In-memory Store for unit tests of the layers above: same behaviour as the real backends (it
// passes the conformance suite), no durability. Sensitive fields are still sealed and opened
// through the Sealer, so a test notices a missing sealer.
#include <memory>

#include "vgi/store/store.hpp"

namespace vgi::store {

std::unique_ptr<Store> NewMemoryStore(const StoreOptions& options);

}  // namespace vgi::store
