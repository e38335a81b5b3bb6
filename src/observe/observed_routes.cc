#include "observe/observed_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "bgp/path_attributes.h"
#include "core/limits.h"
#include "mrt/route_feed.h"

namespace vigia::observe {

namespace {

constexpr uint32_t kOpen = UINT32_MAX;
constexpr uint32_t kWithdrawn = UINT32_MAX;

bool HasSet(const bgp::AsPath& p) {
  for (const auto& s : p.segments) {
    if (s.type != bgp::kAsSequence && s.type != bgp::kAsConfedSequence) return true;
  }
  return false;
}

}  // namespace

uint32_t BucketOf(const Prefix& p) {
  const uint8_t* b = p.address().bytes();
  return p.address().is_v4() ? b[0] : 256u + (uint32_t{b[0]} << 8 | b[1]);
}

std::string BucketName(uint32_t bucket) {
  if (bucket < 256) return fmt::format("{}.0.0.0/8", bucket);
  return fmt::format("{:x}::/16", bucket - 256);
}

uint32_t ObservedRoutes::PrefixId(const Prefix& p) { return prefix_ids_.FindOrAdd(p, &prefixes_); }

uint32_t ObservedRoutes::PeerId(const std::string& collector, const IpAddress& ip, Asn asn) {
  std::string key = fmt::format("{}|{}|{}", collector, ip.ToString(), asn);
  auto [it, fresh] = peer_ids_.try_emplace(std::move(key), static_cast<uint32_t>(peers_.size()));
  if (fresh) peers_.push_back({collector, ip, asn});
  return it->second;
}

void ObservedRoutes::AddProblem(std::string message) {
  if (problems_.size() < kMaxProblemsKept) problems_.push_back(std::move(message));
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
  } else if (prefix + 1 < rib_runs_.size()) {
    // A route from the RIB dumps not changed since: searched among the
    // prefix's own (about one per peer), not the whole index, whose binary
    // search missed the cache at every step (41 % of a partition's reading
    // at 1,000 peers x 1.2 M prefixes).
    const auto b = rib_index_.begin() + rib_runs_[prefix];
    const auto e = rib_index_.begin() + rib_runs_[prefix + 1];
    auto r = std::lower_bound(b, e, peer,
                              [&](uint32_t i, uint32_t p) { return sightings_[i].peer < p; });
    for (; r != e && sightings_[*r].peer == peer; ++r) {
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

void ObservedRoutes::EndSession(uint32_t peer, uint32_t t) {
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
  // By (prefix, peer), later dumps last.
  rib_index_ = OrderByPrefix(sightings_, prefixes_.size(), /*by_start=*/false, &rib_runs_);
  // A (prefix, peer) in several dumps: the last dump's route is the one in
  // force; the earlier ones end when it starts.
  for (size_t k = 1; k < rib_index_.size(); ++k) {
    Sighting& a = sightings_[rib_index_[k - 1]];
    const Sighting& b = sightings_[rib_index_[k]];
    if (a.prefix == b.prefix && a.peer == b.peer && a.end == kOpen)
      a.end = std::max(b.start, a.start);
  }
}

uint32_t ObservedRoutes::CachedPrefixId(const Prefix& p) {
  if (!have_last_prefix_ || !(p == last_prefix_)) {
    last_prefix_ = p;
    last_prefix_id_ = PrefixId(p);
    have_last_prefix_ = true;
  }
  return last_prefix_id_;
}

void ObservedRoutes::BeginFeed() {
  feed_peers_.clear();
  have_last_path_ = false;
}

void ObservedRoutes::Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) {
  if (feed_peers_.size() <= h) feed_peers_.resize(h + 1u, 0);
  feed_peers_[h] = PeerId(std::string(info.collector), info.ip, info.asn);
}

void ObservedRoutes::Dropped(bgp::RouteSource source) {
  // An update starts the update phase whatever its prefix (WithdrawStarts:
  // a RIB dump's withdrawal changes nothing).
  if (source == bgp::RouteSource::kUpdate) StartUpdates();
}

void ObservedRoutes::ApplyAnnounce(bgp::RouteSource source, uint32_t prefix, uint32_t peer,
                                   uint32_t path, uint32_t t) {
  if (source == bgp::RouteSource::kUpdate) StartUpdates();
  Change(prefix, peer, path, t);
  ++(source == bgp::RouteSource::kUpdate ? stats_.announcements : stats_.rib_entries);
}

void ObservedRoutes::Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) {
  if (filter_ && !filter_(r.prefix, r.source, true, r.time.seconds)) return Dropped(r.source);
  // An UPDATE's prefixes share one attribute set: its path is interned once.
  if (!have_last_path_ || r.attr_set != last_attr_set_) {
    const bgp::AsPath& ap = attrs.as_path;
    last_path_ = paths_.Intern(ap.asns, HasSet(ap));
    last_attr_set_ = r.attr_set;
    have_last_path_ = true;
  }
  ApplyAnnounce(r.source, CachedPrefixId(r.prefix), feed_peers_[r.peer], last_path_,
                r.time.seconds);
}

bool ObservedRoutes::WithdrawStarts(bgp::RouteSource source, bgp::WithdrawCause cause) {
  if (cause == bgp::WithdrawCause::kTreatAsWithdraw) ++stats_.routes_withdrawn;
  // A RIB dump states what the peer has: a route it cannot use is simply
  // not there (no prefix entry is made for it).
  if (source == bgp::RouteSource::kTableSnapshot && !updates_started_) return false;
  StartUpdates();
  return true;
}

void ObservedRoutes::Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) {
  if (filter_ && !filter_(r.prefix, r.source, false, r.time.seconds)) return Dropped(r.source);
  if (!WithdrawStarts(r.source, cause)) return;
  Change(CachedPrefixId(r.prefix), feed_peers_[r.peer], kWithdrawn, r.time.seconds);
  if (cause == bgp::WithdrawCause::kWithdrawn) ++stats_.withdrawals;
}

void ObservedRoutes::SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) {
  StartUpdates();
  EndSession(feed_peers_[peer], t.seconds);
  ++stats_.sessions_down;
}

void ObservedRoutes::Problem(const bgp::FeedProblem& p) {
  if (p.kind == bgp::FeedProblem::Kind::kRepaired) return;  // decoded whole; not a problem here
  ApplyProblem(p.kind, p.ToString());
}

void ObservedRoutes::ApplyProblem(bgp::FeedProblem::Kind kind, std::string text) {
  using Kind = bgp::FeedProblem::Kind;
  switch (kind) {
    case Kind::kRepaired:
      return;
    case Kind::kRecordSkipped:
      ++stats_.records_skipped;
      break;
    case Kind::kTruncated:
      ++stats_.truncated_files;
      break;
    case Kind::kAttributeDiscarded:
      ++stats_.attributes_discarded;
      break;
    default:
      break;
  }
  AddProblem(std::move(text));
}

void ObservedRoutes::SetBucketRange(uint32_t first, uint32_t last) {
  bucket_range_ = true;
  bucket_first_ = first;
  bucket_last_ = last;
  SetFilter([first, last](const Prefix& p, bgp::RouteSource, bool, uint32_t) {
    const uint32_t b = BucketOf(p);
    return b >= first && b < last;
  });
}

mrt::RouteFeed ObservedRoutes::MakeFeed(const std::string& collector) const {
  mrt::RouteFeed feed(collector);
  if (bucket_range_) {
    feed.SkipRibRecords([first = bucket_first_, last = bucket_last_](const Prefix& p) {
      const uint32_t b = BucketOf(p);
      return b < first || b >= last;
    });
  }
  return feed;
}

Status ObservedRoutes::AddFile(const std::string& path, const std::string& collector) {
  if (finished_) return Status::InvalidArgument(path + ": routes already finished");
  BeginFeed();
  mrt::RouteFeed feed = MakeFeed(collector);
  if (Status s = feed.ReadFile(path, this); !s.ok()) return s;
  ++stats_.files;
  return Status::Ok();
}

Status ObservedRoutes::AddDirectory(const std::string& dir, unsigned threads) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code fe;  // a link loop or a dangling link is not a file, and no exception
    if (e.is_regular_file(fe)) files.push_back(e.path());
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
  std::vector<File> in;
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    in.push_back({f.string(), name.substr(0, name.find('.'))});
  }
  return AddFiles(in, threads);
}

void ObservedRoutes::Finish(uint32_t window_end) {
  StartUpdates();  // the same closing of routes repeated in several dumps
  rib_index_ = {};
  rib_runs_ = {};
  for (Sighting& s : sightings_) {
    if (s.end == kOpen) s.end = std::max(window_end, s.start);
  }
  open_.clear();
  Canonicalize();
  // By (prefix, peer, start), stably (tables.h): a counting sort by prefix
  // instead of std::sort, which fell back to heapsort on the RIB dumps'
  // pre-sorted runs (8-20 % of the loading).
  SortByPrefix(&sightings_, prefixes_.size());
  finished_ = true;
}

void ObservedRoutes::Canonicalize() {
  const size_t n = prefixes_.size();
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return prefixes_[a] < prefixes_[b]; });
  std::vector<uint32_t> prefix_id(n);
  std::vector<Prefix> sorted;
  sorted.reserve(n);
  prefix_ids_ = PrefixIndex();
  for (uint32_t k = 0; k < n; ++k) {
    prefix_id[order[k]] = k;
    prefix_ids_.FindOrAdd(prefixes_[order[k]], &sorted);
  }
  prefixes_ = std::move(sorted);
  have_last_prefix_ = false;
  const std::vector<uint32_t> path_id = paths_.Canonicalize();
  have_last_path_ = false;
  for (Sighting& s : sightings_) {
    s.prefix = prefix_id[s.prefix];
    s.path = path_id[s.path];
  }
}

void ObservedRoutes::AdoptSummary(std::vector<Prefix> prefixes, std::vector<observe::Peer> peers,
                                  ObserveStats stats, std::vector<std::string> problems) {
  prefixes_ = std::move(prefixes);
  prefix_ids_ = PrefixIndex();
  std::vector<Prefix> again;
  again.reserve(prefixes_.size());
  for (const Prefix& p : prefixes_) prefix_ids_.FindOrAdd(p, &again);
  peers_ = std::move(peers);
  peer_ids_.clear();
  for (uint32_t i = 0; i < peers_.size(); ++i) {
    peer_ids_.emplace(
        fmt::format("{}|{}|{}", peers_[i].collector, peers_[i].ip.ToString(), peers_[i].asn), i);
  }
  paths_ = PathTable();
  sightings_ = {};
  open_.clear();
  rib_index_ = {};
  rib_runs_ = {};
  stats_ = stats;
  problems_ = std::move(problems);
  updates_started_ = true;
  finished_ = true;
}

}  // namespace vigia::observe
