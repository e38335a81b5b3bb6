#include "rpki/vrp_index.h"

#include <algorithm>
#include <cstring>

#include "rpki/vrp.h"

namespace vigia::rpki {

namespace {
uint64_t Be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
// LSD radix sort, 16-bit digits; a digit that all keys share is skipped
// (the low bits of the VRP number often are, the high address bits of a
// regional set too). Three to five times faster than std::sort here.
void RadixSort(LargeVector<uint64_t>* keys) {
  const size_t n = keys->size();
  if (n < 4096) {
    std::sort(keys->begin(), keys->end());
    return;
  }
  LargeVector<uint64_t> tmp(n);
  std::vector<uint32_t> count(65536);
  uint64_t* src = keys->data();
  uint64_t* dst = tmp.data();
  for (int shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (size_t i = 0; i < n; ++i) ++count[(src[i] >> shift) & 0xFFFF];
    if (count[(src[0] >> shift) & 0xFFFF] == n) continue;
    uint32_t sum = 0;
    for (uint32_t& c : count) {
      const uint32_t c0 = c;
      c = sum;
      sum += c0;
    }
    for (size_t i = 0; i < n; ++i) dst[count[(src[i] >> shift) & 0xFFFF]++] = src[i];
    std::swap(src, dst);
  }
  if (src != keys->data()) std::copy(src, src + n, keys->data());
}

// The top 16 bits, for the bucket table.
uint32_t Top16(uint64_t hi) { return static_cast<uint32_t>(hi >> 48); }
}  // namespace

VrpIndex::Key VrpIndex::MakeKey(const Prefix& p) {
  const uint8_t* b = p.address().bytes();
  return Key{Be64(b), Be64(b + 8), p.length()};
}

bool VrpIndex::Covers(const Node& n, const Key& k, uint8_t len, Family f) {
  if (n.key.len > len) return false;
  (void)f;  // both families use the same 128-bit key layout
  const int l = n.key.len;
  // Compare the first l bits of the two addresses.
  if (l == 0) return true;
  if (l <= 64) {
    const uint64_t mask = l == 64 ? ~uint64_t{0} : ~(~uint64_t{0} >> l);
    return ((n.key.hi ^ k.hi) & mask) == 0;
  }
  if (n.key.hi != k.hi) return false;
  const int r = l - 64;
  const uint64_t mask = r == 64 ? ~uint64_t{0} : ~(~uint64_t{0} >> r);
  return ((n.key.lo ^ k.lo) & mask) == 0;
}

int64_t VrpIndex::LastNotAfter(const Table& t, const Key& k) {
  const uint32_t b = Top16(k.hi);
  // Nodes of this bucket are [bucket[b], bucket[b + 1]); the answer is the
  // last of them not after k, or the node just before the bucket.
  const Node* lo = t.nodes.data() + t.bucket[b];
  const Node* hi = t.nodes.data() + t.bucket[b + 1];
  const Node* it =
      std::upper_bound(lo, hi, k, [](const Key& key, const Node& n) { return Less(key, n.key); });
  return static_cast<int64_t>(it - t.nodes.data()) - 1;
}

void VrpIndex::BuildTable(Table* t, LargeVector<Item>& items, Family f) {
  if (f == Family::kIpv4 && items.size() < (size_t{1} << 26)) {
    // IPv4 keys fit one 64-bit word with the VRP number: address (32 bits),
    // length (6), VRP (26). Integer sorting is several times faster than
    // sorting the 32-byte items.
    LargeVector<uint64_t> packed;
    packed.reserve(items.size());
    for (const Item& it : items) {
      packed.push_back((it.key.hi >> 32) << 32 | uint64_t{it.key.len} << 26 | it.vrp);
    }
    RadixSort(&packed);
    for (size_t i = 0; i < packed.size(); ++i) {
      const uint64_t w = packed[i];
      items[i] = Item{Key{(w >> 32) << 32, 0, static_cast<uint8_t>((w >> 26) & 63)},
                      static_cast<uint32_t>(w & ((1u << 26) - 1))};
    }
  } else {
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      if (a.key.hi != b.key.hi) return a.key.hi < b.key.hi;
      if (a.key.lo != b.key.lo) return a.key.lo < b.key.lo;
      if (a.key.len != b.key.len) return a.key.len < b.key.len;
      return a.vrp < b.vrp;
    });
  }
  t->nodes.clear();
  t->vrp_of.clear();
  t->nodes.reserve(items.size());
  t->vrp_of.reserve(items.size());
  std::vector<int64_t> stack;  // open ancestors, innermost last
  for (size_t i = 0; i < items.size(); ++i) {
    const Key& k = items[i].key;
    t->vrp_of.push_back(items[i].vrp);
    if (!t->nodes.empty()) {
      Node& last = t->nodes.back();
      if (last.key.hi == k.hi && last.key.lo == k.lo && last.key.len == k.len) {
        ++last.count;
        continue;
      }
    }
    while (!stack.empty() && !Covers(t->nodes[static_cast<size_t>(stack.back())], k, k.len, f)) {
      stack.pop_back();
    }
    Node n{k, stack.empty() ? -1 : stack.back(), static_cast<uint32_t>(i), 1};
    t->nodes.push_back(n);
    stack.push_back(static_cast<int64_t>(t->nodes.size() - 1));
  }
  if (t->nodes.empty()) {
    t->bucket.clear();  // ForEachCovering returns before looking at it
    return;
  }
  t->bucket.assign(65537, 0);
  size_t j = 0;
  for (uint32_t b = 0; b <= 65536; ++b) {
    while (j < t->nodes.size() && Top16(t->nodes[j].key.hi) < b) ++j;
    t->bucket[b] = static_cast<uint32_t>(j);
  }
}

void VrpIndex::Build(std::span<const Vrp> vrps) {
  LargeVector<Item> v4, v6;
  size_t n4 = 0;
  for (const Vrp& v : vrps) n4 += v.prefix.family() == Family::kIpv4;
  v4.reserve(n4);
  v6.reserve(vrps.size() - n4);
  for (size_t i = 0; i < vrps.size(); ++i) {
    auto& dst = vrps[i].prefix.family() == Family::kIpv4 ? v4 : v6;
    // VrpSet stores prefixes masked already.
    dst.push_back(Item{MakeKey(vrps[i].prefix), static_cast<uint32_t>(i)});
  }
  BuildTable(&v4_, v4, Family::kIpv4);
  BuildTable(&v6_, v6, Family::kIpv6);
}

}  // namespace vigia::rpki
