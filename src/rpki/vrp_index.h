// VrpIndex: the covering-VRP lookup behind route origin validation, built
// once over a VrpSet's VRPs.
//
// Prefixes form a laminar family (two are nested or disjoint), so the VRPs
// whose prefix covers a route are ancestors of one another. The index keeps
// the distinct VRP prefixes sorted by (start address, length), each with a
// pointer to its nearest enclosing prefix. For a route, the last prefix not
// after it in that order is found by a bucketed binary search; every
// covering prefix is that one or one of its ancestors, so a short walk up
// the parent chain finds them all (O(log n) + nesting depth, against a
// binary trie's one dependent memory access per prefix bit). This is what
// makes a full-table ROV run in tens of milliseconds.
//
// Immutable once built; safe to share between threads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/ip.h"
#include "core/large_alloc.h"

namespace vigia::rpki {

struct Vrp;

class VrpIndex {
 public:
  void Build(std::span<const Vrp> vrps);

  // fn(uint32_t vrp_index) for every VRP whose prefix covers p.
  template <typename Fn>
  void ForEachCovering(const Prefix& p, Fn&& fn) const {
    const Family f = p.family();
    const Table& t = f == Family::kIpv4 ? v4_ : v6_;
    if (t.nodes.empty()) return;
    const Key k = MakeKey(p.Masked());
    int64_t i = LastNotAfter(t, k);
    // Up the parent chain to the first prefix that covers p ...
    while (i >= 0 && !Covers(t.nodes[static_cast<size_t>(i)], k, p.length(), f)) {
      i = t.nodes[static_cast<size_t>(i)].parent;
    }
    // ... and from there every ancestor covers it too.
    for (; i >= 0; i = t.nodes[static_cast<size_t>(i)].parent) {
      const Node& n = t.nodes[static_cast<size_t>(i)];
      for (uint32_t v = n.first; v < n.first + n.count; ++v) fn(t.vrp_of[v]);
    }
  }

 private:
  // An address as two big-endian 64-bit halves, then the length.
  struct Key {
    uint64_t hi, lo;
    uint8_t len;
  };
  struct Node {
    Key key;
    int64_t parent;         // nearest enclosing prefix, -1 at the top
    uint32_t first, count;  // its VRPs in vrp_of
  };
  struct Table {
    LargeVector<Node> nodes;
    LargeVector<uint32_t> vrp_of;
    std::vector<uint32_t> bucket;  // first node whose top 16 bits >= b, b in [0, 65536]
  };

  static Key MakeKey(const Prefix& p);
  static bool Less(const Key& a, const Key& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return a.len < b.len;
  }
  // Does node n's prefix contain the prefix (k, len)?
  static bool Covers(const Node& n, const Key& k, uint8_t len, Family f);
  static int64_t LastNotAfter(const Table& t, const Key& k);
  struct Item {
    Key key;
    uint32_t vrp;
  };
  static void BuildTable(Table* t, LargeVector<Item>& items, Family f);

  Table v4_, v6_;
};

}  // namespace vigia::rpki
