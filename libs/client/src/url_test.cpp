#include "vgi/client/url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vgi::client {
namespace {

using ::testing::HasSubstr;

TEST(ParseBaseUrl, SplitsHostPortAndPrefix) {
  auto url = ParseBaseUrl("https://127.0.0.1:9443/evcs/v1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, (Url{"127.0.0.1", 9443, "/evcs/v1"}));
  EXPECT_EQ(url->Authority(), "127.0.0.1:9443");
  EXPECT_EQ(url->ToString(), "https://127.0.0.1:9443/evcs/v1");
}

TEST(ParseBaseUrl, MissingPortIs443AndTrailingSlashIsDropped) {
  auto url = ParseBaseUrl("HTTPS://grid.example.com/evcs/v1/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, (Url{"grid.example.com", 443, "/evcs/v1"}));

  auto bare = ParseBaseUrl("https://grid.example.com");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(*bare, (Url{"grid.example.com", 443, ""}));
}

TEST(ParseBaseUrl, BracketedIpv6) {
  auto url = ParseBaseUrl("https://[::1]:8443/evcs/v1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, (Url{"::1", 8443, "/evcs/v1"}));
  EXPECT_EQ(url->Authority(), "[::1]:8443");
}

TEST(ParseBaseUrl, HttpIsRefused) {
  auto url = ParseBaseUrl("http://127.0.0.1:9443/evcs/v1");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(url.status().message(), HasSubstr("http:// is refused"));
  EXPECT_THAT(url.status().message(), HasSubstr("HTTPS only"));
}

TEST(ParseBaseUrl, OtherSchemesAndNoSchemeAreRefused) {
  for (const char* text : {"ftp://h/evcs/v1", "127.0.0.1:9443/evcs/v1", "//h/x"}) {
    auto url = ParseBaseUrl(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_THAT(url.status().message(), HasSubstr("must start with https://")) << text;
  }
  EXPECT_EQ(ParseBaseUrl("").status().code(), StatusCode::kEmpty);
}

TEST(ParseBaseUrl, BadPorts) {
  for (const char* text : {"https://h:0/x", "https://h:65536/x", "https://h:/x", "https://h:94a3/x", "https://h:-1/x",
                           "https://h:123456/x"}) {
    auto url = ParseBaseUrl(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalid) << text;
    EXPECT_THAT(url.status().message(), HasSubstr("port: must be a number from 1 to 65535")) << text;
  }
  auto max = ParseBaseUrl("https://h:65535");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->port, 65535);
}

TEST(ParseBaseUrl, BadHostsAndPaths) {
  EXPECT_THAT(ParseBaseUrl("https:///evcs/v1").status().message(), HasSubstr("host: missing"));
  EXPECT_THAT(ParseBaseUrl("https://user:pw@h/evcs/v1").status().message(), HasSubstr("user-info"));
  EXPECT_THAT(ParseBaseUrl("https://bad_host/x").status().message(), HasSubstr("host: must be a DNS name"));
  EXPECT_THAT(ParseBaseUrl("https://[::1/x").status().message(), HasSubstr("missing ']'"));
  EXPECT_THAT(ParseBaseUrl("https://[abc]/x").status().message(), HasSubstr("not an IPv6 address"));
  EXPECT_THAT(ParseBaseUrl("https://h/evcs/v1?x=1").status().message(), HasSubstr("no query"));
  EXPECT_THAT(ParseBaseUrl("https://h/ev cs").status().message(), HasSubstr("spaces and control characters"));
  EXPECT_THAT(ParseBaseUrl("https://h//evcs").status().message(), HasSubstr("empty segment"));
}

TEST(IsIpAddress, LiteralsOnly) {
  EXPECT_TRUE(IsIpAddress("127.0.0.1"));
  EXPECT_TRUE(IsIpAddress("::1"));
  EXPECT_FALSE(IsIpAddress("localhost"));
  EXPECT_FALSE(IsIpAddress("127.0.0"));
  EXPECT_FALSE(IsIpAddress(""));
}

}  // namespace
}  // namespace vgi::client
