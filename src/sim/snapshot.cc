#include "sim/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/sha256.h"
#include "mrt/writer.h"
#include "sim/churn.h"
#include "sim/real_internet.h"
#include "sim/registrations.h"
#include "sim/rib_builder.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/synthetic_topology.h"
#include "snapshot/layout.h"

namespace vigia::sim {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr Asn kCollectorAsn = 12654;       // the collectors' own AS, as RIS uses
constexpr size_t kMaxNlriPerUpdate = 200;  // keeps UPDATEs under 4,096 octets
// Ten times the real collectors' 100-300 M prefix updates a day.
constexpr uint64_t kMaxChurnPerDay = 3'000'000'000;

int64_t EpochOf(uint32_t yyyymmdd) {
  struct tm tm = {};
  tm.tm_year = static_cast<int>(yyyymmdd / 10000) - 1900;
  tm.tm_mon = static_cast<int>(yyyymmdd / 100 % 100) - 1;
  tm.tm_mday = static_cast<int>(yyyymmdd % 100);
  return static_cast<int64_t>(timegm(&tm));
}

uint32_t DateOf(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  return static_cast<uint32_t>((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

bool ValidDate(uint32_t d) {
  const uint32_t y = d / 10000, m = d / 100 % 100, day = d % 100;
  return y >= 1990 && y <= 2100 && m >= 1 && m <= 12 && day >= 1 && day <= 31 &&
         DateOf(EpochOf(d)) == d;
}

Status WriteText(const fs::path& path, std::string_view text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Status::IoError(fmt::format("{}: cannot create", path.string()));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok)
    return Status::IoError(fmt::format("{}: write failed", path.string()));
  return Status::Ok();
}

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Collector peers: the largest transit networks (by customers) and then
// transit networks drawn at random, as RIS and RouteViews peer mostly with
// transit providers of all sizes.
std::vector<uint32_t> ChoosePeers(const SyntheticInternet& net, uint32_t n, uint64_t seed) {
  const auto& g = net.graph;
  n = std::min<uint32_t>(n, static_cast<uint32_t>(g.as_count()));
  std::vector<uint32_t> order(g.as_count());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (g.Customers(a).size() != g.Customers(b).size()) {
      return g.Customers(a).size() > g.Customers(b).size();
    }
    return g.AsnAt(a) < g.AsnAt(b);
  });
  std::vector<uint32_t> peers(order.begin(), order.begin() + (n * 2 + 4) / 5);
  std::vector<uint8_t> taken(g.as_count(), 0);
  for (uint32_t p : peers) taken[p] = 1;
  // The rest from the transit ASes (or anyone, when there are few).
  std::vector<uint32_t> pool;
  for (uint32_t i : order) {
    if (!taken[i] && !g.Customers(i).empty()) pool.push_back(i);
  }
  if (pool.size() < n - peers.size()) {
    for (uint32_t i : order) {
      if (!taken[i] && g.Customers(i).empty()) pool.push_back(i);
    }
  }
  Rng rng(seed * 31 + 7);
  while (peers.size() < n && !pool.empty()) {
    const size_t k = rng.Below(pool.size());
    peers.push_back(pool[k]);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
  }
  return peers;
}

struct Session {
  CollectorPeer peer;  // as = the dense index
  size_t slot = 0;     // peer slot (ScenarioConfig::peers, PeerPaths)
  Family family = Family::kIpv4;
};

struct CollectorPlan {
  Collector collector;
  std::vector<Session> sessions;
  IpAddress local_v4, local_v6;
};

// An address of the peer's own space for its session: the first
// allocation it holds in that family, plus one; documentation space when it
// holds none.
IpAddress PeerAddress(const SyntheticInternet& net, Asn asn, Family f, uint32_t n) {
  for (const Allocation& a : net.allocations) {
    if (a.holder != asn || a.prefix.family() != f) continue;
    IpAddress x = a.prefix.address();
    x.mutable_bytes()[f == Family::kIpv4 ? 3 : 15] += static_cast<uint8_t>(1 + n % 200);
    return x;
  }
  return f == Family::kIpv4 ? *IpAddress::Parse(fmt::format("192.0.2.{}", 1 + n % 250))
                            : *IpAddress::Parse(fmt::format("2001:db8::{:x}", 1 + n));
}

// Update messages of one collector, grouped: one UPDATE per (time, session,
// path) with every prefix that changed to it then.
struct UpdateKey {
  int64_t time;
  uint32_t usec;
  uint32_t session;
  int32_t job;  // -1: withdrawal
  auto operator<=>(const UpdateKey&) const = default;
};

// Writes one UPDATE (several when more than kMaxNlriPerUpdate prefixes):
// `path` announced, or withdrawn when null.
class UpdateWriter {
 public:
  UpdateWriter(const CollectorPlan& cp, std::vector<std::unique_ptr<mrt::MrtWriter>>* files,
               int64_t window_start, uint32_t days)
      : cp_(cp), files_(files), window_start_(window_start), days_(days) {
    m_.local_as = kCollectorAsn;
    m_.as4 = true;
  }
  Status Write(int64_t time, uint32_t usec, uint32_t session, const std::vector<Asn>* path,
               std::span<const Prefix> prefixes) {
    const Session& ss = cp_.sessions[session];
    const bool v6 = ss.family == Family::kIpv6;
    m_.peer_as = ss.peer.asn;
    m_.afi = v6 ? bgp::kAfiIpv6 : bgp::kAfiIpv4;
    m_.peer_ip = ss.peer.ip;
    m_.local_ip = v6 ? cp_.local_v6 : cp_.local_v4;
    const int64_t day = std::clamp<int64_t>((time - window_start_) / 86400, 0, days_ - 1);
    for (size_t from = 0; from < prefixes.size(); from += kMaxNlriPerUpdate) {
      const size_t to = std::min(prefixes.size(), from + kMaxNlriPerUpdate);
      bgp::Update& u = m_.message.update;
      u.withdrawn.clear();
      u.nlri.clear();
      u.attrs.Clear();
      std::vector<bgp::NlriEntry> list;
      for (size_t i = from; i < to; ++i) list.push_back({prefixes[i], 0});
      if (path == nullptr) {
        if (v6) {
          bgp::MpUnreach& mu = u.attrs.AddMpUnreach();
          mu.afi = bgp::kAfiIpv6;
          mu.safi = bgp::kSafiUnicast;
          mu.supported = true;
          mu.nlri = std::move(list);
        } else {
          u.withdrawn = std::move(list);
        }
      } else {
        u.attrs.Set(bgp::kAttrOrigin);
        u.attrs.origin = 0;  // IGP
        u.attrs.Set(bgp::kAttrAsPath);
        u.attrs.as_path.segments.push_back(
            {bgp::kAsSequence, static_cast<uint16_t>(std::min<size_t>(path->size(), 255))});
        u.attrs.as_path.asns.assign(path->begin(),
                                    path->begin() + std::min<size_t>(path->size(), 255));
        if (v6) {
          bgp::MpReach& mr = u.attrs.AddMpReach();
          mr.afi = bgp::kAfiIpv6;
          mr.safi = bgp::kSafiUnicast;
          mr.next_hop = ss.peer.ip;
          mr.next_hop_length = 16;
          mr.supported = true;
          mr.nlri = std::move(list);
        } else {
          u.attrs.Set(bgp::kAttrNextHop);
          u.attrs.next_hop = ss.peer.ip;
          u.nlri = std::move(list);
        }
      }
      if (Status s = (*files_)[day]->WriteBgp4mpUpdate(static_cast<uint32_t>(time), usec, m_);
          !s.ok()) {
        return s;
      }
      ++messages_;
    }
    return Status::Ok();
  }
  uint64_t messages() const { return messages_; }

 private:
  const CollectorPlan& cp_;
  std::vector<std::unique_ptr<mrt::MrtWriter>>* files_;
  int64_t window_start_;
  uint32_t days_;
  mrt::Bgp4mpMessage m_;
  uint64_t messages_ = 0;
};

// Background churn of one collector to merge with the scenario's updates.
struct ChurnInput {
  ChurnStream* stream = nullptr;
  std::span<const RibPrefix> rib;
  const PeerPaths* paths = nullptr;
};

Status WriteUpdates(const fs::path& dir, const CollectorPlan& cp, const Scenario& sc, uint32_t days,
                    int gzip_level, const ChurnInput& churn, uint64_t* messages) {
  std::map<UpdateKey, std::vector<Prefix>> msgs;
  std::map<Prefix, int32_t> current(sc.baseline.begin(), sc.baseline.end());
  static const std::vector<Asn> kNoPath;
  for (const RouteEvent& e : sc.events) {
    auto it = current.find(e.prefix);
    const int32_t before = it == current.end() ? -1 : it->second;
    for (uint32_t s = 0; s < cp.sessions.size(); ++s) {
      const Session& ss = cp.sessions[s];
      if (ss.family != e.prefix.family()) continue;
      const auto& old_path = before < 0 ? kNoPath : sc.job_paths[before][ss.slot];
      const auto& new_path = e.job < 0 ? kNoPath : sc.job_paths[e.job][ss.slot];
      if (old_path == new_path) continue;
      // Each session hears of a change after its own delay (up to 40 s).
      const uint64_t h = Mix(static_cast<uint64_t>(e.time) * 1315423911u ^ (uint64_t{s} << 48) ^
                             static_cast<uint64_t>(ss.peer.asn));
      const UpdateKey key{e.time + static_cast<int64_t>(h % 40),
                          static_cast<uint32_t>((h >> 8) % 1'000'000), s,
                          new_path.empty() ? -1 : e.job};
      msgs[key].push_back(e.prefix);
    }
    current[e.prefix] = e.job;
  }

  std::vector<std::unique_ptr<mrt::MrtWriter>> files(days);
  for (uint32_t d = 0; d < days; ++d) {
    const fs::path p = dir / snapshot::UpdatesName(cp.collector.name,
                                                   DateOf(sc.window_start + int64_t{86400} * d));
    auto w = mrt::MrtWriter::Create(p.string(), gzip_level);
    if (!w.ok()) return w.status();
    files[d] = std::move(w).value();
  }
  UpdateWriter out(cp, &files, sc.window_start, days);
  // Churn messages go before any scenario message of a later (time, usec,
  // session), so every file stays in time order.
  ChurnMessage cm;
  bool have_churn = churn.stream != nullptr && churn.stream->Next(&cm);
  std::vector<Prefix> churn_prefixes;
  std::vector<Asn> churn_path;
  auto write_churn_before = [&](const UpdateKey* limit) -> Status {
    while (have_churn) {
      const int64_t time = cm.time_us / 1'000'000;
      const uint32_t usec = static_cast<uint32_t>(cm.time_us % 1'000'000);
      if (limit != nullptr &&
          std::tie(time, usec, cm.session) >= std::tie(limit->time, limit->usec, limit->session)) {
        break;
      }
      churn_prefixes.clear();
      for (uint32_t i = 0; i < cm.count; ++i)
        churn_prefixes.push_back(churn.rib[cm.rib_begin + i].prefix);
      const std::vector<Asn>* path = nullptr;
      if (!cm.withdraw) {
        const auto best =
            churn.paths->Path(churn.rib[cm.rib_begin].origin_slot, cp.sessions[cm.session].slot);
        churn_path.assign(best.begin(), best.end());
        if (!churn_path.empty()) churn_path.insert(churn_path.end(), cm.prepend, churn_path.back());
        path = &churn_path;
      }
      if (Status s = out.Write(time, usec, cm.session, path, churn_prefixes); !s.ok()) return s;
      have_churn = churn.stream->Next(&cm);
    }
    return Status::Ok();
  };
  for (const auto& [key, prefixes] : msgs) {
    if (Status s = write_churn_before(&key); !s.ok()) return s;
    const Session& ss = cp.sessions[key.session];
    const std::vector<Asn>* path = key.job < 0 ? nullptr : &sc.job_paths[key.job][ss.slot];
    if (Status s = out.Write(key.time, key.usec, key.session, path, prefixes); !s.ok()) return s;
  }
  if (Status s = write_churn_before(nullptr); !s.ok()) return s;
  for (auto& f : files) {
    if (Status s = f->Close(); !s.ok()) return s;
  }
  *messages += out.messages();
  return Status::Ok();
}

// Runs fn(0..n-1) on up to `threads` threads; the first failure (by index)
// is returned.
Status ForEachCollector(size_t n, unsigned threads, const std::function<Status(size_t)>& fn) {
  std::vector<Status> status(n, Status::Ok());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t c; (c = next.fetch_add(1)) < n;) status[c] = fn(c);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<size_t>(threads, n); ++t) pool.emplace_back(work);
  work();
  for (std::thread& th : pool) th.join();
  for (Status& s : status) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// RIS and RouteViews collector names, alternately (RIS's active rrcNN,
// RouteViews' route-viewsN; names with no dot, as snapshot/layout.h's file
// names need).
std::string RealCollectorName(uint32_t c) {
  static constexpr int kRis[] = {0,  1,  3,  4,  5,  6,  7,  10, 11, 12, 13, 14,
                                 15, 16, 18, 19, 20, 21, 22, 23, 24, 25, 26};
  constexpr uint32_t kRisCount = sizeof(kRis) / sizeof(kRis[0]);
  const uint32_t k = c / 2;
  if (c % 2 == 0) return fmt::format("rrc{:02}", k < kRisCount ? kRis[k] : 27 + (k - kRisCount));
  return fmt::format("route-views{}", k + 2);
}

// extra/manrs_isps.csv in the format of the MANRS participant list: the
// organisations all of whose ASes register in RPKI, IRR and PeeringDB, each
// with probability one half.
std::string ManrsParticipants(const SyntheticInternet& net, const Registrations& regs,
                              uint64_t seed) {
  std::unordered_map<Asn, size_t> pos;
  for (size_t i = 0; i < net.ases.size(); ++i) pos[net.ases[i].asn] = i;
  Rng rng(seed * 131 + 17);
  std::string out =
      "\xEF\xBB\xBFOrganization Name,Areas,ASNs,Action 1: Filtering,Action 2: Anti-spoofing,"
      "Action 3: Coordination,Action 4: Global Validation\n";
  for (const SynthOrg& org : net.orgs) {
    bool all = !org.ases.empty();
    for (Asn a : org.ases) {
      auto it = pos.find(a);
      if (it == pos.end() || it->second >= regs.rpki_adopter.size()) {
        all = false;
        break;
      }
      const size_t i = it->second;
      all = all && regs.rpki_adopter[i] && regs.irr_adopter[i] && regs.in_peeringdb[i] &&
            regs.has_poc[i];
    }
    if (!all || !rng.Chance(0.5)) continue;
    std::string asns;
    for (Asn a : org.ases) asns += (asns.empty() ? "" : ";") + std::to_string(a);
    std::string name = org.name;
    std::replace(name.begin(), name.end(), ',', ' ');
    out += fmt::format("{},{},{},Yes,{},Yes,Yes\n", name, org.country, asns,
                       rng.Chance(0.6) ? "Yes" : "No");
  }
  return out;
}

// extra/spoofer-sessions.csv in the columns of the CAIDA Spoofer project's
// session export: one network in ten runs the client, one to three
// sessions each, the day before the window. A network filters spoofed
// sources (BCP 38) with probability 0.85 if it adopted RPKI, else 0.55;
// a filtering network's outcomes are "blocked", or "rewritten" behind a
// NAT, the others' "received".
std::string SpooferSessions(const SyntheticInternet& net, const Registrations& regs, uint64_t seed,
                            int64_t window_start) {
  Rng rng(seed * 977 + 5);
  std::string out = "session,timestamp,asn4,client4,country,nat4,privaddr4,routable4\n";
  uint64_t session = 1000;
  for (size_t i = 0; i < net.ases.size(); ++i) {
    if (!rng.Chance(0.1)) continue;
    const SynthAs& a = net.ases[i];
    const bool adopter = i < regs.rpki_adopter.size() && regs.rpki_adopter[i];
    const bool filters = rng.Chance(adopter ? 0.85 : 0.55);
    const int sessions = 1 + static_cast<int>(rng.Below(3));
    for (int k = 0; k < sessions; ++k) {
      const bool nat = rng.Chance(0.3);
      const char* outcome = filters ? (nat ? "rewritten" : "blocked") : "received";
      out +=
          fmt::format("{},{},{},,{},{},{},{}\n", ++session,
                      IsoTime(window_start - 86400 + static_cast<int64_t>(rng.Below(86400))), a.asn,
                      a.country, nat ? "yes" : "no", nat ? "rewritten" : outcome, outcome);
    }
  }
  return out;
}

}  // namespace

Result<SimulateReport> Simulate(const SimulateOptions& o) {
  SimulateReport rep;
  auto t = Clock::now();
  auto step = [&](const char* name) {
    const auto now = Clock::now();
    if (!rep.steps.empty()) {
      rep.steps.back().seconds = std::chrono::duration<double>(now - t).count();
    }
    t = now;
    if (name) {
      rep.steps.push_back({name, 0});
      if (o.progress) o.progress(name);
    }
  };
  if (o.out.empty()) return Status::InvalidArgument("--out is required");
  if (!ValidDate(o.date))
    return Status::InvalidArgument(fmt::format("--date {}: not a date YYYYMMDD", o.date));
  if (o.peers < 1 || o.peers > 10'000) return Status::InvalidArgument("--peers: from 1 to 10000");
  if (o.collectors < 1 || o.collectors > o.peers) {
    return Status::InvalidArgument("--collectors: from 1 to the number of peers");
  }
  if (o.days < 1 || o.days > 31) return Status::InvalidArgument("--days: from 1 to 31");
  if (!(o.ipv6_share >= 0 && o.ipv6_share <= 1)) {
    return Status::InvalidArgument("--ipv6-share: from 0 to 1");
  }
  if (o.collector_names != "sim" && o.collector_names != "real") {
    return Status::InvalidArgument(
        fmt::format("--collector-names {}: 'sim' or 'real'", o.collector_names));
  }
  if (o.gzip_level < 1 || o.gzip_level > 9) {
    return Status::InvalidArgument("--gzip-level: from 1 to 9");
  }
  if (o.churn > kMaxChurnPerDay) {
    return Status::InvalidArgument(
        fmt::format("--churn: at most {} prefix updates per day", kMaxChurnPerDay));
  }
  if (!o.incidents.empty()) {
    if (auto p = ParsePlan(o.incidents, IncidentPlan{}); !p.ok()) return p.status();
  }
  if (o.asrel.empty() && (!o.pfx2as.empty() || !o.as2org.empty())) {
    return Status::InvalidArgument("--pfx2as and --as2org need --asrel");
  }
  const fs::path out(o.out);
  const fs::path partial = out.string() + ".partial";
  std::error_code ec;
  if (fs::exists(out, ec) && !o.force) {
    return Status::InvalidArgument(
        fmt::format("{}: already exists (use --force to replace it)", out.string()));
  }
  fs::remove_all(partial, ec);
  // A failed run leaves nothing behind.
  struct RemoveOnError {
    fs::path path;
    bool done = false;
    ~RemoveOnError() {
      std::error_code e;
      if (!done) fs::remove_all(path, e);
    }
  } cleanup{partial};
  for (const snapshot::PartInfo& part : snapshot::Parts()) {
    fs::create_directories(partial / part.dir, ec);
    if (ec)
      return Status::IoError(fmt::format("{}: {}", (partial / part.dir).string(), ec.message()));
  }

  // 1. The Internet.
  step("topology");
  SyntheticInternet net;
  if (o.asrel.empty()) {
    SyntheticConfig cfg;
    cfg.ases = o.ases;
    cfg.prefixes = o.prefixes;
    cfg.seed = o.seed;
    cfg.date = o.date;
    cfg.ipv6_share = o.ipv6_share;
    auto made = GenerateTopology(cfg);
    if (!made.ok()) return made.status();
    net = std::move(made).value();
  } else {
    RealInputs in;
    in.asrel_path = o.asrel;
    in.as2org_path = o.as2org;
    in.pfx2as_path = o.pfx2as;
    in.date = o.date;
    in.seed = o.seed;
    in.prefixes = o.prefixes;
    auto made = BuildRealInternet(in);
    if (!made.ok()) return made.status();
    net = std::move(made).value();
  }
  if (net.announcements.empty()) {
    return Status::InvalidArgument(fmt::format("{}: no prefix whose origin is in the AS graph",
                                               o.pfx2as.empty() ? "--prefixes" : o.pfx2as));
  }
  rep.ases = net.graph.as_count();
  rep.links = net.graph.link_count();

  // 2. Registrations.
  step("registrations");
  RegistrationConfig rc;
  rc.seed = o.seed;
  rc.date = o.date;
  Registrations regs = GenerateRegistrations(net, rc);

  // 3. Collectors and their peers.
  const std::vector<uint32_t> peers = ChoosePeers(net, o.peers, o.seed);
  std::vector<CollectorPlan> plans(o.collectors);
  for (uint32_t c = 0; c < o.collectors; ++c) {
    CollectorPlan& cp = plans[c];
    cp.collector.name =
        o.collector_names == "real" ? RealCollectorName(c) : fmt::format("sim{:02}", c);
    cp.collector.id = IpAddress::V4(0xC6336400u + c + 1);  // 198.51.100.0/24 (RFC 5737)
    cp.local_v4 = cp.collector.id;
    cp.local_v6 = *IpAddress::Parse(fmt::format("2001:db8:ffff::{:x}", c + 1));
  }
  for (size_t s = 0; s < peers.size(); ++s) {
    CollectorPlan& cp = plans[s % o.collectors];
    const Asn asn = net.graph.AsnAt(peers[s]);
    const uint32_t c = static_cast<uint32_t>(s % o.collectors);
    for (Family f : {Family::kIpv4, Family::kIpv6}) {
      Session ss;
      ss.slot = s;
      ss.family = f;
      ss.peer.as = peers[s];
      ss.peer.asn = asn;
      ss.peer.ip = PeerAddress(net, asn, f, c);
      ss.peer.bgp_id = PeerAddress(net, asn, Family::kIpv4, c);
      ss.peer.family = f;
      cp.sessions.push_back(ss);
    }
  }
  for (CollectorPlan& cp : plans) {
    for (const Session& ss : cp.sessions) cp.collector.peers.push_back(ss.peer);
  }
  rep.peers = peers.size();
  rep.collectors = plans.size();

  // 4. The scenario.
  step("incidents");
  IncidentPlan plan = DefaultPlan(net);
  if (!o.incidents.empty()) {
    auto p = ParsePlan(o.incidents, plan);
    if (!p.ok()) return p.status();
    plan = *p;
  }
  ScenarioConfig scfg;
  scfg.seed = o.seed;
  scfg.window_start = EpochOf(o.date);
  scfg.days = o.days;
  scfg.plan = plan;
  scfg.peers = peers;
  scfg.threads = o.threads;
  if (o.progress) {
    scfg.progress = [&o](std::string_view kind) { o.progress(fmt::format("incidents: {}", kind)); };
  }
  auto built = BuildScenario(net, &regs, scfg, &rep.shortfall);
  if (!built.ok()) return built.status();
  const Scenario sc = std::move(built).value();
  rep.incidents = sc.incidents.size();
  rep.benign = sc.benign.size();
  rep.events = sc.events.size();

  // 5. Routing from every origin to every peer.
  step("routing");
  std::unordered_map<uint32_t, uint32_t> slot_of;
  std::vector<uint32_t> origins;
  for (const Announcement& a : net.announcements) {
    auto i = net.graph.Index(a.origin);
    if (!i) continue;
    if (slot_of.try_emplace(*i, static_cast<uint32_t>(origins.size())).second)
      origins.push_back(*i);
  }
  PeerPaths paths = PeerPaths::Compute(net.graph, peers, origins, o.threads);

  // 6. RIBs.
  step("ribs");
  std::map<Prefix, int32_t> baseline(sc.baseline.begin(), sc.baseline.end());
  std::unordered_map<int32_t, uint32_t> job_slot;
  std::vector<RibPrefix> rib;
  rib.reserve(net.announcements.size() + baseline.size());
  for (const Announcement& a : net.announcements) {
    auto i = net.graph.Index(a.origin);
    if (!i || baseline.contains(a.prefix)) continue;
    rib.push_back({a.prefix, slot_of.at(*i)});
  }
  for (const auto& [prefix, job] : baseline) {
    if (job < 0) continue;
    auto [it, fresh] = job_slot.try_emplace(job, 0);
    if (fresh) it->second = static_cast<uint32_t>(paths.Append(sc.job_paths[job]));
    rib.push_back({prefix, it->second});
  }
  std::sort(rib.begin(), rib.end(), [](const RibPrefix& a, const RibPrefix& b) {
    return std::tie(a.prefix, a.origin_slot) < std::tie(b.prefix, b.origin_slot);
  });
  rib.erase(std::unique(rib.begin(), rib.end(),
                        [](const RibPrefix& a, const RibPrefix& b) {
                          return a.prefix == b.prefix && a.origin_slot == b.origin_slot;
                        }),
            rib.end());
  rep.prefixes = rib.size();
  const uint32_t day0 = o.date;
  const unsigned threads =
      o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  // Each collector's files depend only on the collector, so they are
  // written on several threads with the same bytes.
  std::vector<uint64_t> rib_entries(plans.size(), 0);
  auto write_rib = [&](size_t c) -> Status {
    const CollectorPlan& cp = plans[c];
    std::vector<size_t> slots;
    for (const Session& ss : cp.sessions) slots.push_back(ss.slot);
    const fs::path p = partial / "mrt" / snapshot::RibDumpName(cp.collector.name, day0);
    auto st = WriteCollectorRib(p.string(), cp.collector, slots, paths, rib,
                                static_cast<uint32_t>(sc.window_start), o.gzip_level);
    if (!st.ok()) return st.status();
    rib_entries[c] = st->entries;
    return Status::Ok();
  };
  if (Status s = ForEachCollector(plans.size(), threads, write_rib); !s.ok()) return s;
  for (uint64_t n : rib_entries) rep.rib_entries += n;
  if (o.churn == 0) paths = PeerPaths();

  // 7. Updates.
  step("updates");
  ChurnConfig ccfg;
  ccfg.prefix_updates_per_day = o.churn;
  ccfg.seed = o.seed;
  ccfg.window_start = sc.window_start;
  ccfg.days = o.days;
  ccfg.total_peers = peers.size();
  ccfg.plain_origin_slots = static_cast<uint32_t>(origins.size());
  std::vector<uint64_t> messages(plans.size(), 0), churned(plans.size(), 0);
  auto write_updates = [&](size_t c) -> Status {
    const CollectorPlan& cp = plans[c];
    std::optional<ChurnStream> stream;
    ChurnInput in;
    if (o.churn > 0) {
      std::vector<ChurnSession> sessions;
      for (const Session& ss : cp.sessions) sessions.push_back({ss.slot, ss.family});
      stream.emplace(ccfg, rib, paths, std::move(sessions), static_cast<uint32_t>(c));
      in = {&*stream, rib, &paths};
    }
    Status st = WriteUpdates(partial / "mrt", cp, sc, o.days, o.gzip_level, in, &messages[c]);
    if (stream) churned[c] = stream->prefix_updates();
    return st;
  };
  if (Status s = ForEachCollector(plans.size(), threads, write_updates); !s.ok()) return s;
  for (size_t c = 0; c < plans.size(); ++c) {
    rep.update_messages += messages[c];
    rep.churn_prefix_updates += churned[c];
  }
  paths = PeerPaths();

  // 8. Registrations, registry, topology, PeeringDB, participants, truth.
  step("files");
  const int64_t generated = sc.window_start;
  if (Status s = WriteRoas(regs, (partial / "rpki" / snapshot::kVrpFile).string(), generated);
      !s.ok())
    return s;
  if (Status s = WriteRpslDumps(net, regs, (partial / "irr").string()); !s.ok()) return s;
  if (Status s = WriteDelegatedFiles(net, (partial / "registry").string()); !s.ok()) return s;
  if (Status s = WriteText(partial / "topology" / snapshot::AsRelName(o.date), AsRelText(net));
      !s.ok()) {
    return s;
  }
  if (Status s = WriteText(partial / "topology" / snapshot::As2OrgName(o.date), As2OrgText(net));
      !s.ok()) {
    return s;
  }
  if (Status s =
          WritePeeringDb(net, regs, (partial / "peeringdb" / snapshot::kPeeringDbFile).string());
      !s.ok()) {
    return s;
  }
  if (Status s =
          WriteText(partial / "extra" / snapshot::kManrsFile, ManrsParticipants(net, regs, o.seed));
      !s.ok()) {
    return s;
  }
  if (Status s = WriteText(partial / "extra" / snapshot::kSpooferFile,
                           SpooferSessions(net, regs, o.seed, sc.window_start));
      !s.ok()) {
    return s;
  }
  if (Status s = WriteText(partial / snapshot::kTruthFile, TruthJson(sc, regs)); !s.ok()) return s;
  rep.roas = regs.roas.size();
  rep.aspas = regs.aspas.size();
  rep.route_objects = regs.route_objects.size();

  // 9. The manifest, then the rename that publishes the snapshot.
  step("manifest");
  using nlohmann::ordered_json;
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(partial)) {
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), partial).generic_string());
  }
  std::sort(files.begin(), files.end());
  ordered_json m;
  m["format"] = snapshot::kFormat;
  m["date"] = IsoTime(sc.window_start).substr(0, 10);
  m["window"] = {{"start", IsoTime(sc.window_start)}, {"end", IsoTime(sc.window_end)}};
  ordered_json opts;
  opts["seed"] = o.seed;
  opts["days"] = o.days;
  opts["peers"] = o.peers;
  opts["collectors"] = o.collectors;
  if (o.asrel.empty()) {
    opts["ases"] = o.ases;
    opts["prefixes"] = o.prefixes;
  } else {
    // Names only, so that the manifest does not depend on where the inputs lie.
    opts["asrel"] = fs::path(o.asrel).filename().string();
    if (!o.as2org.empty()) opts["as2org"] = fs::path(o.as2org).filename().string();
    if (!o.pfx2as.empty())
      opts["pfx2as"] = fs::path(o.pfx2as).filename().string();
    else
      opts["prefixes"] = o.prefixes;
  }
  opts["incidents"] = o.incidents.empty() ? "default" : o.incidents;
  // Only when set, so that earlier snapshots' manifests stay as they were.
  if (o.ipv6_share != SimulateOptions{}.ipv6_share && o.asrel.empty())
    opts["ipv6_share"] = o.ipv6_share;
  if (o.churn != 0) opts["churn"] = o.churn;
  if (o.collector_names != "sim") opts["collector_names"] = o.collector_names;
  if (o.gzip_level != 6) opts["gzip_level"] = o.gzip_level;
  m["generator"] = {{"name", "vigia simulate"}, {"options", opts}};
  m["simulated"] = true;
  ordered_json fl = ordered_json::array();
  for (const std::string& f : files) {
    auto sum = Sha256File((partial / f).string());
    if (!sum.ok()) return sum.status();
    fl.push_back({{"path", f},
                  {"size", fs::file_size(partial / f)},
                  {"sha256", *sum},
                  {"source", "simulated"}});
  }
  m["files"] = std::move(fl);
  if (Status s = WriteText(partial / snapshot::kManifestFile, m.dump(1) + "\n"); !s.ok()) return s;
  files.push_back(std::string(snapshot::kManifestFile));
  std::sort(files.begin(), files.end());
  rep.files = files;

  if (fs::exists(out, ec)) fs::remove_all(out, ec);
  fs::rename(partial, out, ec);
  if (!ec) cleanup.done = true;
  if (ec)
    return Status::IoError(
        fmt::format("{}: cannot rename to {}: {}", partial.string(), out.string(), ec.message()));
  step(nullptr);
  return rep;
}

}  // namespace vigia::sim
