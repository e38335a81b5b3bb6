#include "detect/detect.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

namespace vigia::detect {

RouteView::RouteView(const observe::ObservedRoutes& r, std::optional<uint32_t> given_start) {
  const auto& paths = r.paths();
  const auto& sightings = r.sightings();
  first_of_prefix_.assign(r.prefixes().size() + 1, 0);
  // Sightings are sorted by prefix; group each prefix's by origin.
  size_t i = 0;
  uint32_t window_start = UINT32_MAX;
  if (given_start) {
    window_start = *given_start;
  } else {
    for (const auto& x : sightings) window_start = std::min(window_start, x.start);
  }
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

RouteView::RouteView(std::vector<OriginRoute> routes, size_t prefix_count)
    : routes_(std::move(routes)) {
  first_of_prefix_.assign(prefix_count + 1, 0);
  size_t i = 0;
  for (uint32_t prefix = 0; prefix <= prefix_count; ++prefix) {
    while (i < routes_.size() && routes_[i].prefix < prefix) ++i;
    first_of_prefix_[prefix] = static_cast<uint32_t>(i);
  }
  first_of_prefix_[prefix_count] = static_cast<uint32_t>(routes_.size());
}

std::pair<size_t, size_t> RouteView::OfPrefix(uint32_t prefix) const {
  return {first_of_prefix_[prefix], first_of_prefix_[prefix + 1]};
}

void CountPropagators(const observe::PathTable& paths, const std::vector<uint32_t>& ids,
                      Asn culprit, std::map<Asn, size_t>* count) {
  for (uint32_t id : ids) {
    const auto p = paths.Get(id);
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i] == culprit && p[i - 1] != culprit) {
        ++(*count)[p[i - 1]];
        break;
      }
    }
  }
}

std::optional<Asn> MostCounted(const std::map<Asn, size_t>& count) {
  std::optional<Asn> best;
  size_t n = 0;
  for (auto [asn, c] : count) {
    if (c > n) best = asn, n = c;
  }
  return best;
}

std::optional<Asn> PropagatorOf(const observe::PathTable& paths, const std::vector<uint32_t>& ids,
                                Asn culprit) {
  std::map<Asn, size_t> count;
  CountPropagators(paths, ids, culprit, &count);
  return MostCounted(count);
}

std::string PathText(std::span<const Asn> path) {
  std::string text;
  for (Asn a : path) text += (text.empty() ? "" : " ") + std::to_string(a);
  return text;
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
      paths.push_back(PathText(r.paths().Get(id)));
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
      {"bogons", DetectBogons, true},
      {"hijacks", DetectHijacks, true},
      {"route_leaks", DetectRouteLeaks, false},  // PartitionedDetect: LeakSummary
      {"rpki_invalid", DetectRpkiInvalid, true},
      {"irr_unregistered", DetectIrrUnregistered, false},  // PartitionedDetect: IrrSummary
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
  PartitionedDetect d;
  d.Add(s, view);
  return d.Finish(s, view);
}

struct PartitionedDetect::State {
  std::vector<std::vector<Incident>> found;  // per detector, partitions in order
  LeakSummary leaks;
  IrrSummary irr;
};

PartitionedDetect::PartitionedDetect() : state_(new State) {
  state_->found.resize(Detectors().size());
}
PartitionedDetect::~PartitionedDetect() { delete state_; }

bool PartitionedDetect::Partitionable() {
  for (const DetectorEntry& d : Detectors()) {
    if (!d.per_prefix && d.run != DetectRouteLeaks && d.run != DetectIrrUnregistered) return false;
  }
  return true;
}

void PartitionedDetect::Add(const Snapshot& s, const RouteView& view) {
  ++partitions_;
  const auto& detectors = Detectors();
  std::vector<Incident> out;  // this partition's, for the later detectors
  for (size_t i = 0; i < detectors.size(); ++i) {
    const DetectorEntry& d = detectors[i];
    if (d.run == DetectRouteLeaks) {
      state_->leaks.Add(s, view);
    } else if (d.run == DetectIrrUnregistered) {
      state_->irr.Add(s, view, out);
    } else if (d.per_prefix) {
      const size_t before = out.size();
      d.run(s, view, &out);
      auto& found = state_->found[i];
      found.insert(found.end(), out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
    }
  }
}

nlohmann::json IncidentToJson(const Incident& in) {
  nlohmann::json prefixes = nlohmann::json::array(), keys = nlohmann::json::array();
  for (const Prefix& p : in.prefixes) prefixes.push_back(p.ToString());
  for (const ReasonKey& k : in.reason_keys) keys.push_back({{"key", k.key}, {"args", k.args}});
  return {{"type", in.type},
          {"kind", in.kind},
          {"culprit", in.culprit},
          {"propagator", in.propagator ? nlohmann::json(*in.propagator) : nlohmann::json()},
          {"prefixes", std::move(prefixes)},
          {"start", in.start},
          {"end", in.end},
          {"confidence", in.confidence},
          {"reasons", in.reasons},
          {"reason_keys", std::move(keys)},
          {"evidence", in.evidence},
          {"cause", in.cause},
          {"victims", in.victims}};
}

Incident IncidentFromJson(const nlohmann::json& j) {
  Incident in;
  in.type = j.at("type").get<std::string>();
  in.kind = j.at("kind").get<std::string>();
  in.culprit = j.at("culprit").get<Asn>();
  if (!j.at("propagator").is_null()) in.propagator = j.at("propagator").get<Asn>();
  for (const auto& p : j.at("prefixes")) {
    if (auto prefix = Prefix::Parse(p.get<std::string>())) in.prefixes.push_back(*prefix);
  }
  in.start = j.at("start").get<uint32_t>();
  in.end = j.at("end").get<uint32_t>();
  in.confidence = j.at("confidence").get<double>();
  in.reasons = j.at("reasons").get<std::vector<std::string>>();
  for (const auto& k : j.at("reason_keys")) {
    in.reason_keys.push_back(
        {k.at("key").get<std::string>(),
         k.at("args").get<std::vector<std::pair<std::string, std::string>>>()});
  }
  in.evidence = j.at("evidence").get<std::string>();
  in.cause = j.at("cause").get<std::string>();
  in.victims = j.at("victims").get<std::vector<Asn>>();
  return in;
}

nlohmann::json PartitionedDetect::Save() const {
  nlohmann::json found = nlohmann::json::array();
  for (const auto& list : state_->found) {
    nlohmann::json l = nlohmann::json::array();
    for (const Incident& in : list) l.push_back(IncidentToJson(in));
    found.push_back(std::move(l));
  }
  return {{"detectors", Detectors().size()},
          {"partitions", partitions_},
          {"found", std::move(found)},
          {"leaks", state_->leaks.Save()},
          {"irr", state_->irr.Save()}};
}

Status PartitionedDetect::Merge(const nlohmann::json& saved) {
  try {
    if (saved.at("detectors").get<size_t>() != Detectors().size()) {
      return Status::InvalidArgument("saved with another set of detectors");
    }
    const auto& found = saved.at("found");
    for (size_t i = 0; i < state_->found.size() && i < found.size(); ++i) {
      for (const auto& in : found[i]) state_->found[i].push_back(IncidentFromJson(in));
    }
    state_->leaks.Merge(saved.at("leaks"));
    state_->irr.Merge(saved.at("irr"));
    partitions_ += saved.at("partitions").get<size_t>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("detection state: ") + e.what());
  }
  return Status::Ok();
}

std::vector<Incident> PartitionedDetect::Finish(const Snapshot& s, const RouteView& view) {
  const auto& detectors = Detectors();
  std::vector<Incident> out;
  for (size_t i = 0; i < detectors.size(); ++i) {
    const DetectorEntry& d = detectors[i];
    if (d.run == DetectRouteLeaks) {
      state_->leaks.Emit(s, &out);
    } else if (d.run == DetectIrrUnregistered) {
      state_->irr.Emit(s, &out);
    } else if (!d.per_prefix) {
      if (partitions_ <= 1) d.run(s, view, &out);  // refused with more (Partitionable)
    } else {
      auto& found = state_->found[i];
      // The bogon detector reports every bogon prefix, then every bogon
      // ASN: partitions' lists interleave the two.
      if (d.run == DetectBogons) {
        std::stable_partition(found.begin(), found.end(),
                              [](const Incident& in) { return in.type == kBogonPrefix; });
      }
      std::move(found.begin(), found.end(), std::back_inserter(out));
      found.clear();
    }
  }
  out = Deduplicate(std::move(out));
  for (Incident& in : out) AttachReasonKeys(&in);
  std::stable_sort(out.begin(), out.end(), [](const Incident& a, const Incident& b) {
    return std::tie(a.start, a.type, a.culprit) < std::tie(b.start, b.type, b.culprit);
  });
  return out;
}

}  // namespace vigia::detect
