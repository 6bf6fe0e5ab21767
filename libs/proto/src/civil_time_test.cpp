#include "vgi/proto/civil_time.hpp"

#include <gtest/gtest.h>

#include "vgi/proto/decimal.hpp"
#include "vgi/testing/fake_clock.hpp"

namespace vgi::proto {
namespace {

using testing::BeijingTime;

TEST(CivilTime, MinuteRoundTripsAndIsBeijingTime) {
  auto m = ParseMinute("2020-04-09 12:29");
  ASSERT_TRUE(m);
  EXPECT_EQ(FormatMinute(*m), "2020-04-09 12:29");
  EXPECT_EQ(ToSystemTime(*m), BeijingTime(2020, 4, 9, 12, 29));
  // 12:29 Beijing is 04:29 UTC.
  EXPECT_EQ(std::chrono::system_clock::to_time_t(ToSystemTime(*m)) % 86400, 4 * 3600 + 29 * 60);
  EXPECT_EQ(MinuteOfDay(*m), 12 * 60 + 29);
  EXPECT_EQ(FormatDate(DateOf(*m)), "2020-04-09");
  EXPECT_EQ(StartOf(DateOf(*m)).minutes + 749, m->minutes);
  EXPECT_EQ(ToBeijingMinute(BeijingTime(2020, 4, 9, 12, 29, 59)), *m);
}

TEST(CivilTime, MinuteFormIsStrict) {
  for (const char* bad : {"2020-04-09 24:00", "2020-04-09 12:60", "2020-4-9 12:00", "2020-04-09T12:00",
                          "2020-04-09 12:00:00", "2023-02-29 00:00", "2020-13-01 00:00", "2020-00-10 00:00",
                          "2020-04-00 00:00", "２０２０-04-09 12:00", "", "2020-04-09  1:00"}) {
    EXPECT_FALSE(ParseMinute(bad)) << bad;
  }
  EXPECT_TRUE(ParseMinute("2024-02-29 23:59"));
  EXPECT_TRUE(ParseMinute("2020-04-09 00:00"));
}

TEST(CivilTime, Dates) {
  EXPECT_EQ(FormatDate(*ParseDate("1999-12-31")), "1999-12-31");
  EXPECT_EQ(ParseDate("1970-01-01")->days, 0);
  EXPECT_EQ(ParseDate("1969-12-31")->days, -1);
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_TRUE(ParseDate("2000-02-29"));
  EXPECT_FALSE(ParseDate("1900-02-29"));
  EXPECT_FALSE(ParseDate("2020-04-09 "));
  // Years the clock cannot represent are refused, not overflowed.
  EXPECT_TRUE(ParseDate("1900-01-01"));
  EXPECT_TRUE(ParseDate("2199-12-31"));
  EXPECT_FALSE(ParseDate("1899-12-31"));
  EXPECT_FALSE(ParseDate("2200-01-01"));
  EXPECT_FALSE(ParseMinute("0000-01-01 00:00"));
  EXPECT_FALSE(ParseMinute("9999-12-31 23:59"));
  // Minutes before 1970 still land on the right day and minute.
  const BeijingMinute before{-1};
  EXPECT_EQ(FormatMinute(before), "1969-12-31 23:59");
  EXPECT_EQ(MinuteOfDay(before), 1439);
}

TEST(CivilTime, AWindowThatWouldCrossMidnightStartsAtTheNextMidnight) {
  const auto at = [](const char* text) { return *ParseMinute(text); };
  EXPECT_EQ(StartWithinOneDay(at("2026-12-05 22:00"), 60), at("2026-12-05 22:00"));
  EXPECT_EQ(StartWithinOneDay(at("2026-12-05 23:00"), 60), at("2026-12-05 23:00"));  // ends 23:59
  EXPECT_EQ(StartWithinOneDay(at("2026-12-05 23:01"), 60), at("2026-12-06 00:00"));
  EXPECT_EQ(StartWithinOneDay(at("2026-12-31 23:59"), 2), at("2027-01-01 00:00"));
  EXPECT_EQ(StartWithinOneDay(at("2026-12-05 00:00"), 1440), at("2026-12-05 00:00"));
}

TEST(CivilTime, TimeStamps) {
  EXPECT_EQ(ParseTimeStamp("20190701030405"), BeijingTime(2019, 7, 1, 3, 4, 5));
  // 15 to 17 digits: the first 14 give the time (the seed's own example has 16).
  EXPECT_EQ(ParseTimeStamp("2019070103040506"), BeijingTime(2019, 7, 1, 3, 4, 5));
  EXPECT_EQ(ParseTimeStamp("20190701030405123"), BeijingTime(2019, 7, 1, 3, 4, 5));
  for (const char* bad : {"2019070103040", "201907010304051234", "2019070103046a", "20190230030405",
                          "20190701240000", "20190701036000", "20190701030460", "", "30240409120000",
                          "15700101000000", "99991231235959"}) {
    EXPECT_FALSE(ParseTimeStamp(bad)) << bad;
  }
  EXPECT_EQ(FormatTimeStamp(BeijingTime(2026, 11, 23, 9, 0, 7) + std::chrono::milliseconds(999)), "20261123090007");
  // Midnight UTC is 08:00 in Beijing.
  EXPECT_EQ(FormatTimeStamp(SystemTime(std::chrono::seconds(0))), "19700101080000");
}

TEST(Decimal, FromDoubleTakesBinaryNoiseButNotRealDigits) {
  EXPECT_EQ(Kilowatts::FromDouble(25.45)->units(), 2545);
  EXPECT_EQ(Kilowatts::FromDouble(0.1 + 0.2)->units(), 30);
  EXPECT_EQ(Kilowatts::FromDouble(25.450000000000003)->units(), 2545);
  EXPECT_FALSE(Kilowatts::FromDouble(25.456));
  EXPECT_FALSE(Kilowatts::FromDouble(25.4501));
  EXPECT_EQ(Kilowatts::FromDouble(-19.25)->units(), -1925);
  EXPECT_EQ(Degrees::FromDouble(116.397128)->units(), 116397128);
  EXPECT_FALSE(Degrees::FromDouble(116.3971281));
  EXPECT_FALSE(Kilowatts::FromDouble(1e300));
  EXPECT_FALSE(Kilowatts::FromDouble(std::numeric_limits<double>::quiet_NaN()));
}

TEST(Decimal, FormatsWithFixedPlaces) {
  EXPECT_EQ(Kilowatts::FromInt(30).ToString(), "30.00");
  EXPECT_EQ(Kilowatts::FromUnits(-50).ToString(), "-0.50");
  EXPECT_EQ(Kilowatts::FromUnits(5).ToString(), "0.05");
  EXPECT_EQ(Volts::FromUnits(2205).ToString(), "220.5");
  EXPECT_EQ(Degrees::FromUnits(-1).ToString(), "-0.000001");
  EXPECT_EQ(Decimal<0>::FromUnits(7).ToString(), "7");
  EXPECT_EQ(Kilowatts::FromUnits(std::numeric_limits<std::int64_t>::min()).ToString(), "-92233720368547758.08");
  EXPECT_EQ(Kilowatts::Parse("25.45")->units(), 2545);
  EXPECT_EQ(Kilowatts::Parse("1e2")->units(), 10000);
  EXPECT_FALSE(Kilowatts::Parse("25.45kW"));
  EXPECT_FALSE(Kilowatts::Parse(""));
  EXPECT_EQ((Kilowatts::FromUnits(150) + Kilowatts::FromUnits(75) - Kilowatts::FromUnits(25)).ToString(), "2.00");
}

}  // namespace
}  // namespace vgi::proto
