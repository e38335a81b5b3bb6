#include "rpki/vrp_index.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/limits.h"
#include "rpki/vrp.h"

namespace vigia::rpki {

namespace {
// IPv4 sort items pack address (32 bits), length (6) and VRP number (26)
// into one word, so that an item is 16 bytes: a radix pass moves half the
// memory of a 32-byte item, and ties in (address, length) keep the VRPs in
// set order (the sort is stable too). IPv6 items carry the whole address.
constexpr uint32_t kV4VrpBits = 26;
static_assert(kMaxVrps < (size_t{1} << kV4VrpBits), "IPv4 sort key holds the VRP number");

struct Item4 {
  uint64_t key;  // address << 32 | length << 26 | VRP number
  Asn asn;
  uint8_t max_length;
};
struct Item6 {
  uint64_t hi, lo;
  uint32_t vrp;
  Asn asn;
  uint8_t len, max_length;
};

// LSD radix sort by digits of kBits bits, least significant first:
// digit(item, d) for d in [0, digits). Stable, so equal keys keep their
// input order. All histograms come from one read pass; a digit that every
// item shares is skipped (the low address bits of most IPv6 VRPs, whose
// prefixes end before /64, and the top bits of a regional set), and input
// already in order (as rpki-client writes it) is not moved at all.
template <int kBits, typename T, typename Digit, typename Less>
void RadixSort(LargeVector<T>* v, int digits, Digit digit, Less less) {
  const size_t n = v->size();
  if (n < 2) return;
  bool sorted = true;
  for (size_t i = 1; i < n && sorted; ++i) sorted = !less((*v)[i], (*v)[i - 1]);
  if (sorted) return;
  constexpr size_t kBuckets = size_t{1} << kBits;
  std::vector<uint32_t> count(static_cast<size_t>(digits) * kBuckets);
  for (const T& x : *v) {
    for (int d = 0; d < digits; ++d) ++count[static_cast<size_t>(d) * kBuckets + digit(x, d)];
  }
  LargeVector<T> tmp(n);
  T* src = v->data();
  T* dst = tmp.data();
  for (int d = 0; d < digits; ++d) {
    uint32_t* c = count.data() + static_cast<size_t>(d) * kBuckets;
    if (c[digit(src[0], d)] == n) continue;
    uint32_t sum = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      const uint32_t c0 = c[i];
      c[i] = sum;
      sum += c0;
    }
    for (size_t i = 0; i < n; ++i) dst[c[digit(src[i], d)]++] = src[i];
    std::swap(src, dst);
  }
  if (src != v->data()) std::copy(src, src + n, v->data());
}
}  // namespace

uint32_t VrpIndex::LastNotAfter(const Table& t, const Key& k) {
  const size_t b = static_cast<size_t>(k.hi >> 48);
  // Nodes of this bucket are [bucket[b], bucket[b + 1]); the answer is the
  // last of them not after k, or the node just before the bucket.
  const Key* base = t.keys.data();
  const Key* it = std::upper_bound(base + t.bucket[b], base + t.bucket[b + 1], k,
                                   [](const Key& a, const Key& n) { return Less(a, n); });
  return static_cast<uint32_t>(it - base) - 1;  // kNone when it is the first
}

void VrpIndex::Cursor::MoveTo(const Table& t, State& s, const Key& k) {
  // Merging costs one step per node passed; past this many, a seek is cheaper.
  constexpr uint32_t kMaxSteps = 32;
  const auto n = static_cast<uint32_t>(t.keys.size());
  if (s.positioned && !Less(k, s.last)) {
    uint32_t j = s.next;
    if (j + kMaxSteps >= n || Less(k, t.keys[j + kMaxSteps])) {
      // Every node between the last route and this one is opened, closing
      // the open ones that do not contain it: they end before it, so they
      // cannot contain this route or any later one.
      for (; j < n && !Less(k, t.keys[j]); ++j) {
        while (s.depth > 0 && !Contains(t.keys[s.stack[s.depth - 1]], t.keys[j])) --s.depth;
        s.stack[s.depth++] = j;
      }
      s.next = j;
      while (s.depth > 0 && !Contains(t.keys[s.stack[s.depth - 1]], k)) --s.depth;
      s.last = k;
      return;
    }
  }
  // A seek: every node containing k is at or before the last node not
  // after k, and is that node or one of its ancestors.
  const uint32_t i = LastNotAfter(t, k);
  s.next = i + 1;  // 0 when i is kNone
  uint32_t x = i;
  while (x != kNone && !Contains(t.keys[x], k)) x = t.parent[x];
  int depth = 0;
  for (uint32_t y = x; y != kNone; y = t.parent[y]) ++depth;
  s.depth = depth;
  for (uint32_t y = x; y != kNone; y = t.parent[y]) s.stack[--depth] = y;
  s.positioned = true;
  s.last = k;
}

template <typename Items, typename KeyOf, typename VrpOf>
void VrpIndex::FillTable(const Items& items, KeyOf key_of, VrpOf vrp_of, Table* t) {
  const size_t n = items.size();
  t->keys.clear();
  t->parent.clear();
  t->first.clear();
  t->entries.clear();
  t->vrp_of.clear();
  t->keys.reserve(n);
  t->parent.reserve(n);
  t->first.reserve(n + 1);
  t->entries.resize(n);
  t->vrp_of.resize(n);
  uint32_t stack[130];  // open ancestors, innermost last; lengths strictly grow
  int depth = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto k = key_of(items[i]);
    t->entries[i] = {items[i].asn, items[i].max_length};
    t->vrp_of[i] = vrp_of(items[i]);
    if (!t->keys.empty()) {
      const auto& last = t->keys.back();
      if (last.hi == k.hi && last.lo == k.lo && last.len == k.len) continue;
    }
    while (depth > 0 && !Contains(t->keys[stack[depth - 1]], k)) --depth;
    t->parent.push_back(depth > 0 ? stack[depth - 1] : kNone);
    t->first.push_back(static_cast<uint32_t>(i));
    t->keys.push_back(k);
    stack[depth++] = static_cast<uint32_t>(t->keys.size() - 1);
  }
  t->first.push_back(static_cast<uint32_t>(n));
  if (t->keys.empty()) {
    t->bucket.clear();  // ForEachCovering returns before looking at it
    return;
  }
  t->bucket.assign(65537, 0);
  size_t j = 0;
  for (uint32_t b = 0; b <= 65536; ++b) {
    while (j < t->keys.size() && (t->keys[j].hi >> 48) < b) ++j;
    t->bucket[b] = static_cast<uint32_t>(j);
  }
}

void VrpIndex::Build(std::span<const Vrp> vrps) {
  LargeVector<Item4> v4;
  LargeVector<Item6> v6;
  size_t n4 = 0;
  for (const Vrp& v : vrps) n4 += v.prefix.family() == Family::kIpv4;
  v4.reserve(n4);
  v6.reserve(vrps.size() - n4);
  for (size_t i = 0; i < vrps.size(); ++i) {
    const Vrp& v = vrps[i];
    const Key k = MakeKey(v.prefix);
    if (v.prefix.family() == Family::kIpv4) {
      v4.push_back(
          Item4{(k.hi >> 32) << 32 | uint64_t{k.len} << kV4VrpBits | i, v.asn, v.max_length});
    } else {
      v6.push_back(Item6{k.hi, k.lo, static_cast<uint32_t>(i), v.asn, k.len, v.max_length});
    }
  }
  // IPv4: length, then the address in three 11-bit digits. Digits of 11
  // bits keep the counts and the 2,048 write positions of a pass in the
  // caches; 16-bit digits (65,536 positions) made the sort twice as slow.
  RadixSort<11>(
      &v4, 4,
      [](const Item4& x, int d) -> uint32_t {
        return d == 0 ? static_cast<uint32_t>(x.key >> kV4VrpBits) & 63
                      : static_cast<uint32_t>(x.key >> (32 + 11 * (d - 1))) & 0x7FF;
      },
      [](const Item4& a, const Item4& b) { return a.key < b.key; });
  // IPv6: length, then the sixteen bytes of the address.
  RadixSort<8>(
      &v6, 17,
      [](const Item6& x, int d) -> uint32_t {
        if (d == 0) return x.len;
        const uint64_t w = d <= 8 ? x.lo : x.hi;
        return static_cast<uint32_t>(w >> (8 * ((d - 1) % 8))) & 0xFF;
      },
      [](const Item6& a, const Item6& b) {
        if (a.hi != b.hi) return a.hi < b.hi;
        if (a.lo != b.lo) return a.lo < b.lo;
        return a.len < b.len;
      });
  FillTable(
      v4,
      [](const Item4& x) {
        return Key{(x.key >> 32) << 32, 0, static_cast<uint8_t>((x.key >> kV4VrpBits) & 63)};
      },
      [](const Item4& x) {
        return static_cast<uint32_t>(x.key & ((uint64_t{1} << kV4VrpBits) - 1));
      },
      &v4_);
  FillTable(
      v6,
      [](const Item6& x) {
        return Key{x.hi, x.lo, x.len};
      },
      [](const Item6& x) { return x.vrp; }, &v6_);
}

}  // namespace vigia::rpki
