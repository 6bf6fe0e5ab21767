#include "bench_fleet.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <string_view>
#include <vector>

#include "vgi/proto/civil_time.hpp"
#include "vgi/server/config.hpp"
#include "vgi/store/postgres_store.hpp"

namespace vgi::app::bench {
namespace {

// A station's bounds vary a little by station: top 280..380 kW, bottom 0..20 kW (loads are
// 20..270 kW, bench_models.cpp).
void VaryBounds(proto::StationPower& p, std::int64_t g) {
  p.adjust_top_power = proto::Kilowatts::FromUnits(28'000 + (g * 7'919) % 10'000);
  p.adjust_bottom_power = proto::Kilowatts::FromUnits((g * 104'729) % 2'000);
}

}  // namespace

std::string OperatorIdOf(int op) {
  char id[16];
  std::snprintf(id, sizeof id, "6%08d", op + 1);
  return id;
}

double MsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

double MaxRssMb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

Result<std::unique_ptr<FleetStore>> FleetStore::Open(const Options& o, const std::string& scratch_prefix) {
  auto fleet = std::unique_ptr<FleetStore>(new FleetStore());
  std::string dir = o.data_dir;
  if (dir.empty()) {
    fleet->scratch_.emplace(scratch_prefix);
    dir = fleet->scratch_->path();
    if (dir.empty()) return Status::Internal("cannot create a temporary folder");
  }
  server::Config config;
  config.data_dir = dir;
  config.database = o.database;
  VGI_ASSIGN_OR_RETURN(fleet->handle_, server::OpenConfiguredStore(config, Clock::System(), /*create_key=*/true));
  return fleet;
}

Status FleetLoader::Run() {
  const proto::BeijingMinute now = proto::ToBeijingMinute(Clock::System().Now());
  const proto::BeijingDate today = proto::DateOf(now);
  for (int op = 0; op < operators_; ++op) {
    Progress("model and history", op);
    VGI_RETURN_IF_ERROR(PutOperator(op));
    for (int k = o_.history_days; k >= 1; --k) {
      const proto::BeijingDate day{today.days - k};
      VGI_RETURN_IF_ERROR(PutPower(op, proto::StartOf(day), proto::kMinutesPerDay));
    }
  }
  VGI_RETURN_IF_ERROR(PutTopology());
  return RunToday();
}

Status FleetLoader::RunToday() {
  const proto::BeijingDate today = proto::DateOf(proto::ToBeijingMinute(Clock::System().Now()));
  for (int op = 0; op < operators_; ++op) {
    Progress("today's power", op);
    const proto::BeijingMinute current = proto::ToBeijingMinute(Clock::System().Now());
    VGI_RETURN_IF_ERROR(PutPower(op, proto::StartOf(today), proto::MinuteOfDay(current) + 1));
  }
  if (!o_.quiet) std::fprintf(stderr, "\r  loaded %d operators x %d stations%30s\n", operators_, per_op_, "");
  // PostgreSQL holds what was just written pending until its folder gets to it, within seconds
  // of a load this size (it is due by its points). Timed runs start from the folded state a
  // server is in whenever no backfill is under way.
  if (store_.backend() == "postgres") {
    const auto start = std::chrono::steady_clock::now();
    VGI_ASSIGN_OR_RETURN(const std::size_t folded, store::FoldPendingPower(store_));
    if (!o_.quiet) {
      std::fprintf(stderr, "  folded %zu pending station updates in %.1f s\n", folded,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  return Status::Ok();
}

std::int64_t FleetLoader::InPrefix() const {
  std::int64_t n = 0;
  for (std::int64_t g = 0; g < Total(); ++g) n += std::string_view(kAreas[g % 10]).starts_with(kAreaPrefix) ? 1 : 0;
  return n;
}

std::int64_t FleetLoader::InTransformerAreas(int n) const {
  std::int64_t in = 0;
  for (std::int64_t g = 0; g < Total(); ++g) in += g % kTransformerAreas < n ? 1 : 0;
  return in;
}

namespace {

std::string MarketOf(std::int64_t g) {
  std::string market = "M";
  market.append(kAreas[g % 10], 4);
  return market;
}

}  // namespace

std::vector<std::string> FleetLoader::Markets() const {
  std::set<std::string> markets;
  for (std::int64_t g = 0; g < std::min<std::int64_t>(10, Total()); ++g) markets.insert(MarketOf(g));
  return {markets.begin(), markets.end()};
}

Status FleetLoader::PutTopology() {
  std::vector<store::TopologyEntry> entries;
  entries.reserve(static_cast<std::size_t>(Total()));
  for (int op = 0; op < operators_; ++op) {
    for (int s = 0; s < per_op_; ++s) {
      const std::int64_t g = Global(op, s);
      std::string area = "T";
      area += std::to_string(g % kTransformerAreas);
      entries.push_back({OperatorIdOf(op), StationCode(kFleetCodePrefix, g), MarketOf(g), std::move(area)});
    }
  }
  return store_.ReplaceTopology(entries, "bench fleet").status().WithPrefix("topology");
}

Status FleetLoader::PutOperator(int op) {
  const std::string id = OperatorIdOf(op);
  store::PeerRow peer;
  peer.operator_id = id;
  peer.name = "Bench operator " + std::to_string(op + 1);
  peer.base_url = "https://127.0.0.1:9/evcs/v1";  // never called: nothing relays in these benches
  peer.enabled = true;
  peer.created_at = peer.updated_at = Clock::System().Now();
  VGI_RETURN_IF_ERROR(store_.PutPeer(peer).WithPrefix("peer " + id));
  proto::StationInfoPage page;
  page.total_count = per_op_;
  page.page_count = 1;
  page.page_no = 1;
  for (int s = 0; s < per_op_; ++s) {
    const std::int64_t g = Global(op, s);
    page.stations.push_back(MakeStation(id, StationCode(kFleetCodePrefix, g), g, o_.stakes_per_station));
    page.stations.back().area_code = kAreas[g % 10];
  }
  VGI_ASSIGN_OR_RETURN(const store::PageReceipt receipt, store_.PutStationPage(id, page));
  if (!receipt.applied) return Status::Internal("stations of " + id + ": the one-page sync was not applied");
  return Status::Ok();
}

Status FleetLoader::PutPower(int op, proto::BeijingMinute first, int minutes) {
  const std::string id = OperatorIdOf(op);
  const std::string credit = CreditCodeFor(id);
  store::WriteBatch batch;
  batch.power.reserve(static_cast<std::size_t>(per_op_));
  for (int s = 0; s < per_op_; ++s) {
    const std::int64_t g = Global(op, s);
    store::PowerUpdate u{id, MakePowerRange(credit, StationCode(kFleetCodePrefix, g), g, first, minutes)};
    VaryBounds(u.power, g);
    batch.power.push_back(std::move(u));
  }
  return store_.Commit(batch).WithPrefix("power of " + id);
}

void FleetLoader::Progress(const char* what, int op) const {
  if (!o_.quiet) std::fprintf(stderr, "\r  loading %s: operator %d of %d   ", what, op + 1, operators_);
}

}  // namespace vgi::app::bench
