// What `mrt dump` and `mrt stats` share: walking the records of a list of
// files, reporting bad records on stderr with file and offset, counting what
// was skipped and why, and a progress line on a terminal.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mrt/decoder.h"
#include "mrt/reader.h"

namespace vigia::cli {

struct WalkOptions {
  bool threaded = true;  // decompress on a second thread
  bool quiet = false;    // no per-record messages
  bool progress = true;  // progress line, only when stderr is a terminal
  size_t max_messages_per_file = 20;
};

struct WalkResult {
  uint64_t files = 0;
  uint64_t records = 0;
  uint64_t skipped_records = 0;
  uint64_t repaired_records = 0;  // decoded after a repair, reported as notes
  uint64_t unreadable_files = 0;
  uint64_t stream_errors = 0;  // decompression errors (truncated or corrupt streams)
  uint64_t skipped_bytes = 0;
  uint64_t length_fixes = 0;
  uint64_t truncated_files = 0;  // plain streams that end inside a record
  // RFC 7606 actions on routes: attributes discarded, routes withdrawn.
  uint64_t attributes_discarded = 0;
  uint64_t routes_withdrawn = 0;
  std::map<std::string, uint64_t> skip_reasons;
  // "RFC 7606 §7.7 attribute discard" -> count
  std::map<std::string, uint64_t> rfc7606;
  bool anything_skipped() const {
    return skipped_records || unreadable_files || stream_errors || skipped_bytes ||
           truncated_files || attributes_discarded || routes_withdrawn;
  }
};

// Calls on_entry for every record that decoded, with the decoder holding it.
// Records that fail to decode are reported and counted, never fatal; so are
// the RFC 7606 actions taken on routes (file, offset, peer, prefix, rule)
// and a stream that ends inside a record.
WalkResult WalkFiles(const std::vector<std::string>& files, const WalkOptions& opts,
                     const std::function<void(const mrt::Decoder&)>& on_entry);

// "RFC 6396 §4.3.4: ..." -> a short reason key for the skip counts.
std::string ReasonKey(const Status& s);

}  // namespace vigia::cli
