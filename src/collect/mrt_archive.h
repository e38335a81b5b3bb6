// MrtArchive: the route collector's memory and its MRT files (RFC 6396).
// A RouteSink that keeps the current routes of every peer (collector-wide
// handles from MuxSink) and writes, the way RIPE RIS does:
//  - update files: BGP4MP_ET MESSAGE_AS4 (MESSAGE_AS4_ADDPATH for a peer
//    that sent RFC 7911 path identifiers) records, one per run of
//    consecutive events of one peer, family and attribute set (so an
//    UPDATE heard is written back as one UPDATE, split below 4,096 octets,
//    RFC 4271 §4.3), and STATE_CHANGE_AS4 Established -> Idle when a
//    session goes down (RFC 6396 §4.4.1); a file per --rotate interval,
//    named by the interval's start, opened at its first event;
//  - RIB dumps: TABLE_DUMP_V2 PEER_INDEX_TABLE (index = collector-wide
//    handle) then RIB_IPV4/IPV6_UNICAST records in prefix order, and the
//    RFC 8050 _ADDPATH variants for entries with a non-zero path id; every
//    --rib-every, aligned to multiples of it since the epoch (RIS: 00, 08,
//    16 h), and on DumpRib().
//
// Layout (kArchive, the default, RIS file names in RouteViews-like month
// directories, as the brief fixed it):
//   OUT/YYYY.MM/UPDATES/updates.YYYYMMDD.HHMM.gz
//   OUT/YYYY.MM/RIBS/bview.YYYYMMDD.HHMM.gz
// kSnapshot writes OUT/mrt/NAME.updates.YYYYMMDD.HHMM.gz and
// OUT/mrt/NAME.bview.YYYYMMDD.HHMM.gz: the snapshot layout
// (snapshot/layout.h: collector = name up to the first '.', "bview" marks a
// RIB dump), so `vigia analyze OUT` reads the archive as it is.
// A name already taken (a restart inside an interval) gets ".N" before
// ".gz" (updates.20261207.0140.1.gz); nothing is ever overwritten.
//
// Atomicity: a file is written as OUT/.tmp/<its name>, closed, fsync(2)ed,
// and renamed into place with renameat2(RENAME_NOREPLACE), then the
// directory is fsynced: a kill leaves no partial file under a final name.
//
// Restart (Restore): stale OUT/.tmp/* are removed; the newest bview that
// reads without damage, then the update file that was open at its time and
// every later one, are replayed (mrt::RouteFeed) through the given sink (the
// mux's restore input, which comes back here); nothing is written while
// replaying. Events are assignments (announce sets, withdraw and session
// down clear), so replaying from before the dump's time gives the state at
// the end of the last file. Damaged files are reported, not fatal.
//
// Memory (the RIB; measured by MemoryBytes()): per route an 8-byte entry
// {attribute set id 32 bits, peer 16 bits, path id slot 16 bits} in a
// per-prefix vector sorted by (peer, path id), grown by 1/4 steps; per
// prefix about 110 bytes (hash node, Prefix, vector header), per distinct
// attribute set its encoded bytes plus ~90. At 1,000 peers x 1.2 M
// prefixes that is ~8-10 bytes per route. Caps: 65,535 peers (the
// PEER_INDEX_TABLE limit) and 65,535 distinct non-zero path ids; a route
// beyond a cap is dropped with a Problem(). The originated time of RIB
// entries is the dump's time (not kept per route, to save 4 bytes).
// A session down scans every prefix (O(routes)) when the peer had routes.
//
// Thread safety: not thread-safe; one thread calls everything.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bgp/route_sink.h"
#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"

namespace vigia::mrt {
class MrtWriter;
}

namespace vigia::collect {

enum class ArchiveLayout : uint8_t { kArchive, kSnapshot };

struct ArchiveOptions {
  std::string out_dir;                                 // empty: the RIB is kept, nothing is written
  std::string name = "vigia";                          // view name; file prefix in kSnapshot
  IpAddress collector_id = IpAddress::V4(0xC0000201);  // PEER_INDEX_TABLE collector BGP ID
  Asn local_asn = 0;                                   // BGP4MP "local AS"
  uint32_t rotate_seconds = 300;
  uint32_t rib_every_seconds = 8 * 3600;
  ArchiveLayout layout = ArchiveLayout::kArchive;
  // Wall-clock seconds (file names, schedule, records without a time).
  std::function<uint32_t()> clock;
};

struct ArchiveStats {
  uint64_t entries = 0;                      // routes held now
  uint64_t prefixes = 0;                     // prefixes with at least one route
  uint64_t attr_sets = 0;                    // distinct attribute sets held
  uint64_t update_files = 0, rib_files = 0;  // files renamed into place
  uint64_t records = 0;                      // MRT records written
  uint64_t restored_files = 0, restore_problems = 0, removed_tmp = 0;
  uint64_t dropped = 0;  // routes beyond a cap
  uint64_t write_errors = 0;
};

// One route as held: for tests and `vigia collect` checks.
struct HeldRoute {
  bgp::PeerHandle peer;
  Prefix prefix;
  uint32_t path_id;
  std::string_view attrs;  // encoded attribute block (RFC 4271 §4.3, 4-octet ASNs)
};

class MrtArchive final : public bgp::RouteSink {
 public:
  explicit MrtArchive(ArchiveOptions options);
  ~MrtArchive() override;
  MrtArchive(const MrtArchive&) = delete;
  MrtArchive& operator=(const MrtArchive&) = delete;

  // Creates out_dir, removes stale temporary files and replays the newest
  // complete dump and the update files after it into `restore` (which must
  // lead back to this archive, e.g. MuxSink's restore input).
  Status Restore(bgp::RouteSink* restore);
  // Closes the update file when its interval is over; dumps the RIB when due.
  Status Tick();
  // Writes a RIB dump now.
  Status DumpRib();
  // Closes the current update file (renamed into place); later events are
  // not recorded (the inputs' shutdown is not a route change to archive:
  // after a restart the state is restored as it was).
  Status Close();

  // RouteSink.
  void Peer(bgp::PeerHandle h, const bgp::PeerInfo& info) override;
  void Announce(const bgp::Route& r, const bgp::PathAttributes& attrs) override;
  void Withdraw(const bgp::Route& r, bgp::WithdrawCause cause) override;
  void SessionDown(bgp::PeerHandle peer, bgp::RouteTime t) override;
  void Problem(const bgp::FeedProblem& p) override;

  const ArchiveStats& stats() const { return stats_; }
  // Bytes the RIB structures hold (capacities, blobs, hash nodes estimated).
  uint64_t MemoryBytes() const;
  // Every route held, in (prefix, peer, path id) order.
  void ForEach(const std::function<void(const HeldRoute&)>& f) const;
  // The problems seen (feed problems included), most recent last, capped.
  const std::vector<std::string>& problems() const { return problems_; }
  // Final paths of the files written by this process, in order.
  const std::vector<std::string>& written() const { return written_; }

  struct Entry {
    uint32_t attr;
    uint16_t peer;
    uint16_t path;
  };
  static_assert(sizeof(Entry) == 8);

 private:
  struct PeerState {
    IpAddress ip, bgp_id;
    Asn asn = 0;
    uint64_t routes = 0;
    bool add_path = false;  // sent a non-zero path id: ADDPATH subtypes
    bool known = false;
  };
  struct Pending {
    bool active = false, withdraw = false;
    bgp::PeerHandle peer = 0;
    uint16_t afi = 0;
    uint32_t attr = 0;
    bgp::RouteTime time;
    std::vector<bgp::NlriEntry> nlri;
    size_t bytes = 0;
  };
  struct Output;

  uint32_t Now() const;
  void Note(std::string message);
  uint32_t InternAttrs(const bgp::Route& r, const bgp::PathAttributes& a);
  void Unref(uint32_t attr);
  uint32_t PrefixId(const Prefix& p);
  bool PathSlot(uint32_t path_id, uint16_t* slot);
  void Remove(uint32_t prefix_id, uint16_t peer, uint16_t slot);
  void Queue(bool withdraw, const bgp::Route& r, uint32_t attr);
  void Flush();
  Status OpenUpdates(uint32_t now);
  std::string FinalPath(bool rib, uint32_t t, int n) const;
  Status Finish(std::unique_ptr<Output> out, bool rib);

  ArchiveOptions opt_;
  bool restoring_ = false;
  bool closed_ = false;
  std::vector<PeerState> peers_;
  // Prefixes.
  std::unordered_map<Prefix, uint32_t, PrefixHash> prefix_ids_;
  std::vector<Prefix> prefixes_;
  std::vector<std::vector<Entry>> entries_;
  // Attribute sets: encoded blocks, reference counts, free slots.
  std::deque<std::string> blobs_;
  std::vector<uint32_t> refs_;
  std::vector<uint32_t> free_;
  std::unordered_map<std::string_view, uint32_t> blob_ids_;
  uint64_t blob_bytes_ = 0;
  uint64_t last_set_ = UINT64_MAX;
  uint16_t last_afi_ = 0;
  uint32_t last_attr_ = 0;
  // Path ids: slot 0 is path id 0.
  std::vector<uint32_t> path_ids_{0};
  std::unordered_map<uint32_t, uint16_t> path_slots_;
  // Files.
  std::unique_ptr<Output> updates_;
  uint32_t updates_slot_ = 0;
  uint32_t next_rib_ = 0;
  Pending pending_;
  std::vector<uint8_t> scratch_;
  ArchiveStats stats_;
  std::vector<std::string> problems_;
  std::vector<std::string> written_;
};

// A file name of the archive: kind "bview" or "updates", its time and
// sequence (".N"), parsed from "…bview.YYYYMMDD.HHMM[.N].gz".
struct ArchiveName {
  bool rib = false;
  uint64_t key = 0;  // YYYYMMDDHHMM
  int n = 0;
};
bool ParseArchiveName(std::string_view file_name, ArchiveName* out);

}  // namespace vigia::collect
