// MrtWriter: writes MRT records (RFC 6396): TABLE_DUMP_V2 PEER_INDEX_TABLE
// and RIB records (with RFC 8050 ADD-PATH variants), BGP4MP_ET messages and
// state changes. Used for round-trip tests, fixtures and simulated data.
//
// Output goes to a file, gzip-compressed when the name ends in ".gz"
// (zlib), or to memory. The writer owns its buffer and file. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "mrt/decoder.h"

namespace vigia::mrt {

class MrtWriter {
 public:
  // Writes to memory; see data().
  MrtWriter();
  ~MrtWriter();
  MrtWriter(const MrtWriter&) = delete;
  MrtWriter& operator=(const MrtWriter&) = delete;

  // A path ending in .gz is gzip-compressed at gzip_level (1 fastest, 9 best).
  static Result<std::unique_ptr<MrtWriter>> Create(const std::string& path, int gzip_level = 6);

  // RFC 6396 §4.3.1. Later RIB records refer to these peers by index.
  Status WritePeerIndexTable(uint32_t timestamp, const PeerIndexTable& t);
  // RFC 6396 §4.3.2 / RFC 8050 §4: a RIB_IPV4/IPV6_UNICAST(_ADDPATH) record
  // of rib.entries[0, rib.entry_count). The subtype follows from rib.afi,
  // rib.safi and rib.add_path.
  Status WriteRib(uint32_t timestamp, const Rib& rib);
  // RFC 6396 §4.4.3 (+ §3 extended timestamp): BGP4MP_ET MESSAGE_AS4 (or
  // MESSAGE_AS4_ADDPATH) carrying an UPDATE.
  Status WriteBgp4mpUpdate(uint32_t timestamp, uint32_t microseconds, const Bgp4mpMessage& m);
  // RFC 6396 §4.4.1: BGP4MP_ET STATE_CHANGE_AS4.
  Status WriteStateChange(uint32_t timestamp, uint32_t microseconds, const StateChange& sc);

  // Flushes and closes a file; a no-op in memory.
  Status Close();
  const std::vector<uint8_t>& data() const { return mem_; }
  uint64_t records() const { return records_; }

 private:
  void PutPeers(Asn peer_as, Asn local_as, uint16_t ifindex, const IpAddress& peer_ip,
                const IpAddress& local_ip);
  Status WriteAll();  // mem_ to the file descriptor
  Status Emit(uint32_t timestamp, uint16_t type, uint16_t subtype, bool extended,
              uint32_t microseconds);

  std::vector<uint8_t> body_;  // record body being built
  std::vector<uint8_t> mem_;   // memory output, or the pending file buffer
  void* gz_ = nullptr;         // gzFile when compressing
  int fd_ = -1;
  bool to_memory_ = true;
  uint64_t records_ = 0;
  std::string path_;
};

}  // namespace vigia::mrt
