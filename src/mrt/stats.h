// MrtStats: what a set of MRT files holds, for `vigia mrt stats`.
//
// Counts records per type and subtype, route entries (RIB entries,
// announcements, withdrawals, state changes), distinct peers, distinct IPv4
// and IPv6 prefixes (as masked) and distinct origin ASes. Owns its sets;
// memory grows with the number of distinct prefixes, not with the file
// size. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "mrt/decoder.h"

namespace vigia::mrt {

struct PrefixHash {
  size_t operator()(const Prefix& p) const;
};

struct PeerKey {
  IpAddress ip;
  Asn asn = 0;
  friend bool operator==(const PeerKey&, const PeerKey&) = default;
};
struct PeerKeyHash {
  size_t operator()(const PeerKey& k) const;
};

// A set of distinct fixed-size keys with open addressing and linear
// probing: no allocation per key, unlike a node-based std::unordered_set,
// which cost more than decoding the MRT data itself.
template <typename Key, typename Hash>
class FlatSet {
 public:
  void Insert(const Key& k) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash()(k) & mask;; i = (i + 1) & mask) {
      if (!used_[i]) {
        used_[i] = 1;
        slots_[i] = k;
        ++size_;
        return;
      }
      if (slots_[i] == k) return;
    }
  }
  size_t size() const { return size_; }

 private:
  void Grow() {
    std::vector<Key> old_slots = std::move(slots_);
    std::vector<uint8_t> old_used = std::move(used_);
    size_t n = old_slots.empty() ? 1024 : old_slots.size() * 2;
    slots_.assign(n, Key{});
    used_.assign(n, 0);
    size_ = 0;
    for (size_t i = 0; i < old_slots.size(); ++i) {
      if (old_used[i]) Insert(old_slots[i]);
    }
  }
  std::vector<Key> slots_;
  std::vector<uint8_t> used_;
  size_t size_ = 0;
};

// Counts distinct 64-bit keys by appending them to an array and
// deduplicating with a radix sort when it doubles. Appends are sequential
// memory writes, which is what makes `mrt stats` keep pace with the
// decompressor; a hash set's random probes did not. Memory stays within
// twice the distinct count.
class DistinctU64 {
 public:
  // Reserving up front (virtual memory; pages are touched as used) avoids
  // the copies and fresh page faults of a doubling vector.
  DistinctU64() { values_.reserve(next_compaction_); }
  void Add(uint64_t v) {
    values_.push_back(v);
    if (values_.size() >= next_compaction_) Compact();
  }
  size_t size() const {
    const_cast<DistinctU64*>(this)->Compact();
    return values_.size();
  }

 private:
  void Compact();
  std::vector<uint64_t> values_;
  std::vector<uint64_t> scratch_;
  size_t next_compaction_ = 1 << 20;
};

// Distinct IPv4 prefixes (already masked). Prefixes of length 0-24, almost
// all of a routing table, are bits in a bitmap, one bit per possible
// prefix (2^25 bits, 4 MiB of anonymous memory, faulted in as touched): an insert is one
// test-and-set, with no sort and no probe sequence. Longer prefixes go to a DistinctU64.
class Ipv4PrefixSet {
 public:
  Ipv4PrefixSet() = default;
  Ipv4PrefixSet(const Ipv4PrefixSet&) = delete;
  Ipv4PrefixSet& operator=(const Ipv4PrefixSet&) = delete;
  ~Ipv4PrefixSet();

  // masked: the address with the host bits cleared; length <= 32.
  void Add(uint32_t masked, uint8_t length) {
    if (length > kMaxBitmapLength) {
      long_.Add((uint64_t{masked} << 8) | length);
      return;
    }
    if (bits_ == nullptr) Allocate();
    // Prefixes of length L take bits [2^L - 1, 2^(L+1) - 1).
    const uint64_t i = ((uint64_t{1} << length) - 1) + (length == 0 ? 0 : masked >> (32 - length));
    const uint64_t bit = uint64_t{1} << (i & 63);
    uint64_t& word = bits_[i >> 6];
    short_count_ += (word & bit) == 0;
    word |= bit;
  }
  size_t size() const { return short_count_ + long_.size(); }

 private:
  static constexpr int kMaxBitmapLength = 24;
  static constexpr size_t kWords = (size_t{1} << (kMaxBitmapLength + 1)) / 64;
  void Allocate();
  uint64_t* bits_ = nullptr;
  size_t short_count_ = 0;
  DistinctU64 long_;
};

struct U64Hash {
  size_t operator()(uint64_t v) const {
    v ^= v >> 33;
    v *= 0xFF51AFD7ED558CCDULL;
    v ^= v >> 33;
    return static_cast<size_t>(v);
  }
};

// Distinct origin ASNs: those below 2^22 (every 16-bit ASN and the 32-bit
// ones allocated so far) are bits of a 512 KiB bitmap, the rest go to a
// FlatSet. A hash set's probe was a cache miss per UPDATE.
class AsnSet {
 public:
  void Insert(Asn a) {
    if (a >= kBitmapAsns) {
      high_.Insert(a);
      return;
    }
    if (!bits_) {
      // calloc of this size maps fresh zero pages, faulted in as touched.
      bits_.reset(static_cast<uint64_t*>(std::calloc(kBitmapAsns / 64, sizeof(uint64_t))));
      if (!bits_) std::abort();
    }
    const uint64_t bit = uint64_t{1} << (a & 63);
    uint64_t& word = bits_[a >> 6];
    low_count_ += (word & bit) == 0;
    word |= bit;
  }
  size_t size() const { return low_count_ + high_.size(); }

 private:
  static constexpr uint64_t kBitmapAsns = uint64_t{1} << 22;
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint64_t[], Free> bits_;
  size_t low_count_ = 0;
  FlatSet<uint64_t, U64Hash> high_;
};

class MrtStats {
 public:
  void Add(const Decoder& d);

  uint64_t rib_entries = 0;
  uint64_t announcements = 0;
  uint64_t withdrawals = 0;
  uint64_t state_changes = 0;
  uint64_t other_messages = 0;  // OPEN, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH
  uint64_t add_path_entries = 0;
  // "TABLE_DUMP_V2/RIB_IPV4_UNICAST" -> records
  std::map<std::string, uint64_t> records_by_type;
  Ipv4PrefixSet ipv4_prefixes;
  FlatSet<Prefix, PrefixHash> ipv6_prefixes;
  AsnSet origins;
  FlatSet<PeerKey, PeerKeyHash> peers;

 private:
  void AddOrigin(const bgp::PathAttributes& a);
  void AddPeer(const IpAddress& ip, Asn asn);
  void AddPrefix(const Prefix& p);
  // The last origin and peer inserted: consecutive entries mostly repeat
  // them (one UPDATE's prefixes, one TABLE_DUMP peer's run), and comparing
  // is cheaper than hashing.
  Asn last_origin_ = 0;
  PeerKey last_peer_;
  bool have_last_peer_ = false;
  uint16_t last_type_ = 0xFFFF, last_subtype_ = 0xFFFF;
  uint64_t* last_counter_ = nullptr;
};

}  // namespace vigia::mrt
