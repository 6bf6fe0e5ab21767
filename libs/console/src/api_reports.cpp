// The console API's reports (api_internal.hpp; seed 002 §4.9, 003 §7.2.2): a day's, month's or
// year's load (energy, peak and valley with their minute, average, data quality) per operator,
// the demands answered in it (target, accepted, delivered energy, completion) and the
// settlement per operator, as JSON (schema Report) or as one CSV with three sections.
//
// The load is read from the store's operator-day sums (store::OperatorDay: one ~40 KB row per
// operator and day, not every station's 6 KB station-day). Memory stays bounded: the period is
// read in chunks of at most kChunkDays days (each operator's sums of the chunk, then dropped), so
// a year report holds about a month of one operator's sums at a time, never a year of them.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "api_internal.hpp"
#include "vgi/engine/regulator.hpp"
#include "vgi/proto/civil_time.hpp"

namespace vgi::console::api {
namespace {

using proto::BeijingDate;
using proto::BeijingMinute;

struct Period {
  std::string name;   // "day", "month", "year"
  std::string label;  // the date as asked: "2026-12-04", "2026-12", "2026"
  BeijingDate from;
  BeijingDate to;  // the period's last day, or today when the period is running
};

bool Digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// The period asked for; Invalid naming the field.
Result<Period> PeriodOf(const Call& call, BeijingMinute now) {
  const std::string name = call.query.Get("period").value_or("");
  if (name != "day" && name != "month" && name != "year") {
    return Status::Invalid("period: \"" + name + "\" must be day, month or year");
  }
  const std::string date = call.query.Get("date").value_or("");
  const char* form = name == "day" ? "yyyy-MM-dd" : name == "month" ? "yyyy-MM" : "yyyy";
  std::optional<BeijingDate> first;
  if (name == "day" && date.size() == 10) first = proto::ParseDate(date);
  if (name == "month" && date.size() == 7 && date[4] == '-' && Digits(date.substr(0, 4)) && Digits(date.substr(5))) {
    first = proto::ParseDate(date + "-01");
  }
  if (name == "year" && date.size() == 4 && Digits(date)) first = proto::ParseDate(date + "-01-01");
  if (!first) return Status::Invalid("date: \"" + date + "\" is not a " + name + "; use " + form + " (Beijing)");
  const BeijingDate today = proto::DateOf(now);
  if (*first > today) return Status::Invalid("date: " + date + " has not happened yet");
  BeijingDate last = *first;
  if (name != "day") {
    // The first day of the next month or year, minus one.
    int y = std::atoi(date.substr(0, 4).c_str());
    int m = name == "month" ? std::atoi(date.substr(5, 2).c_str()) + 1 : 13;
    if (m == 13) {
      m = 1;
      ++y;
    }
    const std::string yy = std::to_string(y);
    const auto n = proto::ParseDate(std::string(4 - std::min<std::size_t>(yy.size(), 4), '0') + yy +
                                    (m < 10 ? "-0" : "-") + std::to_string(m) + "-01");
    if (!n) return Status::Invalid("date: \"" + date + "\" is out of range");
    last = BeijingDate{n->days - 1};
  }
  return Period{name, date, *first, std::min(last, today)};
}

// Load of one operator (or of all) over the period.
struct LoadStats {
  std::string key;  // operator ID or "total"
  std::string name;
  std::int64_t centi_kw_minutes = 0;         // Σ slots (centi-kW × minute)
  std::int64_t present = 0;                  // station-minutes with data
  std::int64_t possible = 0;                 // stations × elapsed minutes
  std::int64_t elapsed = 0;                  // minutes of the period that have passed
  std::optional<std::int64_t> peak, valley;  // centi-kW over the aggregated curve
  BeijingMinute peak_at{}, valley_at{};
};

// centi-kW·min → kWh with 2 decimals (half away from zero).
proto::KilowattHours EnergyOf(std::int64_t centi_kw_minutes) {
  const std::int64_t q = centi_kw_minutes / 60, r = centi_kw_minutes % 60;
  return proto::KilowattHours::FromUnits(q + (2 * std::abs(r) >= 60 ? (centi_kw_minutes < 0 ? -1 : 1) : 0));
}

double OneDecimal(double v) {
  return std::round(v * 10.0) / 10.0;
}

// Folds one day's aggregated curve (minutes with any station present) into `s`.
void FoldCurve(LoadStats& s, BeijingDate day, const std::int64_t* curve, const std::int32_t* present, int minutes) {
  const BeijingMinute start = proto::StartOf(day);
  for (int m = 0; m < minutes; ++m) {
    if (present[m] <= 0) continue;
    const std::int64_t v = curve[m];
    if (!s.peak || v > *s.peak) {
      s.peak = v;
      s.peak_at = BeijingMinute{start.minutes + m};
    }
    if (!s.valley || v < *s.valley) {
      s.valley = v;
      s.valley_at = BeijingMinute{start.minutes + m};
    }
  }
}

struct SeriesPoint {
  std::string label;
  std::int64_t centi_kw_minutes = 0;
};

struct LoadReport {
  std::vector<LoadStats> by_operator;
  LoadStats total;
  std::vector<SeriesPoint> series;  // hourly (day), daily (month), monthly (year) energy of the total
};

// Days read per ListOperatorDays call: a month's sums of one operator (31 × ~40 KB) at a time.
constexpr int kChunkDays = 31;

Result<LoadReport> Load(Services& s, const Period& p, const std::vector<store::PeerRow>& peers, BeijingMinute now) {
  constexpr auto kSlots = static_cast<std::size_t>(store::kMinutesPerDay);
  LoadReport r;
  r.total.key = "total";
  std::vector<std::int64_t> active(peers.size());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    LoadStats& st = r.by_operator.emplace_back();
    st.key = peers[i].operator_id;
    st.name = peers[i].name;
    auto idx = s.store.ListStationIndex(peers[i].operator_id);
    if (!idx.ok()) return idx.status();
    active[i] = static_cast<std::int64_t>(idx->size());
  }
  if (p.name == "day") {
    for (int h = 0; h < 24; ++h) r.series.push_back({(h < 10 ? "0" : "") + std::to_string(h) + ":00", 0});
  }
  const BeijingDate today = proto::DateOf(now);
  auto minutes_of = [&](BeijingDate d) { return d == today ? proto::MinuteOfDay(now) : store::kMinutesPerDay; };
  for (BeijingDate from = p.from; from <= p.to; from = BeijingDate{from.days + kChunkDays}) {
    const BeijingDate to{std::min(p.to.days, from.days + kChunkDays - 1)};
    const auto n = static_cast<std::size_t>(to.days - from.days + 1);
    // The chunk's total curve (every operator's load per minute) and stations present per minute.
    std::vector<std::int64_t> total_curve(n * kSlots, 0), day_energy(n, 0);
    std::vector<std::int32_t> total_present(n * kSlots, 0);
    for (std::size_t i = 0; i < peers.size(); ++i) {
      auto days = s.store.ListOperatorDays(peers[i].operator_id, from, to);
      if (!days.ok()) return days.status();
      LoadStats& st = r.by_operator[i];
      std::vector<std::int64_t> reported(n, 0);  // stations with a station-day, per day of the chunk
      for (const store::OperatorDay& od : *days) {
        if (od.day < from || od.day > to || od.load.size() != kSlots || od.present.size() != kSlots) continue;
        const auto k = static_cast<std::size_t>(od.day.days - from.days);
        const int minutes = minutes_of(od.day);
        reported[k] = od.stations;
        for (int m = 0; m < minutes; ++m) {
          const auto mm = static_cast<std::size_t>(m);
          const std::int64_t load = od.load[mm];
          st.present += od.present[mm];
          st.centi_kw_minutes += load;
          total_curve[k * kSlots + mm] += load;
          total_present[k * kSlots + mm] += od.present[mm];
          if (p.name == "day") r.series[mm / 60].centi_kw_minutes += load;
          day_energy[k] += load;
        }
        FoldCurve(st, od.day, od.load.data(), od.present.data(), minutes);
      }
      // The possible station-minutes of a day were |active stations ∪ stations that reported| ×
      // minutes; the sums count the reporting stations without naming them, so the union becomes
      // max(active, reported): equal when one set holds the other (the usual case), lower when
      // stations outside the active set (retired, unknown) reported on a day some active ones did not.
      for (std::size_t k = 0; k < n; ++k) {
        const int minutes = minutes_of(BeijingDate{from.days + static_cast<int>(k)});
        st.possible += std::max(active[i], reported[k]) * minutes;
        st.elapsed += minutes;
      }
    }
    for (std::size_t k = 0; k < n; ++k) {
      const BeijingDate d{from.days + static_cast<int>(k)};
      const int minutes = minutes_of(d);
      FoldCurve(r.total, d, total_curve.data() + k * kSlots, total_present.data() + k * kSlots, minutes);
      r.total.elapsed += minutes;
      const std::string date = proto::FormatDate(d);
      if (p.name == "month") r.series.push_back({date, day_energy[k]});
      if (p.name == "year") {
        const std::string month = date.substr(0, 7);
        if (r.series.empty() || r.series.back().label != month) r.series.push_back({month, 0});
        r.series.back().centi_kw_minutes += day_energy[k];
      }
    }
  }
  r.total.present = r.total.possible = r.total.centi_kw_minutes = 0;
  for (const auto& st : r.by_operator) {
    r.total.present += st.present;
    r.total.possible += st.possible;
    r.total.centi_kw_minutes += st.centi_kw_minutes;
  }
  return r;
}

double QualityOf(const LoadStats& s) {
  return s.possible == 0 ? 0.0 : OneDecimal(static_cast<double>(s.present) * 100.0 / static_cast<double>(s.possible));
}

proto::Kilowatts AverageOf(const LoadStats& s) {
  if (s.elapsed == 0) return {};
  const std::int64_t q = s.centi_kw_minutes / s.elapsed, r = s.centi_kw_minutes % s.elapsed;
  return proto::Kilowatts::FromUnits(q + (2 * std::abs(r) >= s.elapsed ? (r < 0 ? -1 : 1) : 0));
}

void WriteLoad(JsonOut& out, const LoadStats& s) {
  out.StartObject().Key("operator_id").String(s.key);
  out.Key("name").String(s.name);
  out.Key("energy_kwh").Decimal(EnergyOf(s.centi_kw_minutes).ToString());
  out.Key("peak_kw");
  s.peak ? out.Kw(proto::Kilowatts::FromUnits(*s.peak)) : out.Null();
  out.Key("peak_at");
  s.peak ? out.String(proto::FormatMinute(s.peak_at)) : out.Null();
  out.Key("valley_kw");
  s.valley ? out.Kw(proto::Kilowatts::FromUnits(*s.valley)) : out.Null();
  out.Key("valley_at");
  s.valley ? out.String(proto::FormatMinute(s.valley_at)) : out.Null();
  out.Key("average_kw").Kw(AverageOf(s)).Key("data_quality_percent").Number(QualityOf(s));
  out.EndObject();
}

// ---- response

struct DemandLine {
  std::string task_id, type, state;
  BeijingMinute start{};
  proto::KilowattHours target, accepted, delivered;
};

// kW over a window (end minute inclusive) → kWh.
proto::KilowattHours WindowEnergy(const proto::AdjustTarget& w) {
  const std::int64_t minutes = w.end_time.minutes - w.start_time.minutes + 1;
  return EnergyOf(w.target_power.units() * std::max<std::int64_t>(minutes, 0));
}

bool Took(engine::RegulationState st) {
  using R = engine::RegulationState;
  return st == R::kAccepted || st == R::kPartial || st == R::kExecuting || st == R::kCompleted || st == R::kEvaluated ||
         st == R::kSettled;
}

Result<std::vector<DemandLine>> Responses(Services& s, const Period& p, const std::optional<std::string>& op) {
  store::DemandFilter f;
  f.limit = 1000000;
  auto demands = s.regulator.ListDemands(f);
  if (!demands.ok()) return demands.status();
  std::vector<DemandLine> out;
  simdjson::dom::parser parser;
  for (const auto& d : *demands) {
    if (d.spec.windows.empty()) continue;
    const BeijingDate day = proto::DateOf(d.spec.windows.front().start_time);
    if (day < p.from || day > p.to) continue;
    if (op && std::none_of(d.instructions.begin(), d.instructions.end(),
                           [&](const engine::InstructionView& i) { return i.operator_id == *op; })) {
      continue;
    }
    DemandLine line{d.spec.task_id,
                    std::string(engine::RegulationTypeName(d.spec.type)),
                    std::string(engine::DemandStateName(d.state)),
                    d.spec.windows.front().start_time,
                    {},
                    {},
                    {}};
    for (const auto& w : d.spec.windows) line.target = line.target + WindowEnergy(w);
    for (const auto& i : d.instructions) {
      if ((op && i.operator_id != *op) || !Took(i.state)) continue;
      for (const auto& w : i.accepted) line.accepted = line.accepted + WindowEnergy(w);
    }
    store::SettlementFilter sf;
    sf.task_id = d.spec.task_id;
    sf.operator_id = op;
    auto rows = s.store.ListSettlements(sf);
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      simdjson::dom::element doc;
      simdjson::dom::array periods;
      if (parser.parse(r.doc_json).get(doc) != simdjson::SUCCESS || doc["periods"].get(periods) != simdjson::SUCCESS) {
        return Status::Internal("settlement " + r.operator_id + "/" + r.regulation_id +
                                ": the document does not decode");
      }
      for (simdjson::dom::element e : periods) {
        std::string_view text;
        std::optional<proto::KilowattHours> kwh;
        if (e["deliveredKwh"].get(text) == simdjson::SUCCESS) kwh = proto::KilowattHours::Parse(text);
        if (!kwh) return Status::Internal("settlement " + r.operator_id + "/" + r.regulation_id + ": no deliveredKwh");
        line.delivered = line.delivered + *kwh;
      }
    }
    out.push_back(std::move(line));
  }
  std::sort(out.begin(), out.end(), [](const DemandLine& a, const DemandLine& b) {
    return std::tie(a.start.minutes, a.task_id) < std::tie(b.start.minutes, b.task_id);
  });
  return out;
}

std::optional<double> CompletionOf(proto::KilowattHours target, proto::KilowattHours delivered) {
  if (target.units() <= 0) return std::nullopt;
  return OneDecimal(static_cast<double>(delivered.units()) * 100.0 / static_cast<double>(target.units()));
}

// ---- settlement

struct SettlementSum {
  std::string key;
  std::int64_t instructions = 0;
  proto::KilowattHours target, delivered;
  proto::Yuan payments, penalties, earnings;
  void Add(const engine::Statement& st) {
    instructions += static_cast<std::int64_t>(st.instructions);
    target = target + st.target_energy;
    delivered = delivered + st.delivered_energy;
    payments = payments + st.payments;
    penalties = penalties + st.penalties;
    earnings = earnings + st.earnings;
  }
};

void WriteSettlement(JsonOut& out, const SettlementSum& s) {
  out.StartObject().Key("operator_id").String(s.key).Key("instructions").Int(s.instructions);
  out.Key("target_kwh").Decimal(s.target.ToString()).Key("delivered_kwh").Decimal(s.delivered.ToString());
  out.Key("payments_yuan").Decimal(s.payments.ToString()).Key("penalties_yuan").Decimal(s.penalties.ToString());
  out.Key("earnings_yuan").Decimal(s.earnings.ToString()).EndObject();
}

std::string Opt(const std::optional<std::int64_t>& v) {
  return v ? proto::Kilowatts::FromUnits(*v).ToString() : "";
}

}  // namespace

ApiResponse GetReport(Services& s, Call& call) {
  const BeijingMinute now = proto::ToBeijingMinute(s.clock.Now());
  auto period = PeriodOf(call, now);
  if (!period.ok()) {
    const std::string m(period.status().message());
    return ErrorResponse(400, m, m.substr(0, m.find(':')));
  }
  const std::string format = call.query.Get("format").value_or("json");
  if (format != "json" && format != "csv") return ErrorResponse(400, "format: must be json or csv", "format");
  std::optional<std::string> op = call.query.Get("operator");
  if (op && op->empty()) op.reset();

  auto all = s.store.ListPeers();
  if (!all.ok()) return StatusResponse(s, all.status());
  std::vector<store::PeerRow> peers;
  for (const auto& p : *all) {
    if (!op || p.operator_id == *op) peers.push_back(p);
  }
  if (op && peers.empty()) return ErrorResponse(400, "operator: no such operator " + *op, "operator");

  auto load = Load(s, *period, peers, now);
  if (!load.ok()) return StatusResponse(s, load.status());
  auto demands = Responses(s, *period, op);
  if (!demands.ok()) return StatusResponse(s, demands.status());
  store::SettlementFilter sf;
  sf.operator_id = op;
  sf.from_day = period->from;
  sf.to_day = period->to;
  sf.limit = 10000000;
  auto statements = s.regulator.Statements(sf, period->name == "year");
  if (!statements.ok()) return StatusResponse(s, statements.status());
  std::vector<SettlementSum> by_op;
  SettlementSum total;
  total.key = "total";
  for (const auto& st : *statements) {
    if (by_op.empty() || by_op.back().key != st.operator_id) by_op.emplace_back().key = st.operator_id;
    by_op.back().Add(st);
    total.Add(st);
  }
  proto::KilowattHours d_target, d_accepted, d_delivered;
  for (const auto& d : *demands) {
    d_target = d_target + d.target;
    d_accepted = d_accepted + d.accepted;
    d_delivered = d_delivered + d.delivered;
  }

  if (format == "csv") {
    std::string csv =
        "# load\r\noperator_id,name,energy_kwh,peak_kw,peak_at,valley_kw,valley_at,average_kw,"
        "data_quality_percent\r\n";
    auto load_line = [&](const LoadStats& l) {
      char q[32];
      std::snprintf(q, sizeof q, "%.1f", QualityOf(l));
      csv += CsvCell(l.key) + "," + CsvCell(l.name) + "," + EnergyOf(l.centi_kw_minutes).ToString() + "," +
             Opt(l.peak) + "," + (l.peak ? proto::FormatMinute(l.peak_at) : "") + "," + Opt(l.valley) + "," +
             (l.valley ? proto::FormatMinute(l.valley_at) : "") + "," + AverageOf(l).ToString() + "," + q + "\r\n";
    };
    for (const auto& l : load->by_operator) load_line(l);
    load_line(load->total);
    csv += "\r\n# response\r\ntask_id,type,state,start,target_kwh,accepted_kwh,delivered_kwh,completion_percent\r\n";
    auto completion = [](proto::KilowattHours t, proto::KilowattHours d) {
      const auto c = CompletionOf(t, d);
      if (!c) return std::string();
      char b[32];
      std::snprintf(b, sizeof b, "%.1f", *c);
      return std::string(b);
    };
    for (const auto& d : *demands) {
      csv += CsvCell(d.task_id) + "," + d.type + "," + d.state + "," + proto::FormatMinute(d.start) + "," +
             d.target.ToString() + "," + d.accepted.ToString() + "," + d.delivered.ToString() + "," +
             completion(d.target, d.delivered) + "\r\n";
    }
    csv += "total,,,," + d_target.ToString() + "," + d_accepted.ToString() + "," + d_delivered.ToString() + "," +
           completion(d_target, d_delivered) + "\r\n";
    csv +=
        "\r\n# settlement\r\noperator_id,instructions,target_kwh,delivered_kwh,payments_yuan,penalties_yuan,"
        "earnings_yuan\r\n";
    auto settle_line = [&](const SettlementSum& x) {
      csv += CsvCell(x.key) + "," + std::to_string(x.instructions) + "," + x.target.ToString() + "," +
             x.delivered.ToString() + "," + x.payments.ToString() + "," + x.penalties.ToString() + "," +
             x.earnings.ToString() + "\r\n";
    };
    for (const auto& x : by_op) settle_line(x);
    settle_line(total);
    ApiResponse r = JsonResponse(200, std::move(csv));
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"vgi-report-" + period->name + "-" + period->label + ".csv\"");
    return r;
  }

  JsonOut out;
  out.StartObject().Key("period").String(period->name).Key("date").String(period->label);
  out.Key("from").String(proto::FormatDate(period->from)).Key("to").String(proto::FormatDate(period->to));
  out.Key("operator");
  op ? out.String(*op) : out.Null();
  out.Key("load").StartObject().Key("by_operator").StartArray();
  for (const auto& l : load->by_operator) WriteLoad(out, l);
  out.EndArray().Key("total");
  WriteLoad(out, load->total);
  out.Key("series").StartArray();
  for (const auto& pt : load->series) {
    out.StartObject().Key("label").String(pt.label);
    out.Key("energy_kwh").Decimal(EnergyOf(pt.centi_kw_minutes).ToString()).EndObject();
  }
  out.EndArray().EndObject();
  out.Key("response").StartObject().Key("demands").StartArray();
  auto write_completion = [&](proto::KilowattHours t, proto::KilowattHours d) {
    const auto c = CompletionOf(t, d);
    c ? out.Number(*c) : out.Null();
  };
  for (const auto& d : *demands) {
    out.StartObject().Key("task_id").String(d.task_id).Key("type").String(d.type).Key("state").String(d.state);
    out.Key("start").String(proto::FormatMinute(d.start)).Key("target_kwh").Decimal(d.target.ToString());
    out.Key("accepted_kwh").Decimal(d.accepted.ToString()).Key("delivered_kwh").Decimal(d.delivered.ToString());
    out.Key("completion_percent");
    write_completion(d.target, d.delivered);
    out.EndObject();
  }
  out.EndArray().Key("total").StartObject().Key("demands").Int(static_cast<std::int64_t>(demands->size()));
  out.Key("target_kwh").Decimal(d_target.ToString()).Key("accepted_kwh").Decimal(d_accepted.ToString());
  out.Key("delivered_kwh").Decimal(d_delivered.ToString()).Key("completion_percent");
  write_completion(d_target, d_delivered);
  out.EndObject().EndObject();
  out.Key("settlement").StartObject().Key("by_operator").StartArray();
  for (const auto& x : by_op) WriteSettlement(out, x);
  out.EndArray().Key("total");
  WriteSettlement(out, total);
  out.EndObject().EndObject();
  return JsonResponse(200, out.Take());
}

}  // namespace vgi::console::api
