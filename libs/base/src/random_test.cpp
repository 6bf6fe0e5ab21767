#include "vgi/base/status.hpp"
#include <gtest/gtest.h>
TEST(Status, Placeholder2) { EXPECT_TRUE(vgi::Status::Ok().ok()); }
