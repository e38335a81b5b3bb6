#include "sim/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "detect/incident_type.h"
#include "sim/rng.h"
#include "sim/routing.h"

namespace vigia::sim {

// The names come from the incident-type registry, so that truth.json and
// the detectors agree by construction.
const char* IncidentTypeName(IncidentType t) {
  switch (t) {
    case IncidentType::kHijack:
      return detect::kHijack.data();
    case IncidentType::kSubprefixHijack:
      return detect::kSubprefixHijack.data();
    case IncidentType::kRouteLeak:
      return detect::kRouteLeak.data();
    case IncidentType::kBogonPrefix:
      return detect::kBogonPrefix.data();
    case IncidentType::kBogonAsn:
      return detect::kBogonAsn.data();
    case IncidentType::kRpkiInvalid:
      return detect::kRpkiInvalid.data();
  }
  return "?";
}

const char* BenignKindName(BenignKind k) {
  switch (k) {
    case BenignKind::kSiblingMoas:
      return "sibling_moas";
    case BenignKind::kDdosProtection:
      return "ddos_protection";
    case BenignKind::kCustomerSubprefix:
      return "customer_subprefix";
  }
  return "?";
}

IncidentPlan DefaultPlan(const SyntheticInternet& net) {
  IncidentPlan p;
  const uint32_t per_type =
      std::clamp<uint32_t>(static_cast<uint32_t>(net.ases.size() / 200), 3, 200);
  for (uint32_t& n : p.incidents) n = per_type;
  for (uint32_t& n : p.benign) n = per_type;
  p.flaps = std::clamp<uint32_t>(static_cast<uint32_t>(net.announcements.size() / 200), 5, 5000);
  return p;
}

Result<IncidentPlan> ParsePlan(std::string_view spec, const IncidentPlan& base) {
  IncidentPlan p = base;
  if (spec == "none") return IncidentPlan{};
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("--incidents: '{}' is not NAME=COUNT", item));
    }
    const std::string_view name = item.substr(0, eq), count = item.substr(eq + 1);
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (ec != std::errc() || end != count.data() + count.size() || n > 100'000) {
      return Status::InvalidArgument(
          fmt::format("--incidents: '{}': '{}' is not a count from 0 to 100000", item, count));
    }
    bool known = false;
    for (int t = 0; t < kIncidentTypeCount; ++t) {
      if (name == IncidentTypeName(static_cast<IncidentType>(t))) p.incidents[t] = n, known = true;
    }
    for (int k = 0; k < kBenignKindCount; ++k) {
      if (name == BenignKindName(static_cast<BenignKind>(k))) p.benign[k] = n, known = true;
    }
    if (name == "flaps") p.flaps = n, known = true;
    if (!known) {
      std::string names;
      for (int t = 0; t < kIncidentTypeCount; ++t)
        names += IncidentTypeName(static_cast<IncidentType>(t)) + std::string(", ");
      for (int k = 0; k < kBenignKindCount; ++k)
        names += BenignKindName(static_cast<BenignKind>(k)) + std::string(", ");
      return Status::InvalidArgument(
          fmt::format("--incidents: unknown name '{}' ({}flaps)", name, names));
    }
  }
  return p;
}

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr int kMaxAttempts = 400;         // candidates tried per event
constexpr size_t kMaxLeakPrefixes = 200;  // per leak

// The k-th more-specific of length `len` inside p (k taken modulo their
// number).
Prefix SubPrefix(const Prefix& p, uint8_t len, uint64_t k) {
  IpAddress a = p.address();
  uint8_t* b = a.mutable_bytes();
  for (int bit = len - 1; bit >= p.length(); --bit, k >>= 1) {
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit % 8));
    if (k & 1) {
      b[bit / 8] |= mask;
    } else {
      b[bit / 8] &= static_cast<uint8_t>(~mask);
    }
  }
  return Prefix(a, len).Masked();
}

uint8_t MaxLen(Family f) { return f == Family::kIpv4 ? 24 : 48; }

class Builder {
 public:
  Builder(const SyntheticInternet& net, Registrations* regs, const ScenarioConfig& cfg)
      : net_(net),
        regs_(*regs),
        cfg_(cfg),
        rng_(cfg.seed * 0x9E3779B97F4A7C15ull + 0x5CE0),
        router_(net.graph) {}

  Result<Scenario> Build(std::string* shortfall);

 private:
  // --- Lookups.
  uint32_t Index(Asn asn) const {
    auto i = net_.graph.Index(asn);
    return i ? *i : kNone;
  }
  const SynthAs* AsOf(uint32_t index) const {
    auto it = pos_.find(net_.graph.AsnAt(index));
    return it == pos_.end() ? nullptr : &net_.ases[it->second];
  }
  bool Siblings(uint32_t a, uint32_t b) const {
    const SynthAs* x = AsOf(a);
    const SynthAs* y = AsOf(b);
    return x && y && x->org == y->org;
  }
  bool Related(uint32_t a, uint32_t b) const {
    return a == b || Siblings(a, b) ||
           net_.graph.RelationOf(net_.graph.AsnAt(a), net_.graph.AsnAt(b)) !=
               topology::Relation::kNone;
  }
  bool RpkiAdopter(uint32_t index) const {
    auto it = pos_.find(net_.graph.AsnAt(index));
    return it != pos_.end() && it->second < regs_.rpki_adopter.size() &&
           regs_.rpki_adopter[it->second];
  }
  bool IrrAdopter(uint32_t index) const {
    auto it = pos_.find(net_.graph.AsnAt(index));
    return it != pos_.end() && it->second < regs_.irr_adopter.size() &&
           regs_.irr_adopter[it->second];
  }
  // ROAs whose prefix covers p (p itself included).
  std::vector<const SimRoa*> CoveringRoas(const Prefix& p) const {
    std::vector<const SimRoa*> out;
    for (int len = p.length(); len >= 0; --len) {
      auto it = roas_.find(Prefix(p.address(), static_cast<uint8_t>(len)).Masked());
      if (it == roas_.end()) continue;
      for (size_t i : it->second) out.push_back(&regs_.roas[i]);
    }
    return out;
  }
  // A random AS (dense index) whose tier is in `tiers` (a bit per Tier).
  uint32_t RandomAs(unsigned tiers) {
    for (int i = 0; i < 1000; ++i) {
      const uint32_t x = static_cast<uint32_t>(rng_.Below(net_.graph.as_count()));
      const SynthAs* a = AsOf(x);
      if (a && (tiers >> static_cast<int>(a->tier) & 1)) return x;
    }
    return kNone;
  }
  // A random announcement of `origin` (or of anyone, origin kNone) whose
  // allocation no other event touches.
  const Announcement* FreeAnnouncement(uint32_t origin, bool v4_only = false,
                                       bool splittable = false) {
    const size_t n = origin == kNone ? net_.announcements.size() : ann_of_[origin].size();
    if (n == 0) return nullptr;
    for (int i = 0; i < 40; ++i) {
      const size_t k = rng_.Below(n);
      const Announcement& a = net_.announcements[origin == kNone ? k : ann_of_[origin][k]];
      if (alloc_used_[a.allocation]) continue;
      if (v4_only && a.prefix.family() != Family::kIpv4) continue;
      if (splittable && a.prefix.length() >= MaxLen(a.prefix.family())) continue;
      if (Index(a.origin) == kNone) continue;
      return &a;
    }
    return nullptr;
  }
  // A more-specific of p that nobody announces, of length up to /24 (/48).
  std::optional<Prefix> FreeMoreSpecific(const Prefix& p) {
    const uint8_t top = MaxLen(p.family());
    if (p.length() >= top) return std::nullopt;
    for (int i = 0; i < 8; ++i) {
      const uint8_t len = static_cast<uint8_t>(
          std::min<uint64_t>(top, p.length() + 1 + rng_.Below(std::min<int>(4, top - p.length()))));
      const Prefix q = SubPrefix(p, len, rng_.Below(uint64_t{1} << std::min(20, len - p.length())));
      if (!announced_.contains(q) && !event_prefixes_.contains(q)) return q;
    }
    return std::nullopt;
  }

  // --- Jobs and their paths. A job's paths are computed at once when
  // `now` (the caller looks at them), else later, over threads.
  int32_t Job(const RouteJob& j, bool now = true);
  void ComputePaths(const RouteJob& j, Router* router, RouteTree* tree,
                    std::vector<uint8_t>* leaked, std::vector<std::vector<Asn>>* paths) const;
  void ComputePending();
  const std::vector<std::vector<Asn>>& Paths(int32_t job) const { return out_.job_paths[job]; }
  bool SeenWithOrigin(int32_t job, Asn origin) const {
    for (const auto& p : Paths(job)) {
      if (!p.empty() && p.back() == origin) return true;
    }
    return false;
  }
  bool SeenAtAll(int32_t job) const {
    for (const auto& p : Paths(job)) {
      if (!p.empty()) return true;
    }
    return false;
  }
  // The neighbour that passed the culprit's route on in most peer paths of
  // the job (only paths that hold the culprit; ties to the lowest ASN).
  std::optional<Asn> Propagator(int32_t job, Asn culprit) const {
    std::map<Asn, size_t> count;
    for (const auto& p : Paths(job)) {
      for (size_t i = 1; i < p.size(); ++i) {
        if (p[i] == culprit) ++count[p[i - 1]];
      }
    }
    std::optional<Asn> best;
    size_t n = 0;
    for (auto [asn, c] : count) {
      if (c > n) best = asn, n = c;
    }
    return best;
  }

  // --- Time.
  // A duration from minutes to days, log-uniform, that fits the window.
  std::pair<int64_t, int64_t> Interval() {
    const int64_t w = out_.window_end - out_.window_start;
    const int64_t longest = std::max<int64_t>(600, std::min<int64_t>(w * 3 / 4, 4 * 86400));
    const int64_t d = static_cast<int64_t>(rng_.LogUniform(300, static_cast<uint64_t>(longest)));
    const int64_t slack = std::max<int64_t>(1, w - d - 1200);
    const int64_t s =
        out_.window_start + 600 + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(slack)));
    return {s, s + d};
  }
  void Event(int64_t t, const Prefix& p, int32_t job) {
    out_.events.push_back({t, p, job});
    event_prefixes_.insert(p);
  }
  void SetBaseline(const Prefix& p, int32_t job) { baseline_[p] = job; }
  // Marks p as routed from its announcement's origin(s) at the start.
  void KeepBaseline(const Prefix& p) {
    if (baseline_.contains(p)) return;
    auto it = origins_of_.find(p);
    if (it == origins_of_.end()) return;
    RouteJob j;
    j.origins = it->second;
    baseline_[p] = Job(j, false);
  }
  void UseAllocationOf(const Prefix& p) {
    for (const Allocation* a : AllocationsCovering(p)) alloc_used_[a - net_.allocations.data()] = 1;
  }
  std::vector<const Allocation*> AllocationsCovering(const Prefix& p) const {
    std::vector<const Allocation*> out;
    for (int len = p.length(); len >= 0; --len) {
      auto it = alloc_at_.find(Prefix(p.address(), static_cast<uint8_t>(len)).Masked());
      if (it != alloc_at_.end()) out.push_back(&net_.allocations[it->second]);
    }
    return out;
  }

  // --- Events.
  bool Hijack();
  bool SubprefixHijack();
  bool Leak(int type);
  bool BogonPrefix(int n);
  bool BogonAsn(int n);
  bool RpkiInvalid(bool persistent);
  bool SiblingMoas();
  bool Ddos();
  bool CustomerSubprefix();
  bool Flap();

  TruthEntry& Incident(IncidentType t, std::string kind, Asn culprit, std::optional<Asn> prop,
                       std::vector<Prefix> prefixes, std::pair<int64_t, int64_t> when,
                       std::string note) {
    out_.incidents.push_back({IncidentTypeName(t), std::move(kind), culprit, prop,
                              std::move(prefixes), when.first, when.second, std::move(note)});
    return out_.incidents.back();
  }
  TruthEntry& Benign(const char* looks_like, BenignKind k, Asn culprit, std::optional<Asn> prop,
                     std::vector<Prefix> prefixes, std::pair<int64_t, int64_t> when,
                     std::string note) {
    out_.benign.push_back({looks_like, BenignKindName(k), culprit, prop, std::move(prefixes),
                           when.first, when.second, std::move(note)});
    return out_.benign.back();
  }
  void AddRoa(const SimRoa& roa) {
    roas_[roa.prefix].push_back(regs_.roas.size());
    regs_.AddRoa(roa);
  }
  std::string RpkiNote(const Prefix& p, Asn origin) const {
    const auto roas = CoveringRoas(p);
    if (roas.empty()) return "RPKI not-found";
    for (const SimRoa* r : roas) {
      if (r->asn == origin && p.length() <= r->max_length) return "RPKI valid";
    }
    return "RPKI invalid";
  }

  const SyntheticInternet& net_;
  Registrations& regs_;
  const ScenarioConfig& cfg_;
  Rng rng_;
  Router router_;
  RouteTree tree_;
  std::vector<uint8_t> leaked_;
  Scenario out_;

  std::unordered_map<Asn, size_t> pos_;        // ASN -> ases() position
  std::vector<std::vector<uint32_t>> ann_of_;  // dense index -> announcements
  std::set<Prefix> announced_;
  std::map<Prefix, std::vector<uint32_t>> origins_of_;  // announced prefix -> origins
  std::map<Prefix, size_t> alloc_at_;
  std::vector<uint8_t> alloc_used_;
  std::map<Prefix, std::vector<size_t>> roas_;
  std::set<Prefix> event_prefixes_;
  std::map<Prefix, int32_t> baseline_;
  std::map<std::tuple<std::vector<uint32_t>, uint32_t, uint32_t, Asn>, int32_t> job_ids_;
  std::vector<uint32_t> ddos_providers_;
  std::vector<uint8_t> is_peer_;
  std::vector<uint8_t> peer_below_;  // a collector peer in the AS's customer cone
  std::vector<int32_t> pending_;     // jobs whose paths are not computed yet
};

int32_t Builder::Job(const RouteJob& j, bool now) {
  auto key = std::make_tuple(j.origins, j.leak_culprit, j.leak_receiver, j.appended_asn);
  auto [it, fresh] = job_ids_.try_emplace(key, static_cast<int32_t>(out_.jobs.size()));
  if (!fresh) {
    if (now && out_.job_paths[it->second].empty()) {
      ComputePaths(j, &router_, &tree_, &leaked_, &out_.job_paths[it->second]);
      std::erase(pending_, it->second);
    }
    return it->second;
  }
  out_.jobs.push_back(j);
  out_.job_paths.emplace_back();
  if (now) {
    ComputePaths(j, &router_, &tree_, &leaked_, &out_.job_paths.back());
  } else {
    pending_.push_back(it->second);
  }
  return it->second;
}

void Builder::ComputePaths(const RouteJob& j, Router* router, RouteTree* tree,
                           std::vector<uint8_t>* leaked,
                           std::vector<std::vector<Asn>>* paths) const {
  if (j.leak_culprit != kNone) {
    router->ComputeLeak(j.origins[0], j.leak_culprit, j.leak_receiver, tree, leaked);
  } else {
    router->Compute(j.origins, tree);
  }
  paths->assign(cfg_.peers.size(), {});
  std::vector<uint32_t> path;
  for (size_t s = 0; s < cfg_.peers.size(); ++s) {
    tree->PathFrom(cfg_.peers[s], &path);
    if (path.empty()) continue;
    for (uint32_t x : path) (*paths)[s].push_back(net_.graph.AsnAt(x));
    if (j.appended_asn != 0) (*paths)[s].push_back(j.appended_asn);
  }
}

void Builder::ComputePending() {
  unsigned threads =
      cfg_.threads ? cfg_.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(1, pending_.size())));
  std::atomic<size_t> next{0};
  auto work = [&] {
    Router router(net_.graph);
    RouteTree tree;
    std::vector<uint8_t> leaked;
    for (size_t k; (k = next.fetch_add(1)) < pending_.size();) {
      const int32_t job = pending_[k];
      ComputePaths(out_.jobs[job], &router, &tree, &leaked, &out_.job_paths[job]);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  pending_.clear();
}

bool Builder::Hijack() {
  const Announcement* a = FreeAnnouncement(kNone);
  if (!a) return false;
  const uint32_t victim = Index(a->origin);
  const uint32_t h =
      RandomAs(1u << static_cast<int>(Tier::kTier2) | 1u << static_cast<int>(Tier::kTier3) |
               1u << static_cast<int>(Tier::kStub));
  if (h == kNone || Related(victim, h) || origins_of_[a->prefix].size() != 1) return false;
  RouteJob j;
  j.origins = {victim, h};
  std::sort(j.origins.begin(), j.origins.end());
  const int32_t job = Job(j);
  const Asn hasn = net_.graph.AsnAt(h);
  if (!SeenWithOrigin(job, hasn)) return false;
  const auto when = Interval();
  KeepBaseline(a->prefix);
  Event(when.first, a->prefix, job);
  Event(when.second, a->prefix, baseline_[a->prefix]);
  UseAllocationOf(a->prefix);
  Incident(IncidentType::kHijack, "exact", hasn, Propagator(job, hasn), {a->prefix}, when,
           fmt::format("AS{} originates {} of AS{} (no sibling or neighbour relation); {}", hasn,
                       a->prefix.ToString(), a->origin, RpkiNote(a->prefix, hasn)));
  return true;
}

bool Builder::SubprefixHijack() {
  const Announcement* a = FreeAnnouncement(kNone, false, true);
  if (!a) return false;
  const uint32_t victim = Index(a->origin);
  const uint32_t h =
      RandomAs(1u << static_cast<int>(Tier::kTier2) | 1u << static_cast<int>(Tier::kTier3) |
               1u << static_cast<int>(Tier::kStub));
  if (h == kNone || Related(victim, h)) return false;
  const auto q = FreeMoreSpecific(a->prefix);
  if (!q) return false;
  RouteJob j;
  j.origins = {h};
  const int32_t job = Job(j);
  const Asn hasn = net_.graph.AsnAt(h);
  if (!SeenAtAll(job)) return false;
  const auto when = Interval();
  Event(when.first, *q, job);
  Event(when.second, *q, -1);
  UseAllocationOf(a->prefix);
  Incident(IncidentType::kSubprefixHijack, "more_specific", hasn, Propagator(job, hasn), {*q}, when,
           fmt::format("AS{} originates {}, inside {} of AS{}; {}", hasn, q->ToString(),
                       a->prefix.ToString(), a->origin, RpkiNote(*q, hasn)));
  return true;
}

// RFC 7908 §3: type 1 hairpin (provider to provider), type 2 lateral (peer
// to peer), type 3 provider routes to a peer, type 4 peer routes to a
// provider.
bool Builder::Leak(int type) {
  const bool from_provider = type == 1 || type == 3;
  const bool to_provider = type == 1 || type == 4;
  const uint32_t c =
      RandomAs(1u << static_cast<int>(Tier::kTier2) | 1u << static_cast<int>(Tier::kTier3) |
               1u << static_cast<int>(Tier::kStub));
  if (c == kNone) return false;
  if (from_provider ? net_.graph.Providers(c).empty() : net_.graph.Peers(c).empty()) return false;
  // A hairpin needs a second provider to send the routes of the first to.
  if (type == 1 && net_.graph.Providers(c).size() < 2) return false;
  // A peer passes a leak on to its customers only, so a collector sees it
  // only when one of its peers is in the receiver's customer cone; best
  // when the receiver is a collector peer itself.
  std::vector<uint32_t> receivers;
  for (uint32_t r : to_provider ? net_.graph.Providers(c) : net_.graph.Peers(c)) {
    if (to_provider || is_peer_[r]) receivers.push_back(r);
  }
  if (receivers.empty() && !to_provider) {
    for (uint32_t r : net_.graph.Peers(c)) {
      if (peer_below_[r]) receivers.push_back(r);
    }
  }
  if (receivers.empty()) return false;
  const uint32_t r = receivers[rng_.Below(receivers.size())];
  const size_t want = rng_.LogUniform(1, 12);
  std::vector<uint32_t> origins;
  std::vector<Prefix> prefixes;
  std::vector<int32_t> jobs;
  const RouteType learnt = from_provider ? RouteType::kProvider : RouteType::kPeer;
  for (int tries = 0; tries < 30 && origins.size() < want; ++tries) {
    // Routes from a peer lead into the peer's customer cone: an origin
    // found by walking down from one of the culprit's peers. Routes from a
    // provider lead almost anywhere.
    uint32_t o;
    if (from_provider) {
      o = Index(net_.announcements[rng_.Below(net_.announcements.size())].origin);
    } else {
      const auto peers = net_.graph.Peers(c);
      o = peers[rng_.Below(peers.size())];
      while (!net_.graph.Customers(o).empty() && rng_.Chance(0.75)) {
        const auto down = net_.graph.Customers(o);
        o = down[rng_.Below(down.size())];
      }
    }
    if (o == kNone || o == c || o == r ||
        std::find(origins.begin(), origins.end(), o) != origins.end()) {
      continue;
    }
    // Every free prefix of that origin leaks.
    std::vector<Prefix> mine;
    for (uint32_t k : ann_of_[o]) {
      const Announcement& b = net_.announcements[k];
      if (!alloc_used_[b.allocation] && origins_of_[b.prefix].size() == 1) mine.push_back(b.prefix);
    }
    if (mine.empty() || prefixes.size() + mine.size() > kMaxLeakPrefixes) continue;
    if (!router_.ComputeLeak(o, c, r, &tree_, &leaked_) || tree_.type[c] != learnt) continue;
    bool seen = false;
    for (uint32_t p : cfg_.peers) seen |= leaked_[p] != 0;
    if (!seen) continue;
    RouteJob j;
    j.origins = {o};
    j.leak_culprit = c;
    j.leak_receiver = r;
    const int32_t job = Job(j, false);
    origins.push_back(o);
    for (const Prefix& p : mine) {
      prefixes.push_back(p);
      jobs.push_back(job);
      UseAllocationOf(p);
    }
  }
  if (origins.empty()) return false;
  const auto when = Interval();
  for (size_t i = 0; i < prefixes.size(); ++i) {
    KeepBaseline(prefixes[i]);
    Event(when.first, prefixes[i], jobs[i]);
    Event(when.second, prefixes[i], baseline_[prefixes[i]]);
  }
  const Asn casn = net_.graph.AsnAt(c), rasn = net_.graph.AsnAt(r);
  std::sort(prefixes.begin(), prefixes.end());
  Incident(IncidentType::kRouteLeak, fmt::format("rfc7908_type{}", type), casn, rasn, prefixes,
           when,
           fmt::format("AS{} sends routes of {} origin(s) learnt from a {} to its {} AS{} "
                       "(RFC 7908 type {})",
                       casn, origins.size(), from_provider ? "provider" : "peer",
                       to_provider ? "provider" : "peer", rasn, type));
  return true;
}

bool Builder::BogonPrefix(int n) {
  // Alternately special-purpose space (RFC 6890) and space an RIR holds
  // as available (an administrative bogon).
  const uint32_t x =
      RandomAs(1u << static_cast<int>(Tier::kTier3) | 1u << static_cast<int>(Tier::kStub));
  if (x == kNone) return false;
  Prefix p;
  std::string kind;
  const uint64_t k = static_cast<uint64_t>(n);
  bool have_pool = false;
  for (const PoolRecord& r : net_.pool) have_pool |= !r.is_asn && !r.reserved;
  // Without RIR pool records (a real-based Internet), special-purpose only.
  if (n % 2 == 0 || !have_pool) {
    kind = "special_purpose";
    static constexpr const char* kBlocks[] = {"10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16",
                                              "100.64.0.0/10", "198.18.0.0/15", "169.254.0.0/16",
                                              "240.0.0.0/4",   "fc00::/7",      "2001:db8::/32"};
    const Prefix block = *Prefix::Parse(kBlocks[(k / 2) % std::size(kBlocks)]);
    const uint8_t len = block.family() == Family::kIpv4 ? 24 : 48;
    p = SubPrefix(block, len, rng_.Below(uint64_t{1} << std::min(20, len - block.length())));
  } else {
    kind = "unallocated";
    std::vector<const PoolRecord*> free;
    for (const PoolRecord& r : net_.pool) {
      if (!r.is_asn && !r.reserved) free.push_back(&r);
    }
    if (free.empty()) return false;
    const Prefix block = free[rng_.Below(free.size())]->prefix;
    const uint8_t len =
        std::max<uint8_t>(block.length(), block.family() == Family::kIpv4 ? 22 : 40);
    p = SubPrefix(block, len, rng_.Below(uint64_t{1} << std::min(20, len - block.length())));
  }
  if (event_prefixes_.contains(p) || announced_.contains(p)) return false;
  RouteJob j;
  j.origins = {x};
  const int32_t job = Job(j);
  if (!SeenAtAll(job)) return false;
  const Asn xasn = net_.graph.AsnAt(x);
  const auto when = Interval();
  Event(when.first, p, job);
  Event(when.second, p, -1);
  Incident(IncidentType::kBogonPrefix, kind, xasn, Propagator(job, xasn), {p}, when,
           fmt::format("AS{} originates {} ({})", xasn, p.ToString(),
                       kind == "special_purpose" ? "special-purpose space, RFC 6890"
                                                 : "space the RIR holds as available"));
  return true;
}

bool Builder::BogonAsn(int n) {
  // A private ASN (RFC 6996, 16- and 32-bit), AS_TRANS (RFC 6793) or a
  // documentation ASN (RFC 5398) left in the path behind the culprit.
  const uint32_t x =
      RandomAs(1u << static_cast<int>(Tier::kTier3) | 1u << static_cast<int>(Tier::kStub));
  if (x == kNone || RpkiAdopter(x)) return false;
  const Announcement* a = FreeAnnouncement(x, false, true);
  if (!a) return false;
  const auto q = FreeMoreSpecific(a->prefix);
  if (!q) return false;
  Asn bogon;
  std::string kind;
  switch (n % 4) {
    case 0:
      bogon = static_cast<Asn>(rng_.Between(64512, 65534)), kind = "private_16bit";
      break;
    case 1:
      bogon = static_cast<Asn>(rng_.Between(4200000000u, 4294967294u)), kind = "private_32bit";
      break;
    case 2:
      bogon = 23456, kind = "as_trans";
      break;
    default:
      bogon = static_cast<Asn>(rng_.Between(64496, 64511)), kind = "documentation";
      break;
  }
  RouteJob j;
  j.origins = {x};
  j.appended_asn = bogon;
  const int32_t job = Job(j);
  if (!SeenAtAll(job)) return false;
  const Asn xasn = net_.graph.AsnAt(x);
  const auto when = Interval();
  Event(when.first, *q, job);
  Event(when.second, *q, -1);
  UseAllocationOf(a->prefix);
  Incident(IncidentType::kBogonAsn, kind, xasn, Propagator(job, xasn), {*q}, when,
           fmt::format("AS{} announces {} with AS{} ({}) behind it as the origin", xasn,
                       q->ToString(), bogon, kind));
  return true;
}

bool Builder::RpkiInvalid(bool persistent) {
  // An adopter whose ROA on one of its prefixes has maxLength = its length
  // announces a more-specific of it (RFC 6811 §2: covered, no match).
  const uint32_t x = RandomAs(0xF);
  if (x == kNone || !RpkiAdopter(x)) return false;
  const Announcement* a = FreeAnnouncement(x, false, true);
  if (!a) return false;
  const Asn xasn = net_.graph.AsnAt(x);
  bool exact = false;
  for (const SimRoa* r : CoveringRoas(a->prefix)) {
    if (r->asn == xasn && r->prefix == a->prefix && r->max_length == a->prefix.length())
      exact = true;
  }
  if (!exact) return false;
  const auto q = FreeMoreSpecific(a->prefix);
  if (!q || RpkiNote(*q, xasn) != "RPKI invalid") return false;
  RouteJob j;
  j.origins = {x};
  const int32_t job = Job(j);
  if (!SeenAtAll(job)) return false;
  std::pair<int64_t, int64_t> when;
  if (persistent) {
    when = {out_.window_start, out_.window_end};
    SetBaseline(*q, job);
    event_prefixes_.insert(*q);
  } else {
    when = Interval();
    Event(when.first, *q, job);
    Event(when.second, *q, -1);
  }
  UseAllocationOf(a->prefix);
  Incident(IncidentType::kRpkiInvalid, "invalid_length", xasn, Propagator(job, xasn), {*q}, when,
           fmt::format("AS{} announces {}, but its ROA for {} has maxLength {}{}", xasn,
                       q->ToString(), a->prefix.ToString(), a->prefix.length(),
                       persistent ? " (throughout the window)" : ""));
  out_.stale.push_back({"roa_maxlength_too_short", a->prefix, xasn, xasn, "rpki"});
  return true;
}

bool Builder::SiblingMoas() {
  for (int tries = 0; tries < 20; ++tries) {
    const SynthOrg& org = net_.orgs[rng_.Below(net_.orgs.size())];
    if (org.ases.size() < 2) continue;
    const uint32_t a = Index(org.ases[0]);
    const uint32_t b = Index(org.ases[1 + rng_.Below(org.ases.size() - 1)]);
    if (a == kNone || b == kNone) continue;
    const Announcement* ann = FreeAnnouncement(a);
    if (!ann || origins_of_[ann->prefix].size() != 1) continue;
    RouteJob j;
    j.origins = {a, b};
    std::sort(j.origins.begin(), j.origins.end());
    const int32_t job = Job(j);
    const Asn basn = net_.graph.AsnAt(b);
    if (!SeenWithOrigin(job, basn)) continue;
    // The organisation registers both origins where it registers at all.
    const SynthAs* owner = AsOf(a);
    if (RpkiAdopter(a)) {
      AddRoa({ann->prefix, ann->prefix.length(), basn, owner ? owner->rir : Rir::kRipeNcc});
    }
    if (IrrAdopter(a)) {
      for (const SimRouteObject& ro : regs_.route_objects) {
        if (ro.prefix == ann->prefix && ro.origin == ann->origin) {
          regs_.AddRouteObject({ann->prefix, basn, ro.source, ro.mnt_by, ro.changed});
          break;
        }
      }
    }
    SetBaseline(ann->prefix, job);
    event_prefixes_.insert(ann->prefix);
    UseAllocationOf(ann->prefix);
    Benign(IncidentTypeName(IncidentType::kHijack), BenignKind::kSiblingMoas, basn,
           Propagator(job, basn), {ann->prefix}, {out_.window_start, out_.window_end},
           fmt::format("AS{} and AS{} of organisation {} both originate {}", ann->origin, basn,
                       org.id, ann->prefix.ToString()));
    return true;
  }
  return false;
}

bool Builder::Ddos() {
  if (ddos_providers_.empty()) return false;
  const uint32_t d = ddos_providers_[rng_.Below(ddos_providers_.size())];
  const uint32_t v =
      RandomAs(1u << static_cast<int>(Tier::kStub) | 1u << static_cast<int>(Tier::kTier3));
  // The holder has ROAs of its own, or the scrubber's ROA would make its
  // announcement invalid.
  if (v == kNone || !RpkiAdopter(v) || Related(v, d)) return false;
  const Announcement* a = FreeAnnouncement(v, true);
  if (!a || a->prefix.length() > 24 || origins_of_[a->prefix].size() != 1) return false;
  RouteJob j;
  j.origins = {v, d};
  std::sort(j.origins.begin(), j.origins.end());
  const int32_t job = Job(j);
  const Asn dasn = net_.graph.AsnAt(d);
  if (!SeenWithOrigin(job, dasn)) return false;
  const SynthAs* holder = AsOf(v);
  AddRoa({a->prefix, a->prefix.length(), dasn, holder ? holder->rir : Rir::kRipeNcc});
  regs_.AddRouteObject({a->prefix, dasn, "RADB", fmt::format("MAINT-AS{}", dasn), 20240101});
  const auto when = Interval();
  KeepBaseline(a->prefix);
  Event(when.first, a->prefix, job);
  Event(when.second, a->prefix, baseline_[a->prefix]);
  UseAllocationOf(a->prefix);
  Benign(IncidentTypeName(IncidentType::kHijack), BenignKind::kDdosProtection, dasn,
         Propagator(job, dasn), {a->prefix}, when,
         fmt::format("DDoS-protection provider AS{} originates {} for AS{}, authorised by a ROA "
                     "and a RADB route object",
                     dasn, a->prefix.ToString(), a->origin));
  return true;
}

bool Builder::CustomerSubprefix() {
  const uint32_t x =
      RandomAs(1u << static_cast<int>(Tier::kTier2) | 1u << static_cast<int>(Tier::kTier3));
  if (x == kNone || !RpkiAdopter(x) || net_.graph.Customers(x).empty()) return false;
  const auto customers = net_.graph.Customers(x);
  const uint32_t cu = customers[rng_.Below(customers.size())];
  const Announcement* a = FreeAnnouncement(x, false, true);
  if (!a) return false;
  const auto q = FreeMoreSpecific(a->prefix);
  if (!q) return false;
  RouteJob j;
  j.origins = {cu};
  const int32_t job = Job(j);
  if (!SeenAtAll(job)) return false;
  const Asn cuasn = net_.graph.AsnAt(cu);
  const SynthAs* holder = AsOf(x);
  AddRoa({*q, q->length(), cuasn, holder ? holder->rir : Rir::kRipeNcc});
  if (IrrAdopter(x)) {
    regs_.AddRouteObject({*q, cuasn,
                          holder ? std::string(RirName(holder->rir)) == "RIPE NCC"
                                       ? "RIPE"
                                       : std::string(RirName(holder->rir))
                                 : "RADB",
                          fmt::format("MAINT-AS{}", a->origin), 20240101});
  }
  const auto when = Interval();
  Event(when.first, *q, job);
  Event(when.second, *q, -1);
  UseAllocationOf(a->prefix);
  Benign(IncidentTypeName(IncidentType::kSubprefixHijack), BenignKind::kCustomerSubprefix, cuasn,
         Propagator(job, cuasn), {*q}, when,
         fmt::format("AS{}, a customer of AS{}, originates {} inside {} under a valid ROA", cuasn,
                     a->origin, q->ToString(), a->prefix.ToString()));
  return true;
}

bool Builder::Flap() {
  const Announcement* a = FreeAnnouncement(kNone);
  if (!a || event_prefixes_.contains(a->prefix) || origins_of_[a->prefix].size() != 1) return false;
  // Its origin's routes (computed later); an origin no peer hears makes a
  // flap without updates, which is harmless.
  KeepBaseline(a->prefix);
  const int32_t job = baseline_[a->prefix];
  const auto when = Interval();
  const int64_t down = when.first;
  const int64_t up = std::min<int64_t>(out_.window_end - 1,
                                       down + static_cast<int64_t>(rng_.LogUniform(30, 1800)));
  Event(down, a->prefix, -1);
  Event(up, a->prefix, job);
  return true;
}

Result<Scenario> Builder::Build(std::string* shortfall) {
  if (cfg_.days < 1 || cfg_.days > 31) {
    return Status::InvalidArgument(fmt::format("--days {}: from 1 to 31", cfg_.days));
  }
  if (net_.announcements.empty() || net_.graph.as_count() == 0) {
    return Status::InvalidArgument("no announced prefixes to simulate");
  }
  out_.window_start = cfg_.window_start;
  out_.window_end = cfg_.window_start + int64_t{86400} * cfg_.days;
  for (size_t i = 0; i < net_.ases.size(); ++i) pos_[net_.ases[i].asn] = i;
  ann_of_.resize(net_.graph.as_count());
  for (size_t k = 0; k < net_.announcements.size(); ++k) {
    const Announcement& a = net_.announcements[k];
    const uint32_t o = Index(a.origin);
    if (o == kNone) continue;
    ann_of_[o].push_back(static_cast<uint32_t>(k));
    announced_.insert(a.prefix);
    auto& v = origins_of_[a.prefix];
    if (std::find(v.begin(), v.end(), o) == v.end()) v.push_back(o);
  }
  for (auto& [p, v] : origins_of_) std::sort(v.begin(), v.end());
  for (size_t k = 0; k < net_.allocations.size(); ++k)
    alloc_at_.emplace(net_.allocations[k].prefix, k);
  alloc_used_.assign(net_.allocations.size(), 0);
  for (size_t k = 0; k < regs_.roas.size(); ++k) roas_[regs_.roas[k].prefix].push_back(k);
  is_peer_.assign(net_.graph.as_count(), 0);
  for (uint32_t p : cfg_.peers) is_peer_[p] = 1;
  peer_below_ = is_peer_;
  for (std::vector<uint32_t> up(cfg_.peers.begin(), cfg_.peers.end()); !up.empty();) {
    const uint32_t x = up.back();
    up.pop_back();
    for (uint32_t p : net_.graph.Providers(x)) {
      if (!peer_below_[p]) peer_below_[p] = 1, up.push_back(p);
    }
  }
  // Two scrubbing services among the transit networks.
  for (int i = 0; i < 50 && ddos_providers_.size() < 2; ++i) {
    const uint32_t d = RandomAs(1u << static_cast<int>(Tier::kTier2));
    if (d != kNone &&
        std::find(ddos_providers_.begin(), ddos_providers_.end(), d) == ddos_providers_.end()) {
      ddos_providers_.push_back(d);
    }
  }

  const IncidentPlan& plan = cfg_.plan;
  std::vector<std::string> short_of;
  auto run = [&](const char* name, uint32_t want, auto&& make) {
    if (cfg_.progress && want > 0) cfg_.progress(name);
    uint32_t made = 0;
    for (int attempts = 0; made < want && attempts < kMaxAttempts * static_cast<int>(want);
         ++attempts) {
      if (make(static_cast<int>(made))) ++made;
    }
    if (made < want) short_of.push_back(fmt::format("{} {} of {}", name, made, want));
  };
  run(IncidentTypeName(IncidentType::kHijack), plan.incidents[0], [&](int) { return Hijack(); });
  run(IncidentTypeName(IncidentType::kSubprefixHijack), plan.incidents[1],
      [&](int) { return SubprefixHijack(); });
  run(IncidentTypeName(IncidentType::kRouteLeak), plan.incidents[2],
      [&](int n) { return Leak(1 + n % 4); });
  run(IncidentTypeName(IncidentType::kBogonPrefix), plan.incidents[3],
      [&](int n) { return BogonPrefix(n); });
  run(IncidentTypeName(IncidentType::kBogonAsn), plan.incidents[4],
      [&](int n) { return BogonAsn(n); });
  run(IncidentTypeName(IncidentType::kRpkiInvalid), plan.incidents[5],
      [&](int n) { return RpkiInvalid(n % 2 == 0); });
  run("sibling_moas", plan.benign[0], [&](int) { return SiblingMoas(); });
  run("ddos_protection", plan.benign[1], [&](int) { return Ddos(); });
  run("customer_subprefix", plan.benign[2], [&](int) { return CustomerSubprefix(); });
  run("flaps", plan.flaps, [&](int) { return Flap(); });
  if (cfg_.progress) cfg_.progress("event routes");
  ComputePending();
  if (shortfall) {
    shortfall->clear();
    for (const std::string& s : short_of) *shortfall += (shortfall->empty() ? "" : ", ") + s;
  }

  std::stable_sort(out_.events.begin(), out_.events.end(),
                   [](const RouteEvent& a, const RouteEvent& b) {
                     return std::tie(a.time, a.prefix) < std::tie(b.time, b.prefix);
                   });
  out_.baseline.assign(baseline_.begin(), baseline_.end());
  auto by_time = [](const TruthEntry& a, const TruthEntry& b) {
    return std::tie(a.start, a.type, a.culprit) < std::tie(b.start, b.type, b.culprit);
  };
  std::stable_sort(out_.incidents.begin(), out_.incidents.end(), by_time);
  std::stable_sort(out_.benign.begin(), out_.benign.end(), by_time);
  return std::move(out_);
}

}  // namespace

Result<Scenario> BuildScenario(const SyntheticInternet& net, Registrations* regs,
                               const ScenarioConfig& config, std::string* shortfall) {
  Builder b(net, regs, config);
  return b.Build(shortfall);
}

std::string TruthJson(const Scenario& s, const Registrations& regs) {
  using nlohmann::ordered_json;
  auto entries = [](const std::vector<TruthEntry>& v) {
    ordered_json a = ordered_json::array();
    for (const TruthEntry& e : v) {
      ordered_json o;
      o["type"] = e.type;
      o["kind"] = e.kind;
      o["culprit"] = e.culprit;
      o["propagator"] = e.propagator ? ordered_json(*e.propagator) : ordered_json(nullptr);
      ordered_json p = ordered_json::array();
      for (const Prefix& x : e.prefixes) p.push_back(x.ToString());
      o["prefixes"] = std::move(p);
      o["start"] = IsoTime(e.start);
      o["end"] = IsoTime(e.end);
      o["note"] = e.note;
      a.push_back(std::move(o));
    }
    return a;
  };
  ordered_json j;
  j["window"] = {{"start", IsoTime(s.window_start)}, {"end", IsoTime(s.window_end)}};
  j["incidents"] = entries(s.incidents);
  j["benign"] = entries(s.benign);
  ordered_json stale = ordered_json::array();
  auto add = [&](const StaleRegistration& r) {
    stale.push_back({{"kind", r.kind},
                     {"prefix", r.prefix.ToString()},
                     {"registered_origin", r.registered_origin},
                     {"announced_origin", r.announced_origin},
                     {"where", r.where}});
  };
  for (const StaleRegistration& r : regs.stale) add(r);
  for (const StaleRegistration& r : s.stale) add(r);
  j["stale_registrations"] = std::move(stale);
  return j.dump(1) + "\n";
}

}  // namespace vigia::sim
