#include "vgi/base/status.hpp"
#include <gtest/gtest.h>
TEST(Status, Placeholder) { EXPECT_TRUE(vgi::Status::Ok().ok()); }
