#include "detect/detect.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <chrono>
#include <thread>

#include "core/time_format.h"

namespace vigia::detect {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}


// RPKI, IRR, registry and topology: everything but the MRT files.
void LoadReference(const fs::path& root, Snapshot* s) {
  const auto rpki = FilesIn(root / "rpki");
  if (rpki.empty()) s->skipped.push_back("rpki/: no VRP file; RPKI states are not-found");
  for (const fs::path& f : rpki) {
    if (Status st = s->vrps.LoadFile(f.string()); !st.ok()) s->problems.push_back(st.message());
  }
  for (const auto& p : s->vrps.problems()) s->problems.push_back(p.where + ": " + p.message);
  s->vrps.Build();

  const auto irr = FilesIn(root / "irr");
  if (irr.empty()) s->skipped.push_back("irr/: no RPSL dump; IRR states are not-found");
  for (const fs::path& f : irr) {
    if (Status st = s->irr.LoadFile(f.string()); !st.ok()) s->problems.push_back(st.message());
  }
  s->irr.Build();

  if (fs::exists(root / "registry")) {
    if (Status st = s->registry.Load((root / "registry").string()); st.ok()) {
      s->registry.Build();
      s->have_registry = true;
    } else {
      s->skipped.push_back("registry/: " + st.message() + "; bogons are special-purpose space only");
    }
  } else {
    s->skipped.push_back("registry/: absent; bogons are special-purpose space only");
  }
  if (!s->have_registry) {
    s->registry.Build();  // the built-in special-purpose registries
  }

  bool rel = false;
  for (const fs::path& f : FilesIn(root / "topology")) {
    const std::string n = f.filename().string();
    if (n.find("as-rel") != std::string::npos) {
      if (Status st = s->relations.LoadFile(f.string()); !st.ok()) {
        s->problems.push_back(st.message());
      } else {
        rel = true;
      }
    } else if (n.find("as-org2info") != std::string::npos) {
      if (Status st = s->orgs.LoadFile(f.string()); !st.ok()) s->problems.push_back(st.message());
    }
  }
  if (!rel) s->skipped.push_back("topology/: no AS relationships; no route-leak detection");

  // The loaders' own problem logs: bad lines and records, file:line.
  for (const auto& p : s->irr.problems().kept()) s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->registry.file_problems()) s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->registry.stats().problems()) s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->relations.problems().kept()) s->problems.push_back(p.where + ": " + p.message);
  for (const auto& p : s->orgs.problems().kept()) s->problems.push_back(p.where + ": " + p.message);
}

}  // namespace

Status LoadSnapshot(const std::string& dir, Snapshot* s) {
  const fs::path root(dir);
  s->dir = dir;
  // The window: from the manifest, else from the data.
  if (std::ifstream in(root / "manifest.json"); in) {
    std::stringstream ss;
    ss << in.rdbuf();
    const auto m = nlohmann::json::parse(ss.str(), nullptr, false);
    if (m.is_object() && m.contains("window") && m["window"].is_object()) {
      const auto& w = m["window"];
      if (w.contains("start") && w["start"].is_string()) {
        s->window_start = static_cast<uint32_t>(ParseIsoTime(w["start"].get<std::string>()).value_or(0));
      }
      if (w.contains("end") && w["end"].is_string()) {
        s->window_end = static_cast<uint32_t>(ParseIsoTime(w["end"].get<std::string>()).value_or(0));
      }
    } else {
      s->problems.push_back((root / "manifest.json").string() + ": not a snapshot manifest");
    }
  } else {
    s->skipped.push_back("manifest.json: absent; the window is taken from the MRT data");
  }

  // The MRT files on a thread of their own, the reference data meanwhile:
  // they touch different members of *s.
  Status routes_status;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::thread mrt([&] {
    routes_status = s->routes.AddDirectory((root / "mrt").string());
    s->mrt_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  });
  LoadReference(root, s);
  s->reference_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  mrt.join();
  if (!routes_status.ok()) return routes_status;
  for (const std::string& p : s->routes.problems()) s->problems.push_back(p);
  uint32_t last = s->window_end;
  if (last == 0) {
    for (const auto& x : s->routes.sightings()) last = std::max(last, x.start + 1);
  }
  s->routes.Finish(last);
  if (s->window_end == 0) s->window_end = last;
  if (s->window_start == 0) {
    uint32_t first = UINT32_MAX;
    for (const auto& x : s->routes.sightings()) first = std::min(first, x.start);
    s->window_start = first == UINT32_MAX ? 0 : first;
  }
  return Status::Ok();
}



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
  nlohmann::ordered_json j;
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

const std::vector<DetectorEntry>& Detectors() {
  static const std::vector<DetectorEntry> kAll = {
      {"bogons", DetectBogons},
      {"hijacks", DetectHijacks},
      {"route_leaks", DetectRouteLeaks},
      {"rpki_invalid", DetectRpkiInvalid},
      {"irr_unregistered", DetectIrrUnregistered},
  };
  return kAll;
}

std::vector<Incident> Detect(const Snapshot& s) { return Detect(s, RouteView(s.routes)); }

std::vector<Incident> Detect(const Snapshot& s, const RouteView& view) {
  std::vector<Incident> out;
  for (const DetectorEntry& d : Detectors()) d.run(s, view, &out);
  std::stable_sort(out.begin(), out.end(), [](const Incident& a, const Incident& b) {
    return std::tie(a.start, a.type, a.culprit) < std::tie(b.start, b.type, b.culprit);
  });
  return out;
}

}  // namespace vigia::detect
