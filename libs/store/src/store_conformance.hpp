#pragma once
// The store conformance suite: one set of tests (store_conformance.cpp) that every Store
// implementation must pass. Each backend's test file instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance, ::testing::Values(vgi::store::StoreFactory{
//       "sqlite", [](const vgi::store::StoreOptions& o) { return OpenSqliteStore(...fresh file..., o); }}),
//       [](const auto& info) { return info.param.name; });

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "vgi/store/store.hpp"

namespace vgi::store {

struct StoreFactory {
  std::string name;
  // A fresh, empty store (its own database or schema), migrations applied.
  std::function<Result<std::unique_ptr<Store>>(const StoreOptions&)> make;
  // Reopens the store `make` last created (same database) with these options, as after a
  // restart; null when the backend keeps nothing across instances (memory).
  std::function<Result<std::unique_ptr<Store>>(const StoreOptions&)> reopen;
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {};

}  // namespace vgi::store
