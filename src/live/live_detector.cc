// LiveDetector (live_detector.h): route state per prefix, conditions and
// the routes that show them, and the events as conditions start and end.
// The per-rule incident text and evidence are detect/'s (detect.h shared
// builders), so a live event reads like a batch incident.
#include "live/live_detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/prefix_trie.h"
#include "observe/observed_routes.h"
#include "rpki/origin_validation.h"

namespace vigia::live {

namespace {

// The AS path id of a Slot holds this bit when the route shows a condition
// (it has an entry in State::contrib).
constexpr uint32_t kContrib = 0x8000'0000u;
constexpr uint32_t kPathMask = 0x7fff'ffffu;
// Evidence kept per condition after its routes went (cleared events keep
// it): peers and paths, and the prefixes of a multi-prefix condition.
constexpr size_t kEverPeers = 64, kEverPaths = 64, kEverPrefixes = 1000;

enum class CondKind : uint8_t {
  kHijack,
  kRpki,
  kBogonPrefix,
  kLeak,
  kBogonAsn,
  kPattern,
  kUpstream,
  kDownstream,
  kVisibility,
  kRoa
};

bool HasSet(const bgp::AsPath& ap) {
  for (const auto& seg : ap.segments) {
    if (seg.type == bgp::kAsSet || seg.type == bgp::kAsConfedSet) return true;
  }
  return false;
}

template <typename K>
void Dec(std::map<K, uint32_t>& m, K k) {
  auto it = m.find(k);
  if (it == m.end()) return;
  if (--it->second == 0) m.erase(it);
}

template <typename T>
void PushCapped(std::vector<T>& v, T x, size_t cap) {
  if (v.size() < cap && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

struct LiveDetector::State {
  struct Cond {
    CondKind kind;
    std::string rule, key;
    detect::Incident base;   // without propagator, times and evidence
    detect::Valley valley;   // kLeak
    Asn otc = 0;             // kLeak: seen with an RFC 9234 OTC of this AS
    uint32_t prefix = 0;     // prefix-bound kinds: its id
    Asn origin = 0;          // kHijack, kRpki, kBogonPrefix
    bool immediate = false;  // raised at once (visibility, ROA)
    bool raised = false;
    std::map<bgp::PeerHandle, uint32_t> peers;  // routes per peer now
    uint64_t routes = 0;
    uint32_t first = 0, last = 0;
    std::vector<bgp::PeerHandle> ever_peers;
    std::vector<uint32_t> ever_paths, ever_prefixes;
  };
  // 12 bytes per route (live_detector.h, Memory).
  struct Slot {
    uint32_t peer, path_id, path;
  };
  static_assert(sizeof(Slot) == 12);
  struct OriginEntry {
    Asn origin = 0;
    uint32_t routes = 0;
    Cond *hijack = nullptr, *rpki = nullptr, *bogon = nullptr;
  };
  struct PrefixState {
    Prefix prefix;
    std::vector<Slot> routes;  // sorted by (peer, path_id)
    std::vector<OriginEntry> origins;
    std::vector<Asn> baseline;  // legitimate origins learnt or known
    int32_t watched = -1;       // most specific rules.prefixes entry covering it
    int32_t watched_exact = -1;
    bool bogon = false;
    bool was_visible = false;
    Cond *visibility = nullptr, *roa = nullptr;
  };
  static_assert(sizeof(PrefixState) <= 128);
  struct PathInfo {
    std::optional<detect::Valley> valley;
    Asn bogon_culprit = 0, bogon = 0;
    uint64_t patterns = 0;  // bit i: rules.path_patterns[i] matches
    bool touches = false;   // holds a watched ASN
  };
  struct RouteKey {
    uint32_t prefix, peer, path_id;
    bool operator==(const RouteKey&) const = default;
  };
  struct RouteKeyHash {
    size_t operator()(const RouteKey& k) const {
      uint64_t h = (uint64_t{k.prefix} << 32 | k.peer) * 0x9E3779B97F4A7C15ull;
      return static_cast<size_t>(h ^ (h >> 29) ^ (uint64_t{k.path_id} * 0xBF58476D1CE4E5B9ull));
    }
  };
  struct PeerMeta {
    std::string collector;
    IpAddress ip;
    Asn asn = 0;
  };

  LiveRules rules;
  const snapshot::Snapshot* ref;
  LiveEventSink* out;
  LiveDetectorStats* stats;
  int64_t* arrival_ns;
  std::unique_ptr<rpki::VrpSet> own_vrps;
  const rpki::VrpSet* vrps;
  uint32_t threshold = 1;

  std::unordered_map<bgp::PeerHandle, PeerMeta> peers;
  // Routes per peer handle introduced by Peer() (handles are dense, RouteSink
  // contract), so that SessionDown() of a peer with none walks nothing.
  std::vector<uint64_t> routes_of_peer;
  static constexpr bgp::PeerHandle kMaxTrackedPeer = 1 << 20;
  std::vector<PrefixState> prefixes;
  std::unordered_map<Prefix, uint32_t, PrefixHash> prefix_ids;
  Prefix last_prefix;
  uint32_t last_prefix_id = 0;
  bool have_last_prefix = false;
  observe::PathTable paths;
  std::vector<PathInfo> path_info;
  uint32_t last_path = 0;
  bool have_last_path = false;

  PrefixTrie<Asn> baseline_trie;
  PrefixTrie<uint32_t> watched_trie;
  std::unordered_set<Asn> watched_asns;
  std::unordered_set<uint64_t> known_up, known_down;  // watched << 32 | neighbour
  std::vector<std::regex> patterns;
  std::unordered_map<std::string, std::unique_ptr<Cond>> conds;
  std::unordered_map<RouteKey, std::vector<Cond*>, RouteKeyHash> contrib;
  bool updates_started = false;
  bool have_first = false;
  uint32_t first_time = 0;
  uint32_t tick_time = 0;  // the latest Tick(): the warm-up also ends by the clock

  State(LiveRules r, const snapshot::Snapshot* reference, LiveEventSink* sink,
        LiveDetectorStats* st, int64_t* arrival)
      : rules(std::move(r)), ref(reference), out(sink), stats(st), arrival_ns(arrival) {
    vrps = &ref->vrps;
    threshold = std::max<uint32_t>(1, rules.min_peers);
    for (Asn a : rules.asns) watched_asns.insert(a);
    for (uint32_t i = 0; i < rules.prefixes.size(); ++i) {
      watched_trie.Insert(rules.prefixes[i].prefix, i);
      for (Asn a : rules.prefixes[i].origins) watched_asns.insert(a);
    }
    for (const PathPattern& p : rules.path_patterns) {
      if (patterns.size() == 64) break;  // PathInfo::patterns is 64 bits
      // An invalid expression matches nothing (the config loader checks).
      try {
        patterns.emplace_back(p.regex, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error&) {
        patterns.emplace_back("(?!)");
      }
    }
    for (const auto& [p, origins] : ref->history) {
      PrefixState& ps = prefixes[Intern(p)];
      for (Asn o : origins) Learn(ps, o);
    }
    for (const WatchedPrefix& w : rules.prefixes) Intern(w.prefix);
  }

  const registry::BogonList& bogons() const { return ref->registry.bogons(); }

  uint32_t Intern(const Prefix& p) {
    if (have_last_prefix && p == last_prefix) return last_prefix_id;
    auto [it, fresh] = prefix_ids.try_emplace(p.Masked(), static_cast<uint32_t>(prefixes.size()));
    if (fresh) {
      PrefixState ps;
      ps.prefix = p.Masked();
      ps.bogon = bogons().Classify(p.address()) != nullptr;
      watched_trie.ForEachCovering(ps.prefix, [&](const Prefix& q, const uint32_t& i) {
        ps.watched = static_cast<int32_t>(i);  // least specific first: the last wins
        if (q == ps.prefix) ps.watched_exact = static_cast<int32_t>(i);
      });
      prefixes.push_back(std::move(ps));
    }
    last_prefix = p;
    last_prefix_id = it->second;
    have_last_prefix = true;
    return it->second;
  }

  // The interned id of a route's AS path. The routes of one UPDATE share
  // it; the last path is compared, not just attr_set, because several
  // feeds behind one mux may number their attribute sets alike.
  uint32_t PathOf(const bgp::PathAttributes& attrs) {
    const bool has_set = HasSet(attrs.as_path);
    if (have_last_path && paths.HasSet(last_path) == has_set) {
      const auto last = paths.Get(last_path);
      if (std::equal(last.begin(), last.end(), attrs.as_path.asns.begin(),
                     attrs.as_path.asns.end())) {
        return last_path;
      }
    }
    const uint32_t id = paths.Intern(attrs.as_path.asns, has_set);
    if (id == path_info.size()) path_info.push_back(Describe(id));
    last_path = id;
    have_last_path = true;
    return id;
  }

  // What an AS path shows, once per interned path.
  PathInfo Describe(uint32_t id) {
    PathInfo info;
    const auto path = paths.Get(id);
    if (rules.route_leak && (ref->relations.as_count() > 0 || vrps->aspas().size() > 0)) {
      info.valley = detect::FindValley(ref->relations, vrps->aspas(), path);
    }
    if (rules.bogon_asn) {
      const auto [culprit, bogon] = detect::BogonAsnOf(bogons(), path);
      info.bogon_culprit = culprit;
      info.bogon = bogon;
    }
    for (Asn a : path) info.touches |= watched_asns.contains(a);
    if (!patterns.empty()) {
      if (path.size() > kMaxPatternPathLength) {
        ++stats->pattern_skipped;
      } else {
        const std::string text = PathText(id);
        for (size_t i = 0; i < patterns.size(); ++i) {
          if (std::regex_search(text, patterns[i])) info.patterns |= uint64_t{1} << i;
        }
      }
    }
    return info;
  }

  std::string PathText(uint32_t id) const {
    std::string text;
    for (Asn a : paths.Get(id)) {
      if (!text.empty()) text += ' ';
      text += std::to_string(a);
    }
    return text;
  }

  // Baseline learning: table snapshots before the first update, and every
  // route within the warm-up.
  bool Learning(const bgp::Route& r) {
    if (r.source == bgp::RouteSource::kTableSnapshot && !updates_started) return true;
    if (rules.warmup.count() <= 0) return false;
    if (!have_first) {
      have_first = true;
      first_time = r.time.seconds;
    }
    const uint64_t now = std::max(r.time.seconds, tick_time);
    return now < first_time + static_cast<uint64_t>(rules.warmup.count());
  }

  void Learn(PrefixState& ps, Asn origin) {
    if (origin == 0 ||
        std::find(ps.baseline.begin(), ps.baseline.end(), origin) != ps.baseline.end()) {
      return;
    }
    ps.baseline.push_back(origin);
    // As detect/hijacks.cc: no bogons, nothing shorter than /8 or /16.
    if (ps.bogon || ps.prefix.length() < (ps.prefix.address().is_v4() ? 8 : 16)) return;
    baseline_trie.Insert(ps.prefix, origin);
  }

  bool Relevant(const PrefixState& ps, const PathInfo& info) const {
    return !rules.only_watched || ps.watched >= 0 || info.touches;
  }

  Cond* MakeCond(CondKind kind, std::string_view rule, std::string key, detect::Incident base,
                 uint32_t prefix, Asn origin) {
    auto& slot = conds[key];
    if (!slot) {
      slot = std::make_unique<Cond>();
      slot->kind = kind;
      slot->rule = std::string(rule);
      slot->key = std::move(key);
      slot->base = std::move(base);
      slot->prefix = prefix;
      slot->origin = origin;
    }
    return slot.get();
  }

  // ---- events

  detect::Incident Build(const Cond& c, bool cleared, uint32_t now) const {
    detect::Incident in;
    if (c.kind == CondKind::kLeak) {
      std::vector<Prefix> ps;
      for (uint32_t p : c.ever_prefixes) ps.push_back(prefixes[p].prefix);
      in = detect::LeakIncident(c.valley.culprit, c.valley.receiver, c.valley.type, std::move(ps),
                                c.ever_peers.size());
      if (c.otc) {
        detect::AddReason(
            &in,
            fmt::format("RFC 9234: the route carries OTC AS{}, and AS{} sent it to "
                        "a provider or peer",
                        c.otc, c.valley.culprit),
            {"live.route_leak.otc",
             {{"otc", std::to_string(c.otc)}, {"culprit", std::to_string(c.valley.culprit)}}});
      }
    } else {
      in = c.base;
      if (c.kind == CondKind::kUpstream || c.kind == CondKind::kDownstream ||
          c.kind == CondKind::kPattern) {
        in.prefixes.clear();
        for (uint32_t p : c.ever_prefixes) in.prefixes.push_back(prefixes[p].prefix);
        std::sort(in.prefixes.begin(), in.prefixes.end());
      }
      if (in.culprit != 0 && !c.ever_paths.empty() && c.kind != CondKind::kUpstream &&
          c.kind != CondKind::kDownstream) {
        in.propagator = detect::PropagatorOf(paths, c.ever_paths, in.culprit);
      }
    }
    in.start = c.first;
    in.end = cleared ? std::max(now, c.first) : c.last;
    std::vector<std::string> texts, peer_names, collectors;
    for (uint32_t id : c.ever_paths) {
      if (texts.size() >= 5) break;
      texts.push_back(PathText(id));
    }
    for (bgp::PeerHandle h : c.ever_peers) {
      auto it = peers.find(h);
      if (it == peers.end()) {
        peer_names.push_back(fmt::format("peer {}", h));
        continue;
      }
      peer_names.push_back(fmt::format("{} AS{} {}", it->second.collector, it->second.asn,
                                       it->second.ip.ToString()));
      collectors.push_back(it->second.collector);
    }
    in.evidence = detect::EvidenceJson(in.reasons, std::move(texts), std::move(peer_names),
                                       std::move(collectors), in.start, in.end);
    if (c.kind == CondKind::kHijack) in.evidence = detect::WithVictims(in.evidence, in.victims);
    detect::AttachReasonKeys(&in);
    return in;
  }

  void Emit(Cond& c, EventPhase phase, bgp::RouteTime t) {
    LiveEvent e;
    e.phase = phase;
    e.rule = c.rule;
    e.key = c.key;
    e.incident = Build(c, phase == EventPhase::kCleared, t.seconds);
    e.time = t;
    e.arrival_ns = *arrival_ns;
    e.peers = static_cast<uint32_t>(c.peers.size());
    ++(phase == EventPhase::kRaised ? stats->raised : stats->cleared);
    out->OnEvent(e);
  }

  void MaybeRaise(Cond& c, bgp::RouteTime t) {
    if (c.raised) return;
    if (!c.immediate && c.peers.size() < threshold) return;
    c.raised = true;
    Emit(c, EventPhase::kRaised, t);
  }

  // The condition ends: cleared if it was raised, then forgotten. No route
  // may still name it in contrib.
  void End(Cond* c, bgp::RouteTime t) {
    if (c->raised) Emit(*c, EventPhase::kCleared, t);
    PrefixState& ps = prefixes[c->prefix];
    switch (c->kind) {
      case CondKind::kHijack:
      case CondKind::kRpki:
      case CondKind::kBogonPrefix:
        for (OriginEntry& oe : ps.origins) {
          if (oe.hijack == c) oe.hijack = nullptr;
          if (oe.rpki == c) oe.rpki = nullptr;
          if (oe.bogon == c) oe.bogon = nullptr;
        }
        break;
      case CondKind::kVisibility:
        ps.visibility = nullptr;
        break;
      case CondKind::kRoa:
        ps.roa = nullptr;
        break;
      default:
        break;
    }
    conds.erase(c->key);
  }

  // ---- routes and conditions

  void Attach(Cond* c, uint32_t pid, Slot& s, uint32_t seconds, bgp::RouteTime t) {
    ++c->peers[s.peer];
    ++c->routes;
    const uint32_t path = s.path & kPathMask;
    if (c->first == 0 || seconds < c->first) c->first = seconds;
    c->last = std::max(c->last, seconds);
    PushCapped(c->ever_peers, s.peer, kEverPeers);
    PushCapped(c->ever_paths, path, kEverPaths);
    PushCapped(c->ever_prefixes, pid, kEverPrefixes);
    contrib[{pid, s.peer, s.path_id}].push_back(c);
    s.path |= kContrib;
    MaybeRaise(*c, t);
  }

  void Detach(Cond* c, const Slot& s) {
    Dec(c->peers, s.peer);
    --c->routes;
  }

  // A route of ps (already in ps.routes at index i) starts.
  void AddRoute(uint32_t pid, size_t i, const bgp::Route& r, Asn otc, bool learning) {
    PrefixState& ps = prefixes[pid];
    const uint32_t path = ps.routes[i].path & kPathMask;
    const Asn origin = paths.Origin(path);
    if (learning) Learn(ps, origin);
    size_t oi = 0;
    while (oi < ps.origins.size() && ps.origins[oi].origin != origin) ++oi;
    if (oi == ps.origins.size()) {
      ps.origins.push_back({origin, 0, nullptr, nullptr, nullptr});
      EvaluateOrigin(pid, oi, learning);
    }
    ++ps.origins[oi].routes;
    ++stats->routes;
    Cond* cs[8];
    size_t n = 0;
    const OriginEntry& oe = ps.origins[oi];
    for (Cond* c : {oe.bogon, oe.hijack, oe.rpki}) {
      if (c) cs[n++] = c;
    }
    const PathInfo& info = path_info[path];
    if ((info.valley || info.bogon_culprit || info.patterns || info.touches || otc) &&
        Relevant(ps, info)) {
      PathConds(pid, path, info, otc, learning, [&](Cond* c) {
        if (n < std::size(cs)) {
          cs[n++] = c;
        } else {
          Attach(c, pid, ps.routes[i], r.time.seconds, r.time);
        }
      });
    }
    for (size_t k = 0; k < n; ++k) Attach(cs[k], pid, ps.routes[i], r.time.seconds, r.time);
  }

  // A route of ps at index i ends (the caller erases or replaces it): it
  // leaves its conditions and its origin's count. Returns the conditions
  // it showed, for Finish() once any replacement route is in: a route
  // replaced by one that shows the same condition does not end it.
  std::vector<Cond*> Unlink(uint32_t pid, size_t i) {
    PrefixState& ps = prefixes[pid];
    Slot& s = ps.routes[i];
    const uint32_t path = s.path & kPathMask;
    const Asn origin = paths.Origin(path);
    std::vector<Cond*> cs;
    if (s.path & kContrib) {
      auto it = contrib.find({pid, s.peer, s.path_id});
      if (it != contrib.end()) {
        cs = std::move(it->second);
        contrib.erase(it);
        for (Cond* c : cs) Detach(c, s);
      }
      s.path &= kPathMask;
    }
    for (size_t oi = 0; oi < ps.origins.size(); ++oi) {
      if (ps.origins[oi].origin != origin) continue;
      if (--ps.origins[oi].routes == 0) ps.origins.erase(ps.origins.begin() + oi);
      break;
    }
    --stats->routes;
    return cs;
  }

  // Ends the conditions no route shows any more.
  void Finish(const std::vector<Cond*>& cs, bgp::RouteTime t) {
    for (Cond* c : cs) {
      if (c->routes == 0) End(c, t);
    }
  }

  // Conditions of one (prefix, origin), when its first route arrives.
  void EvaluateOrigin(uint32_t pid, size_t oi, bool learning) {
    PrefixState& ps = prefixes[pid];
    const Asn o = ps.origins[oi].origin;
    if (o == 0) return;
    const bool watched = !rules.only_watched || ps.watched >= 0;
    const bool own = watched_asns.contains(o);
    const bool bogon_asn = bogons().ClassifyAsn(o) != nullptr;
    const Prefix& p = ps.prefix;
    if (ps.bogon) {
      if (rules.bogon_prefix && (watched || own)) {
        const registry::BogonReason* why = bogons().Classify(p.address());
        if (why) {
          ps.origins[oi].bogon =
              MakeCond(CondKind::kBogonPrefix, kRuleBogonPrefix,
                       fmt::format("{}|{}|AS{}", kRuleBogonPrefix, p.ToString(), o),
                       detect::BogonPrefixIncident(p, *why, o), pid, o);
        }
      }
      return;  // a bogon is reported as such (detect/rpki_invalid.cc)
    }
    if (!learning && watched && !bogon_asn) EvaluateHijack(pid, oi);
    if (rules.rpki_invalid && !ps.origins[oi].hijack && !bogon_asn && (watched || own)) {
      ps.origins[oi].rpki = RpkiCond(pid, o);
    }
  }

  Cond* RpkiCond(uint32_t pid, Asn o) {
    if (vrps->size() == 0) return nullptr;
    const Prefix& p = prefixes[pid].prefix;
    const rpki::RovState st = rpki::ValidateState(*vrps, p, o);
    if (st != rpki::RovState::kInvalidOrigin && st != rpki::RovState::kInvalidLength) {
      return nullptr;
    }
    std::optional<detect::Incident> in = detect::RpkiInvalidIncident(*vrps, p, o);
    if (!in) return nullptr;
    return MakeCond(CondKind::kRpki, kRuleRpkiInvalid,
                    fmt::format("{}|{}|AS{}", kRuleRpkiInvalid, p.ToString(), o), std::move(*in),
                    pid, o);
  }

  // detect/hijacks.cc, live: the holders are the watched prefix's declared
  // origins, else the baseline of the prefix, else that of the most
  // specific covering prefix with one.
  void EvaluateHijack(uint32_t pid, size_t oi) {
    PrefixState& ps = prefixes[pid];
    const Asn o = ps.origins[oi].origin;
    const Prefix p = ps.prefix;
    std::set<Asn> holders;
    Prefix holder_prefix = p;
    if (ps.watched >= 0) {
      const WatchedPrefix& w = rules.prefixes[static_cast<size_t>(ps.watched)];
      if (w.ignore_more_specifics && !(w.prefix.Masked() == p)) return;
      holders.insert(w.origins.begin(), w.origins.end());
      if (holders.empty()) holders.insert(rules.asns.begin(), rules.asns.end());
      if (!holders.empty()) holder_prefix = w.prefix.Masked();
    }
    if (holders.empty()) {
      holders.insert(ps.baseline.begin(), ps.baseline.end());
      if (holders.empty()) {
        baseline_trie.ForEachCovering(p, [&](const Prefix& q, const Asn& a) {
          if (q == p) return;
          if (q != holder_prefix) {
            holders.clear();
            holder_prefix = q;
          }
          holders.insert(a);
        });
      }
    }
    if (holders.empty() || holders.contains(o)) return;
    for (Asn h : holders) {
      if (detect::RelatedOrigins(*ref, o, h)) return;
    }
    if (rpki::ValidateState(*vrps, p, o) == rpki::RovState::kValid) return;
    const bool exact = holder_prefix == p;
    if (exact ? !rules.hijack : !rules.subprefix_hijack) return;
    detect::Incident in = detect::HijackIncident(*ref, *vrps, p, o, holder_prefix, holders, false);
    std::string key = exact ? fmt::format("{}|{}|AS{}", kRuleHijack, p.ToString(), o)
                            : fmt::format("{}|{}|AS{}|{}", kRuleSubprefixHijack, p.ToString(), o,
                                          holder_prefix.ToString());
    ps.origins[oi].hijack = MakeCond(CondKind::kHijack, exact ? kRuleHijack : kRuleSubprefixHijack,
                                     std::move(key), std::move(in), pid, o);
  }

  // The path-bound conditions a route with this path shows; learning: the
  // watched ASNs' neighbours are learnt instead.
  template <typename Fn>
  void PathConds(uint32_t pid, uint32_t path, const PathInfo& info, Asn otc, bool learning,
                 Fn&& fn) {
    const Prefix& p = prefixes[pid].prefix;
    std::optional<detect::Valley> leak = info.valley;
    if (!leak && otc) leak = OtcLeak(path, otc);
    if (leak && rules.route_leak) {
      const detect::Valley& v = *leak;
      Cond* c =
          MakeCond(CondKind::kLeak, kRuleRouteLeak,
                   fmt::format("{}|AS{}|AS{}", kRuleRouteLeak, v.culprit, v.receiver), {}, pid, 0);
      c->valley = v;
      if (otc && !c->otc) c->otc = otc;
      fn(c);
    }
    if (info.bogon_culprit && rules.bogon_asn) {
      fn(MakeCond(CondKind::kBogonAsn, kRuleBogonAsn,
                  fmt::format("{}|{}|AS{}|AS{}", kRuleBogonAsn, p.ToString(), info.bogon_culprit,
                              info.bogon),
                  detect::BogonAsnIncident(bogons(), p, info.bogon_culprit, info.bogon), pid, 0));
    }
    for (size_t i = 0; i < patterns.size(); ++i) {
      if (!(info.patterns >> i & 1)) continue;
      const PathPattern& pat = rules.path_patterns[i];
      detect::Incident in;
      in.type = std::string(kRulePathPattern);
      in.kind = pat.name;
      in.culprit = paths.Origin(path);
      in.prefixes = {p};
      in.cause = pat.name;
      detect::AddReason(
          &in,
          fmt::format("AS path {} matches pattern {} ({})", PathText(path), pat.name, pat.regex),
          {"live.path_pattern.match",
           {{"path", PathText(path)}, {"name", pat.name}, {"regex", pat.regex}}});
      fn(MakeCond(CondKind::kPattern, kRulePathPattern,
                  fmt::format("{}|{}|{}", kRulePathPattern, pat.name, p.ToString()), std::move(in),
                  pid, 0));
    }
    if (info.touches && (rules.new_upstream || rules.new_downstream)) {
      const auto asns = paths.Get(path);
      for (size_t i = 0; i < asns.size(); ++i) {
        if (!watched_asns.contains(asns[i])) continue;
        if (i > 0 && asns[i - 1] != asns[i] && rules.new_upstream) {
          Neighbour(CondKind::kUpstream, asns[i], asns[i - 1], pid, learning, fn);
        }
        if (i + 1 < asns.size() && asns[i + 1] != asns[i] && rules.new_downstream) {
          Neighbour(CondKind::kDownstream, asns[i], asns[i + 1], pid, learning, fn);
        }
      }
    }
  }

  // RFC 9234 §5: a route carrying OTC (set by or for AS otc when it went
  // to a customer or peer) must only go down from there; the first AS left
  // of otc in the path that sent it to a provider or peer (by the
  // relationships) leaked it. RFC 7908 type from where it learnt it.
  std::optional<detect::Valley> OtcLeak(uint32_t path, Asn otc) const {
    const auto a = paths.Get(path);
    size_t idx = a.size();
    for (size_t k = 0; k < a.size(); ++k) {
      if (a[k] == otc) {
        idx = k;
        break;
      }
    }
    for (size_t j = std::min(idx, a.size()); j-- > 1;) {
      if (a[j] == a[j - 1]) continue;  // prepending
      const topology::Relation r = ref->relations.RelationOf(a[j - 1], a[j]);
      if (r != topology::Relation::kProvider && r != topology::Relation::kPeer) continue;
      const bool from_provider = j + 1 < a.size() && ref->relations.RelationOf(a[j + 1], a[j]) ==
                                                         topology::Relation::kProvider;
      const bool to_provider = r == topology::Relation::kProvider;
      detect::Valley v;
      v.culprit = a[j];
      v.receiver = a[j - 1];
      v.type = from_provider ? (to_provider ? 1 : 3) : (to_provider ? 4 : 2);
      return v;
    }
    return std::nullopt;
  }

  template <typename Fn>
  void Neighbour(CondKind kind, Asn own, Asn other, uint32_t pid, bool learning, Fn& fn) {
    const bool up = kind == CondKind::kUpstream;
    auto& known = up ? known_up : known_down;
    const uint64_t k = uint64_t{own} << 32 | other;
    if (learning) {
      known.insert(k);
      return;
    }
    if (known.contains(k)) return;
    // What the neighbour is to the watched AS, by the relationships: a
    // known link is not new.
    const topology::Relation rel = ref->relations.RelationOf(other, own);
    if (rel != topology::Relation::kNone) return;
    const std::string_view rule = up ? kRuleNewUpstream : kRuleNewDownstream;
    detect::Incident in;
    in.type = std::string(rule);
    in.kind = up ? "upstream" : "downstream";
    in.culprit = other;
    in.cause = fmt::format("AS{} AS{}", own, other);
    detect::AddReason(
        &in,
        fmt::format("AS{} is a new {} of watched AS{}, first seen on {}", other,
                    up ? "upstream" : "downstream", own, prefixes[pid].prefix.ToString()),
        {up ? "live.new_upstream" : "live.new_downstream",
         {{"neighbour", std::to_string(other)},
          {"asn", std::to_string(own)},
          {"prefix", prefixes[pid].prefix.ToString()}}});
    fn(MakeCond(kind, rule, fmt::format("{}|AS{}|AS{}", rule, own, other), std::move(in), pid, 0));
  }

  // Watched prefixes: visibility loss below visibility_min_peers peers.
  void Visibility(uint32_t pid, bgp::RouteTime t, bool learning) {
    PrefixState& ps = prefixes[pid];
    if (ps.watched_exact < 0 || !rules.visibility_loss) return;
    uint32_t n = 0;
    for (size_t i = 0; i < ps.routes.size(); ++i) {
      if (i == 0 || ps.routes[i].peer != ps.routes[i - 1].peer) ++n;
    }
    const uint32_t min = std::max<uint32_t>(1, rules.visibility_min_peers);
    if (n >= min) {
      ps.was_visible = true;
      if (ps.visibility) End(ps.visibility, t);
      return;
    }
    if (!ps.was_visible || ps.visibility || learning) return;
    detect::Incident in;
    in.type = std::string(kRuleVisibilityLoss);
    in.kind = n == 0 ? "withdrawn" : "below_min_peers";
    const WatchedPrefix& w = rules.prefixes[static_cast<size_t>(ps.watched_exact)];
    in.culprit = 0;
    in.prefixes = {ps.prefix};
    in.victims = w.origins;
    in.cause = in.kind;
    detect::AddReason(
        &in, fmt::format("{} is seen by {} peers, fewer than {}", ps.prefix.ToString(), n, min),
        {"live.visibility_loss",
         {{"prefix", ps.prefix.ToString()},
          {"peers", std::to_string(n)},
          {"min_peers", std::to_string(min)}}});
    Cond* c = MakeCond(CondKind::kVisibility, kRuleVisibilityLoss,
                       fmt::format("{}|{}", kRuleVisibilityLoss, ps.prefix.ToString()),
                       std::move(in), pid, 0);
    c->immediate = true;
    c->first = c->last = t.seconds;
    ps.visibility = c;
    MaybeRaise(*c, t);
  }

  size_t Find(const PrefixState& ps, uint32_t peer, uint32_t path_id) const {
    auto it = std::lower_bound(ps.routes.begin(), ps.routes.end(), std::pair{peer, path_id},
                               [](const Slot& s, const std::pair<uint32_t, uint32_t>& k) {
                                 return std::pair{s.peer, s.path_id} < k;
                               });
    return static_cast<size_t>(it - ps.routes.begin());
  }

  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) {
    if (r.source == bgp::RouteSource::kUpdate) updates_started = true;
    const bool learning = Learning(r);
    const uint32_t pid = Intern(r.prefix);
    const uint32_t path = PathOf(attrs);
    const Asn otc = attrs.Has(bgp::kAttrOtc) ? attrs.otc : 0;
    PrefixState& ps = prefixes[pid];
    size_t i = Find(ps, r.peer, r.path_id);
    const bool present =
        i < ps.routes.size() && ps.routes[i].peer == r.peer && ps.routes[i].path_id == r.path_id;
    if (present) {
      // The same path again, and nothing that OTC may change: no change.
      if (ps.routes[i].path == path && otc == 0) {
        if (learning) Learn(ps, paths.Origin(path));
        return;  // the same route again: nothing changes
      }
      const std::vector<Cond*> old = Unlink(pid, i);
      ps.routes[i].path = path;
      AddRoute(pid, i, r, otc, learning);
      Finish(old, r.time);
    } else {
      ps.routes.insert(ps.routes.begin() + static_cast<std::ptrdiff_t>(i),
                       Slot{r.peer, r.path_id, path});
      if (r.peer < routes_of_peer.size()) ++routes_of_peer[r.peer];
      AddRoute(pid, i, r, otc, learning);
    }
    if (ps.watched_exact >= 0) Visibility(pid, r.time, learning);
  }

  void Withdraw(const bgp::Route& r) {
    if (r.source == bgp::RouteSource::kTableSnapshot && !updates_started) return;
    updates_started = true;
    auto it = prefix_ids.find(r.prefix.Masked());
    if (it == prefix_ids.end()) {
      ++stats->unknown_withdraws;
      return;
    }
    const uint32_t pid = it->second;
    PrefixState& ps = prefixes[pid];
    const size_t i = Find(ps, r.peer, r.path_id);
    if (i >= ps.routes.size() || ps.routes[i].peer != r.peer || ps.routes[i].path_id != r.path_id) {
      ++stats->unknown_withdraws;
      return;
    }
    const std::vector<Cond*> cs = Unlink(pid, i);
    ps.routes.erase(ps.routes.begin() + static_cast<std::ptrdiff_t>(i));
    if (r.peer < routes_of_peer.size()) --routes_of_peer[r.peer];
    Finish(cs, r.time);
    if (ps.watched_exact >= 0) Visibility(pid, r.time, false);
  }

  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) {
    updates_started = true;
    if (peer < routes_of_peer.size()) {
      if (routes_of_peer[peer] == 0) return;
      routes_of_peer[peer] = 0;
    }
    for (uint32_t pid = 0; pid < prefixes.size(); ++pid) {
      PrefixState& ps = prefixes[pid];
      size_t b = Find(ps, peer, 0), e = b;
      while (e < ps.routes.size() && ps.routes[e].peer == peer) ++e;
      if (b == e) continue;
      std::vector<Cond*> cs;
      for (size_t i = e; i-- > b;) {
        for (Cond* c : Unlink(pid, i)) PushCapped(cs, c, SIZE_MAX);
      }
      ps.routes.erase(ps.routes.begin() + static_cast<std::ptrdiff_t>(b),
                      ps.routes.begin() + static_cast<std::ptrdiff_t>(e));
      Finish(cs, t);
      if (ps.watched_exact >= 0) Visibility(pid, t, false);
    }
  }

  bool Covered(const rpki::VrpSet& set, const Prefix& p) const {
    bool any = false;
    set.index().ForEachCovering(p, [&](uint32_t) { any = true; });
    return any;
  }

  void SetVrps(const rpki::VrpSet& next_set, bgp::RouteTime t) {
    auto next = std::make_unique<rpki::VrpSet>(next_set);
    next->Build();
    // roa_disappeared: watched prefixes covered before and not now (RFC
    // 6811 §2 "covering" VRPs), and back.
    std::vector<std::pair<uint32_t, bool>> roa;  // (prefix id, lost)
    if (rules.roa_disappeared) {
      for (const WatchedPrefix& w : rules.prefixes) {
        const uint32_t pid = Intern(w.prefix);
        const bool before = Covered(*vrps, w.prefix), after = Covered(*next, w.prefix);
        if (before && !after) roa.push_back({pid, true});
        if (after) roa.push_back({pid, false});
      }
    }
    std::vector<std::string> gone;
    if (rules.roa_disappeared) {
      for (const auto& [pid, lost] : roa) {
        if (!lost) continue;
        std::string list;
        for (const rpki::Vrp& v : rpki::Validate(*vrps, prefixes[pid].prefix, 0).covering) {
          if (list.size() > 200) break;
          list += fmt::format("{}{}-{} AS{}", list.empty() ? "" : ", ", v.prefix.ToString(),
                              v.max_length, v.asn);
        }
        gone.push_back(list);
      }
    }
    own_vrps = std::move(next);
    vrps = own_vrps.get();
    size_t g = 0;
    for (const auto& [pid, lost] : roa) {
      PrefixState& ps = prefixes[pid];
      if (!lost) {
        if (ps.roa) End(ps.roa, t);
        continue;
      }
      const std::string& list = gone[g++];
      if (ps.roa) continue;
      detect::Incident in;
      in.type = std::string(kRuleRoaDisappeared);
      in.kind = "no_covering_vrp";
      in.prefixes = {ps.prefix};
      if (ps.watched_exact >= 0) in.victims = rules.prefixes[ps.watched_exact].origins;
      in.cause = list;
      detect::AddReason(
          &in, fmt::format("No VRP covers {} any more; before: {}", ps.prefix.ToString(), list),
          {"live.roa_disappeared", {{"prefix", ps.prefix.ToString()}, {"roas", list}}});
      Cond* c = MakeCond(CondKind::kRoa, kRuleRoaDisappeared,
                         fmt::format("{}|{}", kRuleRoaDisappeared, ps.prefix.ToString()),
                         std::move(in), pid, 0);
      c->immediate = true;
      c->first = c->last = t.seconds;
      ps.roa = c;
      MaybeRaise(*c, t);
    }
    if (!rules.rpki_invalid) return;
    // rpki_invalid over every (prefix, origin) held now.
    for (uint32_t pid = 0; pid < prefixes.size(); ++pid) {
      PrefixState& ps = prefixes[pid];
      if (ps.bogon) continue;
      const bool watched = !rules.only_watched || ps.watched >= 0;
      for (size_t oi = 0; oi < ps.origins.size(); ++oi) {
        const Asn o = ps.origins[oi].origin;
        if (o == 0 || ps.origins[oi].hijack || bogons().ClassifyAsn(o)) continue;
        if (!watched && !watched_asns.contains(o)) continue;
        Cond* old = ps.origins[oi].rpki;
        Cond* now = RpkiCond(pid, o);
        if (old && now == old) continue;  // still invalid
        if (old) {
          // Valid or not-found now (or invalid for other VRPs: a new key).
          for (Slot& s : ps.routes) {
            if (paths.Origin(s.path & kPathMask) != o || !(s.path & kContrib)) continue;
            auto it = contrib.find({pid, s.peer, s.path_id});
            if (it == contrib.end()) continue;
            auto& cs = it->second;
            cs.erase(std::remove(cs.begin(), cs.end(), old), cs.end());
            Detach(old, s);
            if (cs.empty()) {
              contrib.erase(it);
              s.path &= kPathMask;
            }
          }
          End(old, t);
        }
        if (now) {
          ps.origins[oi].rpki = now;
          for (Slot& s : ps.routes) {
            if (paths.Origin(s.path & kPathMask) == o) Attach(now, pid, s, t.seconds, t);
          }
        }
      }
    }
  }
};

LiveDetector::LiveDetector(LiveRules rules, const snapshot::Snapshot* reference, LiveEventSink* out)
    : state_(std::make_unique<State>(std::move(rules), reference, out, &stats_, &arrival_ns_)) {}

LiveDetector::~LiveDetector() = default;

void LiveDetector::SetVrps(const rpki::VrpSet& vrps) {
  bgp::RouteTime t;
  t.seconds = state_->tick_time ? state_->tick_time : static_cast<uint32_t>(time(nullptr));
  state_->SetVrps(vrps, t);
}

void LiveDetector::Tick(bgp::RouteTime now) {
  state_->tick_time = std::max(state_->tick_time, now.seconds);
}

void LiveDetector::Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) {
  state_->peers[h] = {std::string(info.collector), info.ip, info.asn};
  if (h < State::kMaxTrackedPeer && h >= state_->routes_of_peer.size()) {
    state_->routes_of_peer.resize(h + 1, 0);
  }
}

// VPN and labeled routes (RFC 4364, RFC 8277) live in their VRF's own
// address space: the unicast rules do not apply to them.
static bool IsUnicastRoute(const bgp::Route& r) { return !bgp::IsLabeledSafi(r.safi) && r.rd == 0; }

void LiveDetector::Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) {
  if (!IsUnicastRoute(r)) return;
  ++stats_.announces;
  state_->Announce(r, attrs);
}

void LiveDetector::Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) {
  (void)cause;
  if (!IsUnicastRoute(r)) return;
  ++stats_.withdraws;
  state_->Withdraw(r);
}

void LiveDetector::SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) {
  ++stats_.sessions_down;
  state_->SessionDown(peer, t);
}

const LiveDetectorStats& LiveDetector::stats() const {
  stats_.prefixes = state_->prefixes.size();
  stats_.paths = state_->paths.size();
  stats_.conditions = state_->conds.size();
  return stats_;
}

}  // namespace vigia::live
