// RangeSet: a set of IP addresses of one family, held as sorted, disjoint,
// non-adjacent inclusive ranges of integers (IPv4 in [0, 2^32), IPv6 in
// [0, 2^128)).
//
// Bogon lists are set algebra over address space: special-purpose blocks
// minus their globally reachable exceptions, RIR space minus what the RIR
// delegated, one list compared with another. Doing that on ranges rather than
// on prefixes keeps every operation linear, and the CIDR form is produced once
// at the end (ToPrefixes, the smallest set of prefixes covering exactly the
// set). IPv4 delegations come as a start and an address count that need not
// be a power of two, which ranges hold without loss.
//
// A value type; Add() leaves the set unnormalised and every reader normalises
// first, so a set being built must not be shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ip.h"

namespace vigia::registry {

using Uint128 = __uint128_t;

// The address as an integer (IPv4 in the low 32 bits) and back.
Uint128 AddressToInt(const IpAddress& a);
IpAddress IntToAddress(Family f, Uint128 v);
// Decimal text of a 128-bit count.
std::string FormatUint128(Uint128 v);
// The largest address of the family: 2^32-1 or 2^128-1.
Uint128 MaxAddress(Family f);

struct AddressRange {
  Uint128 first = 0;
  Uint128 last = 0;  // inclusive
  friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

class RangeSet {
 public:
  explicit RangeSet(Family family = Family::kIpv4) : family_(family) {}

  Family family() const { return family_; }
  // Adds [first, last]; ignored when first > last or last is past the family.
  void Add(Uint128 first, Uint128 last);
  // Adds the addresses of p (host bits ignored); a prefix of another family
  // is ignored.
  void Add(const Prefix& p);
  void Add(const RangeSet& other);

  // The normalised ranges, in address order.
  const std::vector<AddressRange>& ranges() const;
  bool empty() const { return ranges().empty(); }
  bool Contains(Uint128 v) const;
  bool Contains(const IpAddress& a) const { return Contains(AddressToInt(a)); }
  // Number of addresses; saturates at 2^128-1 for the whole IPv6 space.
  Uint128 AddressCount() const;

  RangeSet Intersect(const RangeSet& other) const;
  RangeSet Subtract(const RangeSet& other) const;
  // The smallest list of prefixes whose union is exactly this set, in
  // address order.
  std::vector<Prefix> ToPrefixes() const;

  friend bool operator==(const RangeSet& a, const RangeSet& b) {
    return a.family_ == b.family_ && a.ranges() == b.ranges();
  }

 private:
  void Normalise() const;

  Family family_;
  mutable std::vector<AddressRange> ranges_;
  mutable bool dirty_ = false;
};

// The prefixes covering exactly [first, last] (RFC 4632 §3.1 aggregation in
// reverse: the largest aligned block at each step).
std::vector<Prefix> RangeToPrefixes(Family f, Uint128 first, Uint128 last);

}  // namespace vigia::registry
