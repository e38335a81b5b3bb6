// Route leaks (RFC 7908; MANRS M1): AS paths that are not valley-free over
// the AS relationships (Gao, "On inferring autonomous system relationships
// in the Internet", 2001), with ASPA where it exists.
//
// ASPA (draft-ietf-sidrops-aspa-profile) is the customer's own signed list
// of its providers, so for a hop it decides over the inferred
// relationships: a customer's ASPA that lists the neighbour makes the
// neighbour its provider; one that does not makes it a peer or customer.
// Each leak's paths are also verified with the draft's downstream
// algorithm (collector sessions carry full tables, as a provider's would
// be checked) and the outcome is part of the evidence.
#include <fmt/format.h>

#include <map>
#include <set>
#include <thread>

#include "detect/detect.h"
#include "rpki/aspa.h"

namespace vigia::detect {

namespace {

using topology::Relation;

// What a is to b: from ASPA where a or b published one, else from the
// inferred relationships.
Relation RelationOf(const topology::AsRelationships& rel, const rpki::AspaSet& aspas, Asn a,
                    Asn b) {
  if (aspas.size() > 0) {
    const auto ab = aspas.Check(b, a);  // does b attest a as its provider?
    if (ab == rpki::HopCheck::kProviderPlus) return Relation::kProvider;
    const auto ba = aspas.Check(a, b);
    if (ba == rpki::HopCheck::kProviderPlus) return Relation::kCustomer;
    if (ab == rpki::HopCheck::kNotProviderPlus && ba == rpki::HopCheck::kNotProviderPlus) {
      return Relation::kPeer;  // neither is the other's provider
    }
    const Relation r = rel.RelationOf(a, b);
    // One side's ASPA rules out what the inference says.
    if (r == Relation::kProvider && ab == rpki::HopCheck::kNotProviderPlus) {
      return ba == rpki::HopCheck::kNoAttestation ? Relation::kNone : Relation::kPeer;
    }
    if (r == Relation::kCustomer && ba == rpki::HopCheck::kNotProviderPlus) {
      return ab == rpki::HopCheck::kNoAttestation ? Relation::kNone : Relation::kPeer;
    }
    return r;
  }
  return rel.RelationOf(a, b);
}

}  // namespace

std::optional<Valley> FindValley(const topology::AsRelationships& rel, const rpki::AspaSet& aspas,
                                 std::span<const Asn> path) {
  std::vector<Asn> p;  // without prepending
  for (Asn a : path) {
    if (p.empty() || p.back() != a) p.push_back(a);
  }
  bool down = false;
  for (size_t i = p.size(); i-- > 1;) {
    const Relation r =
        RelationOf(rel, aspas, p[i - 1], p[i]);  // what the receiver is to the sender
    if (r == Relation::kNone) return std::nullopt;
    if (r == Relation::kCustomer) {
      down = true;
      continue;
    }
    if (!down) {
      if (r == Relation::kPeer) down = true;
      continue;
    }
    // p[i] sends up or across a route it learnt from a provider or peer.
    if (i + 1 >= p.size()) return std::nullopt;
    const Relation learnt = RelationOf(rel, aspas, p[i + 1], p[i]);
    const bool from_provider = learnt == Relation::kProvider;
    const bool to_provider = r == Relation::kProvider;
    Valley v;
    v.culprit = p[i];
    v.receiver = p[i - 1];
    v.type = from_provider ? (to_provider ? 1 : 3) : (to_provider ? 4 : 2);
    return v;
  }
  return std::nullopt;
}

Incident LeakIncident(Asn culprit, Asn receiver, int type, std::vector<Prefix> prefixes,
                      size_t peers) {
  Incident in;
  in.type = kRouteLeak;
  in.kind = fmt::format("rfc7908_type{}", type);
  in.culprit = culprit;
  in.propagator = receiver;
  in.cause = fmt::format("{} AS{}", in.kind, receiver);
  std::sort(prefixes.begin(), prefixes.end());
  in.prefixes = std::move(prefixes);
  in.confidence = 0.8;
  static const char* kWhat[] = {"", "from a provider to another provider",
                                "from a peer to another peer", "from a provider to a peer",
                                "from a peer to a provider"};
  const int t = std::clamp(type, 1, 4);
  AddReason(&in,
            fmt::format("AS{} passes routes {} (AS{}): not valley-free (RFC 7908 type {})", culprit,
                        kWhat[t], receiver, t),
            {fmt::format("detect.route_leak.type{}", t),
             {{"culprit", std::to_string(culprit)}, {"neighbour", std::to_string(receiver)}}});
  // Singular and plural as keys: "seen by 1 peers" was issue 15's.
  const size_t np = in.prefixes.size();
  AddReason(&in,
            fmt::format("{} prefix{}, seen by {} peer{}", np, np == 1 ? "" : "es", peers,
                        peers == 1 ? "" : "s"),
            {fmt::format("detect.route_leak.extent.{}_{}", np == 1 ? "one" : "other",
                         peers == 1 ? "one" : "other"),
             {{"prefixes", std::to_string(np)}, {"peers", std::to_string(peers)}}});
  return in;
}

// A path by its ASNs, in canonical order (observe::PathLess): the same
// order as path ids in any partition.
struct LeakPath {
  std::vector<Asn> asns;
  bool set = false;
  friend bool operator<(const LeakPath& a, const LeakPath& b) {
    return observe::PathLess(a.asns, a.set, b.asns, b.set);
  }
};

struct LeakSummary::Leaks {
  struct Leak {
    int type = 0;
    std::set<Prefix> prefixes;  // Prefix order: prefix id order
    std::set<uint32_t> peers;   // peer ids are the same in every partition
    std::set<LeakPath> paths;
    uint32_t first = UINT32_MAX, last = 0;
  };
  std::map<std::pair<Asn, Asn>, Leak> by;  // (culprit, receiver)
};

LeakSummary::LeakSummary() : leaks_(new Leaks) {}
LeakSummary::~LeakSummary() { delete leaks_; }

void LeakSummary::Add(const Snapshot& s, const RouteView&) {
  const rpki::AspaSet& aspas = s.vrps.aspas();
  if (s.relations.as_count() == 0 && aspas.size() == 0) return;
  const auto& paths = s.routes.paths();
  // Per distinct path, once, over threads: its valley, if any. (Millions
  // of paths at full scale; the relationship look-ups are read-only.)
  std::vector<std::optional<Valley>> valley_of(paths.size());
  {
    const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < n; ++t) {
      pool.emplace_back([&, t] {
        for (size_t id = t; id < paths.size(); id += n) {
          valley_of[id] = FindValley(s.relations, aspas, paths.Get(static_cast<uint32_t>(id)));
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  // This partition's leaks by path id, then added to the summary by value.
  struct Local {
    int type = 0;
    std::set<uint32_t> prefixes, peers, path_ids;
    uint32_t first = UINT32_MAX, last = 0;
  };
  std::map<std::pair<Asn, Asn>, Local> local;
  for (const auto& x : s.routes.sightings()) {
    if (!valley_of[x.path]) continue;
    const Valley& val = *valley_of[x.path];
    Local& l = local[{val.culprit, val.receiver}];
    l.type = val.type;
    l.prefixes.insert(x.prefix);
    l.peers.insert(x.peer);
    l.path_ids.insert(x.path);
    l.first = std::min(l.first, x.start);
    l.last = std::max(l.last, x.end);
  }
  for (const auto& [key, l] : local) {
    Leaks::Leak& g = leaks_->by[key];
    g.type = l.type;  // the last sighting's, as partitions come in prefix order
    for (uint32_t p : l.prefixes) g.prefixes.insert(s.routes.prefixes()[p]);
    g.peers.insert(l.peers.begin(), l.peers.end());
    for (uint32_t id : l.path_ids) {
      const auto asns = paths.Get(id);
      g.paths.insert({std::vector<Asn>(asns.begin(), asns.end()), paths.HasSet(id)});
    }
    g.first = std::min(g.first, l.first);
    g.last = std::max(g.last, l.last);
  }
}

void LeakSummary::Emit(const Snapshot& s, std::vector<Incident>* out) {
  const rpki::AspaSet& aspas = s.vrps.aspas();
  for (const auto& [key, l] : leaks_->by) {
    std::vector<Prefix> prefixes(l.prefixes.begin(), l.prefixes.end());
    Incident in = LeakIncident(key.first, key.second, l.type, std::move(prefixes), l.peers.size());
    in.start = l.first;
    in.end = l.last;
    if (aspas.size() > 0) {
      // ASPA verification of the leak's paths (downstream: a collector
      // session carries a full table).
      size_t invalid = 0, unknown = 0;
      std::string example;
      for (const LeakPath& path : l.paths) {
        const auto r = rpki::VerifyAsPath(aspas, path.asns, rpki::PeerRole::kProvider, path.set);
        if (r.state == rpki::AspaState::kInvalid) {
          ++invalid;
          if (example.empty()) example = r.reason;
        } else if (r.state == rpki::AspaState::kUnknown) {
          ++unknown;
        }
      }
      if (invalid > 0) {
        in.confidence = 0.95;
        AddReason(
            &in, fmt::format("ASPA: {} of {} paths invalid ({})", invalid, l.paths.size(), example),
            {"detect.route_leak.aspa_invalid",
             {{"invalid", std::to_string(invalid)},
              {"paths", std::to_string(l.paths.size())},
              {"example", example}}});
      } else {
        AddReason(
            &in, fmt::format("ASPA: no path invalid ({} unknown of {})", unknown, l.paths.size()),
            {"detect.route_leak.aspa_none_invalid",
             {{"unknown", std::to_string(unknown)}, {"paths", std::to_string(l.paths.size())}}});
      }
    }
    // As Evidence() over one route with these paths and peers.
    std::vector<std::string> texts, peers, collectors;
    for (const LeakPath& path : l.paths) {
      if (texts.size() >= 5) break;
      texts.push_back(PathText(path.asns));
    }
    for (uint32_t p : l.peers) {
      if (p >= s.routes.peers().size()) continue;  // a damaged partial file's
      const auto& peer = s.routes.peers()[p];
      peers.push_back(fmt::format("{} AS{} {}", peer.collector, peer.asn, peer.ip.ToString()));
      collectors.push_back(peer.collector);
    }
    in.evidence = EvidenceJson(in.reasons, std::move(texts), std::move(peers),
                               std::move(collectors), l.first, l.last);
    out->push_back(std::move(in));
  }
  leaks_->by.clear();
}

nlohmann::json LeakSummary::Save() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, l] : leaks_->by) {
    nlohmann::json prefixes = nlohmann::json::array(), paths = nlohmann::json::array();
    for (const Prefix& p : l.prefixes) prefixes.push_back(p.ToString());
    for (const LeakPath& p : l.paths) paths.push_back({p.asns, p.set});
    out.push_back({{"culprit", key.first},
                   {"receiver", key.second},
                   {"type", l.type},
                   {"prefixes", std::move(prefixes)},
                   {"peers", l.peers},
                   {"paths", std::move(paths)},
                   {"first", l.first},
                   {"last", l.last}});
  }
  return out;
}

void LeakSummary::Merge(const nlohmann::json& saved) {
  for (const auto& j : saved) {
    Leaks::Leak& g = leaks_->by[{j.at("culprit").get<Asn>(), j.at("receiver").get<Asn>()}];
    g.type = j.at("type").get<int>();  // the later partition's, as in Add()
    for (const auto& p : j.at("prefixes")) {
      if (auto prefix = Prefix::Parse(p.get<std::string>())) g.prefixes.insert(*prefix);
    }
    for (const auto& p : j.at("peers")) g.peers.insert(p.get<uint32_t>());
    for (const auto& p : j.at("paths")) {
      g.paths.insert({p.at(0).get<std::vector<Asn>>(), p.at(1).get<bool>()});
    }
    g.first = std::min(g.first, j.at("first").get<uint32_t>());
    g.last = std::max(g.last, j.at("last").get<uint32_t>());
  }
}

void DetectRouteLeaks(const Snapshot& s, const RouteView& v, std::vector<Incident>* out) {
  LeakSummary leaks;
  leaks.Add(s, v);
  leaks.Emit(s, out);
}

}  // namespace vigia::detect
