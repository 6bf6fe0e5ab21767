#pragma once
// Metrics in the Prometheus text exposition format (version 0.0.4), for GET /metrics.
// (prometheus-cpp is not packaged for Debian 12; this is the small subset vgi needs.)
//
// Families are registered once at start; their series are created on first use by label values.
// Counter/gauge/histogram updates are lock-free atomics after the series exists.
//
// Misuse never corrupts a family: asking for an existing family with another type, other label
// names or (histograms) other bounds, a label value count that differs from the names', or a
// name that is not a Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*; labels without ':', not "__*",
// not "le" on a histogram) returns a detached dummy series that is never rendered (one shared
// dummy per type, so misuse in a loop does not grow memory). The first registration of a family
// fixes its help, type, label names and bounds.
//
// Thread safety: all methods may be called from any thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vgi::server {

class Counter {
 public:
  void Increment(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }
 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }
 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);  // upper bounds, ascending; +Inf implied
  void Observe(double v);
  struct Snapshot { std::vector<double> bounds; std::vector<std::uint64_t> cumulative; std::uint64_t count; double sum; };
  [[nodiscard]] Snapshot snapshot() const;
 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Default latency buckets in seconds: 0.0005 .. 10.
std::vector<double> LatencyBuckets();

class Metrics {
 public:
  Metrics();
  ~Metrics();
  // Series of a family by label values (same order as the family's label names). The returned
  // reference lives as long as the Metrics. Label values are escaped on output.
  Counter& counter(const std::string& family, const std::string& help,
                   const std::vector<std::string>& label_names,
                   const std::vector<std::string>& label_values);
  Gauge& gauge(const std::string& family, const std::string& help,
               const std::vector<std::string>& label_names,
               const std::vector<std::string>& label_values);
  Histogram& histogram(const std::string& family, const std::string& help,
                       const std::vector<std::string>& label_names,
                       const std::vector<std::string>& label_values,
                       const std::vector<double>& bounds = LatencyBuckets());
  // The whole registry as Prometheus text, families in name order.
  [[nodiscard]] std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vgi::server
