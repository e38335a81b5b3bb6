// The routes the collectors saw over a snapshot's window (SPEC §1, the
// "observe" stage): for every prefix and collector peer, the stretches of
// time during which the peer had a route with one AS path — its sightings —
// built from TABLE_DUMP_V2 RIB dumps (a route is present from the dump's
// time) and BGP4MP update files (an announcement opens a sighting and
// closes the one it replaces; a withdrawal closes it; RFC 4271 §3.1 and
// §4.3: an UPDATE's route replaces the peer's earlier one for the prefix).
//
// Sightings are what the detectors read: per prefix and origin, which peers
// of which collectors saw which paths, from when to when.
//
// Order: a collector's RIB dumps must be added before its update files, and
// its update files in time order (their names sort so, as RIS, RouteViews
// and `vigia simulate` name them). Sightings still open at Finish() end at
// the window's end.
//
// Input: ObservedRoutes is a bgp::RouteSink. AddFile() and AddDirectory()
// feed it MRT files through mrt::RouteFeed; any other feed (BMP, a BGP
// session) can call the RouteSink methods directly, one feed at a time. A
// RouteSource::kTableSnapshot event before any kUpdate event is a RIB dump
// route; the first kUpdate event or SessionDown() starts the update phase.
//
// Ids: after Finish() prefixes are numbered in Prefix order and paths in
// canonical order (tables.h PathLess), not in the order they were met, so
// that the routes read a prefix partition at a time (SetFilter) number
// alike whatever else the input holds; peers keep the order they were met
// in (every partition meets every peer: peer tables are not filtered).
//
// Memory: a sighting is 20 bytes and each distinct AS path is stored once,
// so a full table of 1 M prefixes seen by 50 peers takes about 1 GB.
// Not thread-safe while loading (AddFiles() runs its own decoding threads
// and applies their events on the calling thread); read-only and
// shareable after Finish().
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "bgp/route_sink.h"
#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "mrt/route_feed.h"
#include "observe/tables.h"

namespace vigia::observe {

// Prefix partitions (bounded-memory analysis, docs/performance.md "Analyze
// memory"): a bucket is the first 8 bits of an IPv4 prefix or the first 16
// of an IPv6 one; buckets number IPv4 first, in address order, so a range
// of buckets is a range of prefixes in Prefix order. A prefix covering
// another (both IPv4 >= /8, or IPv6 >= /16) is in its bucket.
inline constexpr uint32_t kBuckets = 256 + 65536;
uint32_t BucketOf(const Prefix& p);
// "12.0.0.0/8", "2001::/16": the space a bucket holds.
std::string BucketName(uint32_t bucket);

// Whether a route event is kept: its prefix, source, announcement or
// withdrawal, time. Called on the decoding threads: must be thread-safe.
using RouteFilter =
    std::function<bool(const Prefix& p, bgp::RouteSource source, bool announce, uint32_t time)>;

struct Peer {
  std::string collector;
  IpAddress ip;
  Asn asn = 0;
};

struct ObserveStats {
  uint64_t files = 0, rib_entries = 0, announcements = 0, withdrawals = 0;
  uint64_t records_skipped = 0;  // records that did not decode
  uint64_t truncated_files = 0;  // inputs that end inside a record
  // RFC 7606: attributes discarded (the route kept) and routes treated as
  // withdrawn because of malformed attributes.
  uint64_t attributes_discarded = 0;
  uint64_t routes_withdrawn = 0;
  uint64_t unknown_withdrawals = 0;  // of a route the peer did not have
  uint64_t sessions_down = 0;  // BGP4MP STATE_CHANGE out of Established: the peer's routes end
};

class ObservedRoutes : public bgp::RouteSink {
 public:
  // Reads one MRT file of `collector` (RIB dump or updates, any
  // compression) through mrt::RouteFeed. Records that do not decode,
  // truncation and RFC 7606 actions are counted and the first problems
  // kept (file and offset); the file goes on.
  Status AddFile(const std::string& path, const std::string& collector);
  // Reads every file of a snapshot's mrt/ directory: RIB dumps (names
  // holding "bview" or "rib") first, then the rest in name order; a file's
  // collector is its name up to the first '.' (RIS "rrc00.bview...",
  // `vigia simulate` "sim00.updates..."). Fails when the directory holds no
  // file or one cannot be opened.
  // With threads != 1 the files are decoded on that many threads (0: one
  // per core) through AddFiles().
  Status AddDirectory(const std::string& dir, unsigned threads = 1);
  // The files in this order, each of its collector: the same result as
  // AddFile() on each in turn (ids, order, stats, problems, the first
  // failure), however many threads. With threads != 1 (0: one per core)
  // up to that many files are decoded at once, each by a thread of its own
  // into a bounded queue of compact events with ids local to the file;
  // this thread maps them to the global ids in file order and applies
  // them, so the result cannot depend on timing. The queues bound the
  // extra memory to about 25 MB per thread.
  struct File {
    std::string path, collector;
  };
  Status AddFiles(const std::vector<File>& files, unsigned threads);
  // Keeps only the route events f accepts (set before the first file).
  // What the others would have done to the state (the first update event
  // ends the RIB dumps' phase) is still done, so the kept prefixes' routes
  // are exactly those of an unfiltered read; sessions going down, peers,
  // problems and the per-file stats (files, records skipped, truncation,
  // attributes discarded, sessions down) are the same in every partition,
  // the per-route counts only the kept routes'.
  void SetFilter(RouteFilter f) { filter_ = std::move(f); }
  // Keeps only the routes of buckets [first, last) (a prefix partition):
  // SetFilter with that test, and the RIB dumps' records of other buckets
  // are passed over before their entries are decoded
  // (mrt::RouteFeed::SkipRibRecords), which leaves the kept routes as they
  // are and saves most of a partition's decoding.
  void SetBucketRange(uint32_t first, uint32_t last);
  // Room for n sightings before reading (a partition knows its routes from
  // the counting read): no growth by copying, and pages are only touched
  // as sightings are added.
  void ReserveSightings(size_t n) { sightings_.reserve(n); }
  // Makes this the routes of a whole snapshot read a partition at a time
  // (pipeline/analyze.cc): prefixes (in Prefix order) and peers, stats and
  // problems, no sightings and no paths.
  void AdoptSummary(std::vector<Prefix> prefixes, std::vector<observe::Peer> peers,
                    ObserveStats stats, std::vector<std::string> problems);
  // Closes open sightings at window_end, renumbers prefixes and paths in
  // canonical order and sorts sightings by prefix, peer and start (stably:
  // equal ones keep the order they were added in).
  void Finish(uint32_t window_end);

  // bgp::RouteSink. Events of one feed at a time; Peer() handles are
  // mapped to peers() until the next AddFile() or BeginFeed().
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override;
  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) override;
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) override;
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) override;
  void Problem(const bgp::FeedProblem& p) override;
  // Forgets the handles and attribute sets of the previous feed.
  void BeginFeed();

  const std::vector<Prefix>& prefixes() const { return prefixes_; }
  const std::vector<observe::Peer>& peers() const { return peers_; }
  const PathTable& paths() const { return paths_; }
  const std::vector<Sighting>& sightings() const { return sightings_; }
  const ObserveStats& stats() const { return stats_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  uint32_t PrefixId(const Prefix& p);
  // Prefix ids in Prefix order, path ids in canonical order.
  void Canonicalize();
  // A route event the filter left out: what it does to the phase.
  void Dropped(bgp::RouteSource source);
  uint32_t PeerId(const std::string& collector, const IpAddress& ip, Asn asn);
  // The route of (prefix, peer) changes at time t: closes the open
  // sighting if any, opens one with path (UINT32_MAX: withdrawn).
  void Change(uint32_t prefix, uint32_t peer, uint32_t path, uint32_t t);
  void AddProblem(std::string message);
  // Before the first update: indexes the RIB sightings by (prefix, peer).
  void StartUpdates();
  // The peer's session left Established at t: every route it had ends.
  void EndSession(uint32_t peer, uint32_t t);
  // PrefixId with a one-entry cache: a RIB record's entries share a prefix.
  uint32_t CachedPrefixId(const Prefix& p);
  // The sink methods' work once the prefix and path are known; shared by
  // the sink and the parallel reader. WithdrawStarts counts a withdrawal
  // and tells whether it changes a route (then Change, then WithdrawDone).
  void ApplyAnnounce(bgp::RouteSource source, uint32_t prefix, uint32_t peer, uint32_t path,
                     uint32_t t);
  bool WithdrawStarts(bgp::RouteSource source, bgp::WithdrawCause cause);
  void ApplyProblem(bgp::FeedProblem::Kind kind, std::string text);

  // A RouteFeed for one file of `collector`, passing over RIB records
  // outside the bucket range when one is set.
  mrt::RouteFeed MakeFeed(const std::string& collector) const;

  RouteFilter filter_;
  bool bucket_range_ = false;
  uint32_t bucket_first_ = 0, bucket_last_ = kBuckets;
  std::vector<Prefix> prefixes_;
  PrefixIndex prefix_ids_;
  std::vector<observe::Peer> peers_;
  // The current feed: its peer handles -> peers_, its last attribute set's
  // interned path, the last prefix looked up.
  std::vector<uint32_t> feed_peers_;
  uint64_t last_attr_set_ = 0;
  uint32_t last_path_ = 0;
  bool have_last_path_ = false;
  Prefix last_prefix_;
  uint32_t last_prefix_id_ = 0;
  bool have_last_prefix_ = false;
  std::unordered_map<std::string, uint32_t> peer_ids_;  // collector|ip|asn
  PathTable paths_;
  std::vector<Sighting> sightings_;
  // The open sighting of (prefix, peer) once an update changed it; routes
  // of the RIB dumps are found through rib_index_ (sightings sorted by
  // prefix and peer), so a full table needs no hash entry per route.
  std::unordered_map<uint64_t, uint32_t> open_;
  std::vector<uint32_t> rib_index_;
  std::vector<uint32_t> rib_runs_;  // prefix p's part of rib_index_: [p], [p + 1]
  bool updates_started_ = false;
  bool finished_ = false;
  ObserveStats stats_;
  std::vector<std::string> problems_;
};

}  // namespace vigia::observe
