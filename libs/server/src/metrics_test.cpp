#include "vgi/server/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <thread>

namespace vgi::server {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, RendersPrometheusTextFormat) {
  Metrics m;
  m.counter("b_total", "B things.", {"kind"}, {"x\"y\\z\nw"}).Increment(3);
  m.counter("b_total", "B things.", {"kind"}, {"a"}).Increment();
  m.gauge("a_gauge", "Help with \\ and\nnewline.", {}, {}).Set(1.5);
  auto& h = m.histogram("c_seconds", "Latency.", {"path"}, {"/p"}, {0.005, 0.1, 1});
  for (double v : {0.0009765625, 0.0625, 0.0625, 3.0}) h.Observe(v);
  m.histogram("d_seconds", "No labels.", {}, {}, {0.5}).Observe(0.25);
  EXPECT_EQ(m.Render(),
            "# HELP a_gauge Help with \\\\ and\\nnewline.\n"
            "# TYPE a_gauge gauge\n"
            "a_gauge 1.5\n"
            "# HELP b_total B things.\n"
            "# TYPE b_total counter\n"
            "b_total{kind=\"a\"} 1\n"
            "b_total{kind=\"x\\\"y\\\\z\\nw\"} 3\n"
            "# HELP c_seconds Latency.\n"
            "# TYPE c_seconds histogram\n"
            "c_seconds_bucket{path=\"/p\",le=\"0.005\"} 1\n"
            "c_seconds_bucket{path=\"/p\",le=\"0.1\"} 3\n"
            "c_seconds_bucket{path=\"/p\",le=\"1\"} 3\n"
            "c_seconds_bucket{path=\"/p\",le=\"+Inf\"} 4\n"
            "c_seconds_sum{path=\"/p\"} 3.1259765625\n"
            "c_seconds_count{path=\"/p\"} 4\n"
            "# HELP d_seconds No labels.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.5\"} 1\n"
            "d_seconds_bucket{le=\"+Inf\"} 1\n"
            "d_seconds_sum 0.25\n"
            "d_seconds_count 1\n");
}

TEST(Metrics, SameLabelsGiveTheSameSeries) {
  Metrics m;
  Counter& a = m.counter("x_total", "X.", {"k"}, {"v"});
  Counter& b = m.counter("x_total", "X.", {"k"}, {"v"});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &m.counter("x_total", "X.", {"k"}, {"w"}));
}

TEST(Metrics, LatencyBucketsAreFormattedAsPrometheusExpects) {
  Metrics m;
  m.histogram("lat_seconds", "L.", {}, {}).Observe(0.0001);
  const std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{le=\"2.5\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{le=\"10\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lat_seconds_bucket{le=\"+Inf\"} 1\n"));
}

TEST(Metrics, NumbersAreWrittenInTheShortestForm) {
  Metrics m;
  const auto set = [&](const char* key, double v) { m.gauge("g", "G.", {"k"}, {key}).Set(v); };
  set("a", 0.00001);
  set("b", 1234567);
  set("c", -2.5);
  set("d", 1e21);
  set("e", std::numeric_limits<double>::infinity());
  set("f", std::numeric_limits<double>::quiet_NaN());
  set("g", 0);
  set("h", 0.1 + 0.2);
  EXPECT_EQ(m.Render(),
            "# HELP g G.\n# TYPE g gauge\n"
            "g{k=\"a\"} 1e-05\n"
            "g{k=\"b\"} 1234567\n"
            "g{k=\"c\"} -2.5\n"
            "g{k=\"d\"} 1e+21\n"
            "g{k=\"e\"} +Inf\n"
            "g{k=\"f\"} NaN\n"
            "g{k=\"g\"} 0\n"
            "g{k=\"h\"} 0.30000000000000004\n");
}

TEST(Metrics, BucketsAreInclusiveUpperBounds) {
  Histogram h({1, 2});
  h.Observe(1);
  h.Observe(2);
  h.Observe(2.5);
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(s.count, 3u);
  EXPECT_DOUBLE_EQ(s.sum, 5.5);
}

TEST(Metrics, MisuseReturnsADetachedSeriesAndLeavesTheFamilyAlone) {
  Metrics m;
  m.counter("x_total", "X.", {"k"}, {"v"}).Increment(2);
  const std::string before = m.Render();

  m.gauge("x_total", "X.", {"k"}, {"v"}).Set(7);                  // another type
  m.counter("x_total", "X.", {"other"}, {"v"}).Increment(5);      // other label names
  m.counter("x_total", "X.", {"k"}, {}).Increment(5);             // values missing
  m.counter("bad-name", "B.", {}, {}).Increment();                // not a metric name
  m.counter("y_total", "Y.", {"__reserved"}, {"v"}).Increment();  // reserved label
  m.histogram("h_seconds", "H.", {"le"}, {"1"}).Observe(1);       // le is the bucket's
  m.histogram("x_total", "X.", {"k"}, {"v"}).Observe(1);          // another type
  EXPECT_EQ(m.Render(), before);
  EXPECT_EQ(m.counter("x_total", "X.", {"k"}, {"v"}).value(), 2u);

  m.histogram("z_seconds", "Z.", {}, {}, {1, 2});
  Histogram& other_bounds = m.histogram("z_seconds", "Z.", {}, {}, {5});
  other_bounds.Observe(1);
  EXPECT_THAT(m.Render(), HasSubstr("z_seconds_count 0\n"));
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  Metrics m;
  Counter& c = m.counter("c_total", "C.", {}, {});
  Gauge& g = m.gauge("g", "G.", {}, {});
  Histogram& h = m.histogram("h_seconds", "H.", {}, {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Increment();
        g.Add(1);
        h.Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
  EXPECT_EQ(g.value(), 40000.0);
  EXPECT_EQ(h.snapshot().count, 40000u);
  EXPECT_EQ(h.snapshot().sum, 20000.0);
}

}  // namespace
}  // namespace vgi::server
