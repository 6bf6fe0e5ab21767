#include "vgi/base/status.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace vgi {
namespace {

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeAndMessage) {
  const Status s = Status::Invalid("stationList[0].type: 9 is not one of 1..7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_EQ(s.ToString(), "invalid: stationList[0].type: 9 is not one of 1..7");
  EXPECT_EQ(s.WithPrefix("page 2").message(), "page 2: stationList[0].type: 9 is not one of 1..7");
  EXPECT_EQ(s.WithPrefix("page 2").code(), StatusCode::kInvalid);
  EXPECT_TRUE(Status::Ok().WithPrefix("x").ok());
  std::ostringstream os;
  os << Status::Unauthenticated("token: expired");
  EXPECT_EQ(os.str(), "unauthenticated: token: expired");
}

TEST(Status, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(StatusCode::kIo); ++c) {
    EXPECT_NE(StatusCodeName(static_cast<StatusCode>(c)), "unknown") << c;
  }
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::Invalid("x: " + std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  int half = 0;
  VGI_ASSIGN_OR_RETURN(half, Half(x));
  VGI_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  VGI_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(Result, ValueOrStatus) {
  auto r = Half(8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4);
  EXPECT_TRUE(r.status().ok());
  auto bad = Half(3);
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.status().message(), "x: 3 is odd");
}

TEST(Result, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "x: 3 is odd");
  EXPECT_EQ(Quarter(5).status().message(), "x: 5 is odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_EQ(CheckEven(1).code(), StatusCode::kInvalid);
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace vgi
