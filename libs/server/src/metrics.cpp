#include "vgi/server/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

namespace vgi::server {
namespace {

// atomic<double>::fetch_add is C++20 but not lock-free everywhere; a CAS loop is, and is what
// the library would do anyway.
void AtomicAdd(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

bool IsMetricName(std::string_view s, bool allow_colon) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Prometheus text format numbers: Go's ParseFloat accepts the shortest round-trip form.
void AppendDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    // Shortest round trip; fixed notation for ordinary magnitudes so that bucket bounds read
    // le="0.0005" like other Prometheus clients' (Go writes 1e-05 below that, as we do).
    char buf[400];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<std::size_t>(end - buf));
    int exponent = 0;
    const std::string_view exp_text = sci.substr(sci.find('e') + 1);
    std::from_chars(exp_text.data() + (exp_text.front() == '+' ? 1 : 0), exp_text.data() + exp_text.size(), exponent);
    if (v != 0 && (exponent < -4 || exponent >= 21)) {
      out.append(sci);
    } else {
      auto [fixed_end, fixed_ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
      out.append(buf, fixed_end);
    }
  }
}

void AppendUint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

enum class Type { kCounter, kGauge, kHistogram };

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"` without the closing brace (histogram buckets append le), or "" without labels.
void AppendLabels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                  bool close) {
  if (names.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], true);
    out += '"';
  }
  if (close) out += '}';
}

std::vector<double> NormalizedBounds(std::vector<double> bounds) {
  std::erase_if(bounds, [](double b) { return std::isnan(b) || std::isinf(b); });
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

}  // namespace

void Gauge::Add(double d) {
  AtomicAdd(value_, d);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(NormalizedBounds(std::move(bounds))),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  // Buckets are inclusive upper bounds (le); NaN lands in +Inf.
  std::size_t i = bounds_.size();
  if (!std::isnan(v)) i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  // Under concurrent Observe count_ can differ from the +Inf bucket by a few; Prometheus wants
  // _count == _bucket{le="+Inf"}, so report the bucket total.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

struct Metrics::Impl {
  struct Family {
    Type type;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;  // histograms
    std::map<std::vector<std::string>, std::unique_ptr<Counter>> counters;
    std::map<std::vector<std::string>, std::unique_ptr<Gauge>> gauges;
    std::map<std::vector<std::string>, std::unique_ptr<Histogram>> histograms;
  };

  // Returns the family, creating it, or nullptr when the request conflicts with it.
  Family* Find(const std::string& name, Type type, const std::string& help, const std::vector<std::string>& names,
               const std::vector<std::string>& values, const std::vector<double>* bounds) {
    if (names.size() != values.size() || !IsMetricName(name, true)) return nullptr;
    for (const auto& n : names) {
      if (!IsMetricName(n, false) || n.starts_with("__") || (type == Type::kHistogram && n == "le")) return nullptr;
    }
    auto it = families.find(name);
    if (it == families.end()) {
      Family f{type, help, names, bounds != nullptr ? NormalizedBounds(*bounds) : std::vector<double>{}, {}, {}, {}};
      it = families.emplace(name, std::move(f)).first;
      return &it->second;
    }
    Family& f = it->second;
    if (f.type != type || f.label_names != names) return nullptr;
    if (bounds != nullptr && f.bounds != NormalizedBounds(*bounds)) return nullptr;
    return &f;
  }

  mutable std::mutex mu;
  std::map<std::string, Family> families;
  Counter dummy_counter;
  Gauge dummy_gauge;
  Histogram dummy_histogram{LatencyBuckets()};
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

Counter& Metrics::counter(const std::string& family, const std::string& help,
                          const std::vector<std::string>& label_names, const std::vector<std::string>& label_values) {
  std::lock_guard lock(impl_->mu);
  Impl::Family* f = impl_->Find(family, Type::kCounter, help, label_names, label_values, nullptr);
  if (f == nullptr) return impl_->dummy_counter;
  auto& slot = f->counters[label_values];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::gauge(const std::string& family, const std::string& help, const std::vector<std::string>& label_names,
                      const std::vector<std::string>& label_values) {
  std::lock_guard lock(impl_->mu);
  Impl::Family* f = impl_->Find(family, Type::kGauge, help, label_names, label_values, nullptr);
  if (f == nullptr) return impl_->dummy_gauge;
  auto& slot = f->gauges[label_values];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::histogram(const std::string& family, const std::string& help,
                              const std::vector<std::string>& label_names, const std::vector<std::string>& label_values,
                              const std::vector<double>& bounds) {
  std::lock_guard lock(impl_->mu);
  Impl::Family* f = impl_->Find(family, Type::kHistogram, help, label_names, label_values, &bounds);
  if (f == nullptr) return impl_->dummy_histogram;
  auto& slot = f->histograms[label_values];
  if (!slot) slot = std::make_unique<Histogram>(f->bounds);
  return *slot;
}

std::string Metrics::Render() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, f] : impl_->families) {
    out += "# HELP ";
    out += name;
    out += ' ';
    AppendEscaped(out, f.help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += TypeName(f.type);
    out += '\n';
    switch (f.type) {
      case Type::kCounter:
        for (const auto& [values, c] : f.counters) {
          out += name;
          AppendLabels(out, f.label_names, values, true);
          out += ' ';
          AppendUint(out, c->value());
          out += '\n';
        }
        break;
      case Type::kGauge:
        for (const auto& [values, g] : f.gauges) {
          out += name;
          AppendLabels(out, f.label_names, values, true);
          out += ' ';
          AppendDouble(out, g->value());
          out += '\n';
        }
        break;
      case Type::kHistogram:
        for (const auto& [values, h] : f.histograms) {
          const Histogram::Snapshot s = h->snapshot();
          for (std::size_t i = 0; i <= s.bounds.size(); ++i) {
            out += name;
            out += "_bucket";
            if (f.label_names.empty()) {
              out += "{le=\"";
            } else {
              AppendLabels(out, f.label_names, values, false);
              out += ",le=\"";
            }
            if (i < s.bounds.size()) {
              AppendDouble(out, s.bounds[i]);
            } else {
              out += "+Inf";
            }
            out += "\"} ";
            AppendUint(out, s.cumulative[i]);
            out += '\n';
          }
          out += name;
          out += "_sum";
          AppendLabels(out, f.label_names, values, true);
          out += ' ';
          AppendDouble(out, s.sum);
          out += '\n';
          out += name;
          out += "_count";
          AppendLabels(out, f.label_names, values, true);
          out += ' ';
          AppendUint(out, s.count);
          out += '\n';
        }
        break;
    }
  }
  return out;
}

}  // namespace vgi::server
