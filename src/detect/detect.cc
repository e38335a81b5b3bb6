#include "detect/detect.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace vigia::detect {

RouteView::RouteView(const observe::ObservedRoutes& r) {
  const auto& paths = r.paths();
  const auto& sightings = r.sightings();
  first_of_prefix_.assign(r.prefixes().size() + 1, 0);
  // Sightings are sorted by prefix; group each prefix's by origin.
  size_t i = 0;
  uint32_t window_start = UINT32_MAX;
  for (const auto& x : sightings) window_start = std::min(window_start, x.start);
  std::map<Asn, OriginRoute> by_origin;
  for (uint32_t prefix = 0; prefix < r.prefixes().size(); ++prefix) {
    first_of_prefix_[prefix] = static_cast<uint32_t>(routes_.size());
    by_origin.clear();
    for (; i < sightings.size() && sightings[i].prefix == prefix; ++i) {
      const auto& x = sightings[i];
      OriginRoute& o = by_origin[paths.Origin(x.path)];
      if (o.paths.empty() && o.peers.empty()) {
        o.prefix = prefix;
        o.origin = paths.Origin(x.path);
        o.first = x.start;
        o.last = x.end;
      }
      o.first = std::min(o.first, x.start);
      o.last = std::max(o.last, x.end);
      o.at_start |= x.start == window_start;
      o.paths.push_back(x.path);
      o.peers.push_back(x.peer);
    }
    for (auto& [origin, o] : by_origin) {
      std::sort(o.paths.begin(), o.paths.end());
      o.paths.erase(std::unique(o.paths.begin(), o.paths.end()), o.paths.end());
      std::sort(o.peers.begin(), o.peers.end());
      o.peers.erase(std::unique(o.peers.begin(), o.peers.end()), o.peers.end());
      routes_.push_back(std::move(o));
    }
  }
  first_of_prefix_[r.prefixes().size()] = static_cast<uint32_t>(routes_.size());
}

std::pair<size_t, size_t> RouteView::OfPrefix(uint32_t prefix) const {
  return {first_of_prefix_[prefix], first_of_prefix_[prefix + 1]};
}

std::optional<Asn> PropagatorOf(const observe::PathTable& paths, const std::vector<uint32_t>& ids,
                                Asn culprit) {
  std::map<Asn, size_t> count;
  for (uint32_t id : ids) {
    const auto p = paths.Get(id);
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i] == culprit && p[i - 1] != culprit) {
        ++count[p[i - 1]];
        break;
      }
    }
  }
  std::optional<Asn> best;
  size_t n = 0;
  for (auto [asn, c] : count) {
    if (c > n) best = asn, n = c;
  }
  return best;
}

std::string Evidence(const Snapshot& s, const std::vector<const OriginRoute*>& routes,
                     const std::vector<std::string>& reasons) {
  const auto& r = s.routes;
  std::vector<std::string> paths, collectors;
  std::vector<std::string> peers;
  uint32_t first = UINT32_MAX, last = 0;
  for (const OriginRoute* o : routes) {
    first = std::min(first, o->first);
    last = std::max(last, o->last);
    for (uint32_t id : o->paths) {
      if (paths.size() >= 5) break;
      std::string text;
      for (Asn a : r.paths().Get(id)) text += (text.empty() ? "" : " ") + std::to_string(a);
      paths.push_back(text);
    }
    for (uint32_t p : o->peers) {
      const auto& peer = r.peers()[p];
      peers.push_back(fmt::format("{} AS{} {}", peer.collector, peer.asn, peer.ip.ToString()));
      collectors.push_back(peer.collector);
    }
  }
  return EvidenceJson(reasons, std::move(paths), std::move(peers), std::move(collectors), first,
                      last);
}

std::string EvidenceJson(const std::vector<std::string>& reasons, std::vector<std::string> paths,
                         std::vector<std::string> peers, std::vector<std::string> collectors,
                         uint32_t first, uint32_t last) {
  nlohmann::ordered_json j;
  std::sort(peers.begin(), peers.end());
  peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
  std::sort(collectors.begin(), collectors.end());
  collectors.erase(std::unique(collectors.begin(), collectors.end()), collectors.end());
  j["reasons"] = reasons;
  j["example_paths"] = paths;
  j["peers_seen"] = peers.size();
  if (peers.size() > 20) peers.resize(20);
  j["peers"] = peers;
  j["collectors"] = collectors;
  j["first_seen"] = first;
  j["last_seen"] = last;
  return j.dump();
}

void AddReason(Incident* in, std::string text, ReasonKey key) {
  // Keep reason_keys in step with reasons even after a plain push_back.
  in->reason_keys.resize(in->reasons.size(), ReasonKey{});
  in->reasons.push_back(std::move(text));
  in->reason_keys.push_back(std::move(key));
}

void AttachReasonKeys(Incident* in) {
  auto j = nlohmann::ordered_json::parse(in->evidence, nullptr, false);
  if (!j.is_object()) return;
  nlohmann::ordered_json keys = nlohmann::ordered_json::array();
  for (size_t i = 0; i < in->reasons.size(); ++i) {
    const bool has = i < in->reason_keys.size() && !in->reason_keys[i].key.empty();
    nlohmann::ordered_json args = nlohmann::ordered_json::object();
    if (has) {
      for (const auto& [k, v] : in->reason_keys[i].args) args[k] = v;
    } else {
      args["text"] = in->reasons[i];
    }
    keys.push_back(
        {{"key", has ? in->reason_keys[i].key : "detect.reason.text"}, {"args", std::move(args)}});
  }
  j["reason_keys"] = std::move(keys);
  in->evidence = j.dump();
}

namespace {

// The detector table: a new detector is its file and one line here.
std::vector<DetectorEntry>& DetectorTable() {
  static std::vector<DetectorEntry> table = {
      {"bogons", DetectBogons},
      {"hijacks", DetectHijacks},
      {"route_leaks", DetectRouteLeaks},
      {"rpki_invalid", DetectRpkiInvalid},
      {"irr_unregistered", DetectIrrUnregistered},
  };
  return table;
}

}  // namespace

const std::vector<DetectorEntry>& Detectors() { return DetectorTable(); }

bool RegisterDetector(const DetectorEntry& d) {
  if (d.name == nullptr || d.run == nullptr) return false;
  for (const DetectorEntry& e : DetectorTable()) {
    if (std::string_view(e.name) == d.name) return false;
  }
  DetectorTable().push_back(d);
  return true;
}

std::vector<Incident> Detect(const Snapshot& s) { return Detect(s, RouteView(s.routes)); }

std::vector<Incident> Detect(const Snapshot& s, const RouteView& view) {
  std::vector<Incident> out;
  for (const DetectorEntry& d : Detectors()) d.run(s, view, &out);
  out = Deduplicate(std::move(out));
  for (Incident& in : out) AttachReasonKeys(&in);
  std::stable_sort(out.begin(), out.end(), [](const Incident& a, const Incident& b) {
    return std::tie(a.start, a.type, a.culprit) < std::tie(b.start, b.type, b.culprit);
  });
  return out;
}

}  // namespace vigia::detect
