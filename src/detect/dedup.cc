// detect::Deduplicate (detect.h): one incident per (type, prefixes, culprit,
// cause), the duplicates' evidence merged into it. Detectors work per route
// (prefix and origin), so one fault seen behind several origins, such as a
// culprit passing on the same bogon ASN for the routes of two origins of one
// prefix, came out as one incident per origin (issue 15). Called once, by
// Detect(), after every detector has run.
//
// Pure function over its argument; no shared state.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "detect/detect.h"

namespace vigia::detect {

namespace {

using Json = nlohmann::ordered_json;

// What makes two incidents one (detect.h, Incident::cause). An empty cause
// stands for the incident's kind and reasons: an incident whose detector
// sets no cause merges only with an identical one.
std::string CauseOf(const Incident& in) {
  if (!in.cause.empty()) return in.cause;
  std::string c = in.kind;
  for (const std::string& r : in.reasons) c += "\n" + r;
  return c;
}

using Key = std::tuple<std::string, std::vector<Prefix>, Asn, std::string>;

Key KeyOf(const Incident& in) {
  std::vector<Prefix> p = in.prefixes;
  std::sort(p.begin(), p.end());
  return {in.type, std::move(p), in.culprit, CauseOf(in)};
}

// The origin of an example path as Evidence() writes it ("A B C"): its
// last AS, or nothing for a path that ends in a set.
std::optional<Asn> OriginOfPath(const std::string& path) {
  const size_t sp = path.find_last_of(' ');
  const std::string last = sp == std::string::npos ? path : path.substr(sp + 1);
  if (last.empty() || last.find_first_not_of("0123456789") != std::string::npos) return {};
  try {
    return static_cast<Asn>(std::stoul(last));
  } catch (...) {
    return {};
  }
}

// Strings of the array `key` of every evidence, in order, without repeats;
// with `round_robin`, one from each evidence in turn, so that every
// merged incident (every origin) keeps at least one path under the cap.
std::vector<std::string> Union(const std::vector<Json>& ev, const char* key, size_t cap,
                               bool round_robin) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const Json& v) {
    if (!v.is_string() || out.size() >= cap) return;
    if (seen.insert(v.get<std::string>()).second) out.push_back(v.get<std::string>());
  };
  if (!round_robin) {
    for (const Json& e : ev) {
      if (e.contains(key) && e[key].is_array())
        for (const Json& v : e[key]) add(v);
    }
    return out;
  }
  for (size_t i = 0;; ++i) {
    bool any = false;
    for (const Json& e : ev) {
      if (!e.contains(key) || !e[key].is_array() || i >= e[key].size()) continue;
      any = true;
      add(e[key][i]);
    }
    if (!any || out.size() >= cap) break;
  }
  return out;
}

std::string MergeEvidence(const std::vector<const Incident*>& group,
                          const std::vector<std::string>& reasons,
                          const std::vector<Asn>& victims) {
  std::vector<Json> ev;
  for (const Incident* in : group) {
    Json j = Json::parse(in->evidence, nullptr, false);
    ev.push_back(j.is_object() ? std::move(j) : Json::object());
  }
  Json out;
  out["reasons"] = reasons;
  const auto paths = Union(ev, "example_paths", kMaxMergedPaths, true);
  out["example_paths"] = paths;
  // Paths shown of those the merged incidents showed (each shows at most
  // its own cap; the count says when some were left off).
  size_t shown = 0;
  for (const Json& e : ev) {
    if (e.contains("example_paths") && e["example_paths"].is_array())
      shown += e["example_paths"].size();
  }
  out["example_paths_total"] = shown;
  std::set<Asn> origins;
  for (const Json& e : ev) {
    if (!e.contains("example_paths") || !e["example_paths"].is_array()) continue;
    for (const Json& p : e["example_paths"]) {
      if (!p.is_string()) continue;
      if (auto o = OriginOfPath(p.get<std::string>())) origins.insert(*o);
    }
  }
  out["origins_seen"] = origins.size();
  std::vector<Asn> shown_origins(origins.begin(), origins.end());
  if (shown_origins.size() > kMaxMergedPaths) shown_origins.resize(kMaxMergedPaths);
  out["origins"] = shown_origins;
  const auto peers = Union(ev, "peers", SIZE_MAX, false);
  size_t peers_seen = peers.size();  // at least; each list was capped
  for (const Json& e : ev) {
    if (e.contains("peers_seen") && e["peers_seen"].is_number_unsigned())
      peers_seen = std::max(peers_seen, e["peers_seen"].get<size_t>());
  }
  out["peers_seen"] = peers_seen;
  std::vector<std::string> shown_peers = peers;
  std::sort(shown_peers.begin(), shown_peers.end());
  if (shown_peers.size() > 20) shown_peers.resize(20);
  out["peers"] = shown_peers;
  auto collectors = Union(ev, "collectors", SIZE_MAX, false);
  std::sort(collectors.begin(), collectors.end());
  out["collectors"] = collectors;
  uint64_t first = UINT64_MAX, last = 0;
  for (const Json& e : ev) {
    if (e.contains("first_seen") && e["first_seen"].is_number_unsigned())
      first = std::min(first, e["first_seen"].get<uint64_t>());
    if (e.contains("last_seen") && e["last_seen"].is_number_unsigned())
      last = std::max(last, e["last_seen"].get<uint64_t>());
  }
  if (first != UINT64_MAX) out["first_seen"] = first;
  out["last_seen"] = last;
  out["merged"] = group.size();
  if (!victims.empty()) out["victims"] = victims;
  return out.dump();
}

}  // namespace

std::vector<Incident> Deduplicate(std::vector<Incident> in) {
  std::map<Key, size_t> group_of;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < in.size(); ++i) {
    auto [it, fresh] = group_of.try_emplace(KeyOf(in[i]), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  if (groups.size() == in.size()) return in;
  std::vector<Incident> out;
  out.reserve(groups.size());
  for (const std::vector<size_t>& g : groups) {
    Incident m = std::move(in[g[0]]);
    if (g.size() == 1) {
      out.push_back(std::move(m));
      continue;
    }
    std::vector<const Incident*> members = {&m};
    for (size_t k = 1; k < g.size(); ++k) members.push_back(&in[g[k]]);
    // The propagator most of them name (the first one's on a tie).
    std::map<Asn, size_t> votes;
    for (const Incident* x : members) {
      if (x->propagator) ++votes[*x->propagator];
    }
    size_t best = m.propagator ? votes[*m.propagator] : 0;
    for (auto [asn, n] : votes) {
      if (n > best) m.propagator = asn, best = n;
    }
    std::vector<std::string> reasons;
    std::vector<ReasonKey> keys;  // in step with reasons
    std::set<Asn> victims;
    for (const Incident* x : members) {
      victims.insert(x->victims.begin(), x->victims.end());
      m.start = std::min(m.start, x->start);
      m.end = std::max(m.end, x->end);
      m.confidence = std::max(m.confidence, x->confidence);
      for (size_t i = 0; i < x->reasons.size(); ++i) {
        const std::string& r = x->reasons[i];
        if (std::find(reasons.begin(), reasons.end(), r) != reasons.end()) continue;
        reasons.push_back(r);
        keys.push_back(i < x->reason_keys.size() ? x->reason_keys[i] : ReasonKey{});
      }
    }
    m.victims.assign(victims.begin(), victims.end());
    if (m.victims.size() > kMaxVictims) m.victims.resize(kMaxVictims);
    m.evidence = MergeEvidence(members, reasons, m.victims);
    m.reasons = std::move(reasons);
    m.reason_keys = std::move(keys);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace vigia::detect
