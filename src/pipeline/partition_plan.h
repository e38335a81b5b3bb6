// How `vigia analyze --memory SIZE` splits a snapshot's routes into prefix
// partitions that fit (issue [6/7]; the design and its measurements are
// docs/performance.md "Analyze memory").
//
// A counting read of the MRT files gives the route events per bucket
// (observe::BucketOf: an IPv4 /8 or an IPv6 /16). The analysis of one
// partition is estimated from them with the model measured on `vigia
// analyze` (bench/analyze_memory.sh): kBytesPerRibEntry per RIB entry and
// kBytesPerUpdate per update. A partition is a range of buckets, ranges in
// bucket order (which is Prefix order), so the partitions' routes joined in
// partition order are the snapshot's routes in route order. A bucket is
// never split: it holds every prefix its prefixes' covering look-ups need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "observe/observed_routes.h"

namespace vigia::pipeline {

// The measured slope of peak memory per RIB entry (40.3-41.8 bytes, fit over
// 50-1,000 peers x 200 k prefixes) and an estimate per update event (a
// sighting, an open-route hash entry while open, the view's ids).
inline constexpr uint64_t kBytesPerRibEntry = 42;
inline constexpr uint64_t kBytesPerUpdate = 70;

struct BucketCount {
  uint64_t rib = 0, updates = 0;
};

struct PartitionRange {
  uint32_t first = 0, last = 0;  // buckets [first, last)
  uint64_t rib = 0, updates = 0;
  uint64_t estimate = 0;  // bytes
};

struct PartitionPlan {
  std::vector<PartitionRange> ranges;  // in bucket order, covering every bucket
  uint64_t budget = 0;                 // bytes one partition may use
};

// Ranges of at most `budget` estimated bytes each, or with `count` > 0 that
// many ranges of about equal estimate (tests; empty buckets may make some
// ranges empty). InvalidArgument naming the largest bucket when a single
// bucket does not fit, with the memory that would be needed (fixed + it).
// first_bucket: the bucket number of buckets[0] (messages name buckets).
Result<PartitionPlan> PlanPartitions(const std::vector<BucketCount>& buckets, uint64_t budget,
                                     uint32_t count, uint64_t fixed, const std::string& setting,
                                     uint32_t first_bucket = 0);

// "8G" (GiB), "512M", "1.5G", "2000000000": bytes; nullopt when not a size.
std::optional<uint64_t> ParseSize(const std::string& text);
// Bytes as "1.9 GiB", "640 MiB".
std::string SizeText(uint64_t bytes);
// This process' resident set and its peak since the last ResetPeakRss()
// (Linux /proc/self/status VmRSS, VmHWM); 0 where unknown.
uint64_t CurrentRss();
uint64_t PeakRss();
void ResetPeakRss();

}  // namespace vigia::pipeline
