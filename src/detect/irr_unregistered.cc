// IRR-unregistered announcements (SPEC C7; the incidents behind MANRS
// M7IRR): routes with no route object of their origin, by the route-check
// states of irr/route_check.h. One incident per origin AS and state, not
// per route: a registration gap is one thing for its holder to fix, and a
// full table holds hundreds of thousands of such routes.
//
//   kind other_origin  route objects cover the prefix but none names this
//                      origin (the stronger signal: someone registered the
//                      space for another AS)
//   kind not_found     no route object covers the prefix at all
//
// Routes an earlier detector reported (hijacks, bogons, RPKI invalid) are
// left to that incident.
#include <fmt/format.h>

#include <bit>
#include <map>
#include <set>
#include <thread>

#include "detect/detect.h"
#include "irr/route_check.h"

namespace vigia::detect {

struct IrrSummary::Groups {
  // One (origin, IRR state) group: everything its incident says, route by
  // route in route order, kept so that partitions' groups read apart join
  // exactly (Merge): the propagator counts of the first routes until 200
  // path ids, the evidence of the first 20 routes.
  struct Counted {
    size_t ids = 0;
    std::map<Asn, size_t> propagators;
  };
  struct Sampled {
    uint32_t first = 0, last = 0;
    std::vector<std::string> paths;  // its first paths, at most 5
    std::vector<uint64_t> peers;     // a bit per peer id (1,000 peers: 125 bytes)
  };
  struct Group {
    std::vector<Prefix> prefixes;
    uint32_t start = UINT32_MAX, end = 0;
    size_t ids = 0;                // of `counted`
    std::vector<Counted> counted;  // the routes while ids < 200
    std::vector<Sampled> sampled;  // the first 20 routes
  };
  std::map<std::pair<Asn, uint8_t>, Group> by;
};

IrrSummary::IrrSummary() : groups_(new Groups) {}
IrrSummary::~IrrSummary() { delete groups_; }

void IrrSummary::Add(const Snapshot& s, const RouteView& v, const std::vector<Incident>& earlier) {
  if (s.irr.route_count() == 0) return;
  const auto& routes = v.routes();
  std::vector<uint8_t> state(routes.size(), static_cast<uint8_t>(irr::IrrState::kExact));
  {
    const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < n; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = t; i < routes.size(); i += n) {
          if (routes[i].origin == 0) continue;
          state[i] = static_cast<uint8_t>(
              irr::CheckRoute(s.irr, s.routes.prefixes()[routes[i].prefix], routes[i].origin)
                  .state);
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  std::set<std::pair<Prefix, Asn>> explained;
  for (const Incident& in : earlier) {
    if (in.type == kRouteLeak) continue;
    for (const Prefix& p : in.prefixes) explained.insert({p, in.culprit});
  }
  const auto& bogons = s.registry.bogons();
  const auto& paths = s.routes.paths();
  for (size_t i = 0; i < routes.size(); ++i) {
    const auto st = static_cast<irr::IrrState>(state[i]);
    if (st != irr::IrrState::kOtherOrigin && st != irr::IrrState::kNotFound) continue;
    const OriginRoute& o = routes[i];
    const Prefix& p = s.routes.prefixes()[o.prefix];
    if (bogons.ClassifyAsn(o.origin) || bogons.Classify(p.address())) continue;
    if (!explained.empty() && explained.contains({p, o.origin})) continue;
    Groups::Group& g = groups_->by[{o.origin, state[i]}];
    g.prefixes.push_back(p);
    g.start = std::min(g.start, o.first);
    g.end = std::max(g.end, o.last);
    if (g.ids < 200) {
      Groups::Counted c;
      CountPropagators(paths, o.paths, o.origin, &c.propagators);
      c.ids = o.paths.size();
      g.ids += c.ids;
      g.counted.push_back(std::move(c));
    }
    if (g.sampled.size() < 20) {
      Groups::Sampled x;
      x.first = o.first;
      x.last = o.last;
      for (uint32_t id : o.paths) {
        if (x.paths.size() >= 5) break;
        x.paths.push_back(PathText(paths.Get(id)));
      }
      for (uint32_t peer : o.peers) {
        if (x.peers.size() <= peer / 64) x.peers.resize(peer / 64 + 1);
        x.peers[peer / 64] |= uint64_t{1} << (peer % 64);
      }
      g.sampled.push_back(std::move(x));
    }
  }
}

void IrrSummary::Emit(const Snapshot& s, std::vector<Incident>* out) {
  for (auto& [key, g] : groups_->by) {
    const bool other = static_cast<irr::IrrState>(key.second) == irr::IrrState::kOtherOrigin;
    const size_t count = g.prefixes.size();
    Incident in;
    in.type = kIrrUnregistered;
    in.kind = other ? "other_origin" : "not_found";
    in.cause = in.kind;
    in.culprit = key.first;
    in.start = g.start;
    in.end = g.end;
    in.prefixes = std::move(g.prefixes);
    std::sort(in.prefixes.begin(), in.prefixes.end());
    // The propagator over the first routes' paths until 200, as PropagatorOf.
    std::map<Asn, size_t> propagators;
    size_t ids = 0;
    for (const Groups::Counted& c : g.counted) {
      if (ids >= 200) break;
      for (const auto& [asn, n] : c.propagators) propagators[asn] += n;
      ids += c.ids;
    }
    in.propagator = MostCounted(propagators);
    in.confidence = 1;
    AddReason(
        &in,
        fmt::format("AS{} originates {} route{} with {}", key.first, count, count == 1 ? "" : "s",
                    other ? "route objects in the IRR for other origins only"
                          : "no covering route object in any IRR source loaded"),
        {fmt::format("detect.irr_unregistered.{}.{}", other ? "other_origin" : "not_found",
                     count == 1 ? "one" : "other"),
         {{"origin", std::to_string(key.first)}, {"count", std::to_string(count)}}});
    // As Evidence() over the first 20 routes.
    std::vector<std::string> texts, peers, collectors;
    uint32_t first = UINT32_MAX, last = 0;
    for (size_t k = 0; k < g.sampled.size() && k < 20; ++k) {
      const Groups::Sampled& x = g.sampled[k];
      first = std::min(first, x.first);
      last = std::max(last, x.last);
      for (const std::string& t : x.paths) {
        if (texts.size() < 5) texts.push_back(t);
      }
      for (size_t w = 0; w < x.peers.size(); ++w) {
        for (uint64_t bits = x.peers[w]; bits; bits &= bits - 1) {
          const size_t id = w * 64 + std::countr_zero(bits);
          if (id >= s.routes.peers().size()) break;  // a damaged partial file's
          const auto& peer = s.routes.peers()[id];
          peers.push_back(fmt::format("{} AS{} {}", peer.collector, peer.asn, peer.ip.ToString()));
          collectors.push_back(peer.collector);
        }
      }
    }
    in.evidence = EvidenceJson(in.reasons, std::move(texts), std::move(peers),
                               std::move(collectors), first, last);
    out->push_back(std::move(in));
  }
  groups_->by.clear();
}

nlohmann::json IrrSummary::Save() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, g] : groups_->by) {
    nlohmann::json prefixes = nlohmann::json::array(), counted = nlohmann::json::array(),
                   sampled = nlohmann::json::array();
    for (const Prefix& p : g.prefixes) prefixes.push_back(p.ToString());
    for (const Groups::Counted& c : g.counted) {
      nlohmann::json prop = nlohmann::json::array();
      for (const auto& [asn, n] : c.propagators) prop.push_back({asn, n});
      counted.push_back({{"ids", c.ids}, {"propagators", std::move(prop)}});
    }
    for (const Groups::Sampled& x : g.sampled) {
      sampled.push_back(
          {{"first", x.first}, {"last", x.last}, {"paths", x.paths}, {"peers", x.peers}});
    }
    out.push_back({{"origin", key.first},
                   {"state", key.second},
                   {"prefixes", std::move(prefixes)},
                   {"start", g.start},
                   {"end", g.end},
                   {"counted", std::move(counted)},
                   {"sampled", std::move(sampled)}});
  }
  return out;
}

void IrrSummary::Merge(const nlohmann::json& saved) {
  for (const auto& j : saved) {
    Groups::Group& g = groups_->by[{j.at("origin").get<Asn>(), j.at("state").get<uint8_t>()}];
    for (const auto& p : j.at("prefixes")) {
      if (auto prefix = Prefix::Parse(p.get<std::string>())) g.prefixes.push_back(*prefix);
    }
    g.start = std::min(g.start, j.at("start").get<uint32_t>());
    g.end = std::max(g.end, j.at("end").get<uint32_t>());
    for (const auto& c : j.at("counted")) {
      Groups::Counted x;
      x.ids = c.at("ids").get<size_t>();
      for (const auto& p : c.at("propagators"))
        x.propagators[p.at(0).get<Asn>()] = p.at(1).get<size_t>();
      g.ids += x.ids;
      g.counted.push_back(std::move(x));
    }
    for (const auto& x : j.at("sampled")) {
      if (g.sampled.size() >= 20) break;
      g.sampled.push_back({x.at("first").get<uint32_t>(), x.at("last").get<uint32_t>(),
                           x.at("paths").get<std::vector<std::string>>(),
                           x.at("peers").get<std::vector<uint64_t>>()});
    }
  }
}

void DetectIrrUnregistered(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  IrrSummary groups;
  groups.Add(s, v, *out);
  groups.Emit(s, out);
}

}  // namespace vigia::detect
