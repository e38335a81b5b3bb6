#include "observe/observed_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "bgp/path_attributes.h"
#include "mrt/decoder.h"
#include "mrt/reader.h"

namespace vigia::observe {

namespace {

constexpr uint32_t kOpen = UINT32_MAX;
constexpr uint32_t kWithdrawn = UINT32_MAX;

uint64_t HashPath(std::span<const Asn> asns, bool has_set) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ asns.size() ^ (has_set ? 0x5555 : 0);
  for (Asn a : asns) {
    h ^= a + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
  }
  return h;
}

bool HasSet(const bgp::AsPath& p) {
  for (const auto& s : p.segments) {
    if (s.type != bgp::kAsSequence && s.type != bgp::kAsConfedSequence) return true;
  }
  return false;
}

}  // namespace

PathTable::PathTable() { offsets_.push_back(0); }

uint32_t PathTable::Intern(std::span<const Asn> asns, bool has_set) {
  const uint64_t h = HashPath(asns, has_set);
  auto [lo, hi] = by_hash_.equal_range(h);
  for (auto it = lo; it != hi; ++it) {
    const auto p = Get(it->second);
    if (HasSet(it->second) == has_set && std::equal(p.begin(), p.end(), asns.begin(), asns.end())) {
      return it->second;
    }
  }
  const uint32_t id = static_cast<uint32_t>(has_set_.size());
  asns_.insert(asns_.end(), asns.begin(), asns.end());
  offsets_.push_back(static_cast<uint32_t>(asns_.size()));
  has_set_.push_back(has_set ? 1 : 0);
  by_hash_.emplace(h, id);
  return id;
}

uint32_t ObservedRoutes::PrefixId(const Prefix& p) {
  auto [it, fresh] = prefix_ids_.try_emplace(p, static_cast<uint32_t>(prefixes_.size()));
  if (fresh) prefixes_.push_back(p);
  return it->second;
}

uint32_t ObservedRoutes::PeerId(const std::string& collector, const IpAddress& ip, Asn asn) {
  std::string key = fmt::format("{}|{}|{}", collector, ip.ToString(), asn);
  auto [it, fresh] = peer_ids_.try_emplace(std::move(key), static_cast<uint32_t>(peers_.size()));
  if (fresh) peers_.push_back({collector, ip, asn});
  return it->second;
}

void ObservedRoutes::Problem(std::string message) {
  if (problems_.size() < kMaxObserveProblems) problems_.push_back(std::move(message));
}

void ObservedRoutes::Change(uint32_t prefix, uint32_t peer, uint32_t path, uint32_t t) {
  if (!updates_started_) {
    // RIB dumps before any update: every (prefix, peer) appears once per
    // dump, so the sighting is appended; updates find it through rib_index_.
    if (path != kWithdrawn) sightings_.push_back({prefix, peer, path, t, kOpen});
    return;
  }
  const uint64_t key = uint64_t{prefix} << 24 | peer;
  Sighting* open = nullptr;
  auto it = open_.find(key);
  if (it != open_.end()) {
    open = &sightings_[it->second];
  } else {
    // A route from the RIB dumps not changed since.
    auto r = std::lower_bound(rib_index_.begin(), rib_index_.end(), key, [&](uint32_t i, uint64_t k) {
      return (uint64_t{sightings_[i].prefix} << 24 | sightings_[i].peer) < k;
    });
    for (; r != rib_index_.end() && (uint64_t{sightings_[*r].prefix} << 24 | sightings_[*r].peer) == key; ++r) {
      if (sightings_[*r].end == kOpen) open = &sightings_[*r];
    }
  }
  if (open) {
    if (open->path == path) return;  // the same route again
    open->end = std::max(t, open->start);
    if (it != open_.end()) open_.erase(it);
  } else if (path == kWithdrawn) {
    ++stats_.unknown_withdrawals;
    return;
  }
  if (path == kWithdrawn) return;
  open_[key] = static_cast<uint32_t>(sightings_.size());
  sightings_.push_back({prefix, peer, path, t, kOpen});
}

void ObservedRoutes::SessionDown(uint32_t peer, uint32_t t) {
  // Rare (a few per update file), so a scan is fine: the routes from the
  // dumps and those opened by updates alike end now.
  for (uint32_t i : rib_index_) {
    Sighting& x = sightings_[i];
    if (x.peer == peer && x.end == kOpen) x.end = std::max(t, x.start);
  }
  for (auto it = open_.begin(); it != open_.end();) {
    if ((it->first & 0xFFFFFF) == peer) {
      Sighting& x = sightings_[it->second];
      x.end = std::max(t, x.start);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

void ObservedRoutes::StartUpdates() {
  if (updates_started_) return;
  updates_started_ = true;
  rib_index_.resize(sightings_.size());
  for (uint32_t i = 0; i < rib_index_.size(); ++i) rib_index_[i] = i;
  // By (prefix, peer), later dumps last.
  std::stable_sort(rib_index_.begin(), rib_index_.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(sightings_[a].prefix, sightings_[a].peer) <
           std::tie(sightings_[b].prefix, sightings_[b].peer);
  });
  // A (prefix, peer) in several dumps: the last dump's route is the one in
  // force; the earlier ones end when it starts.
  for (size_t k = 1; k < rib_index_.size(); ++k) {
    Sighting& a = sightings_[rib_index_[k - 1]];
    const Sighting& b = sightings_[rib_index_[k]];
    if (a.prefix == b.prefix && a.peer == b.peer && a.end == kOpen) a.end = std::max(b.start, a.start);
  }
}

Status ObservedRoutes::AddFile(const std::string& path, const std::string& collector) {
  if (finished_) return Status::InvalidArgument(path + ": routes already finished");
  auto reader = mrt::MrtReader::Open(path);
  if (!reader.ok()) return reader.status();
  bool stream_reported = false;  // the reader reports a damaged stream itself
  (*reader)->set_problem_handler([&](const mrt::Problem& p) {
    // Messages about the stream already name the file.
    if (p.message.rfind(path, 0) == 0) {
      stream_reported = true;
      Problem(fmt::format("{} (record offset {})", p.message, p.offset));
    } else {
      Problem(fmt::format("{}: offset {}: {}", path, p.offset, p.message));
    }
  });
  ++stats_.files;
  mrt::Decoder dec;
  mrt::Record rec;
  std::vector<Asn> asns;
  std::vector<uint32_t> rib_peers;  // peer index -> peer id
  while ((*reader)->Next(&rec)) {
    if (Status s = dec.Decode(rec); !s.ok()) {
      ++stats_.records_skipped;
      Problem(fmt::format("{}: offset {}: {}", path, rec.offset, s.message()));
      continue;
    }
    const uint32_t t = rec.header.timestamp;
    switch (dec.kind()) {
      case mrt::EntryKind::kPeerIndexTable: {
        rib_peers.clear();
        for (const mrt::PeerEntry& e : dec.peer_index().peers) {
          rib_peers.push_back(PeerId(collector, e.ip, e.asn));
        }
        break;
      }
      case mrt::EntryKind::kRib: {
        const mrt::Rib& rib = dec.rib();
        if (!rib.prefix_decoded) break;
        const uint32_t prefix = PrefixId(rib.prefix);
        for (size_t i = 0; i < rib.entry_count; ++i) {
          const mrt::RibEntry& e = rib.entries[i];
          if (e.peer_index >= rib_peers.size()) {
            ++stats_.records_skipped;
            Problem(fmt::format("{}: offset {}: peer index {} beyond the PEER_INDEX_TABLE", path,
                                rec.offset, e.peer_index));
            continue;
          }
          const bgp::AsPath& ap = e.attrs.as_path;
          const uint32_t id = paths_.Intern(ap.asns, HasSet(ap));
          Change(prefix, rib_peers[e.peer_index], id, t);
          ++stats_.rib_entries;
        }
        break;
      }
      case mrt::EntryKind::kBgp4mpMessage: {
        StartUpdates();
        const mrt::Bgp4mpMessage& m = dec.bgp4mp();
        if (m.local || m.message.type != 2) break;  // UPDATEs received only
        const uint32_t peer = PeerId(collector, m.peer_ip, m.peer_as);
        const bgp::Update& u = m.message.update;
        for (const bgp::NlriEntry& n : u.withdrawn) {
          Change(PrefixId(n.prefix), peer, kWithdrawn, t);
          ++stats_.withdrawals;
        }
        const bgp::PathAttributes& a = u.attrs;
        for (size_t i = 0; i < a.mp_unreach_count; ++i) {
          for (const bgp::NlriEntry& n : a.mp_unreach[i].nlri) {
            Change(PrefixId(n.prefix), peer, kWithdrawn, t);
            ++stats_.withdrawals;
          }
        }
        bool any = !u.nlri.empty();
        for (size_t i = 0; i < a.mp_reach_count; ++i) any |= !a.mp_reach[i].nlri.empty();
        if (!any) break;
        const uint32_t id = paths_.Intern(a.as_path.asns, HasSet(a.as_path));
        for (const bgp::NlriEntry& n : u.nlri) {
          Change(PrefixId(n.prefix), peer, id, t);
          ++stats_.announcements;
        }
        for (size_t i = 0; i < a.mp_reach_count; ++i) {
          for (const bgp::NlriEntry& n : a.mp_reach[i].nlri) {
            Change(PrefixId(n.prefix), peer, id, t);
            ++stats_.announcements;
          }
        }
        break;
      }
      case mrt::EntryKind::kBgp4mpStateChange: {
        // RFC 4271 §8: leaving Established (6) drops every route the peer
        // sent (§8.2.2, Established state, on any error or stop event).
        StartUpdates();
        const mrt::StateChange& c = dec.state_change();
        if (c.old_state == 6 && c.new_state != 6) {
          SessionDown(PeerId(collector, c.peer_ip, c.peer_as), t);
          ++stats_.sessions_down;
        }
        break;
      }
      default:
        break;
    }
  }
  if (!(*reader)->stream_status().ok() && !stream_reported) {
    const std::string& m = (*reader)->stream_status().message();
    Problem(m.rfind(path, 0) == 0 ? m : fmt::format("{}: {}", path, m));
  }
  return Status::Ok();
}

Status ObservedRoutes::AddDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  if (ec) return Status::IoError(fmt::format("{}: {}", dir, ec.message()));
  if (files.empty()) return Status::NotFound(dir + ": no MRT files");
  auto is_rib = [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n.find("bview") != std::string::npos || n.find("rib") != std::string::npos;
  };
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return is_rib(a) != is_rib(b) ? is_rib(a) : a.filename() < b.filename();
  });
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    if (Status s = AddFile(f.string(), name.substr(0, name.find('.'))); !s.ok()) return s;
  }
  return Status::Ok();
}

void ObservedRoutes::Finish(uint32_t window_end) {
  StartUpdates();  // the same closing of routes repeated in several dumps
  rib_index_ = {};
  for (Sighting& s : sightings_) {
    if (s.end == kOpen) s.end = std::max(window_end, s.start);
  }
  open_.clear();
  // By (prefix, peer, start). (Sorting halves on two threads and merging
  // saves about a second at full scale but needs a 0.5 GB merge buffer.)
  std::sort(sightings_.begin(), sightings_.end(), [](const Sighting& a, const Sighting& b) {
    return std::tie(a.prefix, a.peer, a.start) < std::tie(b.prefix, b.peer, b.start);
  });
  finished_ = true;
}

}  // namespace vigia::observe
