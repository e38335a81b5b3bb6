// Collector: `vigia collect` as a library (issue [5/7] item 1). It runs the
// live inputs in one thread: a BMP station (bmp/station.h), a passive BGP
// speaker (live/bgp_speaker.h), RIS Live JSON from files or a websocket
// (live/ris_live.h) and BMP or BGP sessions captured in pcap files
// (replayed once at Start()). Their route events go through one MuxSink,
// which gives every (input, peer) a collector-wide PeerHandle, to:
//  - the MRT archive (mrt_archive.h) when out_dir is set: BGP4MP_ET update
//    files rotated every `rotate` and TABLE_DUMP_V2 RIBs every `rib_every`,
//    named like RIS files (updates.YYYYMMDD.HHMM.gz, bview.YYYYMMDD.HHMM.gz),
//    each written under a temporary name and renamed into place only when
//    complete; the RIB of every peer is kept for the dumps;
//  - the tee sink (a LiveDetector for `vigia watch`), when given.
// State survives a restart: Start() rebuilds the RIBs from the newest
// complete bview and the update files after it, so the next dump is whole;
// files already written are never rewritten.
//
// Thread safety: not thread-safe. One thread calls Start, RunOnce and Stop;
// both sinks are called from that thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgp/route_sink.h"
#include "collect/mrt_archive.h"
#include "core/asn.h"
#include "core/ip.h"
#include "core/status.h"
#include "live/bgp_speaker.h"

namespace vigia::bmp {
class BmpStation;
}

namespace vigia::collect {

struct CollectorOptions {
  std::string name = "vigia";             // collector name (PeerInfo::collector, MRT view name)
  std::optional<std::string> bmp_listen;  // "ADDR:PORT" of the BMP station
  std::optional<std::string> bgp_listen;  // "ADDR:PORT" of the BGP speaker
  Asn asn = 0;                            // our AS for the speaker (required with bgp_listen)
  IpAddress bgp_id = IpAddress::V4(0xC0000201);
  std::vector<live::AllowedPeer> bgp_peers;  // empty: any
  std::string out_dir;                       // empty: no MRT written
  std::chrono::seconds rotate{300};
  std::chrono::seconds rib_every{8 * 3600};
  std::vector<std::string> pcaps;     // replayed at Start()
  std::vector<std::string> ris_live;  // files (JSON lines) or ws:// URLs
  // Where the MRT files go under out_dir (mrt_archive.h): RIS-like month
  // directories, or a snapshot directory `vigia analyze` reads.
  ArchiveLayout layout = ArchiveLayout::kArchive;
};

struct CollectorStats {
  uint64_t peers = 0, announces = 0, withdraws = 0, sessions_down = 0, problems = 0;
  uint64_t update_files = 0, rib_files = 0, rib_entries = 0;  // RIB entries held now
};

class Collector {
 public:
  // tee: also receives every route event (collector-wide handles); may be null.
  Collector(CollectorOptions options, bgp::RouteSink* tee);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Restores state from out_dir, opens the listeners, replays pcaps and
  // RIS Live files. An input that cannot be opened is an error naming it.
  Status Start();
  // Waits up to timeout_ms for any input, handles it, rotates files due.
  Status RunOnce(int timeout_ms);
  // Closes the current files (renamed into place) and the listeners. The
  // archive is closed first: the inputs' shutdown is not recorded, so a
  // restart restores the routes as they were (RIS's collectors keep their
  // state across restarts the same way, until the sessions come back).
  Status Stop();
  // Writes a RIB dump now (besides the --rib-every schedule).
  Status DumpRib();

  uint16_t bmp_port() const;
  uint16_t bgp_port() const;
  // steady_clock ns at which the bytes being handled now arrived.
  int64_t arrival_ns() const;
  const CollectorStats& stats() const;
  // The parts, for status lines and tests; null when not configured.
  const MrtArchive* archive() const;
  const live::BgpSpeaker* speaker() const;
  const bmp::BmpStation* station() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigia::collect
