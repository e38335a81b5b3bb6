// The observe stage's interning tables and sighting order
// (observed_routes.h uses them): PathTable, each distinct AS path once,
// PrefixIndex, prefix -> dense id, and OrderByPrefix/SortByPrefix, the
// sort of sightings by (prefix, peer[, start]).
//
// Why not std::unordered_(multi)map and std::sort: a profile of `vigia
// analyze` on a 50-peer x 200 k-prefix snapshot (issue [6/7]) spent 14 %
// of the MRT loading in the path table's unordered_multimap (a node and a
// cache miss per lookup) and 19 % in std::sort of the sightings, which
// falls back to heapsort on the long pre-sorted runs RIB dumps make. Here
// the hash tables are flat (open addressing, linear probing, a 32-bit tag
// and the id per slot, at most half full) and the sort is a counting sort
// by prefix id (ids are dense) followed by a check, and a stable sort only
// where needed, of each prefix's few sightings by peer and start.
//
// Ids are given in the order values are first interned, as before; the
// order is stable (sightings equal in every key keep their insertion
// order), which std::sort did not promise and no reader depended on.
//
// Memory: PathTable 4 bytes per ASN + 13 bytes per path (+ the slots, 8
// bytes each, 2-4 per path); PrefixIndex 8-16 bytes per prefix; the
// sighting order 4 bytes per sighting and, while it is applied, a copy of
// the sightings (20 bytes each; std::sort needed none).
// Not thread-safe while being filled; const methods are safe to share.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/asn.h"
#include "core/ip.h"

namespace vigia::observe {

struct Sighting {
  uint32_t prefix = 0;  // into prefixes()
  uint32_t peer = 0;    // into peers()
  uint32_t path = 0;    // into paths()
  uint32_t start = 0;   // seconds since the epoch
  uint32_t end = 0;     // exclusive; the window end when still present
};

// The hash PathTable uses: every ASN and has_set, well mixed in all bits.
uint64_t HashPath(std::span<const Asn> asns, bool has_set);

// The canonical order of paths: their ASNs compared as sequences, then a
// path without an AS_SET before one with.
bool PathLess(std::span<const Asn> a, bool a_set, std::span<const Asn> b, bool b_set);

// Each distinct AS path once. A path is kept flattened (AS_SET members in
// place, in the order sent); has_set tells whether it held an AS_SET or
// AS_CONFED_SET, whose origin is then unknown (RFC 6811 §2: NONE).
class PathTable {
 public:
  using HashFn = uint64_t (*)(std::span<const Asn>, bool);
  // hash: HashPath unless a test needs collisions.
  explicit PathTable(HashFn hash = &HashPath);
  // The id of the path, a new one (size() before the call) when unseen.
  uint32_t Intern(std::span<const Asn> asns, bool has_set);
  std::span<const Asn> Get(uint32_t id) const {
    return {asns_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]};
  }
  bool HasSet(uint32_t id) const { return has_set_[id] != 0; }
  // The origin AS: the last AS of a path without sets, else 0.
  Asn Origin(uint32_t id) const {
    const auto p = Get(id);
    return p.empty() || HasSet(id) ? 0 : p.back();
  }
  size_t size() const { return has_set_.size(); }
  // Renumbers the paths in canonical order (PathLess) and returns each old
  // id's new one. Canonical ids do not depend on the order the paths were
  // met in, so the routes of a prefix partition read alone get the same
  // relative ids as in the whole table (docs/performance.md, "Analyze
  // memory").
  std::vector<uint32_t> Canonicalize();

 private:
  struct Slot {
    uint32_t tag = 0;  // the hash's high half
    uint32_t id = 0;   // id + 1; 0: empty
  };
  void Grow();

  HashFn hash_;
  std::vector<Asn> asns_;
  std::vector<uint32_t> offsets_;  // size() + 1
  std::vector<uint8_t> has_set_;
  std::vector<Slot> slots_;  // a power of two, at most half full
};

// Prefix -> dense id (0, 1, ... in first-seen order), the prefixes
// themselves kept by the caller in id order.
class PrefixIndex {
 public:
  // The id of p in *values, appending p when it is new.
  uint32_t FindOrAdd(const Prefix& p, std::vector<Prefix>* values);
  void Clear() { slots_.clear(); }

 private:
  struct Slot {
    uint32_t tag = 0;
    uint32_t id = 0;  // id + 1; 0: empty
  };
  void Grow(const std::vector<Prefix>& values);
  std::vector<Slot> slots_;
};

// The indices of s in (prefix, peer) order, or (prefix, peer, start) with
// by_start; stable. Every s[i].prefix must be < prefix_count. With
// `runs`, also where each prefix's indices start in the order
// (prefix_count + 1 entries; prefix p's are [runs[p], runs[p + 1])).
std::vector<uint32_t> OrderByPrefix(std::span<const Sighting> s, size_t prefix_count, bool by_start,
                                    std::vector<uint32_t>* runs = nullptr);
// *s in (prefix, peer, start) order, stably: OrderByPrefix(by_start) and
// a gather in one, a counting sort that moves the sightings themselves
// into the second array, so the 4-byte index per sighting is never held
// (at 1,000 peers a partition's 125 M sightings: 0.5 GB less at its peak).
void SortByPrefix(std::vector<Sighting>* s, size_t prefix_count);

}  // namespace vigia::observe
